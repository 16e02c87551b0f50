"""Management review (seed 0403 §6.2.4, §7.3.2): the input pack and the recorded review.

§7.3.2.3 lists the inputs: the capability plan's implementation, the indicator
results, the satisfaction survey, the operations department's work, the internal
audit report, the complaints report and the continual improvement. Those the
data give are assembled; the others are left as visible prompts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from itsskit.models import ImprovementItem, Indicator, ManagementReview, Report, Section, Ticket
from itsskit.periods import Period
from itsskit.quality.annual import KpisByPeriod, annual_report, improvements_section
from itsskit.quality.audit import Audit, audit_report
from itsskit.quality.common import check_language, day_text, quality_report, table
from itsskit.quality.surveys import SatisfactionAnalysis
from itsskit.wording import Texts

__all__ = ["COMPLAINT_WORDS", "complaints", "record_review", "review_pack"]

#: A ticket whose category or an attribute value is one of these is a complaint.
COMPLAINT_WORDS = frozenset({"投诉", "complaint"})


def _w(language: str, key: str, **values: object) -> str:
    return Texts(language)(f"q.review.{key}", **values)


def complaints(tickets: Iterable[Ticket], period: Period | None = None) -> list[Ticket]:
    """Tickets whose category or an attribute value is 投诉/complaint (opened in ``period``)."""

    def is_complaint(ticket: Ticket) -> bool:
        values = [ticket.category or "", *ticket.attributes.values()]
        return any(str(value).strip().lower() in COMPLAINT_WORDS for value in values)

    return [
        t for t in tickets
        if is_complaint(t) and (period is None or (t.opened is not None and period.contains(t.opened)))
    ]  # fmt: skip


def review_pack(
    indicators: Sequence[Indicator],
    kpis: KpisByPeriod,
    year: int,
    *,
    generated: datetime,
    language: str = "zh-CN",
    project_names: Mapping[str, str] | None = None,
    satisfaction: SatisfactionAnalysis | None = None,
    audit: Audit | None = None,
    complaint_tickets: Sequence[Ticket] = (),
    improvements: Sequence[ImprovementItem] = (),
    timezone: str = "Asia/Shanghai",
) -> Report:
    """The management review input pack of ``year`` (§7.3.2.3) as a Report."""
    check_language(language)
    names = project_names or {}
    annual = annual_report(
        indicators, kpis, year, generated=generated, language=language, project_names=names,
        satisfaction=satisfaction, audit=audit, improvements=improvements, timezone=timezone,
    )  # fmt: skip
    parts = {section.key: section for section in annual.sections}
    on = min(generated.date(), date(year, 12, 31))
    sections = [
        Section(key="plan", title=_w(language, "plan"), paragraphs=(_w(language, "plan_prompt"),)),
        _retitled(parts["summary"], parts["indicators"], _w(language, "indicators"), "indicators"),
        _retitled(parts["satisfaction"], None, _w(language, "satisfaction"), "satisfaction"),
        Section(
            key="department",
            title=_w(language, "department"),
            paragraphs=(_w(language, "department_prompt"),),
        ),
        _audit_section(audit, on, generated, language),
        _complaints_section(complaint_tickets, names, language),
        improvements_section(improvements, on, language, _w(language, "improvements")),
    ]
    return quality_report(
        report_id=f"management-review-{year}",
        title=_w(language, "title", year=year),
        period=Period.year(year, timezone),
        sections=sections,
        generated=generated,
        language=language,
        purpose=_w(language, "purpose"),
        audience=_w(language, "audience"),
        scope=list(annual.figures["basic"]["scope"]),
        figures={"indicators": annual.figures["indicators"]},
    )


def record_review(
    pack: Report,
    *,
    review_id: str,
    held: date,
    participants: Sequence[str] = (),
    decisions: Sequence[str] = (),
    improvements: Sequence[ImprovementItem] = (),
) -> ManagementReview:
    """The review as held: its inputs (each pack section's title and first text), decisions and improvements."""
    inputs = {
        section.key: " ".join((section.title, *section.paragraphs[:1])) for section in pack.sections
    }
    return ManagementReview(
        id=review_id,
        held=held,
        participants=tuple(participants),
        inputs=inputs,
        decisions=tuple(decisions),
        improvements=tuple(improvements),
    )


def _retitled(first: Section, second: Section | None, title: str, key: str) -> Section:
    """One section with the paragraphs and tables of ``first`` (and ``second``)."""
    sections = [first, *([second] if second else [])]
    return Section(
        key=key,
        title=title,
        paragraphs=tuple(p for s in sections for p in s.paragraphs),
        tables=tuple(t for s in sections for t in s.tables),
        missing=first.missing,
    )


def _audit_section(audit: Audit | None, on: date, generated: datetime, language: str) -> Section:
    title = _w(language, "audit")
    if audit is None:
        return Section(key="audit", title=title, missing=_w(language, "audit_missing"))
    report = audit_report(audit, on=on, generated=generated)
    parts = {section.key: section for section in report.sections}
    return _retitled(parts["overview"], parts["findings"], title, "audit")


def _complaints_section(
    tickets: Sequence[Ticket], names: Mapping[str, str], language: str
) -> Section:
    title = _w(language, "complaints")
    if not tickets:
        return Section(key="complaints", title=title, paragraphs=(_w(language, "complaints_none"),))
    header = [_w(language, k) for k in ("id", "project", "opened", "resolved", "title_col")]
    rows = [
        (t.id, names.get(t.project or "", t.project or ""), day_text(t.opened),
         day_text(t.resolved), t.attributes.get("title", t.category or ""))
        for t in tickets
    ]  # fmt: skip
    return Section(
        key="complaints", title=title,
        paragraphs=(_w(language, "complaints_text", count=len(tickets)),),
        tables=(table(header, rows),),
    )  # fmt: skip

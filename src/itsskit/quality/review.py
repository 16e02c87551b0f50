"""Management review (seed 0403 §6.2.4, §7.3.2): the input pack and the recorded review.

§7.3.2.3 lists the inputs: the capability plan's implementation, the indicator
results, the satisfaction survey, the operations department's work, the internal
audit report, the complaints report and the continual improvement. Those the
data give are assembled; the others are left as visible prompts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

import attrs

from itsskit.improvements import RegisterItem
from itsskit.kpis.catalogue import KpiCatalogue
from itsskit.models import ImprovementItem, Indicator, ManagementReview, Report, Section, Ticket
from itsskit.periods import Period
from itsskit.quality.annual import KpisByPeriod, annual_report
from itsskit.quality.audit import Audit, audit_report
from itsskit.quality.common import check_language, day_text, quality_report, table
from itsskit.quality.files import InputFileError, load_checked
from itsskit.quality.surveys import SatisfactionAnalysis
from itsskit.times import DEFAULT_TIMEZONE
from itsskit.wording import Texts

__all__ = [
    "COMPLAINT_WORDS",
    "Decision",
    "ReviewFileError",
    "ReviewRecord",
    "complaints",
    "load_review_file",
    "record_review",
    "review_pack",
    "review_record",
    "review_report",
]

#: A ticket whose category or an attribute value is one of these is a complaint.
COMPLAINT_WORDS = frozenset({"投诉", "complaint"})
#: A ticket whose ``complaint`` column holds one of these is a complaint.
TRUE_WORDS = frozenset({"true", "yes", "1", "是"})


def _w(language: str, key: str, **values: object) -> str:
    return Texts(language)(f"q.review.{key}", **values)


def complaints(tickets: Iterable[Ticket], period: Period | None = None) -> list[Ticket]:
    """Complaints opened in ``period``: tickets whose category or an attribute value is
    投诉/complaint, or whose ``complaint`` column is true (true/yes/1/是)."""

    def is_complaint(ticket: Ticket) -> bool:
        flag = str(ticket.attributes.get("complaint", "")).strip().lower()
        values = [ticket.category or "", *ticket.attributes.values()]
        return flag in TRUE_WORDS or any(
            str(value).strip().lower() in COMPLAINT_WORDS for value in values
        )

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
    register: Sequence[RegisterItem] = (),
    catalogue: KpiCatalogue | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> Report:
    """The management review input pack of ``year`` (§7.3.2.3) as a Report.

    ``register``: the improvement register's items (continual improvement,
    causes and measures of missed indicators); ``improvements``: 0.1.0 items.
    """
    check_language(language)
    names = project_names or {}
    annual = annual_report(
        indicators, kpis, year, generated=generated, language=language, project_names=names,
        satisfaction=satisfaction, audit=audit, improvements=improvements, register=register,
        catalogue=catalogue, timezone=timezone, charts=False,
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
        _retitled(
            parts["improvements"], parts["missed"], _w(language, "improvements"), "improvements"
        ),
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


def complaint_breakdown(tickets: Sequence[Ticket]) -> dict[str, dict[str, int]]:
    """Complaint counts by project, service, category and month (opened), each sorted by key."""
    keys: dict[str, Callable[[Ticket], str]] = {
        "project": lambda t: t.project or "",
        "service": lambda t: t.service or "",
        "category": lambda t: t.category or "",
        "month": lambda t: t.opened.strftime("%Y-%m") if t.opened else "",
    }
    breakdown: dict[str, dict[str, int]] = {}
    for name, key in keys.items():
        counts: dict[str, int] = {}
        for ticket in tickets:
            counts[key(ticket)] = counts.get(key(ticket), 0) + 1
        breakdown[name] = dict(sorted(counts.items()))
    return breakdown


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
    breakdown = complaint_breakdown(tickets)
    by = [
        (_w(language, f"by.{dimension}"), names.get(key, key) or "—", count)
        for dimension, counts in breakdown.items()
        for key, count in counts.items()
    ]
    return Section(
        key="complaints", title=title,
        paragraphs=(_w(language, "complaints_text", count=len(tickets)),),
        tables=(
            table((_w(language, "dimension"), _w(language, "value"), _w(language, "count")), by),
            table(header, rows),
        ),
    )  # fmt: skip


# ------------------------------------------------------- the review as held


@attrs.frozen(kw_only=True)
class Decision:
    """A decision of the review: what, who carries it out, by when, its register item."""

    text: str
    owner: str = ""
    due: date | None = None
    item: str = ""

    def with_item(self, item_id: str) -> Decision:
        """The decision tied to its improvement register item."""
        return attrs.evolve(self, item=item_id)


@attrs.frozen(kw_only=True)
class ReviewRecord:
    """A management review as held (§7.3.2): chair, attendees, inputs, decisions, files."""

    id: str
    year: int
    held: date
    chair: str
    attendees: tuple[str, ...] = ()
    inputs: Mapping[str, str] = attrs.field(factory=dict)
    decisions: tuple[Decision, ...] = ()
    files: Mapping[str, str] = attrs.field(factory=dict)

    def with_decisions(self, decisions: Sequence[Decision]) -> ReviewRecord:
        """The record with these decisions."""
        return attrs.evolve(self, decisions=tuple(decisions))

    def with_files(self, files: Mapping[str, str]) -> ReviewRecord:
        """The record with the paths of its rendered files added."""
        return attrs.evolve(self, files={**self.files, **files})

    def as_management_review(self) -> ManagementReview:
        """The 0.1.0 :class:`ManagementReview` view of the record."""
        return ManagementReview(
            id=self.id, held=self.held, participants=(self.chair, *self.attendees),
            inputs=self.inputs, decisions=tuple(d.text for d in self.decisions),
            improvements=tuple(
                ImprovementItem(id=d.item, description=d.text, source="management-review",
                                owner=d.owner, due=d.due)
                for d in self.decisions if d.item
            ),
        )  # fmt: skip


@attrs.frozen(kw_only=True)
class _ReviewFile:
    held: date
    chair: str
    id: str = ""
    attendees: tuple[str, ...] = ()
    decisions: tuple[Decision, ...] = ()


class ReviewFileError(InputFileError):
    """A review file that cannot be used; ``errors`` holds one ``file: key: why`` each."""


def load_review_file(path: str | Path, year: int, pack: Report) -> ReviewRecord:
    """Read a review file (TOML: held, chair, attendees, [[decisions]] text/owner/due).

    The inputs are the pack's sections (title and first paragraph each).
    """

    def check(raw: _ReviewFile) -> list[str]:
        errors = []
        if not raw.chair.strip():
            errors.append("review.chair: expected the name of the chair, got an empty text")
        if raw.held.year not in (year, year + 1):
            errors.append(f"review.held: {raw.held} is not in {year} or early {year + 1}")
        return errors + [
            f"review.decisions[{index}].text: expected the decision, got an empty text"
            for index, decision in enumerate(raw.decisions)
            if not decision.text.strip()
        ]

    raw = load_checked(Path(path), _ReviewFile, "review", ReviewFileError, check)
    return review_record(
        pack, review_id=raw.id or f"management-review-{year}", year=year, held=raw.held,
        chair=raw.chair, attendees=raw.attendees, decisions=raw.decisions,
    )  # fmt: skip


def review_record(
    pack: Report,
    *,
    review_id: str,
    year: int,
    held: date,
    chair: str,
    attendees: Sequence[str] = (),
    decisions: Sequence[Decision] = (),
) -> ReviewRecord:
    """A review record whose inputs are the pack's sections (title and first paragraph each)."""
    inputs = {s.key: " ".join((s.title, *s.paragraphs[:1])) for s in pack.sections}
    return ReviewRecord(
        id=review_id, year=year, held=held, chair=chair, attendees=tuple(attendees),
        inputs=inputs, decisions=tuple(decisions),
    )  # fmt: skip


def review_report(
    record: ReviewRecord,
    pack: Report,
    *,
    generated: datetime,
    language: str = "zh-CN",
    statuses: Mapping[str, str] | None = None,
) -> Report:
    """The management review report (§7.3.2): attendees, inputs reviewed, decisions and actions.

    ``statuses`` maps a decision's register item id to its status text.
    """
    check_language(language)
    sep = "、" if language == "zh-CN" else ", "
    statuses = statuses or {}
    titles = {s.key: s.title for s in pack.sections}
    overview = Section(
        key="overview", title=_w(language, "record.overview"),
        paragraphs=(
            _w(language, "record.held", held=record.held.isoformat(), chair=record.chair),
            _w(language, "record.attendees", names=sep.join(record.attendees) or _w(language, "record.none")),
        ),
    )  # fmt: skip
    inputs = Section(
        key="inputs", title=_w(language, "record.inputs"),
        tables=(table((_w(language, "record.input"), _w(language, "record.summary")),
                      [(titles.get(key, key), text) for key, text in record.inputs.items()]),),
    )  # fmt: skip
    header = [
        _w(language, f"record.{key}")
        for key in ("number", "decision", "owner", "due", "item", "status")
    ]
    rows = [
        (index, d.text, d.owner, day_text(d.due), d.item, statuses.get(d.item, ""))
        for index, d in enumerate(record.decisions, start=1)
    ]
    decisions = (
        Section(key="decisions", title=_w(language, "record.decisions"), tables=(table(header, rows),))
        if rows
        else Section(key="decisions", title=_w(language, "record.decisions"),
                     paragraphs=(_w(language, "record.no_decisions"),))
    )  # fmt: skip
    return quality_report(
        report_id=f"{record.id}-report", title=_w(language, "record.title", year=record.year),
        period=Period.year(record.year), sections=[overview, inputs, decisions],
        generated=generated, language=language, purpose=_w(language, "record.purpose"),
        audience=_w(language, "audience"), author=record.chair,
        scope=list(pack.figures.get("basic", {}).get("scope", [])),
        figures={"review": {"held": record.held.isoformat(), "chair": record.chair,
                            "attendees": list(record.attendees),
                            "decisions": [d.text for d in record.decisions]}},
    )  # fmt: skip

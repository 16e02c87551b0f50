"""附录：数据质量说明: the records left out of the figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from itsskit.models import Section

if TYPE_CHECKING:
    from itsskit.report.builder import ReportContext

#: How many data-quality findings the appendix lists (all are counted).
MAX_FINDINGS = 20


def data_quality_section(context: ReportContext) -> Section:
    """附录：数据质量说明: how many records were left out, and the first :data:`MAX_FINDINGS`."""
    texts, findings = context.texts, context.findings
    calendar_note = _provisional_note(context)
    if not findings:
        return Section(
            key="data_quality",
            title=texts("title.quality"),
            paragraphs=(texts("dq.none"), *calendar_note),
        )
    header = (texts("dq.record"), texts("dq.reason"), texts("dq.source"))
    rows = [
        (
            f.record_id or (f"#{f.row}" if f.row is not None else texts.na),
            f.reason,
            f.source or texts("ind.none"),
        )
        for f in findings[:MAX_FINDINGS]
    ]
    paragraphs = [texts("dq.count", count=len(findings))]
    if len(findings) > MAX_FINDINGS:
        paragraphs.append(texts("nc.more", count=len(findings) - MAX_FINDINGS))
    paragraphs += calendar_note
    return Section(
        key="data_quality",
        title=texts("title.quality"),
        paragraphs=tuple(paragraphs),
        tables=((header, *rows),),
    )


def _provisional_note(context: ReportContext) -> tuple[str, ...]:
    """The note that figures rest on a provisional holiday schedule (none when all official)."""
    years = context.provisional_years
    if not years:
        return ()
    texts = context.texts
    return (texts("dq.provisional", years=texts.join([str(year) for year in years])),)

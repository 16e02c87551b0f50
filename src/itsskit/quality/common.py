"""Shared pieces of the quality reports: wording (zh-CN / en), formatting, the Report factory.

Every quality document (annual quality report, satisfaction report, audit
report, management review pack) is an :class:`itsskit.models.Report`, so the
built-in renderers (docx, HTML, Markdown, JSON) render it unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from itsskit.kpis import KpiResult, format_value
from itsskit.kpis.catalogue import KpiCatalogue, builtin_catalogue
from itsskit.kpis.results import Unit
from itsskit.models import LANGUAGES, Report, ReportSpec, Section
from itsskit.periods import Period
from itsskit.wording import Texts

__all__ = [
    "COMPANY",
    "LANGUAGES",
    "Row",
    "Table",
    "day_text",
    "kpi_label",
    "quality_report",
    "table",
    "text",
    "value_text",
]

#: The scope name of company-level figures (beside the project ids).
COMPANY = "company"

Row = tuple[str, ...]
Table = tuple[Row, ...]


def check_language(language: str) -> str:
    """``language`` if supported, else a ValueError naming the supported ones."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r} (known: {', '.join(LANGUAGES)})")
    return language


def text(language: str, key: str, **values: Any) -> str:
    """The shared quality wording ``q.<key>`` in ``language``, formatted with ``values``."""
    return Texts(check_language(language))(f"q.{key}", **values)


def kpi_label(name: str, language: str, catalogue: KpiCatalogue | None = None) -> str:
    """The display name of a KPI of ``catalogue`` (default: built in); the name if unknown."""
    catalogue = catalogue if catalogue is not None else builtin_catalogue()
    language = check_language(language)
    return catalogue.label(name, language)


def value_text(value: float | None, unit: Unit, language: str) -> str:
    """A KPI-style value in its unit (``96.90 %``, ``1h30m``, ``4.41``), or n/a."""
    if value is None:
        return text(language, "na")
    return format_value(KpiResult(name="", value=value, unit=unit))


def day_text(day: date | datetime | None) -> str:
    """ISO date text, empty for None."""
    if day is None:
        return ""
    return (day.date() if isinstance(day, datetime) else day).isoformat()


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> Table:
    """A Section table: the header row then the rows, every cell as text."""
    return (tuple(header), *(tuple(str(cell) for cell in row) for row in rows))


def quality_report(
    *,
    report_id: str,
    title: str,
    period: Period,
    sections: Sequence[Section],
    generated: datetime,
    language: str,
    purpose: str = "",
    scope: Sequence[str] = (),
    audience: str = "",
    author: str = "",
    figures: Mapping[str, Any] | None = None,
) -> Report:
    """A company-level quality document as a :class:`Report` (project ``company``)."""
    spec = ReportSpec(
        id=report_id,
        project=COMPANY,
        title=title,
        department=text(language, "department"),
        period={"year": "yearly", "quarter": "quarterly", "month": "monthly"}.get(
            period.kind, "custom"
        ),
        author=author,
        audience=audience,
        purpose=purpose,
        language=language,
    )
    basic = {"project_name": text(language, "company"), "scope": list(scope)}
    return Report(
        id=report_id,
        project=COMPANY,
        spec=spec,
        period_label=period.label,
        period_start=period.start,
        period_end=period.end,
        generated=generated,
        language=language,
        sections=tuple(sections),
        figures={"basic": basic, **(figures or {})},
    )

"""The built-in report sections (SPEC §5; seeds 0602 §4.1/4.3 and 001 step 1).

Each section is a function ``(ReportContext) -> Section``, in a module per group
of sections; :data:`BUILTIN_SECTIONS` gives their order (10, 20 ... 120; a
plugin's :class:`~itsskit.contracts.SectionBuilder` with the default ``order``
1000 comes after them, before the data-quality appendix). All wording comes
from :mod:`itsskit.report.texts`, all numbers go through
:class:`~itsskit.report.texts.Texts`, so every output format shows the same text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from itsskit.models import Section
from itsskit.report.sections.appendix import MAX_FINDINGS, data_quality_section
from itsskit.report.sections.common import PRIORITIES, Row, Table
from itsskit.report.sections.incidents import major_incidents, major_section
from itsskit.report.sections.indicators import (
    ALWAYS_SHOWN,
    INDICATORS,
    abnormal_indicators,
    indicator_rows,
    indicator_status,
    indicators_section,
    shown_indicators,
    standard_text,
    target_text,
    value_text,
)
from itsskit.report.sections.overview import basic_info, basic_section, summary_section
from itsskit.report.sections.performance import (
    breach_rows,
    nonconformities_section,
    open_breaches,
    period_breaches,
    security_incidents,
    targets_section,
)
from itsskit.report.sections.plans import improvements_section, plan_section
from itsskit.report.sections.satisfaction import satisfaction_section
from itsskit.report.sections.trends import TREND_KPIS, trend_rows, trends_section
from itsskit.report.sections.work import (
    ASSIGNEE_ATTRIBUTES,
    volume_counts,
    work_section,
    working_days,
    workload_section,
)

if TYPE_CHECKING:
    from itsskit.report.builder import ReportContext

__all__ = [
    "ALWAYS_SHOWN",
    "ASSIGNEE_ATTRIBUTES",
    "BUILTIN_SECTIONS",
    "INDICATORS",
    "MAX_FINDINGS",
    "PRIORITIES",
    "TREND_KPIS",
    "Row",
    "Table",
    "abnormal_indicators",
    "basic_info",
    "basic_section",
    "breach_rows",
    "data_quality_section",
    "improvements_section",
    "indicator_rows",
    "indicator_status",
    "indicators_section",
    "major_incidents",
    "major_section",
    "nonconformities_section",
    "open_breaches",
    "period_breaches",
    "plan_section",
    "satisfaction_section",
    "section_figures",
    "security_incidents",
    "shown_indicators",
    "standard_text",
    "summary_section",
    "target_text",
    "targets_section",
    "trend_rows",
    "trends_section",
    "value_text",
    "volume_counts",
    "work_section",
    "working_days",
    "workload_section",
]

BUILTIN_SECTIONS: tuple[tuple[int, Callable[[ReportContext], Section]], ...] = (
    (10, basic_section),
    (20, summary_section),
    (30, indicators_section),
    (40, work_section),
    (50, targets_section),
    (60, nonconformities_section),
    (70, workload_section),
    (80, major_section),
    (90, trends_section),
    (100, satisfaction_section),
    (110, improvements_section),
    (120, plan_section),
)


def section_figures(context: ReportContext) -> dict[str, Any]:
    """The computed tables of the report as plain data, for ``report.figures`` and templates."""
    return {
        "indicators": indicator_rows(context),
        "abnormal": abnormal_indicators(context),
        "volumes": volume_counts(context),
        "breaches": breach_rows(period_breaches(context), context),
        "open_breaches": breach_rows(open_breaches(context), context),
        "security_incidents": [t.id for t in security_incidents(context)],
        "major_incidents": sorted(t.id for t in major_incidents(context)),
        "trends": trend_rows(context),
        "findings_count": len(context.findings),
    }

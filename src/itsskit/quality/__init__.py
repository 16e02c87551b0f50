"""Quality management (SPEC §6, seed 0403): indicators, surveys, internal audit, review.

- :mod:`~itsskit.quality.indicators`: the indicator system, evaluated per period.
- :mod:`~itsskit.quality.annual`: the annual quality report (组织级质量年报).
- :mod:`~itsskit.quality.surveys`: satisfaction analysis and report.
- :mod:`~itsskit.quality.audit`: the §8 checklist, answers, findings, actions, report.
- :mod:`~itsskit.quality.review`: the management review pack and record.

Every document is an :class:`itsskit.models.Report`; render it with any renderer.
"""

from __future__ import annotations

from itsskit.quality.annual import annual_report, improvement_status, year_results
from itsskit.quality.audit import (
    AUDIT_MONTH,
    Audit,
    AuditEntry,
    AuditFileError,
    action_status,
    audit_report,
    audit_toml,
    finding_status,
    generate_checklist,
    load_audit,
)
from itsskit.quality.common import COMPANY
from itsskit.quality.indicators import (
    BUILTIN_INDICATORS,
    IndicatorResult,
    evaluate_indicators,
    indicator_system,
    kpis_by_period,
    make_indicator,
    year_labels,
)
from itsskit.quality.review import complaints, record_review, review_pack
from itsskit.quality.surveys import (
    SatisfactionAnalysis,
    SurveyStats,
    analyse_satisfaction,
    callback_due,
    satisfaction_report,
)

__all__ = [
    "AUDIT_MONTH",
    "BUILTIN_INDICATORS",
    "COMPANY",
    "Audit",
    "AuditEntry",
    "AuditFileError",
    "IndicatorResult",
    "SatisfactionAnalysis",
    "SurveyStats",
    "action_status",
    "analyse_satisfaction",
    "annual_report",
    "audit_report",
    "audit_toml",
    "callback_due",
    "complaints",
    "evaluate_indicators",
    "finding_status",
    "generate_checklist",
    "improvement_status",
    "indicator_system",
    "kpis_by_period",
    "load_audit",
    "make_indicator",
    "record_review",
    "review_pack",
    "satisfaction_report",
    "year_labels",
    "year_results",
]

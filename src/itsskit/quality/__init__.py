"""Quality management (SPEC §6, seed 0403): indicators, surveys, internal audit, review.

- :mod:`~itsskit.quality.indicators`: the indicator system, evaluated per period.
- :mod:`~itsskit.quality.annual`: the annual quality report (组织级质量年报).
- :mod:`~itsskit.quality.surveys`: satisfaction analysis and report.
- :mod:`~itsskit.quality.audit`: the §8 checklist, answers, findings, actions, report.
- :mod:`~itsskit.quality.review`: the management review pack, record and report.
- :mod:`~itsskit.quality.prefill`: audit checkpoints answered from the data.
- :mod:`~itsskit.quality.store`: audits and reviews in the register database.
- :mod:`~itsskit.quality.service`: the ``itsskit quality`` commands as library calls.

The one improvement register is :mod:`itsskit.improvements` (rules) and
:mod:`itsskit.improvement_store` (persistence).

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
from itsskit.quality.prefill import prefill
from itsskit.quality.review import (
    Decision,
    ReviewRecord,
    complaint_breakdown,
    complaints,
    load_review_file,
    record_review,
    review_pack,
    review_record,
    review_report,
)
from itsskit.quality.surveys import (
    SatisfactionAnalysis,
    SurveyStats,
    analyse_satisfaction,
    callback_due,
    callback_worklist,
    satisfaction_report,
)

__all__ = [
    "AUDIT_MONTH",
    "BUILTIN_INDICATORS",
    "COMPANY",
    "Audit",
    "AuditEntry",
    "AuditFileError",
    "Decision",
    "IndicatorResult",
    "ReviewRecord",
    "SatisfactionAnalysis",
    "SurveyStats",
    "action_status",
    "analyse_satisfaction",
    "annual_report",
    "audit_report",
    "audit_toml",
    "callback_due",
    "callback_worklist",
    "complaint_breakdown",
    "complaints",
    "evaluate_indicators",
    "finding_status",
    "generate_checklist",
    "improvement_status",
    "indicator_system",
    "kpis_by_period",
    "load_audit",
    "load_review_file",
    "make_indicator",
    "prefill",
    "record_review",
    "review_pack",
    "review_record",
    "review_report",
    "satisfaction_report",
    "year_labels",
    "year_results",
]

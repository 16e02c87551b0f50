"""KPIs of the ITSS process documents (SPEC §4): pure functions of records and clocks.

Every function returns a :class:`KpiResult`; a rate over an empty set is *not
applicable* (``value is None``), never 0 or 100 %. :func:`project_kpis` and
:func:`company_kpis` compute the whole bundle; see ``docs/kpis.md`` for every
formula and its source in the seeds.
"""

from __future__ import annotations

from itsskit.kpis.attainment import (
    DEFAULT_ATTAINMENT_TARGET,
    company_attainment,
    evaluation_instant,
    metric_attainment,
    open_breaches,
    project_attainment,
    project_attainments,
)
from itsskit.kpis.availability import (
    Failure,
    ServiceTime,
    availability,
    downtime_seconds,
    failure_count,
    failure_frequency,
    longest_failure_seconds,
    merge_intervals,
    mtbf,
    mttr,
    planned_intervals,
    service_time,
    unplanned_intervals,
)
from itsskit.kpis.bundle import KPI_NAMES, company_kpis, kpi_inputs, period_sla, project_kpis
from itsskit.kpis.catalogue import BUILTIN_KPIS, KpiCatalogue, KpiDescriptor, KpiInputs
from itsskit.kpis.ontime import REPORT_ON_TIME_TARGET, report_on_time
from itsskit.kpis.results import (
    DEFAULT_MARGIN,
    KpiResult,
    format_value,
    make_result,
    ratio,
    status_for,
)
from itsskit.kpis.satisfaction import (
    CALLBACK_WINDOW,
    SATISFIED_SCORE,
    callback_coverage,
    satisfaction_mean,
    satisfied_share,
)
from itsskit.kpis.trends import Trend, change, slope, trend, values_of

__all__ = [
    "BUILTIN_KPIS",
    "CALLBACK_WINDOW",
    "DEFAULT_ATTAINMENT_TARGET",
    "DEFAULT_MARGIN",
    "KPI_NAMES",
    "REPORT_ON_TIME_TARGET",
    "SATISFIED_SCORE",
    "Failure",
    "KpiCatalogue",
    "KpiDescriptor",
    "KpiInputs",
    "KpiResult",
    "ServiceTime",
    "Trend",
    "availability",
    "callback_coverage",
    "change",
    "company_attainment",
    "company_kpis",
    "downtime_seconds",
    "evaluation_instant",
    "failure_count",
    "failure_frequency",
    "kpi_inputs",
    "format_value",
    "longest_failure_seconds",
    "make_result",
    "merge_intervals",
    "metric_attainment",
    "mtbf",
    "mttr",
    "open_breaches",
    "period_sla",
    "planned_intervals",
    "project_attainment",
    "project_attainments",
    "project_kpis",
    "ratio",
    "report_on_time",
    "satisfaction_mean",
    "satisfied_share",
    "service_time",
    "slope",
    "status_for",
    "trend",
    "unplanned_intervals",
    "values_of",
]

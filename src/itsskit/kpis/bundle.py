"""The whole KPI bundle of a project, and of the company, for one period.

The single entry point for reports and the CLI: :func:`project_kpis` evaluates
the clocks and computes every KPI of SPEC §4; :func:`company_kpis` combines the
bundles of several projects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

import attrs

from itsskit.calendar import BusinessCalendar
from itsskit.clocks import default_calendar_for, evaluate_table
from itsskit.kpis.attainment import (
    DEFAULT_ATTAINMENT_TARGET,
    breach_order,
    company_attainment,
    evaluation_instant,
    metric_attainment,
    project_attainment,
)
from itsskit.kpis.availability import (
    availability,
    downtime_seconds,
    failure_count,
    failure_frequency,
    longest_failure_seconds,
    mtbf,
    mttr,
    service_time,
)
from itsskit.kpis.ontime import REPORT_ON_TIME_TARGET, report_on_time
from itsskit.kpis.results import DEFAULT_MARGIN, KpiResult, make_result, ratio, status_for
from itsskit.kpis.satisfaction import callback_coverage, satisfaction_mean, satisfied_share
from itsskit.models import SLA, CalendarSpec, Metric, Project, RecordSet
from itsskit.periods import Period

__all__ = ["KPI_NAMES", "company_kpis", "period_sla", "project_kpis"]

CalendarFor = Callable[[CalendarSpec], BusinessCalendar]

#: The KPIs of a project bundle, in display order.
KPI_NAMES: tuple[str, ...] = (
    "sla_attainment",
    "response_attainment",
    "resolution_attainment",
    "turnaround_attainment",
    "open_breaches",
    "availability",
    "failure_count",
    "failure_frequency",
    "downtime_seconds",
    "longest_failure_seconds",
    "mttr_seconds",
    "mtbf_seconds",
    "satisfaction_mean",
    "satisfied_share",
    "callback_coverage",
    "report_on_time",
)


def period_sla(project: Project, period: Period) -> SLA | None:
    """The SLA version whose service hours and limits apply to ``period``.

    The version in force on the period's first day, else the first version in
    force on any day of the period, else None.
    """
    if sla := project.sla_for(period.start):
        return sla
    first, last = period.start.date(), period.end.date()
    for sla in project.slas:
        starts_before_end = sla.effective_from is None or sla.effective_from < last
        ends_after_start = sla.effective_to is None or sla.effective_to > first
        if starts_before_end and ends_after_start:
            return sla
    return None


def project_kpis(
    records: RecordSet,
    project: Project,
    period: Period,
    at: datetime,
    calendar_for: CalendarFor | None = None,
    *,
    attainment_target: float = DEFAULT_ATTAINMENT_TARGET,
    targets: Mapping[str, float | None] | None = None,
    margin: float = DEFAULT_MARGIN,
    margins: Mapping[str, float] | None = None,
) -> dict[str, KpiResult]:
    """Every KPI of ``project`` for ``period``, keyed by name (see :data:`KPI_NAMES`).

    Clocks are evaluated at ``min(at, period.end)``; outages still open run until
    that instant too. Targets: ``attainment_target`` for the attainment rates,
    the SLA's ``availability``, ``max_failures`` and ``max_failure_seconds``,
    95 % for report punctuality, none for satisfaction; ``targets`` overrides any
    of them by KPI name. The at-risk margin is ``margin`` for ratio KPIs and 0
    otherwise; ``margins`` overrides it by KPI name.
    """
    calendar_for = calendar_for or default_calendar_for
    instant = evaluation_instant(period, at)
    table, findings = evaluate_table(records.tickets, project, instant, calendar_for)
    sla = period_sla(project, period)
    calendar = calendar_for(sla.calendar) if sla else BusinessCalendar.always(project.timezone)
    services = sorted(set(project.services) | {outage.service for outage in records.outages})
    times = [
        service_time(service, records.outages, records.changes, calendar, period, instant)
        for service in services
    ]
    metrics = [
        metric_attainment(table, metric, period, target=attainment_target)
        for metric in (Metric.RESPONSE, Metric.RESOLUTION, Metric.TURNAROUND)
    ]
    # open_breaches(table), from the metrics' lists (every open breach is one metric's)
    breaches = sorted(
        (breach for result in metrics for breach in result.details["open_breaches"]),
        key=breach_order,
    )
    excluded = {"excluded_tickets": len(findings)}
    unusable = {finding.record_id for finding in findings}
    measured = [ticket for ticket in records.tickets if ticket.id not in unusable]
    results = [
        attrs.evolve(
            project_attainment(table, period, target=attainment_target),
            details=excluded,
        ),
        *metrics,
        make_result(
            "open_breaches",
            len(breaches),
            unit="count",
            comparison="<=",
            numerator=len(breaches),
            details={"open_breaches": breaches},
        ),
        availability(times, target=sla.availability if sla else None),
        failure_count(times, target=sla.max_failures if sla else None),
        failure_frequency(times, period),
        downtime_seconds(times),
        longest_failure_seconds(times, target=sla.max_failure_seconds if sla else None),
        mttr(times),
        mtbf(times),
        satisfaction_mean(records.surveys, period),
        satisfied_share(records.surveys, period),
        callback_coverage(measured, period, records.surveys),
        report_on_time(records.submissions, period, at, target=REPORT_ON_TIME_TARGET),
    ]
    return {
        result.name: _retarget(result, targets or {}, margin, margins or {}) for result in results
    }


def company_kpis(
    per_project: Mapping[str, Mapping[str, KpiResult]],
    *,
    margin: float = DEFAULT_MARGIN,
    margins: Mapping[str, float] | None = None,
) -> dict[str, KpiResult]:
    """The company's KPIs from the projects' bundles.

    ``sla_attainment`` is the plain mean of the applicable project rates (seed
    0601 §7). Other KPIs pool the projects: Σ numerator / Σ denominator where
    the KPI has a denominator (rates, means, MTTR, MTBF), the maximum for
    ``longest_failure_seconds``, the sum otherwise (counts, downtime). A
    target shared by every project is kept; differing targets give none.
    ``details["projects"]`` maps each project to its value.
    """
    names = list(dict.fromkeys(name for bundle in per_project.values() for name in bundle))
    results = []
    for name in names:
        parts = {pid: bundle[name] for pid, bundle in sorted(per_project.items()) if name in bundle}
        targets = {part.target for part in parts.values()}
        target = targets.pop() if len(targets) == 1 else None
        if name == "sla_attainment":
            result = company_attainment(parts, target=target)
        else:
            result = attrs.evolve(_pool(name, list(parts.values())), target=target)
            result = attrs.evolve(
                result, details={"projects": {p: r.value for p, r in parts.items()}}
            )
        results.append(_retarget(result, {}, margin, margins or {}))
    return {result.name: result for result in results}


def _pool(name: str, parts: list[KpiResult]) -> KpiResult:
    first = parts[0]
    if name == "longest_failure_seconds":
        value = max((p.value for p in parts if p.value is not None), default=None)
        return attrs.evolve(first, value=value, numerator=value, denominator=None)
    if any(p.denominator is not None for p in parts):
        numerator = sum(p.numerator or 0.0 for p in parts)
        denominator = sum(p.denominator or 0.0 for p in parts)
        return attrs.evolve(
            first,
            value=ratio(numerator, denominator),
            numerator=numerator,
            denominator=denominator,
        )
    total = sum(p.value or 0.0 for p in parts)
    return attrs.evolve(first, value=total, numerator=total, denominator=None)


def _retarget(
    result: KpiResult,
    targets: Mapping[str, float | None],
    margin: float,
    margins: Mapping[str, float],
) -> KpiResult:
    """Apply target overrides and the margin rule, and recompute the status."""
    target = targets.get(result.name, result.target)
    default = _default_margin(result, target, margin)
    status = status_for(result.value, target, result.comparison, margins.get(result.name, default))
    return attrs.evolve(result, target=target, status=status)


def _default_margin(result: KpiResult, target: float | None, margin: float) -> float:
    """The at-risk margin of a KPI with no explicit one.

    Ratios get ``margin``, but never more than half the headroom above a ``>=``
    target, so a 99.5 % availability target is at risk below 99.75 %, not always.
    """
    if result.unit != "ratio":
        return 0.0
    if target is not None and result.comparison == ">=":
        return min(margin, (1.0 - target) / 2)
    return margin

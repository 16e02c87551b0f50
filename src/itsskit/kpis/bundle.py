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
from itsskit.clocks import cached_calendars, evaluate_table
from itsskit.kpis.attainment import DEFAULT_ATTAINMENT_TARGET, evaluation_instant
from itsskit.kpis.availability import service_time
from itsskit.kpis.catalogue import BUILTIN_KPIS, KpiCatalogue, KpiInputs, builtin_catalogue, pool
from itsskit.kpis.results import DEFAULT_MARGIN, KpiResult, status_for
from itsskit.models import SLA, CalendarSpec, Project, RecordSet
from itsskit.periods import Period

__all__ = ["KPI_NAMES", "company_kpis", "kpi_inputs", "kpis_of", "period_sla", "project_kpis"]

CalendarFor = Callable[[CalendarSpec], BusinessCalendar]

#: The built-in KPIs of a project bundle, in display order (see :data:`BUILTIN_KPIS`).
KPI_NAMES: tuple[str, ...] = tuple(descriptor.name for descriptor in BUILTIN_KPIS)


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


def kpi_inputs(
    records: RecordSet,
    project: Project,
    period: Period,
    at: datetime,
    calendar_for: CalendarFor | None = None,
    *,
    attainment_target: float = DEFAULT_ATTAINMENT_TARGET,
) -> KpiInputs:
    """Evaluate what every KPI of ``project`` for ``period`` is computed from.

    Clocks are evaluated at ``min(at, period.end)``; outages still open run until
    that instant too.
    """
    calendar_for = cached_calendars(calendar_for)
    instant = evaluation_instant(period, at)
    table, findings = evaluate_table(records.tickets, project, instant, calendar_for)
    sla = period_sla(project, period)
    calendar = calendar_for(sla.calendar) if sla else BusinessCalendar.always(project.timezone)
    services = sorted(set(project.services) | {outage.service for outage in records.outages})
    unusable = {finding.record_id for finding in findings}
    return KpiInputs(
        records=records,
        project=project,
        period=period,
        at=at,
        instant=instant,
        clocks=table,
        excluded_tickets=len(findings),
        measured=tuple(ticket for ticket in records.tickets if ticket.id not in unusable),
        sla=sla,
        calendar=calendar,
        service_times=tuple(
            service_time(service, records.outages, records.changes, calendar, period, instant)
            for service in services
        ),
        attainment_target=attainment_target,
    )


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
    catalogue: KpiCatalogue | None = None,
) -> dict[str, KpiResult]:
    """Every KPI of ``catalogue`` for ``project`` and ``period``, keyed by name, in order.

    ``catalogue`` defaults to the built-in KPIs (:data:`KPI_NAMES`); pass
    ``host.kpis()`` to include the plugins' KPIs. Clocks are evaluated at
    ``min(at, period.end)``; outages still open run until that instant too.
    Targets: ``attainment_target`` for the attainment rates, the SLA's
    ``availability``, ``max_failures`` and ``max_failure_seconds``, 95 % for
    report punctuality, none for satisfaction; ``targets`` overrides any of them
    by KPI name. The at-risk margin is ``margin`` for ratio KPIs and 0
    otherwise; ``margins`` overrides it by KPI name.
    """
    inputs = kpi_inputs(
        records, project, period, at, calendar_for, attainment_target=attainment_target
    )
    return kpis_of(inputs, targets=targets, margin=margin, margins=margins, catalogue=catalogue)


def kpis_of(
    inputs: KpiInputs,
    *,
    targets: Mapping[str, float | None] | None = None,
    margin: float = DEFAULT_MARGIN,
    margins: Mapping[str, float] | None = None,
    catalogue: KpiCatalogue | None = None,
) -> dict[str, KpiResult]:
    """Every KPI of ``catalogue`` computed from ``inputs`` (see :func:`project_kpis`)."""
    results = {}
    for descriptor in catalogue if catalogue is not None else builtin_catalogue():
        computed = descriptor.compute(inputs)
        if not isinstance(computed, KpiResult):
            raise TypeError(
                f"KPI {descriptor.name!r}: compute returned {type(computed).__name__}, "
                "expected a KpiResult"
            )
        result = attrs.evolve(
            computed, name=descriptor.name, unit=descriptor.unit, comparison=descriptor.comparison
        )
        results[descriptor.name] = _retarget(result, targets or {}, margin, margins or {})
    return results


def company_kpis(
    per_project: Mapping[str, Mapping[str, KpiResult]],
    *,
    margin: float = DEFAULT_MARGIN,
    margins: Mapping[str, float] | None = None,
    catalogue: KpiCatalogue | None = None,
) -> dict[str, KpiResult]:
    """The company's KPIs from the projects' bundles.

    Each KPI pools as its descriptor says (:func:`itsskit.kpis.catalogue.pool`):
    ``sla_attainment`` is the plain mean of the applicable project rates (seed
    0601 §7); rates, means, MTTR and MTBF are Σ numerator / Σ denominator;
    ``longest_failure_seconds`` the maximum; counts and downtime the sum. A
    target shared by every project is kept; differing targets give none.
    ``details["projects"]`` maps each project to its value.
    """
    catalogue = catalogue if catalogue is not None else builtin_catalogue()
    names = list(dict.fromkeys(name for bundle in per_project.values() for name in bundle))
    results = []
    for name in names:
        parts = {pid: bundle[name] for pid, bundle in sorted(per_project.items()) if name in bundle}
        targets = {part.target for part in parts.values()}
        target = targets.pop() if len(targets) == 1 else None
        descriptor = catalogue.get(name) if name in catalogue else None
        result = attrs.evolve(
            pool(descriptor, list(parts.values())),
            target=target,
            details={"projects": {pid: part.value for pid, part in parts.items()}},
        )
        results.append(_retarget(result, {}, margin, margins or {}))
    return {result.name: result for result in results}


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

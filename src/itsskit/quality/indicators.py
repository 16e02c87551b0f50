"""The indicator system (seed 0403 §6.2.1, §7.2): indicators evaluated per period.

An :class:`~itsskit.models.Indicator` names the KPI that computes it in its
``formula`` (the name of a KPI of the catalogue, :mod:`itsskit.kpis.catalogue`,
built in or a plugin's; the formulas are in ``docs/kpis.md``), a target, a comparison and its assessment period (monthly,
quarterly or yearly). :data:`BUILTIN_INDICATORS` are the seeds' KPIs; a config
``[indicators.NAME]`` table adds one or replaces the built-in of the same name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

import attrs

from itsskit.calendar import BusinessCalendar
from itsskit.kpis import KpiResult, company_kpis, project_kpis, status_for
from itsskit.kpis.catalogue import KpiCatalogue, builtin_catalogue
from itsskit.kpis.results import Status, Unit
from itsskit.models import CalendarSpec, Indicator, Project, RecordSet
from itsskit.periods import Period
from itsskit.quality.common import COMPANY

__all__ = [
    "BUILTIN_INDICATORS",
    "KPI_UNITS",
    "PERIOD_KINDS",
    "IndicatorResult",
    "evaluate_indicators",
    "indicator_system",
    "indicator_unit",
    "kpis_by_period",
    "make_indicator",
    "target_for",
    "year_labels",
]

#: Assessment period of an indicator -> the :class:`Period` kind it is assessed on.
PERIOD_KINDS: Mapping[str, str] = {"monthly": "month", "quarterly": "quarter", "yearly": "year"}

#: The unit of each built-in KPI (from the KPI catalogue).
KPI_UNITS: Mapping[str, Unit] = {d.name: d.unit for d in builtin_catalogue()}

#: The seeds' KPIs with their targets (0601 §7, 0602 §6 / 001 §8) and company defaults:
#: (KPI, target, assessment period, owner); each indicator's unit is its KPI's.
_BUILTIN_TARGETS: tuple[tuple[str, float, str, str], ...] = (
    ("sla_attainment", 0.95, "yearly", "质量部"),
    ("report_on_time", 0.95, "quarterly", "服务报告经理"),
    ("response_attainment", 0.95, "monthly", "运维部"),
    ("resolution_attainment", 0.95, "monthly", "运维部"),
    ("availability", 0.995, "monthly", "运维部"),
    ("callback_coverage", 0.95, "monthly", "服务台"),
    ("satisfied_share", 0.90, "yearly", "质量部"),
    ("satisfaction_mean", 4.0, "yearly", "质量部"),
)
BUILTIN_INDICATORS: tuple[Indicator, ...] = tuple(
    Indicator(name=kpi, formula=kpi, target=target, period=period, owner=owner, unit=KPI_UNITS[kpi])
    for kpi, target, period, owner in _BUILTIN_TARGETS
)


@attrs.frozen(kw_only=True)
class IndicatorResult:
    """One indicator for one scope (a project id or ``company``) and one period.

    ``assessed`` is True when the period is of the indicator's own assessment
    kind (a monthly indicator on a month); other periods are informative.
    """

    indicator: Indicator
    scope: str
    period: str
    value: float | None
    status: Status
    assessed: bool
    numerator: float | None = None
    denominator: float | None = None


def make_indicator(
    name: str,
    *,
    kpi: str,
    target: float,
    comparison: str = ">=",
    period: str = "monthly",
    owner: str = "",
    label: str = "",
    unit_label: str = "",
    project_targets: Mapping[str, float] | None = None,
    catalogue: KpiCatalogue | None = None,
) -> Indicator:
    """An indicator computed by the KPI ``kpi`` of ``catalogue`` (default: the built-in KPIs).

    ``label`` and ``unit_label`` are shown in the quality documents; ``project_targets``
    maps a project id to its contract's target where it differs from ``target``.
    A ValueError names a bad KPI or period.
    """
    catalogue = catalogue if catalogue is not None else builtin_catalogue()
    if kpi not in catalogue:
        raise ValueError(f"unknown KPI {kpi!r} (known: {', '.join(catalogue.names())})")
    if period not in PERIOD_KINDS:
        raise ValueError(f"unknown period {period!r} (expected one of: {', '.join(PERIOD_KINDS)})")
    return Indicator(
        name=name,
        formula=kpi,
        target=target,
        comparison=comparison,
        period=period,
        owner=owner,
        unit=catalogue.get(kpi).unit,
        label=label,
        unit_label=unit_label,
        project_targets=dict(project_targets or {}),
    )


def indicator_unit(indicator: Indicator) -> Unit:
    """The unit an indicator's values are shown in: its built-in KPI's, else its own."""
    unit = KPI_UNITS.get(indicator.formula, indicator.unit)
    assert unit in ("ratio", "seconds", "count", "score"), unit
    return unit  # type: ignore[return-value]


def target_for(indicator: Indicator, scope: str | None) -> float:
    """The target of ``indicator`` for a project (its contract's, if set), else the company's."""
    return indicator.project_targets.get(scope or "", indicator.target)


def indicator_system(configured: Iterable[Indicator] = ()) -> tuple[Indicator, ...]:
    """The built-in indicators, each replaced by a configured one of the same name, then the rest."""
    mine = {indicator.name: indicator for indicator in configured}
    builtin = tuple(mine.pop(i.name, i) for i in BUILTIN_INDICATORS)
    return builtin + tuple(mine.values())


def evaluate_indicators(
    indicators: Iterable[Indicator],
    kpi_results_by_project: Mapping[str, Mapping[str, KpiResult]],
    period: Period,
    catalogue: KpiCatalogue | None = None,
) -> list[IndicatorResult]:
    """Every indicator for each project (sorted) and the company, for ``period``.

    ``kpi_results_by_project`` maps a project id to its KPI bundle for
    ``period`` (:func:`itsskit.kpis.project_kpis`); the company's figures are
    :func:`itsskit.kpis.company_kpis` of them. Status is the value against the
    indicator's own target, a project's contract target where
    ``indicator.project_targets`` names one (met / missed, ``not_applicable`` without a value).
    ``catalogue`` says how plugin KPIs pool (default: the built-in KPIs).
    """
    bundles = {pid: kpi_results_by_project[pid] for pid in sorted(kpi_results_by_project)}
    if bundles:
        bundles[COMPANY] = company_kpis(bundles, catalogue=catalogue)
    results = []
    for indicator in indicators:
        assessed = PERIOD_KINDS.get(indicator.period) == period.kind
        for scope, bundle in bundles.items():
            kpi = bundle.get(indicator.formula)
            value = None if kpi is None else kpi.value
            results.append(
                IndicatorResult(
                    indicator=indicator,
                    scope=scope,
                    period=period.label,
                    value=value,
                    status=status_for(value, target_for(indicator, scope), indicator.comparison),  # type: ignore[arg-type]
                    assessed=assessed,
                    numerator=None if kpi is None else kpi.numerator,
                    denominator=None if kpi is None else kpi.denominator,
                )
            )
    return results


def year_labels(year: int) -> list[str]:
    """The year, its quarters and its months: ``["2025", "2025-Q1", …, "2025-01", …]``."""
    quarters = [f"{year}-Q{quarter}" for quarter in range(1, 5)]
    months = [f"{year}-{month:02d}" for month in range(1, 13)]
    return [str(year), *quarters, *months]


def kpis_by_period(
    records: Mapping[str, RecordSet],
    projects: Mapping[str, Project],
    labels: Sequence[str],
    at: datetime,
    calendar_for: Callable[[CalendarSpec], BusinessCalendar] | None = None,
    catalogue: KpiCatalogue | None = None,
) -> dict[str, dict[str, dict[str, KpiResult]]]:
    """``{period label: {project id: KPI bundle}}`` for each label, in each project's zone.

    ``catalogue`` is the KPIs to compute (default: the built-in KPIs).
    """
    return {
        label: {
            pid: project_kpis(
                records[pid],
                project,
                Period.parse(label, project.timezone),
                at,
                calendar_for,
                catalogue=catalogue,
            )
            for pid, project in sorted(projects.items())
        }
        for label in labels
    }

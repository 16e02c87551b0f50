"""The KPIs of a period for some projects and the company (``itsskit kpi``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from itsskit.collect import SourceCache, collect
from itsskit.config import Config
from itsskit.converter import converter
from itsskit.kpis import KpiResult, company_kpis, project_kpis
from itsskit.kpis.bundle import kpis_of
from itsskit.kpis.catalogue import BUILTIN_KPIS, KpiCatalogue
from itsskit.kpis.results import Status, Unit
from itsskit.models import DataQualityFinding
from itsskit.periods import Period
from itsskit.plugins import PluginHost
from itsskit.provisional import calendar_names, kpi_years, merge_years
from itsskit.times import parse_instant

__all__ = ["KpiFigure", "KpiFigures", "kpi_figures"]


def _whole(value: float | None, unit: str) -> int | float | None:
    """Counts are whole numbers: written as integers."""
    return int(value) if unit == "count" and value is not None and value.is_integer() else value


@attrs.frozen(kw_only=True)
class KpiFigure:
    """One KPI as published: value (None when not applicable), target, status, counts, unit."""

    value: int | float | None
    target: int | float | None
    status: Status
    numerator: int | float | None
    denominator: int | float | None
    unit: Unit

    @classmethod
    def of(cls, result: KpiResult) -> KpiFigure:
        """The published figure of a KPI result (counts as integers)."""
        unit = result.unit
        return cls(
            value=_whole(result.value, unit),
            target=_whole(result.target, unit),
            status=result.status,
            numerator=_whole(result.numerator, unit),
            denominator=_whole(result.denominator, unit),
            unit=unit,
        )


@attrs.frozen(kw_only=True)
class KpiFigures:
    """The KPIs of one period for the chosen projects and, without a single project, the company.

    ``bundle`` is what was asked for: the company's KPIs (each pooled as the KPI
    catalogue says), or the one project's. ``provisional_years`` names, per
    project, the years without an official holiday schedule that business-time
    figures rest on; ``calendars`` the config names of the calendars involved;
    ``findings`` the data-quality findings of the sources.
    """

    period: str
    project: str | None
    bundles: Mapping[str, Mapping[str, KpiResult]]
    bundle: Mapping[str, KpiResult]
    provisional_years: Mapping[str, tuple[int, ...]]
    business_time_kpis: tuple[str, ...]
    calendars: tuple[str, ...]
    findings: tuple[DataQualityFinding, ...]

    @property
    def years(self) -> tuple[int, ...]:
        """Every provisional year any figure rests on, sorted."""
        return merge_years(*self.provisional_years.values())

    def as_json(self) -> dict[str, Any]:
        """The published JSON (``itsskit kpi --format json``), through the one converter."""
        data: dict[str, Any] = {
            name: converter.unstructure(KpiFigure.of(result))
            for name, result in self.bundle.items()
        }
        if self.project is None:
            data["projects"] = {
                pid: converter.unstructure(KpiFigure.of(bundle["sla_attainment"]))
                for pid, bundle in self.bundles.items()
            }
        if self.years:
            data["provisional_calendar"] = {
                "years": list(self.years),
                "kpis": [name for name in self.bundle if name in self.business_time_kpis],
                "projects": {p: list(y) for p, y in self.provisional_years.items() if y},
            }
        return data


def kpi_figures(
    config: Config,
    period: str,
    *,
    host: PluginHost,
    project: str | None = None,
    at: datetime | str | None = None,
) -> KpiFigures:
    """The KPIs of ``period`` (``2025-10``, ``2025-Q4``, ``2025``) from the config's sources.

    With ``project``: that project's KPIs; without: every project's and the
    company's (SLA attainment is the plain mean of the applicable project
    rates, the other KPIs pool as the KPI catalogue says). Each project's period
    is in its own time zone. ``at`` is the evaluation instant (default now); as
    ISO text without an offset it is read in each project's time zone. Every
    KPI of ``host.kpis()`` is computed, the plugins' included. Each source is
    read once, however many projects share it; tickets a source offers as an
    Arrow table (the ``parquet`` source) stay columns, split by project.

    Raises ``KeyError`` for an unknown project, ``ValueError`` for a malformed
    period or instant or a config without projects (before any source is read),
    and what :func:`itsskit.collect.collect` raises for an unreadable source.
    """
    chosen = [config.project(project).id] if project is not None else sorted(config.projects)
    if not chosen:
        raise ValueError(f"{config.path}: no [projects.NAME] table; expected at least one")
    periods = {pid: Period.parse(period, config.projects[pid].timezone) for pid in chosen}
    instants = {pid: _instant(at, config.projects[pid].timezone) for pid in chosen}
    catalogue = host.kpis()
    bundles: dict[str, dict[str, KpiResult]] = {}
    provisional: dict[str, tuple[int, ...]] = {}
    findings: list[DataQualityFinding] = []
    cache = SourceCache(config, host)  # a source shared by many projects is read once
    splits: dict[str, Any] = {}  # and an Arrow ticket table split by project once
    for pid in chosen:
        spec, when = config.projects[pid], periods[pid]
        window = (when.start, when.end)
        columnar = _ticket_table(config, pid, cache, catalogue, splits)
        if columnar is None:
            records = collect(config, pid, host, window=window, cache=cache)
            bundles[pid] = project_kpis(
                records, spec, when, instants[pid], host.calendar, catalogue=catalogue
            )
            provisional[pid] = kpi_years(records.tickets, spec, when, instants[pid], host.calendar)
        else:
            from itsskit.columnar.kpis import arrow_kpi_inputs, arrow_kpi_years

            sources, tickets = columnar
            records = collect(config, pid, host, window=window, cache=cache, skip=sources)
            inputs = arrow_kpi_inputs(tickets, records, spec, when, instants[pid], host.calendar)
            bundles[pid] = kpis_of(inputs, catalogue=catalogue)
            provisional[pid] = arrow_kpi_years(tickets, spec, when, instants[pid], host.calendar)
        findings += records.findings
    bundle = bundles[chosen[0]] if project else company_kpis(bundles, catalogue=catalogue)
    names = {n for pid in chosen for n in calendar_names(config.projects[pid], config.calendars)}
    return KpiFigures(
        period=period,
        project=project,
        bundles=bundles,
        bundle=bundle,
        provisional_years=provisional,
        business_time_kpis=tuple(d.name for d in catalogue if d.business_time),
        calendars=tuple(sorted(names)),
        findings=tuple(findings),
    )


def _ticket_table(
    config: Config,
    project_id: str,
    cache: SourceCache,
    catalogue: KpiCatalogue,
    splits: dict[str, Any],
) -> tuple[list[str], Any] | None:
    """The project's ticket sources and their tickets as one Arrow table, when every
    ticket source offers its table as it is and only built-in KPIs are asked for
    (a plugin KPI may read ``Ticket`` objects); else None: the record path.
    ``splits`` keeps each source's table split by project, once per call."""
    if not all(descriptor in BUILTIN_KPIS for descriptor in catalogue):
        return None
    project = config.projects[project_id]
    sources = [name for name in project.sources if config.sources[name].kind == "tickets"]
    tables = [cache.table(name) for name in sources]
    if not sources or any(table is None for table in tables):
        return None
    from itsskit.columnar.kpis import TicketSplit, project_tickets

    for name, table in zip(sources, tables, strict=True):
        if name not in splits:
            splits[name] = TicketSplit(table)
    tickets = project_tickets([splits[name] for name in sources], project_id)
    return None if tickets is None else (sources, tickets)


def _instant(at: datetime | str | None, timezone: str) -> datetime:
    if at is None:
        return datetime.now(UTC)
    if isinstance(at, str):
        return parse_instant(at, timezone)
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"at must be timezone-aware, got naive {at.isoformat()}")
    return at

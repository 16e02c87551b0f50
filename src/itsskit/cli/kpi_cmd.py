"""``itsskit kpi``: the KPIs of one project, or of the company, for one period."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from itsskit.cli import (
    HELP_OPTIONS,
    UsageProblem,
    load,
    parse_at,
    parse_period,
    print_table,
    project_of,
    read_records,
    warn_provisional,
    warn_without_sources,
)
from itsskit.kpis import KpiCatalogue, KpiResult, company_kpis, format_value, project_kpis
from itsskit.provisional import calendar_names, kpi_years, merge_years

__all__ = ["kpi", "result_json"]


def result_json(result: KpiResult) -> dict[str, Any]:
    """One KPI as JSON: value (null when not applicable), target, status, counts, unit.

    A KPI whose unit is ``count`` has whole numbers, written as JSON integers.
    """
    whole = result.unit == "count"
    return {
        "value": _number(result.value, whole),
        "target": _number(result.target, whole),
        "status": result.status,
        "numerator": _number(result.numerator, whole),
        "denominator": _number(result.denominator, whole),
        "unit": result.unit,
    }


def _number(value: float | None, whole: bool) -> int | float | None:
    return int(value) if whole and value is not None and value.is_integer() else value


@click.command("kpi", context_settings=HELP_OPTIONS)
@click.argument("config", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--period", "period_text", required=True, help="2025-10, 2025-Q4 or 2025.")
@click.option("--project", "project_id", default=None, help="One project (default: the company).")
@click.option(
    "--format", "output", type=click.Choice(["json", "table"]), default="table", show_default=True
)
@click.option(
    "--at",
    "at_text",
    default=None,
    help="Evaluation instant, ISO 8601 (no offset: the project's timezone). Default: now.",
)
@click.option(
    "--strict", is_flag=True, help="Exit 1 when figures rest on a provisional calendar year."
)
def kpi(
    config: Path,
    period_text: str,
    project_id: str | None,
    output: str,
    at_text: str | None,
    strict: bool,
) -> None:
    """Compute the KPIs of a period from the records the config's sources name.

    With --project: that project's KPIs. Without: the company's (SLA attainment
    is the plain mean of the applicable project rates, the other KPIs pool the
    projects) and, under "projects", each project's SLA attainment. A KPI that
    is not applicable (empty set) has value null / "n/a". Figures measured in
    business time over a year without the official holiday schedule are named
    under "provisional_calendar" (JSON) and in one warning on stderr.
    """
    settings, host = load(config)
    if project_id is not None:
        project_of(settings, project_id)
    chosen = [project_id] if project_id else sorted(settings.projects)
    if not chosen:
        raise UsageProblem(f"{settings.path}: no [projects.NAME] table; expected at least one")
    # every usage error before the (slow) reading of the sources
    periods = {pid: parse_period(period_text, settings.projects[pid].timezone) for pid in chosen}
    instants = {pid: parse_at(at_text, settings.projects[pid].timezone) for pid in chosen}
    bundles: dict[str, dict[str, KpiResult]] = {}
    provisional: dict[str, tuple[int, ...]] = {}
    for pid in chosen:
        project = settings.projects[pid]
        warn_without_sources(settings, pid)
        records = read_records(settings, pid, host, periods[pid])
        at = instants[pid] or datetime.now(UTC)
        bundles[pid] = project_kpis(
            records, project, periods[pid], at, host.calendar, catalogue=host.kpis()
        )
        provisional[pid] = kpi_years(records.tickets, project, periods[pid], at, host.calendar)
    bundle = bundles[project_id] if project_id else company_kpis(bundles, catalogue=host.kpis())
    per_project = {pid: b["sla_attainment"] for pid, b in bundles.items()}
    if output == "json":
        data: dict[str, Any] = {name: result_json(result) for name, result in bundle.items()}
        if project_id is None:
            data["projects"] = {pid: result_json(result) for pid, result in per_project.items()}
        if any(provisional.values()):
            data["provisional_calendar"] = provisional_json(provisional, bundle, host.kpis())
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print(bundle, f"{project_id or 'company'} {period_text}")
        if project_id is None:
            _print(per_project, f"sla_attainment by project {period_text}")
    names = [
        n for pid in chosen for n in calendar_names(settings.projects[pid], settings.calendars)
    ]
    warn_provisional(merge_years(*provisional.values()), names, strict)


def provisional_json(
    provisional: dict[str, tuple[int, ...]], bundle: dict[str, KpiResult], catalogue: KpiCatalogue
) -> dict[str, Any]:
    """Which figures rest on a provisional calendar: the years, the KPIs, by project."""
    return {
        "years": list(merge_years(*provisional.values())),
        "kpis": [
            name for name in bundle if name in catalogue and catalogue.get(name).business_time
        ],
        "projects": {pid: list(years) for pid, years in provisional.items() if years},
    }


def _target(result: KpiResult) -> str:
    if result.target is None:
        return ""
    as_value = KpiResult(name=result.name, value=result.target, unit=result.unit)
    return f"{result.comparison} {format_value(as_value)}"


def _count(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _print(bundle: dict[str, KpiResult], title: str) -> None:
    rows = [
        (name, format_value(r), _target(r), r.status, _count(r.numerator), _count(r.denominator))
        for name, r in bundle.items()
    ]
    headers = ("kpi", "value", "target", "status", "numerator", "denominator")
    print_table(headers, rows, title=title)

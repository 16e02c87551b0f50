"""``itsskit kpi``: the KPIs of one project, or of the company, for one period."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from itsskit.cli import (
    HELP_OPTIONS,
    UsageProblem,
    describe_finding,
    load,
    parse_at,
    parse_period,
    print_table,
    project_of,
    reported_errors,
    warn_provisional,
    warn_without_sources,
)
from itsskit.cli.options import AT, CONFIG, STRICT
from itsskit.converter import converter
from itsskit.kpis import KpiResult, format_value
from itsskit.services.kpis import KpiFigure, kpi_figures

__all__ = ["kpi", "result_json"]


def result_json(result: KpiResult) -> dict[str, Any]:
    """One KPI as published JSON (:class:`itsskit.services.KpiFigure`)."""
    data: dict[str, Any] = converter.unstructure(KpiFigure.of(result))
    return data


@click.command("kpi", context_settings=HELP_OPTIONS)
@CONFIG
@click.option("--period", "period_text", required=True, help="2025-10, 2025-Q4 or 2025.")
@click.option("--project", "project_id", default=None, help="One project (default: the company).")
@click.option(
    "--format", "output", type=click.Choice(["json", "table"]), default="table", show_default=True
)
@AT
@STRICT
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
    for pid in chosen:  # every usage error before the (slow) reading of the sources
        parse_period(period_text, settings.projects[pid].timezone)
        parse_at(at_text, settings.projects[pid].timezone)
        warn_without_sources(settings, pid)
    with reported_errors():
        figures = kpi_figures(settings, period_text, host=host, project=project_id, at=at_text)
    for finding in figures.findings:
        click.echo(f"finding: {describe_finding(finding)}", err=True)
    if output == "json":
        click.echo(json.dumps(figures.as_json(), ensure_ascii=False, indent=2))
    else:
        _print(figures.bundle, f"{project_id or 'company'} {period_text}")
        if project_id is None:
            per_project = {pid: b["sla_attainment"] for pid, b in figures.bundles.items()}
            _print(per_project, f"sla_attainment by project {period_text}")
    warn_provisional(figures.years, figures.calendars, strict)


def _target(result: KpiResult) -> str:
    if result.target is None:
        return ""
    as_value = KpiResult(name=result.name, value=result.target, unit=result.unit)
    return f"{result.comparison} {format_value(as_value)}"


def _count(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _print(bundle: Mapping[str, KpiResult], title: str) -> None:
    rows = [
        (name, format_value(r), _target(r), r.status, _count(r.numerator), _count(r.denominator))
        for name, r in bundle.items()
    ]
    headers = ("kpi", "value", "target", "status", "numerator", "denominator")
    print_table(headers, rows, title=title)

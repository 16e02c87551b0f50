"""``itsskit sla``: SLA clocks of a project's tickets."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import click

from itsskit.cli import (
    HELP_OPTIONS,
    atomic_write,
    check_output_file,
    describe_finding,
    load,
    parse_at,
    project_of,
    reported_errors,
    warn_provisional,
    warn_without_sources,
)
from itsskit.cli.options import AT, CONFIG
from itsskit.services.sla import CSV_COLUMNS, sla_clocks, write_clocks

__all__ = ["CSV_COLUMNS", "sla", "write_clocks"]


@click.group(context_settings=HELP_OPTIONS)
def sla() -> None:
    """SLA measurement in business time."""


@sla.command("evaluate")
@CONFIG
@click.option("--project", "project_id", required=True, help="Project id ([projects.NAME]).")
@AT
@click.option(
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="CSV file to write (written atomically).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Exit 1 when there are data-quality findings or results rest on a provisional "
    "calendar year.",
)
def evaluate_cmd(
    config: Path, project_id: str, at_text: str | None, output: Path, strict: bool
) -> None:
    """Evaluate every SLA clock of a project's tickets and write them as CSV.

    One row per ticket and metric: ticket_id, priority, metric, target_seconds,
    elapsed_seconds, status (met/breached/in_progress), deadline (ISO 8601 in the
    project's timezone, with offset; empty if none). Rows are sorted by ticket_id, then metric
    (response, resolution, turnaround). Tickets that cannot be measured are
    data-quality findings: listed on stderr with a count, left out of the CSV;
    the exit code stays 0 unless --strict. Clocks or deadlines in a year
    without the official holiday schedule get one warning naming the year(s).
    Text cells that a spreadsheet would run as a formula (starting with =, +,
    -, @, tab or CR) get a leading '.
    """
    check_output_file(output, "--output")
    settings, host = load(config)
    project = project_of(settings, project_id)
    at = parse_at(at_text, project.timezone)
    warn_without_sources(settings, project.id)
    with reported_errors():
        result = sla_clocks(settings, project.id, host=host, at=at)
    with atomic_write(output, newline="") as handle:
        write_clocks(handle, result.clocks, ZoneInfo(result.timezone))
    for finding in result.findings:
        click.echo(f"finding: {describe_finding(finding)}", err=True)
    click.echo(
        f"{len(result.clocks)} clock(s) written to {output}; "
        f"{len(result.findings)} data-quality finding(s)",
        err=True,
    )
    failed = warn_provisional(result.provisional_years, result.calendars, strict, exit_now=False)
    if failed or (strict and result.findings):
        click.get_current_context().exit(1)

"""``itsskit sla``: SLA clocks of a project's tickets."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
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
from itsskit.clocks import Clock, evaluate
from itsskit.collect import collect
from itsskit.inert import spreadsheet_row
from itsskit.models import Metric
from itsskit.provisional import calendar_names, clock_years

#: The columns of ``sla evaluate --output``, in order.
CSV_COLUMNS = (
    "ticket_id",
    "priority",
    "metric",
    "target_seconds",
    "elapsed_seconds",
    "status",
    "deadline",
)
_METRIC_ORDER = {metric: index for index, metric in enumerate(Metric)}


@click.group(context_settings=HELP_OPTIONS)
def sla() -> None:
    """SLA measurement in business time."""


@sla.command("evaluate")
@click.argument("config", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--project", "project_id", required=True, help="Project id ([projects.NAME]).")
@click.option(
    "--at",
    "at_text",
    default=None,
    help="Evaluation instant, ISO 8601 (no offset: the project's timezone). Default: now.",
)
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
    at = parse_at(at_text, project.timezone) or datetime.now(UTC)
    warn_without_sources(settings, project.id)
    with reported_errors():
        records = collect(settings, project.id, host)
    evaluation = evaluate(records.tickets, project, at, calendar_for=host.calendar)
    with atomic_write(output, newline="") as handle:
        write_clocks(handle, evaluation.clocks, ZoneInfo(project.timezone))
    findings = records.findings + evaluation.findings
    for finding in findings:
        click.echo(f"finding: {describe_finding(finding)}", err=True)
    click.echo(
        f"{len(evaluation.clocks)} clock(s) written to {output}; "
        f"{len(findings)} data-quality finding(s)",
        err=True,
    )
    years = clock_years(evaluation.clocks, project, at, host.calendar)
    names = calendar_names(project, settings.calendars)
    if warn_provisional(years, names, strict, exit_now=False) or (strict and findings):
        click.get_current_context().exit(1)


def write_clocks(handle: IO[str], clocks: tuple[Clock, ...], zone: ZoneInfo) -> None:
    """The CSV of ``clocks`` (header, sorted rows; deadlines in ``zone``) to ``handle``.

    Text that a spreadsheet would run as a formula (a ticket id like ``=1+1``)
    is written with a leading ``'`` (:func:`itsskit.inert.spreadsheet_cell`).
    """
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for clock in sorted(clocks, key=lambda c: (c.ticket_id, _METRIC_ORDER[c.metric])):
        writer.writerow(
            spreadsheet_row(
                (
                    clock.ticket_id,
                    clock.priority,
                    clock.metric.value,
                    clock.target_seconds,
                    clock.elapsed_seconds,
                    clock.status.value,
                    clock.deadline.astimezone(zone).isoformat() if clock.deadline else "",
                )
            )
        )

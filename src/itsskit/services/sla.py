"""SLA clocks of a project's tickets (``itsskit sla evaluate``)."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from typing import IO
from zoneinfo import ZoneInfo

import attrs

from itsskit.clocks import Clock, evaluate
from itsskit.collect import collect
from itsskit.config import Config
from itsskit.inert import spreadsheet_row
from itsskit.models import DataQualityFinding, Metric
from itsskit.plugins import PluginHost
from itsskit.provisional import calendar_names, clock_years

__all__ = ["CSV_COLUMNS", "SlaClocks", "sla_clocks", "write_clocks"]

#: The columns of the clocks CSV (``itsskit sla evaluate --output``), in order.
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


@attrs.frozen(kw_only=True)
class SlaClocks:
    """Every SLA clock of a project's tickets at one instant.

    ``findings`` are the sources' and the clocks' data-quality findings (tickets
    left out); ``provisional_years`` the years without an official holiday
    schedule that clocks or deadlines touch; ``calendars`` their config names.
    """

    project: str
    timezone: str
    at: datetime
    clocks: tuple[Clock, ...]
    findings: tuple[DataQualityFinding, ...]
    provisional_years: tuple[int, ...]
    calendars: tuple[str, ...]


def sla_clocks(
    config: Config, project: str, *, host: PluginHost, at: datetime | None = None
) -> SlaClocks:
    """Evaluate the SLA clocks of every ticket of ``project`` at ``at`` (aware; default now).

    Raises ``KeyError`` for an unknown project and what
    :func:`itsskit.collect.collect` raises for an unreadable source.
    """
    spec = config.project(project)
    instant = at or datetime.now(UTC)
    records = collect(config, spec.id, host)
    evaluation = evaluate(records.tickets, spec, instant, calendar_for=host.calendar)
    return SlaClocks(
        project=spec.id,
        timezone=spec.timezone,
        at=instant,
        clocks=evaluation.clocks,
        findings=records.findings + evaluation.findings,
        provisional_years=tuple(clock_years(evaluation.clocks, spec, instant, host.calendar)),
        calendars=tuple(calendar_names(spec, config.calendars)),
    )


def write_clocks(handle: IO[str], clocks: tuple[Clock, ...], zone: ZoneInfo) -> None:
    """The CSV of ``clocks`` (header, sorted rows; deadlines in ``zone``) to ``handle``.

    Rows are sorted by ticket id, then metric (response, resolution,
    turnaround). Text that a spreadsheet would run as a formula (a ticket id like
    ``=1+1``) is written with a leading ``'`` (:func:`itsskit.inert.spreadsheet_cell`).
    """
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for clock in sorted(clocks, key=lambda c: (c.ticket_id, _METRIC_ORDER[c.metric])):
        deadline = clock.deadline.astimezone(zone).isoformat() if clock.deadline else ""
        writer.writerow(
            spreadsheet_row(
                (
                    clock.ticket_id,
                    clock.priority,
                    clock.metric.value,
                    clock.target_seconds,
                    clock.elapsed_seconds,
                    clock.status.value,
                    deadline,
                )
            )
        )

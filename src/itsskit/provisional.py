"""Which results rest on a provisional holiday schedule (SPEC §2: never silently wrong).

A year without the State Council's official schedule is *provisional* (see
:mod:`itsskit.schedules`): its statutory holidays apply, its make-up working
days are unknown.  These functions find the provisional years a result depends
on, so that the CLI can warn, ``--strict`` can fail, and KPI output and reports
can say so.  They are pure: calendars in, years out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from itsskit.calendar import BusinessCalendar
from itsskit.clocks import Clock
from itsskit.models import CalendarSpec, Project, Ticket
from itsskit.periods import Period

__all__ = [
    "calendar_names",
    "clock_years",
    "describe",
    "kpi_years",
    "merge_years",
]

CalendarFor = Callable[[CalendarSpec], BusinessCalendar]


def _calendars(project: Project, calendar_for: CalendarFor) -> list[BusinessCalendar]:
    specs = list(dict.fromkeys(sla.calendar for sla in project.slas))
    return [calendar_for(spec) for spec in specs]


def clock_years(
    clocks: Iterable[Clock], project: Project, at: datetime, calendar_for: CalendarFor
) -> tuple[int, ...]:
    """Provisional years the clocks of ``project`` touch, evaluated at ``at``.

    A clock spans from its start to its stop (or ``at`` while it runs) and on to
    its deadline, which is computed in the calendar too.  Every calendar of the
    project's SLA versions is asked about every clock (a safe over-approximation
    when versions differ in calendar).
    """
    spans = [
        (clock.started, max([clock.stopped or at, *([clock.deadline] if clock.deadline else [])]))
        for clock in clocks
    ]
    if not spans:
        return ()
    return _years(spans, project, calendar_for)


def kpi_years(
    tickets: Iterable[Ticket],
    project: Project,
    period: Period,
    at: datetime,
    calendar_for: CalendarFor,
) -> tuple[int, ...]:
    """Provisional years behind ``project``'s calendar-based KPIs of ``period`` at ``at``.

    The period up to the evaluation instant ``min(at, period.end)`` (service
    time, availability), and each ticket whose clocks can stop in it, from its
    opening to its resolution or that instant (attainment).
    """
    instant = min(at, period.end)
    spans = [(period.start, max(instant, period.start))]
    for ticket in tickets:
        if ticket.opened is None or ticket.opened >= instant:
            continue
        stop = min(ticket.resolved, instant) if ticket.resolved is not None else instant
        if stop >= period.start:
            spans.append((ticket.opened, max(stop, ticket.opened)))
    return _years(spans, project, calendar_for)


def _years(
    spans: list[tuple[datetime, datetime]], project: Project, calendar_for: CalendarFor
) -> tuple[int, ...]:
    starts, ends = [s for s, _ in spans], [e for _, e in spans]
    return merge_years(
        *(cal.provisional_years_many(starts, ends) for cal in _calendars(project, calendar_for))
    )


def merge_years(*groups: Iterable[int]) -> tuple[int, ...]:
    """The sorted union of several groups of years."""
    return tuple(sorted({year for group in groups for year in group}))


def calendar_names(project: Project, calendars: Mapping[str, CalendarSpec]) -> list[str]:
    """The config names of the calendars ``project``'s SLA versions use."""
    used = {sla.calendar for sla in project.slas}
    return sorted(name for name, spec in calendars.items() if spec in used)


def describe(years: Iterable[int], calendars: Iterable[str] = ()) -> str:
    """One line naming the provisional years and how to load the official schedule."""
    chosen = sorted(set(years))
    names = sorted(set(calendars))
    table = f"[calendars.{names[0]}]" if len(names) == 1 else "[calendars.NAME]"
    first = chosen[0] if chosen else "YEAR"
    text = _ranges(chosen)
    return (
        f"results rest on a provisional China holiday schedule for {text} "
        "(statutory holidays only; make-up working days unknown): "
        f'load the State Council\'s official schedule with {table} schedules = ["holidays/{first}.json"]'
        " (holiday-cn JSON or .ics; see docs/calendar.md)"
    )


def _ranges(years: list[int]) -> str:
    """``2027, 2029-2031``."""
    parts: list[str] = []
    for year in years:
        if parts and parts[-1].split("-")[-1] == str(year - 1):
            parts[-1] = f"{parts[-1].split('-')[0]}-{year}"
        else:
            parts.append(str(year))
    return ", ".join(parts) or "no year"

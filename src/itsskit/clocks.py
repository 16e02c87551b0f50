"""SLA clocks (SPEC §3): response, resolution and turnaround, per ticket and vectorised.

Pure functions of tickets, SLA versions, business calendars and an evaluation
instant. Impossible data becomes :class:`~itsskit.models.DataQualityFinding`\\ s,
never exceptions.

How a clock is measured (the scalar and the columnar path share these rules):

* ``horizon`` is the stop instant when the clock stopped at or before ``at``,
  else ``at`` (never before ``opened``). Events after ``at`` are ignored.
* ``excluded`` intervals are the status-history segments whose status is a
  pause status or a resolved status (case-insensitive; the status before the
  first entry is ``New``), clipped to ``[opened, horizon)``.
* ``paused`` = Σ business seconds of the excluded intervals;
  ``elapsed`` = business seconds of ``[opened, horizon)`` − ``paused``.
* ``deadline``: the active stretches between excluded intervals are walked in
  order; the deadline is where cumulative active business time reaches the
  target. If the known history (up to ``horizon``) ends first, time is added
  from ``horizon`` on, as if the clock kept running (so a running clock that is
  paused right now gets the deadline it would have if it resumed at ``at``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

import attrs
import numpy as np
import numpy.typing as npt

from itsskit.calendar import BusinessCalendar
from itsskit.models import (
    SLA,
    CalendarSpec,
    ClockStatus,
    DataQualityFinding,
    Metric,
    Project,
    StatusChange,
    Ticket,
    TicketKind,
)
from itsskit.times import epoch_us

__all__ = [
    "Clock",
    "ClockTable",
    "Evaluation",
    "TicketColumns",
    "column_deadlines",
    "evaluate",
    "evaluate_columns",
    "evaluate_table",
    "evaluate_ticket",
]

#: ``stopped_us`` value of a clock still running at the evaluation instant.
RUNNING = np.iinfo(np.int64).min
#: Missing instant in :class:`TicketColumns` (same value as NaT and :data:`RUNNING`).
MISSING = RUNNING
#: End of an excluded interval that is still open at the end of the history.
OPEN_END = np.iinfo(np.int64).max
METRIC_CODES: tuple[Metric, ...] = (Metric.RESPONSE, Metric.RESOLUTION, Metric.TURNAROUND)
STATUS_CODES: tuple[ClockStatus, ...] = (
    ClockStatus.MET,
    ClockStatus.BREACHED,
    ClockStatus.IN_PROGRESS,
)
KIND_CODES: tuple[TicketKind, ...] = (TicketKind.INCIDENT, TicketKind.REQUEST)
#: Status of a ticket before its first status-history entry.
INITIAL_STATUS = "New"

I64 = npt.NDArray[np.int64]
_MET, _BREACHED, _IN_PROGRESS = range(3)
_RESPONSE, _RESOLUTION, _TURNAROUND = range(3)


@attrs.frozen(kw_only=True)
class Clock:
    """One SLA clock of one ticket, evaluated at an instant.

    ``elapsed_seconds`` is business time in the SLA's calendar, pauses (and
    time resolved before a reopen) excluded. ``stopped`` is None while the
    clock runs. ``status`` is ``breached`` as soon as elapsed > target, running
    or not.
    """

    ticket_id: str
    project: str | None
    service: str | None
    metric: Metric
    priority: str
    target_seconds: int
    elapsed_seconds: int
    paused_seconds: int
    started: datetime
    stopped: datetime | None
    deadline: datetime | None
    status: ClockStatus
    major: bool = False

    @property
    def running(self) -> bool:
        """True while the clock has not stopped."""
        return self.stopped is None

    @property
    def remaining_seconds(self) -> int:
        """Target minus elapsed; negative once breached."""
        return self.target_seconds - self.elapsed_seconds

    @property
    def percent_used(self) -> float:
        """Elapsed time as a share of the target (1.0 = exactly on target)."""
        return self.elapsed_seconds / self.target_seconds


@attrs.frozen(kw_only=True, eq=False)
class ClockTable:
    """Many clocks as numpy columns, for KPIs over 100,000s of tickets.

    Row ``i`` is one clock. ``metric``/``status`` index :data:`METRIC_CODES` /
    :data:`STATUS_CODES`; ``priority``/``project`` index :attr:`priorities` /
    :attr:`projects`; ``ticket`` indexes :attr:`ticket_ids`. ``stopped_us`` is
    the stop instant in UTC epoch microseconds, :data:`RUNNING` while running.
    """

    ticket_ids: list[str]
    priorities: list[str]
    projects: list[str]
    ticket: npt.NDArray[np.int64]
    metric: npt.NDArray[np.int8]
    priority: npt.NDArray[np.int16]
    project: npt.NDArray[np.int32]
    target: npt.NDArray[np.int64]
    elapsed: npt.NDArray[np.int64]
    stopped_us: npt.NDArray[np.int64]
    status: npt.NDArray[np.int8]
    major: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return int(self.ticket.shape[0])

    @classmethod
    def from_clocks(cls, clocks: Sequence[Clock]) -> ClockTable:
        """Columns of scalar clocks, in the same row order."""
        ticket_ids = list(dict.fromkeys(c.ticket_id for c in clocks))
        priorities = sorted({c.priority for c in clocks})
        projects = sorted({c.project or "" for c in clocks})
        t_code = {t: i for i, t in enumerate(ticket_ids)}
        p_code = {p: i for i, p in enumerate(priorities)}
        j_code = {p: i for i, p in enumerate(projects)}
        return cls(
            ticket_ids=ticket_ids,
            priorities=priorities,
            projects=projects,
            ticket=np.array([t_code[c.ticket_id] for c in clocks], dtype=np.int64),
            metric=np.array([METRIC_CODES.index(c.metric) for c in clocks], dtype=np.int8),
            priority=np.array([p_code[c.priority] for c in clocks], dtype=np.int16),
            project=np.array([j_code[c.project or ""] for c in clocks], dtype=np.int32),
            target=np.array([c.target_seconds for c in clocks], dtype=np.int64),
            elapsed=np.array([c.elapsed_seconds for c in clocks], dtype=np.int64),
            stopped_us=np.array(
                [RUNNING if c.stopped is None else epoch_us(c.stopped) for c in clocks],
                dtype=np.int64,
            ),
            status=np.array([STATUS_CODES.index(c.status) for c in clocks], dtype=np.int8),
            major=np.array([c.major for c in clocks], dtype=np.bool_),
        )

    @classmethod
    def concat(cls, tables: Sequence[ClockTable]) -> ClockTable:
        """All rows of ``tables`` in order; priority and project names are merged."""
        priorities, priority_maps = _merge_names([t.priorities for t in tables])
        projects, project_maps = _merge_names([t.projects for t in tables])
        offsets = np.cumsum([0] + [len(t.ticket_ids) for t in tables])
        return cls(
            ticket_ids=[i for t in tables for i in t.ticket_ids],
            priorities=priorities,
            projects=projects,
            ticket=_cat(
                [t.ticket + off for t, off in zip(tables, offsets, strict=False)], np.int64
            ),
            metric=_cat([t.metric for t in tables], np.int8),
            priority=_cat(
                [m[t.priority] for t, m in zip(tables, priority_maps, strict=True)], np.int16
            ),
            project=_cat(
                [m[t.project] for t, m in zip(tables, project_maps, strict=True)], np.int32
            ),
            target=_cat([t.target for t in tables], np.int64),
            elapsed=_cat([t.elapsed for t in tables], np.int64),
            stopped_us=_cat([t.stopped_us for t in tables], np.int64),
            status=_cat([t.status for t in tables], np.int8),
            major=_cat([t.major for t in tables], np.bool_),
        )


@attrs.frozen(kw_only=True)
class Evaluation:
    """The clocks of many tickets at one instant, and the tickets left out."""

    clocks: tuple[Clock, ...]
    findings: tuple[DataQualityFinding, ...]
    evaluated_at: datetime


# ------------------------------------------------------------------ scalar path


def evaluate_ticket(
    ticket: Ticket, sla: SLA, calendar: BusinessCalendar, at: datetime
) -> tuple[Clock, ...] | DataQualityFinding:
    """Every clock of ``ticket`` under ``sla`` as of ``at``, or why it cannot be measured."""
    checked = _check(ticket, sla)
    if isinstance(checked, DataQualityFinding):
        return checked
    opened, priority = checked
    _require_aware(at)
    excluded = _excluded_intervals(ticket.history, _excluded_status(sla), opened)
    clocks = []
    for metric, target, stop in _clock_plan(ticket, sla, priority):
        pauses = excluded if metric is not Metric.RESPONSE or sla.response_pauses else []
        m = _measure(calendar, opened, stop, at, pauses, target)
        clocks.append(
            Clock(
                ticket_id=ticket.id,
                project=ticket.project,
                service=ticket.service,
                metric=metric,
                priority=priority,
                target_seconds=target,
                elapsed_seconds=m.elapsed,
                paused_seconds=m.paused,
                started=opened,
                stopped=m.stopped,
                deadline=m.deadline,
                status=_status(m.elapsed, target, m.stopped is None),
                major=ticket.major,
            )
        )
    return tuple(clocks)


def evaluate(
    tickets: Iterable[Ticket],
    project: Project,
    at: datetime,
    calendar_for: Callable[[CalendarSpec], BusinessCalendar] | None = None,
) -> Evaluation:
    """Clocks of ``project``'s tickets, each against the SLA version in force when opened.

    ``calendar_for`` builds the calendar of an SLA (default: a cached
    :meth:`BusinessCalendar.from_spec`). Tickets without a project get
    ``project.id``. Bad tickets become findings; the batch goes on.
    """
    _require_aware(at)
    calendar_for = cached_calendars(calendar_for)
    clocks: list[Clock] = []
    findings: list[DataQualityFinding] = []
    for ticket in tickets:
        found = _sla_of(ticket, project)
        if isinstance(found, DataQualityFinding):
            findings.append(found)
            continue
        result = evaluate_ticket(
            _with_project(ticket, project), found, calendar_for(found.calendar), at
        )
        if isinstance(result, DataQualityFinding):
            findings.append(result)
        else:
            clocks.extend(result)
    return Evaluation(clocks=tuple(clocks), findings=tuple(findings), evaluated_at=at)


def default_calendar_for(spec: CalendarSpec) -> BusinessCalendar:
    """The calendar of a :class:`CalendarSpec` by a built-in preset (no plugin host)."""
    return BusinessCalendar.from_spec(spec)


def cached_calendars(
    calendar_for: Callable[[CalendarSpec], BusinessCalendar] | None,
) -> Callable[[CalendarSpec], BusinessCalendar]:
    """``calendar_for`` (default :func:`default_calendar_for`), building each spec once per call."""
    build = calendar_for or default_calendar_for
    built: dict[CalendarSpec, BusinessCalendar] = {}

    def lookup(spec: CalendarSpec) -> BusinessCalendar:
        if spec not in built:
            built[spec] = build(spec)
        return built[spec]

    return lookup


class _Measure(NamedTuple):
    elapsed: int
    paused: int
    stopped: datetime | None
    deadline: datetime


def _measure(
    calendar: BusinessCalendar,
    opened: datetime,
    stop: datetime | None,
    at: datetime,
    excluded: Sequence[tuple[datetime, datetime | None]],
    target: int,
) -> _Measure:
    """Elapsed, paused and deadline of one clock (see the module docstring)."""
    stopped = stop if stop is not None and stop <= at else None
    horizon = max(opened, at if stopped is None else stopped)
    pauses = [(max(s, opened), min(e or horizon, horizon)) for s, e in excluded]
    pauses = [(s, e) for s, e in pauses if e > s]
    paused_each = [calendar.business_seconds(s, e) for s, e in pauses]
    elapsed = calendar.business_seconds(opened, horizon) - sum(paused_each)
    # Walk the active stretches; a zero-length pause at the horizon closes the walk.
    start, before = opened, 0
    for k, (s, e) in enumerate([*pauses, (horizon, horizon)]):
        active = calendar.business_seconds(opened, s) - sum(paused_each[:k])
        if active >= target:
            break
        start, before = e, active
    deadline = calendar.add_business_seconds(start, target - before)
    return _Measure(elapsed, sum(paused_each), stopped, deadline)


# ---------------------------------------------------------------- columnar path


@attrs.frozen(kw_only=True, eq=False)
class TicketColumns:
    """Valid tickets of one SLA version as numpy columns (UTC epoch microseconds).

    ``priority`` is the priority that counts under the SLA (``priority_at``),
    indexing :attr:`priorities`; ``project`` indexes :attr:`projects`; ``kind``
    indexes :data:`KIND_CODES`. Missing instants are :data:`MISSING`. The
    excluded intervals (pause or resolved status) are one row each, sorted by
    ticket then start; ``excluded_ticket`` indexes :attr:`ids`; an interval
    still open at the end of the history ends at :data:`OPEN_END`.
    """

    ids: list[str]
    projects: list[str]
    project: npt.NDArray[np.int32]
    priorities: list[str]
    priority: npt.NDArray[np.int16]
    kind: npt.NDArray[np.int8]
    major: npt.NDArray[np.bool_]
    opened_us: I64
    first_response_us: I64
    resolved_us: I64
    excluded_ticket: I64
    excluded_start_us: I64
    excluded_end_us: I64

    def __attrs_post_init__(self) -> None:
        n, k = len(self.ids), len(self.excluded_ticket)
        for name in (
            "project",
            "priority",
            "kind",
            "major",
            "opened_us",
            "first_response_us",
            "resolved_us",
            "excluded_start_us",
            "excluded_end_us",
        ):
            size = len(getattr(self, name))
            expected = k if name.startswith("excluded") else n
            if size != expected:
                raise ValueError(f"TicketColumns.{name} has {size} rows, expected {expected}")
        if k and (np.diff(self.excluded_ticket) < 0).any():
            raise ValueError("TicketColumns.excluded_ticket must be sorted (by ticket, then start)")

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_tickets(
        cls, tickets: Iterable[Ticket], sla: SLA
    ) -> tuple[TicketColumns, tuple[DataQualityFinding, ...]]:
        """Columns of the measurable tickets, and a finding for each of the others."""
        statuses = _excluded_status(sla)
        priorities = sorted(sla.targets.priorities())
        p_code = {p: i for i, p in enumerate(priorities)}
        projects: dict[str, int] = {}
        rows: list[tuple[str, int, int, int, bool, int, int, int]] = []
        ex_ticket: list[int] = []
        ex_start: list[int] = []
        ex_end: list[int] = []
        findings = []
        for ticket in tickets:
            checked = _check(ticket, sla)
            if isinstance(checked, DataQualityFinding):
                findings.append(checked)
                continue
            opened, priority = checked
            for s, e in _excluded_intervals(ticket.history, statuses, opened):
                ex_ticket.append(len(rows))
                ex_start.append(epoch_us(s))
                ex_end.append(OPEN_END if e is None else epoch_us(e))
            project_code = projects.setdefault(ticket.project or "", len(projects))
            rows.append(
                (
                    ticket.id,
                    project_code,
                    p_code[priority],
                    KIND_CODES.index(ticket.kind),
                    ticket.major,
                    epoch_us(opened),
                    _us_or_missing(ticket.first_response),
                    _us_or_missing(ticket.resolved),
                )
            )
        cols = list(zip(*rows, strict=True)) or [()] * 8
        columns = cls(
            ids=list(cols[0]),
            projects=list(projects),
            project=np.array(cols[1], dtype=np.int32),
            priorities=priorities,
            priority=np.array(cols[2], dtype=np.int16),
            kind=np.array(cols[3], dtype=np.int8),
            major=np.array(cols[4], dtype=np.bool_),
            opened_us=_i64(cols[5]),
            first_response_us=_i64(cols[6]),
            resolved_us=_i64(cols[7]),
            excluded_ticket=_i64(ex_ticket),
            excluded_start_us=_i64(ex_start),
            excluded_end_us=_i64(ex_end),
        )
        return columns, tuple(findings)


class _Measures(NamedTuple):
    """Per-clock results of the columnar path, and what the deadline walk reuses."""

    elapsed: I64
    paused: I64
    stopped_us: I64
    opened_us: I64
    horizon_us: I64
    total: I64  # business seconds of [opened, horizon)
    pauses: tuple[I64, I64, I64, I64]  # clipped pauses: clock index, start, end, seconds


def evaluate_columns(
    columns: TicketColumns, sla: SLA, calendar: BusinessCalendar, at: datetime
) -> ClockTable:
    """Every clock of ``columns`` as of ``at``: the same numbers as :func:`evaluate_ticket`.

    Rows are grouped by metric (response first), tickets in column order.
    """
    plans = _column_plans(columns, sla)
    return _table(
        columns, [(plan, _measure_columns(columns, calendar, at, plan)) for plan in plans]
    )


def column_deadlines(
    columns: TicketColumns, sla: SLA, calendar: BusinessCalendar, at: datetime
) -> npt.NDArray[np.datetime64]:
    """Deadlines (``datetime64[us]``, UTC) of the rows of :func:`evaluate_columns`, in order."""
    deadlines = []
    for plan in _column_plans(columns, sla):
        measures = _measure_columns(columns, calendar, at, plan)
        deadlines.append(_deadlines_us(calendar, plan, measures))
    return _cat(deadlines, np.int64).view("datetime64[us]")


def evaluate_table(
    tickets: Sequence[Ticket],
    project: Project,
    at: datetime,
    calendar_for: Callable[[CalendarSpec], BusinessCalendar] | None = None,
) -> tuple[ClockTable, tuple[DataQualityFinding, ...]]:
    """Columnar :func:`evaluate`: the same clocks, as one table (rows grouped by SLA version).

    Tickets are grouped by the SLA version in force when they were opened and each
    group is evaluated with :func:`evaluate_columns`.
    """
    _require_aware(at)
    calendar_for = cached_calendars(calendar_for)
    groups: dict[int, tuple[SLA, list[Ticket]]] = {}
    findings: list[DataQualityFinding] = []
    for ticket in tickets:
        found = _sla_of(ticket, project)
        if isinstance(found, DataQualityFinding):
            findings.append(found)
        else:
            groups.setdefault(id(found), (found, []))[1].append(_with_project(ticket, project))
    tables = []
    for sla, group in groups.values():
        columns, bad = TicketColumns.from_tickets(group, sla)
        findings.extend(bad)
        tables.append(evaluate_columns(columns, sla, calendar_for(sla.calendar), at))
    return ClockTable.concat(tables), tuple(findings)


class _Plan(NamedTuple):
    """One metric's clocks over a subset of the tickets of a :class:`TicketColumns`."""

    metric: int
    rows: I64  # ticket rows that have this clock
    target: I64
    stop_us: I64
    paused: bool


def _column_plans(columns: TicketColumns, sla: SLA) -> list[_Plan]:
    """Which tickets get which clock, with their targets and stop instants."""
    targets = sla.targets
    response = _target_lookup(columns.priorities, targets.response)
    resolution = _target_lookup(columns.priorities, targets.resolution)
    turnaround = _target_lookup(columns.priorities, targets.turnaround)
    prio = columns.priority
    is_request = columns.kind == KIND_CODES.index(TicketKind.REQUEST)
    turn = is_request & (turnaround[prio] > 0)
    resp_stop = np.where(
        columns.first_response_us != MISSING, columns.first_response_us, columns.resolved_us
    )
    plans = []
    for metric, mask, target, stop, paused in (
        (_RESPONSE, response[prio] > 0, response, resp_stop, sla.response_pauses),
        (_RESOLUTION, ~turn & (resolution[prio] > 0), resolution, columns.resolved_us, True),
        (_TURNAROUND, turn, turnaround, columns.resolved_us, True),
    ):
        rows = np.flatnonzero(mask)
        plans.append(_Plan(metric, rows, target[prio[rows]], stop[rows], paused))
    return plans


def _measure_columns(
    columns: TicketColumns, calendar: BusinessCalendar, at: datetime, plan: _Plan
) -> _Measures:
    """Vectorised :func:`_measure` (without the deadline) for one plan."""
    at_us = epoch_us(at)
    opened = columns.opened_us[plan.rows]
    running = (plan.stop_us == MISSING) | (plan.stop_us > at_us)
    horizon = np.maximum(opened, np.where(running, at_us, plan.stop_us))
    total = _bs(calendar, opened, horizon)
    row, start, end = _clipped_pauses(columns, plan, opened, horizon)
    seconds = _bs(calendar, start, end)
    paused = np.bincount(row, weights=seconds, minlength=len(plan.rows)).astype(np.int64)
    stopped = np.where(running, RUNNING, plan.stop_us)
    return _Measures(
        total - paused, paused, stopped, opened, horizon, total, (row, start, end, seconds)
    )


def _clipped_pauses(
    columns: TicketColumns, plan: _Plan, opened: I64, horizon: I64
) -> tuple[I64, I64, I64]:
    """The plan's excluded intervals clipped to ``[opened, horizon)``: (clock index, start, end)."""
    if not plan.paused or not len(plan.rows):
        return _i64([]), _i64([]), _i64([])
    clock_of = np.full(len(columns), -1, dtype=np.int64)
    clock_of[plan.rows] = np.arange(len(plan.rows))
    row = clock_of[columns.excluded_ticket]
    keep = row >= 0
    row = row[keep]
    start = np.maximum(columns.excluded_start_us[keep], opened[row])
    end = np.minimum(columns.excluded_end_us[keep], horizon[row])
    keep = end > start
    return row[keep], start[keep], end[keep]


def _deadlines_us(calendar: BusinessCalendar, plan: _Plan, m: _Measures) -> I64:
    """Vectorised deadline walk of :func:`_measure` (UTC epoch microseconds)."""
    n = len(plan.rows)
    opened = m.opened_us
    row, start, end, paused = m.pauses
    # Append the zero-length pause at the horizon of every clock (its active time so far
    # is the clock's total); keep pauses in order.
    to_start = np.concatenate([_bs(calendar, opened[row], start), m.total])
    row = np.concatenate([row, np.arange(n)])
    order = np.argsort(row, kind="stable")
    row = row[order]
    end = np.concatenate([end, m.horizon_us])[order]
    paused = np.concatenate([paused, np.zeros(n, np.int64)])[order]
    cum = np.cumsum(paused)
    first = np.searchsorted(row, row, "left")
    paused_before = cum - paused - (cum[first] - paused[first])
    active = to_start[order] - paused_before
    reached = np.flatnonzero(active >= plan.target[row])
    reached = (
        reached[np.r_[True, row[reached][1:] != row[reached][:-1]]] if len(reached) else reached
    )
    walk_start, before = m.horizon_us.copy(), m.elapsed.copy()
    hit_rows = row[reached]
    is_first = reached == first[reached]
    prev = np.maximum(reached - 1, 0)
    walk_start[hit_rows] = np.where(is_first, opened[hit_rows], end[prev])
    before[hit_rows] = np.where(is_first, 0, active[prev])
    deadline = calendar.add_business_seconds_many(
        walk_start.view("datetime64[us]"), plan.target - before
    )
    return deadline.view(np.int64)


def _table(columns: TicketColumns, parts: list[tuple[_Plan, _Measures]]) -> ClockTable:
    """Assemble the :class:`ClockTable` of the measured plans."""
    rows = _cat([p.rows for p, _ in parts], np.int64)
    target = _cat([p.target for p, _ in parts], np.int64)
    elapsed = _cat([m.elapsed for _, m in parts], np.int64)
    stopped = _cat([m.stopped_us for _, m in parts], np.int64)
    status = np.where(elapsed > target, _BREACHED, np.where(stopped == RUNNING, _IN_PROGRESS, _MET))
    return ClockTable(
        ticket_ids=columns.ids,
        priorities=columns.priorities,
        projects=columns.projects,
        ticket=rows,
        metric=_cat([np.full(len(p.rows), p.metric) for p, _ in parts], np.int8),
        priority=columns.priority[rows],
        project=columns.project[rows],
        target=target,
        elapsed=elapsed,
        stopped_us=stopped,
        status=status.astype(np.int8),
        major=columns.major[rows],
    )


# ---------------------------------------------------------------------- helpers


def _check(ticket: Ticket, sla: SLA) -> tuple[datetime, str] | DataQualityFinding:
    """The opened instant and the priority that counts, or why the ticket is unusable."""
    opened = ticket.opened
    if opened is None:
        return _finding(ticket, "missing opened time")
    if ticket.resolved is not None and ticket.resolved < opened:
        return _finding(
            ticket, f"resolved ({ticket.resolved.isoformat()}) before opened ({opened.isoformat()})"
        )
    if ticket.first_response is not None and ticket.first_response < opened:
        return _finding(
            ticket,
            f"first response ({ticket.first_response.isoformat()}) before opened "
            f"({opened.isoformat()})",
        )
    priority = ticket.priority
    if sla.priority_at == "opening" and ticket.opening_priority:
        priority = ticket.opening_priority
    known = sla.targets.priorities()
    if priority is None:
        return _finding(ticket, "missing priority")
    if priority not in known:
        return _finding(
            ticket,
            f"unknown priority {priority!r}: SLA {sla.id!r} version {sla.version!r} "
            f"has targets for {', '.join(sorted(known)) or 'no priority'}",
        )
    return opened, priority


def _sla_of(ticket: Ticket, project: Project) -> SLA | DataQualityFinding:
    """The SLA version in force when ``ticket`` was opened, or a finding."""
    if ticket.opened is None:
        return _finding(ticket, "missing opened time")
    sla = project.sla_for(ticket.opened)
    if sla is None:
        return _finding(
            ticket,
            f"no SLA version of project {project.id!r} in force on {ticket.opened.date()}",
        )
    return sla


def _clock_plan(
    ticket: Ticket, sla: SLA, priority: str
) -> list[tuple[Metric, int, datetime | None]]:
    """(metric, target, stop instant) of each clock that applies to ``ticket``."""
    targets = sla.targets
    plan: list[tuple[Metric, int, datetime | None]] = []
    if priority in targets.response:
        stop = ticket.first_response if ticket.first_response is not None else ticket.resolved
        plan.append((Metric.RESPONSE, targets.response[priority], stop))
    if ticket.kind == TicketKind.REQUEST and priority in targets.turnaround:
        plan.append((Metric.TURNAROUND, targets.turnaround[priority], ticket.resolved))
    elif priority in targets.resolution:
        plan.append((Metric.RESOLUTION, targets.resolution[priority], ticket.resolved))
    return plan


def _excluded_status(sla: SLA) -> Callable[[str], bool]:
    """Whether a status's time is excluded: a pause or a resolved status of ``sla``."""
    known: dict[str, bool] = {}

    def excluded(status: str) -> bool:
        if status not in known:
            known[status] = sla.is_paused(status) or sla.is_resolved_status(status)
        return known[status]

    return excluded


def _excluded_intervals(
    history: Sequence[StatusChange], excluded: Callable[[str], bool], opened: datetime
) -> list[tuple[datetime, datetime | None]]:
    """Merged ``[start, end)`` segments spent in an ``excluded`` status (end None = still there)."""
    changes = sorted(history, key=lambda c: c.at)
    segments: list[tuple[str, datetime, datetime | None]] = []
    first_at = changes[0].at if changes else None
    if first_at is None or opened < first_at:
        segments.append((INITIAL_STATUS, opened, first_at))
    ends: list[datetime | None] = [c.at for c in changes[1:]]
    for change, end in zip(changes, [*ends, None], strict=False):
        segments.append((change.status, change.at, end))
    out: list[tuple[datetime, datetime | None]] = []
    for status, start, end in segments:
        if not excluded(status) or (end is not None and end <= start):
            continue
        if out and out[-1][1] == start:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _status(elapsed: int, target: int, running: bool) -> ClockStatus:
    if elapsed > target:
        return ClockStatus.BREACHED
    return ClockStatus.IN_PROGRESS if running else ClockStatus.MET


def _finding(ticket: Ticket, reason: str) -> DataQualityFinding:
    return DataQualityFinding(record_id=ticket.id, reason=f"ticket {ticket.id}: {reason}")


def _with_project(ticket: Ticket, project: Project) -> Ticket:
    return ticket if ticket.project is not None else attrs.evolve(ticket, project=project.id)


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"evaluation instant must be timezone-aware, got naive {at.isoformat()}")


def _us_or_missing(dt: datetime | None) -> int:
    return MISSING if dt is None else epoch_us(dt)


def _i64(values: Sequence[int] | tuple[()]) -> I64:
    return np.array(values, dtype=np.int64)


def _cat(arrays: Sequence[npt.NDArray[Any]], dtype: type[Any]) -> npt.NDArray[Any]:
    """Concatenate as ``dtype`` (an empty array when there is nothing)."""
    return np.concatenate([np.asarray(a, dtype=dtype) for a in arrays] or [np.empty(0, dtype)])


def _bs(calendar: BusinessCalendar, start_us: I64, end_us: I64) -> I64:
    """Vectorised business seconds of ``[start, end)`` given as epoch microseconds."""
    if not len(start_us):
        return _i64([])
    return calendar.business_seconds_many(
        start_us.view("datetime64[us]"), end_us.view("datetime64[us]")
    )


def _target_lookup(priorities: Sequence[str], targets: Mapping[str, int]) -> I64:
    """Target seconds by priority code (0 = no target for that priority)."""
    return _i64([targets.get(p, 0) for p in priorities])


def _merge_names(lists: Sequence[list[str]]) -> tuple[list[str], list[npt.NDArray[np.int64]]]:
    """Sorted union of name lists, and for each list the map old code -> new code."""
    names = sorted({n for names in lists for n in names})
    code = {n: i for i, n in enumerate(names)}
    return names, [_i64([code[n] for n in names_]) for names_ in lists]

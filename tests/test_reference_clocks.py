"""SLA clocks against the plain-Python reference in ``reference_impl``."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from itsskit.calendar import BusinessCalendar
from itsskit.clocks import (
    METRIC_CODES,
    STATUS_CODES,
    TicketColumns,
    column_deadlines,
    evaluate,
    evaluate_columns,
    evaluate_table,
    evaluate_ticket,
)
from itsskit.models import (
    SLA,
    CalendarSpec,
    DataQualityFinding,
    Project,
    StatusChange,
    Targets,
    Ticket,
)
from reference_impl import RefCalendar, ref_clocks, us

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
T0 = datetime(2025, 9, 25, 8, tzinfo=SH)  # around National Day and a make-up Sunday
STATUSES = [
    "New",
    "Active",
    "Awaiting User Info",
    "awaiting vendor",
    "AWAITING PROBLEM",
    "Resolved",
    "closed",
    "Pending",
    "On Hold",
    "In Progress",
    "挂起",
    "Pending Approval",
    "Waiting for Customer",
]
TARGETS = Targets(
    response={"P1": 900, "P2": 1800, "P3": 3600},
    resolution={"P1": 4 * 3600, "P2": 8 * 3600, "P3": 27_000 * 3},
    turnaround={"P3": 27_000 * 2, "P4": 27_000 * 5},
)

offset = st.one_of(st.integers(-2 * 86_400, 25 * 86_400), st.just(40 * 86_400))


def at_offset(seconds: int, zone: ZoneInfo = SH) -> datetime:
    return (T0 + timedelta(seconds=seconds)).astimezone(zone)


@st.composite
def tickets(draw: st.DrawFn) -> Ticket:
    opened = draw(st.integers(0, 15 * 86_400))
    maybe = st.one_of(st.none(), st.integers(opened, opened + 6 * 86_400))
    history_times = draw(st.lists(st.integers(opened - 86_400, opened + 6 * 86_400), max_size=8))
    if draw(st.booleans()):
        history_times.sort()
    if history_times and draw(st.booleans()):
        history_times.insert(1, history_times[0])  # duplicate timestamp
    history = tuple(
        StatusChange(
            at=at_offset(t, draw(st.sampled_from([SH, NY]))), status=draw(st.sampled_from(STATUSES))
        )
        for t in history_times
    )
    return Ticket(
        id=f"T{draw(st.integers(0, 10**6))}",
        kind=draw(st.sampled_from(["incident", "request"])),
        priority=draw(st.sampled_from(["P1", "P2", "P3", "P4", "P9", None])),
        opening_priority=draw(st.sampled_from(["P1", "P3", None])),
        opened=at_offset(opened),
        first_response=_maybe(draw(maybe)),
        resolved=_maybe(draw(maybe)),
        history=history,
    )


def _maybe(seconds: int | None) -> datetime | None:
    return None if seconds is None else at_offset(seconds)


slas = st.builds(
    lambda pa, rp, ps: SLA(
        id="gold", targets=TARGETS, priority_at=pa, response_pauses=rp, pause_statuses=ps
    ),
    st.sampled_from(["resolution", "opening"]),
    st.booleans(),
    st.sampled_from([None, ("Awaiting User Info", "On Hold"), ()]),
)
calendars = st.sampled_from(
    [
        (BusinessCalendar.china(), RefCalendar.china()),
        (BusinessCalendar.always(), RefCalendar(weekdays=range(7), hours=("00:00-24:00",))),
        (
            BusinessCalendar("America/New_York", (0, 1, 2, 3, 4, 5), ("08:00-20:00",)),
            RefCalendar("America/New_York", (0, 1, 2, 3, 4, 5), ("08:00-20:00",)),
        ),
    ]
)


def _sorted_history(ticket: Ticket) -> bool:
    times = [us(c.at) for c in ticket.history]
    return times == sorted(times)


@settings(max_examples=200)
@given(tickets(), slas, calendars, offset)
def test_evaluate_ticket_matches_reference(ticket, sla, cals, at_s):
    ours, ref = cals
    at = at_offset(at_s)
    got = evaluate_ticket(ticket, sla, ours, at)
    expected = ref_clocks(ticket, sla, ref, at)
    if isinstance(expected, str):
        assert isinstance(got, DataQualityFinding)
        assert ticket.id in got.reason
        return
    assert not isinstance(got, DataQualityFinding), got
    assert [c.metric.value for c in got] == [c.metric for c in expected]
    for g, e in zip(got, expected, strict=True):
        assert (g.priority, g.target_seconds) == (e.priority, e.target)
        assert (g.elapsed_seconds, g.paused_seconds, g.status.value) == (
            e.elapsed,
            e.paused,
            e.status,
        )
        assert g.stopped == e.stopped
        assert g.deadline == e.deadline, (g.deadline, e.deadline)
        assert str(g.deadline.tzinfo) == ref.timezone
        assert g.remaining_seconds == e.target - e.elapsed


@settings(max_examples=40)
@given(st.lists(tickets(), max_size=12, unique_by=lambda t: t.id), slas, offset)
def test_evaluate_and_table_match_reference(batch, sla, at_s):
    sla = SLA(
        id=sla.id,
        targets=sla.targets,
        priority_at=sla.priority_at,
        response_pauses=sla.response_pauses,
        calendar=CalendarSpec(preset="china"),
    )
    project = Project(id="p", slas=(sla,))
    ref = RefCalendar.china()
    at = at_offset(at_s)
    expected = {}
    bad = set()
    for t in batch:
        r = ref_clocks(t, sla, ref, at)
        if isinstance(r, str):
            bad.add(t.id)
        else:
            expected.update({(c.ticket_id, c.metric): c for c in r})
    result = evaluate(batch, project, at)
    assert {f.record_id for f in result.findings} == bad
    assert {
        (c.ticket_id, c.metric.value): (c.elapsed_seconds, c.status.value, c.deadline)
        for c in result.clocks
    } == {k: (e.elapsed, e.status, e.deadline) for k, e in expected.items()}
    table, findings = evaluate_table(batch, project, at)
    assert {f.record_id for f in findings} == bad
    rows = {
        (table.ticket_ids[table.ticket[i]], METRIC_CODES[table.metric[i]].value): (
            int(table.elapsed[i]),
            STATUS_CODES[table.status[i]].value,
            None if table.stopped_us[i] == np.iinfo(np.int64).min else int(table.stopped_us[i]),
        )
        for i in range(len(table))
    }
    assert rows == {
        k: (e.elapsed, e.status, None if e.stopped is None else us(e.stopped))
        for k, e in expected.items()
    }
    good = [t for t in batch if t.id not in bad]
    columns, _ = TicketColumns.from_tickets(good, sla)
    cal = BusinessCalendar.china()
    table = evaluate_columns(columns, sla, cal, at)
    deadlines = column_deadlines(columns, sla, cal, at).astype(np.int64)
    got_deadlines = {
        (table.ticket_ids[table.ticket[i]], METRIC_CODES[table.metric[i]].value): int(deadlines[i])
        for i in range(len(table))
    }
    assert got_deadlines == {k: us(e.deadline) for k, e in expected.items()}


def test_hand_computed_reopen_and_pause():
    """Opened Mon 09:00; paused 10:00-11:00; resolved 14:30, reopened 15:00; resolved 16:00."""
    cal = BusinessCalendar()
    d = date(2025, 1, 6)

    def t(h: int, m: int = 0) -> datetime:
        return datetime(d.year, d.month, d.day, h, m, tzinfo=SH)

    ticket = Ticket(
        id="X",
        priority="P1",
        opened=t(9),
        first_response=t(9, 10),
        resolved=t(16),
        history=(
            StatusChange(at=t(9, 10), status="Active"),
            StatusChange(at=t(10), status="Awaiting User Info"),
            StatusChange(at=t(11), status="Active"),
            StatusChange(at=t(14, 30), status="Resolved"),
            StatusChange(at=t(15), status="Active"),
            StatusChange(at=t(16), status="Resolved"),
        ),
    )
    sla = SLA(id="s", targets=Targets(response={"P1": 600}, resolution={"P1": 3 * 3600}))
    response, resolution = evaluate_ticket(ticket, sla, cal, t(20))
    assert (response.elapsed_seconds, response.status.value) == (600, "met")
    # 09:00-16:00 minus lunch = 5.5 h; minus 1 h paused, 0.5 h resolved = 4 h
    assert resolution.elapsed_seconds == 4 * 3600
    assert resolution.paused_seconds == 5400
    assert resolution.status.value == "breached"
    # active 09:00-10:00 (1 h), 11:00-12:00 (1 h), 13:30-14:30 (1 h) -> deadline 14:30
    assert resolution.deadline == t(14, 30)

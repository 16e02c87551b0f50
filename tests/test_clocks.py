"""SLA clocks (SPEC §3): hand-computed cases on the China calendar and properties.

Working hours are 09:00-12:00 and 13:30-18:00 (Asia/Shanghai), i.e. 27,000 s a day.
2025 facts used below: 2025-03-14 is a Friday, 2025-03-17 a Monday; 2025-10-01..08
are the National Day holiday (2025-09-30 Tue and 2025-10-09 Thu work); 2025-09-28
is a Sunday make-up working day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itsskit.calendar import BusinessCalendar
from itsskit.clocks import (
    METRIC_CODES,
    RUNNING,
    STATUS_CODES,
    Clock,
    ClockTable,
    TicketColumns,
    _column_plans,
    _deadlines_us,
    _measure_columns,
    column_deadlines,
    evaluate,
    evaluate_columns,
    evaluate_table,
    evaluate_ticket,
)
from itsskit.models import (
    SLA,
    ClockStatus,
    DataQualityFinding,
    Metric,
    Project,
    StatusChange,
    Targets,
    Ticket,
    TicketKind,
)
from itsskit.times import epoch_us as _us

SH = ZoneInfo("Asia/Shanghai")
CAL = BusinessCalendar.china()
H = 3600
GOLD = SLA(
    id="gold",
    targets=Targets(
        response={"P1": 900, "P2": 1800, "P3": H},
        resolution={"P1": 4 * H, "P2": 5400},
        turnaround={"P3": 8 * H},
    ),
)
PROJECT = Project(id="alpha", slas=(GOLD,))
LATER = datetime(2026, 1, 1, tzinfo=SH)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


def hist(*entries: tuple[datetime, str]) -> tuple[StatusChange, ...]:
    return tuple(StatusChange(at=at, status=status) for at, status in entries)


def clocks_of(ticket: Ticket, at: datetime = LATER, sla: SLA = GOLD) -> dict[Metric, Clock]:
    result = evaluate_ticket(ticket, sla, CAL, at)
    assert not isinstance(result, DataQualityFinding), result
    return {c.metric: c for c in result}


# ----------------------------------------------------------------- hand cases


def test_lunch_break_and_weekend() -> None:
    ticket = Ticket(
        id="INC1",
        priority="P2",
        opened=sh(2025, 3, 14, 11, 30),
        first_response=sh(2025, 3, 14, 13, 45),
        resolved=sh(2025, 3, 17, 10, 0),
    )
    c = clocks_of(ticket)
    # response: Fri 11:30-12:00 (1800) + 13:30-13:45 (900) = 2700 > 1800
    assert c[Metric.RESPONSE].elapsed_seconds == 2700
    assert c[Metric.RESPONSE].status is ClockStatus.BREACHED
    assert c[Metric.RESPONSE].deadline == sh(2025, 3, 14, 12, 0)
    assert c[Metric.RESPONSE].remaining_seconds == -900
    assert c[Metric.RESPONSE].percent_used == 1.5
    # resolution: Fri 1800 + 16200 (13:30-18:00), weekend 0, Mon 09:00-10:00 3600 = 21600
    res = c[Metric.RESOLUTION]
    assert (res.elapsed_seconds, res.paused_seconds) == (21600, 0)
    assert res.status is ClockStatus.BREACHED
    assert res.stopped == sh(2025, 3, 17, 10, 0)
    # deadline 5400: 1800 by 12:00, then 3600 from 13:30 -> 14:30 the same Friday
    assert res.deadline == sh(2025, 3, 14, 14, 30)
    assert res.deadline is not None and res.deadline.tzinfo == SH


def test_holiday_and_pause_status_excluded() -> None:
    ticket = Ticket(
        id="INC2",
        priority="P2",
        opened=sh(2025, 9, 30, 17, 0),
        first_response=sh(2025, 9, 30, 17, 20),
        resolved=sh(2025, 10, 9, 10, 0),
        history=hist(
            (sh(2025, 9, 30, 17, 20), "In Progress"),
            (sh(2025, 9, 30, 17, 30), "awaiting user info"),  # case-insensitive
            (sh(2025, 10, 9, 9, 30), "In Progress"),
            (sh(2025, 10, 9, 10, 0), "Resolved"),
        ),
    )
    c = clocks_of(ticket)
    assert c[Metric.RESPONSE].elapsed_seconds == 1200
    assert c[Metric.RESPONSE].status is ClockStatus.MET
    res = c[Metric.RESOLUTION]
    # active: 09-30 17:00-17:30 (1800) + 10-09 09:30-10:00 (1800); holidays 10-01..08
    # paused: 09-30 17:30-18:00 (1800) + 10-09 09:00-09:30 (1800)
    assert (res.elapsed_seconds, res.paused_seconds) == (3600, 3600)
    assert res.status is ClockStatus.MET
    # deadline 5400: 1800 before the pause, 3600 more from 10-09 09:30 -> 10:30
    assert res.deadline == sh(2025, 10, 9, 10, 30)
    assert res.remaining_seconds == 1800


def test_reopen_excludes_time_resolved() -> None:
    ticket = Ticket(
        id="INC3",
        priority="P1",
        opened=sh(2025, 3, 17, 9, 0),
        first_response=sh(2025, 3, 17, 9, 10),
        resolved=sh(2025, 3, 18, 11, 0),
        history=hist(
            (sh(2025, 3, 17, 9, 10), "In Progress"),
            (sh(2025, 3, 17, 10, 0), "Resolved"),
            (sh(2025, 3, 18, 9, 0), "In Progress"),
            (sh(2025, 3, 18, 11, 0), "Resolved"),
            (sh(2025, 3, 19, 9, 0), "Closed"),
        ),
    )
    res = clocks_of(ticket)[Metric.RESOLUTION]
    # total: Mon 09:00-18:00 (27000) + Tue 09:00-11:00 (7200) = 34200
    # resolved Mon 10:00 -> Tue 09:00: 7200 + 16200 = 23400 excluded
    assert (res.elapsed_seconds, res.paused_seconds) == (10800, 23400)
    assert res.status is ClockStatus.MET
    # deadline 14400: 3600 on Mon, 10800 from Tue 09:00 -> Tue 12:00
    assert res.deadline == sh(2025, 3, 18, 12, 0)


def test_make_up_working_day() -> None:
    ticket = Ticket(
        id="INC4", priority="P2", opened=sh(2025, 9, 27, 10), resolved=sh(2025, 9, 28, 10)
    )
    res = clocks_of(ticket)[Metric.RESOLUTION]
    # Saturday 09-27 is off; Sunday 09-28 is a make-up working day: 09:00-10:00
    assert res.elapsed_seconds == 3600
    assert res.deadline == sh(2025, 9, 28, 10, 30)


def test_response_stops_at_resolution_without_first_response() -> None:
    ticket = Ticket(
        id="INC5", priority="P1", opened=sh(2025, 3, 17, 9), resolved=sh(2025, 3, 17, 9, 20)
    )
    resp = clocks_of(ticket)[Metric.RESPONSE]
    assert resp.stopped == sh(2025, 3, 17, 9, 20)
    assert resp.elapsed_seconds == 1200
    assert resp.status is ClockStatus.BREACHED
    assert resp.deadline == sh(2025, 3, 17, 9, 15)


def test_running_clock_in_progress_then_breached() -> None:
    ticket = Ticket(
        id="INC6", priority="P1", opened=sh(2025, 3, 17, 9), first_response=sh(2025, 3, 17, 9, 30)
    )
    early = clocks_of(ticket, at=sh(2025, 3, 17, 9, 10))
    resp = early[Metric.RESPONSE]  # the response at 09:30 is after `at`: still running
    assert resp.running and resp.stopped is None
    assert resp.status is ClockStatus.IN_PROGRESS
    assert (resp.elapsed_seconds, resp.remaining_seconds) == (600, 300)
    assert resp.percent_used == pytest.approx(600 / 900)
    assert resp.deadline == sh(2025, 3, 17, 9, 15)
    assert early[Metric.RESOLUTION].status is ClockStatus.IN_PROGRESS
    late = clocks_of(ticket, at=sh(2025, 3, 17, 9, 20))[Metric.RESPONSE]
    assert late.running and late.status is ClockStatus.BREACHED and late.elapsed_seconds == 1200


def test_evaluated_before_opened() -> None:
    ticket = Ticket(id="INC7", priority="P1", opened=sh(2025, 3, 17, 9))
    resp = clocks_of(ticket, at=sh(2025, 3, 16, 12))[Metric.RESPONSE]
    assert (resp.status, resp.elapsed_seconds, resp.paused_seconds) == (
        ClockStatus.IN_PROGRESS,
        0,
        0,
    )
    assert resp.deadline == sh(2025, 3, 17, 9, 15)


def test_running_clock_paused_now_gets_deadline_from_at() -> None:
    ticket = Ticket(
        id="INC8",
        priority="P1",
        opened=sh(2025, 3, 17, 9),
        first_response=sh(2025, 3, 17, 9, 5),
        history=hist((sh(2025, 3, 17, 10), "Awaiting Vendor"), (sh(2025, 3, 18, 9), "In Progress")),
    )
    res = clocks_of(ticket, at=sh(2025, 3, 17, 15))[Metric.RESOLUTION]
    # active 09:00-10:00 = 3600; paused 10:00-12:00 + 13:30-15:00 = 12600 (up to `at`)
    assert (res.elapsed_seconds, res.paused_seconds) == (3600, 12600)
    # the remaining 10800 s are counted from `at` (15:00): 15:00-18:00 -> 18:00
    assert res.deadline == sh(2025, 3, 17, 18, 0)
    # evaluated the next day at 10:00 the history is known: resumed at 09:00
    res = clocks_of(ticket, at=sh(2025, 3, 18, 10))[Metric.RESOLUTION]
    assert (res.elapsed_seconds, res.paused_seconds) == (7200, 7200 + 16200)
    assert res.deadline == sh(2025, 3, 18, 12, 0)  # 3600 + 10800 from Tue 09:00


def test_deadline_is_the_earliest_instant_target_is_reached() -> None:
    ticket = Ticket(
        id="INC13",
        priority="P2",
        opened=sh(2025, 3, 17, 9),
        resolved=sh(2025, 3, 17, 15),
        history=hist((sh(2025, 3, 17, 10, 30), "On Hold"), (sh(2025, 3, 17, 14), "Active")),
    )
    res = clocks_of(ticket)[Metric.RESOLUTION]
    # total 09:00-12:00 + 13:30-15:00 = 16200; paused 10:30-12:00 + 13:30-14:00 = 7200
    assert (res.elapsed_seconds, res.paused_seconds, res.status) == (
        9000,
        7200,
        ClockStatus.BREACHED,
    )
    # 5400 s of active time are reached at 10:30, just as the pause starts
    assert res.deadline == sh(2025, 3, 17, 10, 30)


def test_response_pauses_only_when_configured() -> None:
    ticket = Ticket(
        id="INC9",
        priority="P3",
        opened=sh(2025, 3, 17, 9),
        first_response=sh(2025, 3, 17, 11),
        history=hist((sh(2025, 3, 17, 9, 30), "Pending"), (sh(2025, 3, 17, 10, 30), "In Progress")),
    )
    assert clocks_of(ticket)[Metric.RESPONSE].elapsed_seconds == 7200
    with_pauses = SLA(id="s", targets=GOLD.targets, response_pauses=True)
    resp = clocks_of(ticket, sla=with_pauses)[Metric.RESPONSE]
    assert (resp.elapsed_seconds, resp.paused_seconds) == (3600, 3600)
    assert resp.deadline == sh(2025, 3, 17, 11, 0)  # 1800 before the pause, 1800 after 10:30


def test_priority_at_resolution_or_opening() -> None:
    ticket = Ticket(
        id="INC10",
        priority="P2",
        opening_priority="P1",
        opened=sh(2025, 3, 17, 9),
        resolved=sh(2025, 3, 17, 14),
    )
    # elapsed 09:00-12:00 + 13:30-14:00 = 12600
    res = clocks_of(ticket)[Metric.RESOLUTION]
    assert (res.priority, res.target_seconds, res.status) == ("P2", 5400, ClockStatus.BREACHED)
    at_opening = SLA(id="s", targets=GOLD.targets, priority_at="opening")
    res = clocks_of(ticket, sla=at_opening)[Metric.RESOLUTION]
    assert (res.priority, res.target_seconds, res.status) == ("P1", 4 * H, ClockStatus.MET)
    no_opening = Ticket(id="INC11", priority="P2", opened=sh(2025, 3, 17, 9))
    assert clocks_of(no_opening, sla=at_opening)[Metric.RESOLUTION].priority == "P2"


def test_request_turnaround_or_resolution() -> None:
    request = Ticket(
        id="REQ1",
        kind=TicketKind.REQUEST,
        priority="P3",
        opened=sh(2025, 3, 14, 16),
        first_response=sh(2025, 3, 14, 16, 30),
        resolved=sh(2025, 3, 17, 16),
    )
    c = clocks_of(request)
    assert set(c) == {Metric.RESPONSE, Metric.TURNAROUND}
    # Fri 16:00-18:00 7200 + Mon 09:00-12:00 10800 + 13:30-16:00 9000 = 27000 <= 28800
    turn = c[Metric.TURNAROUND]
    assert (turn.elapsed_seconds, turn.status) == (27000, ClockStatus.MET)
    assert turn.deadline == sh(2025, 3, 17, 16, 30)
    # no turnaround target for P2: a request gets a resolution clock
    p2 = Ticket(id="REQ2", kind=TicketKind.REQUEST, priority="P2", opened=sh(2025, 3, 17, 9))
    assert set(clocks_of(p2)) == {Metric.RESPONSE, Metric.RESOLUTION}
    # an incident P3 has only a response target
    p3 = Ticket(id="INC12", priority="P3", opened=sh(2025, 3, 17, 9))
    assert set(clocks_of(p3)) == {Metric.RESPONSE}


BAD_TICKETS = [
    (Ticket(id="B1", priority="P1"), "missing opened"),
    (
        Ticket(id="B2", priority="P1", opened=sh(2025, 3, 17, 9), resolved=sh(2025, 3, 17, 8)),
        "resolved",
    ),
    (
        Ticket(
            id="B3", priority="P1", opened=sh(2025, 3, 17, 9), first_response=sh(2025, 3, 17, 8)
        ),
        "first response",
    ),
    (Ticket(id="B4", priority="P9", opened=sh(2025, 3, 17, 9)), "unknown priority 'P9'"),
    (Ticket(id="B5", opened=sh(2025, 3, 17, 9)), "missing priority"),
    (Ticket(id="B6", priority="P1", opened=sh(2024, 12, 31, 9)), "no SLA version"),
]


@pytest.mark.parametrize("path", ["scalar", "columnar"])
def test_data_quality_findings_and_batch_goes_on(path: str) -> None:
    project = Project(
        id="alpha", slas=(SLA(id="gold", effective_from=date(2025, 1, 1), targets=GOLD.targets),)
    )
    good = Ticket(id="OK1", priority="P1", opened=sh(2025, 3, 17, 9), resolved=sh(2025, 3, 17, 10))
    tickets = [t for t, _ in BAD_TICKETS[:3]] + [good] + [t for t, _ in BAD_TICKETS[3:]]
    if path == "scalar":
        ev = evaluate(tickets, project, LATER, calendar_for=lambda spec: CAL)
        findings = ev.findings
        clock_tickets = {c.ticket_id for c in ev.clocks}
        assert len(ev.clocks) == 2
    else:
        table, findings = evaluate_table(tickets, project, LATER, calendar_for=lambda spec: CAL)
        clock_tickets = {table.ticket_ids[i] for i in table.ticket}
        assert len(table) == 2
    assert clock_tickets == {"OK1"}
    by_id = {f.record_id: f.reason for f in findings}
    assert set(by_id) == {t.id for t, _ in BAD_TICKETS}
    for ticket, reason in BAD_TICKETS:
        assert reason in by_id[ticket.id] and ticket.id in by_id[ticket.id]


def test_sla_version_in_force_when_opened() -> None:
    old = SLA(
        id="gold",
        version="2024",
        effective_to=date(2025, 1, 1),
        targets=Targets(resolution={"P1": 8 * H}),
    )
    new = SLA(
        id="gold",
        version="2025",
        effective_from=date(2025, 1, 1),
        targets=Targets(resolution={"P1": 2 * H}),
    )
    project = Project(id="alpha", slas=(old, new))
    tickets = [
        Ticket(
            id="T2024", priority="P1", opened=sh(2024, 12, 31, 9), resolved=sh(2024, 12, 31, 13, 30)
        ),
        Ticket(
            id="T2025", priority="P1", opened=sh(2025, 3, 17, 9), resolved=sh(2025, 3, 17, 13, 30)
        ),
    ]
    ev = evaluate(tickets, project, LATER, calendar_for=lambda spec: CAL)
    got = {
        c.ticket_id: (c.target_seconds, c.elapsed_seconds, c.status, c.project) for c in ev.clocks
    }
    assert got == {
        "T2024": (8 * H, 3 * H, ClockStatus.MET, "alpha"),
        "T2025": (2 * H, 3 * H, ClockStatus.BREACHED, "alpha"),
    }
    table, findings = evaluate_table(tickets, project, LATER, calendar_for=lambda spec: CAL)
    assert findings == ()
    assert sorted(zip(table.target.tolist(), table.elapsed.tolist(), strict=True)) == [
        (2 * H, 3 * H),
        (8 * H, 3 * H),
    ]


def test_servicenow_like_end_to_end() -> None:
    """Tickets built the way the ServiceNow audit-log source builds them."""
    sla = SLA(id="sn", targets=Targets(response={"P3": H}, resolution={"P3": 9 * H}))
    project = Project(id="sn", slas=(sla,))
    # INC0001: New 09:00 -> Active 09:40 (first response) -> Awaiting User Info 10:00
    # -> Active Tue 10:00 -> Resolved Tue 11:00 -> Closed Wed 11:00.
    inc1 = Ticket(
        id="INC0001",
        priority="P3",
        opened=sh(2025, 3, 17, 9),
        first_response=sh(2025, 3, 17, 9, 40),
        resolved=sh(2025, 3, 18, 11),
        closed=sh(2025, 3, 19, 11),
        history=hist(
            (sh(2025, 3, 17, 9), "New"),
            (sh(2025, 3, 17, 9, 40), "Active"),
            (sh(2025, 3, 17, 10), "Awaiting User Info"),
            (sh(2025, 3, 18, 10), "Active"),
            (sh(2025, 3, 18, 11), "Resolved"),
            (sh(2025, 3, 19, 11), "Closed"),
        ),
    )
    # INC0002: only New events, resolved with no first response; INC0003 still open.
    inc2 = Ticket(
        id="INC0002",
        priority="P3",
        opened=sh(2025, 3, 17, 17),
        resolved=sh(2025, 3, 18, 10, 30),
        history=hist((sh(2025, 3, 17, 17), "New"), (sh(2025, 3, 18, 10, 30), "Resolved")),
    )
    inc3 = Ticket(
        id="INC0003",
        priority="P3",
        opened=sh(2025, 3, 18, 9),
        first_response=sh(2025, 3, 18, 9, 10),
        history=hist((sh(2025, 3, 18, 9, 10), "Active")),
    )
    at = sh(2025, 3, 18, 15)
    ev = evaluate([inc1, inc2, inc3], project, at, calendar_for=lambda spec: CAL)
    got = {
        (c.ticket_id, c.metric): (c.elapsed_seconds, c.paused_seconds, c.status) for c in ev.clocks
    }
    assert got == {
        ("INC0001", Metric.RESPONSE): (2400, 0, ClockStatus.MET),
        # active Mon 09:00-10:00 + Tue 10:00-11:00; paused Mon 10:00-18:00 (23400) + Tue 09-10
        ("INC0001", Metric.RESOLUTION): (7200, 27000, ClockStatus.MET),
        # Mon 17:00-18:00 + Tue 09:00-10:30 = 9000 > 3600
        ("INC0002", Metric.RESPONSE): (9000, 0, ClockStatus.BREACHED),
        ("INC0002", Metric.RESOLUTION): (9000, 0, ClockStatus.MET),
        ("INC0003", Metric.RESPONSE): (600, 0, ClockStatus.MET),
        # running at 15:00: 09:00-12:00 + 13:30-15:00 = 16200
        ("INC0003", Metric.RESOLUTION): (16200, 0, ClockStatus.IN_PROGRESS),
    }
    table, _ = evaluate_table([inc1, inc2, inc3], project, at, calendar_for=lambda spec: CAL)
    assert _rows(table) == _rows(ClockTable.from_clocks(ev.clocks))


# ------------------------------------------------------------------ tables


def _rows(table: ClockTable) -> list[tuple[object, ...]]:
    """Table rows as comparable tuples with names resolved, sorted."""
    return sorted(
        (
            table.ticket_ids[table.ticket[i]],
            METRIC_CODES[table.metric[i]],
            table.priorities[table.priority[i]],
            table.projects[table.project[i]],
            int(table.target[i]),
            int(table.elapsed[i]),
            int(table.stopped_us[i]),
            STATUS_CODES[table.status[i]],
            bool(table.major[i]),
        )
        for i in range(len(table))
    )


def test_from_clocks_and_concat() -> None:
    a = Ticket(
        id="A",
        project="p1",
        priority="P1",
        opened=sh(2025, 3, 17, 9),
        resolved=sh(2025, 3, 17, 10),
        major=True,
    )
    b = Ticket(id="B", project="p2", priority="P2", opened=sh(2025, 3, 17, 9))
    ca, cb = clocks_of(a), clocks_of(b)
    ta = ClockTable.from_clocks(list(ca.values()))
    tb = ClockTable.from_clocks(list(cb.values()))
    both = ClockTable.concat([ta, tb])
    assert both.priorities == ["P1", "P2"] and both.projects == ["p1", "p2"]
    assert _rows(both) == _rows(ClockTable.from_clocks([*ca.values(), *cb.values()]))
    stopped = {(r[0], r[1]): r[6] for r in _rows(both)}
    assert stopped[("A", Metric.RESOLUTION)] == _us(sh(2025, 3, 17, 10))
    assert stopped[("B", Metric.RESPONSE)] == RUNNING
    assert len(ClockTable.concat([])) == 0 and len(ClockTable.from_clocks([])) == 0


def test_evaluate_columns_empty() -> None:
    columns, findings = TicketColumns.from_tickets([], GOLD)
    assert len(columns) == 0 and findings == ()
    assert len(evaluate_columns(columns, GOLD, CAL, LATER)) == 0


def test_ticket_columns_shape_checked() -> None:
    columns, _ = TicketColumns.from_tickets([Ticket(id="A", priority="P1", opened=LATER)], GOLD)
    with pytest.raises(ValueError, match="opened_us has 2 rows, expected 1"):
        attrs.evolve(columns, opened_us=np.zeros(2, dtype=np.int64))
    with pytest.raises(ValueError, match="excluded_ticket must be sorted"):
        attrs.evolve(
            columns,
            excluded_ticket=np.array([0, 0, -1]),
            excluded_start_us=np.zeros(3, dtype=np.int64),
            excluded_end_us=np.ones(3, dtype=np.int64),
        )


def test_naive_evaluation_instant_rejected() -> None:
    with pytest.raises(ValueError, match="naive"):
        evaluate([], PROJECT, datetime(2025, 1, 1), calendar_for=lambda spec: CAL)


# -------------------------------------------------------------- properties

STATUSES = [
    "New",
    "Active",
    "In Progress",
    "Awaiting User Info",
    "Awaiting Vendor",
    "Resolved",
    "Closed",
]
T0 = sh(2025, 1, 1)
MINUTES = 400 * 24 * 60  # opened and events within ~13 months of 2025-01-01


@st.composite
def tickets(draw: st.DrawFn, ident: str = "T") -> Ticket:
    opened = T0 + timedelta(minutes=draw(st.integers(0, MINUTES)))
    offsets = st.integers(0, 20 * 24 * 60).map(lambda m: opened + timedelta(minutes=m))
    first_response = draw(st.none() | offsets)
    resolved = draw(st.none() | offsets)
    events = draw(
        st.lists(st.tuples(st.integers(-600, 20 * 24 * 60), st.sampled_from(STATUSES)), max_size=6)
    )
    history = hist(*((opened + timedelta(minutes=m), s) for m, s in sorted(events)))
    return Ticket(
        id=ident,
        kind=draw(st.sampled_from(TicketKind)),
        priority=draw(st.sampled_from(["P1", "P2", "P3"])),
        opened=opened,
        first_response=first_response,
        resolved=resolved,
        history=history,
        major=draw(st.booleans()),
    )


ticket_lists = st.lists(tickets(), min_size=1, max_size=8).map(
    lambda ts: [attrs.evolve(t, id=f"T{i}") for i, t in enumerate(ts)]
)
instants = st.integers(0, MINUTES + 30 * 24 * 60).map(lambda m: T0 + timedelta(minutes=m))
slas = st.builds(
    lambda pauses, opening: SLA(
        id="s", targets=GOLD.targets, response_pauses=pauses, priority_at=opening
    ),
    st.booleans(),
    st.sampled_from(["resolution", "opening"]),
)


def _valid(ticket: Ticket) -> bool:
    return not isinstance(evaluate_ticket(ticket, GOLD, CAL, LATER), DataQualityFinding)


@settings(deadline=None)
@given(ts=ticket_lists, sla=slas, at=instants)
def test_vectorised_equals_scalar(ts: list[Ticket], sla: SLA, at: datetime) -> None:
    scalar: dict[tuple[str, Metric], tuple[object, ...]] = {}
    for ticket in ts:
        result = evaluate_ticket(ticket, sla, CAL, at)
        assert not isinstance(result, DataQualityFinding), result
        for c in result:
            stopped = RUNNING if c.stopped is None else _us(c.stopped)
            assert c.deadline is not None
            scalar[(c.ticket_id, c.metric)] = (
                c.elapsed_seconds,
                c.paused_seconds,
                stopped,
                _us(c.deadline),
                c.status,
            )
    columns, findings = TicketColumns.from_tickets(ts, sla)
    assert len(columns) + len(findings) == len(ts)
    columnar: dict[tuple[str, Metric], tuple[object, ...]] = {}
    for plan in _column_plans(columns, sla):
        m = _measure_columns(columns, CAL, at, plan)
        deadlines = _deadlines_us(CAL, plan, m)
        for k, row in enumerate(plan.rows):
            elapsed = int(m.elapsed[k])
            status = (
                ClockStatus.BREACHED
                if elapsed > plan.target[k]
                else (ClockStatus.IN_PROGRESS if m.stopped_us[k] == RUNNING else ClockStatus.MET)
            )
            columnar[(columns.ids[row], METRIC_CODES[plan.metric])] = (
                elapsed,
                int(m.paused[k]),
                int(m.stopped_us[k]),
                int(deadlines[k]),
                status,
            )
    assert columnar == scalar
    table = evaluate_columns(columns, sla, CAL, at)
    assert {(r[0], r[1]): (r[5], r[6], r[7]) for r in _rows(table)} == {
        k: (v[0], v[2], v[4]) for k, v in scalar.items()
    }
    deadlines = column_deadlines(columns, sla, CAL, at).view(np.int64)
    assert {
        (table.ticket_ids[t], METRIC_CODES[m]): int(d)
        for t, m, d in zip(table.ticket, table.metric, deadlines, strict=True)
    } == {k: v[3] for k, v in scalar.items()}


@settings(deadline=None)
@given(ticket=tickets(), at=instants)
def test_elapsed_bounded_and_deadline_consistent(ticket: Ticket, at: datetime) -> None:
    result = evaluate_ticket(ticket, GOLD, CAL, at)
    if isinstance(result, DataQualityFinding):
        return
    for c in result:
        horizon = max(c.started, c.stopped or at)
        assert 0 <= c.elapsed_seconds <= CAL.business_seconds(c.started, horizon)
        assert c.elapsed_seconds + c.paused_seconds == CAL.business_seconds(c.started, horizon)
        assert c.deadline is not None
        if c.paused_seconds == 0 and c.metric is Metric.RESPONSE:
            assert c.deadline == CAL.add_business_seconds(c.started, c.target_seconds)
        if c.elapsed_seconds >= c.target_seconds:
            # the deadline lies in the known history: as of the deadline, elapsed == target
            (again,) = [
                d for d in clocks_of(ticket, at=c.deadline).values() if d.metric is c.metric
            ]
            assert again.elapsed_seconds == c.target_seconds


@settings(deadline=None)
@given(
    ticket=tickets(),
    at=instants,
    start=st.integers(0, 20 * 24 * 60),
    length=st.integers(1, 5 * 24 * 60),
)
def test_adding_a_pause_never_increases_elapsed(
    ticket: Ticket, at: datetime, start: int, length: int
) -> None:
    if not _valid(ticket):
        return
    assert ticket.opened is not None
    s = ticket.opened + timedelta(minutes=start)
    e = s + timedelta(minutes=length)
    before = clocks_of(ticket, at=at)
    after = clocks_of(attrs.evolve(ticket, history=_with_pause(ticket.history, s, e)), at=at)
    for metric, clock in before.items():
        assert after[metric].elapsed_seconds <= clock.elapsed_seconds
        assert after[metric].paused_seconds >= clock.paused_seconds


def _with_pause(
    history: tuple[StatusChange, ...], s: datetime, e: datetime
) -> tuple[StatusChange, ...]:
    """``history`` with the status forced to a pause status during ``[s, e)``."""
    status_at_e = "New"
    for change in history:
        if change.at <= e:
            status_at_e = change.status
    kept = [c for c in history if not s <= c.at <= e]
    added = [StatusChange(at=s, status="Awaiting Vendor"), StatusChange(at=e, status=status_at_e)]
    return tuple(sorted([*kept, *added], key=lambda c: c.at))


def test_columns_match_scalar_on_a_larger_batch() -> None:
    rng = np.random.default_rng(7)
    ts = []
    for i in range(300):
        opened = T0 + timedelta(minutes=int(rng.integers(0, MINUTES)))
        pause = opened + timedelta(minutes=int(rng.integers(0, 3000)))
        ts.append(
            Ticket(
                id=f"R{i}",
                priority=str(rng.choice(["P1", "P2", "P3"])),
                kind=TicketKind.REQUEST if i % 3 == 0 else TicketKind.INCIDENT,
                opened=opened,
                first_response=opened + timedelta(minutes=int(rng.integers(0, 300)))
                if i % 4
                else None,
                resolved=opened + timedelta(minutes=int(rng.integers(0, 9000))) if i % 5 else None,
                history=hist(
                    (pause, "Awaiting User Info"),
                    (pause + timedelta(minutes=int(rng.integers(1, 2000))), "Active"),
                ),
            )
        )
    at = sh(2026, 1, 15)
    ev = evaluate(ts, PROJECT, at, calendar_for=lambda spec: CAL)
    table, findings = evaluate_table(ts, PROJECT, at, calendar_for=lambda spec: CAL)
    assert findings == ev.findings == ()
    assert _rows(table) == _rows(ClockTable.from_clocks(ev.clocks))

"""KPI engine: hand-computed examples for each formula, properties, converter round trip."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itsskit.calendar import BusinessCalendar
from itsskit.clocks import Clock, ClockTable
from itsskit.converter import converter
from itsskit.kpis import (
    KpiResult,
    availability,
    callback_coverage,
    change,
    company_attainment,
    company_kpis,
    failure_count,
    format_value,
    longest_failure_seconds,
    merge_intervals,
    metric_attainment,
    mtbf,
    mttr,
    project_attainment,
    project_attainments,
    project_kpis,
    report_on_time,
    satisfaction_mean,
    satisfied_share,
    service_time,
    slope,
    status_for,
    trend,
)
from itsskit.models import (
    SLA,
    CalendarSpec,
    Change,
    ClockStatus,
    Metric,
    Outage,
    Project,
    RecordSet,
    ReportSubmission,
    StatusChange,
    SurveyKind,
    SurveyResponse,
    Targets,
    Ticket,
    TicketKind,
)
from itsskit.periods import Period

TZ = ZoneInfo("Asia/Shanghai")
OCT = Period.month(2025, 10)
Q4 = Period.quarter(2025, 4)
ALWAYS = BusinessCalendar.always()
OFFICE = BusinessCalendar(hours=("09:00-12:00", "13:00-18:00"))  # Mon-Fri, 8 h a day


def t(day: int, hour: int = 0, minute: int = 0, month: int = 10) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=TZ)


def clock(
    ticket: str,
    metric: Metric,
    status: ClockStatus,
    stopped: datetime | None,
    *,
    priority: str = "P1",
    project: str = "a",
    target: int = 600,
    elapsed: int | None = None,
) -> Clock:
    if elapsed is None:
        elapsed = target + 60 if status == ClockStatus.BREACHED else target // 2
    return Clock(
        ticket_id=ticket,
        project=project,
        service="erp",
        metric=metric,
        priority=priority,
        target_seconds=target,
        elapsed_seconds=elapsed,
        paused_seconds=0,
        started=t(1),
        stopped=stopped,
        deadline=None,
        status=status,
    )


MET, BREACHED, RUNNING = ClockStatus.MET, ClockStatus.BREACHED, ClockStatus.IN_PROGRESS
RESP, RESO = Metric.RESPONSE, Metric.RESOLUTION


# ------------------------------------------------------------ hand examples


def example_table() -> ClockTable:
    return ClockTable.from_clocks(
        [
            clock("1", RESP, MET, t(2, 9)),
            clock("1", RESO, MET, t(2, 12)),
            clock("2", RESP, BREACHED, t(3, 9), priority="P2"),  # response breached...
            clock("2", RESO, MET, t(3, 12), priority="P2"),  # ...resolution met
            clock("3", RESP, MET, t(30, 9)),
            clock("3", RESO, BREACHED, t(2, 9, month=11)),  # stops in November
            clock("4", RESP, MET, t(30, 9, month=9)),  # September
            clock("4", RESO, MET, t(1, 0)),  # first instant of October counts
            clock("5", RESP, BREACHED, None, elapsed=9000),  # open breach
            clock("5", RESO, RUNNING, None),
            clock("6", RESP, MET, t(1, 0, month=11)),  # end is exclusive
        ]
    )


def test_metric_attainment_by_hand() -> None:
    table = example_table()
    response = metric_attainment(table, RESP, OCT)
    # stopped in October: 1 met, 2 breached, 3 met -> 2/3
    assert (response.numerator, response.denominator) == (2, 3)
    assert response.value == pytest.approx(2 / 3)
    assert response.status == "missed"
    assert response.details["by_priority"] == {
        "P1": {"met": 2, "breached": 0, "value": 1.0},
        "P2": {"met": 0, "breached": 1, "value": 0.0},
    }
    assert response.details["open_breach_count"] == 1
    assert response.details["open_breaches"] == [
        {
            "ticket_id": "5",
            "metric": "response",
            "priority": "P1",
            "elapsed_seconds": 9000,
            "target_seconds": 600,
        }
    ]
    resolution = metric_attainment(table, RESO, OCT)
    assert (resolution.numerator, resolution.denominator) == (3, 3)  # tickets 1, 2, 4
    assert resolution.status == "met"
    assert resolution.details["open_breach_count"] == 0


def test_project_attainment_by_hand() -> None:
    table = example_table()
    # decided in October: 1 (all met), 2 (response breached), 4 (all met); 6 is response-only
    # in November, 3 decided in November, 5 running.
    result = project_attainment(table, OCT)
    assert (result.numerator, result.denominator) == (2, 3)
    nov = project_attainment(table, Period.month(2025, 11))
    assert (nov.numerator, nov.denominator) == (1, 2)  # 6 met, 3 breached
    assert project_attainments(table, OCT)["a"].value == pytest.approx(2 / 3)


def test_empty_rates_are_not_applicable() -> None:
    table = example_table()
    dec = metric_attainment(table, RESP, Period.month(2025, 12))
    assert dec.value is None and dec.status == "not_applicable"
    assert format_value(dec) == "n/a"
    assert project_attainment(table, OCT, "other").value is None
    assert company_attainment({"a": None, "b": None}).value is None


def test_company_attainment_is_plain_mean() -> None:
    result = company_attainment({"a": 1.0, "b": 0.5, "c": None})
    assert result.value == 0.75
    assert (result.numerator, result.denominator) == (1.5, 2)
    assert result.details["projects"] == {"a": 1.0, "b": 0.5, "c": None}


def test_status_for_margins() -> None:
    assert status_for(None, 0.95) == "not_applicable"
    assert status_for(0.5, None) == "no_target"
    assert status_for(0.94, 0.95, ">=", 0.02) == "missed"
    assert status_for(0.95, 0.95, ">=", 0.02) == "at_risk"
    assert status_for(0.96, 0.95, ">=", 0.02) == "at_risk"
    assert status_for(0.98, 0.95, ">=", 0.02) == "met"
    assert status_for(0.95, 0.95, ">=", 0.0) == "met"
    assert status_for(3, 2, "<=") == "missed"
    assert status_for(2, 2, "<=") == "met"
    assert status_for(2, 2, "<=", 1) == "at_risk"
    assert status_for(0, 2, "<=", 1) == "met"


def test_merge_intervals_by_hand() -> None:
    merged = merge_intervals(
        [(t(1, 10), t(1, 12)), (t(1, 9), t(1, 10)), (t(1, 11), t(1, 13)), (t(2), t(2))]
    )
    assert merged == [(t(1, 9), t(1, 13))]  # touching and overlapping merged, empty dropped


def test_availability_by_hand() -> None:
    # Office hours 8 h/day. 2025-10-09 (Thu) is the first working day after National Day?
    # We use a plain weekly calendar: October 2025 has 23 weekdays -> 184 h agreed.
    outages = [
        Outage(id="o1", service="erp", start=t(6, 10), end=t(6, 11)),  # Mon 1 h
        Outage(id="o2", service="erp", start=t(6, 10, 30), end=t(6, 12, 30)),  # merged: 10-12:30
        Outage(id="o3", service="erp", start=t(7, 17), end=t(8, 10)),  # 1 h + 1 h, one failure
        Outage(id="o4", service="erp", start=t(11, 10), end=t(11, 12)),  # Saturday: no downtime
        Outage(id="p1", service="erp", start=t(9, 9), end=t(9, 11), planned=True),
        Outage(id="o5", service="erp", start=t(9, 10), end=t(9, 12)),  # 1 h outside planned
        Outage(id="x", service="crm", start=t(6, 10), end=t(6, 11)),  # other service
    ]
    changes = [
        Change(id="c1", service="erp", approved=True, window_start=t(10, 9), window_end=t(10, 12)),
        Change(id="c2", service="erp", approved=False, window_start=t(13, 9), window_end=t(13, 12)),
    ]
    time = service_time("erp", outages, changes, OFFICE, OCT, t(1, month=11))
    agreed = (23 * 8 - 2 - 3) * 3600  # minus planned 9:00-11:00 on the 9th, change on the 10th
    down = (2 * 3600) + (3600 + 3600) + 3600  # 10:00-12:00 (lunch off), 17-18 + 9-10, 11-12
    assert time.agreed_seconds == agreed
    assert time.downtime_seconds == down
    assert len(time.failures) == 3
    assert time.longest_seconds == 7200
    assert availability([time]).value == pytest.approx((agreed - down) / agreed)
    assert mttr([time]).value == down / 3
    assert mtbf([time]).value == (agreed - down) / 3
    assert failure_count([time], target=2).status == "missed"
    assert longest_failure_seconds([time], target=7200).status == "met"


def test_failure_counted_in_period_of_first_downtime() -> None:
    # Starts Fri 2025-10-31 17:00, ends Mon 2025-11-03 10:00: counted in October only.
    outage = Outage(id="o", service="erp", start=t(31, 17), end=t(3, 10, month=11))
    oct_time = service_time("erp", [outage], [], OFFICE, OCT, t(30, month=11))
    nov_time = service_time("erp", [outage], [], OFFICE, Period.month(2025, 11), t(30, month=11))
    assert (len(oct_time.failures), oct_time.downtime_seconds) == (1, 3600)
    assert (len(nov_time.failures), nov_time.downtime_seconds) == (0, 3600)
    assert mttr([nov_time]).value is None and mtbf([nov_time]).value is None
    # Starts at night (no service hours): its first second of downtime is in November.
    night = Outage(id="n", service="erp", start=t(31, 20), end=t(3, 10, month=11))
    assert service_time("erp", [night], [], OFFICE, OCT, t(30, month=11)).failures == ()
    assert (
        len(
            service_time(
                "erp", [night], [], OFFICE, Period.month(2025, 11), t(30, month=11)
            ).failures
        )
        == 1
    )


def test_open_outage_runs_to_evaluation_instant() -> None:
    outage = Outage(id="o", service="erp", start=t(1, 0), end=None)
    time = service_time("erp", [outage], [], ALWAYS, OCT, t(1, 6))
    assert time.downtime_seconds == 6 * 3600


def test_satisfaction_by_hand() -> None:
    surveys = [
        SurveyResponse(id="s1", answered=t(2), score=5),
        SurveyResponse(id="s2", answered=t(3), score=4, kind=SurveyKind.PROJECT),
        SurveyResponse(id="s3", answered=t(4), score=2),
        SurveyResponse(id="s4", answered=t(1, month=11), score=1),  # November
    ]
    mean = satisfaction_mean(surveys, OCT)
    assert mean.value == pytest.approx(11 / 3)
    assert mean.unit == "score"
    assert satisfied_share(surveys, OCT).value == pytest.approx(2 / 3)
    assert satisfaction_mean(surveys, Period.month(2025, 12)).value is None


def test_callback_coverage_by_hand() -> None:
    week = timedelta(days=7)
    tickets = [
        Ticket(id="1", opened=t(1), resolved=t(2, 10), callback=t(2, 10) + week),  # exactly 7x24h
        Ticket(
            id="2", opened=t(1), resolved=t(2, 10), callback=t(2, 10) + week + timedelta(seconds=1)
        ),
        Ticket(id="3", opened=t(1), resolved=t(2, 10), callback=t(2, 9)),  # before resolution
        Ticket(id="4", opened=t(1), resolved=t(3, 10)),  # callback survey instead
        Ticket(id="5", opened=t(1), resolved=t(3, 10)),  # none
        Ticket(id="6", kind=TicketKind.REQUEST, opened=t(1), resolved=t(3, 10)),  # not an incident
        Ticket(id="7", opened=t(1), resolved=t(1, month=11), callback=t(2, month=11)),  # November
    ]
    surveys = [SurveyResponse(id="s", ticket="4", answered=t(4), score=5)]
    result = callback_coverage(tickets, OCT, surveys)
    assert (result.numerator, result.denominator) == (2, 5)
    assert result.details["missing"] == ["2", "3", "5"]


def test_report_on_time_by_hand() -> None:
    subs = [
        ReportSubmission(report="r1", due=t(5, 18), submitted=t(5, 18)),  # on time (at due)
        ReportSubmission(report="r2", due=t(6, 18), submitted=t(6, 19)),  # late
        ReportSubmission(report="r3", due=t(7, 18)),  # not submitted, overdue at `at`
        ReportSubmission(report="r4", due=t(30, 18)),  # not yet due at `at`: not counted
        ReportSubmission(report="r5", due=t(5, 18, month=11), submitted=t(1, month=11)),
    ]
    result = report_on_time(subs, OCT, t(20))
    assert (result.numerator, result.denominator) == (1, 3)
    assert [row["report"] for row in result.details["pending"]] == ["r4"]
    assert result.status == "missed"


def test_trends_by_hand() -> None:
    assert change(0.9, 0.8) == pytest.approx(0.1)
    assert change(None, 0.8) is None
    assert slope([1.0, 2.0, 3.0]) == pytest.approx(1.0)
    assert slope([1.0, None, 3.0]) == pytest.approx(1.0)  # None keeps its place
    assert slope([None, 2.0]) is None
    assert slope([0.0, 1.0, 0.0, 1.0]) == pytest.approx(0.2)
    bundles = [{"x": KpiResult(name="x", value=v)} for v in (0.5, None, 0.7, 0.8)]
    result = trend("x", bundles)
    assert result.change == pytest.approx(0.1)
    assert result.slope == pytest.approx(slope([0.5, None, 0.7, 0.8]))


def test_kpi_result_round_trip_through_converter() -> None:
    table = example_table()
    result = metric_attainment(table, RESP, OCT)
    data = converter.unstructure(result)
    assert data["value"] == pytest.approx(2 / 3) and data["unit"] == "ratio"
    back = converter.structure(data, KpiResult)
    assert back == result
    assert isinstance(back.numerator, float) and isinstance(back.target, float)
    assert isinstance(back.details["open_breaches"][0]["elapsed_seconds"], int)
    empty = converter.structure(
        converter.unstructure(metric_attainment(table, RESP, Q4.shift(1))), KpiResult
    )
    assert empty.value is None and empty.status == "not_applicable"


def _project() -> Project:
    sla = SLA(
        id="gold",
        calendar=CalendarSpec(preset="always"),
        targets=Targets(response={"P1": 900}, resolution={"P1": 3600}),
        availability=0.99,
        max_failures=1,
    )
    return Project(id="a", slas=(sla,), services=("erp",))


def _resolved(ticket_id: str, day: int, respond_min: int, resolve_min: int) -> Ticket:
    opened = t(day, 9)
    resolved = opened + timedelta(minutes=resolve_min)
    return Ticket(
        id=ticket_id,
        priority="P1",
        opened=opened,
        first_response=opened + timedelta(minutes=respond_min),
        resolved=resolved,
        history=(StatusChange(at=resolved, status="Resolved"),),
    )


def test_project_kpis_bundle() -> None:
    records = RecordSet(
        tickets=(
            _resolved("1", 1, 10, 50),
            _resolved("2", 2, 20, 50),  # response breached (20 min > 15)
            Ticket(
                id="3",
                priority="P1",
                opened=t(31, 20),
                history=(StatusChange(at=t(31, 20), status="New"),),
            ),
        ),
        outages=(Outage(id="o", service="erp", start=t(3, 10), end=t(3, 12)),),
    )
    kpis = project_kpis(records, _project(), OCT, t(5, month=11))
    assert (kpis["sla_attainment"].numerator, kpis["sla_attainment"].denominator) == (1, 2)
    assert kpis["response_attainment"].value == 0.5
    assert kpis["resolution_attainment"].value == 1.0
    assert kpis["turnaround_attainment"].value is None
    # evaluated at the period end: ticket 3 has run 4 h -> open breach of both clocks
    assert kpis["open_breaches"].value == 2
    assert kpis["response_attainment"].details["open_breaches"][0]["elapsed_seconds"] == 4 * 3600
    agreed = 31 * 24 * 3600
    assert kpis["availability"].value == pytest.approx((agreed - 7200) / agreed)
    assert kpis["availability"].target == 0.99
    # 0.99731 >= 0.99 + margin, margin = min(0.02, (1 - 0.99) / 2) = 0.005
    assert kpis["availability"].status == "met"
    assert kpis["failure_count"].status == "met"
    assert kpis["mttr_seconds"].value == 7200
    assert kpis["satisfaction_mean"].value is None
    assert kpis["callback_coverage"].value == 0.0
    overridden = project_kpis(
        records,
        _project(),
        OCT,
        t(5, month=11),
        targets={"satisfaction_mean": 4.0},
        margins={"availability": 0.001},
    )
    assert overridden["availability"].status == "met"
    assert overridden["satisfaction_mean"].target == 4.0
    for result in kpis.values():
        assert converter.structure(converter.unstructure(result), KpiResult) == result


def test_company_kpis_pool() -> None:
    a = {
        "sla_attainment": KpiResult(
            name="sla_attainment", value=1.0, target=0.95, numerator=1, denominator=1
        ),
        "availability": KpiResult(
            name="availability", value=0.5, target=0.99, numerator=50, denominator=100
        ),
        "failure_count": KpiResult(name="failure_count", value=2, unit="count", numerator=2),
        "longest_failure_seconds": KpiResult(
            name="longest_failure_seconds", value=60, unit="seconds"
        ),
    }
    b = {
        "sla_attainment": KpiResult(
            name="sla_attainment", value=0.5, target=0.95, numerator=50, denominator=100
        ),
        "availability": KpiResult(
            name="availability", value=1.0, target=0.995, numerator=300, denominator=300
        ),
        "failure_count": KpiResult(name="failure_count", value=1, unit="count", numerator=1),
        "longest_failure_seconds": KpiResult(
            name="longest_failure_seconds", value=90, unit="seconds"
        ),
    }
    company = company_kpis({"a": a, "b": b})
    assert company["sla_attainment"].value == 0.75  # plain mean, not 51/101
    assert company["availability"].value == 350 / 400
    assert company["availability"].target is None  # targets differ
    assert company["failure_count"].value == 3
    assert company["longest_failure_seconds"].value == 90


# ---------------------------------------------------------------- properties

outcomes = st.lists(st.tuples(st.booleans(), st.sampled_from(["P1", "P2", "P3"])), max_size=30)


def _outcome_table(rows: list[tuple[bool, str]]) -> ClockTable:
    return ClockTable.from_clocks(
        [
            clock(str(i), RESO, MET if met else BREACHED, t(1 + i % 28, 9), priority=priority)
            for i, (met, priority) in enumerate(rows)
        ]
    )


@given(outcomes, st.sampled_from(["P1", "P2"]))
def test_rates_in_range_and_monotone(rows: list[tuple[bool, str]], priority: str) -> None:
    base = metric_attainment(_outcome_table(rows), RESO, OCT).value
    more_met = metric_attainment(_outcome_table([*rows, (True, priority)]), RESO, OCT).value
    more_breached = metric_attainment(_outcome_table([*rows, (False, priority)]), RESO, OCT).value
    project = project_attainment(_outcome_table(rows), OCT).value
    for value in (base, more_met, more_breached, project):
        assert value is None or 0.0 <= value <= 1.0
    assert more_met is not None and more_breached is not None
    if base is None:
        assert (more_met, more_breached) == (1.0, 0.0)
    else:
        assert more_met >= base >= more_breached
        assert base == project  # one clock per ticket: the same rate
        assert base == pytest.approx(sum(met for met, _ in rows) / len(rows))


spans = st.lists(
    st.tuples(st.integers(0, 2000), st.integers(0, 600)).map(
        lambda pair: (
            t(1) + timedelta(minutes=pair[0]),
            t(1) + timedelta(minutes=pair[0] + pair[1]),
        )
    ),
    max_size=12,
)


@given(spans, st.randoms(use_true_random=False))
def test_merge_idempotent_and_order_independent(intervals, random) -> None:  # type: ignore[no-untyped-def]
    merged = merge_intervals(intervals)
    shuffled = list(intervals)
    random.shuffle(shuffled)
    assert merge_intervals(shuffled) == merged
    assert merge_intervals(merged) == merged
    assert all(end < start for (_, end), (start, _) in zip(merged, merged[1:], strict=False))
    minutes = {
        m for s, e in intervals for m in range(int(s.timestamp()) // 60, int(e.timestamp()) // 60)
    }
    assert sum((e - s).total_seconds() for s, e in merged) == 60 * len(minutes)


def _outages(intervals: list[tuple[datetime, datetime]]) -> list[Outage]:
    return [Outage(id=str(i), service="erp", start=s, end=e) for i, (s, e) in enumerate(intervals)]


@given(spans, spans)
def test_availability_falls_as_outages_grow(first, extra) -> None:  # type: ignore[no-untyped-def]
    at = t(1, month=12)
    none = availability([service_time("erp", [], [], OFFICE, OCT, at)])
    assert none.value == 1.0
    some = service_time("erp", _outages(first), [], OFFICE, OCT, at)
    more = service_time("erp", _outages(first + extra), [], OFFICE, OCT, at)
    a, b = availability([some]).value, availability([more]).value
    assert a is not None and b is not None
    assert 0.0 <= b <= a <= 1.0
    assert more.downtime_seconds >= some.downtime_seconds
    for time in (some, more):
        count = len(time.failures)
        assert (mttr([time]).value is None) == (count == 0)
        if count:
            assert mttr([time]).value * count == pytest.approx(time.downtime_seconds)  # type: ignore[operator]


quarter_spans = st.lists(
    st.tuples(st.integers(0, 92 * 24 * 60), st.integers(0, 5000)).map(
        lambda pair: (
            t(1) + timedelta(minutes=pair[0]),
            t(1) + timedelta(minutes=pair[0] + pair[1]),
        )
    ),
    max_size=10,
)


@given(quarter_spans, st.lists(st.integers(0, 92 * 24 - 1), max_size=30))
def test_months_add_up_to_the_quarter(intervals, stop_hours) -> None:  # type: ignore[no-untyped-def]
    at = t(1, month=12) + timedelta(days=40)
    outages = _outages(intervals)
    quarter = service_time("erp", outages, [], OFFICE, Q4, at)
    months = [service_time("erp", outages, [], OFFICE, month, at) for month in Q4.months()]
    assert sum(m.agreed_seconds for m in months) == pytest.approx(quarter.agreed_seconds)
    assert sum(m.downtime_seconds for m in months) == pytest.approx(quarter.downtime_seconds)
    assert sum(len(m.failures) for m in months) == len(quarter.failures)
    table = ClockTable.from_clocks(
        [
            clock(str(i), RESO, MET if i % 3 else BREACHED, t(1) + timedelta(hours=h))
            for i, h in enumerate(stop_hours)
        ]
    )
    whole = metric_attainment(table, RESO, Q4)
    parts = [metric_attainment(table, RESO, month) for month in Q4.months()]
    assert sum(p.numerator or 0 for p in parts) == whole.numerator
    assert sum(p.denominator or 0 for p in parts) == whole.denominator == len(stop_hours)


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=3), st.one_of(st.none(), st.floats(0, 1)), max_size=8
    )
)
def test_company_rate_is_plain_mean(rates: dict[str, float | None]) -> None:
    result = company_attainment(rates)
    applicable = [r for r in rates.values() if r is not None]
    if not applicable:
        assert result.value is None
    else:
        assert result.value == pytest.approx(sum(applicable) / len(applicable))
        assert 0.0 <= result.value <= 1.0 + 1e-12

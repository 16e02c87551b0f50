"""Maintenance time periods as windows; every expected window worked out by hand
from a calendar (October 2025: the 1st is a Wednesday, Sundays are 5/12/19/26)."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itsskit_zabbix.maintenance import maintenance_windows

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


def at(month: int, day: int, hour: int = 0, minute: int = 0, zone: ZoneInfo = SHANGHAI) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=zone)


def maintenance(since: datetime, till: datetime, **period: Any) -> dict[str, Any]:
    """A maintenance.get object as the API sends it (numbers as strings)."""
    return {
        "maintenanceid": "7",
        "active_since": str(int(since.timestamp())),
        "active_till": str(int(till.timestamp())),
        "timeperiods": [{key: str(value) for key, value in period.items()}],
    }


Window = tuple[datetime, datetime]


def windows(
    item: dict[str, Any], start: datetime, end: datetime, zone: ZoneInfo = SHANGHAI
) -> list[Window]:
    return maintenance_windows(item, zone, start, end)


def test_one_time_period() -> None:
    item = maintenance(at(10, 19), at(10, 21), timeperiod_type=0,
                       start_date=int(at(10, 20, 14).timestamp()), period=7200)  # fmt: skip
    assert windows(item, at(10, 1), at(11, 1)) == [(at(10, 20, 14), at(10, 20, 16))]
    assert all(start.tzinfo is UTC for start, _ in windows(item, at(10, 1), at(11, 1)))


def test_one_time_period_cut_to_the_active_range_and_to_the_range() -> None:
    item = maintenance(at(10, 19), at(10, 20, 15), timeperiod_type=0,
                       start_date=int(at(10, 20, 14).timestamp()), period=7200)  # fmt: skip
    assert windows(item, at(10, 1), at(11, 1)) == [(at(10, 20, 14), at(10, 20, 15))]
    assert windows(item, at(10, 21), at(10, 22)) == []


def test_daily_every_second_day_counted_from_the_first_active_day() -> None:
    # 10-01 02:00 is before active_since (10:00): no window that day
    item = maintenance(at(10, 1, 10), at(10, 8), timeperiod_type=2, every=2,
                       start_time=2 * 3600, period=3600)  # fmt: skip
    assert windows(item, at(9, 1), at(12, 1)) == [
        (at(10, 3, 2), at(10, 3, 3)),
        (at(10, 5, 2), at(10, 5, 3)),
        (at(10, 7, 2), at(10, 7, 3)),
    ]


def test_daily_window_starting_before_the_range_reaches_into_it() -> None:
    item = maintenance(at(9, 1), at(12, 1), timeperiod_type=2, every=1,
                       start_time=23 * 3600, period=7200)  # fmt: skip
    found = windows(item, at(10, 2), at(10, 3))
    assert found == [(at(10, 1, 23), at(10, 2, 1)), (at(10, 2, 23), at(10, 3, 1))]


def test_weekly_every_second_week_on_monday_and_friday() -> None:
    # weeks counted from Monday 09-29 (active_since is Wednesday 10-01): weeks 0, 2, 4
    item = maintenance(at(10, 1), at(11, 1), timeperiod_type=3, every=2, dayofweek=1 | 16,
                       start_time=22 * 3600, period=4 * 3600)  # fmt: skip
    assert windows(item, at(9, 1), at(12, 1)) == [
        (at(10, 3, 22), at(10, 4, 2)),
        (at(10, 13, 22), at(10, 14, 2)),
        (at(10, 17, 22), at(10, 18, 2)),
        (at(10, 27, 22), at(10, 28, 2)),
        (at(10, 31, 22), at(11, 1)),  # cut at active_till
    ]


def test_monthly_on_a_day_of_chosen_months() -> None:
    october_november = (1 << 9) | (1 << 10)
    item = maintenance(at(1, 1), datetime(2026, 1, 1, tzinfo=SHANGHAI), timeperiod_type=4,
                       month=october_november, day=15, start_time=3600, period=1800)  # fmt: skip
    assert windows(item, at(1, 1), datetime(2026, 1, 1, tzinfo=SHANGHAI)) == [
        (at(10, 15, 1), at(10, 15, 1, 30)),
        (at(11, 15, 1), at(11, 15, 1, 30)),
    ]


@pytest.mark.parametrize(
    ("every", "dayofweek", "expected_days"),
    [
        (5, 64, [(10, 26), (11, 30)]),  # last Sunday: Oct 26; Nov 30 is itself a Sunday
        (1, 1, [(10, 6), (11, 3)]),  # first Monday
        (4, 4, [(10, 22), (11, 26)]),  # fourth Wednesday
    ],
)
def test_monthly_on_a_weekday_of_a_week(
    every: int, dayofweek: int, expected_days: list[tuple[int, int]]
) -> None:
    item = maintenance(at(1, 1), datetime(2026, 1, 1, tzinfo=SHANGHAI), timeperiod_type=4,
                       month=4095, every=every, dayofweek=dayofweek, start_time=3 * 3600,
                       period=3600)  # fmt: skip
    expected = [(at(m, d, 3), at(m, d, 4)) for m, d in expected_days]
    assert windows(item, at(10, 1), at(12, 1)) == expected


def test_start_time_in_a_dst_gap_is_skipped() -> None:
    # 2025-03-30 02:30 does not exist in Berlin (clocks jump from 02:00 to 03:00)
    item = maintenance(at(3, 29, zone=BERLIN), at(4, 1, zone=BERLIN), timeperiod_type=2,
                       every=1, start_time=9000, period=1800)  # fmt: skip
    found = windows(item, at(3, 1, zone=BERLIN), at(5, 1, zone=BERLIN), BERLIN)
    assert found == [
        (datetime(2025, 3, 29, 1, 30, tzinfo=UTC), datetime(2025, 3, 29, 2, tzinfo=UTC)),
        (datetime(2025, 3, 31, 0, 30, tzinfo=UTC), datetime(2025, 3, 31, 1, tzinfo=UTC)),
    ]


def test_unreadable_periods_name_the_field() -> None:
    with pytest.raises(ValueError, match="timeperiod_type 1 is not 0, 2, 3 or 4"):
        windows(maintenance(at(10, 1), at(11, 1), timeperiod_type=1), at(10, 1), at(11, 1))
    with pytest.raises(ValueError, match="every 'x' is not a whole number"):
        item = maintenance(at(10, 1), at(11, 1), timeperiod_type=2, every="x")
        windows(item, at(10, 1), at(11, 1))


# ---------------------------------------------------------------- properties

starts = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31))


@settings(max_examples=60, deadline=None)
@given(
    since=starts,
    days=st.integers(min_value=1, max_value=120),
    start_time=st.integers(min_value=0, max_value=86399),
    period=st.integers(min_value=60, max_value=3 * 86400),
)
def test_weekly_on_every_weekday_is_daily(
    since: datetime, days: int, start_time: int, period: int
) -> None:
    active = (since.replace(tzinfo=SHANGHAI), since.replace(tzinfo=SHANGHAI) + timedelta(days=days))
    daily = maintenance(*active, timeperiod_type=2, every=1, start_time=start_time, period=period)
    weekly = maintenance(*active, timeperiod_type=3, every=1, dayofweek=127,
                         start_time=start_time, period=period)  # fmt: skip
    found = windows(weekly, *active)
    assert found == windows(daily, *active)
    assert len(found) in (days - 1, days, days + 1)
    for start, end in found:  # each inside the active range, starting at start_time
        assert active[0] <= start < end <= active[1]
        local = start.astimezone(SHANGHAI)
        assert local.hour * 3600 + local.minute * 60 + local.second == start_time


@settings(max_examples=60, deadline=None)
@given(day=st.integers(min_value=1, max_value=31), year=st.integers(min_value=2024, max_value=2026))
def test_monthly_on_a_day_of_every_month(day: int, year: int) -> None:
    since = datetime(year, 1, 1, tzinfo=SHANGHAI)
    till = datetime(year + 1, 1, 1, tzinfo=SHANGHAI)
    item = maintenance(since, till, timeperiod_type=4, month=4095, day=day, start_time=0,
                       period=600)  # fmt: skip
    found = [start.astimezone(SHANGHAI).date() for start, _ in windows(item, since, till)]
    months_with_day = [m for m in range(1, 13) if day <= calendar.monthrange(year, m)[1]]
    assert found == [date(year, m, day) for m in months_with_day]

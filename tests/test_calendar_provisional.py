"""Provisional years: the 2024 regulation's statutory holidays, compensating weekdays, marks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from itsskit import BusinessCalendar
from itsskit.calendar import DayReason
from itsskit.models import CalendarSpec
from itsskit.provisional import describe
from itsskit.schedules import ScheduleSource, provisional_schedule

SH = ZoneInfo("Asia/Shanghai")
CHINA = BusinessCalendar.china()
FULL_DAY = 27_000

# The list: the statutory holidays of 2027 that fall on weekdays.
STATUTORY_WEEKDAYS_2027 = [
    date(2027, 1, 1),  # 元旦, Friday
    date(2027, 2, 5),  # 除夕 (Spring Festival on Saturday 6 February), Friday
    date(2027, 2, 8),  # 正月初三, Monday
    date(2027, 4, 5),  # 清明 solar term, Monday
    date(2027, 6, 9),  # 端午 (5th day of the 5th lunar month), Wednesday
    date(2027, 9, 15),  # 中秋 (15th day of the 8th lunar month), Wednesday
    date(2027, 10, 1),  # 国庆, Friday
]


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


def test_2027_statutory_weekdays_are_not_working_by_default() -> None:
    for day in STATUTORY_WEEKDAYS_2027:
        fact = CHINA.day(day)
        assert not fact.working, day
        assert (fact.reason, fact.source, fact.official) == (
            DayReason.HOLIDAY, "provisional", False,
        )  # fmt: skip
    assert CHINA.provisional_years(date(2027, 1, 1), date(2027, 12, 31)) == (2027,)
    assert not CHINA.is_official(2027)


def test_2027_names_and_compensating_weekdays() -> None:
    days = {entry.date: entry.name for entry in provisional_schedule(2027).days}
    # art. 6: each statutory day on a weekend gets the next free weekday
    assert days == {
        date(2027, 1, 1): "元旦",
        date(2027, 2, 5): "春节", date(2027, 2, 6): "春节",
        date(2027, 2, 7): "春节", date(2027, 2, 8): "春节",
        date(2027, 2, 9): "春节（补假）", date(2027, 2, 10): "春节（补假）",
        date(2027, 4, 5): "清明节",
        date(2027, 5, 1): "劳动节", date(2027, 5, 2): "劳动节",
        date(2027, 5, 3): "劳动节（补假）", date(2027, 5, 4): "劳动节（补假）",
        date(2027, 6, 9): "端午节",
        date(2027, 9, 15): "中秋节",
        date(2027, 10, 1): "国庆节", date(2027, 10, 2): "国庆节", date(2027, 10, 3): "国庆节",
        date(2027, 10, 4): "国庆节（补假）", date(2027, 10, 5): "国庆节（补假）",
    }  # fmt: skip
    assert CHINA.day(date(2027, 2, 9)).name_en == "Spring Festival (in lieu)"
    # make-up working days are unknown: every 2027 weekend day rests
    assert not CHINA.is_working_day(date(2027, 2, 20))
    assert CHINA.day(date(2027, 2, 20)).reason is DayReason.WEEKEND
    assert not CHINA.day(date(2027, 2, 20)).official


def test_provisional_years_agree_with_the_holidays_package_until_2099() -> None:
    """python-holidays estimates future years with the same law (independent code)."""
    for year in range(2027, 2100):
        ours = {entry.date for entry in provisional_schedule(year).days}
        assert ours == {day for day in holidays.China(years=year) if day.year == year}, year


def test_business_time_over_new_year_2027_by_hand() -> None:
    # Thu 31 Dec 2026 (official: a working day) to Tue 5 Jan 2027 09:00:
    # 31 Dec full day; 1 Jan 元旦 (provisional); 2-3 weekend; Mon 4 Jan full day.
    assert CHINA.business_seconds(sh(2026, 12, 31), sh(2027, 1, 5, 9)) == 2 * FULL_DAY
    # 4.5 h from Thu 31 Dec 16:00: 2 h that day, 2.5 h from Mon 4 Jan 09:00 -> 11:30
    start = sh(2026, 12, 31, 16)
    assert CHINA.add_business_seconds(start, 4 * 3600 + 1800) == sh(2027, 1, 4, 11, 30)
    assert CHINA.add_business_seconds(start, 4 * 3600) == sh(2027, 1, 4, 11)


def test_provisional_years_of_spans() -> None:
    # 2027-01-01 00:30 in Shanghai is still 2026 in UTC: local years count
    assert CHINA.provisional_years(sh(2026, 12, 31, 23), sh(2027, 1, 1, 0, 30)) == (2027,)
    assert CHINA.provisional_years(sh(2026, 12, 1), sh(2027, 1, 1)) == ()  # half-open
    assert CHINA.provisional_years(date(2001, 5, 1), date(2005, 1, 1)) == (2001, 2002, 2003)
    starts = np.array(["2026-01-05T00:00", "2030-06-01T00:00", "NaT"], dtype="datetime64[s]")
    ends = np.array(["2026-02-01T00:00", "2031-01-02T00:00", "2040-01-01"], dtype="datetime64[s]")
    assert CHINA.provisional_years_many(starts, ends) == (2030, 2031)
    weekly = BusinessCalendar()  # no holiday knowledge claimed: never provisional
    assert weekly.provisional_years(date(2027, 1, 1), date(2030, 1, 1)) == ()
    assert BusinessCalendar.always().is_official(2027)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1990, 2060), st.integers(0, 364), st.integers(0, 900)),
        min_size=1,
        max_size=8,
    )
)
def test_provisional_years_many_is_the_union_of_the_scalar_answers(spans: list) -> None:
    starts, ends, expected = [], [], set()
    for year, offset, length in spans:
        start = datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=offset)
        end = start + timedelta(days=length, hours=3)
        starts.append(start)
        ends.append(end)
        expected |= set(CHINA.provisional_years(start, end))
        first, last = start.astimezone(SH).year, (end - timedelta(microseconds=1)).astimezone(SH)
        brute = {y for y in range(first, last.year + 1) if not 2004 <= y <= 2026}
        assert set(CHINA.provisional_years(start, end)) == brute
    assert CHINA.provisional_years_many(starts, ends) == tuple(sorted(expected))


@settings(max_examples=40, deadline=None)
@given(st.integers(1900, 2200))
def test_provisional_schedule_follows_the_regulation(year: int) -> None:
    schedule = provisional_schedule(year)
    assert schedule.source is ScheduleSource.PROVISIONAL and not schedule.official
    statutory = [d for d in schedule.days if "补假" not in d.name]
    lieu = [d for d in schedule.days if "补假" in d.name]
    assert all(d.off and d.date.year == year for d in schedule.days)
    # 13 statutory days (元旦1 春节4 清明1 劳动2 端午1 中秋1 国庆3); festivals may coincide
    assert 11 <= len(statutory) <= 13
    assert sum(d.name == "春节" for d in statutory) == 4
    weekend = sum(d.date.weekday() >= 5 for d in statutory)
    if len(statutory) == 13:  # no two festivals on one day: one weekday per weekend holiday
        assert len(lieu) == weekend
    else:  # two festivals on one weekend day are two holidays on a weekend (art. 6)
        assert weekend <= len(lieu) <= weekend + 1
    assert all(d.date.weekday() < 5 for d in lieu)


def test_statutory_holiday_beats_nothing_but_user_overrides() -> None:
    cal = BusinessCalendar.china(workdays=["2027-10-01"], holidays=["2027-03-01"])
    fact = cal.day(date(2027, 10, 1))
    assert fact.working and fact.reason is DayReason.USER_WORKDAY and fact.official
    assert cal.day(date(2027, 3, 1)).reason is DayReason.USER_HOLIDAY
    assert not cal.is_working_day(date(2027, 3, 1))


def test_special_days_and_listed_sets() -> None:
    facts = CHINA.special_days(2027)
    assert [f.date for f in facts] == sorted(e.date for e in provisional_schedule(2027).days)
    # the holidays property lists official years only; provisional days are in day()
    assert date(2026, 10, 1) in CHINA.holidays and date(2027, 10, 1) not in CHINA.holidays


def test_from_spec_weekly_and_always() -> None:
    weekly = BusinessCalendar.from_spec(CalendarSpec(preset="weekly"))
    assert weekly.is_working_day(date(2027, 10, 1))
    assert weekly.schedule(2027) is None
    assert weekly.day(date(2027, 10, 1)).reason is DayReason.WEEKDAY


def test_warning_text_names_years_and_the_fix() -> None:
    text = describe([2029, 2027, 2030, 2031], ["office"])
    assert "2027, 2029-2031" in text
    assert '[calendars.office] schedules = ["holidays/2027.json"]' in text

"""Tests for itsskit.calendar.BusinessCalendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itsskit.calendar import BusinessCalendar

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")

CHINA = BusinessCalendar.china()
ALWAYS = BusinessCalendar.always()
BERLIN_ODD = BusinessCalendar(
    "Europe/Berlin", weekdays=(0, 1, 2, 3, 5), hours=("00:30-02:45", "02:45-03:15", "20:00-24:00")
)
PLAIN = BusinessCalendar("Asia/Shanghai", hours=("09:00-18:00",), holidays=["2025-05-01"])
CALS = {"china": CHINA, "always": ALWAYS, "berlin_odd": BERLIN_ODD, "plain": PLAIN}

FULL_DAY = 27_000  # 3 h + 4.5 h


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


# ------------------------------------------------------------ hand-computed


def test_lunch_break() -> None:
    assert CHINA.business_seconds(sh(2025, 3, 3, 11), sh(2025, 3, 3, 14)) == 3600 + 1800


def test_full_day_and_outside_hours() -> None:
    assert CHINA.business_seconds(sh(2025, 3, 3, 7), sh(2025, 3, 3, 20)) == FULL_DAY
    assert CHINA.business_seconds(sh(2025, 3, 3, 12, 10), sh(2025, 3, 3, 13, 20)) == 0
    assert CHINA.business_seconds(sh(2025, 3, 3, 18, 30), sh(2025, 3, 4, 8, 59)) == 0
    assert CHINA.business_seconds(sh(2025, 3, 3, 18, 30), sh(2025, 3, 4, 9, 30)) == 1800


def test_across_weekend() -> None:
    assert CHINA.business_seconds(sh(2025, 3, 7, 16), sh(2025, 3, 10, 10)) == 7200 + 3600
    assert CHINA.business_seconds(sh(2025, 3, 8, 8), sh(2025, 3, 10, 8, 30)) == 0


def test_empty_and_reversed() -> None:
    t = sh(2025, 3, 3, 10)
    assert CHINA.business_seconds(t, t) == 0
    assert CHINA.business_seconds(t, t - timedelta(hours=5)) == 0


def test_fractional_seconds_floor() -> None:
    a = sh(2025, 3, 3, 9, 0, 0, 500_000)
    assert CHINA.business_seconds(a, sh(2025, 3, 3, 9, 0, 2)) == 1
    assert CHINA.business_seconds(a, sh(2025, 3, 3, 9, 0, 1)) == 0


def test_spring_festival_2025() -> None:
    for d in range(28, 32):
        assert not CHINA.is_working_day(date(2025, 1, d))
    for d in range(1, 5):
        assert not CHINA.is_working_day(date(2025, 2, d))
    assert CHINA.is_working_day(date(2025, 1, 26))  # Sunday make-up
    assert CHINA.is_working_day(date(2025, 2, 8))  # Saturday make-up
    assert not CHINA.is_working_day(date(2025, 2, 9))
    # Fri 17:00 -> Wed 10:00: Fri 1h, Sun 26th, Mon 27th, Wed 1h
    got = CHINA.business_seconds(sh(2025, 1, 24, 17), sh(2025, 2, 5, 10))
    assert got == 3600 + 2 * FULL_DAY + 3600
    assert CHINA.add_business_seconds(sh(2025, 1, 27, 17), 3600) == sh(2025, 1, 27, 18)
    assert CHINA.add_business_seconds(sh(2025, 1, 27, 17), 3601) == sh(2025, 2, 5, 9, 0, 1)


def test_national_day_2025() -> None:
    assert CHINA.is_working_day(date(2025, 9, 28))
    assert CHINA.is_working_day(date(2025, 10, 11))
    assert not any(CHINA.is_working_day(date(2025, 10, d)) for d in range(1, 9))
    # working: Sep 26, 28, 29, 30, Oct 9, 10, 11
    assert CHINA.business_seconds(sh(2025, 9, 26), sh(2025, 10, 13)) == 7 * FULL_DAY


def test_spring_festival_2026() -> None:
    assert CHINA.is_working_day(date(2026, 2, 14))
    assert CHINA.is_working_day(date(2026, 2, 28))
    assert not any(CHINA.is_working_day(date(2026, 2, d)) for d in range(15, 24))
    # working: Feb 13, 14, 24, 25, 26, 27, 28
    assert CHINA.business_seconds(sh(2026, 2, 13), sh(2026, 3, 1)) == 7 * FULL_DAY


def test_national_day_2026() -> None:
    assert CHINA.is_working_day(date(2026, 9, 20))
    assert CHINA.is_working_day(date(2026, 10, 10))
    assert not any(CHINA.is_working_day(date(2026, 10, d)) for d in range(1, 8))
    # working: Sep 30, Oct 8, 9, 10
    assert CHINA.business_seconds(sh(2026, 9, 30), sh(2026, 10, 11)) == 4 * FULL_DAY


def test_new_year_2026() -> None:
    assert not any(CHINA.is_working_day(date(2026, 1, d)) for d in (1, 2, 3))
    assert CHINA.is_working_day(date(2026, 1, 4))  # Sunday make-up
    assert CHINA.business_seconds(sh(2025, 12, 31), sh(2026, 1, 5)) == 2 * FULL_DAY


def test_china_user_overrides() -> None:
    cal = BusinessCalendar.china(holidays=["2025-01-26", date(2025, 3, 3)], workdays=["2025-10-02"])
    assert not cal.is_working_day(date(2025, 1, 26))  # user holiday beats shipped make-up
    assert not cal.is_working_day(date(2025, 3, 3))
    assert cal.is_working_day(date(2025, 10, 2))  # user workday beats shipped holiday
    assert date(2025, 10, 2) not in cal.holidays
    assert date(2025, 1, 26) not in cal.workdays


def test_years_outside_data_are_provisional_not_plain_weekdays() -> None:
    # 0.1.0 treated these years as plain Mon-Fri; they now keep the statutory holidays
    assert not CHINA.is_working_day(date(2030, 10, 1))  # National Day, a Tuesday
    assert CHINA.is_working_day(date(2030, 10, 4))  # Friday after 1-3 October (Tue-Thu)
    assert not CHINA.is_working_day(date(2030, 10, 5))
    assert CHINA.business_seconds(sh(1970, 1, 5), sh(1970, 1, 6)) == FULL_DAY
    # 31 December 2199 (Tuesday) works, 1 January 2200 (元旦) does not
    assert CHINA.business_seconds(sh(2199, 12, 31), sh(2200, 1, 2)) == FULL_DAY
    assert CHINA.provisional_years(date(2026, 12, 1), date(2030, 1, 1)) == (2027, 2028, 2029, 2030)


def test_timezone_conversion() -> None:
    utc = datetime(2025, 3, 3, 1, tzinfo=UTC)  # 09:00 Shanghai
    assert CHINA.business_seconds(utc, utc + timedelta(hours=5)) == 3 * 3600 + 1800
    ny_a = datetime(2025, 3, 2, 20, tzinfo=NY)  # 09:00 Shanghai on Monday
    ny_b = datetime(2025, 3, 3, 4, tzinfo=NY)  # 17:00 Shanghai
    assert CHINA.business_seconds(ny_a, ny_b) == 3 * 3600 + 3 * 3600 + 1800
    # Sat 20:00 UTC is Sunday 04:00 in Shanghai, the 2025-01-26 make-up day
    assert CHINA.is_working_day(datetime(2025, 1, 25, 20, tzinfo=UTC))
    res = CHINA.add_business_seconds(ny_b, 3600 + 1800)
    assert res == sh(2025, 3, 4, 9, 30)
    assert res.utcoffset() == timedelta(hours=8)


def test_always_is_wall_clock() -> None:
    a = datetime(2025, 1, 1, 3, 17, 5, tzinfo=UTC)
    b = datetime(2025, 2, 9, 23, 0, 1, tzinfo=UTC)
    assert ALWAYS.business_seconds(a, b) == int((b - a).total_seconds())
    assert ALWAYS.add_business_seconds(a, 1234567) == a + timedelta(seconds=1234567)
    assert ALWAYS.weekdays == (0, 1, 2, 3, 4, 5, 6)
    assert ALWAYS.hours == ("00:00-24:00",)
    assert ALWAYS.working_intervals(a, b) == [(a, b)]


def test_dst_berlin() -> None:
    cal = BusinessCalendar("Europe/Berlin", weekdays=range(7), hours=["00:00-24:00"])
    day = cal.business_seconds(
        datetime(2025, 3, 30, tzinfo=BERLIN), datetime(2025, 3, 31, tzinfo=BERLIN)
    )
    assert day == 23 * 3600
    autumn = cal.business_seconds(
        datetime(2025, 10, 26, tzinfo=BERLIN), datetime(2025, 10, 27, tzinfo=BERLIN)
    )
    assert autumn == 25 * 3600
    office = BusinessCalendar("Europe/Berlin", hours=["09:00-17:00"])
    mon = datetime(2025, 3, 31, 9, tzinfo=BERLIN)
    assert office.business_seconds(mon, mon + timedelta(hours=8)) == 8 * 3600


def test_add_business_seconds_earliest() -> None:
    assert CHINA.add_business_seconds(sh(2025, 3, 3, 17), 3600) == sh(2025, 3, 3, 18)
    assert CHINA.add_business_seconds(sh(2025, 3, 3, 11), 3600) == sh(2025, 3, 3, 12)
    assert CHINA.add_business_seconds(sh(2025, 3, 3, 11), 3601) == sh(2025, 3, 3, 13, 30, 1)
    assert CHINA.add_business_seconds(sh(2025, 3, 3, 11), 5400) == sh(2025, 3, 3, 14)
    assert CHINA.add_business_seconds(sh(2025, 3, 3, 11), 3600 - 1) == sh(2025, 3, 3, 11, 59, 59)
    t = sh(2025, 3, 8, 10)  # Saturday
    assert CHINA.add_business_seconds(t, 0) == t
    assert CHINA.add_business_seconds(t, 1) == sh(2025, 3, 10, 9, 0, 1)
    far = CHINA.add_business_seconds(sh(2025, 1, 1), 27_000 * 250 * 30)  # ~30 years
    assert far.year >= 2050
    assert CHINA.business_seconds(sh(2025, 1, 1), far) == 27_000 * 250 * 30


def test_add_rejects_bad_seconds() -> None:
    with pytest.raises(ValueError, match="seconds"):
        CHINA.add_business_seconds(sh(2025, 3, 3), -1)
    with pytest.raises(ValueError, match="unreachable"):
        BusinessCalendar(weekdays=()).add_business_seconds(sh(2025, 3, 3), 1)


def test_working_intervals() -> None:
    got = CHINA.working_intervals(sh(2025, 3, 7, 10), sh(2025, 3, 10, 14))
    assert got == [
        (sh(2025, 3, 7, 10), sh(2025, 3, 7, 12)),
        (sh(2025, 3, 7, 13, 30), sh(2025, 3, 7, 18)),
        (sh(2025, 3, 10, 9), sh(2025, 3, 10, 12)),
        (sh(2025, 3, 10, 13, 30), sh(2025, 3, 10, 14)),
    ]
    assert all(a.tzinfo is not None for a, _ in got)
    assert CHINA.working_intervals(sh(2025, 3, 8), sh(2025, 3, 9)) == []


def test_naive_datetime_rejected() -> None:
    naive = datetime(2025, 3, 3, 10)
    with pytest.raises(ValueError, match="naive"):
        CHINA.business_seconds(naive, sh(2025, 3, 4))
    with pytest.raises(ValueError, match="naive"):
        CHINA.add_business_seconds(naive, 10)
    with pytest.raises(ValueError, match="naive"):
        CHINA.is_working_day(naive)
    with pytest.raises(ValueError, match="naive"):
        CHINA.business_seconds_many([naive], [naive])


@pytest.mark.parametrize(
    ("hours", "bad"),
    [
        (["9-12"], "9-12"),
        (["09:00-12:00", "25:00-26:00"], "25:00-26:00"),
        (["12:00-09:00"], "12:00-09:00"),
        (["09:00-09:00"], "09:00-09:00"),
        (["09:00-12:00", "11:00-14:00"], "11:00-14:00"),
        (["09:60-10:00"], "09:60-10:00"),
        (["00:00-24:30"], "00:00-24:30"),
    ],
)
def test_bad_hours(hours: list[str], bad: str) -> None:
    with pytest.raises(ValueError, match=bad):
        BusinessCalendar(hours=hours)


def test_bad_config() -> None:
    with pytest.raises(ValueError, match="Mars/Olympus"):
        BusinessCalendar("Mars/Olympus")
    with pytest.raises(ValueError, match="7"):
        BusinessCalendar(weekdays=[7])
    with pytest.raises(ValueError, match="2025-13-01"):
        BusinessCalendar(holidays=["2025-13-01"])


def test_properties() -> None:
    cal = BusinessCalendar(
        "UTC", weekdays=[4, 0], hours=["13:00-14:00", "8:00-9:00"], holidays=["2025-01-01"]
    )
    assert cal.timezone == "UTC"
    assert cal.weekdays == (0, 4)
    assert cal.hours == ("08:00-09:00", "13:00-14:00")
    assert cal.holidays == frozenset({date(2025, 1, 1)})
    assert cal.workdays == frozenset()
    assert BusinessCalendar.china().timezone == "Asia/Shanghai"
    assert isinstance(CHINA.holidays, frozenset) and date(2025, 10, 1) in CHINA.holidays


def test_many_nat_and_units() -> None:
    s = np.array(["2025-03-03T01:00", "NaT", "2025-03-03T01:00"], dtype="datetime64[m]")
    e = np.array(["2025-03-03T06:00:00", "2025-03-03T06:00:00", "NaT"], dtype="datetime64[ns]")
    assert CHINA.business_seconds_many(s, e).tolist() == [12600, 0, 0]
    out = CHINA.add_business_seconds_many(s, 3600)
    assert out.dtype == np.dtype("datetime64[us]")
    assert out[0] == np.datetime64("2025-03-03T02:00", "us")
    assert np.isnat(out[1])
    assert CHINA.business_seconds_many(s[:0], e[:0]).shape == (0,)


def test_matches_chinese_calendar_every_day() -> None:
    cc = pytest.importorskip("chinese_calendar")
    d = date(2015, 1, 1)
    while d <= date(2026, 12, 31):
        assert CHINA.is_working_day(d) == cc.is_workday(d), d
        d += timedelta(days=1)


# ----------------------------------------------------------------- properties

BASE = datetime(2024, 12, 20, tzinfo=UTC)
SPAN_US = 2 * 366 * 86_400 * 1_000_000

instants = st.one_of(
    st.integers(0, SPAN_US // 60_000_000).map(lambda m: BASE + timedelta(minutes=m)),
    st.integers(0, SPAN_US).map(lambda u: BASE + timedelta(microseconds=u)),
)
zones = st.sampled_from([UTC, SH, NY, BERLIN])
cals = st.sampled_from(sorted(CALS))
PROPS = settings(deadline=None)  # max_examples from the profile in tests/conftest.py


@PROPS
@given(cals, st.lists(instants, min_size=3, max_size=3))
def test_additive(name: str, ts: list[datetime]) -> None:
    cal = CALS[name]
    a, b, c = sorted(ts)
    # additivity holds on the microsecond F; whole-second flooring can lose <1 s per split
    total = cal.business_seconds(a, c)
    split = cal.business_seconds(a, b) + cal.business_seconds(b, c)
    assert split <= total <= split + 1
    if all(t.microsecond == 0 for t in (a, b, c)):
        assert total == split


@PROPS
@given(cals, instants, instants, zones)
def test_monotone(name: str, s: datetime, t: datetime, tz: ZoneInfo) -> None:
    cal = CALS[name]
    a, b = sorted((s, t))
    assert (
        0
        <= cal.business_seconds(a.astimezone(tz), b)
        <= cal.business_seconds(a, b + timedelta(hours=1))
    )
    assert cal.business_seconds(b, a) == 0


@PROPS
@given(cals, instants, st.integers(0, 40 * 27_000))
def test_inverse(name: str, s: datetime, n: int) -> None:
    cal = CALS[name]
    t = cal.add_business_seconds(s, n)
    assert t >= s
    assert t.tzinfo is not None
    assert cal.business_seconds(s, t) == n
    if n:  # earliest: a microsecond earlier is not enough
        assert cal.business_seconds(s, t - timedelta(microseconds=1)) < n


@PROPS
@given(cals, instants, instants)
def test_add_of_measured_not_after(name: str, s: datetime, t: datetime) -> None:
    cal = CALS[name]
    a, b = sorted((s, t))
    assert cal.add_business_seconds(a, cal.business_seconds(a, b)) <= b


def _reference(cal: BusinessCalendar, start: datetime, end: datetime) -> int:
    """Brute force: overlap of [start, end) with each working day's windows."""
    if end <= start:
        return 0
    tz = ZoneInfo(cal.timezone)
    total = 0
    d = start.astimezone(tz).date() - timedelta(days=1)
    while d <= end.astimezone(tz).date():
        works = d not in cal.holidays and (d in cal.workdays or d.weekday() in cal.weekdays)
        for w in cal.hours if works else ():
            a, b = (int(x[:2]) * 60 + int(x[3:]) for x in w.split("-"))
            ws = datetime(d.year, d.month, d.day, tzinfo=tz) + timedelta(minutes=a)
            we = datetime(d.year, d.month, d.day, tzinfo=tz) + timedelta(minutes=b)
            if b == 1440:
                nxt = d + timedelta(days=1)
                we = datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz)
            lo = max(ws.astimezone(UTC), start.astimezone(UTC))
            hi = min(we.astimezone(UTC), end.astimezone(UTC))
            total += max(hi - lo, timedelta(0)) // timedelta(microseconds=1)
        d += timedelta(days=1)
    return total // 1_000_000


@PROPS
@given(cals, instants, st.integers(0, 6 * 86_400 * 1_000_000), zones)
def test_against_reference(name: str, s: datetime, length: int, tz: ZoneInfo) -> None:
    cal = CALS[name]
    e = s + timedelta(microseconds=length)
    assert cal.business_seconds(s.astimezone(tz), e) == _reference(cal, s, e)


@PROPS
@given(
    cals,
    st.lists(st.tuples(instants, instants, zones), min_size=1, max_size=30),
    st.lists(st.integers(0, 20 * 86_400), min_size=1, max_size=30),
)
def test_vectorised_matches_scalar(
    name: str, pairs: list[tuple[datetime, datetime, ZoneInfo]], secs: list[int]
) -> None:
    cal = CALS[name]
    starts = [a.astimezone(tz) for a, _, tz in pairs]
    ends = [b for _, b, _ in pairs]
    many = cal.business_seconds_many(starts, ends)
    assert many.dtype == np.int64
    assert many.tolist() == [cal.business_seconds(a, b) for a, b in zip(starts, ends, strict=True)]
    n = np.resize(np.array(secs, dtype=np.int64), len(starts))
    added = cal.add_business_seconds_many(starts, n)
    assert added.dtype == np.dtype("datetime64[us]")
    for a, k, got in zip(starts, n.tolist(), added.tolist(), strict=True):
        assert got.replace(tzinfo=UTC) == cal.add_business_seconds(a, k)


@PROPS
@given(
    cals,
    st.sampled_from(["s", "ms", "us", "ns", "m"]),
    st.lists(st.tuples(instants, instants), min_size=1, max_size=30),
)
def test_vectorised_datetime64(
    name: str, unit: str, pairs: list[tuple[datetime, datetime]]
) -> None:
    cal = CALS[name]
    s64 = np.array([a.replace(tzinfo=None) for a, _ in pairs], dtype="datetime64[us]").astype(
        f"datetime64[{unit}]"
    )
    e64 = np.array([b.replace(tzinfo=None) for _, b in pairs], dtype="datetime64[us]").astype(
        f"datetime64[{unit}]"
    )
    aware_s = [x.replace(tzinfo=UTC) for x in s64.astype("datetime64[us]").tolist()]
    aware_e = [x.replace(tzinfo=UTC) for x in e64.astype("datetime64[us]").tolist()]
    expected = [cal.business_seconds(a, b) for a, b in zip(aware_s, aware_e, strict=True)]
    assert cal.business_seconds_many(s64, e64).tolist() == expected


def test_table_extension_keeps_results() -> None:
    cal = BusinessCalendar.china()
    s = sh(2025, 3, 3, 10)
    before = cal.add_business_seconds(s, 100_000)
    # March weeks: no statutory holiday is ever in March
    assert cal.business_seconds(sh(1980, 3, 3), sh(1980, 3, 10)) == 5 * FULL_DAY  # grows backwards
    assert cal.business_seconds(sh(2180, 3, 4), sh(2180, 3, 11)) == 5 * FULL_DAY  # and forwards
    assert cal.add_business_seconds(s, 100_000) == before
    assert cal.business_seconds(s, before) == 100_000


def test_from_spec() -> None:
    from itsskit.models import CalendarSpec

    cal = BusinessCalendar.from_spec(CalendarSpec(workdays=(date(2025, 10, 2),)))
    assert cal.is_working_day(date(2025, 10, 2))
    assert not cal.is_working_day(date(2025, 10, 3))
    assert cal.is_working_day(date(2025, 1, 26))
    weekly = BusinessCalendar.from_spec(CalendarSpec(preset="weekly", weekdays=(0, 1, 2, 3, 4, 5)))
    assert weekly.is_working_day(date(2025, 10, 4))
    assert BusinessCalendar.from_spec(CalendarSpec(preset="always")).hours == ("00:00-24:00",)
    with pytest.raises(ValueError, match="moon"):
        BusinessCalendar.from_spec(CalendarSpec(preset="moon"))


def test_many_refuses_starts_and_ends_of_different_lengths() -> None:
    cal = BusinessCalendar.china()
    start = datetime(2025, 3, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    with pytest.raises(ValueError, match="2 starts and 3 ends"):
        cal.business_seconds_many([start, start], [start, start, start])

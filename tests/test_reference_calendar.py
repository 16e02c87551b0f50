"""BusinessCalendar against the simple per-day reference in ``reference_impl``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itsskit.calendar import BusinessCalendar
from reference_impl import RefCalendar, china_data, us

ZONES = (
    "Asia/Shanghai",
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@st.composite
def hours(draw: st.DrawFn) -> tuple[str, ...]:
    """Sorted, non-overlapping windows (touching allowed), minute resolution."""
    fixed = ["00:00-24:00", "22:00-24:00", "09:00-12:00", "13:30-18:00", "12:00-12:01"]
    if draw(st.booleans()):
        return tuple(
            draw(
                st.sampled_from(
                    [fixed[:1], fixed[1:2], fixed[2:4], fixed[2:5], ["09:00-12:00", "12:00-13:00"]]
                )
            )
        )
    cuts = sorted(draw(st.sets(st.integers(0, 1440), min_size=2, max_size=6)))
    pairs = list(zip(cuts[::2], cuts[1::2], strict=False))
    if draw(st.booleans()) and len(cuts) >= 3:  # touching windows
        pairs = [(cuts[0], cuts[1]), (cuts[1], cuts[2])]
    return tuple(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in pairs)


@st.composite
def calendars(draw: st.DrawFn) -> tuple[BusinessCalendar, RefCalendar]:
    tz = draw(st.sampled_from(ZONES))
    h = draw(hours())
    if draw(st.integers(0, 3)) == 0:
        return BusinessCalendar.china(hours=h, timezone=tz), RefCalendar.china(tz, h)
    wd = tuple(sorted(draw(st.sets(st.integers(0, 6), min_size=1))))
    days = st.dates(date(2024, 1, 1), date(2026, 12, 31))
    hol = draw(st.sets(days, max_size=4))
    work = draw(st.sets(days, max_size=4))
    return (BusinessCalendar(tz, wd, h, hol, work), RefCalendar(tz, wd, h, hol, work))


instants = st.datetimes(
    datetime(2024, 1, 1),
    datetime(2026, 12, 31),
    timezones=st.sampled_from([ZoneInfo(z) for z in ZONES]),
)
minute_instants = st.builds(
    lambda d, m, z: datetime(d.year, d.month, d.day, tzinfo=ZoneInfo(z)) + timedelta(minutes=m),
    st.dates(date(2024, 1, 1), date(2026, 12, 31)),
    st.integers(0, 1440),
    st.sampled_from(ZONES),
)
any_instant = st.one_of(instants, minute_instants)


@settings(max_examples=150)
@given(calendars(), any_instant, st.integers(-3 * 86_400, 20 * 86_400))
def test_business_seconds_matches_reference(cals, start, span):
    ours, ref = cals
    end = start + timedelta(seconds=span)
    assert ours.business_seconds(start, end) == ref.business_seconds(start, end)


@settings(max_examples=120)
@given(calendars(), any_instant, st.integers(0, 30 * 86_400))
def test_add_business_seconds_matches_reference(cals, start, seconds):
    ours, ref = cals
    got = ours.add_business_seconds(start, seconds)
    assert got.tzinfo is not None and got.utcoffset() == got.astimezone(ref.zone).utcoffset()
    assert str(got.tzinfo) == ref.timezone
    assert us(got) == us(ref.add_business_seconds(start, seconds))
    assert ours.business_seconds(start, got) == seconds


@settings(max_examples=60)
@given(
    calendars(),
    st.lists(st.tuples(any_instant, st.integers(-86_400, 10 * 86_400)), min_size=0, max_size=8),
)
def test_business_seconds_many_matches_scalar(cals, pairs):
    ours, ref = cals
    starts = [s for s, _ in pairs]
    ends = [s + timedelta(seconds=n) for s, n in pairs]
    expected = np.array(
        [ref.business_seconds(s, e) for s, e in zip(starts, ends, strict=True)], dtype=np.int64
    )
    got = ours.business_seconds_many(starts, ends)
    assert got.dtype == np.int64 and got.tolist() == expected.tolist()
    for unit in ("s", "ms", "us", "ns"):
        s64 = np.array([us(s) for s in starts], dtype="datetime64[us]").astype(
            f"datetime64[{unit}]"
        )
        e64 = np.array([us(e) for e in ends], dtype="datetime64[us]").astype(f"datetime64[{unit}]")
        trunc = [
            ref.business_seconds(_utc(a), _utc(b))
            for a, b in zip(_ints(s64), _ints(e64), strict=True)
        ]
        assert ours.business_seconds_many(s64, e64).tolist() == trunc


def _ints(values: np.ndarray) -> list[int]:
    return [int(v) for v in values.astype("datetime64[us]").astype(np.int64)]


def _utc(micros: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)


# ----------------------------------------------------------------- fixed edge cases

DEFAULT = (BusinessCalendar(), RefCalendar())
CHINA = (BusinessCalendar.china(), RefCalendar.china())


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


EDGES = [
    (sh(2025, 1, 6, 9), sh(2025, 1, 6, 9)),  # start == end
    (sh(2025, 1, 6, 12), sh(2025, 1, 6, 9)),  # end < start
    (sh(2025, 1, 6, 9), sh(2025, 1, 6, 12)),  # one whole window
    (sh(2025, 1, 6, 12), sh(2025, 1, 6, 13, 30)),  # lunch
    (sh(2025, 1, 6, 11, 59, 59), sh(2025, 1, 6, 13, 30, 1)),
    (sh(2025, 1, 5, 0), sh(2025, 1, 7, 0)),  # midnight boundaries
    (sh(2014, 12, 31, 10), sh(2015, 1, 5, 10)),  # before the shipped data
    (sh(2026, 12, 31, 10), sh(2027, 1, 5, 10)),  # beyond the shipped data
    (sh(2024, 2, 28, 10), sh(2024, 3, 1, 10)),  # leap day
    (sh(2025, 1, 1), sh(2025, 7, 1)),  # months
    (datetime(2025, 1, 6, 1, tzinfo=UTC), datetime(2025, 1, 6, 5, 30, tzinfo=UTC)),
    (sh(2025, 1, 6, 9, 0, 0, 500_000), sh(2025, 1, 6, 9, 0, 1, 200_000)),  # sub-second
    (sh(2025, 1, 6, 9, 0, 0, 500_000), sh(2025, 1, 6, 9, 0, 1, 600_000)),
    (sh(2025, 1, 6, 11, 59, 59, 999_999), sh(2025, 1, 6, 13, 30, 0, 1)),
]


@pytest.mark.parametrize("cals", [DEFAULT, CHINA], ids=["default", "china"])
@pytest.mark.parametrize(("start", "end"), EDGES)
def test_fixed_edges(cals, start, end):
    ours, ref = cals
    assert ours.business_seconds(start, end) == ref.business_seconds(start, end)


@pytest.mark.parametrize("year", range(2015, 2027))
def test_china_spring_festival_and_national_day_every_year(year):
    ours, ref = CHINA
    for start, end in ((sh(year, 1, 15), sh(year, 3, 15)), (sh(year, 9, 20), sh(year, 10, 20))):
        assert ours.business_seconds(start, end) == ref.business_seconds(start, end)
        d = start.date()
        while d < end.date():
            assert ours.is_working_day(d) == ref.works(d) == chinese_calendar.is_workday(d), d
            d += timedelta(days=1)


def test_shipped_china_json_matches_chinese_calendar_package():
    lo, hi = date(2015, 1, 1), date(2026, 12, 31)
    holidays, workdays = ({d for d in days if lo <= d <= hi} for days in china_data())
    pkg_h = {d for d in chinese_calendar.holidays if lo <= d <= hi}
    pkg_w = {d for d in chinese_calendar.workdays if lo <= d <= hi}
    assert holidays == pkg_h
    assert workdays == pkg_w
    d = lo
    while d <= hi:
        works = d not in holidays and (d in workdays or d.weekday() < 5)
        assert works == chinese_calendar.is_workday(d), d
        d += timedelta(days=1)


def test_add_landing_on_window_end_returns_window_end():
    ours, ref = DEFAULT
    start = sh(2025, 1, 6, 9)
    assert ours.add_business_seconds(start, 3 * 3600) == sh(2025, 1, 6, 12)
    assert ours.add_business_seconds(start, 3 * 3600 + 1) == sh(2025, 1, 6, 13, 30, 1)
    assert ours.add_business_seconds(start, 0) == start
    assert ours.add_business_seconds(sh(2025, 1, 6, 12, 30), 0) == sh(2025, 1, 6, 12, 30)
    assert ours.add_business_seconds(sh(2025, 1, 6, 12, 30), 1) == sh(2025, 1, 6, 13, 30, 1)
    # a full day (7.5 h) from Friday 09:00 ends Friday 18:00, not Monday 09:00
    assert ours.add_business_seconds(sh(2025, 1, 10, 9), 27_000) == sh(2025, 1, 10, 18)


@pytest.mark.parametrize("cals", [DEFAULT, CHINA], ids=["default", "china"])
@pytest.mark.parametrize("seconds", [1, 27_000 * 250, 27_000 * 250 * 3 + 17])
def test_add_huge(cals, seconds):
    ours, ref = cals
    start = sh(2025, 3, 3, 10, 15, 7)
    assert ours.add_business_seconds(start, seconds) == ref.add_business_seconds(start, seconds)


@pytest.mark.parametrize(
    "start", [sh(2025, 1, 6, 9, 0, 0, 400_000), sh(2025, 1, 6, 11, 59, 59, 500_000)]
)
def test_add_sub_second_start(start):
    ours, ref = DEFAULT
    for n in (0, 1, 2, 3600):
        got = ours.add_business_seconds(start, n)
        assert ours.business_seconds(start, got) == n
        assert got == ref.add_business_seconds(start, n)


def test_always_calendar():
    cal = BusinessCalendar.always("Europe/Berlin")
    start = datetime(2025, 3, 29, 12, tzinfo=ZoneInfo("Europe/Berlin"))
    end = start + timedelta(days=2)  # wall time: across the spring-forward night
    assert cal.business_seconds(start, end) == int((end - start).total_seconds()) - 3600
    assert cal.business_seconds(start, end) == us(end) // 1_000_000 - us(start) // 1_000_000


def test_is_working_day_date_and_datetime():
    ours, ref = CHINA
    assert ours.is_working_day(date(2025, 10, 1)) is False
    assert ours.is_working_day(date(2025, 9, 28)) is True  # make-up Sunday
    # 2025-10-08 20:00 UTC is 2025-10-09 04:00 in Shanghai (a working Thursday)
    late = datetime(2025, 10, 8, 20, tzinfo=UTC)
    assert ours.is_working_day(late) == ref.is_working_day(late) is True


def test_many_nat_empty_and_mismatch():
    cal = BusinessCalendar()
    empty = np.array([], dtype="datetime64[s]")
    assert cal.business_seconds_many(empty, empty).tolist() == []
    s = np.array(["2025-01-06T01:00", "NaT"], dtype="datetime64[s]")
    e = np.array(["2025-01-06T02:00", "2025-01-06T02:00"], dtype="datetime64[s]")
    assert cal.business_seconds_many(s, e).tolist() == [3600, 0]
    with pytest.raises(ValueError):
        cal.business_seconds_many(s, e[:1].repeat(3))


@pytest.mark.parametrize(
    "bad", ["9-12", "09:00-08:00", "25:00-26:00", "09:00-24:01", "", "09:60-10:00"]
)
def test_bad_hours(bad):
    with pytest.raises(ValueError):
        BusinessCalendar(hours=(bad,))


def test_naive_and_negative_errors():
    cal = BusinessCalendar()
    with pytest.raises(ValueError, match="naive|aware|timezone"):
        cal.business_seconds(datetime(2025, 1, 6, 9), sh(2025, 1, 6, 10))
    with pytest.raises(ValueError, match="naive|aware|timezone"):
        cal.add_business_seconds(datetime(2025, 1, 6, 9), 5)
    with pytest.raises(ValueError, match="naive|aware|timezone"):
        cal.business_seconds_many([datetime(2025, 1, 6, 9)], [sh(2025, 1, 6, 10)])
    with pytest.raises(ValueError):
        cal.add_business_seconds(sh(2025, 1, 6, 9), -1)


DST_DAYS = [
    ("America/New_York", date(2025, 3, 9)),
    ("America/New_York", date(2025, 11, 2)),
    ("Europe/Berlin", date(2025, 3, 30)),
    ("Europe/Berlin", date(2025, 10, 26)),
    ("Australia/Lord_Howe", date(2025, 4, 6)),
    ("Australia/Lord_Howe", date(2025, 10, 5)),
]
DST_HOURS = [
    ("00:00-24:00",),
    ("01:00-03:00",),
    ("02:00-02:30",),
    ("01:30-02:30", "02:30-04:00"),
    ("01:59-02:01",),
    ("02:00-03:00", "03:00-04:00"),
    ("22:00-24:00",),
]


@pytest.mark.parametrize(("tz", "day"), DST_DAYS)
@pytest.mark.parametrize("hours", DST_HOURS)
def test_dst_transition_days(tz, day, hours):
    zone = ZoneInfo(tz)
    ours = BusinessCalendar(tz, range(7), hours)
    ref = RefCalendar(tz, range(7), hours)
    start = datetime(day.year, day.month, day.day, tzinfo=zone) - timedelta(hours=3)
    for minutes in range(0, 30 * 60, 17):
        a = start + timedelta(minutes=minutes)
        for span in (60, 1799, 3600, 86_400):
            b = (a.astimezone(UTC) + timedelta(seconds=span)).astimezone(zone)
            assert ours.business_seconds(a, b) == ref.business_seconds(a, b), (a, b)
        for n in (1, 1800, 3600, 7200):
            assert us(ours.add_business_seconds(a, n)) == us(ref.add_business_seconds(a, n)), (a, n)

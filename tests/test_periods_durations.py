"""Periods (half-open, in a zone) and target durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itsskit.durations import format_duration, parse_duration
from itsskit.periods import Period

SHANGHAI = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("15m", 900),
        ("4h", 14400),
        ("1h30m", 5400),
        ("90s", 90),
        ("2h0m5s", 7205),
        (" 1h 5m ", 3900),
    ],
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "1d", "4", "h", "5m1h", "0m", "1h1h", "4 hours"])
def test_bad_durations_name_the_text(text: str) -> None:
    with pytest.raises(ValueError, match="expected|order|longer") as caught:
        parse_duration(text)
    assert repr(text) in str(caught.value)


@given(st.integers(1, 10**7))
def test_format_and_parse_are_inverse(seconds: int) -> None:
    assert parse_duration(format_duration(seconds)) == seconds


def test_month_quarter_year_bounds_are_half_open_in_the_zone() -> None:
    october = Period.parse("2025-10")
    assert october.start == datetime(2025, 10, 1, tzinfo=SHANGHAI)
    assert october.end == datetime(2025, 11, 1, tzinfo=SHANGHAI)
    assert october.contains(datetime(2025, 10, 31, 23, 59, 59, tzinfo=SHANGHAI))
    assert not october.contains(datetime(2025, 11, 1, tzinfo=SHANGHAI))
    assert not october.contains(datetime(2025, 9, 30, 15, 59, 59, tzinfo=UTC))
    assert october.contains(datetime(2025, 9, 30, 16, 0, 0, tzinfo=UTC))
    q4 = Period.parse("2025-Q4")
    assert (q4.start, q4.end) == (october.start, datetime(2026, 1, 1, tzinfo=SHANGHAI))
    assert [m.label for m in q4.months()] == ["2025-10", "2025-11", "2025-12"]
    assert Period.parse("2025").end == datetime(2026, 1, 1, tzinfo=SHANGHAI)


def test_previous_and_last() -> None:
    assert Period.parse("2025-01").previous().label == "2024-12"
    assert Period.parse("2025-Q1").previous().label == "2024-Q4"
    assert [p.label for p in Period.parse("2025-02").last(3)] == ["2024-12", "2025-01", "2025-02"]


@given(st.integers(2000, 2100), st.integers(1, 4))
def test_months_tile_a_quarter(year: int, quarter: int) -> None:
    q = Period.quarter(year, quarter)
    months = list(q.months())
    assert months[0].start == q.start and months[-1].end == q.end
    assert all(a.end == b.start for a, b in zip(months, months[1:], strict=False))


@pytest.mark.parametrize("text", ["2025-13", "25-10", "2025-Q5", "October"])
def test_bad_periods(text: str) -> None:
    with pytest.raises(ValueError, match=repr(text).replace("'", ".")):
        Period.parse(text)

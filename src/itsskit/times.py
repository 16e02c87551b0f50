"""Aware times: the default time zone, parsing ISO 8601 text, epoch microseconds.

The one place these live: a time without a UTC offset is read in a named zone,
never silently as UTC (SPEC §1), and the columnar core counts UTC epoch
microseconds.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_TIMEZONE",
    "FIRST_YEAR",
    "LAST_YEAR",
    "SUPPORTED",
    "check_supported",
    "epoch_us",
    "from_epoch_us",
    "parse_instant",
]

#: The time zone of calendars, projects and sources that name none.
DEFAULT_TIMEZONE = "Asia/Shanghai"
#: The first and last local year of a supported instant or period (the calendar
#: tables, epoch-microsecond arithmetic and the China holiday data all work there).
FIRST_YEAR, LAST_YEAR = 1900, 2199
#: What a supported instant is, for messages.
SUPPORTED = f"a time in the years {FIRST_YEAR}-{LAST_YEAR}"


def check_supported(instant: datetime, what: str) -> None:
    """Raise ``ValueError`` naming ``what`` when ``instant`` lies outside the supported years."""
    if not FIRST_YEAR <= instant.year <= LAST_YEAR:
        raise ValueError(f"{what} {instant.isoformat()}: expected {SUPPORTED}")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = _EPOCH.toordinal()


def parse_instant(text: str, timezone: str | None = None) -> datetime:
    """An aware datetime from ISO 8601 ``text``; without an offset it is read in ``timezone``.

    A ValueError says what was expected: a malformed text, a time outside the
    supported years, or a time without an offset when there is no ``timezone``
    to read it in.
    """
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r}: expected an ISO 8601 time like 2025-11-03T09:00+08:00"
        ) from None
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise ValueError(f"{text!r}: expected {SUPPORTED}")
    if parsed.tzinfo is not None:
        return parsed
    if timezone is None:
        raise ValueError(f"{text!r}: give a UTC offset, e.g. 2025-11-03T09:00+08:00")
    return parsed.replace(tzinfo=ZoneInfo(timezone))


def epoch_us(instant: datetime) -> int:
    """Exact UTC epoch microseconds of an aware datetime (the columnar core's time unit).

    Safe for pendulum datetimes (whose differences are not timedeltas). A naive
    datetime is a ValueError, anything else a TypeError.
    """
    if not isinstance(instant, datetime):
        raise TypeError(f"expected an aware datetime, got {type(instant).__name__}")
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(
            f"naive datetime {instant!r}: attach a timezone (e.g. tzinfo=ZoneInfo(...))"
        )
    utc = datetime.astimezone(instant, UTC)
    seconds = (utc.toordinal() - _EPOCH_ORDINAL) * 86_400
    seconds += utc.hour * 3600 + utc.minute * 60 + utc.second
    return seconds * 1_000_000 + utc.microsecond


def from_epoch_us(us: int) -> datetime:
    """The UTC datetime of epoch microseconds."""
    return _EPOCH + timedelta(microseconds=us)

"""Reporting periods: half-open ``[start, end)`` intervals in a project's timezone.

A period is a month (``"2025-10"``), a quarter (``"2025-Q4"``), a year
(``"2025"``) or explicit bounds. Arithmetic (next/previous, months of a quarter)
is done with pendulum so month lengths and DST are right.

Instants are supported in the local years :data:`~itsskit.times.FIRST_YEAR` to
:data:`~itsskit.times.LAST_YEAR`
(:func:`itsskit.times.check_supported` is the one test of that range).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import attrs
import pendulum

from itsskit.models import aware
from itsskit.times import DEFAULT_TIMEZONE, FIRST_YEAR, LAST_YEAR, SUPPORTED, check_supported

__all__ = ["FIRST_YEAR", "LAST_YEAR", "SUPPORTED", "Period", "check_supported"]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


def _check_year(year: int, text: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"period {text!r}: expected a year {FIRST_YEAR}-{LAST_YEAR}")


def _check_arithmetic(year: int, text: str) -> None:
    """Periods built in code (and shifted ones) may reach past the supported years, not past
    what date arithmetic can handle."""
    if not 2 <= year <= 9997:
        raise ValueError(f"period {text}: expected a year {FIRST_YEAR}-{LAST_YEAR}")


@attrs.frozen(kw_only=True)
class Period:
    """A half-open interval ``[start, end)`` with a label and a granularity.

    ``kind`` is ``month``, ``quarter``, ``year`` or ``custom``.
    """

    start: datetime = attrs.field(validator=aware)
    end: datetime = attrs.field(validator=aware)
    kind: str = "custom"
    label: str = ""

    def __attrs_post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"period end {self.end} must be after its start {self.start}")

    @classmethod
    def parse(cls, text: str, timezone: str = DEFAULT_TIMEZONE) -> Period:
        """Parse ``YYYY-MM``, ``YYYY-Qn`` or ``YYYY`` in ``timezone``."""
        text = text.strip()
        if match := _MONTH.match(text) or _QUARTER.match(text) or _YEAR.match(text):
            _check_year(int(match[1]), text)
        if match := _MONTH.match(text):
            year, month = int(match[1]), int(match[2])
            if not 1 <= month <= 12:
                raise ValueError(f"period {text!r}: month must be 01..12")
            return cls.month(year, month, timezone)
        if match := _QUARTER.match(text):
            return cls.quarter(int(match[1]), int(match[2]), timezone)
        if match := _YEAR.match(text):
            return cls.year(int(match[1]), timezone)
        raise ValueError(f"period {text!r}: expected YYYY-MM, YYYY-Qn or YYYY")

    @classmethod
    def month(cls, year: int, month: int, timezone: str = DEFAULT_TIMEZONE) -> Period:
        """The calendar month ``year-month``."""
        _check_arithmetic(year, f"{year:04d}-{month:02d}")
        start = pendulum.datetime(year, month, 1, tz=timezone)
        return cls(
            start=start, end=start.add(months=1), kind="month", label=f"{year:04d}-{month:02d}"
        )

    @classmethod
    def quarter(cls, year: int, quarter: int, timezone: str = DEFAULT_TIMEZONE) -> Period:
        """Quarter ``quarter`` (1-4) of ``year``."""
        _check_arithmetic(year, f"{year:04d}-Q{quarter}")
        start = pendulum.datetime(year, 3 * quarter - 2, 1, tz=timezone)
        return cls(
            start=start, end=start.add(months=3), kind="quarter", label=f"{year:04d}-Q{quarter}"
        )

    @classmethod
    def year(cls, year: int, timezone: str = DEFAULT_TIMEZONE) -> Period:
        """The calendar year."""
        _check_arithmetic(year, f"{year:04d}")
        start = pendulum.datetime(year, 1, 1, tz=timezone)
        return cls(start=start, end=start.add(years=1), kind="year", label=f"{year:04d}")

    @classmethod
    def between(cls, start: datetime, end: datetime, label: str = "") -> Period:
        """Explicit bounds ``[start, end)``."""
        return cls(
            start=start,
            end=end,
            kind="custom",
            label=label or f"{start.isoformat()}/{end.isoformat()}",
        )

    @property
    def timezone(self) -> str:
        """The IANA name of the period's zone."""
        return str(
            getattr(self.start.tzinfo, "name", None) or getattr(self.start.tzinfo, "key", "UTC")
        )

    def contains(self, instant: datetime) -> bool:
        """True when ``start <= instant < end``."""
        return self.start <= instant < self.end

    def shift(self, steps: int) -> Period:
        """The period ``steps`` periods later (negative: earlier) of the same kind."""
        months = {"month": 1, "quarter": 3, "year": 12}.get(self.kind)
        if months is None:
            length = self.end - self.start
            return Period.between(self.start + steps * length, self.end + steps * length)
        start = pendulum.instance(self.start).add(months=months * steps)
        if self.kind == "month":
            return Period.month(start.year, start.month, self.timezone)
        if self.kind == "quarter":
            return Period.quarter(start.year, (start.month - 1) // 3 + 1, self.timezone)
        return Period.year(start.year, self.timezone)

    def previous(self) -> Period:
        """The period just before this one."""
        return self.shift(-1)

    def last(self, count: int) -> list[Period]:
        """The ``count`` periods ending with this one, oldest first."""
        return [self.shift(step) for step in range(1 - count, 1)]

    def months(self) -> Iterator[Period]:
        """The calendar months that make up a month, quarter or year."""
        if self.kind == "custom":
            raise ValueError("a custom period has no months")
        cursor = pendulum.instance(self.start)
        while cursor < self.end:
            yield Period.month(cursor.year, cursor.month, self.timezone)
            cursor = cursor.add(months=1)

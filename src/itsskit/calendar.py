"""Business calendars: working hours, weekends, holidays and make-up workdays.

Working time is precomputed, lazily and per calendar, as a table of UTC
intervals in epoch microseconds (``starts``, ``ends``, ``cum``).  The working
time elapsed up to an instant is ``F(t) = cum[i] + clip(t - starts[i], 0,
len[i])``; every public method is a thin wrapper around ``F`` or its inverse,
so scalar and vectorised forms agree by construction.

The China preset takes its special days from a :class:`~itsskit.schedules.ScheduleBook`:
official schedules (shipped, or loaded from files) and, for other years, the
provisional statutory holidays.  Each year's days are folded into the same
interval table, so a provisional or file-loaded year costs nothing per ticket.
:meth:`BusinessCalendar.day` says why a date works or not, and
:meth:`BusinessCalendar.provisional_years` which years rest on a provisional schedule.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from numbers import Integral
from typing import TYPE_CHECKING, Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
import numpy as np
from numpy.typing import NDArray

from itsskit.schedules import ScheduleBook, YearSchedule
from itsskit.times import DEFAULT_TIMEZONE, epoch_us

if TYPE_CHECKING:
    from itsskit.models import CalendarSpec

__all__ = ["BusinessCalendar", "DayFact", "DayReason"]

I64 = NDArray[np.int64]

_US = 1_000_000
_DAY_US = 86_400 * _US
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORD = date(1970, 1, 1).toordinal()
_NAT = np.iinfo(np.int64).min
_MIN_YEAR, _MAX_YEAR = 2, 9998
_MAX_SECONDS = 2**62 // _US
_HOURS_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_DEFAULT_HOURS = ("09:00-12:00", "13:30-18:00")


class DayReason(StrEnum):
    """Why a date is, or is not, a working day."""

    WEEKDAY = "weekday"  # a working weekday, nothing special
    WEEKEND = "weekend"  # not a working weekday, nothing special
    HOLIDAY = "holiday"  # a holiday of the year's schedule (statutory, or in lieu)
    MAKEUP = "makeup"  # a make-up working day (调休上班) of the year's schedule
    USER_HOLIDAY = "user_holiday"  # the calendar's own ``holidays`` (company override)
    USER_WORKDAY = "user_workday"  # the calendar's own ``workdays`` (company override)


@attrs.frozen(kw_only=True)
class DayFact:
    """What a calendar knows about one date.

    ``source`` is ``shipped``, ``file`` or ``provisional`` for a day of a
    schedule, ``user`` for an override, ``rule`` for the weekday rule.
    ``official`` is False when the date's year rests on a provisional schedule
    (its make-up working days are unknown), unless a user override decides it.
    """

    date: date
    working: bool
    reason: DayReason
    source: str
    official: bool
    name: str = ""
    name_en: str = ""


class _Table(NamedTuple):
    """Working intervals for local years ``y0..y1`` (UTC epoch microseconds)."""

    y0: int
    y1: int
    lo: int  # UTC instant of local midnight, 1 Jan y0
    hi: int  # UTC instant of local midnight, 1 Jan y1 + 1
    starts: I64
    ends: I64
    cum: I64  # working microseconds before interval k
    cum_end: I64  # cum + length
    base: I64  # cum - starts (so that F = base[i] + min(t, ends[i]))


# ----------------------------------------------------------------- helpers


def _zone(name: str) -> ZoneInfo:
    """Return the ZoneInfo for ``name`` or raise ValueError."""
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown timezone {name!r}") from exc


def _parse_window(text: str) -> tuple[int, int]:
    """Parse ``"HH:MM-HH:MM"`` into minutes since local midnight."""
    m = _HOURS_RE.match(text) if isinstance(text, str) else None
    if m is None:
        raise ValueError(f"malformed hours window {text!r}; expected 'HH:MM-HH:MM'")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
        raise ValueError(f"invalid time in hours window {text!r}")
    a, b = h1 * 60 + m1, h2 * 60 + m2
    if b <= a:
        raise ValueError(f"hours window {text!r} must end after it starts")
    return a, b


def _parse_hours(hours: Iterable[str]) -> tuple[tuple[int, int], ...]:
    """Parse, sort and check hour windows for overlaps."""
    items = (hours,) if isinstance(hours, str) else tuple(hours)
    wins = sorted((_parse_window(h), h) for h in items)
    if not wins:
        raise ValueError("hours must contain at least one 'HH:MM-HH:MM' window")
    for (prev, ptxt), (cur, ctxt) in zip(wins, wins[1:], strict=False):
        if cur[0] < prev[1]:
            raise ValueError(f"hours windows {ptxt!r} and {ctxt!r} overlap")
    return tuple(w for w, _ in wins)


def _fmt_window(w: tuple[int, int]) -> str:
    """Format a window as ``"HH:MM-HH:MM"``."""
    return f"{w[0] // 60:02d}:{w[0] % 60:02d}-{w[1] // 60:02d}:{w[1] % 60:02d}"


def _parse_weekdays(weekdays: Iterable[int]) -> tuple[int, ...]:
    """Validate weekday numbers (0=Monday .. 6=Sunday)."""
    out: set[int] = set()
    for d in weekdays:
        if isinstance(d, bool) or not isinstance(d, Integral) or not 0 <= int(d) <= 6:
            raise ValueError(f"invalid weekday {d!r}; expected an int 0 (Monday) .. 6 (Sunday)")
        out.add(int(d))
    return tuple(sorted(out))


def _parse_dates(values: Iterable[date | str], what: str) -> frozenset[date]:
    """Parse dates given as ``date``/``datetime`` objects or ISO strings."""
    items = (values,) if isinstance(values, (str, date)) else values
    out = set()
    for v in items:
        if isinstance(v, datetime):
            out.add(v.date())
        elif isinstance(v, date):
            out.add(v)
        else:
            try:
                out.add(date.fromisoformat(str(v).strip()))
            except ValueError as exc:
                raise ValueError(f"invalid {what} date {v!r}; expected YYYY-MM-DD") from exc
    return frozenset(out)


def _to_us_array(values: Any) -> I64:
    """Convert datetime64 arrays (taken as UTC) or aware datetimes to int64 us (NaT kept)."""
    dtype = getattr(values, "dtype", None)
    if isinstance(dtype, np.dtype) and dtype.kind == "M":
        values = np.asarray(values)
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":
        return np.ascontiguousarray(values.astype("datetime64[us]").view(np.int64))
    if isinstance(values, np.ndarray) and values.dtype.kind != "O":
        raise TypeError(f"expected datetime64 or aware datetimes, got dtype {values.dtype}")
    out = np.empty(len(values), dtype=np.int64)
    for k, v in enumerate(values):
        if isinstance(v, np.datetime64):
            out[k] = v.astype("datetime64[us]").astype(np.int64)
        elif v is None or v != v:  # None / NaT
            out[k] = _NAT
        else:
            out[k] = epoch_us(v)
    return out


def _year_of(us: int) -> int:
    """UTC calendar year of an epoch-microsecond instant (clamped)."""
    days = us // _DAY_US
    days = min(
        max(days, date(_MIN_YEAR, 1, 1).toordinal() - _EPOCH_ORD),
        date(_MAX_YEAR, 12, 31).toordinal() - _EPOCH_ORD,
    )
    return date.fromordinal(days + _EPOCH_ORD).year


# ---------------------------------------------------------------- calendar


class BusinessCalendar:
    """Working-time calendar in one IANA timezone.

    A holiday is never a working day; a make-up ``workday`` is a working day
    even on a weekend; otherwise ``weekdays`` (0=Monday) decides.  ``hours``
    are local wall-clock windows ``"HH:MM-HH:MM"`` (end may be ``24:00``).
    ``holidays`` and ``workdays`` are the calendar's own dates; a ``book`` adds
    each year's schedule beneath them (the user's dates win).
    """

    def __init__(
        self,
        timezone: str = DEFAULT_TIMEZONE,
        weekdays: Iterable[int] = (0, 1, 2, 3, 4),
        hours: Iterable[str] = _DEFAULT_HOURS,
        holidays: Iterable[date | str] = (),
        workdays: Iterable[date | str] = (),
        *,
        book: ScheduleBook | None = None,
    ) -> None:
        self._tzname = str(timezone)
        self._tz = _zone(self._tzname)
        self._weekdays = _parse_weekdays(weekdays)
        self._windows = _parse_hours(hours)
        self._own_holidays = _parse_dates(holidays, "holiday")
        self._own_workdays = _parse_dates(workdays, "workday")
        self._book = book
        self._wdset = frozenset(self._weekdays)
        self._chunks: dict[int, tuple[list[int], list[int]]] = {}
        self._table: _Table | None = None
        self._lock = threading.Lock()

    # -------------------------------------------------------- constructors

    @classmethod
    def china(
        cls,
        hours: Iterable[str] = _DEFAULT_HOURS,
        timezone: str = DEFAULT_TIMEZONE,
        holidays: Iterable[date | str] = (),
        workdays: Iterable[date | str] = (),
        schedules: Iterable[YearSchedule] = (),
    ) -> BusinessCalendar:
        """Mon-Fri plus the PRC holidays and make-up workdays, year by year.

        Each year follows its official schedule: one of ``schedules`` (see
        :func:`itsskit.schedule_files.read_schedule`), else the shipped one
        (2004 to the latest published year); a year with neither is
        provisional (statutory holidays only, see :mod:`itsskit.schedules`).
        User ``holidays`` override make-up days and user ``workdays`` override
        holidays.
        """
        book = ScheduleBook(statutory=True, files=tuple(schedules))
        return cls(timezone, (0, 1, 2, 3, 4), hours, holidays, workdays, book=book)

    @classmethod
    def always(cls, timezone: str = DEFAULT_TIMEZONE) -> BusinessCalendar:
        """A 7x24 calendar: every instant is working time."""
        return cls(timezone, range(7), ("00:00-24:00",))

    @classmethod
    def from_spec(cls, spec: CalendarSpec) -> BusinessCalendar:
        """Build from a :class:`itsskit.models.CalendarSpec` with a built-in preset.

        ``china``, ``weekly`` or ``always`` (their rules are in
        :mod:`itsskit.builtin.calendars`); a plugin's preset needs the plugin
        host: ``host.calendar(spec)``.
        """
        from itsskit.builtin.calendars import build_builtin_calendar  # the presets' one place

        return build_builtin_calendar(spec)

    # ---------------------------------------------------------- properties

    @property
    def timezone(self) -> str:
        """IANA name of the calendar's timezone."""
        return self._tzname

    @property
    def weekdays(self) -> tuple[int, ...]:
        """Sorted working weekdays (0=Monday)."""
        return self._weekdays

    @property
    def hours(self) -> tuple[str, ...]:
        """Sorted, normalised working windows ``"HH:MM-HH:MM"``."""
        return tuple(_fmt_window(w) for w in self._windows)

    @cached_property
    def holidays(self) -> frozenset[date]:
        """Dates that are never working days: the calendar's own and those of its official
        schedules (shipped and loaded); a provisional year's are in :meth:`day`."""
        return (self._listed(off=True) - self._own_workdays) | self._own_holidays

    @cached_property
    def workdays(self) -> frozenset[date]:
        """Make-up dates that are working days even on a weekend (the same sources)."""
        return (self._listed(off=False) - self._own_holidays) | self._own_workdays

    def _listed(self, off: bool) -> frozenset[date]:
        official = self._book.official() if self._book else ()
        return frozenset(day.date for s in official for day in s.days if day.off == off)

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar(timezone={self._tzname!r}, weekdays={self._weekdays!r}, "
            f"hours={self.hours!r}, holidays=<{len(self.holidays)}>, "
            f"workdays=<{len(self.workdays)}>)"
        )

    # ------------------------------------------------------------- rules

    def _works(self, d: date) -> bool:
        """Working-day rule for a local date."""
        if d in self._own_holidays:
            return False
        if d in self._own_workdays:
            return True
        if self._book is not None:
            entry, _ = self._book.entry(d)
            if entry is not None:
                return not entry.off
        return d.weekday() in self._wdset

    def day(self, day: date) -> DayFact:
        """Whether ``day`` works, why, under which schedule, and whether that is official."""
        if not isinstance(day, date) or isinstance(day, datetime):
            raise TypeError(f"expected a date, got {type(day).__name__}")
        official = self.is_official(day.year)
        if day in self._own_holidays or day in self._own_workdays:
            working = day in self._own_workdays and day not in self._own_holidays
            reason = DayReason.USER_WORKDAY if working else DayReason.USER_HOLIDAY
            return DayFact(date=day, working=working, reason=reason, source="user", official=True)
        entry, schedule = self._book.entry(day) if self._book else (None, None)
        if entry is not None and schedule is not None:
            return DayFact(
                date=day,
                working=not entry.off,
                reason=DayReason.HOLIDAY if entry.off else DayReason.MAKEUP,
                source=schedule.source.value,
                official=schedule.official,
                name=entry.name,
                name_en=entry.name_en,
            )
        working = day.weekday() in self._wdset
        reason = DayReason.WEEKDAY if working else DayReason.WEEKEND
        return DayFact(date=day, working=working, reason=reason, source="rule", official=official)

    def special_days(self, year: int) -> tuple[DayFact, ...]:
        """The facts of ``year``'s holidays, make-up days and overrides, in date order
        (every other day follows the weekday rule)."""
        days = (date(year, 1, 1) + timedelta(days=k) for k in range(366))
        facts = (self.day(d) for d in days if d.year == year)
        return tuple(f for f in facts if f.reason not in (DayReason.WEEKDAY, DayReason.WEEKEND))

    def schedule(self, year: int) -> YearSchedule | None:
        """The schedule governing ``year`` (None: the weekday rule and own dates alone)."""
        return self._book.year(year) if self._book else None

    def is_official(self, year: int) -> bool:
        """False when ``year`` rests on a provisional schedule (China preset, no official one)."""
        return self._book is None or self._book.is_official(year)

    def provisional_years(self, start: date | datetime, end: date | datetime) -> tuple[int, ...]:
        """The provisional years among those from ``start`` to ``end`` (local years).

        Dates count inclusively; aware datetimes as the half-open ``[start, end)``
        seen in the calendar's zone.  ``()`` means every result over the span is official.
        """
        if isinstance(start, datetime) and isinstance(end, datetime):
            return self.provisional_years_many([start], [end])
        first, last = (_as_date(v, self._tz) for v in (start, end))
        return tuple(y for y in range(first.year, last.year + 1) if not self.is_official(y))

    def provisional_years_many(
        self, starts: Sequence[datetime] | NDArray[Any], ends: Sequence[datetime] | NDArray[Any]
    ) -> tuple[int, ...]:
        """The provisional local years touched by any span ``[starts[i], ends[i])``.

        Same inputs as :meth:`business_seconds_many` (NaT pairs are skipped); an
        empty span touches the year of its start.
        """
        if self._book is None or not self._book.statutory:
            return ()
        s, e = _to_us_array(starts), _to_us_array(ends)
        keep = (s != _NAT) & (e != _NAT)
        s, e = s[keep], e[keep]
        if not len(s):
            return ()
        last = np.maximum(e - 1, s)  # the last instant inside the span
        y0 = max(_year_of(int(s.min())) - 1, _MIN_YEAR)
        y1 = min(_year_of(int(last.max())) + 1, _MAX_YEAR)
        candidates = [y for y in range(y0, y1 + 1) if not self.is_official(y)]
        if not candidates:
            return ()
        bounds = np.array([self._local_us(date(y, 1, 1), 0) for y in range(y0, y1 + 2)])
        first = np.searchsorted(bounds, s, "right") - 1
        final = np.searchsorted(bounds, last, "right") - 1
        touched = np.zeros(len(bounds) + 1, dtype=np.int64)
        np.add.at(touched, first, 1)
        np.add.at(touched, final + 1, -1)
        covered = np.cumsum(touched) > 0
        return tuple(y for y in candidates if covered[y - y0])

    def is_working_day(self, day: date | datetime) -> bool:
        """Whether ``day`` (a date, or an aware datetime seen in the calendar zone) works."""
        if isinstance(day, datetime):
            epoch_us(day)  # rejects naive datetimes
            day = day.astimezone(self._tz).date()
        elif not isinstance(day, date):
            raise TypeError(f"expected a date or aware datetime, got {type(day).__name__}")
        return self._works(day)

    # -------------------------------------------------------------- table

    def _local_us(self, d: date, minute: int) -> int:
        """UTC epoch microseconds of local wall time ``d + minute``."""
        if minute >= 1440:
            d, minute = d + timedelta(days=1), minute - 1440
        local = datetime(d.year, d.month, d.day, minute // 60, minute % 60, tzinfo=self._tz)
        off = local.utcoffset()
        off_us = 0 if off is None else off // timedelta(microseconds=1)
        return (d.toordinal() - _EPOCH_ORD) * _DAY_US + minute * 60 * _US - off_us

    def _year_chunk(self, year: int) -> tuple[list[int], list[int]]:
        """Raw (unsanitised) working windows of one local year."""
        starts: list[int] = []
        ends: list[int] = []
        d, one = date(year, 1, 1), timedelta(days=1)
        while d.year == year:
            if self._works(d):
                for a, b in self._windows:
                    starts.append(self._local_us(d, a))
                    ends.append(self._local_us(d, b))
            d += one
        return starts, ends

    def _build(self, y0: int, y1: int) -> _Table:
        """Assemble the table for local years ``y0..y1`` from cached year chunks."""
        s_list: list[int] = []
        e_list: list[int] = []
        for y in range(y0, y1 + 1):
            if y not in self._chunks:
                self._chunks[y] = self._year_chunk(y)
            s_list += self._chunks[y][0]
            e_list += self._chunks[y][1]
        starts = np.array(s_list, dtype=np.int64)
        ends = np.array(e_list, dtype=np.int64)
        if len(starts):  # DST gaps may produce reversed/overlapping windows: normalise
            prev_end = np.maximum.accumulate(ends)
            starts[1:] = np.maximum(starts[1:], prev_end[:-1])
            ends = np.maximum(ends, starts)
            keep = ends > starts
            starts, ends = starts[keep], ends[keep]
            touch = np.concatenate(([False], starts[1:] == ends[:-1]))
            starts, ends = starts[~touch], ends[np.concatenate((~touch[1:], [True]))]
        lens = ends - starts
        cum_end = np.cumsum(lens, dtype=np.int64)
        cum = cum_end - lens
        lo = self._local_us(date(y0, 1, 1), 0)
        hi = self._local_us(date(y1, 12, 31), 1440)
        return _Table(y0, y1, lo, hi, starts, ends, cum, cum_end, cum - starts)

    def _ensure(self, lo_us: int, hi_us: int) -> _Table:
        """Return a table covering instants ``lo_us..hi_us`` (extending by whole years)."""
        tab = self._table
        if tab is not None and tab.lo <= lo_us and hi_us <= tab.hi:
            return tab
        ylo, yhi = _year_of(lo_us) - 1, _year_of(hi_us) + 1
        if ylo < _MIN_YEAR or yhi > _MAX_YEAR:
            raise ValueError(f"instants must lie within years {_MIN_YEAR + 1}..{_MAX_YEAR - 1}")
        with self._lock:
            tab = self._table
            if tab is not None:
                ylo, yhi = min(ylo, tab.y0), max(yhi, tab.y1)
            self._table = tab = self._build(ylo, yhi)
        return tab

    def _extend_forward(self, tab: _Table, target: int) -> _Table:
        """Grow the table by whole years towards total working time ``target``."""
        total = int(tab.cum_end[-1]) if len(tab.cum_end) else 0
        if not self._weekdays and not any(d.year > tab.y1 for d in self.workdays):
            raise ValueError("target unreachable: the calendar has no further working days")
        per_year = total // (tab.y1 - tab.y0 + 1)
        step = -(-(target - total) // per_year) if per_year else 1
        y1 = tab.y1 + max(1, min(step, 100))
        if y1 > _MAX_YEAR:
            raise ValueError(f"result would lie beyond year {_MAX_YEAR - 1}")
        with self._lock:
            cur = self._table or tab
            self._table = tab = self._build(min(cur.y0, tab.y0), max(cur.y1, y1))
        return tab

    # ---------------------------------------------------------------- core

    @staticmethod
    def _cumulative(tab: _Table, t: I64) -> I64:
        """F(t): working microseconds from the table start up to each instant ``t``."""
        if not len(tab.starts):
            return np.zeros_like(t)
        i = np.searchsorted(tab.starts, t, "right")
        i -= 1
        np.maximum(i, 0, out=i)
        f = np.minimum(t, tab.ends[i])
        f += tab.base[i]
        np.maximum(f, 0, out=f)
        return f

    @staticmethod
    def _inverse(tab: _Table, target: I64, floor: I64) -> I64:
        """Earliest instant >= ``floor`` where F reaches ``target`` (table must suffice)."""
        j = np.searchsorted(tab.cum_end, target, "left")
        out = tab.starts[j] + (target - tab.cum[j])
        return np.maximum(out, floor)

    # ----------------------------------------------------------- scalars

    def business_seconds(self, start: datetime, end: datetime) -> int:
        """Whole working seconds in ``[start, end)``; 0 if ``end <= start``."""
        a, b = epoch_us(start), epoch_us(end)
        if b <= a:
            return 0
        f = self._cumulative(self._ensure(a, b), np.array([a, b], dtype=np.int64))
        return int(f[1] - f[0]) // _US

    def add_business_seconds(self, start: datetime, seconds: int) -> datetime:
        """Earliest instant ``t >= start`` with ``business_seconds(start, t) == seconds``."""
        n = np.array([_check_seconds(seconds)], dtype=np.int64)
        us = int(self._add_us(np.array([epoch_us(start)], dtype=np.int64), n)[0])
        return self._from_us(us)

    def _from_us(self, us: int) -> datetime:
        """Aware datetime in the calendar zone for epoch microseconds."""
        return (_EPOCH + timedelta(microseconds=us)).astimezone(self._tz)

    def working_intervals(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """Maximal working intervals inside ``[start, end)``, aware, in the calendar zone."""
        a, b = epoch_us(start), epoch_us(end)
        if b <= a:
            return []
        tab = self._ensure(a, b)
        i = int(np.searchsorted(tab.ends, a, "right"))
        j = int(np.searchsorted(tab.starts, b, "left"))
        out: list[tuple[datetime, datetime]] = []
        for s, e in zip(tab.starts[i:j].tolist(), tab.ends[i:j].tolist(), strict=True):
            out.append((self._from_us(max(s, a)), self._from_us(min(e, b))))
        return out

    # -------------------------------------------------------- vectorised

    def business_seconds_many(
        self, starts: Sequence[datetime] | NDArray[Any], ends: Sequence[datetime] | NDArray[Any]
    ) -> NDArray[np.int64]:
        """Element-wise :meth:`business_seconds` (int64; 0 where either side is NaT).

        Accepts sequences of aware datetimes or ``datetime64`` arrays (any
        unit, taken as UTC).  ``starts`` and ``ends`` must have the same length.
        """
        s, e = _to_us_array(starts), _to_us_array(ends)
        if s.shape != e.shape:
            raise ValueError(
                f"starts and ends must have the same length, got {s.shape[0]} starts "
                f"and {e.shape[0]} ends"
            )
        valid = (s != _NAT) & (e != _NAT)
        all_valid = bool(valid.all())
        if not valid.any():
            return np.zeros(s.shape, dtype=np.int64)
        both = (s, e) if all_valid else (s[valid], e[valid])
        tab = self._ensure(
            min(int(both[0].min()), int(both[1].min())), max(int(both[0].max()), int(both[1].max()))
        )
        diff = self._cumulative(tab, e) - self._cumulative(tab, s)
        np.maximum(diff, 0, out=diff)
        diff //= _US
        if not all_valid:
            diff[~valid] = 0
        return diff

    def add_business_seconds_many(
        self,
        starts: Sequence[datetime] | NDArray[Any],
        seconds: int | Sequence[int] | NDArray[Any],
    ) -> NDArray[np.datetime64]:
        """Element-wise :meth:`add_business_seconds`; ``datetime64[us]`` UTC (NaT stays NaT)."""
        s, n = np.broadcast_arrays(_to_us_array(starts), _seconds_array(seconds))
        return self._add_us(s, n).view("datetime64[us]")

    def _add_us(self, s: I64, n: I64) -> I64:
        """Vectorised inverse on epoch microseconds (NaT in, NaT out)."""
        valid = s != _NAT
        out = np.full(s.shape, _NAT, dtype=np.int64)
        if valid.any():
            sv, nv = s[valid], n[valid]
            tab = self._ensure(int(sv.min()), int(sv.max()))
            while True:  # F is relative to the table start: recompute after any rebuild
                target = self._cumulative(tab, sv) + nv * _US
                need = int(target.max())
                if len(tab.cum_end) and int(tab.cum_end[-1]) >= need:
                    break
                tab = self._extend_forward(tab, need)
            out[valid] = self._inverse(tab, target, sv)
        return out


def _as_date(value: date | datetime, zone: ZoneInfo) -> date:
    """A date, or an aware datetime's local date in ``zone``."""
    if isinstance(value, datetime):
        epoch_us(value)  # rejects naive datetimes
        return value.astimezone(zone).date()
    if isinstance(value, date):
        return value
    raise TypeError(f"expected a date or aware datetime, got {type(value).__name__}")


def _check_seconds(seconds: Any) -> int:
    """Validate a non-negative whole number of seconds."""
    if isinstance(seconds, bool) or not isinstance(seconds, (Integral, float, np.floating)):
        raise TypeError(f"seconds must be an int, got {type(seconds).__name__}")
    if seconds != int(seconds) or not 0 <= int(seconds) <= _MAX_SECONDS:
        raise ValueError(f"seconds must be a whole number in 0..{_MAX_SECONDS}, got {seconds!r}")
    return int(seconds)


def _seconds_array(seconds: Any) -> I64:
    """Validate an array of non-negative whole seconds."""
    arr = np.asarray(seconds)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.floor(arr)):
            raise ValueError("seconds must be whole numbers")
    elif arr.dtype.kind not in "iu":
        raise TypeError(f"seconds must be integers, got dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() > _MAX_SECONDS):
        raise ValueError(f"seconds must lie in 0..{_MAX_SECONDS}")
    return arr.astype(np.int64)

"""Official holiday schedules from files: holiday-cn JSON and iCalendar (.ics).

The JSON is the format of the widely used holiday-cn data set
(https://github.com/NateScarlet/holiday-cn)::

    {"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}, ...]}

``isOffDay`` false marks a make-up working day.  The iCalendar form is the one
holiday-cn publishes beside it: all-day events (``DTSTART;VALUE=DATE``, ``DTEND``
exclusive) whose ``SUMMARY`` is ``<name>假期`` for holidays and ``上班(补<name>假期)``
for make-up working days; a summary with neither marker is a holiday named by
the whole summary.  ``.ics`` files are parsed with ``icalendar`` (line folding,
escapes, parameters and time zones are RFC 5545's business, not ours); the year
is the one most of the file's days fall in.

Every problem raises :class:`ScheduleFileError` with one line naming the file,
the entry and what was expected.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from itsskit.schedules import HOLIDAY_NAMES, ScheduledDay, ScheduleSource, YearSchedule

__all__ = ["ScheduleFileError", "parse_holiday_cn_json", "parse_ics", "read_schedule"]

_MAKEUP = re.compile(r"^\s*上班\s*[(（]\s*补(?P<name>.+?)(假期)?\s*[)）]\s*$")
_HOLIDAY = re.compile(r"^\s*(?P<name>.+?)(假期)?\s*$")
_MAX_DAYS = 400  # a year's schedule never lists more


class ScheduleFileError(ValueError):
    """A schedule file that cannot be used; the message is one line naming file and entry."""


def read_schedule(path: str | Path) -> YearSchedule:
    """Read a ``.json`` (holiday-cn) or ``.ics`` schedule file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".ics"):
        raise ScheduleFileError(f"{path}: expected a .json (holiday-cn) or .ics schedule file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScheduleFileError(f"{path}: cannot read the schedule file ({exc.strerror})") from None
    if suffix == ".json":
        return parse_holiday_cn_json(data, str(path))
    return parse_ics(data, str(path))


def parse_holiday_cn_json(data: bytes | str, origin: str) -> YearSchedule:
    """A holiday-cn JSON document as an official schedule (``origin`` names it in errors)."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ScheduleFileError(f"{origin}: not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise ScheduleFileError(f'{origin}: expected an object {{"year": ..., "days": [...]}}')
    year = doc.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 9997:
        raise ScheduleFileError(f"{origin}: year: expected a year such as 2027, got {year!r}")
    raw_days = doc.get("days")
    if not isinstance(raw_days, list):
        raise ScheduleFileError(f"{origin}: days: expected a list of days")
    days = [_json_day(entry, f"{origin}: days[{k}]") for k, entry in enumerate(raw_days)]
    return _schedule(year, days, origin)


def _json_day(entry: Any, where: str) -> tuple[ScheduledDay, str]:
    if not isinstance(entry, dict):
        raise ScheduleFileError(f'{where}: expected {{"name": ..., "date": ..., "isOffDay": ...}}')
    name, text, off = entry.get("name"), entry.get("date"), entry.get("isOffDay")
    if not isinstance(name, str) or not name.strip():
        raise ScheduleFileError(f"{where}.name: expected the holiday's name, got {name!r}")
    if not isinstance(off, bool):
        raise ScheduleFileError(f"{where}.isOffDay: expected true or false, got {off!r}")
    try:
        day = date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        day = None
    if day is None:
        raise ScheduleFileError(f"{where}.date: expected YYYY-MM-DD, got {text!r}")
    return _day(day, off, name.strip()), where


def parse_ics(data: bytes, origin: str) -> YearSchedule:
    """An iCalendar file of all-day holiday / make-up events as an official schedule."""
    from icalendar import Calendar

    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as exc:
        raise ScheduleFileError(f"{origin}: not a valid iCalendar file ({exc})") from None
    days: list[tuple[ScheduledDay, str]] = []
    for k, event in enumerate(calendar.walk("VEVENT")):
        where = f"{origin}: VEVENT {k + 1}"
        days += _ics_days(event, where)
        if len(days) > _MAX_DAYS:
            raise ScheduleFileError(f"{where}: more than {_MAX_DAYS} days; expected one year")
    if not days:
        raise ScheduleFileError(f"{origin}: no VEVENT with a date; expected the year's holidays")
    year = Counter(day.date.year for day, _ in days).most_common(1)[0][0]
    return _schedule(year, days, origin)


def _ics_days(event: Any, where: str) -> list[tuple[ScheduledDay, str]]:
    summary = str(event.get("SUMMARY", "")).strip()
    if not summary:
        raise ScheduleFileError(f"{where}: SUMMARY: expected the holiday's name")
    where = f"{where} ({summary})"
    start = _ics_date(event.get("DTSTART"), f"{where}: DTSTART")
    end = _ics_date(event.get("DTEND"), f"{where}: DTEND") if "DTEND" in event else None
    end = end or start + timedelta(days=1)
    if end <= start:
        raise ScheduleFileError(f"{where}: DTEND {end} must be after DTSTART {start}")
    if (end - start).days > _MAX_DAYS:
        raise ScheduleFileError(f"{where}: spans {(end - start).days} days; expected a holiday")
    makeup = _MAKEUP.match(summary)
    match = makeup or _HOLIDAY.match(summary)
    name = match.group("name").strip() if match else summary
    count = (end - start).days
    return [(_day(start + timedelta(days=k), makeup is None, name), where) for k in range(count)]


def _ics_date(prop: Any, where: str) -> date:
    value = getattr(prop, "dt", None)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise ScheduleFileError(f"{where}: expected a date (e.g. DTSTART;VALUE=DATE:20270101)")


def _day(day: date, off: bool, name: str) -> ScheduledDay:
    return ScheduledDay(date=day, off=off, name=name, name_en=HOLIDAY_NAMES.get(name, ""))


def _belongs(day: date, year: int) -> bool:
    """In ``year``, or spilling into the December before or the January after it."""
    return day.year == year or (day.year, day.month) in ((year - 1, 12), (year + 1, 1))


def _schedule(year: int, days: Iterable[tuple[ScheduledDay, str]], origin: str) -> YearSchedule:
    seen: dict[date, str] = {}
    kept: list[ScheduledDay] = []
    for day, where in days:
        if not _belongs(day.date, year):
            raise ScheduleFileError(f"{where}: {day.date} lies outside the {year} schedule")
        if day.date in seen:
            raise ScheduleFileError(f"{where}: {day.date} is already listed by {seen[day.date]}")
        seen[day.date] = where.removeprefix(f"{origin}: ")
        kept.append(day)
    return YearSchedule(year=year, days=tuple(kept), source=ScheduleSource.FILE, origin=origin)

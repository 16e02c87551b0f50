"""Zabbix maintenance periods as time windows (pure; no I/O).

A maintenance is active from ``active_since`` to ``active_till``; inside that,
each of its time periods is in force:

- one time only (``timeperiod_type`` 0): from ``start_date`` for ``period`` seconds;
- daily (2): at ``start_time`` (seconds after local midnight) every ``every`` days,
  counted from the day of ``active_since``;
- weekly (3): on the ``dayofweek`` days (bit 0 Monday ... bit 6 Sunday) of every
  ``every``-th week, counted from the week (starting Monday) of ``active_since``;
- monthly (4): in the ``month`` months (bit 0 January ... bit 11 December), on day
  ``day`` of the month, or (``day`` 0) on the ``dayofweek`` days of the ``every``-th
  week of the month (1 first ... 4 fourth, 5 last).

Local days and times are in the Zabbix server's time zone, as the server's own
timer computes them; a start time that does not exist on a day (a DST gap) is
skipped there too. Every window is cut to the active range.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["ONE_TIME", "DAILY", "WEEKLY", "MONTHLY", "maintenance_windows"]

ONE_TIME, DAILY, WEEKLY, MONTHLY = 0, 2, 3, 4
Window = tuple[datetime, datetime]


def maintenance_windows(
    maintenance: Mapping[str, Any], zone: ZoneInfo, start: datetime, end: datetime
) -> list[Window]:
    """The windows of ``maintenance`` (a ``maintenance.get`` object with ``timeperiods``)
    that overlap ``[start, end)``, cut to its active range, sorted, in UTC.

    Raises ``ValueError`` (naming the field) for a time period it cannot read.
    """
    active = (_instant(maintenance, "active_since"), _instant(maintenance, "active_till"))
    windows: set[Window] = set()
    for period in maintenance.get("timeperiods") or ():
        for first, last in _period_windows(period, zone, active, (start, end)):
            first, last = max(first, active[0]), min(last, active[1])
            if first < last and first < end and last > start:
                windows.add((first, last))
    return sorted(windows)


def _period_windows(
    period: Mapping[str, Any], zone: ZoneInfo, active: Window, wanted: Window
) -> Iterator[Window]:
    kind = _int(period, "timeperiod_type")
    length = timedelta(seconds=_int(period, "period"))
    if kind == ONE_TIME:
        begin = _instant(period, "start_date")
        yield begin, begin + length
        return
    if kind not in (DAILY, WEEKLY, MONTHLY):
        raise ValueError(f"timeperiod_type {kind} is not 0, 2, 3 or 4")
    since = active[0].astimezone(zone).date()
    # a window starting up to ``length`` before the wanted range may reach into it
    first = max(since, (max(wanted[0], active[0]) - length).astimezone(zone).date())
    last = min(wanted[1], active[1]).astimezone(zone).date()
    start_time = _int(period, "start_time")
    day = first
    while day <= last:
        if _in_force(period, kind, day, since):
            local_start = _local(day, start_time, zone)
            if local_start is not None and local_start >= active[0]:
                yield local_start, local_start + length
        day += timedelta(days=1)


def _in_force(period: Mapping[str, Any], kind: int, day: date, since: date) -> bool:
    """Whether a recurring period starts on local ``day`` (``since``: active_since's day)."""
    every = max(_int(period, "every"), 1)
    if kind == DAILY:
        return (day - since).days % every == 0
    if kind == WEEKLY:
        week_start = since - timedelta(days=since.weekday())
        on_week = (day - week_start).days // 7 % every == 0
        return on_week and _weekday_set(period, day)
    if not _int(period, "month") & (1 << (day.month - 1)):
        return False
    if _int(period, "day"):
        return day.day == _int(period, "day")
    if not _weekday_set(period, day):
        return False
    if every == 5:  # the last such weekday of the month
        return day.day + 7 > calendar.monthrange(day.year, day.month)[1]
    return (day.day - 1) // 7 + 1 == every


def _weekday_set(period: Mapping[str, Any], day: date) -> bool:
    return bool(_int(period, "dayofweek") & (1 << day.weekday()))


def _local(day: date, seconds: int, zone: ZoneInfo) -> datetime | None:
    """``seconds`` after local midnight of ``day`` in UTC; None inside a DST gap."""
    naive = datetime.combine(day, time()) + timedelta(seconds=seconds)
    aware = naive.replace(tzinfo=zone)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        return None
    return aware.astimezone(UTC)


def _int(obj: Mapping[str, Any], field: str) -> int:
    try:
        return int(obj.get(field) or 0)
    except (TypeError, ValueError):
        raise ValueError(f"{field} {obj.get(field)!r} is not a whole number") from None


def _instant(obj: Mapping[str, Any], field: str) -> datetime:
    return datetime.fromtimestamp(_int(obj, field), UTC)

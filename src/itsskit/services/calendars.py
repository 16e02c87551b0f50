"""A business calendar's year: holidays, make-up days and their sources (``itsskit calendar show``)."""

from __future__ import annotations

from typing import Any

from itsskit.calendar import BusinessCalendar, DayFact
from itsskit.config import Config
from itsskit.plugins import PluginHost

__all__ = ["calendar_named", "calendar_year"]

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def calendar_named(
    config: Config | None, name: str | None, *, host: PluginHost | None = None
) -> tuple[str, BusinessCalendar]:
    """The calendar ``[calendars.NAME]`` of ``config`` (the only one when ``name`` is None).

    Without a config: the built-in China calendar. A ValueError names an unknown
    or missing name and lists the known ones.
    """
    if config is None:
        if name is not None:
            raise ValueError("a calendar name needs a config file that defines [calendars.NAME]")
        return "china", BusinessCalendar.china()
    known = sorted(config.calendars)
    if name is None and len(known) == 1:
        name = known[0]
    if name is None or name not in config.calendars:
        wanted = "give a calendar name" if name is None else f"unknown calendar {name!r}"
        raise ValueError(f"{config.path}: {wanted} (known: {', '.join(known) or 'none'})")
    spec = config.calendars[name]
    return name, host.calendar(spec) if host is not None else BusinessCalendar.from_spec(spec)


def calendar_year(cal: BusinessCalendar, year: int, label: str) -> dict[str, Any]:
    """The year's schedule facts as JSON-ready data: source, origin and every special day."""
    schedule = cal.schedule(year)
    return {
        "calendar": label,
        "year": year,
        "official": cal.is_official(year),
        "source": schedule.source.value if schedule else "rule",
        "origin": schedule.origin if schedule else "weekday rule",
        "days": [_day_json(fact) for fact in cal.special_days(year)],
    }


def _day_json(fact: DayFact) -> dict[str, Any]:
    return {
        "date": fact.date.isoformat(),
        "weekday": _WEEKDAYS[fact.date.weekday()],
        "working": fact.working,
        "reason": fact.reason.value,
        "name": fact.name,
        "name_en": fact.name_en,
        "source": fact.source,
        "official": fact.official,
    }

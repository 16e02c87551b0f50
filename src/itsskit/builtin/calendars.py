"""Built-in calendar presets: ``china``, ``weekly`` and ``always``."""

from __future__ import annotations

from itsskit.calendar import BusinessCalendar
from itsskit.contracts import CalendarPreset, Registry
from itsskit.hookspecs import hookimpl
from itsskit.models import CalendarSpec

__all__ = ["AlwaysPreset", "ChinaPreset", "WeeklyPreset"]


class ChinaPreset(CalendarPreset):
    """Mon-Fri and the shipped PRC statutory holidays and make-up working days.

    The spec's ``holidays``/``workdays`` are company overrides; ``weekdays`` is
    ignored (the statutory calendar decides).
    """

    name = "china"

    def build(self, spec: CalendarSpec) -> BusinessCalendar:
        return BusinessCalendar.china(
            hours=spec.hours,
            timezone=spec.timezone,
            holidays=spec.holidays,
            workdays=spec.workdays,
        )


class WeeklyPreset(CalendarPreset):
    """The weekday rule only, plus the spec's own holidays and workdays."""

    name = "weekly"

    def build(self, spec: CalendarSpec) -> BusinessCalendar:
        return BusinessCalendar(
            timezone=spec.timezone,
            weekdays=spec.weekdays,
            hours=spec.hours,
            holidays=spec.holidays,
            workdays=spec.workdays,
        )


class AlwaysPreset(CalendarPreset):
    """Round the clock (7x24): every instant is working time."""

    name = "always"

    def build(self, spec: CalendarSpec) -> BusinessCalendar:
        return BusinessCalendar.always(spec.timezone)


@hookimpl
def register_calendars(registry: Registry[CalendarPreset]) -> None:
    """Register the built-in presets."""
    for preset in (ChinaPreset, WeeklyPreset, AlwaysPreset):
        registry.add(preset)

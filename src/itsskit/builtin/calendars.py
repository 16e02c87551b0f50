"""Built-in calendar presets: ``china``, ``weekly`` and ``always``.

The presets' rules live here and only here: each preset builds a
:class:`BusinessCalendar` from a :class:`CalendarSpec`. The plugin host
registers them like any plugin's presets; :func:`build_builtin_calendar` (behind
:meth:`BusinessCalendar.from_spec` and the core's default ``calendar_for``) uses
them where no plugin host is at hand.
"""

from __future__ import annotations

from typing import ClassVar

from itsskit.calendar import BusinessCalendar
from itsskit.contracts import CalendarPreset, Registry
from itsskit.hookspecs import hookimpl
from itsskit.models import CalendarSpec
from itsskit.schedules import ScheduleBook

__all__ = [
    "BUILTIN_PRESETS",
    "AlwaysPreset",
    "ChinaPreset",
    "WeeklyPreset",
    "build_builtin_calendar",
]


class WeeklyPreset(CalendarPreset):
    """The weekday rule, plus the spec's schedule files and own holidays and workdays;
    never provisional."""

    name = "weekly"
    #: Whether the shipped PRC notices and provisional statutory holidays apply.
    statutory: ClassVar[bool] = False

    def build(self, spec: CalendarSpec) -> BusinessCalendar:
        book = ScheduleBook(statutory=self.statutory, files=tuple(spec.schedules))
        return BusinessCalendar(
            spec.timezone, spec.weekdays, spec.hours, spec.holidays, spec.workdays, book=book
        )


class ChinaPreset(WeeklyPreset):
    """The PRC holidays and make-up working days year by year (the spec's schedule
    files, else the shipped notices 2004-2026, else the provisional statutory
    holidays), beneath the spec's own ``holidays``/``workdays`` (company overrides);
    ``weekdays`` as given."""

    name = "china"
    statutory = True


class AlwaysPreset(CalendarPreset):
    """Round the clock (7x24): every instant is working time."""

    name = "always"

    def build(self, spec: CalendarSpec) -> BusinessCalendar:
        if spec.schedules:
            raise ValueError("schedules apply to the china and weekly presets, not always")
        return BusinessCalendar.always(spec.timezone)


#: The built-in presets by name.
BUILTIN_PRESETS: dict[str, type[CalendarPreset]] = {
    preset.name: preset for preset in (ChinaPreset, WeeklyPreset, AlwaysPreset)
}


def build_builtin_calendar(spec: CalendarSpec) -> BusinessCalendar:
    """The calendar of ``spec`` by a built-in preset; a ValueError for any other preset."""
    preset = BUILTIN_PRESETS.get(spec.preset)
    if preset is None:
        raise ValueError(
            f"unknown calendar preset {spec.preset!r}; expected china, weekly or always "
            "(a plugin's preset needs its plugin host: pass calendar_for=host.calendar)"
        )
    return preset().build(spec)


@hookimpl
def register_calendars(registry: Registry[CalendarPreset]) -> None:
    """Register the built-in presets."""
    for preset in BUILTIN_PRESETS.values():
        registry.add(preset)

"""Built-in calendar presets: ``china``, ``weekly`` and ``always``.

Each builds its calendar with :meth:`BusinessCalendar.from_spec`, the one place
the presets' rules live, so the plugin host and the core agree on every spec.
"""

from __future__ import annotations

from itsskit.calendar import BusinessCalendar
from itsskit.contracts import CalendarPreset, Registry
from itsskit.hookspecs import hookimpl
from itsskit.models import CalendarSpec

__all__ = ["AlwaysPreset", "ChinaPreset", "WeeklyPreset"]


class _BuiltinPreset(CalendarPreset):
    def build(self, spec: CalendarSpec) -> BusinessCalendar:
        return BusinessCalendar.from_spec(spec)


class ChinaPreset(_BuiltinPreset):
    """The PRC holidays and make-up working days year by year (the spec's schedule
    files, else the shipped notices 2004-2026, else the provisional statutory
    holidays), beneath the spec's own ``holidays``/``workdays`` (company overrides);
    ``weekdays`` as given."""

    name = "china"


class WeeklyPreset(_BuiltinPreset):
    """The weekday rule, plus the spec's schedule files and own holidays and workdays;
    never provisional."""

    name = "weekly"


class AlwaysPreset(_BuiltinPreset):
    """Round the clock (7x24): every instant is working time."""

    name = "always"


@hookimpl
def register_calendars(registry: Registry[CalendarPreset]) -> None:
    """Register the built-in presets."""
    for preset in (ChinaPreset, WeeklyPreset, AlwaysPreset):
        registry.add(preset)

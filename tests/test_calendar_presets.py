"""Calendar presets are plugins: their rules live in itsskit.builtin.calendars only."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from itsskit.builtin.calendars import BUILTIN_PRESETS, build_builtin_calendar
from itsskit.calendar import BusinessCalendar
from itsskit.clocks import evaluate
from itsskit.contracts import CalendarPreset, Registry
from itsskit.hookspecs import hookimpl
from itsskit.models import SLA, CalendarSpec, Project, Targets, Ticket
from itsskit.plugins import PluginHost

TZ = ZoneInfo("Asia/Shanghai")


class MoonPreset(CalendarPreset):
    """Working only on Mondays, 10:00-11:00."""

    name = "moon"

    def build(self, spec: CalendarSpec) -> BusinessCalendar:
        return BusinessCalendar(spec.timezone, (0,), ("10:00-11:00",))


class MoonPlugin:
    name = "moon-plugin"

    @hookimpl
    def register_calendars(self, registry: Registry[CalendarPreset]) -> None:
        registry.add(MoonPreset)


def project(preset: str) -> Project:
    sla = SLA(
        id="s",
        calendar=CalendarSpec(preset=preset),
        targets=Targets(resolution={"P1": 7200}),
    )
    return Project(id="p", slas=(sla,))


TICKET = Ticket(
    id="T1",
    priority="P1",
    opened=datetime(2025, 11, 3, 9, tzinfo=TZ),  # a Monday
    resolved=datetime(2025, 11, 10, 12, tzinfo=TZ),  # the next Monday
)


def test_the_host_and_from_spec_build_the_same_builtin_calendars() -> None:
    host = PluginHost.create(entry_points=False)
    start, end = datetime(2025, 9, 26, 8, tzinfo=TZ), datetime(2025, 10, 13, 20, tzinfo=TZ)
    for name in BUILTIN_PRESETS:
        spec = CalendarSpec(preset=name, holidays=(date(2025, 9, 29),))
        by_host = host.calendar(spec).business_seconds(start, end)
        assert by_host == BusinessCalendar.from_spec(spec).business_seconds(start, end)
        assert by_host == build_builtin_calendar(spec).business_seconds(start, end)


def test_a_plugin_preset_measures_clocks_through_the_host() -> None:
    host = PluginHost.create(entry_points=False, extra=[MoonPlugin()])
    clocks = evaluate([TICKET], project("moon"), TICKET.resolved, host.calendar).clocks
    # Monday 3rd 10:00-11:00 and Monday 10th 10:00-11:00: two hours
    assert [(c.metric, c.elapsed_seconds) for c in clocks if c.metric == "resolution"] == [
        ("resolution", 7200)
    ]


def test_a_plugin_preset_without_its_host_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="pass calendar_for=host.calendar"):
        evaluate([TICKET], project("moon"), TICKET.resolved)

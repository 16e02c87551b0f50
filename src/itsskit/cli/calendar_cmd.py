"""``itsskit calendar``: look at a business calendar's year (holidays, make-up days, sources)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from itsskit.calendar import BusinessCalendar, DayFact
from itsskit.cli import HELP_OPTIONS, UsageProblem, load, print_table, warn_provisional

__all__ = ["calendar", "year_json"]

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@click.group(context_settings=HELP_OPTIONS)
def calendar() -> None:
    """Business calendars: holidays, make-up working days and where they come from."""


@calendar.command("show")
@click.argument(
    "config", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--calendar", "name", default=None, help="Calendar name ([calendars.NAME]).")
@click.option("--year", required=True, type=click.IntRange(1900, 9997), help="e.g. 2027.")
@click.option(
    "--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def show(config: Path | None, name: str | None, year: int, output: str) -> None:
    """List YEAR's holidays and make-up working days with their names and source.

    Source: shipped (official, in the package), file (official, from the
    calendar's schedules), provisional (no official schedule: statutory
    holidays only, make-up days unknown) or user (the calendar's own holidays
    and workdays). Without CONFIG: the built-in China calendar.
    """
    label, cal = _calendar(config, name)
    data = year_json(cal, year, label)
    if output == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        title = f"{label} {year}: {data['source']} ({data['origin']})"
        rows = [
            (d["date"], d["weekday"], "yes" if d["working"] else "no", d["reason"], d["name"],
             d["name_en"], d["source"])
            for d in data["days"]
        ]  # fmt: skip
        headers = ("date", "weekday", "working", "reason", "name", "name (en)", "source")
        print_table(headers, rows, title=title)
    provisional = () if cal.is_official(year) else (year,)
    warn_provisional(provisional, [label] if config else [], strict=False)


def year_json(cal: BusinessCalendar, year: int, label: str) -> dict[str, Any]:
    """The year's schedule facts as JSON-ready data."""
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


def _calendar(config: Path | None, name: str | None) -> tuple[str, BusinessCalendar]:
    if config is None:
        if name is not None:
            raise UsageProblem("--calendar needs a CONFIG file that defines [calendars.NAME]")
        return "china", BusinessCalendar.china()
    settings, host = load(config)
    known = sorted(settings.calendars)
    if name is None and len(known) == 1:
        name = known[0]
    if name is None or name not in settings.calendars:
        wanted = "give --calendar NAME" if name is None else f"unknown calendar {name!r}"
        raise UsageProblem(f"{settings.path}: {wanted} (known: {', '.join(known) or 'none'})")
    return name, host.calendar(settings.calendars[name])

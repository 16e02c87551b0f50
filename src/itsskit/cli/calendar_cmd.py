"""``itsskit calendar``: look at a business calendar's year (holidays, make-up days, sources)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from itsskit.calendar import BusinessCalendar
from itsskit.cli import HELP_OPTIONS, UsageProblem, load, print_table, warn_provisional
from itsskit.services.calendars import calendar_named, calendar_year

__all__ = ["calendar"]


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
    data = calendar_year(cal, year, label)
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


def _calendar(config: Path | None, name: str | None) -> tuple[str, BusinessCalendar]:
    if config is None and name is not None:
        raise UsageProblem("--calendar needs a CONFIG file that defines [calendars.NAME]")
    settings, host = load(config) if config is not None else (None, None)
    try:
        return calendar_named(settings, name, host=host)
    except ValueError as exc:
        raise UsageProblem(
            str(exc).replace("give a calendar name", "give --calendar NAME")
        ) from None

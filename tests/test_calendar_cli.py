"""The CLI over 2027: ``calendar show``, and sla/kpi/report marking provisional results.

The expected clocks come from ``reference_impl.RefCalendar`` (plain per-day loops)
fed with holidays read independently: the shipped JSON, the ``holidays``
package for later years, and the schedule file read with ``json`` alone.
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from itsskit.cli import main
from reference_impl import RefCalendar, china_data, china_later_holidays

DATA = Path(__file__).resolve().parent / "data" / "holidays"
WARNING = "warning: results rest on a provisional China holiday schedule for 2027"

CONFIG = """
[calendars.office]
preset = "china"
{schedules}

[slas.gold]
calendar = "office"
[slas.gold.targets.response]
P1 = "15m"
P2 = "30m"
[slas.gold.targets.resolution]
P1 = "4h"
P2 = "8h"

[sources.tickets]
plugin = "csv"
kind = "tickets"
path = "tickets.csv"

[projects.alpha]
sla = "gold"
sources = ["tickets"]

[reports.alpha-monthly]
project = "alpha"
title = "Alpha monthly"
"""

# Around the (hypothetical) 2027 schedule's holidays and make-up days.
TICKETS = """\
id,project,priority,opened,first_response,resolved
T1,alpha,P1,2027-02-04T17:00:00,2027-02-04T17:10:00,2027-02-15T10:00:00
T2,alpha,P2,2027-02-19T17:00:00,2027-02-20T09:20:00,2027-02-20T10:00:00
T3,alpha,P1,2027-09-30T16:00:00,,2027-10-09T10:00:00
T4,alpha,P2,2027-04-30T17:30:00,,
T5,alpha,P1,2027-01-29T17:30:00,2027-02-01T09:05:00,2027-02-09T11:00:00
"""
AT = "2027-10-12T12:00:00+08:00"
TARGETS = {"response": {"P1": 900, "P2": 1800}, "resolution": {"P1": 14400, "P2": 28800}}


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def write(tmp_path: Path, with_schedule: bool) -> Path:
    (tmp_path / "holidays").mkdir()
    shutil.copy(DATA / "2027.json", tmp_path / "holidays" / "2027.json")
    (tmp_path / "tickets.csv").write_text(TICKETS, encoding="utf-8")
    schedules = 'schedules = ["holidays/2027.json"]' if with_schedule else ""
    path = tmp_path / "itsskit.toml"
    path.write_text(CONFIG.format(schedules=schedules), encoding="utf-8")
    return path


def reference(with_schedule: bool) -> RefCalendar:
    holidays, workdays = china_data()
    later = china_later_holidays()
    if with_schedule:
        doc = json.loads((DATA / "2027.json").read_text(encoding="utf-8"))
        later = {d for d in later if d.year != 2027}
        for entry in doc["days"]:
            day = datetime.fromisoformat(entry["date"]).date()
            (holidays if entry["isOffDay"] else workdays).add(day)
    return RefCalendar(holidays=holidays | later, workdays=workdays)


def expected_rows(cal: RefCalendar) -> list[list[str]]:
    at = datetime.fromisoformat(AT)
    rows = []
    for line in TICKETS.splitlines()[1:]:
        tid, _, priority, opened_text, response_text, resolved_text = line.split(",")
        opened = datetime.fromisoformat(opened_text + "+08:00")
        resolved = datetime.fromisoformat(resolved_text + "+08:00") if resolved_text else None
        response = datetime.fromisoformat(response_text + "+08:00") if response_text else resolved
        for metric, stop in (("response", response), ("resolution", resolved)):
            target = TARGETS[metric][priority]
            elapsed = cal.business_seconds(opened, stop or at)
            status = "breached" if elapsed > target else "met" if stop else "in_progress"
            deadline = cal.add_business_seconds(opened, target).isoformat()
            rows.append([tid, priority, metric, str(target), str(elapsed), status, deadline])
    return rows


@pytest.mark.parametrize("with_schedule", [True, False], ids=["file", "provisional"])
def test_sla_evaluate_2027_matches_an_independent_computation(
    tmp_path: Path, with_schedule: bool
) -> None:
    config = write(tmp_path, with_schedule)
    out = tmp_path / "clocks.csv"
    result = run(
        "sla", "evaluate", str(config), "--project", "alpha", "--at", AT, "--output", str(out)
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    assert rows == expected_rows(reference(with_schedule))
    assert result.stderr.count(WARNING) == (0 if with_schedule else 1)
    if not with_schedule:
        assert '[calendars.office] schedules = ["holidays/2027.json"]' in result.stderr


def test_the_schedule_file_changes_the_clocks() -> None:
    """The fixture is chosen so that the file and the provisional year disagree."""
    official = expected_rows(reference(True))
    assert official != expected_rows(reference(False))
    # by hand, with the file: T1 Thu 4 Feb 17:00-18:00, then 5-12 Feb off, 13-14 weekend,
    # Mon 15 Feb 09:00-10:00 = 7200 s, deadline Mon 12:00; T2 answered on the make-up
    # Saturday 20 Feb: Fri 17:00-18:00 + Sat 09:00-09:20 = 4800 s
    assert official[1] == [
        "T1",
        "P1",
        "resolution",
        "14400",
        "7200",
        "met",
        "2027-02-15T12:00:00+08:00",
    ]
    assert official[2][:6] == ["T2", "P2", "response", "1800", "4800", "breached"]


def test_sla_evaluate_strict_fails_on_a_provisional_year(tmp_path: Path) -> None:
    config = write(tmp_path, with_schedule=False)
    out = tmp_path / "clocks.csv"
    args = ("sla", "evaluate", str(config), "--project", "alpha", "--at", AT, "--output", str(out))
    result = run(*args, "--strict")
    assert result.exit_code == 1 and result.stderr.count(WARNING) == 1
    assert out.exists()  # the clocks are still written


def test_sla_evaluate_in_an_official_year_says_nothing(tmp_path: Path) -> None:
    config = write(tmp_path, with_schedule=False)
    (tmp_path / "tickets.csv").write_text(
        "id,project,priority,opened,first_response,resolved\n"
        "T1,alpha,P1,2026-03-02T09:00:00,2026-03-02T09:05:00,2026-03-02T10:00:00\n",
        encoding="utf-8",
    )
    out = tmp_path / "clocks.csv"
    args = ("sla", "evaluate", str(config), "--project", "alpha", "--output", str(out))
    result = run(*args, "--at", "2026-03-03T12:00:00+08:00", "--strict")
    assert result.exit_code == 0 and "provisional" not in result.stderr


@pytest.mark.parametrize("with_schedule", [True, False], ids=["file", "provisional"])
def test_kpi_json_names_figures_resting_on_a_provisional_year(
    tmp_path: Path, with_schedule: bool
) -> None:
    config = write(tmp_path, with_schedule)
    args = ("kpi", str(config), "--period", "2027-02", "--format", "json", "--at", AT)
    result = run(*args, "--project", "alpha")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    if with_schedule:
        assert "provisional_calendar" not in data and "provisional" not in result.stderr
        return
    marked = data["provisional_calendar"]
    assert marked["years"] == [2027] and marked["projects"] == {"alpha": [2027]}
    assert {"sla_attainment", "availability", "mttr_seconds"} <= set(marked["kpis"])
    assert "satisfaction_mean" not in marked["kpis"]
    assert result.stderr.count(WARNING) == 1
    company = run("kpi", str(config), "--period", "2027-02", "--format", "json", "--at", AT)
    assert json.loads(company.stdout)["provisional_calendar"]["years"] == [2027]
    assert run(*args, "--project", "alpha", "--strict").exit_code == 1


def test_report_build_marks_the_appendix_and_warns_once(tmp_path: Path) -> None:
    config = write(tmp_path, with_schedule=False)
    out = tmp_path / "out"
    args = ("report", "build", str(config), "--report", "alpha-monthly", "--period", "2027-02")
    result = run(*args, "--format", "json", "--out", str(out), "--at", AT, "--language", "en")
    assert result.exit_code == 0, result.output
    assert result.stderr.count(WARNING) == 1
    report = json.loads(next(out.glob("*.json")).read_text(encoding="utf-8"))
    assert report["figures"]["provisional_years"] == [2027]
    text = json.dumps(report, ensure_ascii=False)
    assert "rest on a provisional holiday schedule for 2027" in text
    strict = run(*args, "--format", "json", "--out", str(out), "--at", AT, "--strict")
    assert strict.exit_code == 1


def test_report_with_the_official_schedule_has_no_note(tmp_path: Path) -> None:
    config = write(tmp_path, with_schedule=True)
    out = tmp_path / "out"
    args = ("report", "build", str(config), "--report", "alpha-monthly", "--period", "2027-02")
    result = run(*args, "--format", "json", "--out", str(out), "--at", AT, "--strict")
    assert result.exit_code == 0, result.output
    report = json.loads(next(out.glob("*.json")).read_text(encoding="utf-8"))
    assert report["figures"]["provisional_years"] == []
    assert "推定" not in json.dumps(report, ensure_ascii=False)


def test_report_batch_warns_once_and_strict_fails(tmp_path: Path) -> None:
    config = write(tmp_path, with_schedule=False)
    args = ("report", "batch", str(config), "--period", "2027-02", "--format", "json")
    result = run(*args, "--out", str(tmp_path / "out"), "--jobs", "1", "--at", AT, "--strict")
    assert result.exit_code == 1
    assert result.stderr.count(WARNING) == 1


# ------------------------------------------------------------ calendar show


def test_calendar_show_2027_without_config_is_provisional() -> None:
    result = run("calendar", "show", "--year", "2027", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["calendar"], data["year"], data["official"], data["source"]) == (
        "china", 2027, False, "provisional",
    )  # fmt: skip
    dates = [d["date"] for d in data["days"]]
    for day in ("2027-01-01", "2027-02-05", "2027-02-08", "2027-04-05", "2027-06-09"):
        assert day in dates
    assert all(d["source"] == "provisional" and not d["working"] for d in data["days"])
    assert result.stderr.count("provisional China holiday schedule for 2027") == 1


def test_calendar_show_table_lists_names_and_sources(tmp_path: Path) -> None:
    config = write(tmp_path, with_schedule=True)
    result = run("calendar", "show", str(config), "--year", "2027")
    assert result.exit_code == 0, result.output
    assert "office 2027: file" in result.stdout
    line = next(row for row in result.stdout.splitlines() if row.startswith("2027-02-20"))
    assert line.split("\t") == [
        "2027-02-20",
        "Sat",
        "yes",
        "makeup",
        "春节",
        "Spring Festival",
        "file",
    ]
    assert "provisional" not in result.stderr
    shipped = run("calendar", "show", str(config), "--calendar", "office", "--year", "2026")
    assert "2026-01-04\tSun\tyes\tmakeup\t元旦\tNew Year's Day\tshipped" in shipped.stdout


def test_calendar_show_errors(tmp_path: Path) -> None:
    config = write(tmp_path, with_schedule=True)
    unknown = run("calendar", "show", str(config), "--calendar", "nope", "--year", "2027")
    assert unknown.exit_code == 2 and "unknown calendar 'nope' (known: office)" in unknown.output
    (tmp_path / "holidays" / "2027.json").write_text('{"year": 2027, "days": [1]}', "utf-8")
    bad = run("calendar", "show", str(config), "--year", "2027")
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    assert "calendars.office.schedules[0]:" in bad.output and "days[0]: expected" in bad.output
    assert run("calendar", "show", "--year", "1800").exit_code == 2


def test_quality_commands_warn_too(tmp_path: Path) -> None:
    config = write(tmp_path, with_schedule=False)
    args = ("quality", "indicators", str(config), "--period", "2027-02", "--at", AT)
    result = run(*args, "--format", "json")
    assert result.exit_code == 0 and result.stderr.count(WARNING) == 1
    assert json.loads(result.stdout)  # the indicators are still written
    assert run(*args, "--strict").exit_code == 1
    annual = ("quality", "annual-report", str(config), "--year", "2027", "--format", "markdown")
    result = run(*annual, "--out", str(tmp_path / "q"), "--at", AT, "--strict")
    assert result.exit_code == 1 and result.stderr.count(WARNING) == 1
    assert list((tmp_path / "q").iterdir())  # written before failing
    (tmp_path / "official").mkdir()
    official = write(tmp_path / "official", with_schedule=True)
    ok = run("quality", "indicators", str(official), "--period", "2027-02", "--at", AT, "--strict")
    assert ok.exit_code == 0 and "provisional" not in ok.stderr

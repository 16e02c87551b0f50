"""The ``itsskit`` command: exit codes, messages, and ``sla evaluate`` end to end."""

from __future__ import annotations

import csv
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from itsskit import __version__
from itsskit.cli import atomic_write, main
from itsskit.plugins import PluginHost

CONFIG = """
[calendars.office]
preset = "china"            # 2025-11-03 .. 2025-11-07 is an ordinary Mon-Fri week

[slas.gold]
calendar = "office"
[slas.gold.targets.response]
P1 = "15m"
P2 = "30m"
[slas.gold.targets.resolution]
P1 = "4h"
P2 = "1h30m"

[sources.tickets]
plugin = "csv"
kind = "tickets"
path = "data/tickets.csv"
events = "data/events.csv"

[projects.alpha]
sla = "gold"
sources = ["tickets"]
"""

TICKETS = """\
id,project,priority,opened,first_response,resolved
T2,,P2,2025-11-03T11:30:00,2025-11-03T14:00:00,
T1,alpha,P1,2025-11-03T09:00:00,2025-11-03T09:10:00,2025-11-03T11:00:00
T3,,P2,2025-11-04T09:00:00,2025-11-04T09:20:00,2025-11-04T11:00:00
T4,,P1,2025-11-04T09:00:00,,2025-11-03T09:00:00
T5,,P9,2025-11-04T09:00:00,,
B1,beta,P1,2025-11-03T09:00:00,,
"""

EVENTS = """\
ticket_id,time,status
T3,2025-11-04T09:30:00,Awaiting User Info
T3,2025-11-04T10:30:00,In Progress
T3,2025-11-04T11:00:00,Resolved
"""

# Worked by hand, working hours 09:00-12:00 and 13:30-18:00 (+08:00), at Tue 2025-11-04 12:00.
# T1 P1: response 09:00->09:10 = 600 s (deadline 09:15); resolution 09:00->11:00 = 7200 s
#        (deadline: 3 h to 12:00, 1 h more from 13:30 = 14:30).
# T2 P2: response Mon 11:30->14:00 = 30 min + 30 min = 3600 s > 1800 (deadline 12:00);
#        resolution still open: Mon 11:30-12:00 1800 + 13:30-18:00 16200 + Tue 09:00-12:00
#        10800 = 28800 s > 5400 (deadline: 30 min to 12:00, 1 h from 13:30 = Mon 14:30).
# T3 P2: response 1200 s (deadline 09:30); resolution 09:00->11:00 minus the hour awaiting
#        the user = 3600 s (deadline 09:00 + 1.5 h + the 1 h pause = 11:30).
# T4 (resolved before opened) and T5 (priority P9) are findings; B1 belongs to project beta.
EXPECTED = [
    ["ticket_id", "priority", "metric", "target_seconds", "elapsed_seconds", "status", "deadline"],
    ["T1", "P1", "response", "900", "600", "met", "2025-11-03T09:15:00+08:00"],
    ["T1", "P1", "resolution", "14400", "7200", "met", "2025-11-03T14:30:00+08:00"],
    ["T2", "P2", "response", "1800", "3600", "breached", "2025-11-03T12:00:00+08:00"],
    ["T2", "P2", "resolution", "5400", "28800", "breached", "2025-11-03T14:30:00+08:00"],
    ["T3", "P2", "response", "1800", "1200", "met", "2025-11-04T09:30:00+08:00"],
    ["T3", "P2", "resolution", "5400", "3600", "met", "2025-11-04T11:30:00+08:00"],
]
AT = "2025-11-04T12:00:00+08:00"


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "tickets.csv").write_text(TICKETS, encoding="utf-8")
    (tmp_path / "data" / "events.csv").write_text(EVENTS, encoding="utf-8")
    path = tmp_path / "itsskit.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(main, list(args))


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    ctx = click.Context(group)
    found = [prefix]
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            found += all_commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.output == f"itsskit, version {__version__}\n"


@pytest.mark.parametrize("command", all_commands(main), ids=" ".join)
def test_help_everywhere(command: tuple[str, ...]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage: itsskit" in result.output


def test_plugins_lists_builtins_and_exit_code_follows_failures() -> None:
    result = run("plugins")
    lines = result.stdout.splitlines()
    assert lines[1] == "name\tversion\thooks\torigin"
    assert f"itsskit.builtin.calendars\t{__version__}\tregister_calendars\tbuiltin" in lines
    failures = PluginHost.create().failures
    assert result.exit_code == (1 if failures else 0)
    assert result.stderr.count("failed: ") == len(failures)


def test_plugins_reports_a_broken_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    broken = importlib.metadata.EntryPoint("broken", "no_such_module_xyz:plugin", "itsskit")
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda **_: [broken])
    monkeypatch.delenv("ITSSKIT_DISABLE_PLUGINS", raising=False)
    result = run("plugins")
    assert result.exit_code == 1
    assert "failed: broken: cannot load no_such_module_xyz:plugin" in result.stderr
    assert "itsskit.builtin.calendars" in result.stdout  # the others still listed


def test_sla_evaluate_writes_the_hand_computed_csv(config_path: Path, tmp_path: Path) -> None:
    output = tmp_path / "clocks.csv"
    result = run(
        "sla",
        "evaluate",
        str(config_path),
        "--project",
        "alpha",
        "--at",
        AT,
        "--output",
        str(output),
    )
    assert result.exit_code == 0, result.output
    assert read_csv(output) == EXPECTED
    assert "2 data-quality finding(s)" in result.stderr
    assert "record T4" in result.stderr and "record T5" in result.stderr


def test_sla_evaluate_at_without_offset_is_in_project_timezone(
    config_path: Path, tmp_path: Path
) -> None:
    output = tmp_path / "clocks.csv"
    result = run(
        "sla",
        "evaluate",
        str(config_path),
        "--project",
        "alpha",
        "--at",
        "2025-11-04T12:00:00",
        "--output",
        str(output),
    )
    assert result.exit_code == 0, result.output
    assert read_csv(output) == EXPECTED


def test_sla_evaluate_strict_exits_1_on_findings(config_path: Path, tmp_path: Path) -> None:
    result = run(
        "sla",
        "evaluate",
        str(config_path),
        "--project",
        "alpha",
        "--at",
        AT,
        "--output",
        str(tmp_path / "out.csv"),
        "--strict",
    )
    assert result.exit_code == 1


def test_unknown_project_is_a_usage_error(config_path: Path, tmp_path: Path) -> None:
    result = run(
        "sla",
        "evaluate",
        str(config_path),
        "--project",
        "gamma",
        "--output",
        str(tmp_path / "out.csv"),
    )
    assert result.exit_code == 2
    assert "unknown project 'gamma' (known: alpha)" in result.stderr


def test_config_error_exits_2_with_the_key(config_path: Path, tmp_path: Path) -> None:
    config_path.write_text(CONFIG.replace('P2 = "1h30m"', 'P2 = "2d"'), encoding="utf-8")
    result = run(
        "sla",
        "evaluate",
        str(config_path),
        "--project",
        "alpha",
        "--output",
        str(tmp_path / "out.csv"),
    )
    assert result.exit_code == 2
    assert f"{config_path.resolve()}: slas.gold.targets.resolution.P2: bad duration '2d'" in (
        result.stderr
    )


def test_unreadable_source_exits_1_and_keeps_the_old_output(
    config_path: Path, tmp_path: Path
) -> None:
    (tmp_path / "data" / "events.csv").unlink()  # not checked by the config, only by the source
    output = tmp_path / "out.csv"
    output.write_text("previous\n", encoding="utf-8")
    result = run(
        "sla",
        "evaluate",
        str(config_path),
        "--project",
        "alpha",
        "--at",
        AT,
        "--output",
        str(output),
    )
    assert result.exit_code == 1
    assert "events.csv" in result.stderr
    assert output.read_text(encoding="utf-8") == "previous\n"


def test_bad_at_is_a_usage_error(config_path: Path, tmp_path: Path) -> None:
    result = run(
        "sla",
        "evaluate",
        str(config_path),
        "--project",
        "alpha",
        "--at",
        "yesterday",
        "--output",
        str(tmp_path / "out.csv"),
    )
    assert result.exit_code == 2
    assert "--at" in result.stderr


def test_sources_check_counts_and_findings(config_path: Path) -> None:
    result = run("sources", "check", str(config_path))
    assert result.stdout.splitlines()[1:] == [
        "source\tplugin\tkind\trecords\tfindings",
        "tickets\tcsv\ttickets\t6\t0",
    ]
    assert result.exit_code == 0


def test_sources_check_exits_1_on_findings(config_path: Path, tmp_path: Path) -> None:
    bad = TICKETS + "T9,,P1,not a time,,\n"
    (tmp_path / "data" / "tickets.csv").write_text(bad, encoding="utf-8")
    result = run("sources", "check", str(config_path))
    assert result.exit_code == 1
    assert "tickets\tcsv\ttickets\t6\t1" in result.stdout
    assert "row 8" in result.stderr and "record T9" in result.stderr
    assert "1 data-quality finding(s)" in result.stderr


def test_atomic_write_leaves_nothing_half_written(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_write(target) as handle:
        handle.write("half a fi")
        raise RuntimeError("boom")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
    with atomic_write(target) as handle:
        handle.write("new\n")
    assert target.read_text(encoding="utf-8") == "new\n"


def test_real_subprocess_sla_evaluate(config_path: Path, tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("itsskit")
    command = (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "from itsskit.cli import main; main()"]
    )
    output = tmp_path / "sub.csv"
    completed = subprocess.run(
        [
            *command,
            "sla",
            "evaluate",
            str(config_path),
            "--project",
            "alpha",
            "--at",
            AT,
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert read_csv(output) == EXPECTED
    assert "6 clock(s) written" in completed.stderr


def test_committed_cli_reference_is_up_to_date() -> None:
    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location(
        "gen_cli_docs", root / "tools" / "gen_cli_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (root / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == module.render(), "run: python tools/gen_cli_docs.py"


def test_parse_at_reads_offsets_zones_and_refuses_bad_text() -> None:
    from datetime import timedelta

    from itsskit.cli import UsageProblem, parse_at

    assert parse_at(None) is None
    with_offset = parse_at("2025-10-31T18:00+08:00")
    assert with_offset is not None and with_offset.utcoffset() == timedelta(hours=8)
    in_zone = parse_at("2025-10-31T18:00", "Asia/Shanghai")
    assert in_zone == with_offset
    with pytest.raises(UsageProblem, match="give a UTC offset"):
        parse_at("2025-10-31T18:00")
    with pytest.raises(UsageProblem, match="expected an ISO 8601 time"):
        parse_at("yesterday", "Asia/Shanghai")


def test_progress_is_silent_without_a_terminal_and_counts_with_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    from itsskit.cli import progress

    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with progress("records") as shown:
        shown.step(5)
        shown.describe("reading tickets")
    assert sys.stderr.getvalue() == ""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    with progress("records", total=2500) as shown:
        shown.step(1500)
        assert shown._pending == 0  # flushed at 1000
        bar, task = shown._bar, shown._task
        shown.step(700)
        assert bar.tasks[task].completed == 1500
    assert bar.tasks[task].completed == 2200

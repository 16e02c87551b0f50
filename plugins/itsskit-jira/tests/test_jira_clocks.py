"""SLA clocks of tickets read from the fake site, against hand-computed business time.

Calendar: China preset, 09:00-12:00 and 13:30-18:00 Asia/Shanghai. In 2025,
Sun 09-28 and Sat 10-11 are make-up working days and 10-01..10-08 the National
Day holiday (State Council notice of 2024-11-12). A working day has 7.5 h.

ITSM-1 (P2, High at resolution; opened Fri 09-26 11:00)
  response   11:00-12:00 (1 h) + lunch skipped + 13:30-14:00 (0.5 h)   = 5400 s
  resolution Fri 11:00-18:00 5.5 h + Sat off + Sun 09-28 7.5 h + Mon 09:00-10:30
             1.5 h = 14.5 h, minus "Waiting for customer" Fri 16:00-18:00 2 h +
             Sun 7.5 h + Mon 09:00-10:00 1 h = 10.5 h                  = 14400 s
ITSM-2 (P1; opened Tue 09-30 17:00)
  response   09-30 17:00-18:00 1 h + holiday + Thu 10-09 09:00-09:30    = 5400 s
  resolution 09-30 1 h + 10-09 7.5 h + 10-10 7.5 h + Sat 10-11 7.5 h + Mon
             10-13 09:00-11:00 2 h = 25.5 h, minus Resolved from Sat 10:00 to
             the reopen Mon 09:00: 10:00-12:00 2 h + 13:30-18:00 4.5 h  = 68400 s
ITSM-3 (P4 request; opened Tue 10-14 09:00, resolved 16:00, no comment)
  response stops at resolution: 09:00-12:00 3 h + 13:30-16:00 2.5 h   = 19800 s
  turnaround                                                            = 19800 s
ITSM-7 (P3; opened Wed 10-15 10:00, open; the bot's reply ignored) at Thu 10-16 10:00
  10:00-12:00 2 h + 13:30-18:00 4.5 h + 09:00-10:00 1 h                = 27000 s
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from itsskit.calendar import BusinessCalendar
from itsskit.clocks import evaluate
from itsskit.collect import collect
from itsskit.config import load_config
from itsskit.plugins import PluginHost

from jira_data import sh
from jira_fake import API_TOKEN, EMAIL, FakeJira

#: The documented example config; the test points it at the fake site.
EXAMPLE = Path(__file__).parents[3] / "examples" / "jira" / "itsskit.toml"
SITE_URL = "https://provider.atlassian.net"

EXPECTED = {
    ("ITSM-1", "response"): ("P2", 3600, 5400, "breached"),
    ("ITSM-1", "resolution"): ("P2", 28800, 14400, "met"),
    ("ITSM-2", "response"): ("P1", 1800, 5400, "breached"),
    ("ITSM-2", "resolution"): ("P1", 14400, 68400, "breached"),
    ("ITSM-3", "response"): ("P4", 28800, 19800, "met"),
    ("ITSM-3", "turnaround"): ("P4", 28800, 19800, "met"),
    ("ITSM-7", "response"): ("P3", 14400, 27000, "breached"),
    ("ITSM-7", "resolution"): ("P3", 57600, 27000, "in_progress"),
}
AT = sh(10, 16, 10)


@pytest.fixture
def config(jira: FakeJira, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JIRA_API_TOKEN", API_TOKEN)
    path = tmp_path / "itsskit.toml"
    text = EXAMPLE.read_text(encoding="utf-8")
    assert SITE_URL in text and f'email = "{EMAIL}"' in text
    path.write_text(text.replace(SITE_URL, jira.url), encoding="utf-8")
    return path


def test_the_calendar_agrees_with_the_hand_count() -> None:
    """The make-up days and the holiday used above, through the clock's own calendar."""
    office = BusinessCalendar.china()
    assert office.business_seconds(sh(9, 27, 0), sh(9, 29, 0)) == 27000  # Sun 09-28 works
    assert office.business_seconds(sh(10, 1, 0), sh(10, 9, 0)) == 0  # National Day
    assert office.business_seconds(sh(10, 11, 0), sh(10, 13, 0)) == 27000  # Sat 10-11 works
    assert office.business_seconds(sh(9, 26, 11), sh(9, 26, 14)) == 5400  # lunch skipped


def test_clocks_through_the_library(config: Path) -> None:
    host = PluginHost.create()
    settings = load_config(config, host)
    records = collect(settings, "alpha", host)
    evaluation = evaluate(records.tickets, settings.project("alpha"), AT)

    got = {
        (c.ticket_id, c.metric.value): (
            c.priority,
            c.target_seconds,
            c.elapsed_seconds,
            c.status.value,
        )
        for c in evaluation.clocks
    }
    assert got == EXPECTED
    paused = {(c.ticket_id, c.metric.value): c.paused_seconds for c in evaluation.clocks}
    assert paused[("ITSM-1", "resolution")] == 37800
    assert paused[("ITSM-2", "resolution")] == 23400
    assert [(f.record_id, f.source) for f in records.findings] == [
        ("ITSM-3", "jsm"),
        ("ITSM-4", "jsm"),
        ("ITSM-5", "jsm"),
        ("10006", "jsm"),
    ]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "itsskit", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
        check=False,
    )


def test_sla_evaluate_cli(config: Path, tmp_path: Path) -> None:
    output = tmp_path / "clocks.csv"
    done = run_cli(
        "sla", "evaluate", str(config), "--project", "alpha",
        "--at", "2025-10-16T10:00:00+08:00", "--output", str(output),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(output.read_text(encoding="utf-8").splitlines()))
    got = {
        (r["ticket_id"], r["metric"]): (
            r["priority"],
            int(r["target_seconds"]),
            int(r["elapsed_seconds"]),
            r["status"],
        )
        for r in rows
    }
    assert got == EXPECTED
    deadlines = {(r["ticket_id"], r["metric"]): r["deadline"] for r in rows}
    assert deadlines[("ITSM-1", "response")] == "2025-09-26T12:00:00+08:00"
    assert "ITSM-5" in done.stderr and "unknown priority 'Urgent!!'" in done.stderr
    assert API_TOKEN not in done.stdout + done.stderr


def test_sources_check_cli(config: Path) -> None:
    done = run_cli("sources", "check", str(config))
    assert done.returncode == 1  # findings
    assert done.stdout.splitlines()[1:] == [
        "source\tplugin\tkind\trecords\tfindings",
        "jsm\tjira\ttickets\t4\t4",
    ]
    assert "ITSM-4" in done.stderr and "fields.created" in done.stderr
    assert "4 data-quality finding(s)" in done.stderr


def test_sources_check_cli_reports_a_refused_login(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIRA_API_TOKEN", "not-the-token")
    done = run_cli("sources", "check", str(config))
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if "401" in line]
    assert len(lines) == 1
    assert "source 'jsm'" in lines[0] and "GET /rest/api/3/field: HTTP 401 Unauthorized" in lines[0]
    assert "not-the-token" not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


def test_misspelt_option_in_the_config_is_a_usage_error(config: Path) -> None:
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'deployment = "cloud"', 'deployment = "cloud"\npagesize = 10'
        ),
        encoding="utf-8",
    )
    done = run_cli("sources", "check", str(config))
    assert done.returncode == 2
    assert "sources.jsm" in done.stderr and "pagesize" in done.stderr
    assert "Traceback" not in done.stderr

"""The plugin against a real Redmine: tickets, clocks and the CLI, checked by hand.

Hand computations (China calendar, 09:00-12:00 and 13:30-18:00, Asia/Shanghai):

Issue A (Bug, Urgent = P1; opened Fri 2025-09-26 11:00)
  response: 11:00-12:00 + 13:30-14:00 = 3600 + 1800 = 5400 s (lunch skipped);
    target 30m = 1800 -> breached; deadline Fri 11:30.
  resolution, active stretches (Feedback = "Awaiting User Info" and Resolved are paused):
    Fri 11:00-17:00            = 3600 + 12600          = 16200
    (Feedback Fri 17:00 -> Mon 09-29 10:00, across Sun 09-28, a make-up workday)
    Mon 10:00 -> Tue 09-30 11:00 = 7200 + 16200 + 7200  = 30600
    (Resolved Tue 11:00 -> Thu 10-09 10:00, across the Oct 1-8 holiday, then reopened)
    Thu 10:00-15:00            = 7200 + 5400           = 12600
    elapsed = 59400 s; target 17h = 61200 -> met; deadline: 61200 - 46800 = 14400 s
    after Thu 10:00 = Thu 15:30.
Issue B (Support = request, High = P2; opened Tue 2025-09-30 17:00)
  response: Tue 17:00-18:00 + Thu 10-09 09:00-09:30 = 3600 + 1800 = 5400 s;
    target 2h = 7200 -> met; deadline: 3600 s left on Thu 10-09 09:00 -> 10:00.
  turnaround: Tue 3600 + Thu 27000 + Fri 27000 + Sat 10-11 (make-up) 09:00-10:00 3600
    = 61200 s; target 16h = 57600 -> breached; deadline: 57600 - 30600 = 27000 s
    from Fri 10-10 09:00 = Fri 18:00.
Issue C (Bug, High = P2; opened Mon 2025-10-13 09:00; evaluated at 12:30, still New)
  response and resolution elapsed: 09:00-12:00 = 10800 s (12:00-12:30 is lunch).
  response target 7200 -> breached (still running); deadline 11:00.
  resolution target 8h = 28800 -> in progress; deadline: Mon 27000, Tue 10-14 09:30.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from itsskit.clocks import evaluate
from itsskit.collect import collect
from itsskit.config import load_config
from itsskit.contracts import SourceContext
from itsskit.converter import converter
from itsskit.models import DataQualityFinding, Ticket, TicketKind
from itsskit.plugins import PluginHost

from itsskit_redmine import RedmineError, RedmineOptions, RedmineSource
from itsskit_redmine.client import RedmineClient
from redmine_scenario import AT, Scenario, config_text, cst
from redmine_server import RedmineServer

ITSSKIT = Path(sys.executable).with_name("itsskit")

#: (ticket, metric) -> (elapsed seconds, status, deadline), from the module docstring.
EXPECTED = {
    "dianchi": {
        ("1", "response"): (5400, "breached", cst(9, 26, 11, 30)),
        ("1", "resolution"): (59400, "met", cst(10, 9, 15, 30)),
        ("2", "response"): (5400, "met", cst(10, 9, 10)),
        ("2", "turnaround"): (61200, "breached", cst(10, 10, 18)),
    },
    "lancang": {
        ("3", "response"): (10800, "breached", cst(10, 13, 11)),
        ("3", "resolution"): (10800, "in_progress", cst(10, 14, 9, 30)),
    },
}


def options(server: RedmineServer, **changes: Any) -> RedmineOptions:
    """The tested config's ``[sources.redmine]`` options, with ``changes``."""
    table = tomllib.loads(config_text(server.url))["sources"]["redmine"]
    table = {k: v for k, v in table.items() if k not in ("plugin", "kind")} | changes
    return converter.structure(table, RedmineOptions)


def read(
    server: RedmineServer, **changes: Any
) -> tuple[dict[str, Ticket], list[DataQualityFinding]]:
    source = RedmineSource(
        options(server, **changes), SourceContext(name="redmine", kind="tickets", base_dir=Path())
    )
    tickets: dict[str, Ticket] = {}
    findings = []
    for item in source.read():
        if isinstance(item, Ticket):
            assert item.id not in tickets
            tickets[item.id] = item
        else:
            findings.append(item)
    return tickets, findings


def history(ticket: Ticket) -> list[tuple[datetime, str]]:
    return [(change.at, change.status) for change in ticket.history]


@pytest.fixture
def config_file(scenario: Scenario, api_key: str, tmp_path: Path) -> Path:
    path = tmp_path / "itsskit.toml"
    path.write_text(config_text(scenario.server.url), encoding="utf-8")
    return path


def test_incident_with_pause_reopen_and_priority_change(scenario: Scenario, api_key: str) -> None:
    tickets, _ = read(scenario.server)
    a = tickets[str(scenario.ids["A"])]
    assert history(a) == [
        (cst(9, 26, 11), "New"),
        (cst(9, 26, 14), "In Progress"),
        (cst(9, 26, 17), "Awaiting User Info"),  # Feedback, renamed by `statuses`
        (cst(9, 29, 10), "In Progress"),
        (cst(9, 30, 11), "Resolved"),
        (cst(10, 9, 10), "In Progress"),
        (cst(10, 9, 15), "Resolved"),
        (cst(10, 10, 9, 30), "Closed"),
    ]
    assert a.opened == cst(9, 26, 11)
    assert a.first_response == cst(9, 26, 14)  # alice's own note at 11:10 is not a response
    assert a.resolved == cst(10, 9, 15)  # the last Resolved, not the Closed after it
    assert a.closed == cst(10, 10, 9, 30)
    assert (a.priority, a.opening_priority) == ("P1", "P3")
    assert (a.kind, a.major, a.project, a.service) == (TicketKind.INCIDENT, True, "dianchi", "erp")
    assert a.attributes["Customer"] == "滇池物流"
    assert a.attributes["subject"] == "ERP login fails"
    assert a.attributes["tracker"] == "Bug"
    assert a.attributes["status"] == "Closed"


def test_request_resolved_on_a_make_up_saturday(scenario: Scenario, api_key: str) -> None:
    tickets, _ = read(scenario.server)
    b = tickets[str(scenario.ids["B"])]
    assert b.kind is TicketKind.REQUEST
    assert history(b) == [(cst(9, 30, 17), "New"), (cst(10, 11, 10), "Resolved")]
    assert b.first_response == cst(10, 9, 9, 30)  # a note without a status change counts
    assert (b.resolved, b.closed) == (cst(10, 11, 10), None)  # Resolved is not a closed status
    assert b.attributes["status"] == "Resolved"
    # High when resolved, lowered to Normal (P3) the day after: the priority at resolution
    assert (b.priority, b.opening_priority, b.major) == ("P2", "P2", False)


def test_open_issue_of_another_project(scenario: Scenario, api_key: str) -> None:
    tickets, _ = read(scenario.server)
    c = tickets[str(scenario.ids["C"])]
    assert (c.project, c.service, c.first_response, c.resolved) == ("lancang", "oa", None, None)
    assert history(c) == [(cst(10, 13, 9), "New")]


def test_malformed_issue_is_a_finding_naming_it(scenario: Scenario, api_key: str) -> None:
    tickets, findings = read(scenario.server)
    bad = str(scenario.ids["D"])
    assert bad not in tickets
    (finding,) = findings
    assert finding.record_id == bad
    assert f"redmine issue #{bad}" in finding.reason
    assert "unknown status id '99'" in finding.reason
    assert finding.source == "redmine"


def test_trackers_choose_what_is_a_ticket(scenario: Scenario, api_key: str) -> None:
    mapped, _ = read(scenario.server)
    everything, _ = read(scenario.server, trackers={})
    feature = str(scenario.ids["E"])
    assert feature not in mapped
    assert everything[feature].kind is TicketKind.INCIDENT
    assert set(everything) - set(mapped) == {feature}


def test_first_response_by_status(scenario: Scenario, api_key: str) -> None:
    tickets, _ = read(scenario.server, first_response_statuses=["resolved"])
    assert tickets[str(scenario.ids["A"])].first_response == cst(9, 30, 11)
    assert tickets[str(scenario.ids["B"])].first_response == cst(10, 11, 10)
    assert tickets[str(scenario.ids["C"])].first_response is None


@pytest.mark.parametrize(("page_size", "list_requests"), [(1, 5), (2, 3), (100, 1)])
def test_pagination(
    scenario: Scenario,
    api_key: str,
    monkeypatch: pytest.MonkeyPatch,
    page_size: int,
    list_requests: int,
) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []
    real_get = RedmineClient.get

    def spy(self: RedmineClient, path: str, params: Any = None) -> dict[str, Any]:
        seen.append((path, dict(params or {})))
        return real_get(self, path, params)

    monkeypatch.setattr(RedmineClient, "get", spy)
    tickets, findings = read(scenario.server, projects={}, trackers={}, page_size=page_size)
    assert sorted(int(t) for t in tickets) + [int(f.record_id or 0) for f in findings] == [
        scenario.ids[k] for k in "ABCE"
    ] + [scenario.ids["D"]]
    listed = [params for path, params in seen if path == "/issues.json"]
    assert len(listed) == list_requests
    assert [p["offset"] for p in listed] == list(range(0, 5, page_size))[:list_requests]
    assert all(p["limit"] == page_size and p["status_id"] == "*" for p in listed)


def test_created_window(scenario: Scenario, api_key: str) -> None:
    tickets, findings = read(scenario.server, window="created_on", since="2025-10-13")
    assert set(tickets) == {str(scenario.ids["C"])}
    assert [f.record_id for f in findings] == [str(scenario.ids["D"])]
    tickets, findings = read(
        scenario.server, window="created_on", until="2025-09-30T12:00:00+08:00", trackers={}
    )
    assert set(tickets) == {str(scenario.ids["A"]), str(scenario.ids["E"])}
    assert findings == []


def test_updated_window(scenario: Scenario, api_key: str) -> None:
    # A was last updated 10-10 09:30, B 10-12 10:00, C and D on 10-13.
    tickets, _ = read(scenario.server, since="2025-10-10T09:00:00+08:00", until="2025-10-11")
    assert set(tickets) == {str(scenario.ids["A"])}


@pytest.mark.parametrize("project", ["dianchi", "lancang"])
def test_clocks_match_hand_computed(scenario: Scenario, config_file: Path, project: str) -> None:
    host = PluginHost.create()
    config = load_config(config_file, host)
    records = collect(config, project, host)
    result = evaluate(records.tickets, config.project(project), AT)
    got = {
        (c.ticket_id, c.metric.value): (c.elapsed_seconds, c.status.value, c.deadline)
        for c in result.clocks
    }
    assert got == EXPECTED[project]
    if project == "dianchi":
        assert [f.record_id for f in records.findings] == [str(scenario.ids["D"])]


def test_cli_sla_evaluate(scenario: Scenario, config_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "clocks.csv"
    done = run_cli(
        "sla", "evaluate", str(config_file), "--project", "dianchi",
        "--at", "2025-10-13T12:30:00", "--output", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    got = {
        (r["ticket_id"], r["metric"]): (
            int(r["elapsed_seconds"]),
            r["status"],
            datetime.fromisoformat(r["deadline"]),
        )
        for r in rows
    }
    assert got == EXPECTED["dianchi"]
    assert f"redmine issue #{scenario.ids['D']}" in done.stderr  # the finding, on stderr


def test_cli_sources_check(scenario: Scenario, config_file: Path) -> None:
    done = run_cli("sources", "check", str(config_file))
    assert done.returncode == 1  # a finding
    (row,) = [line for line in done.stdout.splitlines() if "redmine" in line]
    assert row.split() == ["redmine", "redmine", "tickets", "3", "1"], done.stdout
    assert f"redmine issue #{scenario.ids['D']}" in done.stderr
    assert "unknown status id '99'" in done.stderr


def test_refused_key_is_one_line_without_the_key(
    scenario: Scenario, config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "f" * 40
    monkeypatch.setenv("REDMINE_API_KEY", wrong)
    with pytest.raises(RedmineError) as caught:
        read(scenario.server)
    message = str(caught.value)
    assert message.startswith(f"redmine GET {scenario.server.url}/users/current.json: HTTP 401")
    assert "\n" not in message and wrong not in message
    done = run_cli("sources", "check", str(config_file))
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and wrong not in done.stderr + done.stdout
    assert "HTTP 401" in done.stderr
    assert scenario.server.api_key not in done.stderr + done.stdout


def test_missing_key_variable_is_named(scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDMINE_API_KEY", raising=False)
    with pytest.raises(RedmineError, match="environment variable 'REDMINE_API_KEY'"):
        read(scenario.server)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The real ``itsskit`` command of this environment."""
    return subprocess.run(
        [str(ITSSKIT), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
        timeout=300,
    )

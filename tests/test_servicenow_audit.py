"""Tests for the ServiceNow incident audit-log source, on the real UCI 498 sample."""

from __future__ import annotations

import csv
import gzip
import io
import random
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pluggy
import pytest

from itsskit import hookspecs
from itsskit.builtin import servicenow_audit
from itsskit.builtin.servicenow_audit import ServiceNowAuditOptions, ServiceNowAuditSource
from itsskit.contracts import Registry, Source, SourceContext, SourceRegistry
from itsskit.converter import converter
from itsskit.models import DataQualityFinding, StatusChange, Ticket
from itsskit.records import SourceError

SAMPLE = Path(__file__).parent / "data" / "servicenow_incident_events_sample.csv.gz"
SH = ZoneInfo("Asia/Shanghai")
PRIORITIES = {"1 - Critical": "P1", "2 - High": "P2", "3 - Moderate": "P3", "4 - Low": "P4"}


def source(path: Path, kind: str = "tickets", **options: Any) -> ServiceNowAuditSource:
    structured = converter.structure({"path": str(path), **options}, ServiceNowAuditOptions)
    return ServiceNowAuditSource(
        structured, SourceContext(name="sn", kind=kind, base_dir=path.parent)
    )


def read(path: Path, **options: Any) -> list[Any]:
    return list(source(path, **options).read())


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def raw_rows(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def write_gz(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    with gzip.open(path, "wt", encoding="utf-8", newline="") as stream:
        stream.write(buffer.getvalue())
    return path


# ------------------------------------------------------------- a second reading


def when(text: str) -> datetime | None:
    """Day-first D/M/YYYY HH:MM, split by hand (not strptime)."""
    if text == "?":
        return None
    day, clock = text.split(" ")
    d, m, y = (int(part) for part in day.split("/"))
    hh, mm = (int(part) for part in clock.split(":"))
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def expected_tickets(rows: list[dict[str, str]]) -> dict[str, dict[str, Any]]:
    """The README rules applied the simplest way, ticket by ticket."""
    by_number: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_number[row["number"]].append(row)
    expected = {}
    for number, events in by_number.items():

        def event_order(row: dict[str, str]) -> tuple[int, datetime]:
            updated = when(row["sys_updated_at"])
            assert updated is not None
            return int(row["sys_mod_count"]), updated

        first = min(events, key=event_order)
        last = max(events, key=event_order)
        responses = [row for row in events if row["incident_state"] != "New"]
        history = sorted(events, key=lambda row: (event_order(row)[1], event_order(row)[0]))
        expected[number] = {
            "opened": when(last["opened_at"]),
            "resolved": when(last["resolved_at"]),
            "closed": when(last["closed_at"]),
            "priority": PRIORITIES[last["priority"]],
            "opening_priority": PRIORITIES[first["priority"]],
            "first_response": (
                when(min(responses, key=event_order)["sys_updated_at"]) if responses else None
            ),
            "history": [(when(row["sys_updated_at"]), row["incident_state"]) for row in history],
            "made_sla": last["made_sla"],
        }
    return expected


# ------------------------------------------------------------------ the sample


@pytest.fixture(scope="module")
def sample_out() -> list[Any]:
    return read(SAMPLE)


def test_one_ticket_per_number_and_no_findings(sample_out: list[Any]) -> None:
    numbers = [row["number"] for row in raw_rows(SAMPLE)]
    distinct_in_order = list(dict.fromkeys(numbers))
    assert all(isinstance(item, Ticket) for item in sample_out)
    assert [ticket.id for ticket in sample_out] == distinct_in_order
    assert len(sample_out) == len(set(numbers))


def test_every_ticket_agrees_with_a_second_reading(sample_out: list[Ticket]) -> None:
    expected = expected_tickets(raw_rows(SAMPLE))
    for ticket in sample_out:
        want = expected[ticket.id]
        got = {
            "opened": ticket.opened,
            "resolved": ticket.resolved,
            "closed": ticket.closed,
            "priority": ticket.priority,
            "opening_priority": ticket.opening_priority,
            "first_response": ticket.first_response,
            "history": [(change.at, change.status) for change in ticket.history],
            "made_sla": ticket.attributes["made_sla"],
        }
        assert got == want, ticket.id
        assert ticket.project is None


def test_first_incident_by_hand(sample_out: list[Ticket]) -> None:
    ticket = sample_out[0]
    assert ticket.id == "INC0000045"
    assert ticket.opened == sh(2016, 2, 29, 1, 16)
    assert ticket.first_response == sh(2016, 2, 29, 8, 53)
    assert ticket.resolved == sh(2016, 2, 29, 11, 29)
    assert ticket.closed == sh(2016, 3, 5, 12, 0)
    assert (ticket.priority, ticket.opening_priority) == ("P3", "P3")
    assert ticket.history == (
        StatusChange(at=sh(2016, 2, 29, 1, 23), status="New"),
        StatusChange(at=sh(2016, 2, 29, 8, 53), status="Resolved"),
        StatusChange(at=sh(2016, 2, 29, 11, 29), status="Resolved"),
        StatusChange(at=sh(2016, 3, 5, 12, 0), status="Closed"),
    )
    assert (ticket.category, ticket.channel) == ("Category 55", "Phone")
    assert ticket.attributes["made_sla"] == "true"
    assert ticket.attributes["assignment_group"] == "Group 56"
    assert ticket.attributes["impact"] == "2 - Medium"
    assert ticket.attributes["reopen_count"] == "0"
    assert "problem_id" not in ticket.attributes  # "?" is no value
    assert "incident_state" not in ticket.attributes


def test_mod_count_out_of_step_with_time(sample_out: list[Ticket]) -> None:
    # INC0000135's first row in the file has sys_mod_count 7 but time 29/2 09:27.
    ticket = next(t for t in sample_out if t.id == "INC0000135")
    assert ticket.first_response == sh(2016, 2, 29, 11, 45)  # event order: mod 1 first
    assert ticket.history[0] == StatusChange(at=sh(2016, 2, 29, 9, 27), status="Active")
    assert ticket.history[-1] == StatusChange(at=sh(2016, 3, 5, 17, 0), status="Closed")
    assert [c.at for c in ticket.history] == sorted(c.at for c in ticket.history)


def test_priority_change_and_unresolved(sample_out: list[Ticket]) -> None:
    changed = next(t for t in sample_out if t.id == "INC0000062")
    assert (changed.opening_priority, changed.priority) == ("P3", "P2")
    unresolved = next(t for t in sample_out if t.id == "INC0000093")
    assert unresolved.resolved is None


def test_timezone_option(tmp_path: Path) -> None:
    first = read(SAMPLE, timezone="UTC")[0]
    assert first.opened == datetime(2016, 2, 29, 1, 16, tzinfo=UTC)


def test_non_contiguous_file_gives_the_same_tickets(
    tmp_path: Path, sample_out: list[Ticket]
) -> None:
    rows = raw_rows(SAMPLE)
    random.Random(498).shuffle(rows)
    header = list(rows[0])
    shuffled = write_gz(tmp_path / "shuffled.csv.gz", header, rows)
    assert source(shuffled)._contiguous(shuffled) is False
    out = read(shuffled)
    assert sorted(out, key=lambda t: t.id) == sorted(sample_out, key=lambda t: t.id)


# ------------------------------------------------------------------ bad input


def synthetic(tmp_path: Path, states_and_times: list[tuple[str, str, str]]) -> Path:
    """A file of INC numbers built from the sample's first row, with chosen cells."""
    template = raw_rows(SAMPLE)[0]
    rows = []
    for mod, (number, state, updated) in enumerate(states_and_times):
        rows.append(
            {**template, "number": number, "incident_state": state,
             "sys_updated_at": updated, "sys_mod_count": str(mod)}
        )  # fmt: skip
    return write_gz(tmp_path / "bad.csv.gz", list(template), rows)


def test_bad_rows_are_findings_and_the_ticket_is_still_read(tmp_path: Path) -> None:
    path = synthetic(
        tmp_path,
        [
            ("INC1", "New", "1/3/2016 09:00"),
            ("INC1", "-100", "1/3/2016 09:30"),
            ("INC1", "Active", "31/31/2016 99:00"),
            ("INC1", "Active", "1/3/2016 10:00"),
            ("INC2", "-100", "1/3/2016 09:00"),
            ("INC3", "Awaiting User Info", "2/3/2016 08:00"),
        ],
    )
    out = read(path)
    assert out[0] == DataQualityFinding(
        record_id="INC1",
        reason=(
            "column 'incident_state': expected one of Active, Awaiting Evidence, "
            "Awaiting Problem, Awaiting User Info, Awaiting Vendor, Closed, New, Resolved, "
            "got '-100'"
        ),
        source=str(path),
        row=3,
    )
    assert out[1] == DataQualityFinding(
        record_id="INC1",
        reason="column 'sys_updated_at': expected a D/M/YYYY HH:MM time, got '31/31/2016 99:00'",
        source=str(path),
        row=4,
    )
    ticket = out[2]
    assert ticket.id == "INC1"
    assert ticket.history == (
        StatusChange(at=sh(2016, 3, 1, 9, 0), status="New"),
        StatusChange(at=sh(2016, 3, 1, 10, 0), status="Active"),
    )
    assert ticket.first_response == sh(2016, 3, 1, 10, 0)
    assert out[3].record_id == "INC2" and out[3].row == 6
    assert out[4].id == "INC3" and out[4].first_response == sh(2016, 3, 2, 8, 0)
    assert len(out) == 5


def test_pause_statuses_are_known_states(tmp_path: Path) -> None:
    path = synthetic(
        tmp_path, [("INC1", "New", "1/3/2016 09:00"), ("INC1", "Pending", "1/3/2016 10:00")]
    )
    assert isinstance(read(path)[0], DataQualityFinding)
    out = read(path, pause_statuses=["Pending"])
    assert [change.status for change in out[0].history] == ["New", "Pending"]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(
        SourceError, match=r"servicenow-audit source 'sn': file not found: .*x\.csv"
    ):
        read(tmp_path / "x.csv")


def test_bad_header(tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text("number,incident_state\nINC1,New\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        read(tmp_path / "h.csv")
    message = str(caught.value)
    assert "h.csv" in message and "'sys_mod_count'" in message and "'incident_state'" in message


def test_only_tickets(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="reads tickets, not outages"):
        source(SAMPLE, kind="outages")


def test_hook_registers_for_tickets_only() -> None:
    manager = pluggy.PluginManager("itsskit")
    manager.add_hookspecs(hookspecs)
    manager.register(servicenow_audit)
    tickets: Registry[Source] = Registry("ticket source")
    outages: Registry[Source] = Registry("outage source")
    manager.hook.register_sources(registry=SourceRegistry({"tickets": tickets, "outages": outages}))
    assert tickets.items() == [("servicenow-audit", ServiceNowAuditSource)]
    assert outages.names() == []

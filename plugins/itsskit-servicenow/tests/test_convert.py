"""The pure mapping from Table API values to itsskit values."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from itsskit.models import DEFAULT_RESOLVED_STATUSES, SLA, StatusChange

from itsskit_servicenow.convert import (
    HOLD_REASONS,
    RecordError,
    parse_time,
    priority_code,
    status_history,
    status_name,
    to_ticket,
)

ZONE = ZoneInfo("UTC")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 10, 8, hour, minute, tzinfo=ZONE)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1 - Critical", "P1"),
        ("2 - High", "P2"),
        ("3", "P3"),
        ("4 - Low", "P4"),
        ("5 - Planning", "P5"),
        ("", None),
    ],
)
def test_priority_code(text: str, code: str | None) -> None:
    assert priority_code(text) == code


def test_bad_priority_is_a_record_error() -> None:
    with pytest.raises(RecordError, match="priority 'Critical'"):
        priority_code("Critical")


@pytest.mark.parametrize(
    ("state", "hold", "status"),
    [
        ("1", "", "New"),
        ("2", "4", "In Progress"),
        ("3", "1", "Awaiting User Info"),
        ("3", "3", "Awaiting Problem"),
        ("3", "4", "Awaiting Vendor"),
        ("3", "5", "Awaiting Change"),
        ("3", "", "On Hold"),
        ("6", "", "Resolved"),
        ("7", "", "Closed"),
        ("8", "", "Canceled"),
    ],
)
def test_status_name(state: str, hold: str, status: str) -> None:
    assert status_name(state, hold) == status


def test_hold_statuses_are_core_pause_statuses() -> None:
    default_rule = SLA(id="any")  # no pause_statuses configured: the "named like" rule
    assert all(default_rule.is_paused(status) for status in HOLD_REASONS.values())
    assert {status_name("6"), status_name("7")} == set(DEFAULT_RESOLVED_STATUSES)


def test_history_applies_changes_of_one_instant_together_and_drops_repeats() -> None:
    changes = [
        (at(3), "hold_reason", "4"),
        (at(1), "state", "1"),  # the insert: still New, no entry
        (at(3), "state", "3"),
        (at(2), "state", "2"),
        (at(4), "hold_reason", "4"),  # no change of status
        (at(5), "state", "6"),
    ]
    history, problems = status_history(changes)
    assert history == (
        StatusChange(at=at(2), status="In Progress"),
        StatusChange(at=at(3), status="Awaiting Vendor"),
        StatusChange(at=at(5), status="Resolved"),
    )
    assert problems == []


def test_history_skips_unknown_states_and_keeps_the_last_good_one() -> None:
    history, problems = status_history(
        [(at(1), "state", "2"), (at(2), "state", "-100"), (at(3), "state", "6")]
    )
    assert [c.status for c in history] == ["In Progress", "Resolved"]
    assert problems == [
        "state change at 2025-10-08T02:00:00+00:00: unknown state code '-100' "
        "(known: 1, 2, 3, 6, 7, 8)"
    ]


def test_parse_time() -> None:
    assert parse_time("2025-10-08 01:12:00", ZONE) == at(1, 12)
    assert parse_time("", ZONE) is None
    with pytest.raises(RecordError, match="'2025-10-08T01:12:00Z' is not a time"):
        parse_time("2025-10-08T01:12:00Z", ZONE)


def test_reference_fields_as_objects_give_their_value() -> None:
    record = {
        "number": "INC1",
        "opened_at": "2025-10-08 01:00:00",
        "assignment_group": {"link": "https://x/api/now/table/sys_user_group/g1", "value": "g1"},
    }
    ticket = to_ticket(record, (), ZONE)
    assert ticket.attributes == {"assignment_group": "g1"}
    assert (ticket.priority, ticket.first_response, ticket.major) == (None, None, False)


def test_missing_opened_is_a_record_error() -> None:
    with pytest.raises(RecordError, match="missing 'opened_at'"):
        to_ticket({"number": "INC1"}, (), ZONE)

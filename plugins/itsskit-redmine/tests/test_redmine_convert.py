"""Issue JSON (as Redmine 5 serves it) to tickets: the pure rules, case by case."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from itsskit.converter import converter
from itsskit.models import TicketKind

from itsskit_redmine.convert import Lookups, RecordError, custom_fields, to_ticket
from itsskit_redmine.options import ProjectScope, RedmineOptions

UTC = ZoneInfo("UTC")
CST = ZoneInfo("Asia/Shanghai")
LOOKUPS = Lookups.from_api(
    [
        {"id": 1, "name": "New", "is_closed": False},
        {"id": 2, "name": "In Progress", "is_closed": False},
        {"id": 3, "name": "Resolved", "is_closed": False},
        {"id": 5, "name": "Closed", "is_closed": True},
    ],
    [{"id": 2, "name": "Normal"}, {"id": 4, "name": "Urgent"}],
)
OPTIONS = converter.structure({"url": "http://redmine.test"}, RedmineOptions)
AUTHOR = {"id": 7, "name": "Alice"}
AGENT = {"id": 1, "name": "Admin"}


def issue(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": 12,
        "project": {"id": 1, "name": "ERP"},
        "tracker": {"id": 1, "name": "Bug"},
        "status": {"id": 1, "name": "New"},
        "priority": {"id": 2, "name": "Normal"},
        "author": AUTHOR,
        "subject": "x",
        "created_on": "2025-10-09T01:00:00Z",
        "closed_on": None,
        "journals": [],
    }
    return base | changes


def journal(
    number: int, at: str, user: dict[str, Any], *details: tuple[str, str, str]
) -> dict[str, Any]:
    return {
        "id": number,
        "user": user,
        "notes": "",
        "created_on": at,
        "details": [
            {"property": "attr", "name": name, "old_value": old, "new_value": new}
            for name, old, new in details
        ],
    }


def ticket(data: dict[str, Any], **options: Any) -> Any:
    chosen = converter.structure({"url": "http://redmine.test", **options}, RedmineOptions)
    return to_ticket(data, LOOKUPS, chosen, ProjectScope(), UTC)


def at(hour: int, minute: int = 0, day: int = 9) -> datetime:
    return datetime(2025, 10, day, hour, minute, tzinfo=UTC)


def test_reopened_issue_is_not_resolved() -> None:
    t = ticket(
        issue(
            status={"id": 2, "name": "In Progress"},
            journals=[
                journal(1, "2025-10-09T02:00:00Z", AGENT, ("status_id", "1", "3")),
                journal(2, "2025-10-09T03:00:00Z", AUTHOR, ("status_id", "3", "2")),
            ],
        )
    )
    assert [(c.at, c.status) for c in t.history] == [
        (at(1), "New"),
        (at(2), "Resolved"),
        (at(3), "In Progress"),
    ]
    assert (t.resolved, t.first_response) == (None, at(2))


def test_created_resolved_without_journals() -> None:
    t = ticket(issue(status={"id": 3, "name": "Resolved"}))
    assert t.resolved == at(1)
    assert [(c.at, c.status) for c in t.history] == [(at(1), "Resolved")]


def test_resolved_then_closed_resolves_at_the_first_of_the_stretch() -> None:
    t = ticket(
        issue(
            status={"id": 5, "name": "Closed"},
            closed_on="2025-10-09T05:00:00Z",
            journals=[
                journal(2, "2025-10-09T05:00:00Z", AGENT, ("status_id", "3", "5")),
                journal(1, "2025-10-09T04:00:00Z", AGENT, ("status_id", "1", "3")),
            ],
        )
    )
    assert (t.resolved, t.closed) == (at(4), at(5))


def test_closed_on_is_ignored_while_the_status_is_open() -> None:
    t = ticket(issue(closed_on="2025-10-09T05:00:00Z"))
    assert t.closed is None


def test_journals_at_one_instant_keep_their_id_order() -> None:
    t = ticket(
        issue(
            status={"id": 3, "name": "Resolved"},
            journals=[
                journal(9, "2025-10-09T02:00:00Z", AGENT, ("status_id", "2", "3")),
                journal(8, "2025-10-09T02:00:00Z", AGENT, ("status_id", "1", "2")),
            ],
        )
    )
    assert [c.status for c in t.history] == ["New", "In Progress", "Resolved"]


def test_first_response_skips_the_author() -> None:
    t = ticket(
        issue(
            journals=[
                journal(1, "2025-10-09T01:30:00Z", AUTHOR),
                journal(2, "2025-10-09T02:30:00Z", AGENT),
            ]
        )
    )
    assert t.first_response == at(2, 30)
    assert (
        ticket(issue(journals=[journal(1, "2025-10-09T01:30:00Z", AUTHOR)])).first_response is None
    )


def test_priorities_and_opening_priority() -> None:
    t = ticket(
        issue(
            priority={"id": 4, "name": "Urgent"},
            journals=[journal(1, "2025-10-09T02:00:00Z", AGENT, ("priority_id", "2", "4"))],
        ),
        priorities={"urgent": "P1", "NORMAL": "P3"},
    )
    assert (t.priority, t.opening_priority) == ("P1", "P3")


def test_priority_at_resolution_not_a_later_change() -> None:
    t = ticket(
        issue(
            status={"id": 3, "name": "Resolved"},
            priority={"id": 2, "name": "Normal"},
            journals=[
                journal(1, "2025-10-09T02:00:00Z", AGENT, ("priority_id", "2", "4")),
                journal(2, "2025-10-09T03:00:00Z", AGENT, ("status_id", "1", "3")),
                journal(3, "2025-10-09T04:00:00Z", AGENT, ("priority_id", "4", "2")),
            ],
        ),
        priorities={"Urgent": "P1", "Normal": "P3"},
    )
    assert (t.resolved, t.priority, t.opening_priority) == (at(3), "P1", "P3")


def test_unknown_priority_names_the_known_ones() -> None:
    with pytest.raises(
        RecordError, match=r"priority 'Normal' is not in the priorities option \(known: High\)"
    ):
        ticket(issue(), priorities={"High": "P2"})


def test_trackers_kind_and_renamed_statuses() -> None:
    t = ticket(
        issue(
            tracker={"id": 3, "name": "Support"},
            status={"id": 2, "name": "In Progress"},
            journals=[journal(1, "2025-10-09T02:00:00Z", AGENT, ("status_id", "1", "2"))],
        ),
        trackers={"support": "request"},
        statuses={"in progress": "Working"},
        id_prefix="RM-",
    )
    assert (t.id, t.kind) == ("RM-12", TicketKind.REQUEST)
    assert [c.status for c in t.history] == ["New", "Working"]


def test_custom_fields_service_and_major() -> None:
    data = issue(
        custom_fields=[
            {"id": 1, "name": "Service", "value": "erp"},
            {"id": 2, "name": "Major", "value": "1"},
            {"id": 3, "name": "Sites", "multiple": True, "value": ["Kunming", "Dali"]},
            {"id": 4, "name": "Empty", "value": ""},
        ],
        category={"id": 1, "name": "Login"},
    )
    assert custom_fields(data) == {"Service": "erp", "Major": "1", "Sites": "Kunming, Dali"}
    t = ticket(data, service_field="Service", major_field="Major")
    assert (t.service, t.major, t.category) == ("erp", True, "Login")
    assert t.attributes["Sites"] == "Kunming, Dali"
    assert "Empty" not in t.attributes


def test_naive_times_are_in_the_source_zone() -> None:
    t = to_ticket(issue(created_on="2025-10-09T09:00:00"), LOOKUPS, OPTIONS, ProjectScope(), CST)
    assert t.opened == datetime(2025, 10, 9, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"created_on": None}, "missing created_on"),
        ({"created_on": "yesterday"}, "created_on 'yesterday' is not an ISO 8601 time"),
        (
            {"journals": [journal(4, "soon", AGENT)]},
            "journal 4 created_on 'soon' is not an ISO 8601 time",
        ),
        (
            {"journals": [journal(4, "2025-10-09T02:00:00Z", AGENT, ("status_id", "1", "42"))]},
            "journal 4: unknown status id '42'",
        ),
        ({"id": "twelve"}, "issue id 'twelve' is not a number"),
    ],
)
def test_malformed_issues_say_why(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(RecordError) as caught:
        ticket(issue(**changes))
    assert str(caught.value) == reason


STATUS_NAMES = {"1": "New", "2": "In Progress", "3": "Resolved", "5": "Closed"}


@given(st.lists(st.sampled_from(sorted(STATUS_NAMES)), max_size=12))
def test_resolved_and_history_agree_with_a_replay(path: list[str]) -> None:
    """Replay the status ids one by one (the simple way) and compare with the ticket."""
    ids = ["1", *path]
    journals = [
        journal(k, f"2025-10-09T{2 + k:02d}:00:00Z", AGENT, ("status_id", old, new))
        for k, (old, new) in enumerate(zip(ids, ids[1:], strict=False))
    ]
    t = ticket(issue(status={"id": int(ids[-1])}, journals=journals))
    expected_history = [(at(1), "New")]
    for k, new in enumerate(ids[1:]):
        if STATUS_NAMES[new] != expected_history[-1][1]:
            expected_history.append((at(2 + k), STATUS_NAMES[new]))
    assert [(c.at, c.status) for c in t.history] == expected_history
    resolved = None
    for when, name in expected_history:
        resolved = (resolved or when) if name in ("Resolved", "Closed") else None
    assert t.resolved == resolved

"""The pure conversion functions: times, values, changelog replay, comments, SLA fields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from itsskit.models import StatusChange

from itsskit_jira.convert import (
    DEFAULT_PRIORITIES,
    Comment,
    FieldChange,
    RecordError,
    comment_from,
    field_changes,
    first_agent_comment,
    parse_time,
    priority_code,
    priority_names,
    sla_attributes,
    status_history,
    text_value,
)
from jira_data import adf, date_dto, jira_time

SHANGHAI = ZoneInfo("Asia/Shanghai")
EIGHT = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-15T10:30:00.000+0800",
        "2024-01-15T10:30:00+0800",
        "2024-01-15T10:30:00.000+08:00",
        "2024-01-15T02:30:00.000Z",
        "2024-01-15T02:30:00Z",
        "2024-01-15T02:30:00.000+0000",
        "2024-01-14T21:30:00.000-0500",
        "2024-01-15T10:30:00",  # no offset: the source's zone
    ],
)
def test_every_documented_time_form(text: str) -> None:
    assert parse_time(text, SHANGHAI) == datetime(2024, 1, 15, 10, 30, tzinfo=EIGHT)


def test_service_management_date_objects() -> None:
    at = datetime(2024, 1, 15, 10, 30, tzinfo=EIGHT)
    assert parse_time(date_dto(at), UTC) == at
    assert parse_time({"epochMillis": 1705285800000, "friendly": "Today"}, UTC) == at
    assert parse_time(1705285800000, UTC) == at
    assert parse_time(None, UTC) is None and parse_time("", UTC) is None


@pytest.mark.parametrize("bad", ["2024-13-01T00:00:00.000+0800", "15/01/2024 10:30", "soon", [1]])
def test_bad_times_are_record_errors(bad: object) -> None:
    with pytest.raises(RecordError, match="is not a time"):
        parse_time(bad, UTC)


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2099, 12, 31),
        timezones=st.sampled_from([UTC, EIGHT, timezone(timedelta(hours=-5, minutes=-30))]),
    ).map(lambda d: d.replace(microsecond=0)),
    st.sampled_from(["millis", "plain", "utc"]),
)
def test_jira_text_round_trips(at: datetime, style: str) -> None:
    assert parse_time(jira_time(at, style), SHANGHAI) == at


def test_text_values() -> None:
    assert text_value({"self": "x", "value": "Gold", "id": "1"}) == "Gold"
    assert text_value({"value": "Asia", "child": {"value": "Kunming"}}) == "Asia / Kunming"
    assert text_value({"accountId": "5b10", "displayName": "Wang Fang"}) == "Wang Fang"
    assert text_value([{"value": "a"}, {"value": "b"}]) == "a, b"
    assert text_value({"requestType": {"name": "Get IT help"}, "currentStatus": {}}) == (
        "Get IT help"
    )
    assert text_value(adf("Hello there")) == "Hello there"
    assert text_value(3.5) == "3.5" and text_value(None) == "" and text_value(True) == "true"


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, 3, hour, minute, tzinfo=EIGHT)


def change(hour: int, field: str, old: str, new: str) -> FieldChange:
    return FieldChange(at=at(hour), field=field, old=old, new=new)


def test_field_changes_sorts_and_reports_bad_entries() -> None:
    def moved(old: str, new: str) -> list[dict[str, str]]:
        return [{"field": "Status", "fromString": old, "toString": new}]

    histories = [
        {"id": "2", "created": jira_time(at(12)), "items": moved("B", "C")},
        {"id": "1", "created": jira_time(at(10)), "items": moved("A", "B")},
        {"id": "3", "created": "yesterday", "items": []},
        {"id": "4", "items": []},
        "junk",
    ]
    changes, problems = field_changes(histories, UTC)
    assert changes == [change(10, "status", "A", "B"), change(12, "status", "B", "C")]
    assert problems == [
        "changelog entry 3 skipped: created 'yesterday' is not a time like "
        "2024-01-15T10:30:00.000+0800",
        "changelog entry 4 skipped: no 'created' time",
        "changelog entry #5 is not an object; skipped",
    ]


def test_same_instant_histories_keep_their_id_order() -> None:
    def entry(number: str, old: str, new: str) -> dict[str, object]:
        items = [{"field": "status", "fromString": old, "toString": new}]
        return {"id": number, "created": jira_time(at(10)), "items": items}

    newest_first = [entry("12", "B", "C"), entry("11", "A", "B")]
    changes, _ = field_changes(newest_first, UTC)
    assert [(c.old, c.new) for c in changes] == [("A", "B"), ("B", "C")]


def test_status_history_starts_with_the_first_status() -> None:
    changes = [
        change(10, "status", "Open", "In Progress"),
        change(11, "assignee", "", "Wang"),
        change(12, "status", "In Progress", "In Progress"),
        change(13, "status", "In Progress", "Done"),
    ]
    assert status_history(at(9), "Done", changes, {"done": "Resolved"}) == (
        StatusChange(at=at(9), status="Open"),
        StatusChange(at=at(10), status="In Progress"),
        StatusChange(at=at(13), status="Resolved"),
    )
    assert status_history(at(9), "Open", []) == (StatusChange(at=at(9), status="Open"),)


def test_a_change_at_the_opening_instant_replaces_the_first_status() -> None:
    changes = [change(9, "status", "Open", "Waiting for support")]
    assert status_history(at(9), "x", changes) == (
        StatusChange(at=at(9), status="Waiting for support"),
    )


def test_priority_at_resolution_replays_the_changelog() -> None:
    changes = [change(10, "priority", "Medium", "High"), change(14, "priority", "High", "Low")]
    assert priority_names("Low", changes, at(12)) == ("Medium", "High")
    assert priority_names("Low", changes, at(14)) == ("Medium", "Low")
    assert priority_names("Low", changes, at(9)) == ("Medium", "Medium")
    assert priority_names("Low", changes, None) == ("Medium", "Low")
    assert priority_names("High", [], at(12)) == ("High", "High")


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Highest", "P1"),
        ("medium", "P3"),
        ("P2", "P2"),
        ("P1 - Critical", "P1"),
        ("3", "P3"),
        ("", None),
    ],
)
def test_priority_codes(name: str, code: str | None) -> None:
    assert priority_code(name, DEFAULT_PRIORITIES) == code


def test_unknown_priority_is_a_record_error() -> None:
    with pytest.raises(RecordError, match="unknown priority 'Urgent'"):
        priority_code("Urgent", DEFAULT_PRIORITIES)
    assert priority_code("Urgent", {"Urgent": "P1"}) == "P1"
    assert priority_code("Blocker", DEFAULT_PRIORITIES) == "P1"  # the older Server scheme


def test_first_agent_comment() -> None:
    reporter = frozenset({"qm:customer"})
    comments = [
        Comment(at=at(10), author=reporter),
        Comment(at=at(11), author=frozenset({"agent-1"}), public=False),
        Comment(at=at(13), author=frozenset({"bot"})),
        Comment(at=at(12), author=frozenset({"agent-1", "wang@x"})),
    ]
    assert first_agent_comment(comments, reporter) == at(12)
    assert first_agent_comment(comments[:3], reporter, ignored=frozenset({"bot"})) is None
    assert first_agent_comment(comments, reporter, agents=frozenset({"bot"})) == at(13)
    assert first_agent_comment([], reporter) is None


def test_comment_shapes() -> None:
    jsm = {
        "id": "1",
        "public": False,
        "author": {"name": "liwei", "key": "JIRAUSER1"},
        "created": date_dto(at(9)),
    }
    platform = {
        "id": "2",
        "author": {"accountId": "5b10"},
        "body": adf("hi"),
        "created": jira_time(at(9)),
    }
    assert comment_from(jsm, UTC) == Comment(
        at=at(9), author=frozenset({"liwei", "JIRAUSER1"}), public=False
    )
    assert comment_from(platform, UTC) == Comment(at=at(9), author=frozenset({"5b10"}))
    with pytest.raises(RecordError, match="comment 3 has no 'created' time"):
        comment_from({"id": "3"}, UTC)


def test_sla_attributes() -> None:
    completed = {
        "startTime": date_dto(at(9)),
        "stopTime": date_dto(at(10)),
        "breached": True,
        "goalDuration": {"millis": 1800000, "friendly": "30m"},
        "elapsedTime": {"millis": 3600000, "friendly": "1h"},
    }
    value = {"id": "1", "name": "Time to first response", "completedCycles": [completed]}
    assert sla_attributes("TTFR", value) == {
        "jsm_sla.TTFR.state": "completed",
        "jsm_sla.TTFR.cycles": "1",
        "jsm_sla.TTFR.breached": "true",
        "jsm_sla.TTFR.elapsed_seconds": "3600",
        "jsm_sla.TTFR.goal_seconds": "1800",
        "jsm_sla.TTFR.stop": "2025-03-03T10:00:00+0800",
    }
    # an older Server shape: plain millisecond numbers, a paused ongoing cycle
    old = {
        "completedCycles": [],
        "ongoingCycle": {"goalTime": 7200000, "elapsedTime": 60000, "paused": True},
    }
    assert sla_attributes("TTR", old) == {
        "jsm_sla.TTR.state": "paused",
        "jsm_sla.TTR.cycles": "0",
        "jsm_sla.TTR.breached": "false",
        "jsm_sla.TTR.elapsed_seconds": "60",
        "jsm_sla.TTR.goal_seconds": "7200",
    }
    assert sla_attributes("X", {}) == {"jsm_sla.X.state": "none", "jsm_sla.X.cycles": "0"}
    assert sla_attributes("X", None) == {}

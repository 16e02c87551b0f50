"""The servicenow source against the fake instance of conftest.py.

Expected values are read by hand from tests/fixtures/*.json (times are UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from itsskit.contracts import SourceContext
from itsskit.models import DataQualityFinding, StatusChange, Ticket

from itsskit_servicenow import ServiceNowError, ServiceNowOptions, ServiceNowSource

from .conftest import CLIENT_ID, CLIENT_SECRET, PASSWORD, USER, FakeInstance

INCIDENT = "/api/now/table/incident"


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 10, day, hour, minute, tzinfo=UTC)


def read(instance: FakeInstance, **options: Any) -> list[Ticket | DataQualityFinding]:
    settings: dict[str, Any] = {"username": USER, "page_size": 3, "backoff": 0.001}
    opts = ServiceNowOptions(instance=instance.url, **{**settings, **options})
    context = SourceContext(name="snow", kind="tickets", base_dir=Path("."))
    return list(ServiceNowSource(opts, context).read())


def tickets(records: list[Ticket | DataQualityFinding]) -> dict[str, Ticket]:
    return {r.id: r for r in records if isinstance(r, Ticket)}


def findings(records: list[Ticket | DataQualityFinding]) -> list[DataQualityFinding]:
    return [r for r in records if isinstance(r, DataQualityFinding)]


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVICENOW_PASSWORD", PASSWORD)
    monkeypatch.setenv("SERVICENOW_CLIENT_SECRET", CLIENT_SECRET)


# ------------------------------------------------------------------ pagination


def test_reads_three_pages_with_basic_auth(instance: FakeInstance) -> None:
    records = read(instance)

    pages = instance.table_requests("incident")
    assert [p.params["sysparm_offset"] for p in pages] == ["0", "3", "6"]
    assert {p.params["sysparm_limit"] for p in pages} == {"3"}
    assert all(p.authorization.startswith("Basic ") for p in instance.seen)
    audits = instance.table_requests("sys_audit")
    first = [a for a in audits if a.params["sysparm_offset"] == "0"]
    assert [a.params["sysparm_query"] for a in first] == [
        f"tablename=incident^fieldnameINstate,hold_reason^documentkeyIN{ids}^ORDERBYsys_created_on"
        for ids in ("a1,a2,a3", "a4,a5,a6", "a7")
    ]
    # 15 audit rows for a1-a3 (the Link header has no next after the 5th page),
    # 9 for a4-a6, 3 for a7
    offsets = [a.params["sysparm_offset"] for a in audits]
    assert offsets == ["0", "3", "6", "9", "12", "0", "3", "6", "0"]
    ids = [r.id if isinstance(r, Ticket) else r.record_id for r in records]
    numbers = ["INC0010001", "INC0010002", "INC0010003", "INC0010004", "INC0010005"]
    assert ids == [*numbers, "a6", "INC0010007", "INC0010007", "INC0010007"]


def test_ticket_values(instance: FakeInstance) -> None:
    found = tickets(read(instance))
    assert sorted(found) == ["INC0010001", "INC0010002", "INC0010003", "INC0010005", "INC0010007"]

    one = found["INC0010001"]
    assert one.priority == "P1"
    assert (one.opened, one.first_response) == (utc(8, 1), utc(8, 1, 12))
    assert (one.resolved, one.closed) == (utc(8, 5, 30), utc(11, 6))
    assert one.history == (
        StatusChange(at=utc(8, 1, 12), status="In Progress"),
        StatusChange(at=utc(8, 2), status="Awaiting Vendor"),
        StatusChange(at=utc(8, 3), status="In Progress"),
        StatusChange(at=utc(8, 5, 30), status="Resolved"),
        StatusChange(at=utc(11, 6), status="Closed"),
    )
    assert (one.major, one.category, one.channel) == (True, "network", "phone")
    assert one.attributes == {
        "sys_id": "a1",
        "state": "7",
        "assignment_group": "8a5055c9c61122780043563ef53438e3",
        "made_sla": "true",
        "reopen_count": "0",
        "major_incident_state": "accepted",
    }

    two = found["INC0010002"]
    assert two.priority == "P3"
    assert two.history == (
        StatusChange(at=utc(9, 2, 30), status="In Progress"),
        StatusChange(at=utc(9, 3), status="Awaiting User Info"),
        StatusChange(at=utc(9, 4), status="Awaiting Problem"),
        StatusChange(at=utc(9, 9), status="Resolved"),
    )
    assert (two.first_response, two.resolved, two.closed) == (utc(9, 2, 30), utc(9, 9), None)
    assert (two.major, two.channel, two.attributes["made_sla"]) == (False, "email", "false")

    three = found["INC0010003"]
    assert three.priority == "P2"
    assert (three.history, three.first_response, three.resolved) == ((), None, None)

    five = found["INC0010005"]
    assert five.priority == "P4"
    assert [(c.at, c.status) for c in five.history] == [
        (utc(12, 8, 5), "In Progress"),
        (utc(12, 9), "Resolved"),
        (utc(12, 10), "In Progress"),
        (utc(12, 10, 30), "Awaiting Change"),
        (utc(12, 12), "Resolved"),
    ]
    assert (five.first_response, five.resolved) == (utc(12, 8, 5), utc(12, 12))
    assert (five.major, five.attributes["reopen_count"]) == (False, "1")

    seven = found["INC0010007"]
    assert seven.history == (StatusChange(at=utc(20, 0, 20), status="In Progress"),)
    assert (seven.priority, seven.channel, seven.major) == ("P1", "walk-in", False)


def test_malformed_records_are_findings_and_reading_goes_on(instance: FakeInstance) -> None:
    records = read(instance)
    assert [(f.record_id, f.row) for f in findings(records)] == [
        ("INC0010004", 4),
        ("a6", 6),
        ("INC0010007", 7),
        ("INC0010007", 7),
    ]
    problems = {(f.record_id, f.row): f.reason for f in findings(records)}
    bad_opened = problems[("INC0010004", 4)]
    assert (
        "sys_id=a4" in bad_opened
        and "opened_at" in bad_opened
        and "2025-10-32 25:00:00" in bad_opened
    )
    assert problems[("a6", 6)] == "incident sys_id=a6: missing 'number'"
    seven = sorted(f.reason for f in findings(records) if f.record_id == "INC0010007")
    assert seven == [
        "incident sys_id=a7: state change at 2025-10-20T00:40:00+00:00: unknown state code '99'"
        " (known: 1, 2, 3, 6, 7, 8)",
        "incident sys_id=a7: sys_audit state change skipped: '20/10/2025 01:00' is not a time"
        " 'YYYY-MM-DD HH:MM:SS'",
    ]
    assert {f.source for f in findings(records)} == {"snow"}
    assert len(tickets(records)) == 5


def test_timezone_option_reads_times_in_that_zone(instance: FakeInstance) -> None:
    one = tickets(read(instance, timezone="Asia/Shanghai"))["INC0010001"]
    shanghai = ZoneInfo("Asia/Shanghai")
    assert one.opened == datetime(2025, 10, 8, 1, 0, tzinfo=shanghai)
    assert one.opened == utc(7, 17)


def test_history_none_reads_no_audit(instance: FakeInstance) -> None:
    found = tickets(read(instance, history="none"))
    assert instance.table_requests("sys_audit") == []
    assert all(t.history == () and t.first_response is None for t in found.values())
    assert found["INC0010001"].resolved == utc(8, 5, 30)


def test_history_batches_sys_ids(instance: FakeInstance) -> None:
    read(instance, history_batch=2)
    queries = [
        a.params["sysparm_query"]
        for a in instance.table_requests("sys_audit")
        if a.params["sysparm_offset"] == "0"
    ]
    batches = [q.split("documentkeyIN")[1].split("^")[0] for q in queries]
    assert batches == ["a1,a2", "a3", "a4,a5", "a6", "a7"]


# ------------------------------------------------------------------------- auth


def test_refused_basic_auth_is_a_clear_error(
    instance: FakeInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SERVICENOW_PASSWORD", "wrong")
    with pytest.raises(ServiceNowError, match=r"incident: HTTP 401 Unauthorized with basic auth"):
        read(instance)


def test_missing_password_variable_is_named(
    instance: FakeInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SERVICENOW_PASSWORD")
    with pytest.raises(ServiceNowError, match="'SERVICENOW_PASSWORD'.*'password_env'"):
        read(instance)


def oauth(instance: FakeInstance, **options: Any) -> list[Ticket | DataQualityFinding]:
    instance.auth = "bearer"
    return read(instance, auth="oauth", client_id=CLIENT_ID, **options)


def test_expired_oauth_token_is_refreshed_once(
    instance: FakeInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SN_TOKEN", "expired-token")
    monkeypatch.setenv("SN_REFRESH", "refresh-1")
    records = oauth(instance, token_env="SN_TOKEN", refresh_token_env="SN_REFRESH")

    assert len(tickets(records)) == 5
    first, token, retried = instance.seen[:3]
    assert (first.path, first.authorization) == (INCIDENT, "Bearer expired-token")
    assert token.path == "/oauth_token.do"
    assert token.form == {
        "grant_type": "refresh_token",
        "refresh_token": "refresh-1",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    assert (retried.path, retried.authorization) == (INCIDENT, "Bearer fresh-token")
    assert [s.path for s in instance.seen].count("/oauth_token.do") == 1
    assert {s.authorization for s in instance.seen[3:]} == {"Bearer fresh-token"}


def test_password_grant_fetches_the_first_token(instance: FakeInstance) -> None:
    records = oauth(instance)
    assert len(tickets(records)) == 5
    token = instance.seen[0]
    assert token.path == "/oauth_token.do"
    assert token.form["grant_type"] == "password"
    assert (token.form["username"], token.form["password"]) == (USER, PASSWORD)


def test_second_401_after_renewal_is_a_clear_error(
    instance: FakeInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance.tokens = set()  # the instance accepts no token at all
    monkeypatch.setenv("SN_TOKEN", "expired-token")
    with pytest.raises(ServiceNowError, match="401 Unauthorized with the renewed OAuth token"):
        oauth(instance, token_env="SN_TOKEN")
    assert [s.path for s in instance.seen] == [INCIDENT, "/oauth_token.do", INCIDENT]


def test_refused_token_request_is_a_clear_error(
    instance: FakeInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SERVICENOW_CLIENT_SECRET", "wrong")
    with pytest.raises(
        ServiceNowError,
        match=r"oauth_token.do: token request refused "
        r"\(grant_type=password: HTTP 401",
    ):
        oauth(instance)


# ---------------------------------------------------------------------- retries


def test_429_with_retry_after_is_retried(instance: FakeInstance) -> None:
    instance.fail(INCIDENT, 429, {"Retry-After": "0"})
    records = read(instance)
    assert len(tickets(records)) == 5
    offsets = [p.params["sysparm_offset"] for p in instance.table_requests("incident")]
    assert offsets == ["0", "0", "3", "6"]


def test_503_is_retried(instance: FakeInstance) -> None:
    instance.fail("/api/now/table/sys_audit", 503)
    records = read(instance)
    assert tickets(records)["INC0010001"].first_response == utc(8, 1, 12)
    assert len(instance.table_requests("sys_audit")) == 9 + 1


def test_exhausted_retries_are_a_clear_error(instance: FakeInstance) -> None:
    for _ in range(3):
        instance.fail(INCIDENT, 503)
    with pytest.raises(ServiceNowError, match=r"/api/now/table/incident: gave up after retries"):
        read(instance, max_retries=2)
    assert len(instance.table_requests("incident")) == 3


def test_unreachable_instance_is_a_clear_error() -> None:
    opts = ServiceNowOptions(instance="http://127.0.0.1:9", username=USER, max_retries=0)
    context = SourceContext(name="snow", kind="tickets", base_dir=Path("."))
    with pytest.raises(ServiceNowError, match=r"http://127.0.0.1:9/api/now/table/incident: "):
        list(ServiceNowSource(opts, context).read())


def test_sys_history_line_gives_the_same_history(instance: FakeInstance) -> None:
    instance.tables["sys_history_line"] = [
        {
            "set.id": row["documentkey"],
            "set.table": "incident",
            "field": row["fieldname"],
            "new_value": row["newvalue"],
            "update_time": row["sys_created_on"],
        }
        for row in instance.tables.pop("sys_audit")
    ]
    from_lines = tickets(read(instance, history="sys_history_line"))
    (query, *_) = [r.params["sysparm_query"] for r in instance.table_requests("sys_history_line")]
    assert query.startswith("set.table=incident^fieldINstate,hold_reason^set.idINa1,a2,a3^")
    assert from_lines["INC0010001"].history[1] == StatusChange(
        at=utc(8, 2), status="Awaiting Vendor"
    )
    assert [len(t.history) for t in from_lines.values()] == [5, 4, 0, 5, 1]

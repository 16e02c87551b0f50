"""The jira source against the fake site of jira_fake.py (fixture `jira` in conftest.py).

Expected values are read by hand from the story in tests/jira_data.py.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from itsskit.contracts import SourceContext
from itsskit.models import DataQualityFinding, StatusChange, Ticket, TicketKind

import jira_data
from itsskit_jira import JiraError, JiraOptions, JiraSource
from jira_data import sh
from jira_fake import API_TOKEN, EMAIL, PAT, FakeJira

SEARCH = "/rest/api/3/search/jql"
Records = list[Ticket | DataQualityFinding]


def read(jira: FakeJira, **options: Any) -> Records:
    settings: dict[str, Any] = {
        "url": jira.url,
        "deployment": jira.deployment,
        "projects": ["ITSM"],
        "email": EMAIL if jira.deployment == "cloud" else "",
        "page_size": 50,
        "backoff": 0.01,
        "kinds": {"Request new hardware": "request"},
    }
    opts = JiraOptions(**{**settings, **options})
    context = SourceContext(name="jsm", kind="tickets", base_dir=Path("."))
    return list(JiraSource(opts, context).read())


def tickets(records: Records) -> dict[str, Ticket]:
    return {r.id: r for r in records if isinstance(r, Ticket)}


def findings(records: Records) -> list[DataQualityFinding]:
    return [r for r in records if isinstance(r, DataQualityFinding)]


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIRA_API_TOKEN", API_TOKEN)
    monkeypatch.setenv("JIRA_PAT", PAT)


# ---------------------------------------------------------------- pagination


def test_cloud_search_pages_by_next_page_token(jira: FakeJira) -> None:
    records = read(jira)

    searches = jira.requests(SEARCH)
    assert len(searches) == 3  # 7 issues, the site caps pages at 3
    assert "nextPageToken" not in searches[0].params
    assert [s.params.get("nextPageToken") for s in searches[1:]] == ["Mw==", "Ng=="]
    first = searches[0].params
    assert first["jql"] == 'project in ("ITSM") ORDER BY created ASC'
    assert first["expand"] == "changelog"
    assert first["maxResults"] == "50"
    assert {"status", "priority", "created", "resolutiondate", "customfield_10010"} <= set(
        first["fields"].split(",")
    )
    assert {"customfield_10030", "customfield_10031"} <= set(first["fields"].split(","))
    assert all(s.authorization.startswith("Basic ") for s in jira.seen)
    assert sorted(tickets(records)) == ["ITSM-1", "ITSM-2", "ITSM-3", "ITSM-7"]


def test_truncated_changelog_is_read_page_by_page(jira: FakeJira) -> None:
    one = tickets(read(jira))["ITSM-1"]
    pages = jira.requests("/rest/api/3/issue/ITSM-1/changelog")
    assert [p.params["startAt"] for p in pages] == ["0", "2", "4"]  # 6 histories, 2 a page
    # ITSM-2 has 4 histories, 3 embedded: also paged; ITSM-3 has 2: not
    assert len(jira.requests("/rest/api/3/issue/ITSM-2/changelog")) == 2
    assert jira.requests("/rest/api/3/issue/ITSM-3/changelog") == []
    assert one.history[-1] == StatusChange(at=sh(9, 29, 10, 30), status="Resolved")


def test_comments_are_paged(jira: FakeJira) -> None:
    read(jira)
    pages = jira.requests("/rest/servicedeskapi/request/ITSM-1/comment")
    assert [(p.params["start"], p.params["public"], p.params["internal"]) for p in pages] == [
        ("0", "true", "false"),
        ("2", "true", "false"),
    ]


# -------------------------------------------------------------------- values


def test_ticket_one(jira: FakeJira) -> None:
    one = tickets(read(jira))["ITSM-1"]
    assert one.kind == TicketKind.INCIDENT
    assert (one.priority, one.opening_priority) == ("P2", "P3")  # High at resolution
    assert one.opened == sh(9, 26, 11)
    assert one.first_response == sh(9, 26, 14)  # not the customer's, not the internal note
    assert (one.resolved, one.closed) == (sh(9, 29, 10, 30), None)
    assert one.history == (
        StatusChange(at=sh(9, 26, 11), status="Waiting for support"),
        StatusChange(at=sh(9, 26, 14), status="In Progress"),
        StatusChange(at=sh(9, 26, 16), status="Waiting for customer"),
        StatusChange(at=sh(9, 29, 10), status="In Progress"),
        StatusChange(at=sh(9, 29, 10, 30), status="Resolved"),
    )
    assert one.category == "Get IT help"
    assert one.attributes["request_type"] == "Get IT help"
    assert one.attributes["status"] == "Resolved"
    assert one.attributes["jira_id"] == "10001"
    assert one.attributes["jsm_sla.Time to first response.breached"] == "false"
    assert one.attributes["jsm_sla.Time to first response.elapsed_seconds"] == "5400"
    assert one.attributes["jsm_sla.Time to first response.goal_seconds"] == "14400"
    assert one.attributes["jsm_sla.Time to first response.state"] == "completed"
    assert one.attributes["jsm_sla.Time to resolution.stop"] == "2025-09-29T10:30:00+0800"


def test_ticket_two_reopened_in_utc(jira: FakeJira) -> None:
    two = tickets(read(jira))["ITSM-2"]
    assert (two.priority, two.opening_priority) == ("P1", "P1")
    assert two.opened == sh(9, 30, 17)
    assert two.first_response == sh(10, 9, 9, 30)
    assert two.resolved == sh(10, 13, 11)
    assert [(c.at, c.status) for c in two.history] == [
        (sh(9, 30, 17), "Waiting for support"),
        (sh(10, 9, 9, 30), "In Progress"),
        (sh(10, 11, 10), "Resolved"),
        (sh(10, 13, 9), "In Progress"),
        (sh(10, 13, 11), "Resolved"),
    ]
    assert two.attributes["jsm_sla.Time to resolution.state"] == "ongoing"
    assert two.attributes["jsm_sla.Time to resolution.breached"] == "true"
    assert "jsm_sla.Time to first response.state" not in two.attributes


def test_request_type_maps_to_kind(jira: FakeJira) -> None:
    found = tickets(read(jira))
    assert found["ITSM-3"].kind == TicketKind.REQUEST
    assert found["ITSM-3"].first_response is None  # no comments at all
    assert found["ITSM-3"].history == (
        StatusChange(at=sh(10, 14, 9), status="Waiting for support"),
        StatusChange(at=sh(10, 14, 16), status="Resolved"),
    )
    # without a kinds entry, an issue type named like "request" is a request
    default = tickets(read(jira, kinds={}))
    assert default["ITSM-3"].kind == TicketKind.REQUEST
    assert default["ITSM-1"].kind == TicketKind.INCIDENT
    assert tickets(read(jira, kinds={"Get IT help": "request"}))["ITSM-1"].kind == "request"


def test_open_ticket_and_automation_comments(jira: FakeJira) -> None:
    seven = tickets(read(jira))["ITSM-7"]
    assert (seven.resolved, seven.priority) == (None, "P3")
    assert seven.first_response == sh(10, 15, 10, 5)  # the bot is not the reporter
    ignored = tickets(read(jira, ignored_accounts=["557058:automation"]))["ITSM-7"]
    assert ignored.first_response is None
    agents_only = tickets(read(jira, agents=["wang.fang@provider.example"]))
    assert agents_only["ITSM-7"].first_response is None
    assert agents_only["ITSM-1"].first_response == sh(9, 26, 14)


def test_custom_fields_by_name(jira: FakeJira) -> None:
    found = tickets(
        read(jira, fields={"tier": "Customer Tier", "service": "Affected System"}, service="ops")
    )
    assert found["ITSM-1"].attributes["tier"] == "Gold"
    assert found["ITSM-1"].service == "ERP"
    assert found["ITSM-3"].service == "ops"  # empty field: the configured default
    assert "tier" not in found["ITSM-3"].attributes
    assert "customfield_10040" in jira.requests(SEARCH)[0].params["fields"].split(",")


def test_unknown_field_name_is_a_clear_error(jira: FakeJira) -> None:
    with pytest.raises(JiraError, match=r"option fields.tier: field 'Tier Level' not found"):
        read(jira, fields={"tier": "Tier Level"})


def test_priority_mapping_is_configurable(jira: FakeJira) -> None:
    found = tickets(read(jira, priorities={"Urgent!!": "P1", "Medium": "P2"}))
    assert found["ITSM-5"].priority == "P1"
    assert found["ITSM-1"].opening_priority == "P2"  # Medium remapped, High still default


def test_first_response_from_a_field_or_embedded_comments(jira: FakeJira) -> None:
    jira.issues[0]["fields"]["customfield_10041"] = "2025-09-26T13:45:00.000+0800"
    by_field = tickets(read(jira, first_response="field", first_response_field="Affected System"))
    assert by_field["ITSM-1"].first_response == sh(9, 26, 13, 45)
    assert by_field["ITSM-2"].first_response is None
    assert jira.requests("/rest/servicedeskapi/request/ITSM-1/comment") == []

    jira.issues[1]["fields"]["comment"] = {
        "comments": [
            jira_data.platform_comment(1, sh(10, 9, 9), jira_data.AGENT_CLOUD, False, "internal"),
            jira_data.platform_comment(2, sh(10, 9, 10), jira_data.AGENT_CLOUD, True, "Hello"),
        ],
        "self": "",
        "maxResults": 2,
        "total": 2,
        "startAt": 0,
    }
    embedded = tickets(read(jira, first_response="comments"))
    assert embedded["ITSM-2"].first_response == sh(10, 9, 10)
    assert embedded["ITSM-1"].first_response is None


def test_status_renames(jira: FakeJira) -> None:
    one = tickets(read(jira, statuses={"waiting for customer": "Awaiting Customer"}))["ITSM-1"]
    assert one.history[2] == StatusChange(at=sh(9, 26, 16), status="Awaiting Customer")


# ----------------------------------------------------------------- malformed


def test_malformed_records_are_findings_naming_the_issue(jira: FakeJira) -> None:
    records = read(jira)
    problems = [(f.record_id, f.row, f.reason) for f in findings(records)]
    assert problems == [
        (
            "ITSM-3",
            3,
            "issue ITSM-3: changelog entry 301 skipped: created 'yesterday at noon' is not a "
            "time like 2024-01-15T10:30:00.000+0800",
        ),
        (
            "ITSM-4",
            4,
            "issue ITSM-4: fields.created: '2025-13-45T25:00:00.000+0800' is not a time like "
            "2024-01-15T10:30:00.000+0800",
        ),
        (
            "ITSM-5",
            5,
            "issue ITSM-5: unknown priority 'Urgent!!' (neither mapped nor like 'P1'; "
            "map it in [sources.NAME.priorities])",
        ),
        ("10006", 6, "issue 10006: missing 'key'"),
    ]
    assert {f.source for f in findings(records)} == {"jsm"}
    assert len(tickets(records)) == 4


def test_missing_optional_fields_are_tolerated(jira: FakeJira) -> None:
    bare = jira.issues[6]
    for name in ("priority", "issuetype", "reporter", "resolution", "resolutiondate"):
        bare["fields"].pop(name, None)
    del bare["changelog"]
    bare["extra"] = {"unknown": True}
    seven = tickets(read(jira))["ITSM-7"]
    assert len(jira.requests("/rest/api/3/issue/ITSM-7/changelog")) == 1  # asked for it
    assert (seven.priority, seven.resolved, seven.kind) == (None, None, TicketKind.INCIDENT)
    assert seven.history == (StatusChange(at=sh(10, 15, 10), status="Waiting for support"),)


@pytest.mark.parametrize(
    ("max_results", "embedded", "changelog_page", "comment_page"),
    [(1, 0, 1, 1), (100, 100, 100, 100), (2, 1, 3, 1)],
)
def test_server_page_sizes_do_not_change_the_tickets(
    jira: FakeJira, max_results: int, embedded: int, changelog_page: int, comment_page: int
) -> None:
    baseline = read(jira)
    jira.max_results, jira.changelog_embedded = max_results, embedded
    jira.changelog_page, jira.comment_page = changelog_page, comment_page
    assert read(jira, page_size=7) == baseline


def test_a_site_without_the_field_list(jira: FakeJira) -> None:
    """No /field: every field is asked for; SLA and request type found by their shape."""
    jira.fail("/rest/api/3/field", 404)
    one = tickets(read(jira))["ITSM-1"]
    assert jira.requests(SEARCH)[0].params["fields"] == "*all"
    assert one.attributes["request_type"] == "Get IT help"
    assert one.attributes["jsm_sla.customfield_10030.elapsed_seconds"] == "5400"


def test_request_type_from_the_service_management_api(jira: FakeJira) -> None:
    for bean in jira.issues:
        bean["fields"].pop("customfield_10010", None)
    jira.request_types = {"ITSM-3": "Request new hardware"}
    found = tickets(read(jira, kinds={"Request new hardware": "request"}))
    assert found["ITSM-3"].kind == TicketKind.REQUEST
    assert found["ITSM-3"].attributes["request_type"] == "Request new hardware"
    asked = jira.requests("/rest/servicedeskapi/request/ITSM-3")
    assert [a.params for a in asked] == [{"expand": "requestType"}]
    assert found["ITSM-1"].kind == TicketKind.INCIDENT  # 404: not a request, issue type decides


# --------------------------------------------------------------- Data Center


def test_datacenter_pages_by_start_at_with_a_pat(jira: FakeJira) -> None:
    cloud = tickets(read(jira))
    jira.as_datacenter()
    jira.seen.clear()
    records = read(jira, token_env="JIRA_PAT")

    searches = jira.requests("/rest/api/2/search")
    assert [s.params["startAt"] for s in searches] == ["0", "3", "6"]
    assert {s.authorization for s in jira.seen} == {f"Bearer {PAT}"}
    assert jira.requests("/rest/api/2/field")
    assert [s.params for s in jira.requests("/rest/api/2/issue/ITSM-1")] == [
        {"expand": "changelog", "fields": "status"}
    ]
    datacenter = tickets(records)
    assert sorted(datacenter) == sorted(cloud)
    for key, ticket in cloud.items():
        assert (datacenter[key].history, datacenter[key].first_response) == (
            ticket.history,
            ticket.first_response,
        ), key
        assert datacenter[key].priority == ticket.priority


# --------------------------------------------------------- errors and retries


def test_429_retry_after_is_honoured(jira: FakeJira) -> None:
    jira.fail(SEARCH, 429, {"Retry-After": "1"})
    started = time.monotonic()
    records = read(jira)
    assert time.monotonic() - started >= 1.0
    assert len(jira.requests(SEARCH)) == 4  # the refused one, then three pages
    assert len(tickets(records)) == 4


def test_429_without_retry_after_waits_for_the_rate_limit_reset(jira: FakeJira) -> None:
    reset = datetime.now(UTC) + timedelta(seconds=1)
    jira.fail(SEARCH, 429, {"X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%S.%fZ")})
    started = time.monotonic()
    assert len(tickets(read(jira))) == 4
    assert time.monotonic() - started >= 0.5


def test_503_is_retried_with_backoff(jira: FakeJira) -> None:
    jira.fail("/rest/servicedeskapi/request/ITSM-2/comment", 503)
    assert tickets(read(jira))["ITSM-2"].first_response == sh(10, 9, 9, 30)
    assert len(jira.requests("/rest/servicedeskapi/request/ITSM-2/comment")) == 2


def test_exhausted_retries_are_one_clear_line(jira: FakeJira) -> None:
    for _ in range(3):
        jira.fail(SEARCH, 429, {"Retry-After": "0"})
    with pytest.raises(JiraError) as caught:
        read(jira, max_retries=2)
    assert str(caught.value) == (
        f"Jira {jira.url}: GET /rest/api/3/search/jql: HTTP 429 scripted failure; "
        "gave up after 2 retries"
    )


def test_401_names_the_server_and_hides_the_token(
    jira: FakeJira, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIRA_API_TOKEN", "wrong-token-123")
    with pytest.raises(JiraError) as caught:
        read(jira)
    message = str(caught.value)
    assert message.startswith(f"Jira {jira.url}: GET /rest/api/3/field: HTTP 401 Unauthorized")
    assert "check email 'reader@provider.example' and the API token in $JIRA_API_TOKEN" in message
    assert "wrong-token-123" not in message
    assert "Basic " in message and "***" in message  # the echoed header, redacted
    assert "\n" not in message


def test_echoed_secret_in_an_error_reply_is_redacted(jira: FakeJira) -> None:
    jira.fail(SEARCH, 400, body={"errorMessages": [f"bad token {API_TOKEN} in JQL"], "errors": {}})
    with pytest.raises(JiraError) as caught:
        read(jira)
    assert (
        str(caught.value)
        == f"Jira {jira.url}: GET /rest/api/3/search/jql: HTTP 400 bad token *** in JQL"
    )


def test_missing_token_variable_is_named(jira: FakeJira, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JIRA_API_TOKEN")
    with pytest.raises(JiraError, match="'JIRA_API_TOKEN' \\(option 'token_env'\\) is not set"):
        read(jira)
    assert jira.seen == []


def test_basic_auth_needs_the_account(jira: FakeJira) -> None:
    with pytest.raises(JiraError, match="option 'email' is required for basic auth"):
        read(jira, email="")


def test_issue_keys_stay_inside_their_path(jira: FakeJira) -> None:
    jira.issues[6]["key"] = "../../field"
    jira.issues[6]["changelog"]["total"] = 5
    tickets(read(jira))
    asked = [s.path for s in jira.seen if "field" in s.path]
    assert "/rest/api/3/issue/../../field/changelog" in asked
    assert asked.count("/rest/api/3/field") == 1


def test_unreachable_site_is_a_clear_error() -> None:
    opts = JiraOptions(url="http://127.0.0.1:9", projects=["ITSM"], email=EMAIL, max_retries=0)
    context = SourceContext(name="jsm", kind="tickets", base_dir=Path("."))
    with pytest.raises(
        JiraError, match=r"^Jira http://127.0.0.1:9: GET /rest/api/3/field: ConnectionError"
    ):
        list(JiraSource(opts, context).read())

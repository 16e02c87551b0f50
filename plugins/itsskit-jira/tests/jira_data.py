"""Issues, fields and comments shaped as Atlassian documents them.

Shapes follow the Jira Cloud platform REST API v3 (issue bean, changelog
``histories``/``items``, user with ``accountId``, ADF comment bodies), the Data
Center REST API v2 (users with ``name``/``key``, string comment bodies) and the
Jira Service Management REST API (``PagedDTO`` of ``CommentDTO`` with ``public``
and ``DateDTO`` times; SLA fields with ``completedCycles``/``ongoingCycle``).

The story of each issue (Asia/Shanghai times; office hours 09:00-12:00 and
13:30-18:00 on the China calendar; 2025-09-28 (Sun) and 2025-10-11 (Sat) are
make-up working days, 2025-10-01..08 the National Day holiday):

ITSM-1  Fri 09-26 11:00 opened (Medium, "Get IT help"); customer comment 11:10,
        internal agent note 11:30; priority -> High 12:30; agent public reply 14:00
        (status In Progress); Waiting for customer 16:00 until Mon 09-29 10:00;
        Resolved 10:30; priority -> Low 11:00 (after resolution).
ITSM-2  Tue 09-30 17:00 opened (Highest, times in UTC "Z", no millis);
        agent reply Thu 10-09 09:30; Resolved Sat 10-11 10:00; reopened Mon 10-13
        09:00; Resolved again 11:00.
ITSM-3  Tue 10-14 09:00 opened ("Request new hardware", Low); Resolved 16:00; no
        comments; one changelog entry with an unreadable time.
ITSM-4  created "2025-13-45T25:00:00.000+0800": a finding.
ITSM-5  priority "Urgent!!": not mapped, a finding.
(no key) a search result without "key": a finding.
ITSM-7  Wed 10-15 10:00 opened, still open (Waiting for support).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

SHANGHAI = timezone(timedelta(hours=8))
SITE = "https://example.atlassian.net"

AGENT_CLOUD = {
    "self": f"{SITE}/rest/api/3/user?accountId=5b10ac8d82e05b22cc7d4ef5",
    "accountId": "5b10ac8d82e05b22cc7d4ef5",
    "emailAddress": "wang.fang@provider.example",
    "displayName": "Wang Fang",
    "active": True,
    "timeZone": "Asia/Shanghai",
    "accountType": "atlassian",
}
CUSTOMER_CLOUD = {
    "self": f"{SITE}/rest/api/3/user?accountId=qm:1a2b3c:customer-li",
    "accountId": "qm:1a2b3c:customer-li",
    "emailAddress": "li.wei@customer.example",
    "displayName": "Li Wei",
    "active": True,
    "timeZone": "Asia/Shanghai",
    "accountType": "customer",
}
AGENT_DC = {
    "self": f"{SITE}/rest/api/2/user?username=wangfang",
    "name": "wangfang",
    "key": "JIRAUSER10100",
    "emailAddress": "wang.fang@provider.example",
    "displayName": "Wang Fang",
    "active": True,
    "timeZone": "Asia/Shanghai",
}
CUSTOMER_DC = {
    "self": f"{SITE}/rest/api/2/user?username=liwei",
    "name": "liwei",
    "key": "JIRAUSER10200",
    "emailAddress": "li.wei@customer.example",
    "displayName": "Li Wei",
    "active": True,
    "timeZone": "Asia/Shanghai",
}
BOT_CLOUD = {
    "self": f"{SITE}/rest/api/3/user?accountId=557058:automation",
    "accountId": "557058:automation",
    "displayName": "Automation for Jira",
    "active": True,
    "timeZone": "UTC",
    "accountType": "app",
}


def sh(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A 2025 instant in Shanghai time."""
    return datetime(2025, month, day, hour, minute, tzinfo=SHANGHAI)


def jira_time(at: datetime, style: str = "millis") -> str:
    """Jira's text form: ``millis`` 2025-09-26T11:00:00.000+0800, ``plain`` without
    millis, ``utc`` 2025-09-26T03:00:00Z."""
    if style == "utc":
        return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = at.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.000{at.strftime('%z')}" if style == "millis" else f"{text}{at.strftime('%z')}"


def date_dto(at: datetime) -> dict[str, Any]:
    """A JSM ``DateDTO``."""
    return {
        "iso8601": at.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "jira": jira_time(at),
        "friendly": at.strftime("%d/%b/%y %I:%M %p"),
        "epochMillis": int(at.timestamp() * 1000),
    }


# ----------------------------------------------------------------------- fields

FIELDS: list[dict[str, Any]] = [
    {
        "id": "status",
        "key": "status",
        "name": "Status",
        "custom": False,
        "orderable": False,
        "navigable": True,
        "searchable": True,
        "clauseNames": ["status"],
        "schema": {"type": "status", "system": "status"},
    },
    {
        "id": "priority",
        "key": "priority",
        "name": "Priority",
        "custom": False,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": ["priority"],
        "schema": {"type": "priority", "system": "priority"},
    },
    {
        "id": "customfield_10010",
        "key": "customfield_10010",
        "name": "Request Type",
        "untranslatedName": "Request Type",
        "custom": True,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": ["cf[10010]", "Request Type"],
        "schema": {
            "type": "sd-customerrequesttype",
            "custom": "com.atlassian.servicedesk:vp-origin",
            "customId": 10010,
        },
    },
    {
        "id": "customfield_10030",
        "key": "customfield_10030",
        "name": "Time to first response",
        "custom": True,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": ["cf[10030]", "Time to first response"],
        "schema": {
            "type": "sd-servicelevelagreement",
            "custom": "com.atlassian.servicedesk:sd-sla-field",
            "customId": 10030,
        },
    },
    {
        "id": "customfield_10031",
        "key": "customfield_10031",
        "name": "Time to resolution",
        "custom": True,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": ["cf[10031]", "Time to resolution"],
        "schema": {
            "type": "sd-servicelevelagreement",
            "custom": "com.atlassian.servicedesk:sd-sla-field",
            "customId": 10031,
        },
    },
    {
        "id": "customfield_10040",
        "key": "customfield_10040",
        "name": "Customer Tier",
        "custom": True,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": ["cf[10040]", "Customer Tier"],
        "schema": {
            "type": "option",
            "custom": "com.atlassian.jira.plugin.system.customfieldtypes:select",
            "customId": 10040,
        },
    },
    {
        "id": "customfield_10041",
        "key": "customfield_10041",
        "name": "Affected System",
        "custom": True,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": ["cf[10041]", "Affected System"],
        "schema": {
            "type": "string",
            "custom": "com.atlassian.jira.plugin.system.customfieldtypes:textfield",
            "customId": 10041,
        },
    },
]


# ---------------------------------------------------------------- field values


def status(name: str, category: str = "indeterminate") -> dict[str, Any]:
    ids = {"new": 2, "indeterminate": 4, "done": 3}
    return {
        "self": f"{SITE}/rest/api/3/status/10001",
        "description": "",
        "iconUrl": f"{SITE}/images/icons/statuses/generic.png",
        "name": name,
        "id": "10001",
        "statusCategory": {
            "self": f"{SITE}/rest/api/3/statuscategory/{ids[category]}",
            "id": ids[category],
            "key": category,
            "colorName": "green" if category == "done" else "yellow",
            "name": {"new": "To Do", "indeterminate": "In Progress", "done": "Done"}[category],
        },
    }


def priority(name: str) -> dict[str, Any]:
    return {"self": f"{SITE}/rest/api/3/priority/3", "iconUrl": "", "name": name, "id": "3"}


def issue_type(name: str) -> dict[str, Any]:
    return {
        "self": f"{SITE}/rest/api/3/issuetype/10004",
        "id": "10004",
        "description": "",
        "iconUrl": "",
        "name": name,
        "subtask": False,
        "hierarchyLevel": 0,
    }


def request_type(name: str, current: str, at: datetime) -> dict[str, Any]:
    """The Request Type field value (``CustomerRequestType`` with the current status)."""
    return {
        "_links": {
            "jiraRest": f"{SITE}/rest/api/2/issue/10001",
            "web": f"{SITE}/servicedesk/customer/portal/1/ITSM-1",
            "self": f"{SITE}/rest/servicedeskapi/request/10001",
        },
        "requestType": {
            "_expands": ["field"],
            "id": "11",
            "_links": {"self": f"{SITE}/rest/servicedeskapi/servicedesk/1/requesttype/11"},
            "name": name,
            "description": "",
            "helpText": "",
            "issueTypeId": "10004",
            "serviceDeskId": "1",
            "portalId": "1",
            "groupIds": ["1"],
            "icon": {"id": "10519", "_links": {"iconUrls": {}}},
        },
        "currentStatus": {"status": current, "statusCategory": "DONE", "statusDate": date_dto(at)},
    }


def duration(seconds: int) -> dict[str, Any]:
    return {"millis": seconds * 1000, "friendly": f"{seconds // 60}m"}


def completed_cycle(start: datetime, stop: datetime, goal: int, elapsed: int) -> dict[str, Any]:
    return {
        "startTime": date_dto(start),
        "stopTime": date_dto(stop),
        "breachTime": date_dto(start + timedelta(seconds=goal)),
        "breached": elapsed > goal,
        "goalDuration": duration(goal),
        "elapsedTime": duration(elapsed),
        "remainingTime": duration(goal - elapsed),
    }


def sla(name: str, completed: list[dict[str, Any]], ongoing: dict[str, Any] | None = None) -> Any:
    value: dict[str, Any] = {
        "id": "1",
        "name": name,
        "_links": {"self": f"{SITE}/rest/servicedeskapi/request/10001/sla/1"},
        "completedCycles": completed,
        "slaDisplayFormat": "NEW_SLA_FORMAT",
    }
    if ongoing is not None:
        value["ongoingCycle"] = ongoing
    return value


def item(field: str, old: str | None, new: str | None) -> dict[str, Any]:
    return {
        "field": field,
        "fieldtype": "jira",
        "fieldId": field,
        "from": None,
        "fromString": old,
        "to": None,
        "toString": new,
    }


def history(number: int, at: datetime | str, author: dict[str, Any], *items: dict[str, Any]) -> Any:
    return {
        "id": str(number),
        "author": author,
        "created": at if isinstance(at, str) else jira_time(at),
        "items": list(items),
    }


def servicedesk_comment(
    number: int, at: datetime, author: dict[str, Any], public: bool, body: str
) -> dict[str, Any]:
    """A JSM ``CommentDTO``."""
    return {
        "id": str(number),
        "body": body,
        "public": public,
        "author": {**author, "_links": {"self": author["self"]}},
        "created": date_dto(at),
        "_links": {"self": f"{SITE}/rest/servicedeskapi/request/10001/comment/{number}"},
    }


def adf(text: str) -> dict[str, Any]:
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
    }


def platform_comment(
    number: int, at: datetime, author: dict[str, Any], public: bool, body: str
) -> dict[str, Any]:
    """A comment of the platform API v3 (``fields.comment.comments``), ADF body."""
    return {
        "self": f"{SITE}/rest/api/3/issue/10001/comment/{number}",
        "id": str(number),
        "author": author,
        "body": adf(body),
        "updateAuthor": author,
        "created": jira_time(at),
        "updated": jira_time(at),
        "jsdPublic": public,
    }


# ---------------------------------------------------------------------- issues


def issue(
    number: int, key: str | None, fields: dict[str, Any], histories: list[dict[str, Any]]
) -> dict[str, Any]:
    """An issue bean as the search returns it (``changelog`` complete; the fake
    server truncates it like Jira does)."""
    bean: dict[str, Any] = {
        "expand": "renderedFields,names,schema,operations,editmeta,changelog,"
        "versionedRepresentations",
        "id": str(10000 + number),
        "self": f"{SITE}/rest/api/3/issue/{10000 + number}",
        "fields": {
            "project": {
                "self": f"{SITE}/rest/api/3/project/10000",
                "id": "10000",
                "key": "ITSM",
                "name": "IT Service Desk",
                "projectTypeKey": "service_desk",
            },
            "reporter": CUSTOMER_CLOUD,
            "resolution": None,
            "resolutiondate": None,
            **fields,
        },
        "changelog": {
            "startAt": 0,
            "maxResults": len(histories),
            "total": len(histories),
            "histories": histories,
        },
    }
    if key is not None:
        bean["key"] = key
    return bean


def issues() -> list[dict[str, Any]]:
    """The Cloud issues of the module docstring, in search order."""
    done = {"self": f"{SITE}/rest/api/3/resolution/10000", "id": "10000", "name": "Done"}
    return [
        issue(
            1,
            "ITSM-1",
            {
                "status": status("Resolved", "done"),
                "priority": priority("Low"),
                "created": jira_time(sh(9, 26, 11)),
                "resolutiondate": jira_time(sh(9, 29, 10, 30)),
                "resolution": done,
                "issuetype": issue_type("[System] Incident"),
                "customfield_10010": request_type("Get IT help", "Resolved", sh(9, 29, 10, 30)),
                "customfield_10030": sla(
                    "Time to first response",
                    [completed_cycle(sh(9, 26, 11), sh(9, 26, 14), 14400, 5400)],
                ),
                "customfield_10031": sla(
                    "Time to resolution",
                    [completed_cycle(sh(9, 26, 11), sh(9, 29, 10, 30), 28800, 14400)],
                ),
                "customfield_10040": {
                    "self": f"{SITE}/rest/api/3/customFieldOption/10050",
                    "value": "Gold",
                    "id": "10050",
                },
                "customfield_10041": "ERP",
            },
            [
                history(101, sh(9, 26, 12, 30), AGENT_CLOUD, item("priority", "Medium", "High")),
                history(
                    102,
                    sh(9, 26, 14),
                    AGENT_CLOUD,
                    item("status", "Waiting for support", "In Progress"),
                    item("assignee", None, "Wang Fang"),
                ),
                history(
                    103,
                    sh(9, 26, 16),
                    AGENT_CLOUD,
                    item("status", "In Progress", "Waiting for customer"),
                ),
                history(
                    104,
                    sh(9, 29, 10),
                    CUSTOMER_CLOUD,
                    item("status", "Waiting for customer", "In Progress"),
                ),
                history(
                    105,
                    sh(9, 29, 10, 30),
                    AGENT_CLOUD,
                    item("status", "In Progress", "Resolved"),
                    item("resolution", None, "Done"),
                ),
                history(106, sh(9, 29, 11), AGENT_CLOUD, item("priority", "High", "Low")),
            ],
        ),
        issue(
            2,
            "ITSM-2",
            {
                "status": status("Resolved", "done"),
                "priority": priority("Highest"),
                "created": jira_time(sh(9, 30, 17), "utc"),
                "resolutiondate": jira_time(sh(10, 13, 11), "utc"),
                "resolution": done,
                "issuetype": issue_type("[System] Incident"),
                "customfield_10010": request_type(
                    "Report a system problem", "Resolved", sh(10, 13, 11)
                ),
                "customfield_10031": sla(
                    "Time to resolution",
                    [],
                    {
                        "startTime": date_dto(sh(9, 30, 17)),
                        "breachTime": date_dto(sh(10, 9, 12)),
                        "breached": True,
                        "paused": False,
                        "withinCalendarHours": True,
                        "goalDuration": duration(14400),
                        "elapsedTime": duration(68400),
                        "remainingTime": duration(-54000),
                    },
                ),
            },
            [
                history(
                    201,
                    jira_time(sh(10, 9, 9, 30), "utc"),
                    AGENT_CLOUD,
                    item("status", "Waiting for support", "In Progress"),
                ),
                history(
                    202,
                    jira_time(sh(10, 11, 10), "utc"),
                    AGENT_CLOUD,
                    item("status", "In Progress", "Resolved"),
                ),
                history(
                    203,
                    jira_time(sh(10, 13, 9), "utc"),
                    CUSTOMER_CLOUD,
                    item("status", "Resolved", "In Progress"),
                ),
                history(
                    204,
                    jira_time(sh(10, 13, 11), "utc"),
                    AGENT_CLOUD,
                    item("status", "In Progress", "Resolved"),
                ),
            ],
        ),
        issue(
            3,
            "ITSM-3",
            {
                "status": status("Resolved", "done"),
                "priority": priority("Low"),
                "created": jira_time(sh(10, 14, 9), "plain"),
                "resolutiondate": jira_time(sh(10, 14, 16), "plain"),
                "resolution": done,
                "issuetype": issue_type("[System] Service request"),
                "customfield_10010": request_type(
                    "Request new hardware", "Resolved", sh(10, 14, 16)
                ),
                "customfield_10041": None,
            },
            [
                history(301, "yesterday at noon", AGENT_CLOUD, item("status", "Open", "Pending")),
                history(
                    302,
                    jira_time(sh(10, 14, 16), "plain"),
                    AGENT_CLOUD,
                    item("status", "Waiting for support", "Resolved"),
                ),
            ],
        ),
        issue(
            4,
            "ITSM-4",
            {
                "status": status("Waiting for support", "new"),
                "priority": priority("Medium"),
                "created": "2025-13-45T25:00:00.000+0800",
                "issuetype": issue_type("[System] Incident"),
            },
            [],
        ),
        issue(
            5,
            "ITSM-5",
            {
                "status": status("Waiting for support", "new"),
                "priority": priority("Urgent!!"),
                "created": jira_time(sh(10, 15, 9)),
                "issuetype": issue_type("[System] Incident"),
            },
            [],
        ),
        issue(
            6,
            None,
            {
                "status": status("Waiting for support", "new"),
                "priority": priority("Medium"),
                "created": jira_time(sh(10, 15, 9)),
                "issuetype": issue_type("[System] Incident"),
            },
            [],
        ),
        issue(
            7,
            "ITSM-7",
            {
                "status": status("Waiting for support", "new"),
                "priority": priority("Medium"),
                "created": jira_time(sh(10, 15, 10)),
                "issuetype": issue_type("[System] Incident"),
            },
            [],
        ),
    ]


def servicedesk_comments(agent: dict[str, Any], customer: dict[str, Any]) -> dict[str, list[Any]]:
    """JSM comments by request key (public and internal, oldest first)."""
    return {
        "ITSM-1": [
            servicedesk_comment(1001, sh(9, 26, 11, 10), customer, True, "Any news?"),
            servicedesk_comment(
                1002, sh(9, 26, 11, 30), agent, False, "internal: checking the VPN"
            ),
            servicedesk_comment(1003, sh(9, 26, 14), agent, True, "We are on it."),
            servicedesk_comment(1004, sh(9, 26, 16), agent, True, "Please send the log."),
        ],
        "ITSM-2": [
            servicedesk_comment(2001, sh(10, 9, 9, 30), agent, True, "Looking into it."),
        ],
        "ITSM-3": [],
        "ITSM-7": [
            servicedesk_comment(
                7001, sh(10, 15, 10, 5), BOT_CLOUD, True, "Thanks, we got your request."
            ),
        ],
    }


def to_datacenter(bean: dict[str, Any]) -> dict[str, Any]:
    """The same issue as Data Center's REST API v2 shows it (users by name/key)."""
    swap = {CUSTOMER_CLOUD["accountId"]: CUSTOMER_DC, AGENT_CLOUD["accountId"]: AGENT_DC}

    def user(value: Any) -> Any:
        if isinstance(value, dict) and "accountId" in value:
            return swap.get(
                value["accountId"], {**AGENT_DC, "name": "automation", "key": "JIRAUSER1"}
            )
        return value

    fields = {name: user(value) for name, value in bean["fields"].items()}
    histories = [{**h, "author": user(h["author"])} for h in bean["changelog"]["histories"]]
    return {
        **bean,
        "self": bean["self"].replace("/api/3/", "/api/2/"),
        "fields": fields,
        "changelog": {**bean["changelog"], "histories": histories},
    }

"""The scripted history the Redmine tests create, and the helpers that create it.

``build_scenario`` creates projects, users, custom fields and issues through
the REST API, then sets the times the API cannot choose (``issues.created_on``,
``journals.created_on`` ...) in the SQLite database. Every time below is
Asia/Shanghai; the business-time figures in the tests are computed by hand on
the China calendar (09:00-12:00, 13:30-18:00; 2025 National Day holiday
October 1-8, make-up working days Sunday September 28 and Saturday October 11).
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs

from redmine_server import RedmineServer

CST = ZoneInfo("Asia/Shanghai")
STATUS = {"New": 1, "In Progress": 2, "Resolved": 3, "Feedback": 4, "Closed": 5}
TRACKER = {"Bug": 1, "Feature": 2, "Support": 3}
PRIORITY = {"Low": 1, "Normal": 2, "High": 3, "Urgent": 4, "Immediate": 5}


def cst(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A 2025 instant in Asia/Shanghai."""
    return datetime(2025, month, day, hour, minute, tzinfo=CST)


@attrs.frozen
class Step:
    """One journal: who, when, and what it changes (``status``/``priority`` names, notes)."""

    at: datetime
    user: str  # "admin" (the agent) or "alice" (the customer, author of every issue)
    notes: str = ""
    status: str = ""
    priority: str = ""


@attrs.frozen
class Plan:
    """One issue: where, what, when created, and its journals."""

    project: str
    tracker: str
    priority: str
    created: datetime
    subject: str
    steps: tuple[Step, ...] = ()
    fields: tuple[tuple[str, str], ...] = ()


#: The issues, created in this order (so issue ids are 1, 2, 3 ...).
PLANS = {
    # 1: an incident that crosses a lunch break, a weekend with a make-up workday, a pause,
    #    a reopen after the National Day holiday; opened Normal, raised to Urgent.
    "A": Plan(
        project="erp-support",
        tracker="Bug",
        priority="Normal",
        created=cst(9, 26, 11),
        subject="ERP login fails",
        fields=(("Customer", "滇池物流"), ("Major", "1")),
        steps=(
            Step(cst(9, 26, 11, 10), "alice", notes="Any news?"),
            Step(cst(9, 26, 14), "admin", notes="Looking", status="In Progress", priority="Urgent"),
            Step(cst(9, 26, 17), "admin", notes="Which browser?", status="Feedback"),
            Step(cst(9, 29, 10), "alice", notes="Firefox", status="In Progress"),
            Step(cst(9, 30, 11), "admin", status="Resolved"),
            Step(cst(10, 9, 10), "alice", notes="Back again", status="In Progress"),
            Step(cst(10, 9, 15), "admin", status="Resolved"),
            Step(cst(10, 10, 9, 30), "admin", status="Closed"),
        ),
    ),
    # 2: a service request opened before the holiday, answered after it, done on a
    #    make-up Saturday; its priority lowered the day after.
    "B": Plan(
        project="erp-support",
        tracker="Support",
        priority="High",
        created=cst(9, 30, 17),
        subject="New ERP account",
        fields=(("Customer", "滇池物流"),),
        steps=(
            Step(cst(10, 9, 9, 30), "admin", notes="On it"),
            Step(cst(10, 11, 10), "admin", notes="Account created", status="Resolved"),
            Step(cst(10, 12, 10), "admin", priority="Normal"),  # after resolution: not counted
        ),
    ),
    # 3: still open at the evaluation instant (Monday 2025-10-13 12:30).
    "C": Plan(
        project="oa-helpdesk",
        tracker="Bug",
        priority="High",
        created=cst(10, 13, 9),
        subject="OA mail queue stuck",
    ),
    # 4: its journal is corrupted below (a status that does not exist): a finding.
    "D": Plan(
        project="erp-support",
        tracker="Bug",
        priority="Normal",
        created=cst(10, 13, 10),
        subject="Report export slow",
        steps=(Step(cst(10, 13, 11), "admin", status="In Progress"),),
    ),
    # 5: a feature request: not a ticket when only Bug and Support are mapped.
    "E": Plan(
        project="erp-support",
        tracker="Feature",
        priority="Low",
        created=cst(9, 27, 10),
        subject="Dark mode",
    ),
}
#: Evaluation instant of the clock tests.
AT = cst(10, 13, 12, 30)


@attrs.frozen
class Scenario:
    """The server and the Redmine issue id of each plan."""

    server: RedmineServer
    ids: dict[str, int]


def build_scenario(redmine: RedmineServer) -> Scenario:
    """Projects, users, custom fields and the issues of :data:`PLANS`, with their times."""
    started = time.monotonic()
    fields = _custom_fields(redmine)
    alice = redmine.api(
        "POST",
        "/users.json",
        {
            "user": {
                "login": "alice",
                "firstname": "Alice",
                "lastname": "Customer",
                "mail": "alice@example.com",
                "password": "alice-secret-1",
            }
        },
    )["user"]["id"]
    for identifier, name in (("erp-support", "ERP Support"), ("oa-helpdesk", "OA Helpdesk")):
        redmine.api(
            "POST",
            "/projects.json",
            {
                "project": {
                    "name": name,
                    "identifier": identifier,
                    "tracker_ids": list(TRACKER.values()),
                    "issue_custom_field_ids": list(fields.values()),
                    "enabled_module_names": ["issue_tracking"],
                }
            },
        )
        redmine.api(
            "POST",
            f"/projects/{identifier}/memberships.json",
            {"membership": {"user_id": alice, "role_ids": [3]}},  # Manager
        )
    ids = {key: _create(redmine, plan, fields) for key, plan in PLANS.items()}
    (journal,) = redmine.sql("SELECT id FROM journals WHERE journalized_id = ?", ids["D"])
    redmine.sql(
        "UPDATE journal_details SET value = '99' WHERE journal_id = ? AND prop_key = 'status_id'",
        journal[0],
    )
    redmine.timings["scenario_seconds"] = time.monotonic() - started
    return Scenario(server=redmine, ids=ids)


def _custom_fields(redmine: RedmineServer) -> dict[str, int]:
    """Issue custom fields ``Customer`` (text) and ``Major`` (yes/no), for every tracker."""
    found = {}
    for position, (name, field_format) in enumerate((("Customer", "string"), ("Major", "bool"))):
        redmine.sql(
            "INSERT INTO custom_fields (type, name, field_format, is_for_all, visible,"
            " editable, is_filter, position, default_value)"
            " VALUES ('IssueCustomField', ?, ?, 1, 1, 1, 1, ?, '')",
            name,
            field_format,
            position + 1,
        )
        ((field_id,),) = redmine.sql("SELECT id FROM custom_fields WHERE name = ?", name)
        for tracker in TRACKER.values():
            redmine.sql(
                "INSERT INTO custom_fields_trackers (custom_field_id, tracker_id) VALUES (?, ?)",
                field_id,
                tracker,
            )
        found[name] = field_id
    return found


def _create(redmine: RedmineServer, plan: Plan, fields: dict[str, int]) -> int:
    """Create the issue as alice, play its steps through the API, then set the times."""
    issue = redmine.api(
        "POST",
        "/issues.json",
        {
            "issue": {
                "project_id": plan.project,
                "tracker_id": TRACKER[plan.tracker],
                "priority_id": PRIORITY[plan.priority],
                "subject": plan.subject,
                "custom_fields": [{"id": fields[k], "value": v} for k, v in plan.fields],
            }
        },
        as_user="alice",
    )["issue"]["id"]
    for step in plan.steps:
        change: dict[str, object] = {"notes": step.notes} if step.notes else {}
        if step.status:
            change["status_id"] = STATUS[step.status]
        if step.priority:
            change["priority_id"] = PRIORITY[step.priority]
        redmine.api(
            "PUT",
            f"/issues/{issue}.json",
            {"issue": change},
            as_user=None if step.user == "admin" else step.user,
        )
    journals = redmine.sql("SELECT id FROM journals WHERE journalized_id = ? ORDER BY id", issue)
    assert len(journals) == len(plan.steps), f"issue {issue}: {len(journals)} journals"
    for (journal,), step in zip(journals, plan.steps, strict=True):
        redmine.sql("UPDATE journals SET created_on = ? WHERE id = ?", step.at, journal)
    last = plan.steps[-1].at if plan.steps else plan.created
    closed = last if plan.steps and plan.steps[-1].status == "Closed" else None
    redmine.sql(
        "UPDATE issues SET created_on = ?, updated_on = ?, closed_on = ?, start_date = ?"
        " WHERE id = ?",
        plan.created,
        last,
        closed,
        plan.created.date().isoformat(),
        issue,
    )
    return int(issue)


def config_text(url: str) -> str:
    """The tested config (``data/itsskit.toml``) pointed at ``url``."""
    text = (Path(__file__).parent / "data" / "itsskit.toml").read_text(encoding="utf-8")
    return text.replace('url = "http://127.0.0.1:3000"', f'url = "{url}"')

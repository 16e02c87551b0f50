"""Turn Redmine issues (``/issues/ID.json?include=journals``) into itsskit tickets.

Pure functions: no I/O. An issue that cannot be used raises :class:`RecordError`
with the reason; the source turns it into a data-quality finding.

* **history**: the status at creation (the first status change's old value, or
  the current status), then every journal's ``status_id`` change, in journal
  order; status names renamed by the ``statuses`` option.
* **first response**: the first journal by a user other than the author; with
  ``first_response_statuses``, the first change into one of those statuses.
* **resolved**: when the issue is in a ``resolved_statuses`` status, the start
  of its last stretch in those statuses (``Resolved`` then ``Closed`` is resolved
  at ``Resolved``); a reopened issue is not resolved.
* **closed**: Redmine's ``closed_on`` while the status is a closed one.
* **priority**: the priority in force when the issue was resolved (the current
  one while it is not), its Redmine name through ``priorities``; the opening
  priority is the first ``priority_id`` change's old value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from itsskit.models import StatusChange, Ticket, TicketKind

from itsskit_redmine.options import ProjectScope, RedmineOptions

__all__ = ["Lookups", "RecordError", "StatusStep", "parse_time", "status_steps", "to_ticket"]

Json = Mapping[str, Any]
TRUE_TEXTS = frozenset({"1", "true", "yes", "y", "是"})


class RecordError(ValueError):
    """An issue that cannot become a ticket; the message is the reason."""


@attrs.frozen(kw_only=True)
class Lookups:
    """The server's status and priority names by id (ids as text, as journals hold them)."""

    statuses: Mapping[str, str]
    closed_statuses: frozenset[str] = frozenset()
    priorities: Mapping[str, str] = attrs.field(factory=dict)

    @classmethod
    def from_api(cls, statuses: Sequence[Json], priorities: Sequence[Json]) -> Lookups:
        """From ``/issue_statuses.json`` and ``/enumerations/issue_priorities.json`` lists."""
        return cls(
            statuses={str(s["id"]): str(s["name"]) for s in statuses},
            closed_statuses=frozenset(str(s["id"]) for s in statuses if s.get("is_closed")),
            priorities={str(p["id"]): str(p["name"]) for p in priorities},
        )


@attrs.frozen(kw_only=True)
class StatusStep:
    """From ``at`` on, the issue had Redmine status ``name``; ``by`` is the user id."""

    at: datetime
    name: str
    by: str


def parse_time(text: object, zone: ZoneInfo, what: str) -> datetime:
    """An API time (``2025-10-09T01:30:00Z``) as an aware datetime; naive is ``zone``."""
    if not isinstance(text, str) or not text:
        raise RecordError(f"missing {what}")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise RecordError(f"{what} {text!r} is not an ISO 8601 time") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)


def to_ticket(
    issue: Json, lookups: Lookups, options: RedmineOptions, scope: ProjectScope, zone: ZoneInfo
) -> Ticket:
    """The :class:`~itsskit.models.Ticket` for one issue with its journals."""
    opened = parse_time(issue.get("created_on"), zone, "created_on")
    journals = _journals(issue, zone)
    steps = status_steps(issue, journals, opened, lookups)
    fields = custom_fields(issue)
    status_id = _id(issue.get("status"))
    closed_on = issue.get("closed_on")
    resolved = _resolved(steps, options.resolved_statuses)
    changes = _priority_changes(journals, lookups)
    return Ticket(
        id=f"{options.id_prefix}{_issue_id(issue)}",
        project=scope.project,
        service=scope.service or fields.get(options.service_field) or None,
        kind=_kind(_name(issue.get("tracker")), options.trackers),
        priority=_priority(
            _priority_at(resolved, changes, _name(issue.get("priority"))), options.priorities
        ),
        opening_priority=_lookup(options.priorities, changes[0][1]) if changes else None,
        opened=opened,
        first_response=_first_response(issue, journals, steps, options),
        resolved=resolved,
        closed=(
            parse_time(closed_on, zone, "closed_on")
            if closed_on and status_id in lookups.closed_statuses
            else None
        ),
        history=tuple(
            StatusChange(at=step.at, status=_renamed(step.name, options.statuses)) for step in steps
        ),
        major=fields.get(options.major_field, "").strip().casefold() in TRUE_TEXTS,
        category=_name(issue.get("category")) or None,
        attributes=_attributes(issue, fields),
    )


def status_steps(
    issue: Json, journals: Sequence[tuple[datetime, Json]], opened: datetime, lookups: Lookups
) -> list[StatusStep]:
    """The issue's statuses over time, starting with the one it was created in."""
    changes = [
        (at, journal, detail)
        for at, journal in journals
        for detail in _details(journal)
        if detail.get("property") == "attr" and detail.get("name") == "status_id"
    ]
    first_id = str(changes[0][2].get("old_value") or "") if changes else _id(issue.get("status"))
    author = _id(issue.get("author"))
    steps = [StatusStep(at=opened, name=_status(first_id, lookups, "initial status"), by=author)]
    for at, journal, detail in changes:
        name = _status(str(detail.get("new_value") or ""), lookups, f"journal {journal.get('id')}")
        if name != steps[-1].name:
            steps.append(StatusStep(at=max(at, opened), name=name, by=_id(journal.get("user"))))
    return steps


def custom_fields(issue: Json) -> dict[str, str]:
    """Custom field values by name; multiple values joined with ``", "``; empty ones left out."""
    found: dict[str, str] = {}
    for field in _list(issue.get("custom_fields")):
        raw = field.get("value")
        values = raw if isinstance(raw, list) else [raw]
        text = ", ".join(str(v) for v in values if v not in (None, ""))
        if text and field.get("name"):
            found[str(field["name"])] = text
    return found


def _journals(issue: Json, zone: ZoneInfo) -> list[tuple[datetime, Json]]:
    """``(time, journal)`` in the order things happened (time, then journal id)."""
    timed = []
    for journal in _list(issue.get("journals")):
        at = parse_time(journal.get("created_on"), zone, f"journal {journal.get('id')} created_on")
        timed.append((at, journal))
    return sorted(timed, key=lambda pair: (pair[0], _number(pair[1].get("id"))))


def _first_response(
    issue: Json,
    journals: Sequence[tuple[datetime, Json]],
    steps: Sequence[StatusStep],
    options: RedmineOptions,
) -> datetime | None:
    if options.first_response_statuses:
        wanted = _folded(options.first_response_statuses)
        return next((s.at for s in steps[1:] if s.name.casefold() in wanted), None)
    author = _id(issue.get("author"))
    return next((at for at, journal in journals if _id(journal.get("user")) != author), None)


def _resolved(steps: Sequence[StatusStep], resolved_statuses: Iterable[str]) -> datetime | None:
    resolved = _folded(resolved_statuses)
    if steps[-1].name.casefold() not in resolved:
        return None
    start = len(steps) - 1
    while start > 0 and steps[start - 1].name.casefold() in resolved:
        start -= 1
    return steps[start].at


def _priority_changes(
    journals: Sequence[tuple[datetime, Json]], lookups: Lookups
) -> list[tuple[datetime, str, str]]:
    """``(time, old name, new name)`` of every priority change, in order."""
    return [
        (
            at,
            lookups.priorities.get(str(detail.get("old_value") or ""), ""),
            lookups.priorities.get(str(detail.get("new_value") or ""), ""),
        )
        for at, journal in journals
        for detail in _details(journal)
        if detail.get("property") == "attr" and detail.get("name") == "priority_id"
    ]


def _priority_at(
    resolved: datetime | None, changes: Sequence[tuple[datetime, str, str]], current: str
) -> str:
    """The priority name in force at ``resolved`` (the current one while unresolved)."""
    if resolved is None or not changes:
        return current
    before = [new for at, _old, new in changes if at <= resolved]
    return before[-1] if before else changes[0][1]


def _priority(name: str, priorities: Mapping[str, str]) -> str:
    code = _lookup(priorities, name)
    if code is None:
        known = ", ".join(priorities) or "none"
        raise RecordError(f"priority {name!r} is not in the priorities option (known: {known})")
    return code


def _kind(tracker: str, trackers: Mapping[str, str]) -> TicketKind:
    return TicketKind(_lookup(trackers, tracker) or TicketKind.INCIDENT.value)


def _attributes(issue: Json, fields: Mapping[str, str]) -> dict[str, str]:
    """Subject, tracker, status, people and project, then the custom fields by name."""
    plain = {
        "subject": issue.get("subject"),
        "tracker": _name(issue.get("tracker")),
        "status": _name(issue.get("status")),
        "author": _name(issue.get("author")),
        "assigned_to": _name(issue.get("assigned_to")),
        "redmine_project": _name(issue.get("project")),
    }
    return {**{k: str(v) for k, v in plain.items() if v}, **fields}


def _status(status_id: str, lookups: Lookups, what: str) -> str:
    try:
        return lookups.statuses[status_id]
    except KeyError:
        raise RecordError(f"{what}: unknown status id {status_id!r}") from None


def _renamed(name: str, renames: Mapping[str, str]) -> str:
    return _lookup(renames, name) or name


def _lookup(table: Mapping[str, str], name: str) -> str | None:
    """``table[name]`` ignoring case and surrounding spaces."""
    wanted = name.strip().casefold()
    return next((v for k, v in table.items() if k.strip().casefold() == wanted), None)


def _folded(names: Iterable[str]) -> frozenset[str]:
    return frozenset(name.strip().casefold() for name in names)


def _issue_id(issue: Json) -> str:
    value = issue.get("id")
    if not isinstance(value, int):
        raise RecordError(f"issue id {value!r} is not a number")
    return str(value)


def _id(ref: object) -> str:
    return str(ref.get("id", "")) if isinstance(ref, Mapping) else ""


def _name(ref: object) -> str:
    return str(ref.get("name") or "") if isinstance(ref, Mapping) else ""


def _details(journal: Json) -> list[Json]:
    return _list(journal.get("details"))


def _list(value: object) -> list[Json]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _number(value: object) -> int:
    return value if isinstance(value, int) else 0

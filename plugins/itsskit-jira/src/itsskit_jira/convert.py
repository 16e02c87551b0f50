"""Turn Jira issues, their changelog and comments into itsskit tickets.

Pure functions: no I/O. A record that cannot be used raises :class:`RecordError`
with the reason; the source turns it into a data-quality finding naming the
issue key.

Jira sends times as ``2024-01-15T10:30:00.000+0800`` (platform API), with or
without milliseconds, with ``+0800``, ``+08:00`` or ``Z``; the Service
Management API sends ``{"iso8601": ..., "jira": ..., "epochMillis": ...}``.
All are accepted; a time without an offset is read in the source's zone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

import attrs
from itsskit.models import StatusChange, Ticket, TicketKind

__all__ = [
    "DEFAULT_PRIORITIES",
    "Comment",
    "FieldChange",
    "Rules",
    "RecordError",
    "comment_from",
    "field_changes",
    "first_agent_comment",
    "parse_time",
    "priority_code",
    "priority_names",
    "request_type_of",
    "sla_attributes",
    "status_history",
    "text_value",
    "to_ticket",
    "user_ids",
]

#: Jira's default priority scheme, and the older Server one (Blocker ... Trivial);
#: ``P1``-style names map to themselves.
DEFAULT_PRIORITIES: Mapping[str, str] = {
    "Highest": "P1",
    "High": "P2",
    "Medium": "P3",
    "Low": "P4",
    "Lowest": "P5",
    "Blocker": "P1",
    "Critical": "P2",
    "Major": "P3",
    "Minor": "P4",
    "Trivial": "P5",
}
_P_NAME = re.compile(r"\s*P?([1-9])(?:\s*[-:(]|\s|$)", re.IGNORECASE)
_DONE_CATEGORY = "done"


class RecordError(ValueError):
    """A record that cannot become a ticket; the message is the reason."""


@attrs.frozen(kw_only=True)
class FieldChange:
    """One changelog item: ``field`` went from ``old`` to ``new`` at ``at`` (display names)."""

    at: datetime
    field: str
    old: str
    new: str


@attrs.frozen(kw_only=True)
class Comment:
    """A comment: when, by whom (every id the API gave for the author), public or not."""

    at: datetime
    author: frozenset[str]
    public: bool = True


@attrs.frozen(kw_only=True)
class Rules:
    """How issues become tickets: the source's options with field names resolved to ids."""

    zone: tzinfo
    priorities: Mapping[str, str] = DEFAULT_PRIORITIES
    statuses: Mapping[str, str] = attrs.field(factory=dict)
    kinds: Mapping[str, str] = attrs.field(factory=dict)
    #: attribute (or ``service``/``category``/``channel``) -> field id
    mapped: Mapping[str, str] = attrs.field(factory=dict)
    request_type_field: str | None = None
    #: field id -> SLA name (Time to first response ...)
    sla_fields: Mapping[str, str] = attrs.field(factory=dict)
    #: also keep any other field whose value is shaped like an SLA (completedCycles ...)
    sla_by_shape: bool = True
    #: field id -> field name, from the site's field list
    names: Mapping[str, str] = attrs.field(factory=dict)
    first_response_field: str | None = None
    project: str | None = None
    service: str | None = None


# ------------------------------------------------------------------------- values


def parse_time(raw: Any, zone: tzinfo) -> datetime | None:
    """A Jira time as an aware datetime; None or ``""`` is None.

    Accepts ISO text (``2024-01-15T10:30:00.000+0800``, ``...+08:00``, ``...Z``,
    no millis, a plain date), a Service Management date object
    (``iso8601``/``jira``/``epochMillis``) and epoch milliseconds.
    """
    if raw is None or raw == "":
        return None
    if isinstance(raw, Mapping):
        for key in ("iso8601", "jira"):
            if raw.get(key):
                return parse_time(raw[key], zone)
        if raw.get("epochMillis") is not None:
            return parse_time(raw["epochMillis"], zone)
        raise RecordError(f"{dict(raw)!r} is not a date object with iso8601/jira/epochMillis")
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return datetime.fromtimestamp(raw / 1000, tz=UTC)
    if not isinstance(raw, str):
        raise RecordError(f"{raw!r} is not a time")
    try:
        parsed = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise RecordError(f"{raw!r} is not a time like 2024-01-15T10:30:00.000+0800") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed


def text_value(raw: Any) -> str:
    """A field value as text: options, users, request types, lists, ADF documents."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, str | int | float):
        return str(raw)
    if isinstance(raw, Sequence):
        return ", ".join(text for text in (text_value(item) for item in raw) if text)
    if isinstance(raw, Mapping):
        if raw.get("type") == "doc":
            return _adf_text(raw).strip()
        if isinstance(raw.get("requestType"), Mapping):
            return text_value(raw["requestType"].get("name"))
        for key in ("value", "name", "displayName", "key", "emailAddress", "id"):
            if raw.get(key) not in (None, ""):
                text = text_value(raw[key])
                child = raw.get("child")
                return f"{text} / {text_value(child)}" if isinstance(child, Mapping) else text
    return ""


def _adf_text(node: Mapping[str, Any]) -> str:
    """The plain text of an Atlassian Document Format node (Cloud v3 rich text)."""
    if node.get("type") == "text":
        return str(node.get("text", ""))
    if node.get("type") == "hardBreak":
        return "\n"
    inner = "".join(
        _adf_text(child) for child in node.get("content") or [] if isinstance(child, Mapping)
    )
    block = node.get("type") in ("paragraph", "heading", "listItem", "codeBlock", "blockquote")
    return f"{inner}\n" if block else inner


def user_ids(user: Any) -> frozenset[str]:
    """Every identifier a Jira user object carries: Cloud ``accountId``, Data Center
    ``name``/``key``, e-mail, display name."""
    if not isinstance(user, Mapping):
        return frozenset({user}) if isinstance(user, str) and user else frozenset()
    keys = ("accountId", "name", "key", "emailAddress", "displayName")
    return frozenset(str(user[key]) for key in keys if user.get(key))


# ---------------------------------------------------------------------- changelog


def field_changes(histories: Iterable[Any], zone: tzinfo) -> tuple[list[FieldChange], list[str]]:
    """Flatten changelog histories into changes, oldest first.

    Histories may come in any order (a search embeds them newest first); ties in
    time keep the order of their numeric ``id``. Returns the changes and the
    reasons of the histories that were skipped (no or a bad ``created`` time).
    """
    found: list[tuple[datetime, int, int, FieldChange]] = []
    problems: list[str] = []
    for order, history in enumerate(histories):
        if not isinstance(history, Mapping):
            problems.append(f"changelog entry #{order + 1} is not an object; skipped")
            continue
        label = f"changelog entry {history.get('id', f'#{order + 1}')}"
        try:
            at = parse_time(history.get("created"), zone)
        except RecordError as error:
            problems.append(f"{label} skipped: created {error}")
            continue
        if at is None:
            problems.append(f"{label} skipped: no 'created' time")
            continue
        number = str(history.get("id", ""))
        sequence = int(number) if number.isdigit() else 0
        for item in history.get("items") or []:
            if isinstance(item, Mapping):
                change = FieldChange(
                    at=at,
                    field=str(item.get("field") or item.get("fieldId") or "").casefold(),
                    old=text_value(item.get("fromString")),
                    new=text_value(item.get("toString")),
                )
                found.append((at, sequence, order, change))
    found.sort(key=lambda entry: entry[:3])
    return [entry[3] for entry in found], problems


def status_history(
    opened: datetime,
    current: str,
    changes: Iterable[FieldChange],
    renames: Mapping[str, str] | None = None,
) -> tuple[StatusChange, ...]:
    """The status from ``opened`` on: the first status at ``opened``, then each change.

    The first status is the ``from`` of the first status change (the current
    status when there is none). Consecutive equal statuses are merged; a change
    at the instant of the previous entry replaces it. ``renames`` maps Jira
    status names to itsskit status names (any case).
    """
    moves = [change for change in changes if change.field == "status"]
    first = moves[0].old if moves and moves[0].old else current
    history: list[StatusChange] = []
    for at, name in [(opened, first), *((max(c.at, opened), c.new) for c in moves)]:
        status = _renamed(name, renames or {})
        if not status:
            continue
        if history and history[-1].at == at:
            history.pop()
        if not history or history[-1].status != status:
            history.append(StatusChange(at=at, status=status))
    return tuple(history)


def _renamed(name: str, renames: Mapping[str, str]) -> str:
    folded = name.strip().casefold()
    return next((new for old, new in renames.items() if old.strip().casefold() == folded), name)


def priority_names(
    current: str, changes: Iterable[FieldChange], resolved: datetime | None
) -> tuple[str, str]:
    """``(at opening, at resolution)`` priority names, replayed from the changelog.

    Without a resolution, the "at resolution" priority is the current one.
    """
    moves = [change for change in changes if change.field == "priority"]
    opening = moves[0].old if moves and moves[0].old else current
    if resolved is None:
        return opening, current
    before = [change.new for change in moves if change.at <= resolved]
    return opening, before[-1] if before else opening


def priority_code(name: str, mapping: Mapping[str, str]) -> str | None:
    """``"High"`` -> ``"P2"`` through ``mapping`` (any case); ``"P1 - Critical"`` -> ``"P1"``.

    ``""`` is None; a name neither mapped nor ``P<digit>``-like is a RecordError.
    """
    if not name:
        return None
    folded = name.strip().casefold()
    for jira, code in mapping.items():
        if jira.strip().casefold() == folded:
            return code
    match = _P_NAME.match(name)
    if match is None:
        raise RecordError(
            f"unknown priority {name!r} (neither mapped nor like 'P1'; "
            "map it in [sources.NAME.priorities])"
        )
    return f"P{match.group(1)}"


# ------------------------------------------------------------------ first response


def first_agent_comment(
    comments: Iterable[Comment],
    reporter: frozenset[str],
    agents: frozenset[str] = frozenset(),
    ignored: frozenset[str] = frozenset(),
) -> datetime | None:
    """The time of the first public comment by an agent.

    An agent is one of ``agents`` when that set is given, otherwise anyone but
    the reporter; authors in ``ignored`` (automation accounts) never count.
    """

    def by_agent(comment: Comment) -> bool:
        if comment.author & ignored or not comment.public:
            return False
        return bool(comment.author & agents) if agents else not comment.author & reporter

    times = [comment.at for comment in comments if by_agent(comment)]
    return min(times, default=None)


def comment_from(raw: Any, zone: tzinfo) -> Comment:
    """A Service Management (``public``, date object) or platform (``jsdPublic``) comment."""
    if not isinstance(raw, Mapping):
        raise RecordError("comment is not an object")
    at = parse_time(raw.get("created"), zone)
    if at is None:
        raise RecordError(f"comment {raw.get('id', '?')} has no 'created' time")
    public = raw.get("public", raw.get("jsdPublic", True))
    return Comment(at=at, author=user_ids(raw.get("author")), public=public is not False)


# --------------------------------------------------------------------------- SLAs


def sla_attributes(name: str, raw: Any) -> dict[str, str]:
    """A JSM SLA field kept for comparison: ``jsm_sla.<name>.<fact>`` attributes.

    Facts of the last cycle (the ongoing one, else the last completed one):
    ``state`` (ongoing/paused/completed), ``breached``, ``elapsed_seconds``,
    ``goal_seconds``, ``stop``, and ``cycles`` (completed cycles). Never an input
    to the clocks.
    """
    if not isinstance(raw, Mapping):
        return {}
    completed = [c for c in raw.get("completedCycles") or [] if isinstance(c, Mapping)]
    ongoing = raw.get("ongoingCycle")
    cycle: Mapping[str, Any] | None = ongoing if isinstance(ongoing, Mapping) else None
    if cycle is not None:
        state = "paused" if cycle.get("paused") else "ongoing"
    elif completed:
        cycle, state = completed[-1], "completed"
    else:
        return {f"jsm_sla.{name}.state": "none", f"jsm_sla.{name}.cycles": "0"}
    facts = {
        "state": state,
        "cycles": str(len(completed)),
        "breached": text_value(bool(cycle.get("breached"))),
        "elapsed_seconds": _seconds(cycle.get("elapsedTime")),
        "goal_seconds": _seconds(cycle.get("goalDuration", cycle.get("goalTime"))),
        "stop": text_value(_date_text(cycle.get("stopTime"))),
    }
    return {f"jsm_sla.{name}.{fact}": text for fact, text in facts.items() if text}


def _sla_shaped(value: Any) -> bool:
    return isinstance(value, Mapping) and ("completedCycles" in value or "ongoingCycle" in value)


def _seconds(raw: Any) -> str:
    millis = raw.get("millis") if isinstance(raw, Mapping) else raw
    return str(int(millis) // 1000) if isinstance(millis, int | float) else ""


def _date_text(raw: Any) -> str:
    if isinstance(raw, Mapping):
        return str(raw.get("iso8601") or raw.get("jira") or "")
    return "" if raw is None else str(raw)


# ------------------------------------------------------------------------- ticket


def request_type_of(issue: Mapping[str, Any], rules: Rules) -> str:
    """The request type name: the configured field, else any field shaped like one."""
    fields = issue.get("fields")
    if not isinstance(fields, Mapping):
        return ""
    if rules.request_type_field:
        return text_value(fields.get(rules.request_type_field))
    shaped = (v for v in fields.values() if isinstance(v, Mapping) and "requestType" in v)
    return text_value(next(shaped, None))


def to_ticket(
    issue: Mapping[str, Any],
    changes: Sequence[FieldChange],
    first_response: datetime | None,
    request_type: str,
    rules: Rules,
) -> tuple[Ticket, list[str]]:
    """The ticket for one issue, and the reasons of minor problems (kept as findings).

    ``request_type`` is :func:`request_type_of` the issue, or what the Service
    Management API said when the issue has no request type field.
    """
    key = issue.get("key")
    if not isinstance(key, str) or not key:
        raise RecordError("missing 'key'")
    fields = issue.get("fields")
    if not isinstance(fields, Mapping):
        raise RecordError("missing 'fields'")
    opened = _time(fields, "created", rules.zone)
    if opened is None:
        raise RecordError("missing 'fields.created'")
    status = text_value(fields.get("status"))
    resolved = _time(fields, "resolutiondate", rules.zone) or _done_since(fields, changes)
    problems: list[str] = []
    opening_name, resolution_name = priority_names(
        text_value(fields.get("priority")), changes, resolved
    )
    priority = priority_code(resolution_name, rules.priorities)
    try:
        opening = priority_code(opening_name, rules.priorities)
    except RecordError as error:
        opening = None
        problems.append(f"priority at opening: {error}")
    if rules.first_response_field:
        first_response = _time(fields, rules.first_response_field, rules.zone) or first_response
    history = status_history(opened, status, changes, rules.statuses)
    mapped = {name: text_value(fields.get(field)) for name, field in rules.mapped.items()}
    issue_type = text_value(fields.get("issuetype"))
    ticket = Ticket(
        id=key,
        project=rules.project,
        service=mapped.pop("service", "") or rules.service,
        kind=_kind(request_type, issue_type, rules.kinds),
        priority=priority,
        opening_priority=opening,
        opened=opened,
        first_response=first_response,
        resolved=resolved,
        closed=_closed(history),
        history=history,
        category=mapped.pop("category", "") or request_type or issue_type or None,
        channel=mapped.pop("channel", "") or None,
        attributes=_attributes(issue, fields, status, issue_type, request_type, mapped, rules),
    )
    return ticket, problems


def _time(fields: Mapping[str, Any], name: str, zone: tzinfo) -> datetime | None:
    try:
        return parse_time(fields.get(name), zone)
    except RecordError as error:
        raise RecordError(f"fields.{name}: {error}") from None


def _done_since(fields: Mapping[str, Any], changes: Sequence[FieldChange]) -> datetime | None:
    """Without ``resolutiondate``: when a done-category issue entered its status."""
    status = fields.get("status")
    category = status.get("statusCategory") if isinstance(status, Mapping) else None
    if not isinstance(category, Mapping) or category.get("key") != _DONE_CATEGORY:
        return None
    moves = [change.at for change in changes if change.field == "status"]
    return moves[-1] if moves else None


def _closed(history: Sequence[StatusChange]) -> datetime | None:
    last = history[-1] if history else None
    return last.at if last and last.status.casefold() == "closed" else None


def _kind(request_type: str, issue_type: str, kinds: Mapping[str, str]) -> TicketKind:
    """By the configured request type or issue type; else "request" in the issue type."""
    for name in (request_type, issue_type):
        folded = name.strip().casefold()
        for wanted, kind in kinds.items():
            if name and wanted.strip().casefold() == folded:
                return TicketKind(kind)
    return TicketKind.REQUEST if "request" in issue_type.casefold() else TicketKind.INCIDENT


def _attributes(
    issue: Mapping[str, Any],
    fields: Mapping[str, Any],
    status: str,
    issue_type: str,
    request_type: str,
    mapped: Mapping[str, str],
    rules: Rules,
) -> dict[str, str]:
    facts = {
        "jira_id": text_value(issue.get("id")),
        "status": status,
        "issue_type": issue_type,
        "request_type": request_type,
        "resolution": text_value(fields.get("resolution")),
        "reporter": text_value((fields.get("reporter") or {}).get("displayName"))
        if isinstance(fields.get("reporter"), Mapping)
        else "",
        **mapped,
    }
    for field, value in fields.items():
        if field in rules.sla_fields or (rules.sla_by_shape and _sla_shaped(value)):
            name = rules.sla_fields.get(field) or rules.names.get(field, field)
            facts.update(sla_attributes(name, value))
    return {name: text for name, text in facts.items() if text}

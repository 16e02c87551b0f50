"""Turn Table API incident records and their audit rows into itsskit tickets.

Pure functions: no I/O. A record that cannot be used raises :class:`RecordError`
with the reason; the source turns it into a data-quality finding.

State codes (``incident.state``) and hold reasons (``incident.hold_reason``, read
while the state is On Hold) become these status names, chosen to match the
pause and resolved statuses of :class:`itsskit.models.SLA`:

==========  =======================  ======================
state code  ServiceNow label         itsskit status
==========  =======================  ======================
1           New                      New
2           In Progress              In Progress
3           On Hold                  by hold reason, below
6           Resolved                 Resolved
7           Closed                   Closed
8           Canceled                 Canceled
==========  =======================  ======================

==========  =================  ====================
hold code   ServiceNow label   itsskit status
==========  =================  ====================
1           Awaiting Caller    Awaiting User Info
3           Awaiting Problem   Awaiting Problem
4           Awaiting Vendor    Awaiting Vendor
5           Awaiting Change    Awaiting Change
(other)     —                  On Hold
==========  =================  ====================
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from itsskit.models import StatusChange, Ticket, TicketKind

__all__ = [
    "HOLD_REASONS",
    "INCIDENT_FIELDS",
    "STATES",
    "RecordError",
    "first_response",
    "parse_time",
    "priority_code",
    "status_history",
    "status_name",
    "to_ticket",
]

STATES: Mapping[str, str] = {
    "1": "New",
    "2": "In Progress",
    "3": "On Hold",
    "6": "Resolved",
    "7": "Closed",
    "8": "Canceled",
}
ON_HOLD = "3"
HOLD_REASONS: Mapping[str, str] = {
    "1": "Awaiting User Info",
    "3": "Awaiting Problem",
    "4": "Awaiting Vendor",
    "5": "Awaiting Change",
}
#: Fields the source asks for; they either fill a Ticket slot or its attributes.
INCIDENT_FIELDS: tuple[str, ...] = (
    "sys_id",
    "number",
    "state",
    "hold_reason",
    "opened_at",
    "resolved_at",
    "closed_at",
    "priority",
    "category",
    "contact_type",
    "assignment_group",
    "made_sla",
    "reopen_count",
    "major_incident_state",
)
#: Fields read into Ticket slots; every other field goes into ``attributes``.
_SLOT_FIELDS = frozenset(
    {"number", "opened_at", "resolved_at", "closed_at", "priority", "category", "contact_type"}
)
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_PRIORITY = re.compile(r"\s*([1-9])\b")


class RecordError(ValueError):
    """A record that cannot become a ticket; the message is the reason."""


def value(record: Mapping[str, Any], field: str) -> str:
    """A field's raw value as text (``""`` when absent).

    Reference fields may come as ``{"value": ..., "link"/"display_value": ...}``.
    """
    raw = record.get(field)
    if isinstance(raw, Mapping):
        raw = raw.get("value")
    return "" if raw is None else str(raw)


def parse_time(text: str, zone: ZoneInfo) -> datetime | None:
    """``"YYYY-MM-DD HH:MM:SS"`` in ``zone`` as an aware datetime; ``""`` is None."""
    if not text:
        return None
    try:
        return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=zone)
    except ValueError:
        raise RecordError(f"{text!r} is not a time 'YYYY-MM-DD HH:MM:SS'") from None


def priority_code(text: str) -> str | None:
    """``"1 - Critical"`` or ``"1"`` -> ``"P1"``; ``""`` -> None."""
    if not text:
        return None
    match = _PRIORITY.match(text)
    if match is None:
        raise RecordError(f"priority {text!r} is not '<digit>' or '<digit> - <label>'")
    return f"P{match.group(1)}"


def status_name(state: str, hold_reason: str = "") -> str:
    """The itsskit status for a state code (and the hold reason when On Hold)."""
    try:
        name = STATES[state]
    except KeyError:
        raise RecordError(f"unknown state code {state!r} (known: {', '.join(STATES)})") from None
    if state == ON_HOLD:
        return HOLD_REASONS.get(hold_reason, name)
    return name


def status_history(
    changes: Iterable[tuple[datetime, str, str]],
) -> tuple[tuple[StatusChange, ...], list[str]]:
    """Replay ``(time, field, new value)`` changes of ``state``/``hold_reason``.

    Changes at one instant are applied together; a status is recorded when it
    differs from the previous one (the status before the first change is New).
    Returns the history and the reasons of the changes that were skipped.
    """
    state, hold, last = "1", "", "New"
    good = (state, hold)
    history: list[StatusChange] = []
    problems: list[str] = []
    ordered = sorted(changes, key=lambda change: change[0])
    for index, (at, field, new) in enumerate(ordered):
        if field == "state":
            state = new
        else:
            hold = new
        if index + 1 < len(ordered) and ordered[index + 1][0] == at:
            continue  # apply every change of this instant first
        try:
            status = status_name(state, hold)
        except RecordError as error:
            problems.append(f"state change at {at.isoformat()}: {error}")
            state, hold = good
            continue
        good = (state, hold)
        if status != last:
            history.append(StatusChange(at=at, status=status))
            last = status
    return tuple(history), problems


def first_response(history: Iterable[StatusChange]) -> datetime | None:
    """The first time the status left New (the data README's rule)."""
    return next((change.at for change in history if change.status != "New"), None)


def to_ticket(
    record: Mapping[str, Any], history: tuple[StatusChange, ...], zone: ZoneInfo
) -> Ticket:
    """The :class:`~itsskit.models.Ticket` for one incident record."""
    number = value(record, "number")
    if not number:
        raise RecordError("missing 'number'")
    opened = _time(record, "opened_at", zone)
    if opened is None:
        raise RecordError("missing 'opened_at'")
    attributes = {
        field: value(record, field)
        for field in record
        if field not in _SLOT_FIELDS and value(record, field)
    }
    return Ticket(
        id=number,
        kind=TicketKind.INCIDENT,
        priority=priority_code(value(record, "priority")),
        opened=opened,
        first_response=first_response(history),
        resolved=_time(record, "resolved_at", zone),
        closed=_time(record, "closed_at", zone),
        history=history,
        major=value(record, "major_incident_state") == "accepted",
        category=value(record, "category") or None,
        channel=value(record, "contact_type") or None,
        attributes=attributes,
    )


def _time(record: Mapping[str, Any], field: str, zone: ZoneInfo) -> datetime | None:
    try:
        return parse_time(value(record, field), zone)
    except RecordError as error:
        raise RecordError(f"{field}: {error}") from None

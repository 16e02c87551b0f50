"""The improvement register's rules (SPEC §6, seed 0403 §7.3.1.3, §8): pure, no I/O.

One register holds every improvement the quality loop raises — report-review
items, internal-audit corrective and preventive actions, management-review
decisions and indicator misses. Each :class:`RegisterItem` has a source, an
owner, a due date, a status and its history. The rules:

- ``open`` → ``done`` (the owner reports it carried out) → ``verified`` (an
  effective verification: who, when, evidence) → ``closed``;
- a verification that finds the action **ineffective** reopens the item
  (``done`` → ``open``): it must be done and verified again;
- an item closes only after an effective verification (never straight from
  ``open`` or ``done``); a closed item changes no more;
- an item is **overdue** on a day when it is not closed and its due date is
  before that day.

Every step returns a new item with one more :class:`ItemEvent`; a step the
rules do not allow raises :class:`ImprovementError` naming the item, its
status and what is allowed. Persistence is :mod:`itsskit.improvement_store`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Literal

import attrs

from itsskit.models import CorrectiveAction, ImprovementItem, aware

__all__ = [
    "EDITABLE",
    "SOURCES",
    "STATUSES",
    "ImprovementError",
    "ItemEvent",
    "ItemStatus",
    "RegisterItem",
    "Verification",
    "close",
    "from_corrective_action",
    "from_improvement_item",
    "is_overdue",
    "mark_done",
    "new_item",
    "shown_status",
    "to_improvement_item",
    "update",
    "verify",
]

ItemStatus = Literal["open", "done", "verified", "closed"]

#: The statuses, in the order an item moves through them.
STATUSES: tuple[ItemStatus, ...] = ("open", "done", "verified", "closed")

#: Where an item comes from; ``other`` for anything else entered by hand.
SOURCES = ("report-review", "audit", "management-review", "indicator", "other")

#: The fields :func:`update` may change.
EDITABLE = ("description", "owner", "due", "cause", "action", "kind")

#: Item kinds: corrective / preventive actions (audits) and plain improvements.
KINDS = ("corrective", "preventive", "improvement")


class ImprovementError(ValueError):
    """A register step the rules do not allow, or an unknown item; the message says why."""


def _one_of(allowed: tuple[str, ...]) -> Any:
    def check(_instance: object, attribute: attrs.Attribute[str], value: str) -> None:
        if value not in allowed:
            raise ValueError(f"{attribute.name} must be one of {', '.join(allowed)}, got {value!r}")

    return check


@attrs.frozen(kw_only=True)
class Verification:
    """A check that an item's action worked: who, on which day, the evidence, effective or not."""

    by: str
    on: date
    evidence: str
    effective: bool


@attrs.frozen(kw_only=True)
class ItemEvent:
    """One step in an item's history: what happened, who, when, a note and the changed fields."""

    event: str
    by: str
    at: datetime = attrs.field(validator=aware)
    note: str = ""
    changes: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class RegisterItem:
    """An entry of the improvement register.

    ``ref`` ties it to what raised it: a finding id (``NC-8.3.4``) for an audit
    action, ``report period`` for a report review, a review id for a
    management-review decision, ``indicator/scope/period`` for an indicator miss.
    ``cause`` and ``action`` are the cause analysis and the measure.
    """

    id: str
    source: str = attrs.field(validator=_one_of(SOURCES))
    description: str
    owner: str = ""
    due: date | None = None
    status: ItemStatus = attrs.field(default="open", validator=_one_of(STATUSES))
    kind: str = attrs.field(default="improvement", validator=_one_of(KINDS))
    ref: str = ""
    cause: str = ""
    action: str = ""
    created: date
    done_on: date | None = None
    closed_on: date | None = None
    verifications: tuple[Verification, ...] = ()
    history: tuple[ItemEvent, ...] = ()


def new_item(
    *,
    id: str,  # noqa: A002 - the register's own word
    source: str,
    description: str,
    by: str,
    at: datetime,
    owner: str = "",
    due: date | None = None,
    kind: str = "improvement",
    ref: str = "",
    cause: str = "",
    action: str = "",
    note: str = "",
) -> RegisterItem:
    """A new open item, its history starting with ``added``."""
    if not description.strip():
        raise ImprovementError(f"item {id}: the description is empty")
    try:
        return RegisterItem(
            id=id, source=source, description=description, owner=owner, due=due, kind=kind,
            ref=ref, cause=cause, action=action, created=at.date(),
            history=(ItemEvent(event="added", by=by, at=at, note=note),),
        )  # fmt: skip
    except ValueError as exc:
        raise ImprovementError(f"item {id}: {exc}") from None


def _step(
    item: RegisterItem, event: str, by: str, at: datetime, note: str = "", **changes: Any
) -> RegisterItem:
    shown = {key: "" if value is None else str(value) for key, value in changes.items()}
    record = ItemEvent(event=event, by=by, at=at, note=note, changes=shown)
    return attrs.evolve(item, history=(*item.history, record), **changes)


def _require(item: RegisterItem, allowed: tuple[ItemStatus, ...], doing: str) -> None:
    if item.status not in allowed:
        raise ImprovementError(
            f"item {item.id} is {item.status}: cannot {doing} (allowed when {' or '.join(allowed)})"
        )


def update(
    item: RegisterItem, *, by: str, at: datetime, note: str = "", **changes: Any
) -> RegisterItem:
    """Change some of :data:`EDITABLE` (owner, due, description, cause, action, kind); not once closed."""
    _require(item, ("open", "done", "verified"), "update it")
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ImprovementError(
            f"item {item.id}: cannot change {', '.join(unknown)} (editable: {', '.join(EDITABLE)})"
        )
    if "kind" in changes and changes["kind"] not in KINDS:
        raise ImprovementError(f"item {item.id}: kind must be one of {', '.join(KINDS)}")
    if "description" in changes and not str(changes["description"]).strip():
        raise ImprovementError(f"item {item.id}: the description is empty")
    changed = {key: value for key, value in changes.items() if getattr(item, key) != value}
    return _step(item, "updated", by, at, note, **changed)


def mark_done(item: RegisterItem, *, by: str, at: datetime, note: str = "") -> RegisterItem:
    """The owner reports the action carried out: ``open`` → ``done``."""
    _require(item, ("open",), "mark it done")
    return _step(item, "done", by, at, note, status="done", done_on=at.date())


def verify(
    item: RegisterItem, verification: Verification, *, at: datetime, note: str = ""
) -> RegisterItem:
    """Record a verification of a ``done`` item: effective → ``verified``; ineffective → ``open``."""
    _require(item, ("done",), "verify it")
    if not verification.evidence.strip():
        raise ImprovementError(f"item {item.id}: a verification needs its evidence")
    if not verification.by.strip():
        raise ImprovementError(f"item {item.id}: a verification needs who verified it")
    checked = attrs.evolve(item, verifications=(*item.verifications, verification))
    if verification.effective:
        return _step(checked, "verified", verification.by, at, note or verification.evidence,
                     status="verified")  # fmt: skip
    return _step(checked, "reopened", verification.by, at, note or verification.evidence,
                 status="open", done_on=None)  # fmt: skip


def close(item: RegisterItem, *, by: str, at: datetime, note: str = "") -> RegisterItem:
    """Close an item whose last verification found it effective: ``verified`` → ``closed``."""
    if item.status in ("open", "done"):
        raise ImprovementError(
            f"item {item.id} is {item.status}: it closes only after a verification that"
            " finds it effective (mark it done, then verify it)"
        )
    _require(item, ("verified",), "close it")
    return _step(item, "closed", by, at, note, status="closed", closed_on=at.date())


def is_overdue(item: RegisterItem, on: date) -> bool:
    """Not closed and due before ``on``."""
    return item.status != "closed" and item.due is not None and item.due < on


def shown_status(item: RegisterItem, on: date) -> str:
    """The status as lists and reports show it on ``on``: ``overdue`` beats open/done/verified."""
    return "overdue" if is_overdue(item, on) else item.status


# ---------------------------------------------------------- the 0.1.0 models


def from_improvement_item(
    legacy: ImprovementItem, *, by: str, at: datetime, source: str = ""
) -> RegisterItem:
    """A 0.1.0 :class:`ImprovementItem` as a register item; one with ``done`` is imported closed."""
    chosen = source or (legacy.source if legacy.source in SOURCES else "other")
    item = new_item(
        id=legacy.id, source=chosen, description=legacy.description, by=by, at=at,
        owner=legacy.owner, due=legacy.due,
        ref="" if legacy.source in SOURCES else legacy.source, note="imported",
    )  # fmt: skip
    if legacy.done is None:
        return item
    return _step(item, "closed", by, at, "imported closed (no verification recorded)",
                 status="closed", done_on=legacy.done, closed_on=legacy.done)  # fmt: skip


def from_corrective_action(
    action: CorrectiveAction, *, by: str, at: datetime, audit: str = ""
) -> RegisterItem:
    """A 0.1.0 audit :class:`CorrectiveAction` as an ``audit`` item (``ref`` = its finding)."""
    item = new_item(
        id=action.id, source="audit", description=action.action, by=by, at=at,
        owner=action.owner, due=action.due, ref=action.finding,
        kind="preventive" if action.preventive else "corrective",
        note=f"imported from audit {audit}".strip(),
    )  # fmt: skip
    if action.closed is None:
        return item
    return _step(item, "closed", by, at, "imported closed (no verification recorded)",
                 status="closed", done_on=action.closed, closed_on=action.closed)  # fmt: skip


def to_improvement_item(item: RegisterItem) -> ImprovementItem:
    """The register item as a 0.1.0 :class:`ImprovementItem` (``done`` = the closing day)."""
    return ImprovementItem(
        id=item.id, description=item.description, source=item.source, owner=item.owner,
        due=item.due, done=item.closed_on,
    )  # fmt: skip


def to_corrective_action(item: RegisterItem) -> CorrectiveAction:
    """An ``audit`` item as a 0.1.0 :class:`CorrectiveAction` (``closed`` = its closing day)."""
    return CorrectiveAction(
        id=item.id, finding=item.ref, action=item.description, owner=item.owner, due=item.due,
        closed=item.closed_on, preventive=item.kind == "preventive",
    )  # fmt: skip

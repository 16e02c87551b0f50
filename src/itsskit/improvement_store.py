"""The improvement register in a SQL database (SQLAlchemy 2.x, the register's database).

The register lives in the same database as the report store (``[storage] url``,
default the SQLite file ``itsskit.db`` beside the config), in its own tables:

``quality_items``
    one row per item: ``id`` (text key), ``source``, ``kind``, ``ref``,
    ``description``, ``cause``, ``action``, ``owner``, ``due``, ``status``,
    ``created``, ``done_on``, ``closed_on`` (dates as ``YYYY-MM-DD``) and
    ``revision`` (the number of history events, for optimistic locking).
``quality_item_events``
    the history: ``item``, ``seq`` (1, 2, ...), ``event``, ``actor``, ``at``
    (ISO 8601 with offset), ``note``, ``changes`` (JSON object of field: new value).
``quality_verifications``
    ``item``, ``seq``, ``actor``, ``on_day``, ``evidence``, ``effective`` (0/1).

The rules are :mod:`itsskit.improvements` (pure); this module loads an item,
applies one rule and writes the result in **one transaction**. A write that
finds the item changed by another process since it was read (its ``revision``
moved on) is refused with :class:`~itsskit.improvements.ImprovementError`
rather than lost. Tables are created when missing; two processes creating them
at once is safe. No secret is ever stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from itsskit.improvements import (
    ImprovementError,
    ItemEvent,
    RegisterItem,
    Verification,
    close,
    is_overdue,
    mark_done,
    new_item,
    verify,
)
from itsskit.improvements import update as update_rule
from itsskit.storage import EngineStore, open_engine

__all__ = [
    "ID_PREFIXES",
    "ImprovementRegister",
    "create_tables",
    "metadata",
    "open_engine",
]

metadata = MetaData()

items_table = Table(
    "quality_items",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("source", String(40), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("ref", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("cause", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("owner", String(200), nullable=False),
    Column("due", String(10)),
    Column("status", String(20), nullable=False),
    Column("created", String(10), nullable=False),
    Column("done_on", String(10)),
    Column("closed_on", String(10)),
    Column("revision", Integer, nullable=False),
)


def _item_history(name: str, *columns: Column[Any]) -> Table:
    """A table of numbered rows (``seq`` 1, 2, ...) that belong to one register item."""
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True),
        Column("item", ForeignKey("quality_items.id"), nullable=False),
        Column("seq", Integer, nullable=False),
        *columns,
        UniqueConstraint("item", "seq"),
    )


events_table = _item_history(
    "quality_item_events",
    Column("event", String(40), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", String(40), nullable=False),
    Column("note", Text, nullable=False),
    Column("changes", Text, nullable=False),
)
verifications_table = _item_history(
    "quality_verifications",
    Column("actor", String(200), nullable=False),
    Column("on_day", String(10), nullable=False),
    Column("evidence", Text, nullable=False),
    Column("effective", Integer, nullable=False),
)

#: A pure rule applied to a stored item (with the instant of the step, for the register).
Step = Callable[[RegisterItem], RegisterItem]
TimedStep = Callable[[RegisterItem, datetime], RegisterItem]

#: The id prefix of new items, by source (``CA-0001`` for the first audit action).
ID_PREFIXES = {
    "report-review": "RR",
    "audit": "CA",
    "management-review": "MR",
    "indicator": "IND",
    "other": "IMP",
}


# ---------------------------------------------------------------- the database


def create_tables(engine: Engine, tables: MetaData) -> None:
    """Create the missing tables of ``tables``; another process creating them at once is fine."""
    for attempt in range(3):
        try:
            tables.create_all(engine)
            return
        except (OperationalError, ProgrammingError) as exc:
            # a concurrent CREATE TABLE won the race: "already exists"; check again
            if attempt == 2 or "already exists" not in str(exc).lower():
                raise


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def now() -> datetime:
    """The current instant (UTC)."""
    return datetime.now(UTC)


# ------------------------------------------------------------------- the store


class ImprovementRegister(EngineStore):
    """The one improvement register. Open with :meth:`open`; close after use (or ``with``)."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        create_tables(engine, metadata)

    @property
    def engine(self) -> Engine:
        """The engine (shared by :class:`itsskit.quality.store.QualityStore`)."""
        return self._engine

    # ----------------------------------------------------------------- queries

    def get(self, item_id: str) -> RegisterItem:
        """The item ``item_id``; ImprovementError when there is none."""
        with self._engine.connect() as conn:
            return load_item(conn, item_id)

    def items(
        self,
        *,
        source: str | None = None,
        owner: str | None = None,
        status: str | None = None,
        ref: str | None = None,
        on: date | None = None,
        overdue: bool = False,
        open_only: bool = False,
    ) -> list[RegisterItem]:
        """Items by id, filtered: ``open_only`` = not closed; ``overdue`` = overdue on ``on``."""
        query = select(items_table.c.id).order_by(items_table.c.id)
        for column, value in (
            ("source", source),
            ("owner", owner),
            ("status", status),
            ("ref", ref),
        ):
            if value is not None:
                query = query.where(items_table.c[column] == value)
        if open_only or overdue:
            query = query.where(items_table.c.status != "closed")
        with self._engine.connect() as conn:
            found = [load_item(conn, row.id) for row in conn.execute(query)]
        if overdue:
            day = on or now().date()
            found = [item for item in found if is_overdue(item, day)]
        return found

    # ------------------------------------------------------------------ steps

    def add_item(
        self,
        *,
        source: str,
        description: str,
        by: str,
        owner: str = "",
        due: date | None = None,
        kind: str = "improvement",
        ref: str = "",
        cause: str = "",
        action: str = "",
        item_id: str = "",
        at: datetime | None = None,
        note: str = "",
    ) -> RegisterItem:
        """Add an open item (id ``<prefix>-NNNN`` by source unless given); returns it."""
        at = at or now()
        with self._engine.begin() as conn:
            return add_item(
                conn, source=source, description=description, by=by, owner=owner, due=due,
                kind=kind, ref=ref, cause=cause, action=action, item_id=item_id, at=at, note=note,
            )  # fmt: skip

    def put(self, item: RegisterItem) -> RegisterItem:
        """Store a whole item built elsewhere (an import); ImprovementError if its id is taken."""
        with self._engine.begin() as conn:
            insert_item(conn, item)
        return item

    def update_item(
        self, item_id: str, *, by: str, at: datetime | None = None, note: str = "", **changes: Any
    ) -> RegisterItem:
        """Change owner, due, description, cause, action or kind of an item not closed."""
        return self._apply(
            item_id, lambda item, when: update_rule(item, by=by, at=when, note=note, **changes), at
        )

    def mark_done(
        self, item_id: str, *, by: str, at: datetime | None = None, note: str = ""
    ) -> RegisterItem:
        """The owner reports the item carried out (``open`` → ``done``)."""
        return self._apply(
            item_id, lambda item, when: mark_done(item, by=by, at=when, note=note), at
        )

    def verify_item(
        self,
        item_id: str,
        *,
        by: str,
        evidence: str,
        effective: bool,
        on: date | None = None,
        at: datetime | None = None,
        note: str = "",
    ) -> RegisterItem:
        """Record a verification: effective → ``verified``; ineffective reopens the item."""

        def step(item: RegisterItem, when: datetime) -> RegisterItem:
            check = Verification(
                by=by, on=on or when.date(), evidence=evidence, effective=effective
            )
            return verify(item, check, at=when, note=note)

        return self._apply(item_id, step, at)

    def close_item(
        self, item_id: str, *, by: str, at: datetime | None = None, note: str = ""
    ) -> RegisterItem:
        """Close an item verified effective."""
        return self._apply(item_id, lambda item, when: close(item, by=by, at=when, note=note), at)

    def _apply(self, item_id: str, step: TimedStep, at: datetime | None) -> RegisterItem:
        when = at or now()
        with self._engine.begin() as conn:
            return apply(conn, item_id, lambda item: step(item, when))


# ----------------------------------------------- connection-level operations


def add_item(conn: Connection, *, item_id: str = "", at: datetime, **fields: Any) -> RegisterItem:
    """Insert a new item in the open transaction ``conn`` (numbered id when none is given)."""
    source = fields["source"]
    if source not in ID_PREFIXES:
        raise ImprovementError(
            f"unknown source {source!r} (expected one of: {', '.join(ID_PREFIXES)})"
        )
    chosen = item_id or next_id(conn, ID_PREFIXES[source])
    item = new_item(id=chosen, at=at, **fields)
    insert_item(conn, item)
    return item


def next_id(conn: Connection, prefix: str) -> str:
    """``<prefix>-NNNN``, one past the highest number used with ``prefix``."""
    numbers = [
        int(tail)
        for (item_id,) in conn.execute(
            select(items_table.c.id).where(items_table.c.id.like(f"{prefix}-%"))
        )
        if (tail := item_id[len(prefix) + 1 :]).isdigit()
    ]
    return f"{prefix}-{max(numbers, default=0) + 1:04d}"


def insert_item(conn: Connection, item: RegisterItem) -> None:
    """Insert ``item`` with its history and verifications; ImprovementError if the id exists."""
    if conn.execute(select(items_table.c.id).where(items_table.c.id == item.id)).first():
        raise ImprovementError(f"item {item.id} already exists in the register")
    try:
        conn.execute(insert(items_table).values(id=item.id, **_columns(item)))
    except IntegrityError:
        raise ImprovementError(f"item {item.id} already exists in the register") from None
    _insert_children(conn, item, 0, 0)


def apply(conn: Connection, item_id: str, step: Step) -> RegisterItem:
    """Load the item, apply ``step`` (a pure rule) and write the result, in ``conn``'s transaction."""
    item = load_item(conn, item_id)
    changed = step(item)
    result = conn.execute(
        update(items_table)
        .where(items_table.c.id == item_id, items_table.c.revision == len(item.history))
        .values(**_columns(changed))
    )
    if result.rowcount != 1:
        raise ImprovementError(f"item {item_id} was changed by someone else meanwhile; try again")
    _insert_children(conn, changed, len(item.history), len(item.verifications))
    return changed


def load_item(conn: Connection, item_id: str) -> RegisterItem:
    """The stored item ``item_id`` with its history and verifications."""
    row = conn.execute(select(items_table).where(items_table.c.id == item_id)).first()
    if row is None:
        raise ImprovementError(f"no item {item_id!r} in the improvement register")
    events = tuple(
        ItemEvent(event=e.event, by=e.actor, at=datetime.fromisoformat(e.at), note=e.note,
                  changes=json.loads(e.changes))
        for e in conn.execute(
            select(events_table).where(events_table.c.item == item_id).order_by(events_table.c.seq)
        )
    )  # fmt: skip
    checks = tuple(
        Verification(by=v.actor, on=date.fromisoformat(v.on_day), evidence=v.evidence,
                     effective=bool(v.effective))
        for v in conn.execute(
            select(verifications_table)
            .where(verifications_table.c.item == item_id)
            .order_by(verifications_table.c.seq)
        )
    )  # fmt: skip
    return RegisterItem(
        id=row.id, source=row.source, description=row.description, owner=row.owner,
        due=_day(row.due), status=row.status, kind=row.kind, ref=row.ref, cause=row.cause,
        action=row.action, created=date.fromisoformat(row.created), done_on=_day(row.done_on),
        closed_on=_day(row.closed_on), verifications=checks, history=events,
    )  # fmt: skip


def _columns(item: RegisterItem) -> dict[str, Any]:
    return {
        "source": item.source, "kind": item.kind, "ref": item.ref,
        "description": item.description, "cause": item.cause, "action": item.action,
        "owner": item.owner, "due": _iso(item.due), "status": item.status,
        "created": item.created.isoformat(), "done_on": _iso(item.done_on),
        "closed_on": _iso(item.closed_on), "revision": len(item.history),
    }  # fmt: skip


def _insert_children(
    conn: Connection, item: RegisterItem, events_stored: int, checks_stored: int
) -> None:
    for seq, event in enumerate(item.history[events_stored:], start=events_stored + 1):
        conn.execute(
            insert(events_table).values(
                item=item.id, seq=seq, event=event.event, actor=event.by,
                at=event.at.isoformat(), note=event.note,
                changes=json.dumps(dict(event.changes), ensure_ascii=False),
            )
        )  # fmt: skip
    for seq, check in enumerate(item.verifications[checks_stored:], start=checks_stored + 1):
        conn.execute(
            insert(verifications_table).values(
                item=item.id, seq=seq, actor=check.by, on_day=check.on.isoformat(),
                evidence=check.evidence, effective=int(check.effective),
            )
        )  # fmt: skip


def item_json(item: RegisterItem, on: date) -> dict[str, Any]:
    """An item as plain JSON data (through the one converter), with its status shown on ``on``."""
    from itsskit.converter import converter
    from itsskit.improvements import shown_status

    data: dict[str, Any] = converter.unstructure(item)
    data["shown_status"] = shown_status(item, on)
    data["overdue"] = is_overdue(item, on)
    return data

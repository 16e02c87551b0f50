"""Internal audits and management reviews in the register database, beside the improvement register.

Tables (created when missing, safe when two processes start at once):

``quality_audits``
    ``id`` (``audit-2025``), ``year``, ``scheduled``, ``held``, ``language``,
    ``auditors`` (JSON list), ``scope``.
``quality_audit_items``
    one row per checklist entry: ``audit``, ``position``, ``item`` (``8.3.2``),
    ``area``, ``question``, ``reference`` (the clause), ``conforming`` (NULL: not
    answered, 0/1), ``evidence``, ``severity``, ``proposed`` (the data's verdict,
    NULL/0/1), ``data_evidence``, ``figures`` (JSON object KPI: value). A finding
    is an entry answered nonconforming (``NC-<item>``).
``quality_reviews``
    ``id``, ``year``, ``held``, ``data`` (the :class:`~itsskit.quality.review.ReviewRecord`
    as JSON: chair, attendees, inputs, decisions with their register items, the
    files of the pack and the review report).

Audit actions are items of the improvement register (source ``audit``, ``ref``
= ``<audit id>/<finding id>``); review decisions are items with source
``management-review`` (``ref`` = the review id). Every write is one transaction.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import attrs
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
    delete,
    insert,
    select,
    update,
)

from itsskit.converter import converter
from itsskit.improvement_store import (
    ImprovementRegister,
    add_item,
    create_tables,
    insert_item,
    items_table,
    load_item,
    now,
)
from itsskit.improvements import (
    ImprovementError,
    RegisterItem,
    from_corrective_action,
    to_corrective_action,
)
from itsskit.models import CorrectiveAction
from itsskit.quality.audit import Audit, AuditEntry
from itsskit.quality.review import ReviewRecord

__all__ = ["QualityStore", "action_ref", "metadata"]

metadata = MetaData()


def _yearly(name: str, *columns: Column[Any]) -> Table:
    """A table of one document a year (an audit, a review), keyed by its text ``id``."""
    return Table(
        name,
        metadata,
        Column("id", String(200), primary_key=True),
        Column("year", Integer, nullable=False),
        *columns,
    )


audits_table = _yearly(
    "quality_audits",
    Column("scheduled", String(10), nullable=False),
    Column("held", String(10)),
    Column("language", String(10), nullable=False),
    Column("auditors", Text, nullable=False),
    Column("scope", Text, nullable=False),
)
audit_items_table = Table(
    "quality_audit_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("audit", ForeignKey("quality_audits.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("item", String(50), nullable=False),
    Column("area", Text, nullable=False),
    Column("question", Text, nullable=False),
    Column("reference", Text, nullable=False),
    Column("conforming", Integer),
    Column("evidence", Text, nullable=False),
    Column("severity", String(10), nullable=False),
    Column("proposed", Integer),
    Column("data_evidence", Text, nullable=False),
    Column("figures", Text, nullable=False),
    UniqueConstraint("audit", "item"),
)
reviews_table = _yearly(
    "quality_reviews",
    Column("held", String(10), nullable=False),
    Column("data", Text, nullable=False),
)


def action_ref(audit_id: str, finding: str) -> str:
    """The ``ref`` of an audit action in the register: ``<audit id>/<finding id>``."""
    return f"{audit_id}/{finding}"


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _bool(value: int | None) -> bool | None:
    return None if value is None else bool(value)


class QualityStore(ImprovementRegister):
    """The improvement register plus audits and management reviews, in one database."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        create_tables(engine, metadata)

    # ------------------------------------------------------------------ audits

    def has_audit(self, audit_id: str) -> bool:
        """True when the audit is stored."""
        with self.engine.connect() as conn:
            return (
                conn.execute(select(audits_table.c.id).where(audits_table.c.id == audit_id)).first()
                is not None
            )

    def save_audit(self, audit: Audit, *, by: str = "", import_actions: bool = True) -> Audit:
        """Store ``audit`` (replacing its header and entries), and its actions as register items.

        Actions already in the register (same id) are left as they are: the
        register, not the file, holds their progress.
        """
        with self.engine.begin() as conn:
            _write_audit(conn, audit)
            if import_actions:
                for action in audit.actions:
                    if conn.execute(
                        select(items_table.c.id).where(items_table.c.id == action.id)
                    ).first():
                        continue
                    item = from_corrective_action(
                        action, by=by or "import", at=now(), audit=audit.id
                    )
                    insert_item(conn, _with_ref(item, action_ref(audit.id, action.finding)))
            return _read_audit(conn, audit.id)

    def audit(self, audit_id: str) -> Audit:
        """The stored audit with its actions from the register; ImprovementError if unknown."""
        with self.engine.connect() as conn:
            return _read_audit(conn, audit_id)

    def answer(
        self,
        audit_id: str,
        item: str,
        *,
        conforming: bool,
        evidence: str = "",
        severity: str | None = None,
    ) -> Audit:
        """Record the auditor's answer to one checklist entry."""
        if severity is not None and severity not in ("minor", "major"):
            raise ImprovementError(f'severity must be "minor" or "major", got {severity!r}')
        with self.engine.begin() as conn:
            _read_audit(conn, audit_id)
            values: dict[str, object] = {"conforming": int(conforming)}
            if evidence:
                values["evidence"] = evidence
            if severity is not None:
                values["severity"] = severity
            result = conn.execute(
                update(audit_items_table)
                .where(audit_items_table.c.audit == audit_id, audit_items_table.c.item == item)
                .values(**values)
            )
            if result.rowcount != 1:
                raise ImprovementError(f"audit {audit_id} has no checklist item {item!r}")
            return _read_audit(conn, audit_id)

    def add_action(
        self,
        audit_id: str,
        finding: str,
        *,
        action: str,
        by: str,
        owner: str = "",
        due: date | None = None,
        preventive: bool = False,
        item_id: str = "",
    ) -> RegisterItem:
        """Add a corrective (or preventive) action for a finding of the audit to the register."""
        with self.engine.begin() as conn:
            audit = _read_audit(conn, audit_id)
            known = [f.id for f in audit.findings]
            if finding not in known:
                raise ImprovementError(
                    f"audit {audit_id} has no finding {finding!r} (known: {', '.join(known) or 'none'})"
                )
            return add_item(
                conn, source="audit", description=action, by=by, owner=owner, due=due,
                kind="preventive" if preventive else "corrective",
                ref=action_ref(audit_id, finding), item_id=item_id, at=now(),
            )  # fmt: skip

    def audit_actions(self, audit_id: str) -> list[RegisterItem]:
        """The register items that are actions of the audit's findings."""
        with self.engine.connect() as conn:
            return _actions(conn, audit_id)

    # ----------------------------------------------------------------- reviews

    def save_review(self, record: ReviewRecord, *, by: str) -> ReviewRecord:
        """Store a management review; each decision with an owner becomes a register item."""
        with self.engine.begin() as conn:
            if conn.execute(
                select(reviews_table.c.id).where(reviews_table.c.id == record.id)
            ).first():
                raise ImprovementError(f"management review {record.id} is already recorded")
            decisions = []
            for decision in record.decisions:
                if decision.item:
                    decisions.append(decision)
                    continue
                item = add_item(
                    conn, source="management-review", description=decision.text, by=by,
                    owner=decision.owner, due=decision.due, ref=record.id, at=now(),
                )  # fmt: skip
                decisions.append(decision.with_item(item.id))
            stored = record.with_decisions(decisions)
            conn.execute(
                insert(reviews_table).values(
                    id=stored.id, year=stored.year, held=stored.held.isoformat(),
                    data=json.dumps(converter.unstructure(stored), ensure_ascii=False),
                )
            )  # fmt: skip
            return stored

    def set_review_files(self, review_id: str, files: dict[str, str]) -> ReviewRecord:
        """Record the rendered files of a review (the pack and the report)."""
        with self.engine.begin() as conn:
            record = _read_review(conn, review_id).with_files(files)
            conn.execute(
                update(reviews_table)
                .where(reviews_table.c.id == review_id)
                .values(data=json.dumps(converter.unstructure(record), ensure_ascii=False))
            )
            return record

    def review(self, review_id: str) -> ReviewRecord:
        """The stored management review; ImprovementError if unknown."""
        with self.engine.connect() as conn:
            return _read_review(conn, review_id)

    def reviews(self, year: int | None = None) -> list[ReviewRecord]:
        """The stored reviews (of ``year``), by date."""
        query = select(reviews_table.c.id).order_by(reviews_table.c.held, reviews_table.c.id)
        if year is not None:
            query = query.where(reviews_table.c.year == year)
        with self.engine.connect() as conn:
            return [_read_review(conn, row.id) for row in conn.execute(query)]


def _with_ref(item: RegisterItem, ref: str) -> RegisterItem:
    return attrs.evolve(item, ref=ref)


def _write_audit(conn: Connection, audit: Audit) -> None:
    header = {
        "year": audit.year, "scheduled": audit.scheduled.isoformat(),
        "held": audit.held.isoformat() if audit.held else None, "language": audit.language,
        "auditors": json.dumps(list(audit.auditors), ensure_ascii=False), "scope": audit.scope,
    }  # fmt: skip
    if conn.execute(select(audits_table.c.id).where(audits_table.c.id == audit.id)).first():
        conn.execute(update(audits_table).where(audits_table.c.id == audit.id).values(**header))
        conn.execute(delete(audit_items_table).where(audit_items_table.c.audit == audit.id))
    else:
        conn.execute(insert(audits_table).values(id=audit.id, **header))
    for position, entry in enumerate(audit.items):
        conn.execute(
            insert(audit_items_table).values(
                audit=audit.id, position=position, item=entry.id, area=entry.area,
                question=entry.question, reference=entry.reference,
                conforming=_flag(entry.conforming), evidence=entry.evidence,
                severity=entry.severity, proposed=_flag(entry.proposed),
                data_evidence=entry.data_evidence,
                figures=json.dumps(dict(entry.figures), ensure_ascii=False),
            )
        )  # fmt: skip


def _read_audit(conn: Connection, audit_id: str) -> Audit:
    row = conn.execute(select(audits_table).where(audits_table.c.id == audit_id)).first()
    if row is None:
        raise ImprovementError(
            f"no audit {audit_id!r} in the register (create it with `itsskit quality checklist`)"
        )
    entries = tuple(
        AuditEntry(
            id=e.item, area=e.area, question=e.question, reference=e.reference,
            conforming=_bool(e.conforming), evidence=e.evidence, severity=e.severity,
            proposed=_bool(e.proposed), data_evidence=e.data_evidence,
            figures=json.loads(e.figures),
        )
        for e in conn.execute(
            select(audit_items_table)
            .where(audit_items_table.c.audit == audit_id)
            .order_by(audit_items_table.c.position)
        )
    )  # fmt: skip
    actions = tuple(
        _plain_action(to_corrective_action(item), audit_id) for item in _actions(conn, audit_id)
    )
    return Audit(
        id=row.id, year=row.year, scheduled=date.fromisoformat(row.scheduled),
        language=row.language, held=date.fromisoformat(row.held) if row.held else None,
        auditors=tuple(json.loads(row.auditors)), scope=row.scope, items=entries,
        actions=actions,
    )  # fmt: skip


def _plain_action(action: CorrectiveAction, audit_id: str) -> CorrectiveAction:
    """The action with its finding id as the audit names it (``NC-8.3.4``)."""
    return attrs.evolve(action, finding=action.finding.removeprefix(f"{audit_id}/"))


def _actions(conn: Connection, audit_id: str) -> list[RegisterItem]:
    rows = conn.execute(
        select(items_table.c.id)
        .where(items_table.c.source == "audit", items_table.c.ref.like(f"{audit_id}/%"))
        .order_by(items_table.c.id)
    )
    return [load_item(conn, row.id) for row in rows]


def _read_review(conn: Connection, review_id: str) -> ReviewRecord:
    row = conn.execute(select(reviews_table).where(reviews_table.c.id == review_id)).first()
    if row is None:
        raise ImprovementError(f"no management review {review_id!r} in the register")
    return converter.structure(json.loads(row.data), ReviewRecord)

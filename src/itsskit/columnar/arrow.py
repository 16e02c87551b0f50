"""The Arrow form of records (SPEC §9 columns, typed), written by ``itsskit convert``.

Times are ``timestamp[us]`` in the source's timezone; booleans are ``bool``;
``satisfaction`` and ``score`` are ``int8``; a ticket's status history is
``history: list<struct<time: timestamp, status: string>>``; enumerations
(``kind``) are their text. Attributes (columns itsskit does not read) are one
``string`` column each, as in a CSV file. Reading a table back row by row
(:func:`itsskit.records.record_from_row`) gives the same records.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa

from itsskit.contracts import Record
from itsskit.models import Change, Outage, SurveyResponse, Ticket

__all__ = ["history_type", "record_schema", "records_to_table"]

_TEXT, _FLAG, _SMALL = pa.string(), pa.bool_(), pa.int8()


def _time(timezone: str) -> pa.DataType:
    return pa.timestamp("us", tz=timezone)


def history_type(timezone: str) -> pa.DataType:
    """The type of a ticket's ``history`` column: ``[{time, status}, ...]``."""
    return pa.list_(pa.struct([("time", _time(timezone)), ("status", _TEXT)]))


def record_schema(kind: str, timezone: str) -> pa.Schema:
    """The columns of ``kind`` (one of :data:`itsskit.contracts.RECORD_KINDS`), typed."""
    t = _time(timezone)
    fields: dict[str, list[tuple[str, pa.DataType]]] = {
        "tickets": [
            ("id", _TEXT), ("project", _TEXT), ("service", _TEXT), ("kind", _TEXT),
            ("priority", _TEXT), ("opening_priority", _TEXT), ("opened", t),
            ("first_response", t), ("resolved", t), ("closed", t), ("major", _FLAG),
            ("security", _FLAG), ("category", _TEXT), ("channel", _TEXT),
            ("satisfaction", _SMALL), ("callback", t), ("history", history_type(timezone)),
        ],
        "outages": [
            ("id", _TEXT), ("service", _TEXT), ("start", t), ("end", t), ("planned", _FLAG),
            ("cause", _TEXT),
        ],
        "changes": [
            ("id", _TEXT), ("service", _TEXT), ("type", _TEXT), ("approved", _FLAG),
            ("window_start", t), ("window_end", t), ("title", _TEXT),
        ],
        "surveys": [
            ("id", _TEXT), ("project", _TEXT), ("ticket", _TEXT), ("answered", t),
            ("score", _SMALL), ("kind", _TEXT), ("comment", _TEXT),
        ],
    }  # fmt: skip
    try:
        return pa.schema(fields[kind])
    except KeyError:
        raise ValueError(f"unknown record kind {kind!r}; expected one of {list(fields)}") from None


def _row(record: Record) -> dict[str, Any]:
    """The record's cells by column name (attributes beside them)."""
    if isinstance(record, Ticket):
        cells: dict[str, Any] = {
            "id": record.id, "project": record.project, "service": record.service,
            "kind": record.kind.value, "priority": record.priority,
            "opening_priority": record.opening_priority, "opened": record.opened,
            "first_response": record.first_response, "resolved": record.resolved,
            "closed": record.closed, "major": record.major, "security": record.security,
            "category": record.category, "channel": record.channel,
            "satisfaction": record.satisfaction, "callback": record.callback,
            "history": [{"time": c.at, "status": c.status} for c in record.history],
        }  # fmt: skip
    elif isinstance(record, Outage):
        cells = {
            "id": record.id, "service": record.service, "start": record.start,
            "end": record.end, "planned": record.planned, "cause": record.cause,
        }  # fmt: skip
    elif isinstance(record, Change):
        cells = {
            "id": record.id, "service": record.service, "type": record.type,
            "approved": record.approved, "window_start": record.window_start,
            "window_end": record.window_end, "title": record.title,
        }  # fmt: skip
    elif isinstance(record, SurveyResponse):
        cells = {
            "id": record.id, "project": record.project, "ticket": record.ticket,
            "answered": record.answered, "score": record.score, "kind": record.kind.value,
            "comment": record.comment,
        }  # fmt: skip
    else:
        raise TypeError(f"not a record: {type(record).__name__}")
    return {**record.attributes, **cells}


def records_to_table(kind: str, records: Sequence[Record], timezone: str) -> pa.Table:
    """The records of ``kind`` as one Arrow table of :func:`record_schema` columns.

    An attribute becomes a ``string`` column after the known ones (sorted by
    name); a record without it has null there. An attribute named like a known
    column is refused (``ValueError``), since it could not be read back apart.
    """
    schema = record_schema(kind, timezone)
    known = set(schema.names)
    extra = sorted({name for record in records for name in record.attributes})
    clashing = [name for name in extra if name in known]
    if clashing:
        raise ValueError(f"attribute(s) named like a {kind} column: {', '.join(clashing)}")
    rows = [_row(record) for record in records]
    columns = {field.name: _column(rows, field.name, field.type) for field in schema}
    columns.update({name: _column(rows, name, _TEXT) for name in extra})
    full = pa.schema([*schema, *(pa.field(name, _TEXT) for name in extra)])
    return pa.table(columns, schema=full)


def _column(rows: Iterable[dict[str, Any]], name: str, type_: pa.DataType) -> pa.Array:
    values: list[Any] = [row.get(name) for row in rows]
    return pa.array(values, type=type_)

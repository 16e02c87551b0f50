"""Whether an Arrow ticket table can be used as it is (vectorised checks).

A table is *canonical* when reading it row by row (:mod:`itsskit.records`)
would give every row back unchanged and without a finding: typed columns of
:func:`itsskit.columnar.arrow.record_schema` (times with a zone), ids and
projects trimmed and not empty, ``kind`` ``incident``/``request``, priorities
``P<n>``, satisfaction 1-5, a history of ``{time, status}`` with both given.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from itsskit.columnar.arrow import record_schema

__all__ = ["canonical_tickets"]

_TEXT_COLUMNS = ("id", "project", "kind", "priority", "opening_priority")
_PRIORITY = r"^P[1-9][0-9]*$"


def canonical_tickets(table: pa.Table) -> pa.Table | None:
    """``table`` with the missing optional columns added as nulls, or None when not canonical."""
    if "id" not in table.column_names or "opened" not in table.column_names:
        return None
    zone = table.schema.field("opened").type
    if not pa.types.is_timestamp(zone) or zone.tz is None:
        return None
    schema = record_schema("tickets", zone.tz)
    for field in schema:
        if field.name not in table.column_names:
            table = table.append_column(field.name, pa.nulls(len(table), field.type))
        elif not _same_kind(table.schema.field(field.name).type, field.type):
            return None
    return table if _rows_ok(table) else None


def _same_kind(found: pa.DataType, wanted: pa.DataType) -> bool:
    """Equal types; timestamps with a zone, to the microsecond at most, count as equal."""
    if pa.types.is_timestamp(wanted):
        return bool(pa.types.is_timestamp(found) and found.tz is not None and found.unit != "ns")
    if pa.types.is_list(wanted):
        if not pa.types.is_list(found) or not pa.types.is_struct(found.value_type):
            return False
        fields = {f.name: f.type for f in found.value_type}
        time, status = fields.get("time"), fields.get("status")
        return bool(
            set(fields) == {"time", "status"}
            and time is not None
            and _same_kind(time, pa.timestamp("us", tz="UTC"))
            and status == pa.string()
        )
    if pa.types.is_integer(wanted):
        return bool(pa.types.is_integer(found))
    return bool(found == wanted)


def _rows_ok(table: pa.Table) -> bool:
    ok = pc.is_valid(table.column("id"))
    for name in _TEXT_COLUMNS:
        ok = pc.and_kleene(ok, _trimmed_or_null(table.column(name)))
    kind = table.column("kind")
    ok = pc.and_kleene(
        ok, pc.or_kleene(pc.is_null(kind), pc.is_in(kind, pa.array(["incident", "request"])))
    )
    for name in ("priority", "opening_priority"):
        column = table.column(name)
        ok = pc.and_kleene(
            ok, pc.or_kleene(pc.is_null(column), pc.match_substring_regex(column, _PRIORITY))
        )
    score = table.column("satisfaction")
    in_range = pc.and_kleene(pc.greater_equal(score, 1), pc.less_equal(score, 5))
    ok = pc.and_kleene(ok, pc.or_kleene(pc.is_null(score), in_range))
    return bool(pc.all(pc.fill_null(ok, False)).as_py()) and _history_ok(table.column("history"))


def _trimmed_or_null(column: pa.ChunkedArray) -> pa.ChunkedArray:
    trimmed = pc.utf8_trim_whitespace(column)
    return pc.or_kleene(
        pc.is_null(column), pc.and_kleene(pc.equal(trimmed, column), pc.not_equal(column, ""))
    )


def _history_ok(history: pa.ChunkedArray) -> bool:
    changes = pc.list_flatten(history)
    if not len(changes):
        return True
    time, status = pc.struct_field(changes, "time"), pc.struct_field(changes, "status")
    ok = pc.and_kleene(pc.is_valid(changes), pc.is_valid(time))
    ok = pc.and_kleene(ok, pc.fill_null(_trimmed_or_null(status), False))
    ok = pc.and_kleene(ok, pc.is_valid(status))
    return bool(pc.all(pc.fill_null(ok, False)).as_py())

"""SLA clocks straight from Arrow ticket columns: no :class:`~itsskit.models.Ticket` per row.

:func:`ticket_columns` is :meth:`TicketColumns.from_tickets` on a table of the
Arrow ticket form (:func:`itsskit.columnar.arrow.record_schema`), and
:func:`evaluate_arrow` is :func:`itsskit.clocks.evaluate_table` on it: the same
clocks and the same findings. Checks are vectorised; only the rows that fail
one become ``Ticket`` objects, so their findings are worded by the scalar code.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from itsskit.calendar import BusinessCalendar
from itsskit.clocks import (
    INITIAL_STATUS,
    KIND_CODES,
    MISSING,
    OPEN_END,
    ClockTable,
    TicketColumns,
    evaluate_columns,
    evaluate_table,
)
from itsskit.models import SLA, CalendarSpec, DataQualityFinding, Project, Ticket, TicketKind
from itsskit.records import ticket_from_row

__all__ = ["evaluate_arrow", "ticket_columns", "tickets_of"]

I64 = npt.NDArray[np.int64]
CalendarFor = Callable[[CalendarSpec], BusinessCalendar]


def tickets_of(table: pa.Table, rows: npt.NDArray[np.int64] | list[int]) -> list[Ticket]:
    """The :class:`Ticket` objects of some rows (for the few rows a report lists)."""
    picked = table.take(pa.array(np.asarray(rows, dtype=np.int64)))
    tz = _zone(table)
    return [
        ticket_from_row({k: v for k, v in row.items() if v is not None}, timezone=tz)
        for row in picked.to_pylist()
    ]


def ticket_columns(
    table: pa.Table, sla: SLA
) -> tuple[TicketColumns, tuple[DataQualityFinding, ...]]:
    """:meth:`TicketColumns.from_tickets` of the table's tickets under ``sla``, vectorised."""
    opened, first, resolved = (
        _us(table, name) for name in ("opened", "first_response", "resolved")
    )
    priorities = sorted(sla.targets.priorities())
    code = pc.index_in(_counting_priority(table, sla), value_set=pa.array(priorities, pa.string()))
    bad = (
        (opened == MISSING)
        | ((resolved != MISSING) & (resolved < opened))
        | ((first != MISSING) & (first < opened))
        | np.asarray(pc.is_null(code))
    )
    good = np.flatnonzero(~bad)
    findings = TicketColumns.from_tickets(tickets_of(table, np.flatnonzero(bad)), sla)[1]
    projects = pc.fill_null(table.column("project").take(pa.array(good)), "")
    names = pc.unique(projects)
    ticket, start, end = _excluded(table, sla, good, opened[good])
    columns = TicketColumns(
        ids=table.column("id").take(pa.array(good)).to_pylist(),
        projects=names.to_pylist(),
        project=_numpy(pc.index_in(projects, value_set=names), np.int32),
        priorities=priorities,
        priority=_numpy(code.take(pa.array(good)), np.int16),
        kind=_kind_codes(table.column("kind").take(pa.array(good))),
        major=_numpy(pc.fill_null(table.column("major").take(pa.array(good)), False), np.bool_),
        opened_us=opened[good],
        first_response_us=first[good],
        resolved_us=resolved[good],
        excluded_ticket=ticket,
        excluded_start_us=start,
        excluded_end_us=end,
    )
    return columns, findings


def evaluate_arrow(
    table: pa.Table, project: Project, at: datetime, calendar_for: CalendarFor
) -> tuple[ClockTable, tuple[DataQualityFinding, ...]]:
    """:func:`itsskit.clocks.evaluate_table` of the table's tickets: the same clocks and findings.

    Tickets without a project get ``project.id``; each is measured against the
    SLA version in force on its opening day (in its timestamp's zone).
    """
    table = table.set_column(
        table.schema.get_field_index("project"),
        "project",
        pc.fill_null(table.column("project"), project.id),
    )
    version = _versions(table, project)
    lost = np.flatnonzero(version < 0)
    findings = list(evaluate_table(tickets_of(table, lost), project, at, calendar_for)[1])
    tables = []
    for index in dict.fromkeys(version[version >= 0].tolist()):  # in order of first use
        sla = project.slas[index]
        columns, bad = ticket_columns(table.take(pa.array(np.flatnonzero(version == index))), sla)
        findings.extend(bad)
        tables.append(evaluate_columns(columns, sla, calendar_for(sla.calendar), at))
    return ClockTable.concat(tables), tuple(findings)


# ---------------------------------------------------------------------- helpers


def _zone(table: pa.Table) -> str:
    tz: str | None = table.schema.field("opened").type.tz
    return tz or "UTC"


def _us(table: pa.Table, name: str) -> I64:
    """A timestamp column as UTC epoch microseconds (:data:`MISSING` where null)."""
    column = table.column(name)
    as_us = pc.cast(column, pa.timestamp("us", tz=column.type.tz))
    return _numpy(pc.fill_null(pc.cast(as_us, pa.int64()), MISSING), np.int64)


def _numpy(array: pa.Array | pa.ChunkedArray, dtype: npt.DTypeLike) -> npt.NDArray[Any]:
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=dtype)


def _kind_codes(kind: pa.ChunkedArray) -> npt.NDArray[np.int8]:
    """Indexes into :data:`KIND_CODES` (empty: an incident)."""
    request = _numpy(pc.fill_null(pc.equal(kind, TicketKind.REQUEST.value), False), np.bool_)
    codes = np.full(len(request), KIND_CODES.index(TicketKind.INCIDENT), dtype=np.int8)
    codes[request] = KIND_CODES.index(TicketKind.REQUEST)
    return codes


def _counting_priority(table: pa.Table, sla: SLA) -> pa.ChunkedArray:
    """The priority that counts under ``sla``: at opening when configured and known."""
    priority = table.column("priority")
    if sla.priority_at != "opening":
        return priority
    opening = table.column("opening_priority")
    known = pc.and_(pc.is_valid(opening), pc.not_equal(opening, ""))
    return pc.if_else(pc.fill_null(known, False), opening, priority)


def _versions(table: pa.Table, project: Project) -> npt.NDArray[np.int64]:
    """Index into ``project.slas`` of the version in force on each opening day (-1: none)."""
    opened = table.column("opened")
    day = _numpy(pc.cast(pc.local_timestamp(opened), pa.date32()), "datetime64[D]")
    valid = np.asarray(pc.is_valid(opened))
    version = np.full(len(table), -1, dtype=np.int64)
    for index, sla in enumerate(project.slas):  # the latest matching version wins
        ok = valid.copy()
        if sla.effective_from is not None:
            ok &= day >= np.datetime64(sla.effective_from, "D")
        if sla.effective_to is not None:
            ok &= day < np.datetime64(sla.effective_to, "D")
        version[ok] = index
    return version


def _excluded(table: pa.Table, sla: SLA, good: I64, opened: I64) -> tuple[I64, I64, I64]:
    """The merged excluded intervals of the ``good`` rows (see :mod:`itsskit.clocks`)."""
    history = table.column("history").combine_chunks()
    parent = _numpy(pc.list_parent_indices(history), np.int64)
    flat = pc.list_flatten(history)
    position = np.full(len(table), -1, dtype=np.int64)
    position[good] = np.arange(len(good))
    ticket = position[parent]
    time = _numpy(
        pc.fill_null(
            pc.cast(pc.cast(flat.field("time"), pa.timestamp("us", tz="UTC")), pa.int64()), MISSING
        ),
        np.int64,
    )
    keep = ticket >= 0
    ticket, time = ticket[keep], time[keep]
    excluded = _excluded_status(flat.field("status"), sla)[keep]
    order = np.lexsort((time, ticket))  # stable: equal times keep the history's order
    ticket, time, excluded = ticket[order], time[order], excluded[order]
    next_same = np.append(ticket[1:] == ticket[:-1], False)[: len(ticket)]
    end = np.where(next_same, np.r_[time[1:], 0], OPEN_END)
    # the initial status from opening to the first change (or for ever without one)
    n = len(good)
    first_at = np.full(n, OPEN_END, dtype=np.int64)
    is_first = np.insert(ticket[1:] != ticket[:-1], 0, True)[: len(ticket)]
    first_at[ticket[is_first]] = time[is_first]
    initial = opened < first_at
    initial_excluded = sla.is_paused(INITIAL_STATUS) or sla.is_resolved_status(INITIAL_STATUS)
    seg_ticket = np.concatenate([np.flatnonzero(initial), ticket])
    seg_start = np.concatenate([opened[initial], time])
    seg_end = np.concatenate([first_at[initial], end])
    seg_excluded = np.concatenate([np.full(int(initial.sum()), initial_excluded), excluded])
    seg_rank = np.concatenate(
        [np.zeros(int(initial.sum()), np.int64), np.ones(len(ticket), np.int64)]
    )
    order = np.lexsort((np.arange(len(seg_ticket)), seg_rank, seg_ticket))
    seg_ticket, seg_start, seg_end = seg_ticket[order], seg_start[order], seg_end[order]
    kept = seg_excluded[order] & ((seg_end == OPEN_END) | (seg_end > seg_start))
    seg_ticket, seg_start, seg_end = seg_ticket[kept], seg_start[kept], seg_end[kept]
    joins = (seg_ticket[1:] == seg_ticket[:-1]) & (seg_end[:-1] == seg_start[1:])
    heads = np.flatnonzero(~np.insert(joins, 0, False)[: len(seg_ticket)])
    lasts = np.append(heads[1:] - 1, len(seg_ticket) - 1)[: len(heads)]
    return seg_ticket[heads], seg_start[heads], seg_end[lasts]


def _excluded_status(status: pa.Array, sla: SLA) -> npt.NDArray[np.bool_]:
    """Whether each status is a pause or resolved status of ``sla`` (decided once per name)."""
    encoded = pc.dictionary_encode(status)
    names = encoded.dictionary.to_pylist()
    decided = np.array([sla.is_paused(s) or sla.is_resolved_status(s) for s in names] + [False])
    indices = _numpy(pc.fill_null(encoded.indices, len(names)), np.int64)
    picked: npt.NDArray[np.bool_] = decided[indices]
    return picked

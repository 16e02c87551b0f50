"""The ServiceNow incident audit-log export as a ticket source (``servicenow-audit``).

One CSV row per audit event (an update of an incident), as in UCI dataset 498.
The rules (``docs/sources.md`` has them in full):

- One ticket per ``number``; its events ordered by ``sys_mod_count``, ties by
  ``sys_updated_at``. Everything but ``opening_priority`` (first event),
  ``history`` and ``first_response`` comes from the last event.
- ``1 - Critical`` ... ``4 - Low`` -> ``P1`` ... ``P4``; ``?`` means no value.
- ``history``: at each event's ``sys_updated_at`` the status becomes its
  ``incident_state``; kept in time order (a few exported rows carry a
  ``sys_mod_count`` out of step with their time; ties keep the event order).
  ``first_response``: the first event, in event order, not in ``New``.
- ``made_sla`` (the source's own verdict) is kept in ``attributes`` only.
- Timestamps are day-first ``D/M/YYYY HH:MM`` in the ``timezone`` option.

A row with an unknown state or a timestamp that does not parse is a
:class:`~itsskit.models.DataQualityFinding` (ticket number, row number: the
header is row 1) and is left out of its ticket's events; the ticket is still
built from its other rows.

Memory: a first pass checks that each number's rows are contiguous (a set of
the numbers seen); in that normal case tickets stream group by group, otherwise
the rows are grouped in memory.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, tzinfo
from pathlib import Path
from typing import ClassVar

import attrs

from itsskit.builtin.file_sources import csv_table, resolve_existing
from itsskit.contracts import Record, Source, SourceContext, SourceRegistry
from itsskit.hookspecs import hookimpl
from itsskit.models import DataQualityFinding, StatusChange, Ticket
from itsskit.periods import FIRST_YEAR, LAST_YEAR, SUPPORTED
from itsskit.records import RowError, SourceError, parse_int, parse_priority, zone
from itsskit.times import DEFAULT_TIMEZONE

__all__ = ["KNOWN_STATES", "PAUSE_STATUSES", "ServiceNowAuditOptions", "ServiceNowAuditSource"]

#: The ServiceNow statuses that pause the resolution clock in the sample's SLA.
PAUSE_STATUSES = ("Awaiting User Info", "Awaiting Vendor", "Awaiting Evidence", "Awaiting Problem")
#: States always known; the ``pause_statuses`` option adds to them.
KNOWN_STATES = ("New", "Active", "Resolved", "Closed")
TIME_FORMAT = "%d/%m/%Y %H:%M"
NO_VALUE = "?"
REQUIRED = (
    "number", "incident_state", "sys_mod_count", "sys_updated_at", "opened_at", "priority",
    "resolved_at", "closed_at",
)  # fmt: skip
#: Columns that become Ticket fields or describe one audit event; the rest are attributes.
_NOT_ATTRIBUTES = frozenset(
    {"number", "incident_state", "sys_updated_at", "sys_updated_by", "priority", "opened_at",
     "resolved_at", "closed_at", "category", "contact_type"}
)  # fmt: skip

Row = Mapping[str, str]
Numbered = tuple[int, Row]


@attrs.frozen(kw_only=True)
class ServiceNowAuditOptions:
    """``[sources.NAME]`` of ``plugin = "servicenow-audit"``.

    ``pause_statuses`` are the export's waiting states: they are known states
    (not findings); which statuses pause a clock is the SLA's decision.
    """

    path: str
    timezone: str = DEFAULT_TIMEZONE
    pause_statuses: tuple[str, ...] = PAUSE_STATUSES
    encoding: str = "utf-8"


@attrs.frozen(kw_only=True)
class _Event:
    """One usable audit row."""

    state: str
    mod_count: int
    updated: datetime
    priority: str | None
    opened: datetime | None
    resolved: datetime | None
    closed: datetime | None
    values: Row


class ServiceNowAuditSource(Source):
    """Tickets from a ServiceNow incident audit-log CSV export (``.csv`` or ``.csv.gz``)."""

    name: ClassVar[str] = "servicenow-audit"
    kinds: ClassVar[tuple[str, ...]] = ("tickets",)
    options_class: ClassVar[type[ServiceNowAuditOptions]] = ServiceNowAuditOptions
    options: ServiceNowAuditOptions

    def __init__(self, options: ServiceNowAuditOptions, context: SourceContext) -> None:
        super().__init__(options, context)
        if context.kind != "tickets":
            raise SourceError(
                f"{self.name} source {context.name!r} reads tickets, not {context.kind}"
            )
        self.timezone: tzinfo = zone(options.timezone)
        self.states = frozenset(KNOWN_STATES) | set(options.pause_statuses)
        self._times: dict[str, datetime] = {}

    def read(self) -> Iterator[Record | DataQualityFinding]:
        path = resolve_existing(self.context, self.name, self.options.path)
        groups = self._streamed(path) if self._contiguous(path) else self._in_memory(path)
        for group in groups:
            if isinstance(group, DataQualityFinding):
                yield group
                continue
            number, rows = group
            events: list[_Event] = []
            for row_number, row in rows:
                try:
                    events.append(self._event(row))
                except RowError as error:
                    yield DataQualityFinding(
                        record_id=number or None,
                        reason=str(error),
                        source=self.options.path,
                        row=row_number,
                    )
            if events:
                yield self._ticket(number, events)

    # ------------------------------------------------------------------ reading

    def _table(self, path: Path) -> Iterator[tuple[list[str], int, list[str]] | DataQualityFinding]:
        """``(header, row number, cells)`` of each non-blank row (header = row 1), or a
        finding for a row that does not fit the header."""
        return csv_table(
            path, self.options.encoding, REQUIRED, columns={}, source=self.options.path
        )

    def _rows(self, path: Path, findings: list[DataQualityFinding]) -> Iterator[Numbered]:
        """Numbered rows as mappings of column to cell; findings go to ``findings``."""
        for item in self._table(path):
            if isinstance(item, DataQualityFinding):
                findings.append(item)
            else:
                header, row_number, cells = item
                yield row_number, dict(zip(header, cells, strict=True))

    def _contiguous(self, path: Path) -> bool:
        """True when every number's rows are adjacent (the normal export)."""
        seen: set[str] = set()
        previous: str | None = None
        column = -1
        for item in self._table(path):
            if isinstance(item, DataQualityFinding):
                continue
            header, _, cells = item
            if column < 0:
                column = header.index("number")
            number = cells[column].strip() if column < len(cells) else ""
            if number != previous:
                if number in seen:
                    return False
                seen.add(number)
                previous = number
        return True

    def _streamed(self, path: Path) -> Iterator[tuple[str, list[Numbered]] | DataQualityFinding]:
        findings: list[DataQualityFinding] = []
        for number, rows in itertools.groupby(self._rows(path, findings), key=_row_number):
            group = list(rows)
            yield from findings
            findings.clear()
            yield number, group
        yield from findings

    def _in_memory(self, path: Path) -> Iterator[tuple[str, list[Numbered]] | DataQualityFinding]:
        findings: list[DataQualityFinding] = []
        groups: dict[str, list[Numbered]] = {}
        for item in self._rows(path, findings):
            groups.setdefault(_row_number(item), []).append(item)
        yield from findings
        yield from groups.items()

    # ---------------------------------------------------------------- building

    def _event(self, row: Row) -> _Event:
        if not _number(row):
            raise RowError("number", row.get("number"), "an incident number")
        state = row.get("incident_state", "").strip()
        if state not in self.states:
            raise RowError("incident_state", state, "one of " + ", ".join(sorted(self.states)))
        mod_count = parse_int(_value(row, "sys_mod_count"), column="sys_mod_count")
        if mod_count is None:
            raise RowError("sys_mod_count", row.get("sys_mod_count"), "an integer")
        updated = self._time(row, "sys_updated_at")
        if updated is None:
            raise RowError("sys_updated_at", row.get("sys_updated_at"), "a D/M/YYYY HH:MM time")
        return _Event(
            state=state,
            mod_count=mod_count,
            updated=updated,
            priority=parse_priority(_value(row, "priority")),
            opened=self._time(row, "opened_at"),
            resolved=self._time(row, "resolved_at"),
            closed=self._time(row, "closed_at"),
            values=row,
        )

    def _time(self, row: Row, column: str) -> datetime | None:
        text = _value(row, column)
        if text is None:
            return None
        if (cached := self._times.get(text)) is not None:
            return cached
        try:
            parsed = datetime.strptime(text, TIME_FORMAT).replace(tzinfo=self.timezone)
        except ValueError:
            raise RowError(column, row.get(column), "a D/M/YYYY HH:MM time") from None
        if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
            raise RowError(column, row.get(column), f"a D/M/YYYY HH:MM {SUPPORTED}")
        self._times[text] = parsed  # audit timestamps repeat a lot: parse each text once
        return parsed

    def _ticket(self, number: str, events: list[_Event]) -> Ticket:
        events.sort(key=lambda event: (event.mod_count, event.updated))
        first, last = events[0], events[-1]
        return Ticket(
            id=number,
            project=None,
            priority=last.priority,
            opening_priority=first.priority,
            opened=last.opened,
            first_response=_first_response(events),
            resolved=last.resolved,
            closed=last.closed,
            history=_history(events),
            category=_value(last.values, "category"),
            channel=_value(last.values, "contact_type"),
            attributes={
                column: text
                for column in last.values
                if column not in _NOT_ATTRIBUTES and (text := _value(last.values, column))
            },
        )


def _row_number(item: Numbered) -> str:
    """The incident number of a numbered row (what its rows are grouped by)."""
    return _number(item[1])


def _number(row: Row) -> str:
    return row.get("number", "").strip()


def _value(row: Row, column: str) -> str | None:
    """The trimmed cell, None for ``?`` or empty."""
    text = (row.get(column) or "").strip()
    return None if text in ("", NO_VALUE) else text


def _history(events: Iterable[_Event]) -> tuple[StatusChange, ...]:
    """Status changes in time order; events at the same instant keep their event order."""
    in_time_order = sorted(events, key=lambda event: event.updated)
    return tuple(StatusChange(at=event.updated, status=event.state) for event in in_time_order)


def _first_response(events: Iterable[_Event]) -> datetime | None:
    return next((event.updated for event in events if event.state != "New"), None)


@hookimpl
def register_sources(registry: SourceRegistry) -> None:
    """``servicenow-audit``, for tickets."""
    registry.add(ServiceNowAuditSource)

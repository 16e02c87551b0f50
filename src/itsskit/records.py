"""Rows to records: the one place a ``{column: value}`` row becomes a record.

Every built-in file source (CSV, JSON Lines, Excel) and any plugin that reads
tabular data uses these functions, so the interchange format of SPEC §9 has one
reading:

- Times are ISO 8601; a time without an offset is in the source's timezone
  (never silently UTC). Excel/JSON values that already are datetimes are taken
  the same way. A time outside the supported years
  (:data:`itsskit.periods.FIRST_YEAR`-:data:`~itsskit.periods.LAST_YEAR`) is a row error.
- A text cell longer than :data:`MAX_FIELD` characters makes its row a finding
  (:func:`oversized_cell`; the sources check it).
- Booleans are ``true/false``, ``1/0``, ``yes/no`` (any case); empty is false.
- Priorities are ``P1``, ``p1``, ``1`` or ``1 - Critical`` (all read as ``P1``).
- Empty cells (``""`` or ``None``) are "no value".
- ``columns`` renames: ``{our name: their column}``. Columns we do not know are
  kept, as text, in the record's ``attributes`` under their own name.

A value that cannot be read raises :class:`RowError` naming the column, the
value and what was expected; sources turn it into a
:class:`~itsskit.models.DataQualityFinding` and go on with the next row.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from itsskit.models import (
    Change,
    Outage,
    StatusChange,
    SurveyKind,
    SurveyResponse,
    Ticket,
    TicketKind,
)
from itsskit.periods import FIRST_YEAR, LAST_YEAR, SUPPORTED

__all__ = [
    "COLUMNS",
    "EVENT_COLUMNS",
    "MAX_FIELD",
    "REQUIRED_COLUMNS",
    "RowError",
    "SourceError",
    "change_from_row",
    "cell_text",
    "check_header",
    "event_from_row",
    "is_empty",
    "outage_from_row",
    "parse_bool",
    "parse_int",
    "parse_priority",
    "oversized_cell",
    "parse_time",
    "record_from_row",
    "survey_from_row",
    "ticket_from_row",
    "zone",
]

Row = Mapping[str, object]
Columns = Mapping[str, str]
E = TypeVar("E", bound=enum.Enum)

#: The columns each record kind reads (SPEC §9); anything else goes to ``attributes``.
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "tickets": (
        "id", "project", "service", "kind", "priority", "opening_priority", "opened",
        "first_response", "resolved", "closed", "major", "security", "category", "channel",
        "satisfaction", "callback", "history",
    ),
    "outages": ("id", "service", "start", "end", "planned", "cause"),
    "changes": ("id", "service", "type", "approved", "window_start", "window_end", "title"),
    "surveys": ("id", "project", "ticket", "answered", "score", "kind", "comment"),
}  # fmt: skip
#: Columns a file of each kind must have in its header (the values may still be empty).
REQUIRED_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "tickets": ("id", "opened"),
    "outages": ("id", "service", "start"),
    "changes": ("id", "service"),
    "surveys": ("id", "answered", "score"),
}
#: Columns of a ticket status-history (events) file; all required.
EVENT_COLUMNS = ("ticket_id", "time", "status")

_TRUE = frozenset({"true", "1", "yes", "y"})
_FALSE = frozenset({"false", "0", "no", "n"})
_PRIORITY = re.compile(r"^[Pp]?([1-9]\d{0,5})(\s*-.*)?$")
_YEARS = range(FIRST_YEAR, LAST_YEAR + 1)
#: The longest text cell read (the csv module's own limit); a longer one is a row error.
MAX_FIELD = 131072


class SourceError(Exception):
    """A source cannot be read at all: missing file, bad header, unreadable encoding."""


class RowError(ValueError):
    """A value in a row cannot be read: which column, what value, what was expected."""

    def __init__(self, column: str, value: object, expected: str) -> None:
        self.column = column
        self.value = value
        self.expected = expected
        super().__init__(f"column {column!r}: expected {expected}, got {value!r}")


# ------------------------------------------------------------------ single values


def zone(name: str | tzinfo) -> tzinfo:
    """The tzinfo for an IANA name; an unknown name raises :class:`SourceError`."""
    if isinstance(name, tzinfo):
        return name
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SourceError(f"unknown timezone {name!r}; expected an IANA name") from None


def is_empty(value: object) -> bool:
    """True for None and for blank text."""
    return value is None or (isinstance(value, str) and not value.strip())


def parse_time(value: object, *, timezone: str | tzinfo, column: str = "time") -> datetime | None:
    """An aware datetime from ISO 8601 text (or a datetime); naive means ``timezone``."""
    if is_empty(value):
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise RowError(column, value, "an ISO 8601 time") from None
    else:
        raise RowError(column, value, "an ISO 8601 time")
    if parsed.year not in _YEARS:
        raise RowError(column, value, SUPPORTED)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=zone(timezone))
    return parsed


def parse_bool(value: object, *, column: str) -> bool:
    """True/false from ``true/false``, ``1/0``, ``yes/no`` (any case); empty is false."""
    if is_empty(value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RowError(column, value, "true/false, 1/0 or yes/no")


def parse_int(value: object, *, column: str) -> int | None:
    """An integer from text or a number with no fraction; empty is None."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise RowError(column, value, "an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    try:
        return int(str(value).strip())
    except ValueError:
        raise RowError(column, value, "an integer") from None


def parse_priority(value: object, *, column: str = "priority") -> str | None:
    """``P1``, ``p1``, ``1``, ``1 - Critical`` all read as ``"P1"``; empty is None."""
    if is_empty(value):
        return None
    match = _PRIORITY.match(str(value).strip())
    if isinstance(value, bool) or match is None:
        raise RowError(column, value, "a priority like P1..P4 (or 1..4)")
    return f"P{int(match.group(1))}"


def cell_text(value: object) -> str | None:
    """A cell as trimmed text (datetimes ISO 8601, JSON lists/objects as JSON); empty is None."""
    if is_empty(value):
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


def oversized_cell(row: Row) -> str | None:
    """Why a cell (or column name) of ``row`` is longer than :data:`MAX_FIELD`, or None.

    Sources call it on rows that may hold one (a long JSON line, an Excel row);
    the csv module already stops at the same limit.
    """
    for name, value in row.items():
        if len(name) > MAX_FIELD:
            return f"a column name of {len(name)} characters; expected at most {MAX_FIELD}"
        if isinstance(value, str) and len(value) > MAX_FIELD:
            return (
                f"column {name!r}: a cell of {len(value)} characters; expected at most {MAX_FIELD}"
            )
    return None


# ---------------------------------------------------------------------- headers


def _their(name: str, columns: Columns) -> str:
    return columns.get(name, name)


def check_header(
    found: Iterable[str], required: Sequence[str], *, columns: Columns, file: str
) -> None:
    """Raise :class:`SourceError` when a required column is missing from ``found``."""
    present = list(dict.fromkeys(found))  # in file order, for a message that reads like the file
    missing = [name for name in required if _their(name, columns) not in present]
    if missing:
        described = ", ".join(
            repr(_their(name, columns)) + ("" if name not in columns else f" (for {name!r})")
            for name in missing
        )
        listed = ", ".join(repr(column) for column in present) or "none"
        raise SourceError(f"{file}: missing column {described}; columns found: {listed}")


# ------------------------------------------------------------------------ rows


@attrs.frozen
class _Cells:
    """One row by our column names, with readers that raise :class:`RowError`."""

    values: Row
    columns: Columns
    timezone: tzinfo

    @classmethod
    def of(cls, row: Row, columns: Columns | None, timezone: str | tzinfo) -> _Cells:
        columns = columns or {}
        renamed = {ours: row[theirs] for ours, theirs in columns.items() if theirs in row}
        theirs = set(columns.values())
        kept = {k: v for k, v in row.items() if k not in theirs and k not in renamed}
        values = {**kept, **renamed}
        return cls(values, columns, zone(timezone))

    def column(self, name: str) -> str:
        return _their(name, self.columns)

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        if isinstance(value, list | dict):
            raise RowError(self.column(name), value, "text (not a JSON list or object)")
        return cell_text(value)

    def required_text(self, name: str) -> str:
        text = self.text(name)
        if text is None:
            raise RowError(self.column(name), self.values.get(name), "a value")
        return text

    def time(self, name: str) -> datetime | None:
        return parse_time(self.values.get(name), timezone=self.timezone, column=self.column(name))

    def required_time(self, name: str) -> datetime:
        parsed = self.time(name)
        if parsed is None:
            raise RowError(self.column(name), self.values.get(name), "an ISO 8601 time")
        return parsed

    def time_after(self, name: str, start: datetime | None, start_name: str) -> datetime | None:
        """The time in column ``name``; one before ``start`` is a :class:`RowError`."""
        parsed = self.time(name)
        if parsed is not None and start is not None and parsed < start:
            expected = f"a time not before {self.column(start_name)} {start.isoformat()}"
            raise RowError(self.column(name), self.values.get(name), expected)
        return parsed

    def flag(self, name: str) -> bool:
        return parse_bool(self.values.get(name), column=self.column(name))

    def integer(self, name: str, low: int, high: int) -> int | None:
        number = parse_int(self.values.get(name), column=self.column(name))
        if number is not None and not low <= number <= high:
            raise RowError(self.column(name), self.values.get(name), f"an integer {low}-{high}")
        return number

    def priority(self, name: str) -> str | None:
        return parse_priority(self.values.get(name), column=self.column(name))

    def choice(self, name: str, enum_class: type[E], default: E) -> E:
        text = self.text(name)
        if text is None:
            return default
        try:
            return enum_class(text.lower())
        except ValueError:
            names = "/".join(str(member.value) for member in enum_class)
            raise RowError(self.column(name), self.values.get(name), names) from None

    def attributes(self, known: Sequence[str]) -> dict[str, str]:
        """Columns we do not read, as text; a JSON ``attributes`` object is merged in."""
        kept: dict[str, str] = {}
        extra = self.values.get("attributes")
        if isinstance(extra, Mapping):
            kept.update({str(k): t for k, v in extra.items() if (t := cell_text(v)) is not None})
        for name, value in self.values.items():
            if name in known or name == "attributes":
                continue
            text = cell_text(value)
            if text is not None:
                kept[name] = text
        return kept

    def history(self) -> tuple[StatusChange, ...]:
        """A JSON ``history`` list of ``[time, status]`` pairs (or ``{time, status}``)."""
        raw = self.values.get("history")
        if is_empty(raw):
            return ()
        expected = "a list of [time, status] pairs"
        if not isinstance(raw, list):
            raise RowError(self.column("history"), raw, expected)
        changes = []
        for item in raw:
            pair = (item.get("time"), item.get("status")) if isinstance(item, dict) else item
            if not isinstance(pair, list | tuple) or len(pair) != 2 or is_empty(pair[1]):
                raise RowError(self.column("history"), item, expected)
            at = parse_time(pair[0], timezone=self.timezone, column=self.column("history"))
            if at is None:
                raise RowError(self.column("history"), item, expected)
            changes.append(StatusChange(at=at, status=str(pair[1]).strip()))
        return _in_time_order(changes)


def _in_time_order(changes: Iterable[StatusChange]) -> tuple[StatusChange, ...]:
    return tuple(sorted(changes, key=lambda change: change.at))


def ticket_from_row(
    row: Row,
    *,
    timezone: str | tzinfo,
    columns: Columns | None = None,
    history: Iterable[StatusChange] | None = None,
) -> Ticket:
    """A :class:`~itsskit.models.Ticket` from a row.

    ``history`` (from a separate events file) replaces the row's own JSON
    ``history`` list; either way it is sorted by time.
    """
    cells = _Cells.of(row, columns, timezone)
    return Ticket(
        id=cells.required_text("id"),
        project=cells.text("project"),
        service=cells.text("service"),
        kind=cells.choice("kind", TicketKind, TicketKind.INCIDENT),
        priority=cells.priority("priority"),
        opening_priority=cells.priority("opening_priority"),
        opened=cells.time("opened"),
        first_response=cells.time("first_response"),
        resolved=cells.time("resolved"),
        closed=cells.time("closed"),
        history=cells.history() if history is None else _in_time_order(history),
        major=cells.flag("major"),
        security=cells.flag("security"),
        category=cells.text("category"),
        channel=cells.text("channel"),
        satisfaction=cells.integer("satisfaction", 1, 5),
        callback=cells.time("callback"),
        attributes=cells.attributes(COLUMNS["tickets"]),
    )


def outage_from_row(row: Row, *, timezone: str | tzinfo, columns: Columns | None = None) -> Outage:
    """An :class:`~itsskit.models.Outage` from a row (``end`` empty: still going on).

    An ``end`` before ``start`` is a :class:`RowError`.
    """
    cells = _Cells.of(row, columns, timezone)
    start = cells.required_time("start")
    return Outage(
        id=cells.required_text("id"),
        service=cells.required_text("service"),
        start=start,
        end=cells.time_after("end", start, "start"),
        planned=cells.flag("planned"),
        cause=cells.text("cause") or "",
        attributes=cells.attributes(COLUMNS["outages"]),
    )


def change_from_row(row: Row, *, timezone: str | tzinfo, columns: Columns | None = None) -> Change:
    """A :class:`~itsskit.models.Change` from a row (``type`` empty: ``normal``).

    A ``window_end`` before ``window_start`` is a :class:`RowError`.
    """
    cells = _Cells.of(row, columns, timezone)
    window_start = cells.time("window_start")
    return Change(
        id=cells.required_text("id"),
        service=cells.required_text("service"),
        type=cells.text("type") or "normal",
        approved=cells.flag("approved"),
        window_start=window_start,
        window_end=cells.time_after("window_end", window_start, "window_start"),
        title=cells.text("title") or "",
        attributes=cells.attributes(COLUMNS["changes"]),
    )


def survey_from_row(
    row: Row, *, timezone: str | tzinfo, columns: Columns | None = None
) -> SurveyResponse:
    """A :class:`~itsskit.models.SurveyResponse` from a row (score 1-5 required)."""
    cells = _Cells.of(row, columns, timezone)
    score = cells.integer("score", 1, 5)
    if score is None:
        raise RowError(cells.column("score"), cells.values.get("score"), "an integer 1-5")
    return SurveyResponse(
        id=cells.required_text("id"),
        project=cells.text("project"),
        ticket=cells.text("ticket"),
        answered=cells.required_time("answered"),
        score=score,
        kind=cells.choice("kind", SurveyKind, SurveyKind.CALLBACK),
        comment=cells.text("comment") or "",
        attributes=cells.attributes(COLUMNS["surveys"]),
    )


def event_from_row(
    row: Row, *, timezone: str | tzinfo, columns: Columns | None = None
) -> tuple[str, StatusChange]:
    """``(ticket_id, StatusChange)`` from a row of a status-history file."""
    cells = _Cells.of(row, columns, timezone)
    change = StatusChange(at=cells.required_time("time"), status=cells.required_text("status"))
    return cells.required_text("ticket_id"), change


_BUILDERS: Mapping[str, Any] = {
    "tickets": ticket_from_row,
    "outages": outage_from_row,
    "changes": change_from_row,
    "surveys": survey_from_row,
}


def record_from_row(
    kind: str, row: Row, *, timezone: str | tzinfo, columns: Columns | None = None
) -> Ticket | Outage | Change | SurveyResponse:
    """The record of ``kind`` (one of ``RECORD_KINDS``) from a row."""
    try:
        builder = _BUILDERS[kind]
    except KeyError:
        raise ValueError(
            f"unknown record kind {kind!r}; expected one of {list(_BUILDERS)}"
        ) from None
    record: Ticket | Outage | Change | SurveyResponse = builder(
        row, timezone=timezone, columns=columns
    )
    return record

"""Built-in file sources: CSV, JSON Lines and Excel (.xlsx), for every record kind.

Columns are those of SPEC §9 (see ``docs/sources.md``); :mod:`itsskit.records`
turns each row into a record. Records stream in constant memory: CSV row by
row, JSON Lines line by line, Excel through openpyxl's read-only mode. A ticket
status-history file (``events``) is loaded first, grouped by ticket id, so its
memory grows with the number of events (not with the number of tickets).

A bad row becomes a :class:`~itsskit.models.DataQualityFinding` naming the
file, the row (the header is row 1, the first data row 2; JSON Lines count
lines from 1), the column and what was expected; reading goes on. A missing
file or header column raises :class:`~itsskit.records.SourceError`.
"""

from __future__ import annotations

import abc
import codecs
import csv
import gzip
import json
import warnings
import zlib
from collections import defaultdict
from collections.abc import Generator, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, ClassVar, NoReturn

import attrs
import openpyxl

from itsskit.contracts import (
    RECORD_KINDS,
    OptionError,
    Record,
    Source,
    SourceContext,
    SourceRegistry,
)
from itsskit.hookspecs import hookimpl
from itsskit.models import DataQualityFinding, StatusChange
from itsskit.records import (
    EVENT_COLUMNS,
    MAX_FIELD,
    REQUIRED_COLUMNS,
    RowError,
    SourceError,
    cell_text,
    check_header,
    event_from_row,
    is_empty,
    oversized_cell,
    record_from_row,
    ticket_from_row,
    zone,
)
from itsskit.times import DEFAULT_TIMEZONE

__all__ = [
    "CsvOptions",
    "CsvSource",
    "JsonLinesOptions",
    "JsonLinesSource",
    "XlsxOptions",
    "XlsxSource",
    "check_unique_header",
    "csv_table",
    "open_text",
    "resolve_existing",
    "unreadable",
]

Row = Mapping[str, object]
Item = tuple[int, Row] | DataQualityFinding


# ----------------------------------------------------------------------- options


@attrs.frozen(kw_only=True)
class CsvOptions:
    """``[sources.NAME]`` of ``plugin = "csv"``; ``events`` only for tickets."""

    path: str
    events: str | None = None
    timezone: str = DEFAULT_TIMEZONE
    columns: Mapping[str, str] = attrs.field(factory=dict)
    encoding: str = "utf-8-sig"
    delimiter: str = ","


@attrs.frozen(kw_only=True)
class JsonLinesOptions:
    """``[sources.NAME]`` of ``plugin = "jsonl"``; ticket history is inline (``history``)."""

    path: str
    timezone: str = DEFAULT_TIMEZONE
    columns: Mapping[str, str] = attrs.field(factory=dict)
    encoding: str = "utf-8"


@attrs.frozen(kw_only=True)
class XlsxOptions:
    """``[sources.NAME]`` of ``plugin = "xlsx"``; sheets default to the first one.

    ``events`` is another workbook (or the same one, with ``events_sheet``).
    """

    path: str
    events: str | None = None
    timezone: str = DEFAULT_TIMEZONE
    columns: Mapping[str, str] = attrs.field(factory=dict)
    sheet: str | None = None
    events_sheet: str | None = None


# ----------------------------------------------------------------------- helpers


def resolve_existing(context: SourceContext, plugin: str, path: str) -> Path:
    """``path`` resolved against the config folder; a missing file raises SourceError."""
    resolved = context.resolve(path)
    if resolved.is_dir():
        raise SourceError(
            f"{plugin} source {context.name!r}: {resolved} is a folder, expected a file"
        )
    if not resolved.is_file():
        raise SourceError(f"{plugin} source {context.name!r}: file not found: {resolved}")
    return resolved


def check_unique_header(header: Sequence[str], file: str) -> None:
    """Raise :class:`SourceError` when a column name appears twice in ``header``."""
    named = [name for name in header if name]
    twice = [name for name in dict.fromkeys(named) if named.count(name) > 1]
    if twice:
        listed = ", ".join(repr(name) for name in twice)
        raise SourceError(f"{file}: duplicate column {listed} in the header; expected unique names")


def unreadable(path: Path, error: Exception, encoding: str, what: str, line: int = 0) -> NoReturn:
    """Raise the :class:`SourceError` that explains why ``path`` cannot be read."""
    where = f"{path}, line {line}" if line else str(path)
    if isinstance(error, UnicodeDecodeError):
        bad = _undecodable_line(path, encoding)
        where = f"{path}, line {bad}" if bad else str(path)
        raise SourceError(
            f"{where}: not {encoding} text ({error.reason}); "
            "expected the source's encoding option to name the file's, e.g. encoding = \"gbk\""
        ) from None
    if isinstance(error, gzip.BadGzipFile | zlib.error | EOFError):
        raise SourceError(
            f"{path}: not a complete gzip file ({error}); expected a whole .gz file "
            "(or a name without .gz)"
        ) from None
    if isinstance(error, csv.Error):
        raise SourceError(f"{where}: malformed CSV ({error}); an unclosed quote?") from None
    raise SourceError(f"{where}: cannot be read as {what} ({error})") from None


def _undecodable_line(path: Path, encoding: str) -> int | None:
    """The number of the first line of ``path`` that is not ``encoding`` text (None: unknown)."""
    try:
        with gzip.open(path) if path.suffix == ".gz" else path.open("rb") as stream:
            for number, raw in enumerate(stream, start=1):
                try:
                    raw.decode(encoding)
                except UnicodeDecodeError:
                    return number
    except (OSError, EOFError, zlib.error, LookupError):
        return None
    return None


def open_text(path: Path, encoding: str) -> IO[str]:
    """Open a text file for the csv module; a ``.gz`` file is decompressed on the fly."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding=encoding, newline="")
    return path.open(encoding=encoding, newline="")


def csv_table(
    path: Path,
    encoding: str,
    required: Sequence[str],
    *,
    columns: Mapping[str, str],
    delimiter: str = ",",
    source: str = "",
) -> Iterator[tuple[list[str], int, list[str]] | DataQualityFinding]:
    """``(header, row number, cells)`` of each non-blank row of a CSV file, or a finding.

    The header (row 1) is checked. A row whose cell count differs from the
    header's, with a cell over :data:`~itsskit.records.MAX_FIELD` characters, or
    malformed (a stray quote) is a finding naming ``source`` and the row; reading
    goes on with the next row. A file that cannot be read raises SourceError.
    """
    reader = None
    try:
        with open_text(path, encoding) as stream:
            reader = csv.reader(stream, delimiter=delimiter, strict=True)
            header = [name.strip() for name in next(reader, [])]
            check_header(header, required, columns=columns, file=str(path))
            check_unique_header(header, str(path))
            yield from _csv_rows(reader, header, source or str(path))
    except (UnicodeDecodeError, csv.Error, OSError, EOFError, zlib.error) as error:
        unreadable(path, error, encoding, "CSV", reader.line_num if reader else 0)


def _csv_rows(
    reader: Iterator[list[str]], header: list[str], source: str
) -> Iterator[tuple[list[str], int, list[str]] | DataQualityFinding]:
    width = len(header)
    number = 1
    while True:
        try:
            for cells in reader:
                number += 1
                if len(cells) == width:
                    if "".join(cells).strip():  # not a blank row
                        yield header, number, cells
                elif "".join(cells).strip():
                    reason = f"expected {width} columns, got {len(cells)}"
                    yield DataQualityFinding(
                        record_id=None, reason=reason, source=source, row=number
                    )
            return
        except csv.Error as error:  # the reader goes on with the next row
            if "unexpected end of data" in str(error):
                raise  # an unclosed quote swallowed the rest of the file
            number += 1
            yield DataQualityFinding(
                record_id=None, reason=_malformed(error), source=source, row=number
            )


def _malformed(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        limit = csv.field_size_limit()
        return f"a cell longer than {limit} characters; expected at most {limit}"
    return f"malformed CSV row ({error}); expected cells separated by the delimiter"


class _FileSource(Source):
    """What the three file formats share: the read loop, events join and findings."""

    kinds: ClassVar[tuple[str, ...]] = RECORD_KINDS

    def __init__(
        self, options: CsvOptions | JsonLinesOptions | XlsxOptions, context: SourceContext
    ):
        super().__init__(options, context)
        self.timezone = zone(options.timezone)
        self.columns: Mapping[str, str] = options.columns
        if self._events_option() and context.kind != "tickets":
            raise SourceError(
                f"{self.name} source {context.name!r}: 'events' is only for tickets, "
                f"not {context.kind}"
            )

    def _events_option(self) -> str | None:
        return getattr(self.options, "events", None)

    def check(self) -> None:
        """The data file must exist (``path``; ``events`` is checked when read) and the
        encoding must be a Python codec."""
        file = self.context.resolve(self.options.path)
        if file.is_dir():
            raise OptionError("path", f"is a folder, expected a file: {file}")
        if not file.exists():
            raise OptionError("path", f"file not found: {file}")
        encoding = getattr(self.options, "encoding", None)
        if isinstance(encoding, str):
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise OptionError(
                    "encoding",
                    f"unknown encoding {encoding!r}: expected a Python codec like utf-8 or gbk",
                ) from None

    @abc.abstractmethod
    def _rows(self, path: str, required: Sequence[str], sheet: str | None) -> Iterator[Item]:
        """``(row number, row)`` of one file after its header is checked, or findings."""

    def read(self) -> Iterator[Record | DataQualityFinding]:
        kind = self.context.kind
        events = self._events_option()
        histories: dict[str, list[StatusChange]] | None = None
        if events:
            histories = defaultdict(list)
            yield from self._load_events(events, histories)
        used: set[str] = set()
        for item in self._rows(self.options.path, REQUIRED_COLUMNS[kind], self._sheet()):
            if isinstance(item, DataQualityFinding):
                yield item
                continue
            number, row = item
            try:
                record = self._record(kind, row, histories, used)
            except (RowError, RecursionError) as error:
                yield self._finding(row, number, error, self.options.path)
            else:
                yield record
        for orphan in sorted(set(histories or ()) - used):
            yield DataQualityFinding(
                record_id=orphan,
                reason=f"status history for a ticket that is not in {self.options.path}",
                source=str(events),
            )

    def _record(
        self,
        kind: str,
        row: Row,
        histories: Mapping[str, list[StatusChange]] | None,
        used: set[str],
    ) -> Record:
        if histories is None:
            return record_from_row(kind, row, timezone=self.timezone, columns=self.columns)
        ticket_id = cell_text(row.get(self.columns.get("id", "id"))) or ""
        used.add(ticket_id)
        history = histories.get(ticket_id, ())
        return ticket_from_row(row, timezone=self.timezone, columns=self.columns, history=history)

    def _sheet(self) -> str | None:
        return None

    def _events_sheet(self) -> str | None:
        return None

    def _load_events(
        self, events: str, histories: dict[str, list[StatusChange]]
    ) -> Iterator[DataQualityFinding]:
        for item in self._rows(events, EVENT_COLUMNS, self._events_sheet()):
            if isinstance(item, DataQualityFinding):
                yield item
                continue
            number, row = item
            try:
                ticket_id, change = event_from_row(
                    row, timezone=self.timezone, columns=self.columns
                )
            except (RowError, RecursionError) as error:
                yield self._finding(row, number, error, events, id_column="ticket_id")
            else:
                histories[ticket_id].append(change)

    def _finding(
        self, row: Row, number: int, error: Exception, source: str, id_column: str = "id"
    ) -> DataQualityFinding:
        reason = str(error) if isinstance(error, RowError) else "a value nested too deeply"
        try:
            record_id = cell_text(row.get(self.columns.get(id_column, id_column)))
        except RecursionError:
            record_id = None
        if record_id is not None and len(record_id) > 200:
            record_id = None  # an id too long to be one (the reason says why)
        return DataQualityFinding(record_id=record_id, reason=reason, source=source, row=number)


# --------------------------------------------------------------------- the sources


class CsvSource(_FileSource):
    """CSV with a header row (``.csv`` or ``.csv.gz``)."""

    name: ClassVar[str] = "csv"
    options_class: ClassVar[type[CsvOptions]] = CsvOptions
    options: CsvOptions

    def __init__(self, options: CsvOptions, context: SourceContext):
        super().__init__(options, context)
        if len(options.delimiter) != 1:
            raise SourceError(
                f"{self.name} source {context.name!r}: delimiter: expected one character, "
                f"got {options.delimiter!r}"
            )

    def _rows(self, path: str, required: Sequence[str], sheet: str | None) -> Iterator[Item]:
        resolved = resolve_existing(self.context, self.name, path)
        table = csv_table(
            resolved, self.options.encoding, required, columns=self.columns,
            delimiter=self.options.delimiter, source=path,
        )  # fmt: skip
        for item in table:
            if isinstance(item, DataQualityFinding):
                yield item
            else:
                header, number, cells = item
                yield number, dict(zip(header, cells, strict=True))


def _json_object(line: str) -> dict[str, object] | str:
    """The JSON object on ``line``, or why it is not one."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        return f"not valid JSON ({error.msg} at column {error.colno})"
    except ValueError as error:  # a number of more than 4300 digits
        return f"not usable JSON ({str(error).split(';')[0]}); expected ordinary numbers"
    except RecursionError:
        return "not usable JSON (nested too deeply); expected a flat object"
    if type(row) is dict and "\\u" not in line and len(line) <= MAX_FIELD:
        return row  # the usual line: no escape or size to check
    if not isinstance(row, dict):
        return f"expected a JSON object, got {type(row).__name__}"
    if "\\u" in line and not _encodable(row):
        return "not usable JSON (a lone surrogate \\uD800-\\uDFFF escape); expected real characters"
    return oversized_cell(row) or row


def _encodable(row: dict[str, object]) -> bool:
    try:
        json.dumps(row, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class JsonLinesSource(_FileSource):
    """JSON Lines: one JSON object per line (``.jsonl`` or ``.jsonl.gz``); blank lines skipped."""

    name: ClassVar[str] = "jsonl"
    options_class: ClassVar[type[JsonLinesOptions]] = JsonLinesOptions
    options: JsonLinesOptions

    def _rows(self, path: str, required: Sequence[str], sheet: str | None) -> Iterator[Item]:
        resolved = resolve_existing(self.context, self.name, path)
        encoding = self.options.encoding
        try:
            number = 0
            with open_text(resolved, encoding) as stream:
                for number, line in enumerate(stream, start=1):
                    if not line.strip():
                        continue
                    row = _json_object(line)
                    if isinstance(row, str):
                        yield DataQualityFinding(
                            record_id=None, reason=row, source=path, row=number
                        )
                        continue
                    yield number, row
        except (UnicodeDecodeError, OSError, EOFError, zlib.error) as error:
            unreadable(resolved, error, encoding, "JSON Lines", number + 1)


class XlsxSource(_FileSource):
    """Excel workbook (.xlsx), one sheet, header in its first row; read-only streaming."""

    name: ClassVar[str] = "xlsx"
    options_class: ClassVar[type[XlsxOptions]] = XlsxOptions
    options: XlsxOptions

    def _sheet(self) -> str | None:
        return self.options.sheet

    def _events_sheet(self) -> str | None:
        return self.options.events_sheet

    def _rows(self, path: str, required: Sequence[str], sheet: str | None) -> Iterator[Item]:
        resolved = resolve_existing(self.context, self.name, path)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                workbook = openpyxl.load_workbook(resolved, read_only=True, data_only=True)
        except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds on a corrupt file
            raise SourceError(
                f"{resolved}: cannot be read as an .xlsx workbook ({_describe(error)})"
            ) from None
        rows: Iterator[tuple[object, ...]] | None = None
        try:
            if sheet is not None and sheet not in workbook.sheetnames:
                raise SourceError(
                    f"{resolved}: no sheet {sheet!r}; sheets: {', '.join(workbook.sheetnames)}"
                )
            worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
            rows = worksheet.iter_rows(values_only=True)
            where = f"{resolved}, sheet {worksheet.title!r}"
            numbered = _sheet_rows(rows, where)
            header = _trimmed([cell_text(cell) or "" for cell in next(numbered, (1, ()))[1]])
            check_header(header, required, columns=self.columns, file=str(resolved))
            check_unique_header(header, str(resolved))
            width = len(header)
            for number, values in numbered:
                if all(is_empty(value) for value in values):
                    continue
                row = {name: value for name, value in zip(header, values, strict=False) if name}
                if reason := _sheet_row_problem(values, width) or oversized_cell(row):
                    yield DataQualityFinding(record_id=None, reason=reason, source=path, row=number)
                    continue
                yield number, row
        finally:
            if isinstance(rows, Generator):
                rows.close()  # the sheet's open stream inside the workbook
            workbook.close()


def _trimmed(header: list[str]) -> list[str]:
    """A sheet's header without the empty cells right of its last name (a sheet's rows all
    have the sheet's full width, so a wider data row pads the header with empty cells)."""
    while header and not header[-1]:
        header.pop()
    return header


def _sheet_row_problem(values: tuple[object, ...], width: int) -> str | None:
    """Why a sheet row does not fit a header of ``width`` columns (a value right of it)."""
    if len(values) > width and not all(is_empty(value) for value in values[width:]):
        return f"a value right of the header's {width} columns; expected none"
    return None


def _sheet_rows(
    rows: Iterator[tuple[object, ...]], where: str
) -> Iterator[tuple[int, tuple[object, ...]]]:
    """``(row number, values)``; a sheet that breaks off is a SourceError naming the row.

    openpyxl stops for good at a corrupt cell or truncated XML, so the rest of
    the sheet cannot be read: the source fails, naming where, rather than
    report on part of it. Its warnings (a date out of range becomes ``#VALUE!``,
    then a finding on that row) are not printed.
    """
    number = 0
    while True:
        number += 1
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                values = next(rows)
        except StopIteration:
            return
        except Exception as error:  # noqa: BLE001 - any parser error of a corrupt sheet
            raise SourceError(
                f"{where}, row {number}: the sheet is corrupt from here on ({_describe(error)}); "
                "expected a workbook saved by a spreadsheet program"
            ) from None
        yield number, values


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


# ------------------------------------------------------------------------ hooks

_FILE_SOURCES = (CsvSource, JsonLinesSource, XlsxSource)


@hookimpl
def register_sources(registry: SourceRegistry) -> None:
    """``csv``, ``jsonl`` and ``xlsx`` for every record kind."""
    for source in _FILE_SOURCES:
        registry.add(source)

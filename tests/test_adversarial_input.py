"""Adversarial rows for every built-in source, and out-of-range input through the real CLI.

A bad row is a finding naming the file and the row, never a crash of the
source, never a silent number; the good rows around it still come through.
Hypothesis writes the bad rows: random cell counts, huge cells, odd numbers,
nested JSON, timestamps outside the supported years (1900-2199).
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itsskit.builtin.file_sources import CsvSource, JsonLinesSource, XlsxSource
from itsskit.builtin.servicenow_audit import ServiceNowAuditOptions, ServiceNowAuditSource
from itsskit.cli import main
from itsskit.config import ConfigError, load_config
from itsskit.contracts import Source, SourceContext
from itsskit.converter import converter
from itsskit.durations import parse_duration
from itsskit.models import Change, DataQualityFinding, Outage, SurveyResponse, Ticket
from itsskit.periods import Period
from itsskit.records import SourceError

FUZZ = settings(  # examples: the hypothesis profile's (tests/conftest.py)
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# ------------------------------------------------------------------ good rows

#: Each kind's columns (the header) and a good row for number ``i`` (its id is GOOD-i).
KINDS: dict[str, tuple[list[str], Callable[[int], list[str]]]] = {
    "tickets": (
        ["id", "priority", "opened", "first_response", "resolved", "major", "satisfaction"],
        lambda i: [f"GOOD-{i}", "P2", "2025-10-09T10:00", "2025-10-09T10:10",
                   "2025-10-09T12:00", "false", "4"],
    ),
    "outages": (
        ["id", "service", "start", "end", "planned"],
        lambda i: [f"GOOD-{i}", "erp", "2025-10-09T10:00", "2025-10-09T11:00", "no"],
    ),
    "changes": (
        ["id", "service", "type", "approved", "window_start", "window_end"],
        lambda i: [f"GOOD-{i}", "erp", "normal", "yes", "2025-10-09T22:00", "2025-10-09T23:00"],
    ),
    "surveys": (
        ["id", "project", "ticket", "answered", "score", "kind"],
        lambda i: [f"GOOD-{i}", "", "T1", "2025-10-09T10:00", "5", "callback"],
    ),
}  # fmt: skip
RECORD = {"tickets": Ticket, "outages": Outage, "changes": Change, "surveys": SurveyResponse}
TIME_FIELDS = (
    "opened", "first_response", "resolved", "closed", "callback", "start", "end",
    "window_start", "window_end", "answered",
)  # fmt: skip

# ------------------------------------------------------------------- bad cells

#: The longest cell read (the csv module's default limit; itsskit.records.MAX_FIELD).
MAX_FIELD = 131072

HUGE = MAX_FIELD + 10
ODD_NUMBERS = ["9" * 5000, "1e999", "-0", "NaN", "inf", "0x10", "١٢", "1_000", "P" + "9" * 5000]
BAD_TIMES = [
    "0001-01-01T00:00", "9999-12-31T23:59:59", "1899-12-31T23:59", "2200-01-01T00:00",
    "0001-01-01T00:00+14:00", "9999-12-31T23:59-14:00", "2025-02-30T10:00", "T", "2025-13-01",
]  # fmt: skip
#: Cell text with no quote, delimiter or line break (those are tested on their own).
PLAIN = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters=',"\r\n'), max_size=12
)
CELLS = st.one_of(
    PLAIN,
    st.sampled_from(ODD_NUMBERS),
    st.sampled_from(BAD_TIMES),
    st.just("HUGE"),  # replaced by a cell longer than MAX_FIELD
    st.sampled_from(["P1", "true", "2025-10-09T10:00", "erp", "3"]),
)


def bad_row(cells: list[str], i: int) -> list[str]:
    """The fuzzed cells with the id ``BAD-i`` first and ``HUGE`` made huge."""
    return [f"BAD-{i}"] + [("x" * HUGE if cell == "HUGE" else cell) for cell in cells]


BAD_ROWS = st.lists(st.lists(CELLS, min_size=0, max_size=10), min_size=1, max_size=4)


def interleave(kind: str, bad: list[list[str]]) -> list[list[str]]:
    """good, bad, good, bad, ..., good."""
    _, good = KINDS[kind]
    rows = [good(0)]
    for i, cells in enumerate(bad):
        rows += [bad_row(cells, i), good(i + 1)]
    return rows


def read(cls: type[Source], kind: str, base: Path, **options: Any) -> list[Any]:
    structured = converter.structure(options, cls.options_class)
    return list(cls(structured, SourceContext(name="fuzz", kind=kind, base_dir=base)).read())


def check_outcome(
    kind: str, items: list[Any], bad_rows: dict[str, int], good: int, path: str
) -> None:
    """Every good row is a record; every bad row a record or a finding naming file and row."""
    records = [item for item in items if not isinstance(item, DataQualityFinding)]
    findings = [item for item in items if isinstance(item, DataQualityFinding)]
    assert all(isinstance(record, RECORD[kind]) for record in records)
    ids = {record.id for record in records}
    assert {f"GOOD-{i}" for i in range(good)} <= ids
    for finding in findings:
        assert finding.source == path and finding.row in bad_rows.values(), finding
    finding_rows = {finding.row for finding in findings}
    for bad_id, row in bad_rows.items():
        assert bad_id in ids or row in finding_rows, (bad_id, row, findings)
    for record in records:  # nothing out of range slipped through as a number
        for name in TIME_FIELDS:
            value = getattr(record, name, None)
            assert value is None or 1900 <= value.year <= 2199, (record.id, name, value)


# ------------------------------------------------------------- fuzzed sources


@pytest.mark.parametrize("kind", list(KINDS))
@FUZZ
@given(bad=BAD_ROWS)
def test_csv_bad_rows_are_findings(tmp_path: Path, kind: str, bad: list[list[str]]) -> None:
    header, _ = KINDS[kind]
    rows = interleave(kind, bad)
    text = "\n".join(",".join(row) for row in [header, *rows]) + "\n"
    (tmp_path / "f.csv").write_text(text, encoding="utf-8")
    items = read(CsvSource, kind, tmp_path, path="f.csv")
    bad_rows = {
        row[0]: number for number, row in enumerate(rows, start=2) if row[0].startswith("BAD")
    }
    check_outcome(kind, items, bad_rows, len(bad) + 1, "f.csv")
    for number, row in enumerate(rows, start=2):  # a short or long row is never a record
        if len(row) != len(header):
            assert any(getattr(i, "row", None) == number for i in items)
            assert row[0] not in {getattr(i, "id", None) for i in items}


JSON_VALUES = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), PLAIN,
        st.sampled_from(BAD_TIMES), st.sampled_from(["2025-10-09T10:00", "P1", "erp", "5"]),
    ),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(PLAIN, children, max_size=3),
    max_leaves=8,
)  # fmt: skip
#: Raw JSON Lines that are not ordinary objects.
ODD_LINES = [
    "[" * 5000 + "]" * 5000,  # nested deeper than the recursion limit
    '{"id": "X", "priority": ' + "9" * 5000 + "}",  # a 5,000-digit number
    '{"id": "X", "service": "\\ud800"}',  # a lone surrogate
    '{"id": "X", "history": ' + "[" * 900 + "]" * 900 + "}",  # deep but parseable
    "[1, 2]",
    '"text"',
    "{not json",
    '{"id": "X", "priority": 1e999}',
]


@pytest.mark.parametrize("kind", list(KINDS))
@FUZZ
@given(
    bad=st.lists(
        st.one_of(
            st.dictionaries(st.sampled_from(KINDS["tickets"][0][1:] + KINDS["outages"][0][1:]
                                            + KINDS["changes"][0][1:] + KINDS["surveys"][0][1:]
                                            + ["history", "attributes", "x"]),
                            JSON_VALUES, max_size=6),
            st.sampled_from(ODD_LINES),
            st.just("HUGE"),
        ),
        min_size=1,
        max_size=4,
    )
)  # fmt: skip
def test_jsonl_bad_lines_are_findings(tmp_path: Path, kind: str, bad: list[Any]) -> None:
    header, good = KINDS[kind]
    lines, bad_rows = [], {}
    for i in range(len(bad) + 1):
        lines.append(json.dumps(dict(zip(header, good(i), strict=True))))
        if i < len(bad):
            item = bad[i]
            if item == "HUGE":
                item = {"id": f"BAD-{i}", header[1]: "x" * HUGE}
            if isinstance(item, dict):
                lines.append(json.dumps({**item, "id": f"BAD-{i}"}))
            else:
                lines.append(item.replace('"X"', f'"BAD-{i}"'))
            bad_rows[f"BAD-{i}"] = len(lines)
    (tmp_path / "f.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = read(JsonLinesSource, kind, tmp_path, path="f.jsonl")
    check_outcome(kind, items, bad_rows, len(bad) + 1, "f.jsonl")


XLSX_CELLS = st.one_of(
    st.text(st.characters(blacklist_categories=["Cs", "Cc"]), max_size=12),  # no XML-illegal text st.floats(allow_nan=False, allow_infinity=False), st.integers(-(10**15), 10**15),
    st.booleans(), st.sampled_from(BAD_TIMES), st.just("HUGE"),
    st.sampled_from([datetime(1899, 12, 30), datetime(9999, 12, 31), datetime(2025, 10, 9, 10)]),
)  # fmt: skip


@pytest.mark.parametrize("kind", list(KINDS))
@settings(FUZZ, max_examples=15)
@given(bad=st.lists(st.lists(XLSX_CELLS, max_size=10), min_size=1, max_size=3))
def test_xlsx_bad_rows_are_findings(tmp_path: Path, kind: str, bad: list[list[Any]]) -> None:
    header, _ = KINDS[kind]
    rows = interleave(kind, bad)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in [header, *rows]:
        sheet.append(row)
    workbook.save(tmp_path / "f.xlsx")
    items = read(XlsxSource, kind, tmp_path, path="f.xlsx")
    bad_rows = {
        row[0]: number for number, row in enumerate(rows, start=2) if row[0].startswith("BAD")
    }
    check_outcome(kind, items, bad_rows, len(bad) + 1, "f.xlsx")
    for number, row in enumerate(rows, start=2):  # a value right of the header is a finding
        if len(row) > len(header) and any(cell not in ("", None) for cell in row[len(header) :]):
            assert any(getattr(i, "row", None) == number for i in items)


SN_HEADER = [
    "number", "incident_state", "sys_mod_count", "sys_updated_at", "opened_at", "priority",
    "resolved_at", "closed_at",
]  # fmt: skip


def sn_good(i: int) -> list[list[str]]:
    """Two audit rows of incident GOOD-i (New, then Resolved)."""
    opened = "9/10/2025 10:00"
    return [
        [f"GOOD-{i}", "New", "0", opened, opened, "2 - High", "?", "?"],
        [f"GOOD-{i}", "Resolved", "1", "9/10/2025 12:00", opened, "2 - High", "9/10/2025 12:00", "?"],
    ]  # fmt: skip


SN_BAD_TIMES = ["1/1/0001 00:00", "31/12/9999 23:59", "31/12/1899 23:59", "30/2/2025 10:00"]


@FUZZ
@given(
    bad=st.lists(
        st.lists(st.one_of(CELLS, st.sampled_from(SN_BAD_TIMES)), min_size=0, max_size=10),
        min_size=1,
        max_size=4,
    )
)
def test_servicenow_audit_bad_rows_are_findings(tmp_path: Path, bad: list[list[str]]) -> None:
    rows = sn_good(0)
    bad_rows: dict[str, int] = {}
    for i, cells in enumerate(bad):
        rows.append(bad_row(cells, i))
        bad_rows[f"BAD-{i}"] = len(rows) + 1
        rows += sn_good(i + 1)
    text = "\n".join(",".join(row) for row in [SN_HEADER, *rows]) + "\n"
    (tmp_path / "sn.csv").write_text(text, encoding="utf-8")
    options = converter.structure({"path": "sn.csv"}, ServiceNowAuditOptions)
    source = ServiceNowAuditSource(
        options, SourceContext(name="sn", kind="tickets", base_dir=tmp_path)
    )
    items = list(source.read())
    check_outcome("tickets", items, bad_rows, len(bad) + 1, "sn.csv")
    tickets = [item for item in items if isinstance(item, Ticket)]
    assert len({ticket.id for ticket in tickets}) == len(tickets)  # a bad row splits no ticket
    for ticket in tickets:
        if ticket.id.startswith("GOOD"):
            assert (ticket.priority, ticket.resolved) == (
                "P2",
                datetime.fromisoformat("2025-10-09T12:00+08:00"),
            )


# --------------------------------------------------------- specific bad rows


def csv_items(tmp_path: Path, text: str, kind: str = "tickets", **options: Any) -> list[Any]:
    (tmp_path / "t.csv").write_text(text, encoding="utf-8")
    return read(CsvSource, kind, tmp_path, path="t.csv", **options)


def findings_of(items: list[Any]) -> list[tuple[int | None, str]]:
    return [(item.row, item.reason) for item in items if isinstance(item, DataQualityFinding)]


def test_a_short_row_is_a_finding_not_an_open_ticket(tmp_path: Path) -> None:
    text = "id,priority,opened,first_response,resolved\nT1,P1,2025-10-09T10:00\nT2,P1,2025-10-09T10:00,2025-10-09T10:05,2025-10-09T11:00\n"
    items = csv_items(tmp_path, text)
    assert findings_of(items) == [(2, "expected 5 columns, got 3")]
    assert [item.id for item in items if isinstance(item, Ticket)] == ["T2"]


def test_a_huge_cell_is_a_finding_and_reading_goes_on(tmp_path: Path) -> None:
    text = (
        f"id,opened,category\nT1,2025-10-09T10:00,{'x' * (MAX_FIELD + 1)}\nT2,2025-10-09T10:00,db\n"
    )
    items = csv_items(tmp_path, text)
    limit = csv.field_size_limit()
    assert findings_of(items) == [
        (2, f"a cell longer than {limit} characters; expected at most {limit}")
    ]
    assert [item.id for item in items if isinstance(item, Ticket)] == ["T2"]


def test_a_stray_quote_is_a_finding_for_its_row(tmp_path: Path) -> None:
    items = csv_items(tmp_path, 'id,opened\n"T1"x,2025-10-09T10:00\nT2,2025-10-09T10:00\n')
    assert [row for row, _ in findings_of(items)] == [2]
    assert "malformed CSV row" in findings_of(items)[0][1]
    assert [item.id for item in items if isinstance(item, Ticket)] == ["T2"]


def test_a_5000_digit_number_is_a_finding(tmp_path: Path) -> None:
    items = csv_items(
        tmp_path,
        f"id,opened,priority,satisfaction\nT1,2025-10-09T10:00,{'1' * 5000},\nT2,2025-10-09T10:00,P1,{'9' * 5000}\n",
    )
    reasons = findings_of(items)
    assert [row for row, _ in reasons] == [2, 3]
    assert "priority" in reasons[0][1] and "satisfaction" in reasons[1][1]
    (tmp_path / "t.jsonl").write_text(
        '{"id": "T1", "score": '
        + "9" * 5000
        + '}\n{"id": "T2", "answered": "2025-10-09T10:00", "score": 4}\n'
    )
    items = read(JsonLinesSource, "surveys", tmp_path, path="t.jsonl")
    assert findings_of(items) == [
        (
            1,
            "not usable JSON (Exceeds the limit (4300 digits) for integer string conversion: value has 5000 digits); expected ordinary numbers",
        )
    ]
    assert [item.id for item in items if isinstance(item, SurveyResponse)] == ["T2"]


def test_deep_json_and_surrogates_are_findings(tmp_path: Path) -> None:
    lines = [
        '{"id": "T1", "opened": "2025-10-09T10:00", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"id": "T2", "opened": "2025-10-09T10:00", "category": "\\udc80"}',
        '{"id": "T3", "opened": "2025-10-09T10:00"}',
    ]
    (tmp_path / "t.jsonl").write_text("\n".join(lines) + "\n")
    items = read(JsonLinesSource, "tickets", tmp_path, path="t.jsonl")
    assert findings_of(items) == [
        (1, "not usable JSON (nested too deeply); expected a flat object"),
        (2, "not usable JSON (a lone surrogate \\uD800-\\uDFFF escape); expected real characters"),
    ]
    assert [item.id for item in items if isinstance(item, Ticket)] == ["T3"]


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("when", ["0001-01-01T00:00", "9999-12-31T23:59", "0001-01-01T00:00+08:00"])
def test_out_of_range_times_are_findings_for_every_kind(
    tmp_path: Path, kind: str, when: str
) -> None:
    header, good = KINDS[kind]
    column = next(name for name in header if name in TIME_FIELDS)
    row = good(1)
    row[header.index(column)] = when
    text = "\n".join(",".join(r) for r in [header, row, good(2)]) + "\n"
    items = csv_items(tmp_path, text, kind)
    assert findings_of(items) == [
        (2, f"column {column!r}: expected a time in the years 1900-2199, got {when!r}")
    ]
    assert [item.id for item in items if not isinstance(item, DataQualityFinding)] == ["GOOD-2"]


def test_out_of_range_history_and_events_are_findings(tmp_path: Path) -> None:
    (tmp_path / "t.jsonl").write_text(
        '{"id": "T1", "opened": "2025-10-09T10:00", "history": [["9999-01-01T00:00", "Active"]]}\n'
    )
    items = read(JsonLinesSource, "tickets", tmp_path, path="t.jsonl")
    assert [(item.row, item.record_id) for item in items] == [(1, "T1")]
    (tmp_path / "t.csv").write_text("id,opened\nT1,2025-10-09T10:00\n")
    (tmp_path / "e.csv").write_text(
        "ticket_id,time,status\nT1,0001-01-01T00:00,Active\nT1,2025-10-09T11:00\n"
    )
    items = read(CsvSource, "tickets", tmp_path, path="t.csv", events="e.csv")
    assert [(i.source, i.row) for i in items if isinstance(i, DataQualityFinding)] == [
        ("e.csv", 2),
        ("e.csv", 3),
    ]
    assert [i.id for i in items if isinstance(i, Ticket)] == ["T1"]


# ------------------------------------------------------------ corrupt xlsx


def xlsx_variant(tmp_path: Path, change: Callable[[str], str]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Tickets"
    sheet.append(["id", "opened", "satisfaction"])
    for i in range(1, 4):
        sheet.append([f"T{i}", datetime(2025, 10, i, 9), 4])
    good = tmp_path / "good.xlsx"
    workbook.save(good)
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = change(data.decode()).encode()
            zout.writestr(info, data)
    return bad


def test_an_excel_date_out_of_range_is_a_finding_for_its_row(tmp_path: Path) -> None:
    xlsx_variant(tmp_path, lambda xml: xml.replace("<v>45932.375</v>", "<v>1e10</v>", 1))
    items = read(XlsxSource, "tickets", tmp_path, path="bad.xlsx")
    assert findings_of(items) == [(3, "column 'opened': expected an ISO 8601 time, got '#VALUE!'")]
    assert [i.id for i in items if isinstance(i, Ticket)] == ["T1", "T3"]


@pytest.mark.parametrize(
    "change",
    [
        lambda xml: xml.replace("<v>45932.375</v>", "<v>not a number</v>", 1),
        lambda xml: xml[: xml.index('<row r="3"') + 30],  # truncated sheet
    ],
    ids=["bad number", "truncated"],
)
def test_a_corrupt_sheet_names_file_sheet_and_row(
    tmp_path: Path, change: Callable[[str], str]
) -> None:
    path = xlsx_variant(tmp_path, change)
    source = XlsxSource(converter.structure({"path": "bad.xlsx"}, XlsxSource.options_class),
                        SourceContext(name="x", kind="tickets", base_dir=tmp_path))  # fmt: skip
    read_so_far: list[Any] = []
    with pytest.raises(SourceError) as caught:
        read_so_far.extend(source.read())
    assert str(caught.value).startswith(
        f"{path}, sheet 'Tickets', row 3: the sheet is corrupt from here on ("
    )


def test_a_workbook_that_is_no_zip_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(SourceError, match=r"bad\.xlsx: cannot be read as an \.xlsx workbook"):
        read(XlsxSource, "tickets", tmp_path, path="bad.xlsx")


# ------------------------------------------------------ config and the CLI

CONFIG = """
[calendars.office]
preset = "china"
timezone = "Asia/Shanghai"
[slas.gold]
calendar = "office"
[slas.gold.targets.response]
P1 = "15m"
[slas.gold.targets.resolution]
P1 = "4h"
[sources.t]
plugin = "csv"
kind = "tickets"
path = "t.csv"
[projects.a]
sla = "gold"
sources = ["t"]
"""
TICKETS = (
    "id,priority,opened,first_response,resolved\n"
    "T1,P1,2025-10-01T10:00,2025-10-01T10:05,2025-10-01T11:00\n"
    "T2,P1,2025-10-02T10:00\n"
    "T3,P1,0001-01-01T00:00,,\n"
    "T4,P1,9999-12-31T23:59,,\n"
)


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    (tmp_path / "t.csv").write_text(TICKETS, encoding="utf-8")
    path = tmp_path / "itsskit.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def one_clean_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--period", "9999", "Error: --period: period '9999': expected a year 1900-2199"),
        ("--period", "0001-01", "Error: --period: period '0001-01': expected a year 1900-2199"),
        ("--period", "2200-Q1", "Error: --period: period '2200-Q1': expected a year 1900-2199"),
        ("--at", "0001-01-01T00:00", "Error: --at '0001-01-01T00:00': expected a time in the years 1900-2199"),
        ("--at", "9999-12-31T23:59+08:00", "Error: --at '9999-12-31T23:59+08:00': expected a time in the years 1900-2199"),
    ],
)  # fmt: skip
def test_out_of_range_at_and_period_are_usage_errors(
    config_path: Path, option: str, value: str, message: str
) -> None:
    args = {"--period": "2025-10", "--at": "2025-11-01T00:00", option: value}
    code, _, stderr = run(
        "kpi", str(config_path), "--project", "a", *[x for kv in args.items() for x in kv]
    )
    assert code == 2 and one_clean_line(stderr) == message


def test_sla_evaluate_survives_out_of_range_rows(config_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "clocks.csv"
    code, stdout, stderr = run("sla", "evaluate", str(config_path), "--project", "a",
                               "--at", "2025-11-01T00:00", "--output", str(out))  # fmt: skip
    assert code == 0 and "Traceback" not in stderr
    assert "row 3: expected 5 columns, got 3" in stderr
    assert "row 4, record T3: column 'opened': expected a time in the years 1900-2199" in stderr
    assert "row 5, record T4: column 'opened': expected a time in the years 1900-2199" in stderr
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    assert {row[0] for row in rows[1:]} == {"T1"}  # the short row T2 is no open breach


def test_the_real_cli_prints_one_line_for_an_out_of_range_period(config_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "itsskit", "kpi", str(config_path), "--project", "a", "--period", "9999"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert (
        one_clean_line(result.stderr) == "Error: --period: period '9999': expected a year 1900-2199"
    )


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        (
            '"99999999999999h"',
            "slas.gold.targets.resolution.P1",
            "too long; expected at most 87600h",
        ),
        ('"87601h"', "slas.gold.targets.resolution.P1", "too long; expected at most 87600h"),
        (
            f'"{"9" * 5000}s"',
            "slas.gold.targets.resolution.P1",
            "too long; expected at most 87600h",
        ),
    ],
)
def test_overflowing_durations_are_config_errors(
    config_path: Path, text: str, key: str, expected: str
) -> None:
    config_path.write_text(CONFIG.replace('P1 = "4h"', f"P1 = {text}"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config_path)
    assert len(caught.value.errors) == 1
    assert caught.value.errors[0].startswith(f"{config_path}: {key}: bad duration ")
    assert expected in caught.value.errors[0]
    code, _, stderr = run("kpi", str(config_path), "--period", "2025-10")
    assert code == 2 and key in one_clean_line(stderr)


def test_the_longest_duration_is_accepted() -> None:
    assert parse_duration("87600h") == 87600 * 3600


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("foo://host/db", "unknown database driver 'foo'"),
        ("postgresql+nosuch://u:secret@host/db", "unknown database driver 'postgresql+nosuch'"),
        ("mysql+nosuchdriver://u:secret@h/db", "unknown database driver 'mysql+nosuchdriver'"),
        ("://x", "expected a SQLAlchemy URL"),
        ("sqlite://[::1", "expected a SQLAlchemy URL"),
    ],
)
def test_unknown_storage_drivers_are_config_errors(
    config_path: Path, url: str, expected: str
) -> None:
    config_path.write_text(CONFIG + f'[storage]\nurl = "{url}"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config_path)
    [error] = caught.value.errors
    assert error.startswith(f"{config_path}: storage.url: ") and expected in error
    assert "secret" not in error


def test_periods_past_the_supported_years() -> None:
    assert Period.parse("2199-12").end.year == 2200  # the last supported month
    with pytest.raises(ValueError, match="expected a year 1900-2199"):
        Period.parse("1899")
    assert Period.parse("1900-02").shift(-12).label == "1899-02"  # history may reach back

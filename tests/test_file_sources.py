"""Tests for the CSV, JSON Lines and Excel sources and the row rules of itsskit.records."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import cattrs
import openpyxl
import pluggy
import pytest

from itsskit import hookspecs
from itsskit.builtin import file_sources
from itsskit.builtin.file_sources import CsvSource, JsonLinesSource, XlsxSource
from itsskit.contracts import RECORD_KINDS, Registry, Source, SourceContext, SourceRegistry
from itsskit.converter import converter
from itsskit.models import (
    Change,
    DataQualityFinding,
    Outage,
    StatusChange,
    SurveyKind,
    SurveyResponse,
    Ticket,
    TicketKind,
)
from itsskit.records import (
    RowError,
    SourceError,
    parse_bool,
    parse_int,
    parse_priority,
    parse_time,
    ticket_from_row,
)

SH = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


def read(source: type[Source], kind: str, base: Path, **options: Any) -> list[Any]:
    """Structure ``options`` like a TOML table and read everything the source yields."""
    structured = converter.structure(options, source.options_class)
    context = SourceContext(name="test", kind=kind, base_dir=base)
    return list(source(structured, context).read())


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


# ------------------------------------------------------------------- row rules


@pytest.mark.parametrize(
    ("text", "expected"),
    [("P1", "P1"), ("p2", "P2"), ("3", "P3"), (" 4 ", "P4"), ("1 - Critical", "P1"), (2, "P2")],
)
def test_priority_forms(text: object, expected: str) -> None:
    assert parse_priority(text) == expected


@pytest.mark.parametrize("text", ["High", "P", "-1", True])
def test_bad_priority_names_the_column(text: object) -> None:
    with pytest.raises(RowError) as caught:
        parse_priority(text, column="Prio")
    assert caught.value.column == "Prio"
    assert "P1..P4" in caught.value.expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("FALSE", False), ("1", True), ("0", False), ("Yes", True), ("no", False),
     ("", False), (None, False), (True, True), (0, False)],
)  # fmt: skip
def test_booleans(value: object, expected: bool) -> None:
    assert parse_bool(value, column="major") is expected


def test_bad_boolean_and_integer() -> None:
    with pytest.raises(RowError, match="true/false"):
        parse_bool("maybe", column="major")
    with pytest.raises(RowError, match="an integer"):
        parse_int("4.5", column="score")
    assert parse_int(4.0, column="score") == 4
    assert parse_int(" 7 ", column="score") == 7


def test_naive_time_is_in_the_given_zone_never_utc() -> None:
    parsed = parse_time("2025-10-09 09:00", timezone="Asia/Shanghai")
    assert parsed == datetime(2025, 10, 9, 1, 0, tzinfo=UTC)
    berlin = parse_time("2025-07-01T12:00", timezone="Europe/Berlin")
    assert berlin is not None and berlin.utcoffset() == timedelta(hours=2)
    offset = parse_time("2025-10-09T09:00:00-05:00", timezone="Asia/Shanghai")
    assert offset == datetime(2025, 10, 9, 14, 0, tzinfo=UTC)
    assert parse_time(" ", timezone="Asia/Shanghai") is None


def test_unknown_timezone_is_a_source_error(tmp_path: Path) -> None:
    write(tmp_path / "t.csv", "id,opened\n")
    with pytest.raises(SourceError, match="Mars/Olympus"):
        read(CsvSource, "tickets", tmp_path, path="t.csv", timezone="Mars/Olympus")


def test_renamed_column_is_not_also_an_attribute() -> None:
    row = {"Number": "A1", "opened": "2025-10-09 09:00", "Prio": "2", "Site": "KM"}
    ticket = ticket_from_row(row, timezone="UTC", columns={"id": "Number", "priority": "Prio"})
    assert ticket.id == "A1"
    assert ticket.priority == "P2"
    assert ticket.attributes == {"Site": "KM"}


# ------------------------------------------------------------------------- CSV

TICKETS_CSV = """\
Number,Opened At,priority,resolved,major,kind,Team,satisfaction
T1,2025-10-09 09:00,P2,2025-10-09T11:30:00+00:00,yes,request,Ops,5
T2,2025-10-09 10:00,1,,no,,,
T3,not-a-time,P3,,false,,,
T4,2025-10-10T08:00:00+08:00,p4,,TRUE,incident,Net,
"""
EVENTS_CSV = """\
ticket_id,time,status
T1,2025-10-09 10:00,Awaiting User Info
T1,2025-10-09 09:30,Active
T9,2025-10-09 09:30,Active
T2,bad,Active
"""


def test_csv_tickets_with_renamed_columns_events_and_a_bad_row(tmp_path: Path) -> None:
    write(tmp_path / "tickets.csv", TICKETS_CSV)
    write(tmp_path / "events.csv", EVENTS_CSV)
    out = read(
        CsvSource, "tickets", tmp_path, path="tickets.csv", events="events.csv",
        columns={"id": "Number", "opened": "Opened At"},
    )  # fmt: skip
    bad_event, t1, t2, bad_row, t4, orphan = out
    assert bad_event == DataQualityFinding(
        record_id="T2",
        reason="column 'time': expected an ISO 8601 time, got 'bad'",
        source="events.csv",
        row=5,
    )
    assert t1 == Ticket(
        id="T1",
        kind=TicketKind.REQUEST,
        priority="P2",
        opened=sh(2025, 10, 9, 9, 0),
        resolved=datetime(2025, 10, 9, 11, 30, tzinfo=UTC),
        major=True,
        satisfaction=5,
        history=(
            StatusChange(at=sh(2025, 10, 9, 9, 30), status="Active"),
            StatusChange(at=sh(2025, 10, 9, 10, 0), status="Awaiting User Info"),
        ),
        attributes={"Team": "Ops"},
    )
    assert t1.opened is not None and t1.opened.utcoffset() == timedelta(hours=8)
    assert t2 == Ticket(id="T2", priority="P1", opened=sh(2025, 10, 9, 10, 0))
    assert bad_row == DataQualityFinding(
        record_id="T3",
        reason="column 'Opened At': expected an ISO 8601 time, got 'not-a-time'",
        source="tickets.csv",
        row=4,
    )
    assert t4 == Ticket(
        id="T4",
        priority="P4",
        opened=datetime(2025, 10, 10, 0, 0, tzinfo=UTC),
        major=True,
        attributes={"Team": "Net"},
    )
    assert orphan.record_id == "T9" and "not in tickets.csv" in orphan.reason


def test_gzipped_csv_outages_in_another_timezone(tmp_path: Path) -> None:
    text = (
        "id,service,start,end,planned,cause\n"
        "O1,erp,2025-10-01 02:00,2025-10-01 03:30,true,patch\n"
        "\n"
        "O2,erp,2025-10-05T10:00:00Z,,0,disk\n"
        "O3,,2025-10-06 10:00,,,\n"
    )
    with gzip.open(tmp_path / "outages.csv.gz", "wt", encoding="utf-8") as stream:
        stream.write(text)
    out = read(CsvSource, "outages", tmp_path, path="outages.csv.gz", timezone="Europe/Berlin")
    assert out[0] == Outage(
        id="O1",
        service="erp",
        start=datetime(2025, 10, 1, 0, 0, tzinfo=UTC),  # Berlin is UTC+2 in October
        end=datetime(2025, 10, 1, 1, 30, tzinfo=UTC),
        planned=True,
        cause="patch",
    )
    assert out[1] == Outage(
        id="O2", service="erp", start=datetime(2025, 10, 5, 10, tzinfo=UTC), cause="disk"
    )
    assert out[2] == DataQualityFinding(
        record_id="O3",
        reason="column 'service': expected a value, got ''",
        source="outages.csv.gz",
        row=5,  # the blank line 3 still counts
    )
    assert len(out) == 3


def test_csv_changes_with_delimiter_and_encoding(tmp_path: Path) -> None:
    text = (
        "id;service;type;approved;window_start;window_end;title;owner\n"
        "C1;erp;standard;yes;2025-10-11 22:00;2025-10-12 02:00;数据库升级;王强\n"
        "C2;erp;;no;;;;\n"
        "C3;erp;;maybe;;;;\n"
        "C4;erp;;;;;;;extra\n"
    )
    (tmp_path / "changes.csv").write_bytes(text.encode("gbk"))
    out = read(CsvSource, "changes", tmp_path, path="changes.csv", encoding="gbk", delimiter=";")
    assert out[0] == Change(
        id="C1",
        service="erp",
        type="standard",
        approved=True,
        window_start=sh(2025, 10, 11, 22, 0),
        window_end=sh(2025, 10, 12, 2, 0),
        title="数据库升级",
        attributes={"owner": "王强"},
    )
    assert out[1] == Change(id="C2", service="erp")
    assert out[2].row == 4 and "'approved': expected true/false" in out[2].reason
    assert out[3] == DataQualityFinding(
        record_id=None, reason="expected 8 columns, got 9", source="changes.csv", row=5
    )


def test_missing_file_names_the_source_and_path(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        read(CsvSource, "tickets", tmp_path, path="nope.csv")
    message = str(caught.value)
    assert "csv source 'test'" in message and str(tmp_path / "nope.csv") in message


def test_missing_events_file_is_a_source_error(tmp_path: Path) -> None:
    write(tmp_path / "t.csv", "id,opened\n")
    with pytest.raises(SourceError, match="file not found"):
        read(CsvSource, "tickets", tmp_path, path="t.csv", events="ev.csv")


def test_bad_header_names_missing_and_found_columns(tmp_path: Path) -> None:
    write(tmp_path / "t.csv", "ticket,opened,priority\nT1,2025-10-09,P1\n")
    with pytest.raises(SourceError) as caught:
        read(CsvSource, "tickets", tmp_path, path="t.csv")
    message = str(caught.value)
    assert "t.csv" in message and "missing column 'id'" in message
    assert "'ticket'" in message and "'priority'" in message


def test_bad_header_with_renamed_column(tmp_path: Path) -> None:
    write(tmp_path / "t.csv", "id,opened\n")
    with pytest.raises(SourceError, match=r"'Number' \(for 'id'\)"):
        read(CsvSource, "tickets", tmp_path, path="t.csv", columns={"id": "Number"})


def test_events_only_for_tickets(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="only for tickets"):
        read(CsvSource, "outages", tmp_path, path="o.csv", events="e.csv")


def test_wrong_encoding_is_a_source_error(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_bytes("id,opened\nT1,2025-10-09\n工单".encode("gbk"))
    with pytest.raises(SourceError, match="not utf-8-sig text"):
        read(CsvSource, "tickets", tmp_path, path="t.csv")


def test_misspelt_option_is_refused() -> None:
    with pytest.raises(cattrs.ClassValidationError) as caught:
        converter.structure({"path": "x", "pathh": "y"}, CsvSource.options_class)
    assert "pathh" in " ".join(cattrs.transform_error(caught.value))


# ------------------------------------------------------------------ JSON Lines


def test_jsonl_tickets_with_history(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "id": "J1",
                "opened": "2025-10-09T09:00:00",
                "priority": "P1",
                "history": [
                    ["2025-10-09T09:10:00", "Active"],
                    {"time": "2025-10-09T09:05:00+08:00", "status": "New"},
                ],
                "major": True,
                "site": "KM",
                "tags": ["a", "b"],
            }
        ),
        "",
        "not json",
        json.dumps({"id": "J2", "opened": "2025-10-09T09:00:00", "satisfaction": 7}),
        "[1, 2]",
        json.dumps({"id": 3, "opened": None, "attributes": {"vip": True}}),
        json.dumps({"id": "J4", "history": [["2025-10-09T09:10:00"]]}),
    ]
    write(tmp_path / "t.jsonl", "\n".join(lines) + "\n")
    out = read(JsonLinesSource, "tickets", tmp_path, path="t.jsonl", timezone="Asia/Shanghai")
    assert out[0] == Ticket(
        id="J1",
        priority="P1",
        opened=sh(2025, 10, 9, 9, 0),
        major=True,
        history=(
            StatusChange(at=sh(2025, 10, 9, 9, 5), status="New"),
            StatusChange(at=sh(2025, 10, 9, 9, 10), status="Active"),
        ),
        attributes={"site": "KM", "tags": '["a", "b"]'},
    )
    assert (out[1].row, out[1].source) == (3, "t.jsonl")
    assert out[1].reason.startswith("not valid JSON")
    assert out[2] == DataQualityFinding(
        record_id="J2",
        reason="column 'satisfaction': expected an integer 1-5, got 7",
        source="t.jsonl",
        row=4,
    )
    assert out[3] == DataQualityFinding(
        record_id=None, reason="expected a JSON object, got list", source="t.jsonl", row=5
    )
    assert out[4] == Ticket(id="3", attributes={"vip": "true"})
    assert out[5].record_id == "J4" and "[time, status] pairs" in out[5].reason
    assert len(out) == 6


def test_jsonl_gz_surveys(tmp_path: Path) -> None:
    rows = [
        {"id": "S1", "project": "alpha", "ticket": "T1", "answered": "2025-10-12 15:00",
         "score": 4, "kind": "Project", "comment": "好"},
        {"id": "S2", "answered": "2025-10-12T15:00:00+08:00", "score": "5"},
        {"id": "S3", "answered": "2025-10-12T15:00:00+08:00"},
        {"id": "S4", "answered": "2025-10-12T15:00:00+08:00", "score": 3, "kind": "weekly"},
    ]  # fmt: skip
    with gzip.open(tmp_path / "s.jsonl.gz", "wt", encoding="utf-8") as stream:
        stream.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    out = read(JsonLinesSource, "surveys", tmp_path, path="s.jsonl.gz")
    assert out[0] == SurveyResponse(
        id="S1", project="alpha", ticket="T1", answered=sh(2025, 10, 12, 15, 0), score=4,
        kind=SurveyKind.PROJECT, comment="好",
    )  # fmt: skip
    assert out[1] == SurveyResponse(id="S2", answered=sh(2025, 10, 12, 15, 0), score=5)
    assert out[2].row == 3 and "'score': expected an integer 1-5" in out[2].reason
    assert out[3].row == 4 and "callback/project/annual" in out[3].reason


# ----------------------------------------------------------------------- Excel


def test_xlsx_tickets_with_events_sheet_in_the_same_workbook(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    tickets = workbook.active
    assert tickets is not None
    tickets.title = "Tickets"
    tickets.append(["Ticket", "opened", "priority", "major", "resolved", "Owner"])
    tickets.append(
        ["X1", datetime(2025, 10, 9, 9, 0), 2, True, "2025-10-09T12:00:00+08:00", "李娜"]
    )
    tickets.append([1002, "2025-10-09T10:00", "P3", None, None, None])
    tickets.append(["X3", "31/12/2025", "P3", None, None, None])
    tickets.append([None, None, None, None, None, None])
    tickets.append(["X4", datetime(2025, 10, 9, 11, 0), "P9", "no", None, None])
    events = workbook.create_sheet("Events")
    events.append(["ticket_id", "time", "status"])
    events.append(["X1", datetime(2025, 10, 9, 9, 15), "Active"])
    events.append([1002, datetime(2025, 10, 9, 10, 5), "Active"])
    path = tmp_path / "book.xlsx"
    workbook.save(path)

    out = read(
        XlsxSource, "tickets", tmp_path, path="book.xlsx", sheet="Tickets", events="book.xlsx",
        events_sheet="Events", columns={"id": "Ticket"},
    )  # fmt: skip
    assert out[0] == Ticket(
        id="X1",
        priority="P2",
        opened=sh(2025, 10, 9, 9, 0),
        resolved=sh(2025, 10, 9, 12, 0),
        major=True,
        history=(StatusChange(at=sh(2025, 10, 9, 9, 15), status="Active"),),
        attributes={"Owner": "李娜"},
    )
    assert out[1] == Ticket(
        id="1002",
        priority="P3",
        opened=sh(2025, 10, 9, 10, 0),
        history=(StatusChange(at=sh(2025, 10, 9, 10, 5), status="Active"),),
    )
    assert out[2] == DataQualityFinding(
        record_id="X3",
        reason="column 'opened': expected an ISO 8601 time, got '31/12/2025'",
        source="book.xlsx",
        row=4,
    )
    assert out[3] == Ticket(id="X4", priority="P9", opened=sh(2025, 10, 9, 11, 0))
    assert len(out) == 4


def test_xlsx_first_sheet_by_default_and_unknown_sheet(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["id", "service", "start", "end", "planned"])
    sheet.append(["O1", "erp", datetime(2025, 10, 1, 2, 0), datetime(2025, 10, 1, 3, 0), 1])
    workbook.save(tmp_path / "o.xlsx")
    out = read(XlsxSource, "outages", tmp_path, path="o.xlsx")
    fixed = timezone(timedelta(hours=8))
    assert out == [
        Outage(
            id="O1",
            service="erp",
            start=datetime(2025, 10, 1, 2, 0, tzinfo=fixed),
            end=datetime(2025, 10, 1, 3, 0, tzinfo=fixed),
            planned=True,
        )
    ]
    with pytest.raises(SourceError, match="no sheet 'Nope'; sheets: Sheet"):
        read(XlsxSource, "outages", tmp_path, path="o.xlsx", sheet="Nope")


def test_not_a_workbook_is_a_source_error(tmp_path: Path) -> None:
    write(tmp_path / "fake.xlsx", "id,opened\n")
    with pytest.raises(SourceError, match="cannot be read as an .xlsx workbook"):
        read(XlsxSource, "tickets", tmp_path, path="fake.xlsx")


# ----------------------------------------------------------------------- hooks


def test_hooks_register_the_three_formats_for_every_kind() -> None:
    manager = pluggy.PluginManager("itsskit")
    manager.add_hookspecs(hookspecs)
    manager.register(file_sources)
    by_kind: dict[str, Registry[Source]] = {kind: Registry("source") for kind in RECORD_KINDS}
    manager.hook.register_sources(registry=SourceRegistry(by_kind))
    for registry in by_kind.values():
        assert registry.items() == [("csv", CsvSource), ("jsonl", JsonLinesSource),
                                    ("xlsx", XlsxSource)]  # fmt: skip

"""Bad input of every kind: a clear message (file, row or key, what was expected), no
traceback, the documented exit code (2 usage/config, 1 findings/unreadable source) and
no output file created or half-written."""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from itsskit.cli import main
from itsskit.config import ConfigError, load_config

CONFIG = """\
[calendars.office]
preset = "china"

[slas.gold]
calendar = "office"
availability = 0.995
[slas.gold.targets.response]
P1 = "15m"
P2 = "30m"
[slas.gold.targets.resolution]
P1 = "4h"
P2 = "8h"

[services.erp]
name = "ERP"

[sources.tickets]
plugin = "csv"
kind = "tickets"
path = "tickets.csv"

[sources.outages]
plugin = "csv"
kind = "outages"
path = "outages.csv"

[projects.alpha]
sla = "gold"
services = ["erp"]
sources = ["tickets", "outages"]

[reports.alpha-monthly]
project = "alpha"
title = "T"
"""
TICKETS = (
    "id,opened,priority,first_response,resolved\n"
    "T1,2025-10-09T09:00,P1,2025-10-09T09:05,2025-10-09T10:00\n"
)
OUTAGES = "id,service,start,end\nO1,erp,2025-10-09T09:00,2025-10-09T10:00\n"
AT = "2025-11-01T00:00+08:00"


def make(tmp_path: Path, config: str = CONFIG, **files: str | bytes) -> Path:
    """The config and its data files in ``tmp_path``; returns the config's path."""
    contents: dict[str, str | bytes] = {"tickets.csv": TICKETS, "outages.csv": OUTAGES}
    contents.update({name.replace("__", "."): data for name, data in files.items()})
    for name, data in contents.items():
        target = tmp_path / name
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data, encoding="utf-8")
    path = tmp_path / "itsskit.toml"
    path.write_text(config, encoding="utf-8")
    return path


def cli(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, [str(arg) for arg in args])
    assert isinstance(result.exception, SystemExit | None), result.exception
    assert "Traceback" not in result.output
    return result


def check(config: Path) -> Result:
    return cli("sources", "check", config)


def replaced(old: str, new: str) -> str:
    assert old in CONFIG
    return CONFIG.replace(old, new, 1)


# ------------------------------------------------------------ configuration: exit 2

CONFIG_CASES = [
    ("invalid TOML", CONFIG + "\n[broken\n", "", "invalid TOML: Expected ']'"),
    (
        "list for a string",
        replaced('calendar = "office"', 'calendar = ["office"]'),
        "slas.gold.calendar",
        "expected a string, got list ['office']",
    ),
    (
        "string for a list",
        replaced('services = ["erp"]', 'services = "erp"'),
        "projects.alpha.services",
        "expected a list, got str 'erp'",
    ),
    (
        "number for a duration",
        replaced('P1 = "4h"', "P1 = 4"),
        "slas.gold.targets.resolution.P1",
        'expected a duration string like "15m", "4h" or "1h30m", got int 4',
    ),
    (
        "negative duration",
        replaced('P1 = "4h"', 'P1 = "-4h"'),
        "slas.gold.targets.resolution.P1",
        "bad duration '-4h': expected a duration like",
    ),
    (
        "zero duration",
        replaced('P1 = "4h"', 'P1 = "0m"'),
        "slas.gold.targets.resolution.P1",
        "a target must be longer than zero",
    ),
    (
        "days",
        replaced('P1 = "4h"', 'P1 = "1d"'),
        "slas.gold.targets.resolution.P1",
        "no days",
    ),
    (
        "availability as a percentage",
        replaced("availability = 0.995", "availability = 99.5"),
        "slas.gold.availability",
        "expected a fraction in [0, 1] (0.995 for 99.5 %), got 99.5",
    ),
    (
        "lower-case priority key",
        replaced('P1 = "4h"', 'p1 = "4h"'),
        "slas.gold.targets.resolution.p1",
        "unknown priority 'p1': expected P1, P2, ...",
    ),
    (
        "priority name",
        replaced('P1 = "15m"', 'High = "15m"'),
        "slas.gold.targets.response.High",
        "unknown priority 'High'",
    ),
    (
        "priority_at",
        replaced("availability = 0.995", 'priority_at = "close"'),
        "slas.gold.priority_at",
        "expected 'resolution' or 'opening', got 'close'",
    ),
    (
        "max_failures as text",
        replaced("availability = 0.995", 'max_failures = "2"'),
        "slas.gold.max_failures",
        "expected an integer, got str '2'",
    ),
    (
        "max_failures negative",
        replaced("availability = 0.995", "max_failures = -1"),
        "slas.gold.max_failures",
        "expected 0 or more, got -1",
    ),
    (
        "effective_to before effective_from",
        replaced("availability = 0.995", "effective_from = 2025-06-01\neffective_to = 2025-01-01"),
        "slas.gold.effective_to",
        "expected a date after effective_from 2025-06-01, got 2025-01-01",
    ),
    (
        "SLA without targets",
        replaced(
            '[slas.gold.targets.response]\nP1 = "15m"\nP2 = "30m"\n'
            '[slas.gold.targets.resolution]\nP1 = "4h"\nP2 = "8h"\n',
            "",
        ),
        "slas.gold.targets",
        "no targets: expected [slas.gold.targets.response]",
    ),
    ("unknown top-level table", CONFIG + "[foo]\nx = 1\n", "foo", "unknown table"),
    (
        "unknown SLA key",
        replaced("availability = 0.995", "availabilty = 0.995"),
        "slas.gold",
        "unknown key(s) availabilty (allowed: calendar,",
    ),
    (
        "unknown target kind",
        CONFIG + '[slas.gold.targets.respons]\nP1 = "1h"\n',
        "slas.gold.targets",
        "unknown key(s) respons (allowed: response, resolution, turnaround)",
    ),
    (
        "unknown calendar key",
        replaced('preset = "china"', 'preset = "china"\nhour = []'),
        "calendars.office",
        "unknown key(s) hour",
    ),
    (
        "unknown project key",
        replaced('sla = "gold"', 'sla = "gold"\nslas = "gold"'),
        "projects.alpha",
        "unknown key(s) slas",
    ),
    (
        "unknown report key",
        replaced('title = "T"', 'titel = "T"'),
        "reports.alpha-monthly",
        "unknown key(s) titel",
    ),
    (
        "misspelt source option",
        replaced('path = "tickets.csv"', 'pth = "tickets.csv"'),
        "sources.tickets",
        "unknown key(s) pth (allowed: path, events, timezone, columns, encoding, delimiter)",
    ),
    (
        "missing SLA calendar",
        replaced('calendar = "office"\n', ""),
        "slas.gold.calendar",
        "required key missing",
    ),
    (
        "unknown calendar",
        replaced('calendar = "office"', 'calendar = "offise"'),
        "slas.gold.calendar",
        "unknown calendar 'offise' (known: office)",
    ),
    (
        "unknown preset",
        replaced('preset = "china"', 'preset = "chna"'),
        "calendars.office.preset",
        "unknown calendar preset 'chna' (known: always, china, weekly)",
    ),
    (
        "unknown SLA",
        replaced('sla = "gold"', 'sla = "golld"'),
        "projects.alpha.sla",
        "unknown SLA 'golld' (known: gold)",
    ),
    (
        "unknown service",
        replaced('services = ["erp"]', 'services = ["crm"]'),
        "projects.alpha.services",
        "unknown service 'crm' (known: erp)",
    ),
    (
        "unknown source",
        replaced('sources = ["tickets", "outages"]', 'sources = ["tix"]'),
        "projects.alpha.sources",
        "unknown source 'tix' (known: outages, tickets)",
    ),
    (
        "unknown report project",
        replaced('project = "alpha"', 'project = "beta"'),
        "reports.alpha-monthly.project",
        "unknown project 'beta' (known: alpha)",
    ),
    (
        "unknown plugin",
        replaced('plugin = "csv"\nkind = "tickets"', 'plugin = "cvs"\nkind = "tickets"'),
        "sources.tickets.plugin",
        "unknown ticket source 'cvs' (known: csv,",
    ),
    (
        "unknown kind",
        replaced('kind = "tickets"', 'kind = "ticket"'),
        "sources.tickets.kind",
        "expected one of tickets, outages, changes, surveys, got 'ticket'",
    ),
    (
        "missing path",
        replaced('path = "tickets.csv"\n', ""),
        "sources.tickets.path",
        "required key missing",
    ),
    (
        "missing file",
        replaced('path = "tickets.csv"', 'path = "nope.csv"'),
        "sources.tickets.path",
        "file not found: ",
    ),
    (
        "folder for a file",
        replaced('path = "tickets.csv"', 'path = "."'),
        "sources.tickets.path",
        "is a folder, expected a file",
    ),
    (
        "number for a path",
        replaced('path = "tickets.csv"', "path = 3"),
        "sources.tickets.path",
        "expected a string, got int 3",
    ),
    (
        "source timezone",
        replaced('path = "tickets.csv"', 'path = "tickets.csv"\ntimezone = "Nowhere/X"'),
        "sources.tickets.timezone",
        "unknown timezone 'Nowhere/X': expected an IANA name",
    ),
    (
        "source encoding",
        replaced('path = "tickets.csv"', 'path = "tickets.csv"\nencoding = "klingon"'),
        "sources.tickets.encoding",
        "unknown encoding 'klingon'",
    ),
    (
        "delimiter",
        replaced('path = "tickets.csv"', 'path = "tickets.csv"\ndelimiter = ";;"'),
        "sources.tickets",
        "delimiter: expected one character, got ';;'",
    ),
    (
        "events for outages",
        replaced('path = "outages.csv"', 'path = "outages.csv"\nevents = "tickets.csv"'),
        "sources.outages",
        "'events' is only for tickets, not outages",
    ),
    (
        "columns as a list",
        replaced('path = "tickets.csv"', 'path = "tickets.csv"\ncolumns = ["id"]'),
        "sources.tickets.columns",
        "expected a mapping",
    ),
    (
        "project timezone",
        replaced('sla = "gold"', 'sla = "gold"\ntimezone = "Bad/Zone"'),
        "projects.alpha.timezone",
        "unknown timezone 'Bad/Zone'",
    ),
    (
        "report language",
        replaced('title = "T"', 'title = "T"\nlanguage = "fr"'),
        "reports.alpha-monthly.language",
        "expected one of zh-CN, en, got 'fr'",
    ),
    (
        "report template",
        replaced('title = "T"', 'title = "T"\ntemplate = "nope.docx"'),
        "reports.alpha-monthly.template",
        'expected "default" or an existing .docx/template file, not found: ',
    ),
    (
        "report due_days as text",
        replaced('title = "T"', 'title = "T"\ndue_days = "5"'),
        "reports.alpha-monthly.due_days",
        "expected an integer, got str '5'",
    ),
    (
        "report without project",
        replaced('project = "alpha"\n', ""),
        "reports.alpha-monthly.project",
        "required: the id of the project",
    ),
]


@pytest.mark.parametrize(
    ("config", "key", "expected"),
    [case[1:] for case in CONFIG_CASES],
    ids=[case[0] for case in CONFIG_CASES],
)
def test_config_errors_exit_2_naming_file_key_and_expectation(
    tmp_path: Path, config: str, key: str, expected: str
) -> None:
    path = make(tmp_path, config)
    result = check(path)
    assert result.exit_code == 2, result.output
    where = f"{path}: {key}: " if key else f"{path}: "
    line = next((line for line in result.output.splitlines() if where in line), None)
    assert line is not None, result.output
    assert expected in line, line


def test_every_config_error_is_listed_at_once(tmp_path: Path) -> None:
    config = replaced('P1 = "4h"', 'P1 = "1d"').replace('sla = "gold"', 'sla = "golld"')
    result = check(make(tmp_path, config))
    assert result.exit_code == 2
    assert "slas.gold.targets.resolution.P1: bad duration '1d'" in result.output
    assert "projects.alpha.sla: unknown SLA 'golld'" in result.output


def test_config_file_that_is_a_folder_or_not_utf8(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a folder; expected a TOML configuration file"):
        load_config(tmp_path)
    path = tmp_path / "gbk.toml"
    path.write_bytes('[services.erp]\nname = "服务"\n'.encode("gbk"))
    with pytest.raises(ConfigError, match=r"gbk.toml: not UTF-8 text .*save it as UTF-8"):
        load_config(path)
    result = cli("sources", "check", tmp_path)
    assert result.exit_code == 2
    assert "is a directory" in result.output


# ------------------------------------------------------- unreadable files: exit 1


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)  # type: ignore[union-attr]
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


XLSX_CONFIG = replaced(
    'plugin = "csv"\nkind = "tickets"\npath = "tickets.csv"',
    'plugin = "xlsx"\nkind = "tickets"\npath = "t.xlsx"',
)
GZ_CONFIG = replaced('path = "tickets.csv"', 'path = "tickets.csv.gz"')
JSONL_CONFIG = replaced(
    'plugin = "csv"\nkind = "tickets"\npath = "tickets.csv"',
    'plugin = "jsonl"\nkind = "tickets"\npath = "t.jsonl"',
)
EVENTS_CONFIG = replaced('path = "tickets.csv"', 'path = "tickets.csv"\nevents = "ev.csv"')

FILE_CASES: list[tuple[str, str, dict[str, str | bytes], str, str]] = [
    ("empty", CONFIG, {"tickets.csv": ""}, "tickets.csv", "missing column 'id', 'opened'"),
    (
        "header without a required column",
        CONFIG,
        {"tickets.csv": "id,priority\nT1,P1\n"},
        "tickets.csv",
        "missing column 'opened'; columns found: 'id', 'priority'",
    ),
    (
        "duplicate header column",
        CONFIG,
        {"tickets.csv": "id,opened,id\nT1,2025-10-09T09:00,T2\n"},
        "tickets.csv",
        "duplicate column 'id' in the header",
    ),
    (
        "GBK without encoding",
        CONFIG,
        {"tickets.csv": "id,opened,category\nT1,2025-10-09T09:00,服务器\n".encode("gbk")},
        "tickets.csv, line 2",
        "not utf-8-sig text (invalid start byte); expected the source's encoding option to name the file's, e.g. encoding = \"gbk\"",
    ),
    (
        "unclosed quote",
        CONFIG,
        {"tickets.csv": 'id,opened,category\nT1,2025-10-09T09:00,"a\nT2,2025-10-09,b\n'},
        "tickets.csv, line 3",
        "malformed CSV (unexpected end of data); an unclosed quote?",
    ),
    (
        "truncated gzip",
        GZ_CONFIG,
        {"tickets.csv.gz": gzip.compress(TICKETS.encode() * 50)[:-30]},
        "tickets.csv.gz",
        "not a complete gzip file",
    ),
    (
        "not gzip",
        GZ_CONFIG,
        {"tickets.csv.gz": TICKETS},
        "tickets.csv.gz",
        "not a complete gzip file (Not a gzipped file",
    ),
    (
        "xlsx that is a CSV",
        XLSX_CONFIG,
        {"t.xlsx": TICKETS},
        "t.xlsx",
        "cannot be read as an .xlsx workbook",
    ),
    ("xlsx empty sheet", XLSX_CONFIG, {"t.xlsx": _xlsx([])}, "t.xlsx", "missing column 'id'"),
    (
        "xlsx duplicate header",
        XLSX_CONFIG,
        {"t.xlsx": _xlsx([["id", "opened", "opened"]])},
        "t.xlsx",
        "duplicate column 'opened'",
    ),
    (
        "JSON Lines in GBK",
        JSONL_CONFIG,
        {"t.jsonl": '{"id": "T1", "category": "服务器"}\n'.encode("gbk")},
        "t.jsonl, line 1",
        "not utf-8 text",
    ),
    (
        "missing events file",
        EVENTS_CONFIG,
        {},
        "source 'tickets': file not found: ",
        "ev.csv",
    ),
    (
        "events without a required column",
        EVENTS_CONFIG,
        {"ev.csv": "ticket,time\n"},
        "ev.csv",
        "missing column 'ticket_id', 'status'; columns found: 'ticket', 'time'",
    ),
]


@pytest.mark.parametrize(
    ("config", "files", "where", "expected"),
    [case[1:] for case in FILE_CASES],
    ids=[case[0] for case in FILE_CASES],
)
def test_unreadable_files_exit_1_naming_the_file(
    tmp_path: Path, config: str, files: dict[str, str | bytes], where: str, expected: str
) -> None:
    path = make(tmp_path, config, **{name.replace(".", "__"): data for name, data in files.items()})
    result = check(path)
    assert result.exit_code == 1, result.output
    assert "source 'tickets'" in result.output
    line = next(line for line in result.output.splitlines() if line.startswith("Error:"))
    assert where in line and expected in line, line


def test_header_only_bom_and_crlf_files_are_fine(tmp_path: Path) -> None:
    crlf = TICKETS.replace("\n", "\r\n").encode()
    path = make(tmp_path, outages__csv="id,service,start\n", tickets__csv=b"\xef\xbb\xbf" + crlf)
    result = check(path)
    assert result.exit_code == 0, result.output
    assert "outages\tcsv\toutages\t0\t0" in result.output
    assert "tickets\tcsv\ttickets\t1\t0" in result.output


SN_CONFIG = replaced(
    'plugin = "csv"\nkind = "tickets"\npath = "tickets.csv"',
    'plugin = "servicenow-audit"\nkind = "tickets"\npath = "sn.csv.gz"',
)
SN_HEADER = (
    "number,incident_state,sys_mod_count,sys_updated_at,opened_at,priority,resolved_at,closed_at"
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x1f\x8b\x08garbage", "sn.csv.gz: not a complete gzip file"),
        (gzip.compress(f"{SN_HEADER},number\n".encode()), "duplicate column 'number'"),
    ],
)
def test_servicenow_audit_unreadable(tmp_path: Path, data: bytes, expected: str) -> None:
    result = check(make(tmp_path, SN_CONFIG, sn__csv__gz=data))
    assert result.exit_code == 1
    assert "Error: source 'tickets' (plugin 'servicenow-audit'): " in result.output
    assert expected in result.output


def test_no_sources_is_said(tmp_path: Path) -> None:
    path = make(tmp_path, "")
    result = check(path)
    assert result.exit_code == 0
    assert f"warning: {path}: no [sources.NAME] table, nothing to read" in result.output


# ------------------------------------------------------ bad rows: findings, go on

ROWS = (
    "id,opened,priority,major,satisfaction,kind,category\n"
    "T1,not-a-time,P1,,,,\n"
    "T2,2025-10-09T09:00+08:00,P0,,,,\n"
    "T3,2025-10-09,high,,,,\n"
    "T4,2025-10-09,P1,maybe,,,\n"
    "T5,2025-10-09,P1,,0,,\n"
    "T6,2025-10-09,P1,,five,,\n"
    "T7,2025-10-09,P1,,,problem,\n"
    "T8,2025-10-09T09:00Z,P2,,,,\n"
    "T8,2025-10-09,P1,,,,\n"
    ",2025-10-09,P1,,,,\n"
    'T9,2025-10-09,P1,,,,"two\nlines"\n'
    "T10,2025-10-09,P1,,,,x,extra\n"
    "T11,2025-10-09T25:00,P1,,,,\n"
)


def test_bad_rows_are_findings_with_row_column_and_expectation(tmp_path: Path) -> None:
    result = check(make(tmp_path, tickets__csv=ROWS))
    assert result.exit_code == 1
    findings = [line for line in result.output.splitlines() if line.startswith("finding:")]
    prefix = "finding: tickets (tickets.csv), "
    assert (
        findings
        == [
            prefix
            + "row 2, record T1: column 'opened': expected an ISO 8601 time, got 'not-a-time'",
            prefix + "row 3, record T2: column 'priority': expected a priority like P1..P4 "
            "(or 1..4), got 'P0'",
            prefix + "row 4, record T3: column 'priority': expected a priority like P1..P4 "
            "(or 1..4), got 'high'",
            prefix + "row 5, record T4: column 'major': expected true/false, 1/0 or yes/no, "
            "got 'maybe'",
            prefix + "row 6, record T5: column 'satisfaction': expected an integer 1-5, got '0'",
            prefix + "row 7, record T6: column 'satisfaction': expected an integer, got 'five'",
            prefix + "row 8, record T7: column 'kind': expected incident/request, got 'problem'",
            "finding: tickets, record T8: duplicate ticket id 'T8': expected each id once; "
            "the first record is kept, this one is skipped",
            prefix + "row 11: column 'id': expected a value, got ''",
            prefix + "row 13: expected 7 columns, got 8",  # row 12's cell holds a newline
            prefix + "row 14, record T11: column 'opened': expected an ISO 8601 time, "
            "got '2025-10-09T25:00'",
        ]
    )
    assert "tickets\tcsv\ttickets\t2\t11" in result.output  # T8 and T9 are read
    assert "11 data-quality finding(s)" in result.output


def test_outage_end_and_change_window_before_their_start_are_findings(tmp_path: Path) -> None:
    config = CONFIG + '[sources.changes]\nplugin = "csv"\nkind = "changes"\npath = "ch.csv"\n'
    result = check(
        make(
            tmp_path,
            config,
            outages__csv="id,service,start,end\nO1,erp,2025-10-09T10:00,2025-10-09T09:00\n"
            "O2,erp,2025-10-09T10:00,\n",
            ch__csv="id,service,window_start,window_end\n"
            "C1,erp,2025-10-09T10:00,2025-10-09T09:00\nC2,erp,2025-10-09T10:00,\n",
        )
    )
    assert result.exit_code == 1
    assert (
        "finding: outages (outages.csv), row 2, record O1: column 'end': expected a time not "
        "before start 2025-10-09T10:00:00+08:00, got '2025-10-09T09:00'" in result.output
    )
    assert (
        "finding: changes (ch.csv), row 2, record C1: column 'window_end': expected a time not "
        "before window_start 2025-10-09T10:00:00+08:00, got '2025-10-09T09:00'" in result.output
    )
    assert "changes\tcsv\tchanges\t1\t1" in result.output
    assert "outages\tcsv\toutages\t1\t1" in result.output


def test_surveys_scores_and_times(tmp_path: Path) -> None:
    config = CONFIG + '[sources.surveys]\nplugin = "csv"\nkind = "surveys"\npath = "sv.csv"\n'
    surveys = (
        "id,answered,score\nS1,2025-10-09,0\nS2,2025-10-09,6\nS3,2025-10-09,five\n"
        "S4,2025-10-09,\nS5,bad,3\nS6,2025-10-09,4\n"
    )
    result = check(make(tmp_path, config, sv__csv=surveys))
    assert result.exit_code == 1
    prefix = "finding: surveys (sv.csv), "
    for expected in (
        "row 2, record S1: column 'score': expected an integer 1-5, got '0'",
        "row 3, record S2: column 'score': expected an integer 1-5, got '6'",
        "row 4, record S3: column 'score': expected an integer, got 'five'",
        "row 5, record S4: column 'score': expected an integer 1-5, got ''",
        "row 6, record S5: column 'answered': expected an ISO 8601 time, got 'bad'",
    ):
        assert prefix + expected in result.output
    assert "surveys\tcsv\tsurveys\t1\t5" in result.output


def test_json_lines_bad_lines_are_findings(tmp_path: Path) -> None:
    lines = (
        '{"id": "T1", "opened": "2025-10-09T09:00"}\n'
        "\n"
        "[1, 2]\n"
        "{bad json\n"
        '{"id": "T2", "opened": "2025-10-09", "history": [["x", "New"]]}\n'
        '{"id": {"a": 1}, "opened": "2025-10-09"}\n'
        '{"id": "T3", "opened": 12345}\n'
    )
    result = check(make(tmp_path, JSONL_CONFIG, t__jsonl=lines))
    assert result.exit_code == 1
    prefix = "finding: tickets (t.jsonl), "
    findings = [line for line in result.output.splitlines() if line.startswith("finding:")]
    assert findings == [
        prefix + "row 3: expected a JSON object, got list",
        prefix + "row 4: not valid JSON (Expecting property name enclosed in double quotes "
        "at column 2)",
        prefix + "row 5, record T2: column 'history': expected an ISO 8601 time, got 'x'",
        prefix + "row 6, record {\"a\": 1}: column 'id': expected text (not a JSON list or "
        "object), got {'a': 1}",
        prefix + "row 7, record T3: column 'opened': expected an ISO 8601 time, got 12345",
    ]


def test_events_for_unknown_tickets_and_out_of_order_history(tmp_path: Path) -> None:
    events = (
        "ticket_id,time,status\n"
        "T1,2025-10-09T09:30,Awaiting User Info\n"
        "T1,2025-10-09T09:10,Active\n"
        "T9,2025-10-09T09:00,Active\n"
        "T1,bad,Active\n"
    )
    result = check(make(tmp_path, EVENTS_CONFIG, ev__csv=events))
    assert result.exit_code == 1
    assert (
        "finding: tickets (ev.csv), row 5, record T1: column 'time': expected an ISO 8601 "
        "time, got 'bad'" in result.output
    )
    assert (
        "finding: tickets (ev.csv), record T9: status history for a ticket that is not in "
        "tickets.csv" in result.output
    )
    assert "tickets\tcsv\ttickets\t1\t2" in result.output


# ------------------------------------------------------------- sla evaluate / kpi


def test_sla_evaluate_findings_exit_0_or_1_with_strict(tmp_path: Path) -> None:
    tickets = (
        "id,opened,priority,resolved\nT1,2025-10-09T09:00,P1,2025-10-09T10:00\n"
        "T2,bad,P1,\nT3,2025-10-09T09:00,P7,2025-10-09T10:00\n"
    )
    path = make(tmp_path, tickets__csv=tickets)
    output = tmp_path / "clocks.csv"
    args = ("sla", "evaluate", path, "--project", "alpha", "--at", AT, "--output", output)
    lenient, strict = cli(*args), cli(*args, "--strict")
    assert (lenient.exit_code, strict.exit_code) == (0, 1)
    assert "row 3, record T2: column 'opened': expected an ISO 8601 time" in strict.output
    assert "unknown priority 'P7'" in strict.output
    assert "2 clock(s) written" in strict.output
    assert output.read_text().splitlines()[1:] == [
        "T1,P1,response,900,3600,breached,2025-10-09T09:15:00+08:00",
        "T1,P1,resolution,14400,3600,met,2025-10-09T14:30:00+08:00",
    ]


def test_unreadable_source_keeps_the_existing_output(tmp_path: Path) -> None:
    path = make(tmp_path, tickets__csv="id,opened\nT1,服务\n".encode("gbk"))
    output = tmp_path / "clocks.csv"
    output.write_text("previous\n", encoding="utf-8")
    result = cli("sla", "evaluate", path, "--project", "alpha", "--output", output)
    assert result.exit_code == 1
    assert "source 'tickets' (plugin 'csv'): " in result.output
    assert "tickets.csv, line 2: not utf-8-sig text" in result.output
    assert output.read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "clocks.csv", "itsskit.toml", "outages.csv", "tickets.csv",
    ]  # fmt: skip


def test_output_into_a_missing_folder_or_onto_a_folder(tmp_path: Path) -> None:
    path = make(tmp_path)
    missing = tmp_path / "missing" / "clocks.csv"
    result = cli("sla", "evaluate", path, "--project", "alpha", "--output", missing)
    assert result.exit_code == 2
    assert f"--output {missing}: folder {missing.parent} does not exist" in result.output
    assert not missing.parent.exists()
    result = cli("sla", "evaluate", path, "--project", "alpha", "--output", tmp_path)
    assert result.exit_code == 2
    assert "is a directory" in result.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("kpi", "{cfg}", "--period", "2025-13"), "--period: period '2025-13': month must be"),
        (("kpi", "{cfg}", "--period", "2025-Q5"), "expected YYYY-MM, YYYY-Qn or YYYY"),
        (("kpi", "{cfg}", "--period", "October"), "period 'October': expected YYYY-MM"),
        (("kpi", "{cfg}", "--period", "2025-10", "--at", "garbage"), "--at 'garbage': expected"),
        (
            ("kpi", "{cfg}", "--period", "2025-10", "--project", "beta"),
            "--project: unknown project 'beta' (known: alpha)",
        ),
        (
            ("sla", "evaluate", "{cfg}", "--project", "alpha", "--at", "x", "--output", "{out}"),
            "--at 'x': expected an ISO 8601 time",
        ),
        (
            ("sla", "evaluate", "{cfg}", "--project", "beta", "--output", "{out}"),
            "--project: unknown project 'beta'",
        ),
        (
            ("report", "build", "{cfg}", "--project", "alpha", "--period", "2025-13"),
            "period '2025-13': month must be",
        ),
        (
            ("report", "build", "{cfg}", "--project", "alpha", "--period", "2025-10", "--at", "x"),
            "--at 'x': expected an ISO 8601 time",
        ),
        (
            (
                "report",
                "build",
                "{cfg}",
                "--project",
                "alpha",
                "--period",
                "2025-10",
                "--format",
                "odt",
            ),
            "unknown renderer 'odt'",
        ),  # fmt: skip
    ],
)
def test_usage_errors_exit_2_and_write_nothing(
    tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    path = make(tmp_path)
    out = tmp_path / "out"
    extra = ("--out", out) if args[0] == "report" else ()
    result = cli(*(a.format(cfg=path, out=tmp_path / "c.csv") for a in args), *extra)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert not out.exists() and not (tmp_path / "c.csv").exists()


def test_project_without_sources_warns(tmp_path: Path) -> None:
    path = make(tmp_path, replaced('sources = ["tickets", "outages"]\n', ""))
    output = tmp_path / "clocks.csv"
    result = cli("sla", "evaluate", path, "--project", "alpha", "--output", output)
    assert result.exit_code == 0
    assert f"warning: {path}: projects.alpha.sources is empty" in result.output
    assert output.read_text().splitlines() == [
        "ticket_id,priority,metric,target_seconds,elapsed_seconds,status,deadline"
    ]


def test_kpi_without_projects_is_a_usage_error(tmp_path: Path) -> None:
    path = make(tmp_path, CONFIG.split("[projects.alpha]")[0])
    result = cli("kpi", path, "--period", "2025-10")
    assert result.exit_code == 2
    assert f"{path}: no [projects.NAME] table" in result.output


# ---------------------------------------------------------------- the real command


def test_real_command_prints_no_traceback(tmp_path: Path) -> None:
    bad_config = make(tmp_path, replaced('P1 = "4h"', "P1 = 4"))
    command = [sys.executable, "-m", "itsskit", "sources", "check", str(bad_config)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"Error: {bad_config}: slas.gold.targets.resolution.P1: expected a duration string "
        'like "15m", "4h" or "1h30m", got int 4'
    )
    make(tmp_path, GZ_CONFIG, tickets__csv__gz=b"not gzip")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "tickets.csv.gz: not a complete gzip file" in done.stderr


def test_a_ticket_read_twice_across_sources_is_kept_once_with_a_finding(tmp_path: Path) -> None:
    from itsskit.collect import collect
    from itsskit.config import load_config
    from itsskit.plugins import PluginHost

    config = replaced(
        'sources = ["tickets", "outages"]', 'sources = ["tickets", "more", "outages"]'
    )
    config += '[sources.more]\nplugin = "csv"\nkind = "tickets"\npath = "more.csv"\n'
    more = TICKETS + "T2,2025-10-10T09:00,P2,,\n"
    host = PluginHost.create(entry_points=False)
    records = collect(load_config(make(tmp_path, config, more__csv=more), host), "alpha", host)
    assert [(t.id, t.priority) for t in records.tickets] == [("T1", "P1"), ("T2", "P2")]
    assert [(f.record_id, f.source) for f in records.findings] == [("T1", "more")]
    assert "duplicate ticket id 'T1'" in records.findings[0].reason


def test_report_build_reads_at_and_period_like_the_other_commands(tmp_path: Path) -> None:
    config = make(tmp_path)
    out = tmp_path / "out"
    base = ("report", "build", config, "--project", "alpha", "--format", "json", "--out", out)
    naive = cli(*base, "--period", "2025-10", "--at", "2025-11-01T00:00")
    assert naive.exit_code == 0, naive.output
    assert (out / "alpha-monthly_2025-10.json").is_file()
    bad = cli(*base, "--period", "2025-13")
    assert bad.exit_code == 2
    assert "--period: period '2025-13': month must be 01..12" in bad.output


def test_report_build_names_the_unreadable_source_without_a_class_name(tmp_path: Path) -> None:
    config = make(tmp_path)
    (tmp_path / "tickets.csv").write_bytes(b"id,opened,priority\nT1,\xff\xfe,P1\n")
    result = cli("report", "build", config, "--project", "alpha", "--period", "2025-10",
                 "--format", "json", "--out", tmp_path / "out")  # fmt: skip
    assert result.exit_code == 1
    assert "Error: source 'tickets'" in result.output
    assert "SourceError" not in result.output
    assert not (tmp_path / "out").exists()

"""Bad input to the report lifecycle and the quality commands: a clear message naming
the file, key or option and what was expected, no traceback, exit 1 for a refused or
failed step, 2 for a usage or configuration error, and nothing stored changed."""

from __future__ import annotations

import shutil
import socket
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from itsskit.cli import main

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"
REPORT = ("--report", "dianchi-monthly", "--period", "2025-10")


def cli(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, [str(arg) for arg in args])
    assert isinstance(result.exception, SystemExit | None), result.exception
    assert "Traceback" not in result.output
    return result


def step(config: Path, name: str, *args: str | Path) -> Result:
    return cli("report", name, config, *REPORT, *args)


def status(config: Path) -> str:
    """The stored state, read straight from the SQLite file beside ``config``."""
    with sqlite3.connect(config.parent / "itsskit.db") as raw:
        rows = raw.execute(
            "select status from reports where report = 'dianchi-monthly' order by version"
        ).fetchall()
    raw.close()
    return str(rows[-1][0])


def history_rows(config: Path) -> int:
    with sqlite3.connect(config.parent / "itsskit.db") as raw:
        (count,) = raw.execute("select count(*) from transitions").fetchone()
    raw.close()
    return int(count)


@pytest.fixture(scope="module")
def submitted_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo with dianchi-monthly 2025-10 built (Markdown) and submitted by 李娜."""
    folder = tmp_path_factory.mktemp("demo") / "demo"
    shutil.copytree(DEMO, folder)
    result = step(folder / "itsskit.toml", "submit", "--by", "李娜", "--format", "md")
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def config(submitted_demo: Path, tmp_path: Path) -> Path:
    """A private copy of the submitted demo (its database included)."""
    folder = tmp_path / "demo"
    shutil.copytree(submitted_demo, folder)
    return folder / "itsskit.toml"


def with_tables(config: Path, text: str) -> Path:
    config.write_text(config.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")
    return config


def advance(config: Path, to: str) -> None:
    """Take the submitted report on to ``to`` (approved, published or reviewed)."""
    steps = [("approve", "陈静"), ("publish", "张伟"), ("review", "张伟")]
    for name, by in steps[: ["approved", "published", "reviewed"].index(to) + 1]:
        extra = ("--minutes", "评审通过") if name == "review" else ()
        assert step(config, name, "--by", by, *extra).exit_code == 0
    assert status(config) == to


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ------------------------------------------------------------- which report: exit 2


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--report", "nope", "--period", "2025-10"), "unknown report 'nope' (known: chuncheng"),
        (("--report", "dianchi-monthly", "--period", "2025-13"), "period '2025-13'"),
        (("--report", "dianchi-monthly", "--period", "garbage"), "expected YYYY-MM, YYYY-Qn"),
    ],
)
def test_unknown_report_or_period_is_a_usage_error(
    config: Path, args: tuple[str, ...], expected: str
) -> None:
    result = cli("report", "approve", config, *args, "--by", "陈静")
    assert result.exit_code == 2
    assert expected in result.output
    assert status(config) == "submitted"


def test_a_report_or_version_not_stored_is_refused(config: Path) -> None:
    result = cli("report", "show", config, "--report", "dianchi-monthly", "--period", "2025-09")
    assert result.exit_code == 1
    assert "dianchi-monthly 2025-09 is not stored" in result.output
    result = step(config, "show", "--version", "7")
    assert result.exit_code == 1
    assert "dianchi-monthly 2025-10 v7 is not stored" in result.output
    result = cli(
        "report", "history", config, "--report", "chuncheng-monthly", "--period", "2025-10"
    )
    assert result.exit_code == 1
    assert "chuncheng-monthly 2025-10 is not stored" in result.output


# ------------------------------------------------------- refused steps: exit 1


@pytest.mark.parametrize(
    ("name", "by", "expected"),
    [
        ("publish", "张伟", "v1 is submitted: it cannot become published (allowed next: approved"),
        ("archive", "张伟", "v1 is submitted: it cannot become archived"),
        ("submit", "李娜", "v1 is submitted: it cannot become submitted"),  # resubmitting
        ("approve", "王五", "only the project's approver 陈静 may approve or return it, not 王五"),
        ("return", "李娜", "only the project's approver 陈静"),
    ],
)
def test_a_step_out_of_order_or_by_the_wrong_person_changes_nothing(
    config: Path, name: str, by: str, expected: str
) -> None:
    before = history_rows(config)
    result = step(config, name, "--by", by)
    assert result.exit_code == 1
    assert expected in result.output
    assert (status(config), history_rows(config)) == ("submitted", before)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("garbage", "--at 'garbage': expected an ISO 8601 time like 2025-11-03T09:00+08:00"),
        ("2025-11-03T09:00", "give a UTC offset"),
    ],
)
def test_at_must_be_an_aware_iso_time(config: Path, at: str, expected: str) -> None:
    result = step(config, "approve", "--by", "陈静", "--at", at)
    assert result.exit_code == 2
    assert expected in result.output
    assert status(config) == "submitted"


def test_an_unknown_format_is_a_usage_error_before_the_state_is_checked(config: Path) -> None:
    result = step(config, "submit", "--by", "李娜", "--format", "odt")
    assert result.exit_code == 2
    assert "--format: unknown renderer 'odt' (known: docx, html, json, markdown, pdf)" in result.output
    assert status(config) == "submitted"


# ------------------------------------------------------------------ --db: exit 2


def test_db_that_is_no_database(config: Path, tmp_path: Path) -> None:
    not_db = tmp_path / "notes.txt"
    not_db.write_text("not a database\n", encoding="utf-8")
    cases = [
        (tmp_path, f"--db {tmp_path}: is a folder; expected a SQLite database file"),
        (not_db, "file is not a database"),
        ("garbage://x", "--db garbage://x: cannot open the report store (NoSuchModuleError"),
        ("postgresql://u:secret@127.0.0.1:1/x", "--db postgresql://u:***@127.0.0.1:1/x"),
    ]
    for db, expected in cases:
        result = cli("report", "list", config, "--db", db)
        assert result.exit_code == 2, db
        assert expected in result.output
        assert "secret" not in result.output and "sqlalche.me" not in result.output
    assert not_db.read_text(encoding="utf-8") == "not a database\n"
    result = step(config, "approve", "--by", "陈静", "--db", not_db)
    assert result.exit_code == 2
    assert status(config) == "submitted"


# ------------------------------------------------------------------- review: exit 2


def test_bad_review_input_leaves_the_report_published(config: Path, tmp_path: Path) -> None:
    advance(config, "published")
    latin1 = tmp_path / "minutes.txt"
    latin1.write_bytes("评审纪要".encode("gb18030"))
    cases = [
        (("--minutes-file", latin1), "minutes.txt: the minutes file must be UTF-8 text"),
        (("--minutes-file", tmp_path / "missing.txt"), "'--minutes-file'"),
        ((), "give the minutes: --minutes TEXT or --minutes-file PATH"),
        (("--minutes", "m", "--item", "a | b | c | d"), "expected 'description | owner | YYYY"),
        (("--minutes", "m", "--item", "fix | 张伟 | 2025-13-01"), "due date must be YYYY-MM-DD"),
        (("--minutes", "m", "--item", " | 张伟"), "--item ' | 张伟': expected"),
    ]
    before = history_rows(config)
    for args, expected in cases:
        result = step(config, "review", "--by", "张伟", *args)
        assert result.exit_code == 2, args
        assert expected in result.output
    result = step(config, "review", "--by", "张伟", "--minutes", "   ")
    assert result.exit_code == 1
    assert "the minutes are empty" in result.output
    assert (status(config), history_rows(config)) == ("published", before)


# ------------------------------------------- channels and archive stores: exit 1


def test_unreachable_smtp_server_leaves_the_report_approved(config: Path) -> None:
    port = closed_port()
    with_tables(
        config,
        f'[distribution]\nchannel = "smtp"\n[distribution.smtp]\nhost = "127.0.0.1"\n'
        f'port = {port}\nsender = "reports@yunling.example.cn"\ntimeout = 5\n',
    )
    advance(config, "approved")
    before = history_rows(config)
    result = step(config, "publish", "--by", "张伟")
    assert result.exit_code == 1
    assert f"smtp server 127.0.0.1:{port}: ConnectionRefusedError" in result.output
    assert "not published (still approved)" in result.output
    assert (status(config), history_rows(config)) == ("approved", before)


def test_missing_smtp_password_variable_leaves_the_report_approved(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ITSSKIT_NO_SUCH_PASSWORD", raising=False)
    with_tables(
        config,
        '[distribution]\nchannel = "smtp"\n[distribution.smtp]\nhost = "127.0.0.1"\n'
        f'port = {closed_port()}\nsender = "r@yunling.example.cn"\nusername = "r"\n'
        'password_env = "ITSSKIT_NO_SUCH_PASSWORD"\n',
    )
    advance(config, "approved")
    result = step(config, "publish", "--by", "张伟")
    assert result.exit_code == 1
    assert "password variable ITSSKIT_NO_SUCH_PASSWORD is not set" in result.output
    assert "distribution.smtp.password_env" in result.output
    assert status(config) == "approved"


def test_folder_channel_and_archive_root_blocked_by_a_file(config: Path) -> None:
    with_tables(
        config,
        '[distribution]\nchannel = "folder"\n[distribution.folder]\nroot = "shared"\n\n'
        '[archive]\nstore = "folder"\n[archive.folder]\nroot = "archive"\n',
    )
    (config.parent / "shared").write_text("a file where the folder should be")
    (config.parent / "archive").write_text("a file where the folder should be")
    advance(config, "approved")
    result = step(config, "publish", "--by", "张伟")
    assert result.exit_code == 1
    assert "distribution.folder.root: cannot create" in result.output
    assert "expected a writable folder" in result.output
    assert status(config) == "approved"

    (config.parent / "shared").unlink()
    assert step(config, "publish", "--by", "张伟").exit_code == 0
    assert step(config, "review", "--by", "张伟", "--minutes", "ok").exit_code == 0
    result = step(config, "archive", "--by", "张伟")
    assert result.exit_code == 1
    assert "archive store folder failed, not archived (still reviewed)" in result.output
    assert "archive.folder.root: cannot create" in result.output
    assert status(config) == "reviewed"
    assert (config.parent / "archive").read_text() == "a file where the folder should be"


# -------------------------------------------------------------------- batch


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--jobs", "0"), "'--jobs': 0 is not in the range x>=1"),
        (("--jobs", "-1"), "'--jobs': -1 is not in the range x>=1"),
        (("--format", "odt"), "--format: unknown renderer 'odt'"),
        (("--format", ","), "no output format given"),
        (("--at", "soon"), "--at 'soon': expected an ISO 8601 time"),
    ],
)
def test_batch_usage_errors_write_nothing(
    config: Path, tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    out = tmp_path / "out"
    result = cli("report", "batch", config, "--period", "2025-10", "--out", out, *args)
    assert result.exit_code == 2
    assert expected in result.output
    assert not out.exists()


def test_batch_goes_on_past_a_blocked_project_folder(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "chuncheng").write_text("a file where the project folder should be")
    result = cli(
        "report", "batch", config, "--period", "2025-10", "--out", out, "--format", "md",
        "--jobs", "100000",
    )  # fmt: skip
    assert result.exit_code == 1
    lines = {line.split("\t")[0]: line for line in result.output.splitlines() if "\t" in line}
    assert "\tskipped\talready stored (v1, submitted)" in lines["dianchi-monthly"]
    for report in ("chuncheng-monthly", "chuncheng-monthly-en"):
        assert f"{out / 'chuncheng'}: is a file; expected a folder" in lines[report]
        assert f"error: project chuncheng, report {report}:" in result.output
    assert status(config) == "submitted"


# ================================================================== quality


@pytest.fixture
def checklist(tmp_path: Path) -> Path:
    path = tmp_path / "audit-2025.toml"
    assert cli("quality", "checklist", "--year", "2025", "--out", path).exit_code == 0
    return path


def test_checklist_usage_errors(checklist: Path, tmp_path: Path) -> None:
    answered = checklist.read_text(encoding="utf-8").replace(
        "# conforming = true", "conforming = true"
    )
    checklist.write_text(answered, encoding="utf-8")
    cases = [
        (("--year", "garbage", "--out", tmp_path / "a.toml"), "'garbage' is not a valid integer"),
        (("--year", "0", "--out", tmp_path / "a.toml"), "0 is not in the range 1900<=x<=2199"),
        (("--year", "2025", "--out", checklist), "exists (answers would be lost); use --force"),
        (("--year", "2025", "--out", tmp_path), "is a directory"),
        (("--year", "2025", "--out", tmp_path / "no" / "a.toml"), "does not exist; create it"),
    ]
    for args, expected in cases:
        result = cli("quality", "checklist", *args)
        assert result.exit_code == 2, args
        assert expected in result.output
    assert checklist.read_text(encoding="utf-8") == answered
    assert not (tmp_path / "a.toml").exists()


def answer_first(text: str, answer: str) -> str:
    assert "# conforming = true\n" in text
    return text.replace("# conforming = true\n", answer + "\n", 1)


AUDIT_CASES = [
    ("syntax error", lambda t: t + "\n[[items]\n", "invalid TOML: Expected ']]'"),
    (
        "unknown key",
        lambda t: t.replace('scope = ""', 'scope = ""\ncolour = "red"', 1),
        "audit: unknown key(s) colour (allowed: id, year",
    ),
    (
        "unknown item key",
        lambda t: t.replace("[[items]]\n", "[[items]]\nanswer = true\n", 1),
        "audit.items[0]: unknown key(s) answer",
    ),
    (
        "answers table",
        lambda t: t + '\n[[answers]]\nitem = "9.9"\nconforming = true\n',
        "audit: unknown key(s) answers",
    ),
    (
        "bad date",
        lambda t: t.replace("scheduled = 2025-10-15", 'scheduled = "2025-10-32"', 1),
        "audit.scheduled:",
    ),
    (
        "conforming yes",
        lambda t: answer_first(t, 'conforming = "yes"'),
        "audit.items[0].conforming: expected true or false, got str 'yes'",
    ),
    (
        "action for an unknown finding",
        lambda t: t + '\n[[actions]]\nid = "CA-1"\nfinding = "NC-9.9"\naction = "a"\nowner = "b"\n',
        "actions[0].finding: unknown finding 'NC-9.9'",
    ),
    (
        "severity",
        lambda t: t.replace('severity = "minor"', 'severity = "fatal"', 1),
        'severity must be "minor" or "major", got \'fatal\'',
    ),
    (
        "language",
        lambda t: t.replace('language = "zh-CN"', 'language = "fr"', 1),
        "audit.language: expected one of zh-CN, en, got 'fr'",
    ),
    (
        "year",
        lambda t: t.replace("year = 2025", "year = 0", 1),
        "audit.year: expected a four-digit year, got 0",
    ),
]


@pytest.mark.parametrize(("edit", "expected"), [c[1:] for c in AUDIT_CASES],
                         ids=[c[0] for c in AUDIT_CASES])  # fmt: skip
def test_malformed_audit_file(
    checklist: Path, tmp_path: Path, edit: Callable[[str], str], expected: str
) -> None:
    checklist.write_text(edit(checklist.read_text(encoding="utf-8")), encoding="utf-8")
    out = tmp_path / "reports"
    result = cli("quality", "audit-report", checklist, "--out", out, "--format", "md")
    assert result.exit_code == 2
    assert f"{checklist}: " in result.output
    assert expected in result.output
    assert not out.exists()


def test_audit_file_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "audit.toml"
    path.write_bytes('id = "审核"\n'.encode("gb18030"))
    result = cli("quality", "audit-report", path, "--out", tmp_path / "r", "--format", "md")
    assert result.exit_code == 2
    assert f"{path}: not UTF-8 text" in result.output


def test_unanswered_checklist_is_reported_with_a_warning(checklist: Path, tmp_path: Path) -> None:
    result = cli("quality", "audit-report", checklist, "--out", tmp_path / "r", "--format", "md")
    assert result.exit_code == 0
    assert f"warning: {checklist}: 43 of 43 items not answered (8.0.1, 8.0.2" in result.output
    assert (tmp_path / "r" / "audit-2025_2025.md").is_file()
    result = cli("quality", "audit-report", checklist, "--out", tmp_path / "r", "--on", "Monday")
    assert result.exit_code == 2
    assert "--on: 'Monday' is not a YYYY-MM-DD date" in result.output


def test_quality_usage_errors_before_reading_any_data(config: Path, tmp_path: Path) -> None:
    improvements = tmp_path / "improvements.toml"
    cases: list[tuple[tuple[str | Path, ...], str, str]] = [
        (("indicators", config, "--period", "garbage"), "--period: period 'garbage'", ""),
        (("indicators", config, "--period", "0000-01"), "--period: period '0000-01': expected a year 1900-2199", ""),
        (("indicators", config, "--period", "2025", "--at", "x"), "--at 'x': expected", ""),
        (("annual-report", config, "--year", "garbage", "--out", tmp_path), "not a valid", ""),
        (("review-pack", config, "--year", "1", "--out", tmp_path), "1900<=x<=2199", ""),
        (("annual-report", config, "--year", "2025", "--out", config), "is a file", ""),
        (
            ("annual-report", config, "--year", "2025", "--out", tmp_path, "--improvements",
             improvements),
            "improvements[0].due: invalid value",
            '[[improvements]]\nid = "I-1"\ndescription = "d"\ndue = "soon"\n',
        ),
        (
            ("review-pack", config, "--year", "2025", "--out", tmp_path, "--improvements",
             improvements),
            "improvements[0]: unknown key(s) colour",
            '[[improvements]]\nid = "I-1"\ndescription = "d"\ncolour = 1\n',
        ),
        (
            ("annual-report", config, "--year", "2025", "--out", tmp_path, "--improvements",
             improvements),
            "invalid TOML",
            "[[improvements]\n",
        ),
        (("satisfaction-report", config, "--period", "2025-W1", "--out", tmp_path), "--period", ""),
    ]  # fmt: skip
    for args, expected, content in cases:
        improvements.write_text(content, encoding="utf-8")
        result = cli("quality", *args)
        assert result.exit_code == 2, args
        assert expected in result.output, args
    improvements.write_bytes('[[improvements]]\nid = "改进"\n'.encode("gb18030"))
    result = cli("quality", "annual-report", config, "--year", "2025", "--out", tmp_path,
                 "--improvements", improvements)  # fmt: skip
    assert result.exit_code == 2
    assert f"{improvements}: not UTF-8 text" in result.output
    assert not list(tmp_path.glob("*.docx"))


def test_indicator_with_an_unknown_kpi_is_a_config_error(config: Path) -> None:
    with_tables(config, '[indicators.speed]\nkpi = "tickets_per_hour"\ntarget = 1\n')
    result = cli("quality", "indicators", config, "--period", "2025-10")
    assert result.exit_code == 2
    assert (
        "indicators.speed: unknown KPI 'tickets_per_hour' (known: sla_attainment" in result.output
    )

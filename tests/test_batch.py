"""Batch: all projects x one period, in parallel, errors isolated, resumable; and the
lifecycle commands end to end through click's CliRunner."""

from __future__ import annotations

import shutil
import sqlite3
import textwrap
from datetime import datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from itsskit.batch import run_batch
from itsskit.cli import main
from itsskit.cli.lifecycle_cmd import LIFECYCLE_COMMANDS, parse_item
from itsskit.config import Config, load_config
from itsskit.models import ReportStatus
from itsskit.plugins import PluginHost
from itsskit.storage import ReportStore, sha256_of

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo" / "data"
AT = "2025-11-03T09:00+08:00"

CONFIG = """
[calendars.always]
preset = "always"
timezone = "Asia/Shanghai"

[slas.gold]
calendar = "always"
[slas.gold.targets.response]
P1 = "15m"
P2 = "30m"
P3 = "2h"
P4 = "4h"
[slas.gold.targets.resolution]
P1 = "4h"
P2 = "8h"
P3 = "24h"
P4 = "72h"

[sources.tickets-a]
plugin = "csv"
kind = "tickets"
path = "data/tickets.csv"
events = "data/ticket_events.csv"

[sources.tickets-b]
plugin = "csv"
kind = "tickets"
path = "data/tickets_b.csv"
events = "data/ticket_events.csv"

[projects.dianchi]
name = "滇池物流 IT 运维服务项目"
sla = "gold"
sources = ["tickets-a"]
approver = "陈静"

[projects.chuncheng]
name = "春城水务 IT 运维服务项目"
sla = "gold"
sources = ["tickets-b"]
approver = "郑建国"

[reports.dianchi-monthly]
project = "dianchi"
title = "滇池物流 IT 运维服务月度报告"
distribution = ["cio@dianchi.example.cn", "itops@dianchi.example.cn"]

[reports.chuncheng-monthly]
project = "chuncheng"
title = "春城水务 IT 运维服务月度报告"
distribution = ["xxzx@chuncheng-water.example.cn"]

[distribution]
channel = "folder"
[distribution.folder]
root = "outbox"
"""


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(DEMO / "tickets.csv", data / "tickets.csv")
    shutil.copy(DEMO / "tickets.csv", data / "tickets_b.csv")
    shutil.copy(DEMO / "ticket_events.csv", data / "ticket_events.csv")
    path = tmp_path / "itsskit.toml"
    path.write_text(textwrap.dedent(CONFIG), encoding="utf-8")
    return path


@pytest.fixture
def host() -> PluginHost:
    return PluginHost.create(entry_points=False)


def batch(
    config: Config, store: ReportStore, tmp_path: Path, host: PluginHost, **kw: object
) -> list[tuple[str, str, str]]:
    seen: list[tuple[int, int]] = []
    result = run_batch(
        config, "2025-10", store=store, out_dir=tmp_path / "out", formats=("html", "json"),
        host=host, at=datetime.fromisoformat(AT),
        progress=lambda item, done, total: seen.append((done, total)), **kw,  # type: ignore[arg-type]
    )  # fmt: skip
    assert seen == [(n, 2) for n in range(1, 3)]
    return [(i.report, i.status, i.detail) for i in result.items]


def test_a_failing_project_does_not_stop_the_others(
    config_path: Path, tmp_path: Path, host: PluginHost
) -> None:
    config = load_config(config_path, host)
    (tmp_path / "data" / "tickets_b.csv").unlink()  # vanished after the config was checked
    with ReportStore.open(tmp_path / "s.db") as store:
        items = batch(config, store, tmp_path, host, jobs=2, executor="process")
        assert items[0][:2] == ("chuncheng-monthly", "failed")
        assert "SourceError" in items[0][2] and "tickets_b.csv" in items[0][2]
        assert items[1] == ("dianchi-monthly", "built", "")
        stored = store.get("dianchi-monthly", "2025-10")
        assert stored.status == ReportStatus.DRAFT
        assert set(stored.files) == {"html", "json"}
        assert stored.files["html"].path == (
            tmp_path / "out" / "dianchi" / "dianchi-monthly_2025-10.html"
        )
        assert not store.has("chuncheng-monthly", "2025-10")

        # resumable: the completed report is skipped, the failed one is retried
        shutil.copy(DEMO / "tickets.csv", tmp_path / "data" / "tickets_b.csv")
        items = batch(config, store, tmp_path, host, jobs=1)
        assert [(r, s) for r, s, _ in items] == [
            ("chuncheng-monthly", "built"),
            ("dianchi-monthly", "skipped"),
        ]
        assert "already stored (v1, draft)" in items[1][2]

        # --force rebuilds drafts, never a submitted report
        store.submit("dianchi-monthly", "2025-10", by="李娜")
        items = batch(config, store, tmp_path, host, jobs=2, executor="thread", force=True)
        assert items == [
            ("chuncheng-monthly", "built", ""),
            ("dianchi-monthly", "skipped", "v1 is submitted: only a draft is rebuilt"),
        ]
        assert len(store.versions("chuncheng-monthly", "2025-10")) == 1


def test_batch_builds_the_real_report(config_path: Path, tmp_path: Path, host: PluginHost) -> None:
    config = load_config(config_path, host)
    with ReportStore.open(tmp_path / "s.db") as store:
        batch(config, store, tmp_path, host, jobs=1)
        report = store.get("dianchi-monthly", "2025-10").report
    assert report.period_start.isoformat() == "2025-10-01T00:00:00+08:00"
    assert report.sections  # the builder's sections survived the JSON round trip
    html = (tmp_path / "out" / "dianchi" / "dianchi-monthly_2025-10.html").read_text(
        encoding="utf-8"
    )
    assert "滇池物流 IT 运维服务月度报告" in html


# ------------------------------------------------------------------------ CLI


@pytest.fixture
def cli() -> click.Group:
    """The real ``itsskit report`` group, with the lifecycle commands mounted.

    (A throw-away group would do too, but click caches each command's help
    option, so the commands must only ever be shown under the real group.)
    """
    from itsskit.cli.report_cmd import report

    assert all(report.commands.get(c.name or "") is c for c in LIFECYCLE_COMMANDS)
    return report


def run(cli: click.Group, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, ["report", *args])
    assert result.exit_code == code, (result.output, result.stderr)
    return result.output


def test_commands_and_their_names() -> None:
    names = sorted(command.name or "" for command in LIFECYCLE_COMMANDS)
    assert names == sorted(
        [
            "submit",
            "approve",
            "return",
            "publish",
            "review",
            "archive",
            "list",
            "show",
            "history",
            "batch",
        ]
    )


def test_cli_lifecycle_end_to_end(cli: click.Group, config_path: Path, tmp_path: Path) -> None:
    conf = str(config_path)
    key = ["--report", "dianchi-monthly", "--period", "2025-10"]
    out = run(
        cli,
        "batch",
        conf,
        "--period",
        "2025-10",
        "--format",
        "html",
        "--out",
        str(tmp_path / "out"),
        "--jobs",
        "1",
        "--at",
        AT,
    )
    assert (
        "dianchi-monthly\tdianchi\tbuilt\t" in out and "chuncheng-monthly\tchuncheng\tbuilt" in out
    )
    out = run(
        cli,
        "batch",
        conf,
        "--period",
        "2025-10",
        "--format",
        "html",
        "--out",
        str(tmp_path / "out"),
        "--jobs",
        "1",
    )
    assert out.count("\tskipped\t") == 2

    out = run(cli, "approve", conf, *key, "--by", "陈静", code=1)
    assert "is draft: it cannot become approved (allowed next: submitted)" in out
    run(cli, "submit", conf, *key, "--by", "李娜", "--at", "2025-11-04T10:00+08:00")
    out = run(cli, "approve", conf, *key, "--by", "王强", code=1)
    assert "only the project's approver 陈静" in out
    run(cli, "return", conf, *key, "--by", "陈静", "--note", "补充重大事件回顾")
    out = run(
        cli,
        "submit",
        conf,
        *key,
        "--by",
        "李娜",
        "--format",
        "html",
        "--out",
        str(tmp_path / "out2"),
        "--at",
        "2025-11-05T10:00+08:00",
    )
    assert "dianchi-monthly 2025-10 v2: submitted" in out
    run(cli, "approve", conf, *key, "--by", "陈静")
    out = run(cli, "publish", conf, *key, "--by", "张伟")
    assert "sent via folder to cio@dianchi.example.cn, itops@dianchi.example.cn" in out
    sent = tmp_path / "outbox" / "cio@dianchi.example.cn" / "dianchi-monthly_2025-10.html"
    assert sent.read_bytes() == (tmp_path / "out2" / "dianchi-monthly_2025-10.html").read_bytes()
    run(cli, "review", conf, *key, "--by", "张伟", code=2)  # minutes are required
    out = run(
        cli,
        "review",
        conf,
        *key,
        "--by",
        "张伟",
        "--minutes",
        "回顾会议：达成 SLA。",
        "--item",
        "缩短 P2 响应 | 王强 | 2025-12-31",
    )
    assert "improvement dianchi-monthly-2025-10-v2-1: 缩短 P2 响应" in out
    out = run(cli, "archive", conf, *key, "--by", "李娜")
    manifest = tmp_path / "archive" / "dianchi" / "2025-10" / "dianchi-monthly_v2.manifest.json"
    assert f"archived via folder: {manifest}" in out and manifest.is_file()
    out = run(cli, "archive", conf, *key, "--by", "李娜", code=1)
    assert "is archived: it cannot become archived (allowed next: none, it is final)" in out

    out = run(cli, "history", conf, *key)
    lines = [line.split("\t") for line in out.splitlines()]
    assert [tuple(cells[:4]) for cells in lines[1:]] == [
        ("v1", "-", "draft", "itsskit batch"),
        ("v1", "draft", "submitted", "李娜"),
        ("v1", "submitted", "returned", "陈静"),
        ("v2", "returned", "submitted", "李娜"),
        ("v2", "submitted", "approved", "陈静"),
        ("v2", "approved", "published", "张伟"),
        ("v2", "published", "reviewed", "张伟"),
        ("v2", "reviewed", "archived", "李娜"),
    ]
    assert lines[3][5] == "补充重大事件回顾"
    out = run(cli, "list", conf, "--status", "archived")
    assert out.splitlines()[1:] == [
        "dianchi-monthly\tdianchi\t2025-10\t2\tarchived\t滇池物流 IT 运维服务月度报告"
    ]
    out = run(cli, "show", conf, *key, "--version", "1")
    assert "status\treturned" in out and "next\tsubmitted" in out
    # the store is the default SQLite file beside the config; the first submission counts
    with sqlite3.connect(tmp_path / "itsskit.db") as raw:
        rows = raw.execute(
            "select report, due, submitted from submissions order by report"
        ).fetchall()
    raw.close()
    assert rows == [
        ("chuncheng-monthly", "2025-11-06T00:00:00+08:00", None),
        ("dianchi-monthly", "2025-11-06T00:00:00+08:00", "2025-11-04T10:00:00+08:00"),
    ]


def test_cli_submit_never_overwrites_the_files_of_a_stored_version(
    cli: click.Group, config_path: Path, tmp_path: Path
) -> None:
    conf = str(config_path)
    key = ["--report", "dianchi-monthly", "--period", "2025-10", "--format", "html"]
    run(cli, "submit", conf, *key, "--by", "李娜", "--at", "2025-11-04T10:00+08:00")
    out = run(cli, "submit", conf, *key, "--by", "李娜", "--rebuild", code=1)
    assert "v1 is submitted: it cannot become submitted" in out
    run(cli, "return", conf, *key[:4], "--by", "陈静")
    out = run(cli, "submit", conf, *key, "--by", "李娜", "--at", "2025-11-05T10:00+08:00")
    assert "dianchi-monthly 2025-10 v2: submitted" in out
    with ReportStore.open(tmp_path / "itsskit.db") as store:
        versions = store.versions("dianchi-monthly", "2025-10")
    paths = [version.files["html"].path for version in versions]
    assert paths == [
        tmp_path / "reports" / "dianchi" / "dianchi-monthly_2025-10.html",
        tmp_path / "reports" / "dianchi" / "v2" / "dianchi-monthly_2025-10.html",
    ]
    for version in versions:  # each version's file is still the one it was stored with
        assert sha256_of(version.files["html"].path) == version.files["html"].sha256


def test_cli_usage_errors(cli: click.Group, config_path: Path, tmp_path: Path) -> None:
    conf = str(config_path)
    out = run(cli, "submit", conf, "--report", "nope", "--period", "2025-10", "--by", "x", code=2)
    assert "unknown report 'nope' (known: chuncheng-monthly, dianchi-monthly)" in out
    run(cli, "show", conf, "--report", "dianchi-monthly", "--period", "2025-13", code=2)
    out = run(cli, "history", conf, "--report", "dianchi-monthly", "--period", "2025-10", code=1)
    assert "is not stored" in out
    run(
        cli, "batch", conf, "--period", "2025-10", "--out", str(tmp_path), "--format", "odt", code=2
    )


def test_cli_batch_exit_1_when_a_report_fails(
    cli: click.Group, config_path: Path, tmp_path: Path
) -> None:
    # a file that exists (so the config is valid) but cannot be read as the CSV it should be
    (tmp_path / "data" / "tickets_b.csv").write_bytes(b"\xff\xfe\x00garbage")
    result = CliRunner().invoke(
        main,
        [
            "report",
            "batch",
            str(config_path),
            "--period",
            "2025-10",
            "--format",
            "json",
            "--out",
            str(tmp_path / "o"),
            "--jobs",
            "1",
        ],
    )
    assert result.exit_code == 1, result.output
    assert "dianchi-monthly\tdianchi\tbuilt" in result.stdout
    assert "error: project chuncheng, report chuncheng-monthly:" in result.stderr


def test_parse_item() -> None:
    item = parse_item("更换备件 | 王强 | 2025-12-31")
    assert (item.description, item.owner, item.due.isoformat() if item.due else None) == (
        "更换备件",
        "王强",
        "2025-12-31",
    )
    assert parse_item("仅描述").owner == ""
    with pytest.raises(click.ClickException):
        parse_item("a | b | not-a-date")

"""Adversarial storage (issue 8, item 2): kill -9 at every rename and commit, concurrent
writers, a locked database, stale files. After any of it the normal commands succeed
and the register and the files agree: every stored file has the SHA-256 the register
says, nothing is left behind, one delivery per step (or a warning that says why two).

The crash runs fork a child that counts every file rename and database commit
(``tests/crashpoints.py``) and ``os._exit``s at the n-th one, as ``kill -9`` would:
no ``finally``, no cleanup. Every crash point of every command is tried.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import crashpoints
from itsskit.cli import main

HERE = Path(__file__).resolve().parent
AT = ("--at", "2025-11-03T09:00+08:00")
REPORT = ("--report", "alpha-monthly", "--period", "2025-10")
FORMATS = ("--format", "md,json")
RECIPIENT = "cio@alpha.example.cn"

TICKETS = """\
id,project,service,kind,priority,opened,first_response,resolved,closed,major,category,channel,callback
T-1,alpha,erp,incident,P2,2025-10-09T10:00:00+08:00,2025-10-09T10:10:00+08:00,2025-10-09T12:00:00+08:00,2025-10-09T13:00:00+08:00,false,应用,电话,
T-2,alpha,erp,incident,P1,2025-10-15T09:00:00+08:00,2025-10-15T09:30:00+08:00,2025-10-15T16:00:00+08:00,2025-10-15T17:00:00+08:00,true,网络,电话,
"""
#: A ticket added between builds, so a rebuilt report differs from the stored one.
LATE_TICKET = "T-3,alpha,erp,incident,P2,2025-10-20T10:00:00+08:00,2025-10-20T11:00:00+08:00,2025-10-21T12:00:00+08:00,,false,应用,电话,\n"

CONFIG = """\
[calendars.always]
preset = "always"
timezone = "Asia/Shanghai"
[slas.gold]
calendar = "always"
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
path = "data/tickets.csv"
[projects.alpha]
name = "Alpha"
sla = "gold"
services = ["erp"]
sources = ["tickets"]
approver = "陈静"
[reports.alpha-monthly]
project = "alpha"
title = "Alpha 月度报告"
distribution = ["cio@alpha.example.cn"]
[archive.folder]
root = "archive"
"""
FOLDER_CHANNEL = '[distribution]\nchannel = "folder"\n[distribution.folder]\nroot = "outbox"\n'


def smtp_channel(port: int) -> str:
    return (
        f'[distribution]\nchannel = "smtp"\n[distribution.smtp]\nhost = "127.0.0.1"\n'
        f'port = {port}\nsender = "reports@yunling.example.cn"\ntimeout = 10\n'
    )


def write_project(root: Path, channel: str = FOLDER_CHANNEL) -> Path:
    (root / "data").mkdir(parents=True)
    (root / "data" / "tickets.csv").write_text(TICKETS, encoding="utf-8")
    config = root / "itsskit.toml"
    config.write_text(CONFIG + channel, encoding="utf-8")
    return config


def add_late_ticket(config: Path) -> None:
    with (config.parent / "data" / "tickets.csv").open("a", encoding="utf-8") as handle:
        handle.write(LATE_TICKET)


def itsskit(*args: str | Path, code: int | None = 0) -> str:
    """The CLI in this process: never a traceback; exit ``code`` unless None."""
    result = CliRunner().invoke(main, [str(arg) for arg in args])
    assert isinstance(result.exception, SystemExit | None), result.exception
    assert "Traceback" not in result.output
    if code is not None:
        assert result.exit_code == code, result.output
    return result.output


# ----------------------------------------------------------------- the commands

#: The next lifecycle step of a report in each state: the command and its options.
NEXT = {
    None: ("submit", "--by", "李娜", *FORMATS),
    "draft": ("submit", "--by", "李娜", *FORMATS),
    "returned": ("submit", "--by", "李娜", *FORMATS),
    "submitted": ("approve", "--by", "陈静"),
    "approved": ("publish", "--by", "张伟"),
    "published": (
        "review",
        "--by",
        "张伟",
        "--minutes",
        "评审通过",
        "--item",
        "缩短 P2 响应 | 张伟",
    ),
    "reviewed": ("archive", "--by", "李娜"),
}


def batch(config: Path, *extra: str) -> tuple[str, ...]:
    out = config.parent / "out"
    return ("report", "batch", str(config), "--period", "2025-10", "--out", str(out),
            *FORMATS, "--jobs", "1", *AT, *extra)  # fmt: skip


def step(config: Path, state: str | None) -> tuple[str, ...]:
    name, *options = NEXT[state]
    return ("report", name, str(config), *REPORT, *options, *AT)


def status(config: Path) -> str | None:
    """The latest version's state, straight from SQLite (None: nothing stored)."""
    db = config.parent / "itsskit.db"
    if not db.exists():
        return None
    with sqlite3.connect(db) as raw:
        rows = raw.execute(
            "select status from reports where report = 'alpha-monthly' order by version"
        ).fetchall()
    raw.close()
    return str(rows[-1][0]) if rows else None


def advance(config: Path, to: str) -> None:
    """Take the report through the normal commands until it is ``to``."""
    for _ in range(8):
        if status(config) == to:
            return
        itsskit(*step(config, status(config)))
    raise AssertionError(f"never reached {to}")


# ------------------------------------------------------------------ invariants


def assert_register_matches_files(config: Path, *, some: bool = True) -> None:
    """Every file the register names exists with the SHA-256 it records (all versions)."""
    from itsskit.storage import sha256_of

    with sqlite3.connect(config.parent / "itsskit.db") as raw:
        files = raw.execute("select path, sha256 from files").fetchall()
    raw.close()
    assert files or not some, "the register names no file"
    for path, sha in files:
        assert Path(path).is_file(), f"{path} is missing"
        assert sha256_of(Path(path)) == sha, f"{path} does not have the stored content"


def assert_nothing_left_behind(config: Path) -> None:
    leftovers = [
        p for p in config.parent.rglob("*")
        if p.name.endswith(".tmp") or p.name.startswith(".itsskit-staging")
        or p.name.startswith("itsskit-")
    ]  # fmt: skip
    assert leftovers == []
    with sqlite3.connect(config.parent / "itsskit.db") as raw:
        assert raw.execute("select count(*) from staging").fetchone() == (0,)
        claimed = raw.execute("select count(*) from outbox where state = 'claimed'").fetchone()
    raw.close()
    assert claimed == (0,)


def assert_delivered_once(config: Path) -> None:
    """Archived, with one publication and one archive record; the copies are the stored files."""
    assert status(config) == "archived"
    with sqlite3.connect(config.parent / "itsskit.db") as raw:
        (row,) = raw.execute("select max(id) from reports").fetchone()
        actions = raw.execute(
            "select action from deliveries where report_row = ? order by id", (row,)
        ).fetchall()
        files = raw.execute(
            "select path, sha256 from files where report_row = ?", (row,)
        ).fetchall()
    raw.close()
    assert actions == [("published",), ("archived",)]
    from itsskit.storage import sha256_of

    manifest = next((config.parent / "archive").rglob("*.manifest.json")).read_text("utf-8")
    for path, sha in files:
        assert sha in manifest
        sent = config.parent / "outbox" / RECIPIENT / Path(path).name
        if sent.parent.exists():
            assert sha256_of(sent) == sha


# ------------------------------------------------------------- crash injection


def forked(args: tuple[str, ...], **settings: str) -> int:
    """Run the CLI in a forked child with crash points; its exit status (137: crashed).

    A batch runs in a fresh interpreter instead: its worker processes come from a
    fork server, which a forked copy of this process must not inherit.
    """
    if args[:2] == ("report", "batch"):
        script = Path(__file__).parent / "crashpoints.py"
        env = {**os.environ, **settings}
        done = subprocess.run([sys.executable, str(script), *args], env=env, timeout=600)
        return done.returncode
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 70
        try:
            crashpoints.install(**settings)
            main.main(args=list(args), prog_name="itsskit", standalone_mode=False)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # noqa: BLE001 - reported by the exit status
            code = 1
        finally:
            os._exit(code)
    _, wait_status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(wait_status)


def count_events(args: tuple[str, ...], tmp_path: Path) -> list[str]:
    log = tmp_path / "events.log"
    assert forked(args, ITSSKIT_EVENT_LOG=str(log)) == 0
    return log.read_text(encoding="utf-8").splitlines()


#: scenario -> (prepare the state before the command, the command killed at every point).
Prepare = Callable[[Path], None]


def _nothing(_config: Path) -> None:
    pass


def _batched(config: Path) -> None:
    itsskit(*batch(config))


def _batched_then_changed(config: Path) -> None:
    _batched(config)
    add_late_ticket(config)


def _returned_then_changed(config: Path) -> None:
    advance(config, "submitted")
    itsskit("report", "return", config, *REPORT, "--by", "陈静", *AT)
    add_late_ticket(config)


def _at(state: str) -> Prepare:
    return lambda config: advance(config, state)


SCENARIOS: dict[str, tuple[Prepare, Callable[[Path], tuple[str, ...]]]] = {
    "batch on a new register": (_nothing, lambda c: batch(c)),
    "batch --force": (_batched_then_changed, lambda c: batch(c, "--force")),
    "submit a stored draft": (_batched, lambda c: step(c, "draft")),
    "submit, building": (_nothing, lambda c: step(c, None)),
    "submit --rebuild": (_batched_then_changed, lambda c: (*step(c, "draft"), "--rebuild")),
    "resubmit": (_returned_then_changed, lambda c: step(c, "returned")),
    "approve": (_at("submitted"), lambda c: step(c, "submitted")),
    "publish": (_at("approved"), lambda c: step(c, "approved")),
    "review": (_at("published"), lambda c: step(c, "published")),
    "archive": (_at("reviewed"), lambda c: step(c, "reviewed")),
}


@pytest.fixture
def restorable(tmp_path: Path) -> Iterator[tuple[Path, Callable[[], None]]]:
    """A project folder and a function restoring it to the snapshot taken by the test."""
    work = tmp_path / "work"
    snapshot = tmp_path / "snapshot"

    def restore() -> None:
        shutil.rmtree(work)
        shutil.copytree(snapshot, work, symlinks=True)

    yield work, restore


@pytest.mark.skipif(not hasattr(os, "fork"), reason="crash points fork a child (POSIX)")
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_kill_at_every_rename_and_commit_then_the_normal_commands_succeed(
    scenario: str, tmp_path: Path, restorable: tuple[Path, Callable[[], None]]
) -> None:
    work, restore = restorable
    prepare, command = SCENARIOS[scenario]
    config = write_project(work)
    prepare(config)
    shutil.copytree(work, tmp_path / "snapshot", symlinks=True)
    events = count_events(command(config), tmp_path)
    assert any("commit" in e for e in events)
    for n in range(1, len(events) + 1):
        restore()
        assert forked(command(config), ITSSKIT_CRASH_AT=str(n)) == 137, events[n - 1]
        itsskit("report", "list", config)  # opening the register finishes or undoes the switch
        assert_register_matches_files(config, some=False)
        if scenario.startswith("batch"):
            itsskit(*command(config))  # the batch is run again, as after any interruption
        advance(config, "archived")
        assert_register_matches_files(config)
        assert_nothing_left_behind(config)
        assert_delivered_once(config)


# ------------------------------------------------------------------ smtp outbox


@pytest.fixture
def mailbox(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """A real SMTP server (aiosmtpd) on loopback in its own process, saving into a Maildir."""
    pytest.importorskip("aiosmtpd")
    port = free_port()
    folder = tmp_path / "maildir"
    server = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
         "-c", "aiosmtpd.handlers.Mailbox", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port)
        yield port, folder
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int) -> None:
    import socket

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"the SMTP server did not start on port {port}")


def mails(folder: Path) -> int:
    return len(list((folder / "new").glob("*"))) if (folder / "new").exists() else 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="crash points fork a child (POSIX)")
def test_kill_at_every_point_of_an_smtp_publish_never_sends_twice_silently(
    tmp_path: Path, restorable: tuple[Path, Callable[[], None]], mailbox: tuple[int, Path]
) -> None:
    port, folder = mailbox
    work, restore = restorable
    config = write_project(work, smtp_channel(port))
    advance(config, "approved")
    shutil.copytree(work, tmp_path / "snapshot", symlinks=True)
    events = count_events(step(config, "approved"), tmp_path)
    assert mails(folder) == 1
    for n in range(1, len(events) + 1):
        restore()
        before = mails(folder)
        assert forked(step(config, "approved"), ITSSKIT_CRASH_AT=str(n)) == 137
        sent_by_the_killed_run = mails(folder) - before
        still_approved = status(config) == "approved"
        output = itsskit(*step(config, "approved"), code=0 if still_approved else 1)
        resent = mails(folder) - before - sent_by_the_killed_run
        assert sent_by_the_killed_run + resent >= 1
        if sent_by_the_killed_run and resent:  # twice: only ever with a warning saying so
            assert "stopped before its outcome was recorded" in output
            assert "may have reached the recipients twice" in output
        if not still_approved:
            assert resent == 0 and "is published: it cannot become published" in output
        advance(config, "reviewed")
        assert_register_matches_files(config)
        assert_nothing_left_behind(config)


def test_an_interrupted_delivery_can_be_recorded_without_sending_again(
    tmp_path: Path, mailbox: tuple[int, Path]
) -> None:
    port, folder = mailbox
    config = write_project(tmp_path / "p", smtp_channel(port))
    advance(config, "approved")
    out = itsskit(*step(config, "approved"), "--record-only", code=1)
    assert "no interrupted published step to record" in out
    shutil.copytree(tmp_path / "p", tmp_path / "snapshot")
    events = count_events(step(config, "approved"), tmp_path)
    after_send = [int(e.split()[0]) for e in events if e.endswith("before commit")][-1]
    shutil.rmtree(tmp_path / "p")
    shutil.copytree(tmp_path / "snapshot", tmp_path / "p")
    assert forked(step(config, "approved"), ITSSKIT_CRASH_AT=str(after_send)) == 137
    assert mails(folder) == 2 and status(config) == "approved"  # sent, not recorded
    out = itsskit(*step(config, "approved"), "--record-only")
    assert "stopped before its outcome was recorded; recorded as sent" in out
    assert status(config) == "published" and mails(folder) == 2


# ---------------------------------------------------------------- concurrency


def crashpoints_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(HERE / "crashpoints.py"), *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def race(
    args: tuple[str, ...], barrier: Path, at: str, other: tuple[str, ...] | None = None
) -> list[tuple[int, str]]:
    """Run the command twice at once (or it and ``other``), both held at the first ``at``
    event until both got there; [(exit code, output)] in the order started."""
    barrier.mkdir()
    env = {"ITSSKIT_BARRIER": f"{barrier}:2:{at}"}
    runs = [crashpoints_cli(*command, env=env) for command in (args, other or args)]
    results = [(run.wait(timeout=300), run.communicate()[0]) for run in runs]
    for _code, output in results:
        assert "Traceback" not in output
    return results


def test_two_submits_at_once_one_wins_the_other_changes_nothing(tmp_path: Path) -> None:
    config = write_project(tmp_path / "p")
    first, second = step(config, None), step(config, None)
    second = (*second[:-1], "2025-11-04T15:30+08:00")  # another --at: other content
    results = race(first, tmp_path / "barrier", "before rename", other=second)
    codes = [code for code, _ in results]
    assert sorted(codes) == [0, 1], results
    won = codes.index(0)
    won_output, lost_output = results[won][1], results[1 - won][1]
    assert "alpha-monthly 2025-10 v1: submitted" in won_output
    assert re.search(r"v1 is submitted: it cannot become submitted", lost_output), lost_output
    assert len(lost_output.strip().splitlines()) == 1
    assert_register_matches_files(config)
    assert_nothing_left_behind(config)
    folder = config.parent / "reports" / "alpha"
    assert sorted(p.name for p in folder.iterdir()) == [
        "alpha-monthly_2025-10.json",
        "alpha-monthly_2025-10.md",
    ]
    report = json.loads((folder / "alpha-monthly_2025-10.json").read_text(encoding="utf-8"))
    assert report["generated"].startswith(("2025-11-03T09:00", "2025-11-04T15:30")[won])
    with sqlite3.connect(config.parent / "itsskit.db") as raw:
        assert raw.execute("select count(*) from transitions").fetchone() == (2,)
    raw.close()


def test_two_publishes_at_once_send_one_email(tmp_path: Path, mailbox: tuple[int, Path]) -> None:
    port, folder = mailbox
    config = write_project(tmp_path / "p", smtp_channel(port))
    advance(config, "approved")
    results = sorted(race(step(config, "approved"), tmp_path / "barrier", "after commit"))
    (won, _), (lost, lost_output) = results
    assert (won, lost) == (0, 1), results
    assert mails(folder) == 1
    assert (
        "is being published via smtp by another process" in lost_output
        or "is published: it cannot become published" in lost_output
    ), lost_output
    assert len(lost_output.strip().splitlines()) == 1
    assert status(config) == "published"


def test_two_batches_on_a_new_register_both_succeed(tmp_path: Path) -> None:
    config = write_project(tmp_path / "p")
    results = race(batch(config), tmp_path / "barrier", "after commit")
    assert [code for code, _ in results] == [0, 0], results
    assert_register_matches_files(config)
    assert_nothing_left_behind(config)
    advance(config, "archived")
    assert_delivered_once(config)


def test_many_processes_creating_the_tables_at_once(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    code = textwrap.dedent(
        f"""
        import sys; sys.path.insert(0, {str(HERE)!r})
        import crashpoints
        from itsskit.storage import ReportStore
        crashpoints.install(ITSSKIT_BARRIER={f"{barrier}:4:start"!r})
        with ReportStore.open({str(db)!r}) as store:
            assert store.reports() == []
        """
    )
    runs = [
        subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    errors = [run.communicate(timeout=120)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0, 0], errors


# ------------------------------------------------------------------ locked db


def test_a_locked_register_waits_then_fails_with_one_clear_line(tmp_path: Path) -> None:
    config = write_project(tmp_path / "p")
    advance(config, "submitted")
    db = config.parent / "itsskit.db"
    url = f"sqlite:///{db}?timeout=0.5"
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        out = itsskit("report", "approve", config, *REPORT, "--by", "陈静", "--db", url, code=1)
        waited = time.monotonic() - started
        assert "is locked by another process: gave up after waiting 0.5 s" in out
        assert len(out.strip().splitlines()) == 1 and waited >= 0.5
        out = itsskit("report", "list", config, "--db", url, code=1)
        assert "is locked by another process" in out and len(out.strip().splitlines()) == 1
    finally:
        holder.rollback()
        holder.close()
    assert status(config) == "submitted"
    itsskit("report", "approve", config, *REPORT, "--by", "陈静", "--db", url)
    assert status(config) == "approved"


# --------------------------------------------------------------- stale files


@pytest.mark.parametrize("damage", ["changed", "missing"])
def test_a_stale_file_of_an_approved_report_is_repaired_not_a_dead_end(
    tmp_path: Path, damage: str
) -> None:
    config = write_project(tmp_path / "p")
    advance(config, "approved")
    md = config.parent / "reports" / "alpha" / "alpha-monthly_2025-10.md"
    original = md.read_bytes()
    if damage == "changed":
        md.write_text("edited by hand", encoding="utf-8")
    else:
        md.unlink()
    out = itsskit(*step(config, "approved"))
    assert f"its markdown file {md} was missing or changed: re-rendered" in out
    assert md.read_bytes() == original  # the renderers are deterministic
    assert (config.parent / "outbox" / RECIPIENT / md.name).read_bytes() == original
    kept = list(md.parent.glob("alpha-monthly_2025-10.changed-*.md"))
    assert [k.read_text(encoding="utf-8") for k in kept] == (
        ["edited by hand"] if damage == "changed" else []
    )
    assert_register_matches_files(config)
    advance(config, "archived")


# ------------------------------------------------------------ 0.1.0 registers


def test_a_register_without_the_new_tables_still_works(tmp_path: Path) -> None:
    config = write_project(tmp_path / "p")
    advance(config, "submitted")
    with sqlite3.connect(config.parent / "itsskit.db") as raw:  # as 0.1.0 wrote it
        raw.execute("drop table outbox")
        raw.execute("drop table staging")
    raw.close()
    advance(config, "archived")
    assert_delivered_once(config)


# ------------------------------------------------------- sent, then not recorded


def test_sent_but_not_recorded_says_so_and_is_recorded_without_sending_again(
    tmp_path: Path,
) -> None:
    from collections.abc import Mapping, Sequence

    from itsskit.contracts import Channel
    from itsskit.models import Report
    from itsskit.storage import NotRecorded, ReportStore

    config = write_project(tmp_path / "p")
    advance(config, "approved")
    db = config.parent / "itsskit.db"

    class LockingChannel(Channel):
        """Sends, then leaves the register locked by another connection."""

        name = "locking"
        sent = 0
        holder: sqlite3.Connection | None = None

        def send(
            self, report: Report, files: Mapping[str, Path], recipients: Sequence[str]
        ) -> None:
            LockingChannel.sent += 1
            LockingChannel.holder = sqlite3.connect(db, isolation_level=None)
            LockingChannel.holder.execute("BEGIN EXCLUSIVE")

    with ReportStore.open(f"sqlite:///{db}?timeout=0.3") as store:
        with pytest.raises(NotRecorded) as info:
            store.publish("alpha-monthly", "2025-10", by="张伟", channel=LockingChannel())
        message = str(info.value)
        assert "published via locking to cio@alpha.example.cn, but recording it failed" in message
        assert "--record-only" in message and "nothing recorded" not in message
        assert LockingChannel.holder is not None
        LockingChannel.holder.rollback()
        LockingChannel.holder.close()
        assert store.get("alpha-monthly", "2025-10").status == "approved"
        stored = store.publish("alpha-monthly", "2025-10", by="张伟", record_only=True)
    assert [e.state for e in stored.outbox] == ["interrupted", "sent"]
    assert stored.deliveries[0].target == "cio@alpha.example.cn"
    assert status(config) == "published" and LockingChannel.sent == 1


def test_a_batch_that_skips_everything_still_removes_a_killed_runs_leftovers(
    tmp_path: Path,
) -> None:
    from itsskit.files import owner_tag

    config = write_project(tmp_path / "p")
    itsskit(*batch(config))
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # a finished process: its pid is free
    host = owner_tag().split("-")[0]
    folder = config.parent / "out" / "alpha"
    leftover = folder / f".itsskit-staging-{host}-{child.pid}-worker"
    leftover.mkdir()
    (leftover / "alpha-monthly_2025-10.md").write_text("half a build", encoding="utf-8")
    temporary = folder / f".alpha-monthly_2025-10.md.{host}-{child.pid}-x.tmp"
    temporary.write_text("half", encoding="utf-8")
    assert "\tskipped\t" in itsskit(*batch(config))
    assert not leftover.exists() and not temporary.exists()
    assert_register_matches_files(config)

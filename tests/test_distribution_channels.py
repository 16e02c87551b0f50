"""Several distribution channels per report, each delivery claimed, sent and recorded on its own.

A real SMTP server (aiosmtpd, in its own process on loopback, saving into a
Maildir) beside the folder channel; the SMTP server down for the first
publish, then up: the folder channel is not sent again and the e-mail goes once.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from itsskit.config import ConfigError, load_config, make_channel, make_channels
from itsskit.contracts import Channel
from itsskit.lifecycle import LifecycleError
from itsskit.models import Report, ReportStatus
from itsskit.plugins import PluginHost
from itsskit.services import StepFailed, publish_report, report_target
from itsskit.services.lifecycle import Step
from itsskit.storage import ReportStore
from test_adversarial_storage import (
    RECIPIENT,
    REPORT,
    advance,
    assert_nothing_left_behind,
    assert_register_matches_files,
    count_events,
    forked,
    free_port,
    itsskit,
    mails,
    status,
    step,
    wait_for_port,
    write_project,
)

pytest.importorskip("aiosmtpd")


def two_channels(port: int) -> str:
    return (
        '[distribution]\nchannels = ["smtp", "folder"]\n'
        f'[distribution.smtp]\nhost = "127.0.0.1"\nport = {port}\n'
        'sender = "reports@yunling.example.cn"\ntimeout = 10\n'
        '[distribution.folder]\nroot = "outbox"\n'
    )


class SmtpServer:
    """aiosmtpd on a fixed loopback port, started and stopped by the test."""

    def __init__(self, port: int, folder: Path) -> None:
        self.port, self.folder = port, folder
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}",
             "-c", "aiosmtpd.handlers.Mailbox", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    server = SmtpServer(free_port(), tmp_path / "maildir")
    try:
        yield server
    finally:
        server.stop()


def deliveries(config: Path) -> list[tuple[str, str, str]]:
    """(action, plugin, target) of the latest version, straight from SQLite."""
    with sqlite3.connect(config.parent / "itsskit.db") as raw:
        (row,) = raw.execute("select max(id) from reports").fetchone()
        rows = raw.execute(
            "select action, plugin, target from deliveries where report_row = ? order by id",
            (row,),
        ).fetchall()
    raw.close()
    return [tuple(r) for r in rows]


def outbox(config: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(config.parent / "itsskit.db") as raw:
        rows = raw.execute("select plugin, state from outbox order by id").fetchall()
    raw.close()
    return [tuple(r) for r in rows]


# ------------------------------------------------------------------ configuration


def test_channels_list_loads_each_channel_with_its_options(tmp_path: Path) -> None:
    config_path = write_project(tmp_path / "p", two_channels(2525))
    host = PluginHost.create()
    config = load_config(config_path, host)
    assert [s.plugin for s in config.channels] == ["smtp", "folder"]
    channels = make_channels(config, host)
    assert [c.name for c in channels] == ["smtp", "folder"]
    assert channels[0].options.port == 2525  # type: ignore[attr-defined]
    assert channels[1].options.root == config_path.parent / "outbox"  # type: ignore[attr-defined]
    assert make_channel(config, host) is not None and make_channel(config, host).name == "smtp"  # type: ignore[union-attr]


def test_the_010_single_channel_form_still_works(tmp_path: Path) -> None:
    config_path = write_project(tmp_path / "p")  # [distribution] channel = "folder"
    host = PluginHost.create()
    config = load_config(config_path, host)
    assert [c.name for c in make_channels(config, host)] == ["folder"]
    assert config.distribution is not None and config.distribution.plugin == "folder"


@pytest.mark.parametrize(
    ("distribution", "message"),
    [
        ('channel = "folder"\nchannels = ["folder"]\n', "distribution: give channel or channels, not both"),
        ('channels = ["folder", "folder"]\n', "distribution.channels: folder named twice"),
        ('channels = "folder"\n', "distribution.channels: expected a list of plugin names"),
        ('channels = ["fax"]\n', "distribution.channels: "),
        ('channels = ["folder"]\n[distribution.smtp]\nhost = "x"\n',
         "distribution: unknown key(s) smtp (allowed: channels, folder)"),
        ('channels = ["folder"]\n[distribution.folder]\nrot = "x"\n', "distribution.folder: "),
    ],
)  # fmt: skip
def test_bad_channels_are_one_clear_line_each(
    tmp_path: Path, distribution: str, message: str
) -> None:
    config_path = write_project(tmp_path / "p", "[distribution]\n" + distribution)
    with pytest.raises(ConfigError) as info:
        load_config(config_path, PluginHost.create())
    assert message in str(info.value)
    assert str(config_path) in str(info.value)
    if "fax" in distribution:
        assert "fax" in str(info.value)


# ------------------------------------------------------- the CLI, a real SMTP server


def test_one_channel_down_the_other_delivers_and_a_rerun_sends_only_the_missing_one(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    config = write_project(tmp_path / "p", two_channels(smtp.port))
    advance(config, "approved")
    out = itsskit(*step(config, "approved"), code=1)  # the SMTP server is not running
    assert "channel smtp failed (ConnectionError: smtp server 127.0.0.1" in out
    assert "not published (still approved)" in out
    assert "delivered via folder (not sent again)" in out
    assert status(config) == "approved"
    assert deliveries(config) == [("published", "folder", RECIPIENT)]
    assert outbox(config) == [("smtp", "failed"), ("folder", "sent")]
    copies = sorted((config.parent / "outbox" / RECIPIENT).iterdir())
    assert [p.suffix for p in copies] == [".json", ".md"]
    for copy in copies:  # gone: a second folder delivery would bring them back
        copy.unlink()

    smtp.start()
    out = itsskit(*step(config, "approved"))
    assert "alpha-monthly 2025-10 v1: published" in out
    assert mails(smtp.folder) == 1
    assert list((config.parent / "outbox" / RECIPIENT).iterdir()) == []
    assert deliveries(config) == [
        ("published", "folder", RECIPIENT),
        ("published", "smtp", RECIPIENT),
    ]
    assert outbox(config) == [("smtp", "failed"), ("folder", "sent"), ("smtp", "sent")]
    shown = itsskit("report", "show", config, *REPORT)
    assert "folder: cio@alpha.example.cn" in shown and "smtp: cio@alpha.example.cn" in shown
    again = itsskit(*step(config, "approved"), code=1)
    assert "is published: it cannot become published" in again
    assert mails(smtp.folder) == 1


def test_both_channels_up_publish_once_through_each(tmp_path: Path, smtp: SmtpServer) -> None:
    smtp.start()
    config = write_project(tmp_path / "p", two_channels(smtp.port))
    advance(config, "approved")
    out = itsskit(*step(config, "approved"))
    assert "sent via smtp to cio@alpha.example.cn" in out
    assert "sent via folder to cio@alpha.example.cn" in out
    assert mails(smtp.folder) == 1
    assert status(config) == "published"
    assert sorted(p for _a, p, _t in deliveries(config)) == ["folder", "smtp"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="crash points fork a child (POSIX)")
def test_kill_at_every_point_of_a_two_channel_publish(tmp_path: Path, smtp: SmtpServer) -> None:
    smtp.start()
    work = tmp_path / "work"
    config = write_project(work, two_channels(smtp.port))
    advance(config, "approved")
    shutil.copytree(work, tmp_path / "snapshot", symlinks=True)
    events = count_events(step(config, "approved"), tmp_path)
    assert mails(smtp.folder) == 1
    for n in range(1, len(events) + 1):
        shutil.rmtree(work)
        shutil.copytree(tmp_path / "snapshot", work, symlinks=True)
        before = mails(smtp.folder)
        assert forked(step(config, "approved"), ITSSKIT_CRASH_AT=str(n)) == 137
        killed_sent = mails(smtp.folder) - before
        recorded = {p for _a, p, _t in deliveries(config)}
        still_approved = status(config) == "approved"
        output = itsskit(*step(config, "approved"), code=0 if still_approved else 1)
        resent = mails(smtp.folder) - before - killed_sent
        if "smtp" in recorded:  # a recorded delivery is never repeated
            assert resent == 0, events[n - 1]
        assert killed_sent + resent >= 1
        if killed_sent and resent:
            assert "may have reached the recipients twice" in output
        assert status(config) == "published"
        published = [p for a, p, _t in deliveries(config) if a == "published"]
        assert sorted(published) == ["folder", "smtp"], (events[n - 1], published)
        advance(config, "archived")
        assert_register_matches_files(config)
        assert_nothing_left_behind(config)


# --------------------------------------------------------------- the Python API


class Fake(Channel):
    """A channel that records what it sent, or raises while ``down``."""

    def __init__(self, name: str, down: bool = False) -> None:
        super().__init__()
        self.name = name
        self.down = down
        self.sent = 0

    def send(self, report: Report, files: Mapping[str, Path], recipients: Sequence[str]) -> None:
        if self.down:
            raise ConnectionRefusedError(f"{self.name} is down")
        self.sent += 1


def approved_store(tmp_path: Path) -> Callable[[], ReportStore]:
    config = write_project(tmp_path / "p")
    advance(config, "approved")
    return lambda: ReportStore.open(config.parent / "itsskit.db")


def test_every_channel_is_tried_and_all_failures_are_raised(tmp_path: Path) -> None:
    opened = approved_store(tmp_path)
    a, b, c = Fake("a", down=True), Fake("b"), Fake("c", down=True)
    with opened() as store:
        with pytest.raises(ExceptionGroup) as info:
            store.publish("alpha-monthly", "2025-10", by="张伟", channels=[a, b, c])
        assert [str(e) for e in info.value.exceptions] == ["a is down", "c is down"]
        assert b.sent == 1
        assert store.get("alpha-monthly", "2025-10").status == ReportStatus.APPROVED
        a.down = c.down = False
        stored = store.publish("alpha-monthly", "2025-10", by="张伟", channels=[a, b, c])
    assert (a.sent, b.sent, c.sent) == (1, 1, 1)
    assert stored.status == ReportStatus.PUBLISHED
    assert [d.plugin for d in stored.deliveries] == ["b", "a", "c"]
    assert [(e.plugin, e.state) for e in stored.outbox] == [
        ("a", "failed"), ("b", "sent"), ("c", "failed"), ("a", "sent"), ("c", "sent"),
    ]  # fmt: skip


def test_a_channel_removed_from_the_config_no_longer_holds_the_report_back(
    tmp_path: Path,
) -> None:
    opened = approved_store(tmp_path)
    good, bad = Fake("good"), Fake("bad", down=True)
    with opened() as store:
        with pytest.raises(ConnectionRefusedError):
            store.publish("alpha-monthly", "2025-10", by="张伟", channels=[good, bad])
        stored = store.publish("alpha-monthly", "2025-10", by="张伟", channels=[good])
    assert good.sent == 1 and stored.status == ReportStatus.PUBLISHED


def test_two_channels_of_one_name_are_refused_before_sending(tmp_path: Path) -> None:
    opened = approved_store(tmp_path)
    first, second = Fake("x"), Fake("x")
    with opened() as store, pytest.raises(ValueError, match="two channels named x"):
        store.publish("alpha-monthly", "2025-10", by="张伟", channels=[first, second])
    assert first.sent == second.sent == 0


def test_the_publish_service_names_the_failed_channel_and_the_delivered_one(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    config_path = write_project(tmp_path / "p", two_channels(smtp.port))
    advance(config_path, "approved")
    host = PluginHost.create()
    config = load_config(config_path, host)
    with ReportStore.open(config.database_url) as store:
        target = report_target(config, host, store, "alpha-monthly", "2025-10")
        with pytest.raises(StepFailed) as info:
            publish_report(target, Step(by="张伟"))
        message = str(info.value)
        assert message.startswith("report alpha-monthly 2025-10 v1: channel smtp failed")
        assert "delivered via folder (not sent again)" in message
        smtp.start()
        result = publish_report(target, Step(by="张伟"))
        assert result.stored.status == ReportStatus.PUBLISHED and result.warnings == ()
        with pytest.raises(LifecycleError, match="is published: it cannot become published"):
            publish_report(target, Step(by="张伟"))
    assert mails(smtp.folder) == 1


def test_show_lists_each_channels_delivery_as_a_table_and_as_json(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    import json

    config = write_project(tmp_path / "p", two_channels(smtp.port))
    advance(config, "approved")
    itsskit(*step(config, "approved"), code=1)  # smtp down: folder delivers
    table = itsskit("report", "show", config, *REPORT)
    assert "channel smtp" in table and "failed: cio@alpha.example.cn (ConnectionError" in table
    assert f"channel folder │ sent: {RECIPIENT}" in table or f"sent: {RECIPIENT}" in table
    shown = json.loads(itsskit("report", "show", config, *REPORT, "--format", "json"))
    assert shown["status"] == "approved" and shown["next"] == ["published"]
    states = {c["channel"]: c["state"] for c in shown["channels"]}
    assert states == {"smtp": "failed", "folder": "sent"}
    assert [d["plugin"] for d in shown["deliveries"]] == ["folder"]
    assert [f["format"] for f in shown["files"]] == ["md", "json"] or len(shown["files"]) == 2

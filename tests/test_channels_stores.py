"""Distribution channels (a real SMTP server on loopback, a folder), the folder archive
store, and the [storage] / [distribution] / [archive] configuration tables."""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import socket
import textwrap
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from itsskit.builtin.channels import FolderChannel, FolderOptions, SmtpChannel, SmtpOptions
from itsskit.builtin.stores import FolderStore, FolderStoreOptions
from itsskit.config import ConfigError, load_config, make_archive_store, make_channel
from itsskit.models import Report, ReportSpec, ReportStatus, Transition
from itsskit.periods import Period
from itsskit.plugins import PluginHost

T0 = datetime.fromisoformat("2025-11-03T09:00+08:00")
DOCX = b"PK\x03\x04 fake docx \x00\xff bytes"
HTML = "<html><body>服务报告</body></html>".encode()


def make_report(language: str = "zh-CN", version: int = 2) -> Report:
    p = Period.parse("2025-10", "Asia/Shanghai")
    spec = ReportSpec(
        id="dianchi-monthly",
        project="dianchi",
        title="滇池物流 IT 运维服务月度报告" if language == "zh-CN" else "Dianchi Monthly Report",
        department="运维服务部",
        distribution=("cio@dianchi.example.cn", "itops@dianchi.example.cn"),
        language=language,
    )
    return Report(
        id="dianchi-monthly", project="dianchi", spec=spec, period_label="2025-10",
        period_start=p.start, period_end=p.end, generated=T0, language=language,
        status=ReportStatus.REVIEWED, version=version,
        history=(Transition(status=ReportStatus.DRAFT, at=T0, by="李娜"),),
    )  # fmt: skip


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = tmp_path / "out"
    out.mkdir()
    (out / "dianchi-monthly_2025-10.docx").write_bytes(DOCX)
    (out / "dianchi-monthly_2025-10.html").write_bytes(HTML)
    return {
        "docx": out / "dianchi-monthly_2025-10.docx",
        "html": out / "dianchi-monthly_2025-10.html",
    }


class Inbox:
    """aiosmtpd handler keeping every envelope it receives."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.mark.parametrize(
    ("language", "subject", "body_part"),
    [
        ("zh-CN", "【服务报告】滇池物流 IT 运维服务月度报告（2025-10，第 2 版）", "请查阅"),
        (
            "en",
            "Service report: Dianchi Monthly Report (2025-10, version 2)",
            "Please find attached",
        ),
    ],
)
def test_smtp_channel_delivers_to_a_real_server(
    smtp_server: tuple[Inbox, int],
    files: dict[str, Path],
    language: str,
    subject: str,
    body_part: str,
) -> None:
    inbox, port = smtp_server
    channel = SmtpChannel(
        SmtpOptions(host="127.0.0.1", port=port, sender="reports@yunling.example.cn")
    )
    report = make_report(language)
    channel.send(report, files, report.spec.distribution)

    assert len(inbox.envelopes) == 1
    envelope = inbox.envelopes[0]
    assert envelope.mail_from == "reports@yunling.example.cn"
    assert envelope.rcpt_tos == ["cio@dianchi.example.cn", "itops@dianchi.example.cn"]
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert message["Subject"] == subject
    assert message["To"] == "cio@dianchi.example.cn, itops@dianchi.example.cn"
    attachments = {
        part.get_filename(): part.get_payload(decode=True) for part in message.iter_attachments()
    }
    assert attachments == {
        "dianchi-monthly_2025-10.docx": DOCX,
        "dianchi-monthly_2025-10.html": HTML,
    }
    html = next(p for p in message.iter_attachments() if p.get_filename().endswith(".html"))
    assert html.get_content_type() == "text/html" and "服务报告" in html.get_content()
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and body_part in body.get_content()


def test_smtp_channel_refused_connection_raises(files: dict[str, Path]) -> None:
    channel = SmtpChannel(
        SmtpOptions(host="127.0.0.1", port=free_port(), sender="a@b.cn", timeout=5)
    )
    with pytest.raises(OSError):
        channel.send(make_report(), files, ["x@y.cn"])


def test_smtp_login_needs_the_password_variable(
    smtp_server: tuple[Inbox, int], files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, port = smtp_server
    monkeypatch.delenv("ITSSKIT_TEST_SMTP_PW", raising=False)
    options = SmtpOptions(
        host="127.0.0.1",
        port=port,
        sender="a@b.cn",
        username="u",
        password_env="ITSSKIT_TEST_SMTP_PW",
    )
    with pytest.raises(RuntimeError, match="ITSSKIT_TEST_SMTP_PW is not set"):
        SmtpChannel(options).send(make_report(), files, ["x@y.cn"])


def test_folder_channel_copies_per_recipient(tmp_path: Path, files: dict[str, Path]) -> None:
    root = tmp_path / "shared"
    FolderChannel(FolderOptions(root=root)).send(
        make_report(), files, ["cio@dianchi.example.cn", "王 总"]
    )
    for folder in ("cio@dianchi.example.cn", "王_总"):
        assert (root / folder / "dianchi-monthly_2025-10.docx").read_bytes() == DOCX
        assert (root / folder / "dianchi-monthly_2025-10.html").read_bytes() == HTML
    assert not list(root.rglob("*.tmp"))


def test_folder_store_layout_and_manifest(tmp_path: Path, files: dict[str, Path]) -> None:
    root = tmp_path / "archive"
    location = FolderStore(FolderStoreOptions(root=root)).archive(make_report(), files)
    folder = root / "dianchi" / "2025-10"
    assert Path(location) == folder / "dianchi-monthly_v2.manifest.json"
    assert sorted(p.name for p in folder.iterdir()) == [
        "dianchi-monthly_v2.docx",
        "dianchi-monthly_v2.html",
        "dianchi-monthly_v2.manifest.json",
    ]
    assert (folder / "dianchi-monthly_v2.docx").read_bytes() == DOCX
    manifest = json.loads(Path(location).read_text(encoding="utf-8"))
    assert manifest["report"] == "dianchi-monthly" and manifest["version"] == 2
    assert manifest["files"] == [
        {"format": "docx", "file": "dianchi-monthly_v2.docx",
         "sha256": hashlib.sha256(DOCX).hexdigest(), "bytes": len(DOCX)},
        {"format": "html", "file": "dianchi-monthly_v2.html",
         "sha256": hashlib.sha256(HTML).hexdigest(), "bytes": len(HTML)},
    ]  # fmt: skip
    assert manifest["history"][0]["by"] == "李娜"


def test_folder_store_refuses_two_files_with_one_suffix(
    tmp_path: Path, files: dict[str, Path]
) -> None:
    clash = {"docx": files["docx"], "other": files["docx"]}
    with pytest.raises(ValueError, match="share a suffix"):
        FolderStore(FolderStoreOptions(root=tmp_path / "a")).archive(make_report(), clash)


def test_builtins_are_registered() -> None:
    host = PluginHost.create(entry_points=False)
    assert host.channel_class("smtp") is SmtpChannel
    assert host.channel_class("folder") is FolderChannel
    assert host.store_class("folder") is FolderStore
    assert not host.failures


# ----------------------------------------------------------------- configuration

BASE = """
[projects.p]
name = "P"
"""


def write_config(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "conf" / "itsskit.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(BASE + textwrap.dedent(extra), encoding="utf-8")
    return path


def test_defaults_without_the_tables(tmp_path: Path) -> None:
    host = PluginHost.create(entry_points=False)
    config = load_config(write_config(tmp_path, ""), host)
    assert config.database_url == f"sqlite:///{tmp_path / 'conf' / 'itsskit.db'}"
    assert make_channel(config, host) is None
    store = make_archive_store(config, host)
    assert isinstance(store, FolderStore)
    assert store.options.root == tmp_path / "conf" / "archive"


def test_tables_are_structured_through_the_plugins(tmp_path: Path) -> None:
    host = PluginHost.create(entry_points=False)
    path = write_config(
        tmp_path,
        """
        [storage]
        url = "sqlite:///data/reports.db"
        [distribution]
        channel = "smtp"
        [distribution.smtp]
        host = "smtp.example.cn"
        port = 587
        starttls = true
        sender = "reports@example.cn"
        [archive]
        store = "folder"
        [archive.folder]
        root = "/srv/archive"
        """,
    )
    config = load_config(path, host)
    assert config.database_url == f"sqlite:///{tmp_path / 'conf' / 'data' / 'reports.db'}"
    channel = make_channel(config, host)
    assert isinstance(channel, SmtpChannel)
    assert channel.options == SmtpOptions(
        host="smtp.example.cn", port=587, starttls=True, sender="reports@example.cn"
    )
    assert make_archive_store(config, host).options.root == Path("/srv/archive")


def test_folder_channel_root_is_relative_to_the_config(tmp_path: Path) -> None:
    host = PluginHost.create(entry_points=False)
    path = write_config(
        tmp_path, '[distribution]\nchannel = "folder"\n[distribution.folder]\nroot = "out"\n'
    )
    channel = make_channel(load_config(path, host), host)
    assert isinstance(channel, FolderChannel)
    assert channel.options.root == tmp_path / "conf" / "out"


@pytest.mark.parametrize(
    ("extra", "key", "expected"),
    [
        (
            '[distribution]\nchannel = "fax"\n',
            "distribution.channel",
            "unknown distribution channel 'fax' (known: folder, smtp)",
        ),
        (
            '[distribution]\nchannel = "smtp"\n[distribution.smtp]\nhost = "h"\nsender = "s"\nprot = 25\n',
            "distribution.smtp",
            "unknown key(s) prot",
        ),
        (
            '[distribution]\nchannel = "smtp"\n[distribution.smtp]\nsender = "s"\n',
            "distribution.smtp.host",
            "required key missing",
        ),
        ('[distribution.smtp]\nhost = "h"\n', "distribution.channel", "required"),
        (
            '[distribution]\nchannel = "smtp"\ncc = "x"\n[distribution.smtp]\nhost = "h"\nsender = "s"\n',
            "distribution",
            "unknown key(s) cc (allowed: channel, smtp)",
        ),
        ('[archive]\nstore = "wiki"\n', "archive.store", "unknown archive store 'wiki'"),
        ("[archive.folder]\nroot = 3\n", "archive.folder.root", ""),
        ('[storage]\nurl = "itsskit.db"\n', "storage.url", "expected a SQLAlchemy URL"),
        ('[storage]\npath = "x.db"\n', "storage", "unknown key(s) path"),
        ('[storrage]\nurl = "x"\n', "storrage", "unknown table"),
    ],
)
def test_config_errors_name_file_key_and_expectation(
    tmp_path: Path, extra: str, key: str, expected: str
) -> None:
    path = write_config(tmp_path, extra)
    with pytest.raises(ConfigError) as info:
        load_config(path, PluginHost.create(entry_points=False))
    lines = [line for line in info.value.errors if f": {key}:" in line]
    assert lines, info.value.errors
    assert lines[0].startswith(f"{path}: {key}: ")
    assert expected in lines[0]

"""Credentials never leave, against real SMTP servers (aiosmtpd) on loopback.

One server checks the login and accepts UTF-8 credentials (RFC 4616); a
hostile one refuses every login with a reply quoting what it was sent (the
decoded credentials, their repr and the base64 AUTH blob). The channel's error
must name the server and carry no form of the password.
"""

from __future__ import annotations

import base64
import logging
import socket
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from itsskit.builtin.channels import SmtpChannel, SmtpOptions
from itsskit.redact import MASK, redact
from test_channels_stores import Inbox, make_report

USER = "报告机器人@example.cn"
PASSWORD = "密码-Pässwörd 🔑+/="
VARIABLE = "ITSSKIT_TEST_SMTP_SECRET"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def checking(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    """Accept exactly USER / PASSWORD, compared as UTF-8 bytes."""
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


def echoing(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    """Refuse, quoting the credentials every way a careless server might."""
    login, password = data.login, data.password
    blob = base64.b64encode(b"\0" + login + b"\0" + password).decode()
    text = password.decode("utf-8", "replace")
    return AuthResult(
        success=False,
        handled=False,
        message=f"535 5.7.8 bad {mechanism} {text} {password!r} {blob} for {login!r}",
    )


@pytest.fixture
def smtp(request: pytest.FixtureRequest) -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=request.param,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    path = tmp_path / "dianchi-monthly_2025-10.html"
    path.write_text("<p>报告</p>", encoding="utf-8")
    return {"html": path}


def channel(port: int, password: str, monkeypatch: pytest.MonkeyPatch) -> SmtpChannel:
    monkeypatch.setenv(VARIABLE, password)
    options = SmtpOptions(
        host="127.0.0.1",
        port=port,
        sender="reports@example.cn",
        username=USER,
        password_env=VARIABLE,
        timeout=10,
    )
    return SmtpChannel(options)


@pytest.mark.parametrize("smtp", [checking], indirect=True)
def test_non_ascii_password_logs_in_and_sends(
    smtp: tuple[Inbox, int], files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp
    channel(port, PASSWORD, monkeypatch).send(make_report(), files, ["cio@dianchi.example.cn"])
    assert [envelope.rcpt_tos for envelope in inbox.envelopes] == [["cio@dianchi.example.cn"]]


@pytest.mark.parametrize("smtp", [checking], indirect=True)
def test_wrong_non_ascii_password_is_one_clear_line(
    smtp: tuple[Inbox, int], files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp
    with pytest.raises(ConnectionError) as caught:
        channel(port, "错误的密码", monkeypatch).send(make_report(), files, ["x@y.cn"])
    message = str(caught.value)
    assert message.startswith(f"smtp server 127.0.0.1:{port}: SMTPAuthenticationError: 535 ")
    assert "\n" not in message and "错误的密码" not in message
    assert inbox.envelopes == []


@pytest.mark.parametrize("smtp", [echoing], indirect=True)
@pytest.mark.parametrize("password", [PASSWORD, "plain-ascii-S3cret"])
def test_server_echoing_the_credentials_is_redacted(
    smtp: tuple[Inbox, int],
    files: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    password: str,
) -> None:
    _, port = smtp
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ConnectionError) as caught:
        channel(port, password, monkeypatch).send(make_report(), files, ["x@y.cn"])
    error = caught.value
    assert f"smtp server 127.0.0.1:{port}" in str(error)
    assert f"535 5.7.8 bad PLAIN {MASK}" in str(error)
    printed = "".join(traceback.format_exception(error))
    captured = capsys.readouterr()
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail"))
    everything = [str(error), repr(error), printed, ours, captured.out, captured.err]
    blob = base64.b64encode(f"\0{USER}\0{password}".encode()).decode()
    for text in everything:
        for form in (password, repr(password.encode())[2:-1], blob):
            assert form not in text
    assert error.__cause__ is None and error.__context__ is None


def test_redact_covers_every_form() -> None:
    secret = "pa ss+wörd/🔑"
    forms = [
        secret,
        "pa+ss%2Bw%C3%B6rd%2F%F0%9F%94%91",
        "pa%20ss%2Bw%C3%B6rd%2F%F0%9F%94%91",
        "pa ss+w\\u00f6rd/\\ud83d\\udd11",
        "pa ss+w\\xc3\\xb6rd/\\xf0\\x9f\\x94\\x91",
        base64.b64encode(secret.encode()).decode(),
        base64.b64encode(f"me:{secret}".encode()).decode(),
        base64.b64encode(f"\0me\0{secret}".encode()).decode(),
    ]
    text = " | ".join(forms)
    assert redact(text, [secret], user="me") == " | ".join([MASK] * len(forms))
    assert redact("nothing here", ["", "x" * 8]) == "nothing here"

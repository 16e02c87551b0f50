"""Built-in distribution channels: ``folder`` and ``smtp`` (SPEC §5, seed 001 step 6).

Configured in ``[distribution]``::

    [distribution]
    channel = "smtp"
    [distribution.smtp]
    host = "smtp.example.cn"
    port = 587
    starttls = true
    username = "reports@example.cn"
    password_env = "ITSSKIT_SMTP_PASSWORD"   # the password is read from this variable
    sender = "运维服务部 <reports@example.cn>"

The password never appears in an error: messages quoting the server's reply
are redacted (:func:`itsskit.redact.redact`). Non-ASCII user names and
passwords are sent as UTF-8 (RFC 4616 ``AUTH PLAIN``, or ``AUTH LOGIN``).
"""

from __future__ import annotations

import base64
import mimetypes
import os
import re
import smtplib
import ssl as ssl_module
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import attrs

from itsskit.contracts import Channel, Registry
from itsskit.files import ensure_folder, safe_name, write_atomic
from itsskit.hookspecs import hookimpl
from itsskit.models import LANGUAGES, Report
from itsskit.redact import redact
from itsskit.wording import Texts

__all__ = ["FolderChannel", "FolderOptions", "SmtpChannel", "SmtpOptions", "message_for"]


@attrs.frozen(kw_only=True)
class FolderOptions:
    """``[distribution.folder]``: ``root`` (relative to the config file)."""

    root: Path


class FolderChannel(Channel):
    """Copies the files into ``<root>/<recipient>/``, one folder per recipient (a shared drive)."""

    name = "folder"
    options_class = FolderOptions
    options: FolderOptions

    def send(self, report: Report, files: Mapping[str, Path], recipients: Sequence[str]) -> None:
        """Copy every file into each recipient's folder, atomically per file."""
        contents = {Path(path).name: Path(path).read_bytes() for path in files.values()}
        for recipient in recipients:
            folder = ensure_folder(
                Path(self.options.root) / _safe(recipient), "distribution.folder.root"
            )
            for name, data in contents.items():
                write_atomic(folder / name, data)


@attrs.frozen(kw_only=True)
class SmtpOptions:
    """``[distribution.smtp]``; the password comes from the variable ``password_env``."""

    host: str
    sender: str
    port: int = 25
    starttls: bool = False
    ssl: bool = False
    username: str = ""
    password_env: str = ""
    timeout: float = 60.0


class SmtpChannel(Channel):
    """Sends one e-mail to the whole distribution list, the files attached."""

    name = "smtp"
    options_class = SmtpOptions
    options: SmtpOptions

    def send(self, report: Report, files: Mapping[str, Path], recipients: Sequence[str]) -> None:
        """Send the report; an SMTP or connection error is raised naming the server.

        A missing password variable is an error before anything is sent. The
        error carries no password (nor the server's reply quoting it) and no
        chained exception that could.
        """
        options = self.options
        message = message_for(report, files, recipients, sender=options.sender)
        password = self._password() if options.username else ""
        failure = self._failure(message, password)
        if failure:
            raise ConnectionError(failure)

    def _failure(self, message: EmailMessage, password: str) -> str:
        """Deliver ``message``: '' when sent, else one line saying why, the password redacted."""
        options = self.options
        try:
            self._deliver(message, password)
        except (OSError, UnicodeError) as exc:  # smtplib.SMTPException and ssl errors are OSErrors
            reason = f"{type(exc).__name__}: {_smtp_reason(exc)}"
            text = (
                f"smtp server {options.host}:{options.port}: {reason}"
                " (check distribution.smtp host, port, ssl/starttls and the credentials)"
            )
            return redact(text, [password], user=options.username)
        return ""

    def _deliver(self, message: EmailMessage, password: str) -> None:
        options = self.options
        if options.ssl:
            context = ssl_module.create_default_context()
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                options.host, options.port, timeout=options.timeout, context=context
            )
        else:
            client = smtplib.SMTP(options.host, options.port, timeout=options.timeout)
        with client:
            if options.starttls:
                client.starttls(context=ssl_module.create_default_context())
            if options.username:
                _login(client, options.username, password)
            client.send_message(message)

    def _password(self) -> str:
        variable = self.options.password_env
        if not variable or variable not in os.environ:
            raise RuntimeError(
                "distribution.smtp: username is set but the password variable"
                f" {variable or '(password_env)'} is not set in the environment"
                " (distribution.smtp.password_env names it)"
            )
        return os.environ[variable]


def message_for(
    report: Report, files: Mapping[str, Path], recipients: Sequence[str], *, sender: str
) -> EmailMessage:
    """The e-mail for ``report``: localized subject and body, one attachment per file."""
    texts = Texts(report.language if report.language in LANGUAGES else "zh-CN")
    names = [Path(path).name for path in files.values()]
    fields = {
        "title": report.spec.title or report.id,
        "period": report.period_label,
        "version": report.version,
        "department": report.spec.department,
        "files": ", ".join(names),
    }
    message = EmailMessage()
    message["Subject"] = texts("mail.subject", **fields)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=_domain(sender))
    message.set_content(texts("mail.body", **fields))
    for path in files.values():
        path = Path(path)
        kind, _ = mimetypes.guess_type(path.name)
        maintype, _, subtype = (kind or "application/octet-stream").partition("/")
        params = {"charset": "utf-8"} if maintype == "text" else {}  # renderers write UTF-8
        message.add_attachment(
            path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name, params=params
        )
    return message


def _login(client: smtplib.SMTP, user: str, password: str) -> None:
    """Log in; non-ASCII credentials go as UTF-8 by AUTH PLAIN (RFC 4616) or AUTH LOGIN.

    (:meth:`smtplib.SMTP.login` encodes them as ASCII and fails.)
    """
    if (user + password).isascii():
        client.login(user, password)
        return
    client.ehlo_or_helo_if_needed()
    offered = client.esmtp_features.get("auth", "").upper().split()
    if "PLAIN" in offered:
        code, reply = client.docmd("AUTH", "PLAIN " + _base64(f"\0{user}\0{password}"))
    elif "LOGIN" in offered:
        code, reply = client.docmd("AUTH", "LOGIN " + _base64(user))
        if code == 334:
            code, reply = client.docmd(_base64(password))
    else:
        raise smtplib.SMTPNotSupportedError(
            "non-ASCII user name or password: the server offers neither AUTH PLAIN nor AUTH LOGIN"
            f" (offered: {' '.join(offered) or 'no AUTH'})"
        )
    if code not in (235, 503):
        raise smtplib.SMTPAuthenticationError(code, reply)


def _base64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _smtp_reason(exc: BaseException) -> str:
    """An SMTP error as ``code text`` (the server's reply decoded), other errors as they say."""
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
        return " ".join(f"{exc.smtp_code} {text}".split())
    return " ".join(str(exc).split())


def _domain(sender: str) -> str | None:
    match = re.search(r"@([\w.-]+)", sender)
    return match.group(1) if match else None


def _safe(name: str) -> str:
    """A recipient as a folder name (``cio@dianchi.example.cn`` stays readable), always safe."""
    return safe_name(re.sub(r"[^\w@.+-]+", "_", name).strip("._") or "_")


@hookimpl
def register_channels(registry: Registry[Channel]) -> None:
    """The built-in ``folder`` and ``smtp`` channels."""
    registry.add(FolderChannel)
    registry.add(SmtpChannel)

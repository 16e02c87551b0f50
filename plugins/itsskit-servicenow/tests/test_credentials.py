"""Credentials never leave: hostile servers on loopback echo, redirect and collect.

``Echo`` answers every request with an error whose body repeats the request:
its form body (client secret, password, refresh token), its Authorization
header and that header decoded. ``Thief`` records whatever reaches it; the
instance redirects the token request or the table request there.
"""

from __future__ import annotations

import base64
import threading
import traceback
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import pytest
from itsskit.contracts import SourceContext

from itsskit_servicenow import ServiceNowError, ServiceNowOptions, ServiceNowSource

USER = "itsskit.reader"
PASSWORD = "pa ss+wörd/🔑"  # spaces, '+', '/', non-ASCII: every encoding differs
CLIENT_SECRET = "client-SECRET-7f3a"
REFRESH = "refresh-TOKEN-91c2"
SECRETS = (PASSWORD, CLIENT_SECRET, REFRESH)


class Recorder(ThreadingHTTPServer):
    """A loopback server keeping every request (method, path, headers, body)."""

    def __init__(self, reply: Any) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.reply = reply
        self.seen: list[tuple[str, str, dict[str, str], str]] = []
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: Recorder

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: the default writes every request to stderr."""

    def do_GET(self) -> None:  # noqa: N802
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        self.server.seen.append((method, self.path, dict(self.headers), body))
        status, headers, text = self.server.reply(self, body)
        data = text.encode("utf-8")
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(data))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def echo(handler: Handler, body: str) -> tuple[int, dict[str, str], str]:
    """403 quoting the request: body, Authorization header, and the header decoded."""
    authorization = handler.headers.get("Authorization", "")
    decoded = ""
    if authorization.startswith("Basic "):
        decoded = base64.b64decode(authorization[6:]).decode("utf-8", "replace")
    return 403, {}, f"you sent {body} with {authorization} ({decoded})"


@pytest.fixture
def serve() -> Iterator[Any]:
    """Start loopback servers: ``serve(reply)`` -> a running :class:`Recorder`."""
    servers: list[Recorder] = []

    def start(reply: Any) -> Recorder:
        server = Recorder(reply)
        threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SN_PASSWORD", PASSWORD)
    monkeypatch.setenv("SN_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("SN_REFRESH", REFRESH)


def source(url: str, **options: Any) -> ServiceNowSource:
    settings: dict[str, Any] = {
        "instance": url,
        "username": USER,
        "password_env": "SN_PASSWORD",
        "client_id": "client-1",
        "client_secret_env": "SN_SECRET",
        "max_retries": 0,
        **options,
    }
    context = SourceContext(name="snow", kind="tickets", base_dir=Path("."))
    return ServiceNowSource(ServiceNowOptions(**settings), context)


def forms(secret: str) -> list[str]:
    """The ways a secret could show: as is, form-encoded, base64 (alone and with the user)."""
    return [
        secret,
        quote_plus(secret),
        base64.b64encode(secret.encode()).decode(),
        base64.b64encode(f"{USER}:{secret}".encode()).decode(),
    ]


def assert_clean(error: BaseException) -> None:
    """No form of any secret in the message, the repr or the printed traceback."""
    printed = "".join(traceback.format_exception(error))
    for text in (str(error), repr(error), printed):
        for secret in SECRETS:
            for form in forms(secret):
                assert form not in text, (form, text)
    assert error.__cause__ is None and error.__context__ is None


def failure(src: ServiceNowSource) -> ServiceNowError:
    with pytest.raises(ServiceNowError) as caught:
        list(src.read())
    return caught.value


@pytest.mark.parametrize("grant", ["password", "refresh"])
def test_token_refusal_echoing_the_form_is_redacted(serve: Any, grant: str) -> None:
    server = serve(echo)
    options = {"refresh_token_env": "SN_REFRESH"} if grant == "refresh" else {}
    error = failure(source(server.url, auth="oauth", **options))
    sent = server.seen[0][3]
    assert CLIENT_SECRET in sent  # the server did get (and echo) the secrets
    assert "token request refused" in str(error) and "HTTP 403 you sent" in str(error)
    assert "client_secret=***" in str(error)
    assert_clean(error)


def test_basic_auth_refusal_echoing_the_header_is_redacted(serve: Any) -> None:
    server = serve(echo)
    error = failure(source(server.url))
    assert "/api/now/table/incident" in str(error) and "HTTP 403" in str(error)
    assert "with Basic ***" in str(error)
    assert_clean(error)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_token_request_is_not_redirected_to_another_host(serve: Any, status: int) -> None:
    thief = serve(lambda handler, body: (200, {}, '{"access_token": "stolen"}'))
    instance = serve(lambda handler, body: (status, {"Location": f"{thief.url}/steal"}, ""))
    error = failure(source(instance.url, auth="oauth"))
    assert thief.seen == []
    assert f"redirected to {thief.url}; not followed" in str(error)
    assert_clean(error)


def test_basic_auth_is_not_sent_to_another_host_on_redirect(serve: Any) -> None:
    thief = serve(echo)
    instance = serve(lambda handler, body: (307, {"Location": f"{thief.url}/api"}, ""))
    error = failure(source(instance.url))
    assert [seen[2].get("Authorization") for seen in thief.seen] == [None]
    assert_clean(error)


def test_instance_url_with_credentials_is_refused_without_echoing_them() -> None:
    with pytest.raises(ValueError) as caught:
        ServiceNowOptions(instance=f"https://{USER}:{quote_plus(PASSWORD)}@x.service-now.com")
    assert "must not carry credentials" in str(caught.value)
    assert quote_plus(PASSWORD) not in str(caught.value)

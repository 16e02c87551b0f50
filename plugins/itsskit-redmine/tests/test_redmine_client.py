"""Failure handling the real server will not produce on demand, against a scripted one.

A tiny loopback server answers the Redmine endpoints the source uses; tests queue
error replies (503, 429 with ``Retry-After``, 404, a non-JSON body) per path.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs
import pytest
from itsskit.contracts import SourceContext
from itsskit.converter import converter
from itsskit.models import DataQualityFinding, Ticket

from itsskit_redmine import RedmineClient, RedmineError, RedmineOptions, RedmineSource

KEY = "0123456789abcdef0123456789abcdef01234567"
ISSUES = [
    {
        "id": number,
        "tracker": {"id": 1, "name": "Bug"},
        "status": {"id": 1, "name": "New"},
        "priority": {"id": 2, "name": "Normal"},
        "author": {"id": 7, "name": "Alice"},
        "created_on": "2025-10-09T01:00:00Z",
    }
    for number in (1, 2, 3)
]
STATIC = {
    "/users/current.json": {"user": {"id": 1, "login": "admin"}},
    "/issue_statuses.json": {"issue_statuses": [{"id": 1, "name": "New", "is_closed": False}]},
    "/enumerations/issue_priorities.json": {"issue_priorities": [{"id": 2, "name": "Normal"}]},
}


@attrs.define
class Scripted:
    """What the server answers; ``queued`` replies (status, headers, body) go first."""

    queued: dict[str, list[tuple[int, dict[str, str], bytes]]] = attrs.Factory(dict)
    seen: list[tuple[str, str]] = attrs.Factory(list)  # (path with query, API key header)
    url: str = ""

    def queue(
        self, path: str, status: int, body: bytes = b"{}", headers: dict[str, str] | None = None
    ) -> None:
        self.queued.setdefault(path, []).append((status, headers or {}, body))


class Handler(BaseHTTPRequestHandler):
    server: Any

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence
        """Keep the test output quiet."""

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        scripted: Scripted = self.server.scripted
        scripted.seen.append((self.path, self.headers.get("X-Redmine-API-Key", "")))
        path = urlsplit(self.path).path
        if scripted.queued.get(path):
            status, headers, body = scripted.queued[path].pop(0)
            return self._reply(status, body, headers)
        if self.headers.get("X-Redmine-API-Key") != KEY:
            return self._reply(401, b"")
        if path in STATIC:
            return self._reply(200, json.dumps(STATIC[path]).encode())
        if path == "/issues.json":
            return self._reply(
                200, json.dumps({"issues": ISSUES, "total_count": 3, "offset": 0}).encode()
            )
        number = int(path.removeprefix("/issues/").removesuffix(".json"))
        self._reply(200, json.dumps({"issue": ISSUES[number - 1]}).encode())

    def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, text in (headers or {}).items():
            self.send_header(name, text)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def scripted() -> Iterator[Scripted]:
    state = Scripted()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.scripted = state  # type: ignore[attr-defined]
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def source(url: str, **options: Any) -> RedmineSource:
    chosen = converter.structure({"url": url, "backoff": 0, **options}, RedmineOptions)
    return RedmineSource(chosen, SourceContext(name="rm", kind="tickets", base_dir=Path()))


def read(url: str, **options: Any) -> list[Ticket | DataQualityFinding]:
    return list(source(url, **options).read())


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDMINE_API_KEY", KEY)


def test_key_goes_in_the_header_never_the_url(scripted: Scripted) -> None:
    items = read(scripted.url)
    assert [item.id for item in items if isinstance(item, Ticket)] == ["1", "2", "3"]
    assert all(key == KEY and KEY not in path for path, key in scripted.seen)


def test_retries_5xx_and_429_with_retry_after(scripted: Scripted) -> None:
    scripted.queue("/issues.json", 503)
    scripted.queue("/issues.json", 429, headers={"Retry-After": "0"})
    scripted.queue("/issues/2.json", 502)
    items = read(scripted.url)
    assert [item.id for item in items if isinstance(item, Ticket)] == ["1", "2", "3"]
    assert [p for p, _ in scripted.seen].count("/issues/2.json?include=journals") == 2


def test_gives_up_after_the_retries_with_one_line(scripted: Scripted) -> None:
    for _ in range(3):
        scripted.queue("/issues.json", 503)
    with pytest.raises(RedmineError) as caught:
        read(scripted.url, max_retries=2)
    message = str(caught.value)
    assert message.startswith(f"redmine GET {scripted.url}/issues.json?status_id=*&sort=id")
    assert "gave up after retries" in message and "\n" not in message


def test_vanished_issue_is_a_finding_and_reading_goes_on(scripted: Scripted) -> None:
    scripted.queue("/issues/2.json", 404, b'{"errors": ["not found"]}')
    items = read(scripted.url)
    assert [item.id for item in items if isinstance(item, Ticket)] == ["1", "3"]
    (finding,) = [item for item in items if isinstance(item, DataQualityFinding)]
    assert finding.record_id == "2"
    assert finding.reason.startswith("redmine issue #2: redmine GET ")
    assert "HTTP 404" in finding.reason


def test_rejected_filter_shows_redmines_errors(scripted: Scripted) -> None:
    scripted.queue("/issues.json", 422, b'{"errors": ["Tracker is invalid"]}')
    with pytest.raises(RedmineError, match=r"HTTP 422 Unprocessable Entity: Tracker is invalid$"):
        read(scripted.url, filters={"tracker_id": "x"})


def test_reply_that_is_not_json(scripted: Scripted) -> None:
    scripted.queue("/issue_statuses.json", 200, b"<html>login</html>")
    with pytest.raises(RedmineError, match=r"/issue_statuses.json: the reply is not JSON$"):
        read(scripted.url)


def test_list_without_total_count(scripted: Scripted) -> None:
    scripted.queue("/issues.json", 200, b'{"issues": []}')
    with pytest.raises(RedmineError, match=r"expected \{'issues': \[...\], 'total_count': N\}"):
        read(scripted.url)


def test_unreachable_server_is_one_line() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(RedmineError) as caught:
        read(f"http://127.0.0.1:{port}", max_retries=0)
    message = str(caught.value)
    assert message.startswith(f"redmine GET http://127.0.0.1:{port}/users/current.json: ")
    assert "\n" not in message and KEY not in message


def test_anonymous_access_sends_no_key(scripted: Scripted) -> None:
    with RedmineClient(scripted.url, "") as client, pytest.raises(RedmineError, match="HTTP 401"):
        client.get("/issue_statuses.json")
    assert scripted.seen == [("/issue_statuses.json", "")]

"""A fake ServiceNow instance on loopback, serving the JSON fixtures.

It implements just enough of the Table API: ``GET /api/now/table/{table}`` with
``sysparm_limit``/``sysparm_offset`` paging, ``Link`` and ``X-Total-Count``
headers, the ``fieldIN a,b`` and ``field=value`` terms of ``sysparm_query``,
basic or bearer auth, and ``POST /oauth_token.do``. Tests script failures by
queueing ``(status, headers)`` replies per path.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import attrs
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
USER, PASSWORD = "itsskit.reader", "s3cret"
CLIENT_ID, CLIENT_SECRET = "client-1", "client-secret"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@attrs.define
class Seen:
    """One request the fake instance received."""

    method: str
    path: str
    params: dict[str, str]
    authorization: str
    form: dict[str, str]


@attrs.define
class FakeInstance:
    """State of the fake instance; tests change it between requests."""

    tables: dict[str, list[dict[str, str]]]
    auth: str = "basic"  # "basic" | "bearer"
    tokens: set[str] = attrs.Factory(lambda: {"fresh-token"})
    refresh_tokens: set[str] = attrs.Factory(lambda: {"refresh-1"})
    failures: dict[str, list[tuple[int, dict[str, str]]]] = attrs.Factory(dict)
    seen: list[Seen] = attrs.Factory(list)
    url: str = ""

    def fail(self, path: str, status: int, headers: dict[str, str] | None = None) -> None:
        """Answer the next request to ``path`` with ``status``."""
        self.failures.setdefault(path, []).append((status, headers or {}))

    def table_requests(self, table: str) -> list[Seen]:
        return [s for s in self.seen if s.path == f"/api/now/table/{table}"]


def matches(row: dict[str, str], query: str) -> bool:
    """True when ``row`` satisfies the ``IN`` and ``=`` terms of an encoded query."""
    for term in query.split("^"):
        if "IN" in term and "=" not in term:
            field, values = term.split("IN", 1)
            if row.get(field, "") not in values.split(","):
                return False
        elif "=" in term and ">" not in term and "<" not in term:
            field, wanted = term.split("=", 1)
            if row.get(field, "") != wanted:
                return False
    return True


class FakeServer(ThreadingHTTPServer):
    def __init__(self, instance: FakeInstance) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.instance = instance
        instance.url = f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: FakeServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence
        """Keep the test output quiet (the default writes every request to stderr)."""

    @property
    def instance(self) -> FakeInstance:
        return self.server.instance

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        self._handle("POST")

    def _handle(self, method: str) -> None:
        parts = urlsplit(self.path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(self.rfile.read(length).decode())) if length else {}
        self.instance.seen.append(
            Seen(method, parts.path, params, self.headers.get("Authorization", ""), form)
        )
        queued = self.instance.failures.get(parts.path)
        if queued:
            status, headers = queued.pop(0)
            return self._reply(status, {"error": {"message": "scripted failure"}}, headers)
        if parts.path == "/oauth_token.do" and method == "POST":
            return self._token(form)
        if not self._authorized():
            return self._reply(401, {"error": {"message": "User Not Authenticated"}})
        table = parts.path.removeprefix("/api/now/table/")
        if method != "GET" or table not in self.instance.tables:
            return self._reply(404, {"error": {"message": "Invalid table"}})
        self._table(parts.path, table, params)

    def _authorized(self) -> bool:
        header = self.headers.get("Authorization", "")
        if self.instance.auth == "basic":
            expected = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
            return header == f"Basic {expected}"
        return header.removeprefix("Bearer ") in self.instance.tokens

    def _token(self, form: dict[str, str]) -> None:
        client_ok = (
            form.get("client_id") == CLIENT_ID and form.get("client_secret") == CLIENT_SECRET
        )
        grant = form.get("grant_type")
        granted = client_ok and (
            (grant == "refresh_token" and form.get("refresh_token") in self.instance.refresh_tokens)
            or (
                grant == "password"
                and (form.get("username"), form.get("password")) == (USER, PASSWORD)
            )
            or grant == "client_credentials"
        )
        if not granted:
            return self._reply(
                401, {"error": "access_denied", "error_description": "access_denied"}
            )
        self._reply(200, load("oauth_token.json"))

    def _table(self, path: str, table: str, params: dict[str, str]) -> None:
        rows = [
            r for r in self.instance.tables[table] if matches(r, params.get("sysparm_query", ""))
        ]
        limit = int(params.get("sysparm_limit", "10000"))
        offset = int(params.get("sysparm_offset", "0"))
        fields = [f for f in params.get("sysparm_fields", "").split(",") if f]
        page = [
            {f: r.get(f, "") for f in fields} if fields else r
            for r in rows[offset : offset + limit]
        ]

        def link(at: int, rel: str) -> str:
            query = urlencode({**params, "sysparm_offset": str(at)})
            return f'<{self.instance.url}{path}?{query}>;rel="{rel}"'

        links = [link(0, "first")]
        if offset + limit < len(rows):
            links.append(link(offset + limit, "next"))
        links.append(link(max(0, (len(rows) - 1) // limit * limit), "last"))
        self._reply(
            200, {"result": page}, {"Link": ",".join(links), "X-Total-Count": str(len(rows))}
        )

    def _reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, text in (headers or {}).items():
            self.send_header(name, text)
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def instance() -> Iterator[FakeInstance]:
    """A running fake instance holding the fixtures' incidents and audit rows."""
    fake = FakeInstance(
        tables={
            "incident": load("incident.json")["result"],
            "sys_audit": load("sys_audit.json")["result"],
        }
    )
    server = FakeServer(fake)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

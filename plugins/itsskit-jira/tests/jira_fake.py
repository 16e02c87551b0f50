"""A fake Jira Service Management site on loopback, Cloud or Data Center.

It serves just enough of the documented REST APIs:

* ``GET /rest/api/{2,3}/field`` — the field list;
* ``GET /rest/api/3/search/jql`` (Cloud) — ``nextPageToken``/``isLast`` pages;
* ``GET /rest/api/2/search`` (Data Center) — ``startAt``/``maxResults``/``total``;
* ``GET /rest/api/3/issue/{key}/changelog`` (Cloud) — ``PageBeanChangelog``;
* ``GET /rest/api/2/issue/{key}?expand=changelog`` (Data Center);
* ``GET /rest/servicedeskapi/request/{key}/comment`` — ``PagedDTO`` of comments.

Like Jira, it caps page sizes (``max_results``), embeds at most
``changelog_embedded`` histories in a search result, newest first (with the true
``total``),
returns only the requested ``fields`` and answers ``project in (...)`` JQL.
Tests script failures by queueing ``(status, headers, body)`` replies per path.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import attrs

import jira_data

EMAIL, API_TOKEN, PAT = "reader@provider.example", "ATATT3xFfGF0-secret-token", "NjM0-pat-secret"


@attrs.define
class Seen:
    """One request the fake site received."""

    path: str
    params: dict[str, str]
    authorization: str


@attrs.define
class FakeJira:
    """State of the fake site; tests change it between requests."""

    deployment: str = "cloud"
    issues: list[dict[str, Any]] = attrs.Factory(jira_data.issues)
    fields: list[dict[str, Any]] = attrs.Factory(lambda: list(jira_data.FIELDS))
    comments: dict[str, list[Any]] = attrs.Factory(
        lambda: jira_data.servicedesk_comments(jira_data.AGENT_CLOUD, jira_data.CUSTOMER_CLOUD)
    )
    max_results: int = 3
    changelog_embedded: int = 3
    changelog_page: int = 2
    comment_page: int = 2
    request_types: dict[str, str] = attrs.Factory(dict)
    failures: dict[str, list[tuple[int, dict[str, str], Any]]] = attrs.Factory(dict)
    seen: list[Seen] = attrs.Factory(list)
    url: str = ""

    def fail(
        self, path: str, status: int, headers: dict[str, str] | None = None, body: Any = None
    ) -> None:
        """Answer the next request to ``path`` with ``status``."""
        reply = body if body is not None else {"errorMessages": ["scripted failure"], "errors": {}}
        self.failures.setdefault(path, []).append((status, headers or {}, reply))

    def requests(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    def as_datacenter(self) -> None:
        """Serve the same issues as a Data Center site (API v2, PAT)."""
        self.deployment = "datacenter"
        self.issues = [jira_data.to_datacenter(bean) for bean in self.issues]
        self.comments = jira_data.servicedesk_comments(jira_data.AGENT_DC, jira_data.CUSTOMER_DC)

    def authorized(self, header: str) -> bool:
        if self.deployment == "cloud":
            encoded = base64.b64encode(f"{EMAIL}:{API_TOKEN}".encode()).decode()
            return header == f"Basic {encoded}"
        return header == f"Bearer {PAT}"


class FakeServer(ThreadingHTTPServer):
    def __init__(self, site: FakeJira) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.site = site
        site.url = f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: FakeServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server API
        """Keep the test output quiet (the default writes every request to stderr)."""

    @property
    def site(self) -> FakeJira:
        return self.server.site

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        self.site.seen.append(Seen(path, params, self.headers.get("Authorization", "")))
        queued = self.site.failures.get(path)
        if queued:
            status, headers, body = queued.pop(0)
            return self._reply(status, body, headers)
        if not self.site.authorized(self.headers.get("Authorization", "")):
            return self._reply(
                401,
                {
                    "errorMessages": [
                        "Client must be authenticated; you sent "
                        + self.headers.get("Authorization", "")
                    ]
                },
            )
        api = "3" if self.site.deployment == "cloud" else "2"
        routes = [
            (rf"/rest/api/{api}/field", self._fields),
            (r"/rest/api/3/search/jql", self._search_cloud),
            (r"/rest/api/2/search", self._search_datacenter),
            (r"/rest/api/3/issue/(?P<key>[^/]+)/changelog", self._changelog_cloud),
            (r"/rest/api/2/issue/(?P<key>[^/]+)", self._issue_datacenter),
            (r"/rest/servicedeskapi/request/(?P<key>[^/]+)/comment", self._comments),
            (r"/rest/servicedeskapi/request/(?P<key>[^/]+)", self._request),
        ]
        for pattern, handle in routes:
            match = re.fullmatch(pattern, path)
            if match and (pattern.startswith(f"/rest/api/{api}") or "servicedeskapi" in pattern):
                return handle(params, **match.groupdict())
        self._reply(404, {"errorMessages": [f"no route {path}"], "errors": {}})

    # ------------------------------------------------------------------- routes

    def _fields(self, params: dict[str, str]) -> None:
        self._reply(200, self.site.fields)

    def _matching(self, params: dict[str, str]) -> list[dict[str, Any]]:
        wanted = [f for f in params.get("fields", "").split(",") if f]
        projects = re.search(r"project in \(([^)]*)\)", params.get("jql", ""))
        keys = {k.strip().strip('"') for k in projects.group(1).split(",")} if projects else None
        found = []
        for bean in self.site.issues:
            if keys is not None and bean["fields"]["project"]["key"] not in keys:
                continue
            every = "*all" in wanted
            shown = {
                **bean,
                "fields": {f: v for f, v in bean["fields"].items() if every or f in wanted},
            }
            changelog = bean.get("changelog")
            if changelog and "changelog" in params.get("expand", ""):
                # the search embeds the most recent histories, newest first
                newest = list(reversed(changelog["histories"]))
                embedded = newest[: self.site.changelog_embedded]
                shown["changelog"] = {
                    **changelog,
                    "maxResults": len(embedded),
                    "histories": embedded,
                }
            else:
                shown.pop("changelog", None)
            found.append(shown)
        return found

    def _search_cloud(self, params: dict[str, str]) -> None:
        found = self._matching(params)
        start = (
            int(base64.b64decode(params["nextPageToken"]).decode())
            if "nextPageToken" in params
            else 0
        )
        size = min(int(params.get("maxResults", "50")), self.site.max_results)
        page = found[start : start + size]
        body: dict[str, Any] = {"issues": page, "isLast": start + size >= len(found)}
        if not body["isLast"]:
            body["nextPageToken"] = base64.b64encode(str(start + size).encode()).decode()
        self._reply(200, body)

    def _search_datacenter(self, params: dict[str, str]) -> None:
        found = self._matching(params)
        start = int(params.get("startAt", "0"))
        size = min(int(params.get("maxResults", "50")), self.site.max_results)
        self._reply(
            200,
            {
                "expand": "schema,names",
                "startAt": start,
                "maxResults": size,
                "total": len(found),
                "issues": found[start : start + size],
            },
        )

    def _bean(self, key: str) -> dict[str, Any] | None:
        return next((b for b in self.site.issues if b.get("key") == key), None)

    def _changelog_cloud(self, params: dict[str, str], key: str) -> None:
        bean = self._bean(key)
        if bean is None:
            return self._reply(404, {"errorMessages": ["Issue does not exist"], "errors": {}})
        histories = bean.get("changelog", {}).get("histories", [])
        start = int(params.get("startAt", "0"))
        size = min(int(params.get("maxResults", "100")), self.site.changelog_page)
        last = start + size >= len(histories)
        body: dict[str, Any] = {
            "self": f"{self.site.url}/rest/api/3/issue/{key}/changelog?startAt={start}",
            "maxResults": size,
            "startAt": start,
            "total": len(histories),
            "isLast": last,
            "values": histories[start : start + size],
        }
        if not last:
            body["nextPage"] = (
                f"{self.site.url}/rest/api/3/issue/{key}/changelog?startAt={start + size}"
            )
        self._reply(200, body)

    def _issue_datacenter(self, params: dict[str, str], key: str) -> None:
        bean = self._bean(key)
        if bean is None:
            return self._reply(404, {"errorMessages": ["Issue Does Not Exist"], "errors": {}})
        self._reply(200, bean)

    def _request(self, params: dict[str, str], key: str) -> None:
        """A ``CustomerRequestDTO``; ``requestType`` only with ``expand=requestType``."""
        bean = self._bean(key)
        if bean is None or key not in self.site.request_types:
            return self._reply(
                404, {"errorMessage": "Request does not exist", "i18nErrorMessage": {}}
            )
        name = self.site.request_types[key]
        body: dict[str, Any] = {
            "_expands": ["participant", "status", "sla", "requestType", "serviceDesk"],
            "issueId": bean["id"],
            "issueKey": key,
            "requestTypeId": "11",
            "serviceDeskId": "1",
            "createdDate": jira_data.date_dto(jira_data.sh(10, 14, 9)),
            "reporter": jira_data.CUSTOMER_CLOUD,
            "requestFieldValues": [],
            "_links": {"self": f"{self.site.url}/rest/servicedeskapi/request/{bean['id']}"},
        }
        if "requestType" in params.get("expand", ""):
            body["requestType"] = jira_data.request_type(name, "", jira_data.sh(10, 14, 9))[
                "requestType"
            ]
        self._reply(200, body)

    def _comments(self, params: dict[str, str], key: str) -> None:
        if key not in self.site.comments:
            return self._reply(
                404, {"errorMessage": "Request does not exist", "i18nErrorMessage": {}}
            )
        comments = self.site.comments[key]
        if params.get("public") == "false":
            comments = [c for c in comments if not c["public"]]
        if params.get("internal") == "false":
            comments = [c for c in comments if c["public"]]
        start = int(params.get("start", "0"))
        size = min(int(params.get("limit", "50")), self.site.comment_page)
        page = comments[start : start + size]
        base = f"{self.site.url}/rest/servicedeskapi/request/{key}/comment"
        self._reply(
            200,
            {
                "_expands": ["attachment", "renderedBody"],
                "size": len(page),
                "start": start,
                "limit": size,
                "isLastPage": start + size >= len(comments),
                "_links": {"base": self.site.url, "context": "", "self": base},
                "values": page,
            },
        )

    def _reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for name, text in (headers or {}).items():
            self.send_header(name, text)
        self.end_headers()
        self.wfile.write(data)


@contextlib.contextmanager
def serving(fake: FakeJira) -> Iterator[FakeJira]:
    """Run ``fake`` on a loopback port until the block ends."""
    server = FakeServer(fake)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

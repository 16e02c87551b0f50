"""A small client for the Jira REST APIs: auth, retries, the three ways Jira pages.

* Cloud issue search, ``GET /rest/api/3/search/jql``: ``nextPageToken`` until
  ``isLast`` (or no token).
* Data Center issue search, ``GET /rest/api/2/search``: ``startAt`` /
  ``maxResults`` / ``total``.
* Changelog pages (``/rest/api/3/issue/{key}/changelog``: ``startAt``/``total``/
  ``isLast``) and Service Management pages (``start``/``limit``/``isLastPage``).

Rate limits: HTTP 429 and 503 (and 502/504) are retried, waiting ``Retry-After``
seconds when the server sends it (bounded by ``max_retry_after``), otherwise an
exponential backoff. Every error is one line naming the server and the request;
secrets are redacted from everything echoed, server replies included.
"""

from __future__ import annotations

import base64
import email.utils
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from urllib.parse import quote

import requests
from itsskit.records import SourceError

__all__ = ["RETRY_STATUSES", "JiraClient", "JiraError", "basic_auth", "bearer_auth"]

RETRY_STATUSES = frozenset({429, 502, 503, 504})
Json = Any


class JiraError(SourceError):
    """The server could not be read (refused login, retries exhausted, bad reply)."""


def basic_auth(user: str, token: str) -> tuple[str, tuple[str, ...]]:
    """``Authorization`` for Cloud (e-mail + API token) and the secrets to redact."""
    encoded = base64.b64encode(f"{user}:{token}".encode()).decode()
    return f"Basic {encoded}", (token, encoded)


def bearer_auth(token: str) -> tuple[str, tuple[str, ...]]:
    """``Authorization`` for a Data Center personal access token."""
    return f"Bearer {token}", (token,)


class JiraClient:
    """GETs JSON from one Jira site with retries. Use as a context manager."""

    def __init__(
        self,
        url: str,
        *,
        authorization: tuple[str, tuple[str, ...]],
        api: str = "3",
        auth_hint: str = "the credentials",
        timeout: float = 30,
        max_retries: int = 5,
        backoff: float = 0.5,
        max_retry_after: float = 120,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = url.rstrip("/")
        self.api = api
        self.auth_hint = auth_hint
        self.secrets = tuple(secret for secret in authorization[1] if secret)
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.sleep = sleep
        self.session = requests.Session()
        self.session.headers.update(
            {"Accept": "application/json", "Authorization": authorization[0]}
        )

    def __enter__(self) -> JiraClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.session.close()

    # ------------------------------------------------------------------ endpoints

    def fields(self) -> list[Json]:
        """Every field of the site (``id``, ``name``, ``schema``), for names -> ids.

        A site without the resource (404) has an empty list.
        """
        found = self.get(f"/rest/api/{self.api}/field", missing_ok=True)
        if found is None:
            return []
        if not isinstance(found, list):
            raise self.error(f"GET /rest/api/{self.api}/field", "expected a JSON list of fields")
        return found

    def search_cloud(self, jql: str, fields: list[str], page_size: int) -> Iterator[list[Json]]:
        """Issues of ``jql`` with their changelog, a page at a time (``nextPageToken``)."""
        path = "/rest/api/3/search/jql"
        params = {
            "jql": jql,
            "fields": ",".join(fields),
            "expand": "changelog",
            "maxResults": str(page_size),
        }
        token: str | None = None
        seen: set[str] = set()
        while True:
            page = self.get(path, {**params, "nextPageToken": token} if token else params)
            yield _list(self, path, page, "issues")
            token = page.get("nextPageToken")
            if page.get("isLast") is True or not token or token in seen:
                return
            seen.add(token)

    def search_datacenter(
        self, jql: str, fields: list[str], page_size: int
    ) -> Iterator[list[Json]]:
        """Issues of ``jql`` with their changelog, a page at a time (``startAt``/``total``)."""
        path = "/rest/api/2/search"
        start = 0
        while True:
            page = self.get(
                path,
                {
                    "jql": jql,
                    "fields": ",".join(fields),
                    "expand": "changelog",
                    "startAt": str(start),
                    "maxResults": str(page_size),
                },
            )
            issues = _list(self, path, page, "issues")
            yield issues
            start = int(page.get("startAt", start)) + len(issues)
            total = page.get("total")
            if not issues or (isinstance(total, int) and start >= total):
                return
            if total is None and page.get("isLast", len(issues) < page_size):
                return

    def changelog(self, key: str, page_size: int = 100) -> list[Json]:
        """Every changelog history of issue ``key``, oldest first; none when it is gone (404)."""
        if self.api == "2":  # Data Center: the issue's own expanded changelog is complete
            path = f"/rest/api/2/issue/{quote(key, safe='')}"
            issue = self.get(path, {"expand": "changelog", "fields": "status"}, missing_ok=True)
            changelog = issue.get("changelog") if isinstance(issue, Mapping) else None
            return _list(self, path, changelog or {}, "histories")
        path = f"/rest/api/3/issue/{quote(key, safe='')}/changelog"
        return list(self._offset_pages(path, "values", "startAt", "maxResults", page_size))

    def request_comments(self, key: str, page_size: int = 100) -> Iterator[Json]:
        """Public comments of a Service Management request; none when it is not one (404)."""
        path = f"/rest/servicedeskapi/request/{quote(key, safe='')}/comment"
        return self._offset_pages(
            path, "values", "start", "limit", page_size, {"public": "true", "internal": "false"}
        )

    def request_type(self, key: str) -> str:
        """The request type of a Service Management request (name, else id); ``""`` if none."""
        path = f"/rest/servicedeskapi/request/{quote(key, safe='')}"
        found = self.get(path, {"expand": "requestType"}, missing_ok=True)
        if not isinstance(found, Mapping):
            return ""
        kind = found.get("requestType")
        name = kind.get("name") if isinstance(kind, Mapping) else None
        return str(name or found.get("requestTypeId") or "")

    def _offset_pages(
        self,
        path: str,
        items: str,
        start_name: str,
        size_name: str,
        page_size: int,
        extra: Mapping[str, str] | None = None,
    ) -> Iterator[Json]:
        start = 0
        while True:
            page = self.get(
                path,
                {**(extra or {}), start_name: str(start), size_name: str(page_size)},
                missing_ok=True,
            )
            if page is None:
                return
            alias = "histories" if items == "values" and "histories" in page else items
            values = _list(self, path, page, alias)
            yield from values
            start = int(page.get(start_name, start)) + len(values)
            last = page.get("isLastPage", page.get("isLast"))
            total = page.get("total")
            if not values or last is True or (isinstance(total, int) and start >= total):
                return
            if last is None and total is None and len(values) < page_size:
                return

    # -------------------------------------------------------------------- requests

    def get(
        self, path: str, params: Mapping[str, str] | None = None, *, missing_ok: bool = False
    ) -> Json:
        """GET ``path`` as JSON, retrying rate limits and unavailability.

        ``missing_ok``: a 404 is ``None`` instead of an error.
        """
        request = f"GET {path}"
        response = self._send(request, self.url + path, params)
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code == 401:
            raise self.error(
                request, f"HTTP 401 Unauthorized; check {self.auth_hint} ({_reason(response)})"
            )
        if not response.ok:
            raise self.error(request, f"HTTP {response.status_code} {_reason(response)}")
        try:
            return response.json()
        except ValueError:
            raise self.error(request, f"expected JSON, got {response.text[:120]!r}") from None

    def _send(self, request: str, url: str, params: Mapping[str, str] | None) -> requests.Response:
        attempt = 0
        while True:
            try:
                response = self.session.get(url, params=params, timeout=self.timeout)
            except requests.RequestException as error:
                if attempt >= self.max_retries:
                    raise self.error(request, f"{type(error).__name__}: {error}") from None
            else:
                if response.status_code not in RETRY_STATUSES:
                    return response
                if attempt >= self.max_retries:
                    raise self.error(
                        request,
                        f"HTTP {response.status_code} {_reason(response)}; "
                        f"gave up after {self.max_retries} retries",
                    )
                self.sleep(self._wait(response, attempt))
                attempt += 1
                continue
            self.sleep(self.backoff * 2**attempt)
            attempt += 1

    def _wait(self, response: requests.Response, attempt: int) -> float:
        """Seconds to wait: ``Retry-After`` (seconds or a date) when sent, else until
        ``X-RateLimit-Reset`` (an ISO time, Jira Cloud), else the backoff."""
        wait = _retry_after(response.headers.get("Retry-After", ""))
        if wait is None:
            wait = _reset_in(response.headers.get("X-RateLimit-Reset", ""))
        if wait is None:
            wait = self.backoff * 2**attempt
        return min(max(wait, 0.0), self.max_retry_after)

    def error(self, request: str, reason: str) -> JiraError:
        """One line naming the server and the request, secrets redacted."""
        return JiraError(self.redact(f"Jira {self.url}: {request}: {reason}"))

    def redact(self, text: str) -> str:
        """``text`` with every secret replaced by ``***`` and on one line."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return " ".join(text.split())


def _retry_after(header: str) -> float | None:
    header = header.strip()
    if not header:
        return None
    try:
        return float(header)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return (when - datetime.now(UTC)).total_seconds()


def _reset_in(header: str) -> float | None:
    try:
        when = datetime.fromisoformat(header.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - datetime.now(UTC)).total_seconds()


def _reason(response: requests.Response) -> str:
    """Jira's ``errorMessages``/``errors`` when sent, else the start of the body."""
    try:
        payload = response.json()
    except ValueError:
        text = response.text.strip()
        return text[:200] if text and not text.startswith("<") else response.reason
    if isinstance(payload, Mapping):
        messages = [str(m) for m in payload.get("errorMessages") or []]
        errors = payload.get("errors")
        if isinstance(errors, Mapping):
            messages += [f"{field}: {text}" for field, text in errors.items()]
        if payload.get("message"):
            messages.append(str(payload["message"]))
        if messages:
            return "; ".join(messages)[:300]
    return response.text[:200]


def _list(client: JiraClient, path: str, page: Json, key: str) -> list[Json]:
    items = page.get(key) if isinstance(page, Mapping) else None
    if items is None and isinstance(page, Mapping) and key not in page:
        items = []
    if not isinstance(items, list):
        raise client.error(f"GET {path}", f"expected JSON with a list {key!r}")
    return items

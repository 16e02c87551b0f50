"""A small client for the Redmine REST API: API key, retries, offset pagination.

Every request sends the key in the ``X-Redmine-API-Key`` header (never in the
URL, so URLs can be printed). Lists (``/issues.json``) are read with
``offset``/``limit`` until ``total_count`` is reached. Retries (429 and 5xx,
exponential backoff, ``Retry-After`` honoured up to a bound) are urllib3's
:class:`~urllib3.util.Retry`. Every failure is a :class:`RedmineError` whose
message is one line naming the request and the cause.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

import requests
from itsskit.records import SourceError
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

__all__ = ["RETRY_STATUSES", "RedmineClient", "RedmineError", "RequestFailed"]

RETRY_STATUSES = (429, 500, 502, 503, 504)
#: Largest page Redmine serves (its ``limit`` is capped at 100).
MAX_PAGE = 100
Params = Mapping[str, str | int]
Json = dict[str, Any]

_HINTS = {
    401: "the API key was refused; check it and that the REST API is enabled",
    403: "forbidden; is the REST API enabled (Administration > Settings > API) "
    "and may the key's user see this?",
    404: "not found",
}


class RedmineError(SourceError):
    """The server could not be read (refused key, retries exhausted, bad reply)."""


class RequestFailed(RedmineError):
    """The server answered one request with an error status (``status``)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class RedmineClient:
    """Reads one Redmine server. Use as a context manager."""

    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        max_retries: int = 5,
        backoff: float = 0.5,
        max_retry_after: int = 120,
        timeout: float = 30,
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = _session(max_retries, backoff, max_retry_after)
        if api_key:
            self.session.headers["X-Redmine-API-Key"] = api_key

    def __enter__(self) -> RedmineClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.session.close()

    def get(self, path: str, params: Params | None = None) -> Json:
        """The JSON object at ``path`` (``/issues/1.json``) with ``params``."""
        where = self.describe(path, params)
        try:
            response = self.session.get(
                f"{self.url}{path}", params=dict(params or {}), timeout=self.timeout
            )
        except requests.exceptions.RetryError as error:
            raise RedmineError(f"{where}: gave up after retries ({_reason(error)})") from None
        except requests.RequestException as error:
            raise RedmineError(f"{where}: {type(error).__name__}: {_reason(error)}") from None
        if not response.ok:
            raise RequestFailed(f"{where}: {_status(response)}", response.status_code)
        try:
            payload = response.json()
        except ValueError:
            raise RedmineError(f"{where}: the reply is not JSON") from None
        if not isinstance(payload, dict):
            raise RedmineError(f"{where}: expected a JSON object, got {type(payload).__name__}")
        return payload

    def pages(
        self, path: str, key: str, params: Params | None = None, *, page_size: int = MAX_PAGE
    ) -> Iterator[list[Json]]:
        """Yield the ``key`` lists of ``path``, one page at a time, up to ``total_count``."""
        offset = 0
        while True:
            page_params = {**(params or {}), "offset": offset, "limit": page_size}
            payload = self.get(path, page_params)
            items, total = payload.get(key), payload.get("total_count")
            if not isinstance(items, list) or not isinstance(total, int):
                where = self.describe(path, page_params)
                raise RedmineError(f"{where}: expected {{'{key}': [...], 'total_count': N}}")
            if items:
                yield items
            offset += len(items)
            if not items or offset >= total:
                return

    def describe(self, path: str, params: Params | None = None) -> str:
        """``GET <url>?<query>`` as printed in messages (the key is never in it)."""
        query = f"?{urlencode(params, safe='*|:<>=')}" if params else ""
        return f"redmine GET {self.url}{path}{query}"


def _session(max_retries: int, backoff: float, max_retry_after: int) -> requests.Session:
    retry = Retry(
        total=max_retries,
        backoff_factor=backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        retry_after_max=max_retry_after,
        raise_on_status=True,
    )
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.headers["Accept"] = "application/json"
    return session


def _status(response: requests.Response) -> str:
    """``HTTP 422 Unprocessable Entity: <Redmine's errors>`` in one line."""
    text = f"HTTP {response.status_code} {response.reason}".rstrip()
    detail = _HINTS.get(response.status_code) or _errors(response)
    return f"{text}: {detail}" if detail else text


def _errors(response: requests.Response) -> str:
    try:
        errors = response.json().get("errors")
    except (ValueError, AttributeError):
        errors = None
    if isinstance(errors, list):
        return "; ".join(str(e) for e in errors)
    return " ".join(response.text.split())[:200]


def _reason(error: Exception) -> str:
    """The error's text on one line."""
    return " ".join(str(error).split())[:300]

"""A small client for the Prometheus HTTP API: ``GET /api/v1/query_range``.

Retries (429 and 5xx answers, refused or dropped connections) with exponential
backoff are urllib3's :class:`~urllib3.util.Retry`. Every failure is one
:class:`PrometheusError` line naming the server and the query; credentials are
sent in headers only and never appear in messages.
"""

from __future__ import annotations

import warnings
from typing import Any

import attrs
import requests
from itsskit.records import SourceError
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from urllib3.exceptions import InsecureRequestWarning, MaxRetryError
from urllib3.util import Retry

__all__ = ["Answer", "BearerAuth", "PrometheusClient", "PrometheusError", "Series", "make_session"]

RETRY_STATUSES = (429, 500, 502, 503, 504)
#: One series of a range query's answer: its labels and its ``[time, "value"]`` pairs.
Series = dict[str, Any]


@attrs.frozen(kw_only=True)
class Answer:
    """A range query's series, and the warnings the server sent with them (partial data)."""

    series: list[Series]
    warnings: tuple[str, ...] = ()


class PrometheusError(SourceError):
    """The server could not be read: unreachable, refused, or answered an error."""


class BearerAuth(AuthBase):
    """``Authorization: Bearer <token>``."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def make_session(*, max_retries: int, backoff: float) -> requests.Session:
    """A session that retries 429/5xx and connection errors with exponential backoff."""
    retry = Retry(
        total=max_retries,
        backoff_factor=backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.headers["Accept"] = "application/json"
    return session


class PrometheusClient:
    """Range queries against one server. ``verify`` is a CA file path, True or False."""

    def __init__(
        self,
        url: str,
        session: requests.Session,
        *,
        auth: AuthBase | None,
        verify: str | bool,
        timeout: float,
        max_retries: int,
    ) -> None:
        self.url = url.rstrip("/")
        self.session = session
        self.auth = auth
        self.verify = verify
        self.timeout = timeout
        self.max_retries = max_retries

    def close(self) -> None:
        """Close the connections."""
        self.session.close()

    def describe(self, name: str, expr: str) -> str:
        """How errors name the server and a query: ``prometheus URL: query 'erp' (expr)``."""
        return f"prometheus {self.url}: query {name!r} ({expr})"

    def query_range(self, name: str, expr: str, first: int, last: int, step: int) -> Answer:
        """The matrix ``expr`` gives at ``first, first + step, ... last`` (Unix seconds).

        ``name`` names the query in errors. Raises :class:`PrometheusError`.
        """
        where = self.describe(name, expr)
        params = {"query": expr, "start": str(first), "end": str(last), "step": str(step)}
        response = self._get(f"{self.url}/api/v1/query_range", params, where)
        payload = _json(response, where)
        if payload.get("status") != "success" or not response.ok:
            raise PrometheusError(f"{where}: {_refusal(response, payload, self.max_retries)}")
        data = payload.get("data")
        if not isinstance(data, dict) or data.get("resultType") != "matrix":
            kind = data.get("resultType") if isinstance(data, dict) else None
            raise PrometheusError(f"{where}: expected a matrix (range vector) result, got {kind!r}")
        result = data.get("result")
        if not isinstance(result, list):
            raise PrometheusError(f"{where}: 'data.result' is not a list")
        notes = payload.get("warnings")
        notes = notes if isinstance(notes, list) else []
        return Answer(series=result, warnings=tuple(" ".join(str(n).split()) for n in notes))

    def _get(self, url: str, params: dict[str, str], where: str) -> requests.Response:
        try:
            with warnings.catch_warnings():
                if self.verify is False:  # the user asked for it (insecure = true)
                    warnings.simplefilter("ignore", InsecureRequestWarning)
                return self.session.get(
                    url, params=params, auth=self.auth, verify=self.verify, timeout=self.timeout
                )
        except requests.exceptions.SSLError as error:
            raise PrometheusError(f"{where}: TLS error: {_root_cause(error)}") from None
        except requests.exceptions.Timeout:
            raise PrometheusError(
                f"{where}: no answer within {self.timeout:g}s (option timeout)"
            ) from None
        except requests.exceptions.ConnectionError as error:
            raise PrometheusError(
                f"{where}: cannot connect ({_root_cause(error)}), "
                f"tried {self.max_retries + 1} time(s)"
            ) from None
        except requests.RequestException as error:
            raise PrometheusError(f"{where}: {type(error).__name__}: {error}") from None


def _json(response: requests.Response, where: str) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if isinstance(payload, dict):
        return payload
    if not response.ok:
        return {}
    raise PrometheusError(
        f"{where}: expected a JSON answer, got {response.headers.get('Content-Type', 'no type')!r}"
    )


def _refusal(response: requests.Response, payload: dict[str, Any], max_retries: int) -> str:
    """Why the server refused: its ``errorType: error`` and the HTTP status."""
    reason = " ".join(str(payload.get("error") or "").split())
    kind = " ".join(str(payload.get("errorType") or "").split())
    if not reason:
        reason = " ".join(response.text.split())[:200] or response.reason or ""
    status = f"HTTP {response.status_code}"
    if response.status_code == 401:
        status += " Unauthorized, check the credentials (auth, username, $password_env/$token_env)"
    elif response.status_code == 403:
        status += " Forbidden"
    elif response.status_code in RETRY_STATUSES:
        status += f" (after {max_retries} retries)"
    detail = f"{kind}: {reason}" if kind else reason
    return f"{status}: {detail}" if detail else status


def _root_cause(error: BaseException) -> str:
    """The innermost reason of a requests/urllib3 error, without object addresses."""
    cause: BaseException = error
    for _ in range(10):
        inner = _inner(cause)
        if inner is None:
            break
        cause = inner
    text = " ".join(str(cause).split())
    if text.startswith("<") and ">: " in text:
        text = text.split(">: ", 1)[1]
    return text or type(cause).__name__


def _inner(error: BaseException) -> BaseException | None:
    if isinstance(error, MaxRetryError) and error.reason is not None:
        return error.reason
    for arg in error.args:
        if isinstance(arg, BaseException):
            return arg
    return error.__cause__ or None

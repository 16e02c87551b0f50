"""A small Zabbix JSON-RPC client: version check, login, retries, readable errors.

Every call is ``POST {url}/api_jsonrpc.php`` with a JSON-RPC 2.0 body. Zabbix
6.0 LTS and later are supported: an API token or a ``user.login`` session
(``username``) is sent in the body's ``auth`` field up to
6.2 and as ``Authorization: Bearer`` from 6.4 on (7.2 accepts only the header).
Connection failures and HTTP 429/5xx are retried with exponential backoff
(urllib3's :class:`~urllib3.util.Retry`). Every failure is one
:class:`ZabbixError` line naming the server and the method, with the password
and token replaced by ``***`` wherever they would appear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from types import TracebackType
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

__all__ = ["RETRY_STATUSES", "ZabbixClient", "ZabbixError", "api_url", "make_session"]

RETRY_STATUSES = (429, 500, 502, 503, 504)
_EXPIRED = ("Session terminated", "Not authorised", "Not authorized")


class ZabbixError(RuntimeError):
    """The Zabbix API could not be read (refused login, unreachable, error reply)."""


def api_url(url: str) -> str:
    """The JSON-RPC endpoint for a frontend URL (``.../api_jsonrpc.php`` is appended once)."""
    url = url.rstrip("/")
    return url if url.endswith("api_jsonrpc.php") else f"{url}/api_jsonrpc.php"


def make_session(
    *, max_retries: int, backoff: float, verify: bool | str = True
) -> requests.Session:
    """A session retrying connection errors and 429/5xx ``max_retries`` times."""
    retry = Retry(
        total=max_retries,
        backoff_factor=backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"POST"}),
        respect_retry_after_header=True,
        raise_on_status=True,
    )
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.headers["Content-Type"] = "application/json-rpc"
    session.verify = verify
    return session


def version_tuple(text: str) -> tuple[int, int]:
    """``"6.0.14"`` -> ``(6, 0)``."""
    match = re.match(r"(\d+)\.(\d+)", text)
    if match is None:
        raise ValueError(f"not a Zabbix version: {text!r}")
    return int(match.group(1)), int(match.group(2))


class ZabbixClient:
    """Calls API methods of one Zabbix server. Use as a context manager (logs out)."""

    def __init__(self, url: str, session: requests.Session, *, timeout: float = 30) -> None:
        self.url = api_url(url)
        self.server = _without_userinfo(self.url)
        self.session = session
        self.timeout = timeout
        self.version = (0, 0)
        self._auth = ""
        self._secrets: list[str] = []
        self._login: tuple[str, str] | None = None
        self._next_id = 0

    # ----------------------------------------------------------- authentication

    def connect(self, *, token: str = "", username: str = "", password: str = "") -> None:
        """Ask the version (no auth), then use ``token`` or log in as ``username``."""
        self._secrets = [secret for secret in (token, password) if secret]
        answer = str(self.call("apiinfo.version", {}, auth=False))
        try:
            self.version = version_tuple(answer)
        except ValueError as error:
            raise ZabbixError(self._message("apiinfo.version", str(error))) from None
        if self.version < (6, 0):
            raise ZabbixError(
                self._message(
                    "apiinfo.version", f"Zabbix {answer} is not supported; expected 6.0 or later"
                )
            )
        if token:
            self._auth = token
        else:
            self._login = (username, password)
            self._log_in()

    def _log_in(self) -> None:
        assert self._login is not None
        username, password = self._login
        self._auth = ""
        login = {"username": username, "password": password}  # 5.x and older: "user"
        self._auth = str(self.call("user.login", login, auth=False))
        self._secrets.append(self._auth)

    def close(self) -> None:
        """Log out a ``user.login`` session (a token stays valid) and close the session."""
        try:
            if self._login is not None and self._auth:
                self.call("user.logout", [])
        except ZabbixError:
            pass  # the session expires on the server anyway
        finally:
            self._auth = ""
            self.session.close()

    def __enter__(self) -> ZabbixClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -------------------------------------------------------------------- calls

    def call(self, method: str, params: Any, *, auth: bool = True) -> Any:
        """The ``result`` of ``method``; an expired login session is renewed once."""
        try:
            return self._call(method, params, auth)
        except _Expired:
            if self._login is None:
                raise ZabbixError(self._message(method, "the API token was refused")) from None
            self._log_in()
        try:
            return self._call(method, params, auth)
        except _Expired as expired:
            raise ZabbixError(self._message(method, str(expired))) from None

    def _call(self, method: str, params: Any, auth: bool) -> Any:
        self._next_id += 1
        body: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
        body["id"] = self._next_id
        headers = {}
        if auth and self._auth:
            if self.version >= (6, 4):
                headers["Authorization"] = f"Bearer {self._auth}"
            else:
                body["auth"] = self._auth
        try:
            response = self.session.post(self.url, json=body, headers=headers, timeout=self.timeout)
        except requests.RequestException as error:
            raise ZabbixError(self._message(method, _reason(error))) from None
        if not response.ok:
            raise ZabbixError(
                self._message(method, f"HTTP {response.status_code} {response.text[:200]}")
            )
        try:
            reply = response.json()
        except ValueError:
            raise ZabbixError(
                self._message(method, f"not a JSON-RPC reply: {response.text[:200]!r}")
            ) from None
        if not isinstance(reply, dict):
            raise ZabbixError(self._message(method, f"not a JSON-RPC reply: {reply!r:.200}"))
        if reply.get("error") is not None:
            text = _error_text(reply["error"])
            if auth and any(marker in text for marker in _EXPIRED):
                raise _Expired(text)
            raise ZabbixError(self._message(method, text))
        if "result" not in reply:
            raise ZabbixError(self._message(method, f"reply without a result: {reply!r:.200}"))
        return reply["result"]

    def _message(self, method: str, reason: str) -> str:
        return redact(f"Zabbix {self.server}: {method}: {reason}", self._secrets)

    def get(self, method: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """A ``*.get`` call whose result must be a list of objects."""
        result = self.call(method, params)
        if not isinstance(result, list) or not all(isinstance(row, dict) for row in result):
            raise ZabbixError(
                self._message(method, f"expected a list of objects, got {result!r:.200}")
            )
        return result


class _Expired(Exception):
    """The server no longer accepts the session (or the token)."""


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by ``***``."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, "***")
    return text


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        message, data = str(error.get("message", "")), str(error.get("data", ""))
        return f"{message} {data}".strip() or repr(error)
    return str(error)


def _reason(error: requests.RequestException) -> str:
    """A short cause: the innermost reason of a connection error, not urllib3's whole chain."""
    if isinstance(error, requests.exceptions.RetryError):
        return f"retries exhausted ({_without_userinfo(str(error))[:200]})"
    if isinstance(error, requests.ConnectionError):
        inner = error.args[0] if error.args else error
        reason = re.sub(r"^<[^>]*>: ", "", str(getattr(inner, "reason", inner)))
        return f"cannot connect ({_without_userinfo(reason)[:200]})"
    if isinstance(error, requests.Timeout):
        return "timed out"
    return _without_userinfo(str(error))[:200]


def _without_userinfo(url: str) -> str:
    """``url`` with any ``user:password@`` removed."""
    return re.sub(r"(https?://)[^/@\s]*@", r"\1", url)

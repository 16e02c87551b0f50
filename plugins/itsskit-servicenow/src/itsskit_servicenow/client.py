"""A small client for the ServiceNow Table API: auth, retries, pagination.

``GET /api/now/table/{table}`` with ``sysparm_query``/``sysparm_fields``/
``sysparm_limit``/``sysparm_offset``; pages follow the ``Link: <...>;rel="next"``
header. Retries (429 and 5xx, exponential backoff, ``Retry-After`` honoured up
to a bound) are urllib3's :class:`~urllib3.util.Retry`. A 401 with OAuth fetches
a new token from ``/oauth_token.do`` once and repeats the request.

Credentials never leave: the token request follows no redirect (its form
carries the client secret and password), and every message quoting a reply
has the credentials of the exchange redacted (:func:`itsskit.redact.redact`),
with no chained exception holding the request.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import requests
from itsskit.redact import redact
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase, HTTPBasicAuth
from urllib3.util import Retry

__all__ = ["OAuth", "ServiceNowError", "TableClient", "make_session"]

RETRY_STATUSES = (429, 500, 502, 503, 504)
#: How much of a server's reply an error message quotes.
QUOTED = 200
Row = dict[str, Any]


class ServiceNowError(RuntimeError):
    """The instance could not be read (refused login, retries exhausted, bad reply)."""


def make_session(
    *, max_retries: int, backoff: float, max_retry_after: int = 120
) -> requests.Session:
    """A session that retries 429/5xx ``max_retries`` times with exponential backoff."""
    retry = Retry(
        total=max_retries,
        backoff_factor=backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "POST"}),
        respect_retry_after_header=True,
        retry_after_max=max_retry_after,
        raise_on_status=True,
    )
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.headers["Accept"] = "application/json"
    return session


class OAuth(AuthBase):
    """A bearer token from ``/oauth_token.do``, fetched on first use.

    ``grant`` is the form of the grant used when no refresh token is known
    (``grant_type=password`` with username/password, or ``client_credentials``);
    :meth:`renew` prefers ``grant_type=refresh_token`` when a refresh token is
    known and falls back to ``grant`` if that is refused.
    """

    def __init__(
        self,
        session: requests.Session,
        token_url: str,
        grant: Mapping[str, str] | None,
        *,
        client_id: str,
        client_secret: str,
        access_token: str = "",
        refresh_token: str = "",
        timeout: float = 30,
    ) -> None:
        self.session = session
        self.token_url = token_url
        self.grant = dict(grant) if grant else None
        self.client = {"client_id": client_id, "client_secret": client_secret}
        self.access_token = access_token
        self.refresh_token = refresh_token
        self.timeout = timeout

    @property
    def secrets(self) -> list[str]:
        """What must never appear in a message: the client secret, password and tokens."""
        password = self.grant.get("password", "") if self.grant else ""
        return [self.client["client_secret"], password, self.access_token, self.refresh_token]

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if not self.access_token:
            self.renew()
        request.headers["Authorization"] = f"Bearer {self.access_token}"
        return request

    def renew(self) -> None:
        """Fetch a new access token (and refresh token, when the instance sends one)."""
        forms = []
        if self.refresh_token:
            forms.append({"grant_type": "refresh_token", "refresh_token": self.refresh_token})
        if self.grant:
            forms.append(self.grant)
        if not forms:
            raise ServiceNowError(f"{self.token_url}: no refresh token and no grant to get a token")
        refusals = []
        for form in forms:
            response = _send(
                self.session,
                "POST",
                self.token_url,
                data={**form, **self.client},
                timeout=self.timeout,
                allow_redirects=False,  # the form holds secrets: never resend it elsewhere
            )
            if response.is_redirect:
                raise ServiceNowError(
                    f"{self.token_url}: the token request was redirected to "
                    f"{_origin(response.headers.get('Location', ''))}; not followed, so the "
                    "credentials were not sent there (set instance to the URL that answers)"
                )
            if response.ok:
                self._keep(response)
                return
            refusals.append(
                f"grant_type={form['grant_type']}: HTTP {response.status_code} "
                f"{_quoted(response, self.secrets)}"
            )
        raise ServiceNowError(f"{self.token_url}: token request refused ({'; '.join(refusals)})")

    def _keep(self, response: requests.Response) -> None:
        """Take the tokens from a token reply."""
        try:
            payload = response.json()
            self.access_token = str(payload["access_token"])
        except (ValueError, KeyError, TypeError):
            raise ServiceNowError(
                f"{self.token_url}: expected a JSON token reply with access_token"
            ) from None
        self.refresh_token = str(payload.get("refresh_token") or self.refresh_token)


class TableClient:
    """Reads tables of one instance page by page. Use as a context manager."""

    def __init__(
        self,
        instance: str,
        auth: HTTPBasicAuth | OAuth,
        session: requests.Session,
        *,
        timeout: float = 30,
    ) -> None:
        self.instance = instance.rstrip("/")
        self.auth = auth
        self.session = session
        self.timeout = timeout

    def __enter__(self) -> TableClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.session.close()

    def pages(
        self, table: str, *, query: str, fields: tuple[str, ...], page_size: int
    ) -> Iterator[list[Row]]:
        """Yield the rows of ``table`` matching ``query``, one page (list) at a time.

        Follows the ``Link`` header's ``rel="next"``; stops at a short page or when
        there is no next link. Without any ``Link`` header, pages by offset.
        """
        url: str | None = f"{self.instance}/api/now/table/{table}"
        params: dict[str, str] | None = {
            "sysparm_query": query,
            "sysparm_fields": ",".join(fields),
            "sysparm_limit": str(page_size),
            "sysparm_offset": "0",
            "sysparm_display_value": "false",
            "sysparm_exclude_reference_link": "true",
        }
        offset = 0
        while url is not None:
            response = self.get(url, params)
            rows = _result(response)
            if rows:
                yield rows
            offset += len(rows)
            if len(rows) < page_size:
                return
            if "Link" in response.headers:
                url, params = response.links.get("next", {}).get("url"), None
            elif params is not None:
                params = {**params, "sysparm_offset": str(offset)}

    def get(self, url: str, params: Mapping[str, str] | None = None) -> requests.Response:
        """GET ``url``; on a 401 with OAuth, renew the token once and try again."""
        response = _send(
            self.session, "GET", url, params=params, auth=self.auth, timeout=self.timeout
        )
        if response.status_code == 401 and isinstance(self.auth, OAuth):
            self.auth.renew()
            response = _send(
                self.session, "GET", url, params=params, auth=self.auth, timeout=self.timeout
            )
        if response.status_code == 401:
            how = "the renewed OAuth token" if isinstance(self.auth, OAuth) else "basic auth"
            raise ServiceNowError(f"{url}: HTTP 401 Unauthorized with {how}; check the credentials")
        if not response.ok:
            secrets = _secrets(self.auth)
            raise ServiceNowError(
                f"{url}: HTTP {response.status_code} {_quoted(response, secrets)}"
            )
        return response


def _secrets(auth: HTTPBasicAuth | OAuth) -> list[str]:
    if isinstance(auth, OAuth):
        return auth.secrets
    user, password = (_text(value) for value in (auth.username, auth.password))
    return [password, f"{user}:{password}"]  # the second as a basic auth header


def _text(value: str | bytes) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _quoted(response: requests.Response, secrets: list[str]) -> str:
    """The start of a reply's body, on one line, with the credentials redacted."""
    return redact(" ".join(response.text.split()), secrets)[:QUOTED]


def _origin(url: str) -> str:
    """``scheme://host:port`` of ``url`` (no path or query, which may carry anything)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}"


def _send(session: requests.Session, method: str, url: str, **kwargs: Any) -> requests.Response:
    """One request; transport failures and exhausted retries become ServiceNowError.

    The error chains nothing: a requests exception holds the request, body and headers.
    """
    try:
        return session.request(method, url, **kwargs)
    except requests.exceptions.RetryError as error:
        failure = f"{url}: gave up after retries: {error}"
    except requests.RequestException as error:
        failure = f"{url}: {type(error).__name__}: {error}"
    raise ServiceNowError(failure)


def _result(response: requests.Response) -> list[Row]:
    try:
        payload = response.json()
        rows = payload["result"]
    except (ValueError, KeyError, TypeError):
        raise ServiceNowError(f"{response.url}: expected JSON {{'result': [...]}}") from None
    if not isinstance(rows, list):
        raise ServiceNowError(f"{response.url}: 'result' is not a list")
    return rows

"""The ``servicenow`` ticket source and its registration hook.

Configure it in the itsskit TOML file::

    [sources.snow]
    plugin = "servicenow"
    kind = "tickets"
    instance = "https://dev1234.service-now.com"
    query = "opened_at>=2025-10-01 00:00:00"
    username = "itsskit.reader"
    password_env = "SERVICENOW_PASSWORD"
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
from itsskit.contracts import Source, SourceContext, SourceRegistry
from itsskit.hookspecs import hookimpl
from itsskit.models import DataQualityFinding, StatusChange, Ticket
from requests.auth import HTTPBasicAuth

from itsskit_servicenow.client import OAuth, Row, ServiceNowError, TableClient, make_session
from itsskit_servicenow.convert import (
    INCIDENT_FIELDS,
    RecordError,
    parse_time,
    status_history,
    to_ticket,
    value,
)

__all__ = ["HistoryTable", "ServiceNowOptions", "ServiceNowSource", "register_sources"]


def _url(_instance: object, attribute: attrs.Attribute[Any], text: str) -> None:
    if "@" in urlsplit(text).netloc:  # never echo it: it holds a password
        raise ValueError(
            f"{attribute.name} must not carry credentials (user:password@); "
            "use username and password_env"
        )
    if not text.startswith(("https://", "http://")):
        raise ValueError(
            f"{attribute.name} must be a URL like https://dev1234.service-now.com, got {text!r}"
        )


def _zone(_instance: object, attribute: attrs.Attribute[Any], name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{attribute.name} {name!r} is not an IANA time zone") from None


def _positive(_instance: object, attribute: attrs.Attribute[Any], number: float) -> None:
    if number <= 0:
        raise ValueError(f"{attribute.name} must be > 0, got {number}")


def _non_negative(_instance: object, attribute: attrs.Attribute[Any], number: float) -> None:
    if number < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {number}")


@attrs.frozen(kw_only=True)
class ServiceNowOptions:
    """Options of a ``[sources.NAME]`` table with ``plugin = "servicenow"``.

    Secrets are never in the config: ``*_env`` options name the environment
    variables that hold them.
    """

    instance: str = attrs.field(validator=_url)
    query: str = ""
    page_size: int = attrs.field(default=1000, validator=_positive)
    auth: str = attrs.field(default="basic", validator=attrs.validators.in_(("basic", "oauth")))
    username: str = ""
    password_env: str = "SERVICENOW_PASSWORD"
    client_id: str = ""
    client_secret_env: str = "SERVICENOW_CLIENT_SECRET"
    grant_type: str = attrs.field(
        default="password", validator=attrs.validators.in_(("password", "client_credentials"))
    )
    token_env: str = ""
    refresh_token_env: str = ""
    timezone: str = attrs.field(default="UTC", validator=_zone)
    history: str = attrs.field(
        default="sys_audit",
        validator=attrs.validators.in_(("sys_audit", "sys_history_line", "none")),
    )
    history_batch: int = attrs.field(default=100, validator=_positive)
    extra_fields: tuple[str, ...] = ()
    max_retries: int = attrs.field(default=5, validator=_non_negative)
    backoff: float = attrs.field(default=0.5, validator=_non_negative)
    max_retry_after: int = attrs.field(default=120, validator=_non_negative)
    timeout: float = attrs.field(default=30, validator=_positive)


@attrs.frozen(kw_only=True)
class HistoryTable:
    """Where the field changes of an incident live, and the names of its columns."""

    table: str
    document: str
    field: str
    value: str
    time: str
    scope: str


HISTORY_TABLES = {
    "sys_audit": HistoryTable(
        table="sys_audit",
        document="documentkey",
        field="fieldname",
        value="newvalue",
        time="sys_created_on",
        scope="tablename=incident",
    ),
    "sys_history_line": HistoryTable(
        table="sys_history_line",
        document="set.id",
        field="field",
        value="new_value",
        time="update_time",
        scope="set.table=incident",
    ),
}
HISTORY_FIELDS = ("state", "hold_reason")


class ServiceNowSource(Source):
    """Incidents from the Table API, with their state history, as tickets."""

    name: ClassVar[str] = "servicenow"
    kinds: ClassVar[tuple[str, ...]] = ("tickets",)
    options_class: ClassVar[type[Any]] = ServiceNowOptions

    def __init__(self, options: ServiceNowOptions, context: SourceContext) -> None:
        super().__init__(options, context)
        self.zone = ZoneInfo(options.timezone)

    def read(self) -> Iterator[Ticket | DataQualityFinding]:
        """Yield tickets page by page; unusable records and changes are findings."""
        options = self.options
        fields = INCIDENT_FIELDS + tuple(
            f for f in options.extra_fields if f not in INCIDENT_FIELDS
        )
        row = 0
        with self.connect() as client:
            for page in client.pages(
                "incident", query=options.query, fields=fields, page_size=options.page_size
            ):
                changes = self._changes(client, [value(record, "sys_id") for record in page])
                for record in page:
                    row += 1
                    yield from self._convert(record, changes.get(value(record, "sys_id"), []), row)

    def connect(self) -> TableClient:
        """A client for the instance with the configured auth and retries."""
        options = self.options
        session = make_session(
            max_retries=options.max_retries,
            backoff=options.backoff,
            max_retry_after=options.max_retry_after,
        )
        instance = options.instance.rstrip("/")
        auth: HTTPBasicAuth | OAuth
        if options.auth == "basic":
            auth = HTTPBasicAuth(  # as UTF-8 (RFC 7617); requests would use latin-1 and fail
                _required(options.username, "username").encode("utf-8"),
                _secret(options.password_env, "password_env").encode("utf-8"),
            )
        else:
            auth = OAuth(
                session,
                f"{instance}/oauth_token.do",
                self._grant(),
                client_id=_required(options.client_id, "client_id"),
                client_secret=_secret(options.client_secret_env, "client_secret_env"),
                access_token=os.environ.get(options.token_env, "") if options.token_env else "",
                refresh_token=(
                    os.environ.get(options.refresh_token_env, "")
                    if options.refresh_token_env
                    else ""
                ),
                timeout=options.timeout,
            )
        return TableClient(instance, auth, session, timeout=options.timeout)

    def _grant(self) -> dict[str, str] | None:
        options = self.options
        if options.grant_type == "client_credentials":
            return {"grant_type": "client_credentials"}
        password = os.environ.get(options.password_env, "")
        if options.username and password:
            return {"grant_type": "password", "username": options.username, "password": password}
        if not (options.token_env or options.refresh_token_env):
            raise ServiceNowError(
                f"source {self.context.name!r}: oauth with grant_type='password' needs username "
                f"and ${options.password_env}, or token_env/refresh_token_env"
            )
        return None

    def _changes(self, client: TableClient, sys_ids: list[str]) -> dict[str, list[Row]]:
        """State/hold-reason change rows of these incidents, by sys_id."""
        spec = HISTORY_TABLES.get(self.options.history)
        found: dict[str, list[Row]] = {}
        if spec is None:
            return found
        ids = [sys_id for sys_id in sys_ids if sys_id]
        step = self.options.history_batch
        for start in range(0, len(ids), step):
            query = (
                f"{spec.scope}^{spec.field}IN{','.join(HISTORY_FIELDS)}"
                f"^{spec.document}IN{','.join(ids[start : start + step])}^ORDERBY{spec.time}"
            )
            for page in client.pages(
                spec.table,
                query=query,
                page_size=self.options.page_size,
                fields=(spec.document, spec.field, spec.value, spec.time),
            ):
                for change in page:
                    found.setdefault(value(change, spec.document), []).append(change)
        return found

    def _convert(
        self, record: Row, changes: list[Row], row: int
    ) -> Iterator[Ticket | DataQualityFinding]:
        label = f"incident sys_id={value(record, 'sys_id') or '?'}"
        record_id = value(record, "number") or value(record, "sys_id") or None
        history, problems = self._history(changes)
        for problem in problems:
            yield self._finding(record_id, f"{label}: {problem}", row)
        try:
            yield to_ticket(record, history, self.zone)
        except (RecordError, ValueError) as error:
            yield self._finding(record_id, f"{label}: {error}", row)

    def _history(self, changes: list[Row]) -> tuple[tuple[StatusChange, ...], list[str]]:
        spec = HISTORY_TABLES.get(self.options.history)
        if spec is None or not changes:
            return (), []
        parsed: list[tuple[datetime, str, str]] = []
        problems: list[str] = []
        for change in changes:
            field = value(change, spec.field)
            if field not in HISTORY_FIELDS:
                continue
            try:
                at = parse_time(value(change, spec.time), self.zone)
            except RecordError as error:
                problems.append(f"{spec.table} {field} change skipped: {error}")
                continue
            if at is not None:
                parsed.append((at, field, value(change, spec.value)))
        history, skipped = status_history(parsed)
        return history, problems + skipped

    def _finding(self, record_id: str | None, reason: str, row: int) -> DataQualityFinding:
        return DataQualityFinding(
            record_id=record_id, reason=reason, source=self.context.name, row=row
        )


def _required(text: str, option: str) -> str:
    if not text:
        raise ServiceNowError(f"servicenow source: option {option!r} is required")
    return text


def _secret(variable: str, option: str) -> str:
    secret = os.environ.get(variable, "")
    if not secret:
        raise ServiceNowError(
            f"servicenow source: environment variable {variable!r} (option {option!r}) is not set"
        )
    return secret


@hookimpl
def register_sources(registry: SourceRegistry) -> None:
    """Register :class:`ServiceNowSource` as ``plugin = "servicenow"``."""
    registry.add(ServiceNowSource)

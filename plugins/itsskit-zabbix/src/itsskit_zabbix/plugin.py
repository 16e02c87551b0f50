"""The ``zabbix`` outage source and its registration hook.

Configure it in the itsskit TOML file::

    [sources.zabbix]
    plugin = "zabbix"
    kind = "outages"
    url = "https://zabbix.example.com"
    token_env = "ZABBIX_TOKEN"
    min_severity = "high"

    [sources.zabbix.services.erp]
    host_groups = ["ERP servers"]
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
from itsskit.contracts import Source, SourceContext, SourceRegistry
from itsskit.hookspecs import hookimpl
from itsskit.models import DataQualityFinding, Outage

from itsskit_zabbix.client import ZabbixClient, ZabbixError, make_session
from itsskit_zabbix.events import SEVERITIES, EventReader, ServiceMap
from itsskit_zabbix.maintenance import maintenance_windows

__all__ = ["ServiceRule", "ZabbixOptions", "ZabbixSource", "register_sources"]


def _url(_instance: object, attribute: attrs.Attribute[Any], text: str) -> None:
    if not text.startswith(("https://", "http://")):
        raise ValueError(
            f"{attribute.name} must be a URL like https://zabbix.example.com, got {text!r}"
        )


def _zone(_instance: object, attribute: attrs.Attribute[Any], name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{attribute.name} {name!r} is not an IANA time zone") from None


def _instant(_instance: object, attribute: attrs.Attribute[Any], text: str) -> None:
    if text:
        try:
            datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"{attribute.name} {text!r} is not an ISO 8601 date or time (2025-10-01)"
            ) from None


def _positive(_instance: object, attribute: attrs.Attribute[Any], number: float) -> None:
    if number <= 0:
        raise ValueError(f"{attribute.name} must be > 0, got {number}")


def _non_negative(_instance: object, attribute: attrs.Attribute[Any], number: float) -> None:
    if number < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {number}")


def _some_criterion(rule: ServiceRule, _attribute: attrs.Attribute[Any], _value: object) -> None:
    if not (rule.hosts or rule.host_groups or rule.triggers):
        raise ValueError("a service needs at least one of hosts, host_groups, triggers")


def _some_service(
    _instance: object, attribute: attrs.Attribute[Any], services: Mapping[str, Any]
) -> None:
    if not services:
        raise ValueError(
            f"{attribute.name} must map at least one service, e.g. [sources.NAME.services.erp]"
        )


@attrs.frozen(kw_only=True)
class ServiceRule:
    """Which problems are outages of one service: any listed host, group or trigger.

    ``hosts`` are host names (technical or visible), ``host_groups`` group names
    (every host in them), ``triggers`` trigger ids or problem names as Zabbix
    shows them (the event name, macros expanded).
    """

    hosts: tuple[str, ...] = ()
    host_groups: tuple[str, ...] = ()
    triggers: tuple[str, ...] = attrs.field(default=(), validator=_some_criterion)


@attrs.frozen(kw_only=True)
class ZabbixOptions:
    """Options of a ``[sources.NAME]`` table with ``plugin = "zabbix"``.

    Secrets are never in the config: ``token_env``/``password_env`` name the
    environment variables that hold them. The range read is ``since`` (default:
    ``lookback_days`` before now) to ``until`` (default now); times without an
    offset are in ``timezone``, which is also the Zabbix server's zone for
    recurring maintenance periods.
    """

    url: str = attrs.field(validator=_url)
    services: Mapping[str, ServiceRule] = attrs.field(validator=_some_service)
    token_env: str = ""
    username: str = ""
    password_env: str = "ZABBIX_PASSWORD"
    min_severity: str = attrs.field(default="average", validator=attrs.validators.in_(SEVERITIES))
    since: str = attrs.field(default="", validator=_instant)
    until: str = attrs.field(default="", validator=_instant)
    lookback_days: int = attrs.field(default=92, validator=_positive)
    chunk_days: int = attrs.field(default=7, validator=_positive)
    page_size: int = attrs.field(default=1000, validator=_positive)
    maintenance: bool = True
    timezone: str = attrs.field(default="Asia/Shanghai", validator=_zone)
    verify_tls: bool = True
    ca_file: str = ""
    max_retries: int = attrs.field(default=5, validator=_non_negative)
    backoff: float = attrs.field(default=0.5, validator=_non_negative)
    timeout: float = attrs.field(default=30, validator=_positive)


class ZabbixSource(Source):
    """Problems (trigger events and their recovery) and maintenance periods as outages."""

    name: ClassVar[str] = "zabbix"
    kinds: ClassVar[tuple[str, ...]] = ("outages",)
    options_class: ClassVar[type[Any]] = ZabbixOptions
    options: ZabbixOptions

    def __init__(self, options: ZabbixOptions, context: SourceContext) -> None:
        super().__init__(options, context)
        self.zone = ZoneInfo(options.timezone)

    def window(self, now: datetime | None = None) -> tuple[datetime, datetime]:
        """The range read: ``[since, until)`` in UTC."""
        now = now or datetime.now(UTC)
        until = self._parse(self.options.until) or now
        since = self._parse(self.options.since) or until - timedelta(
            days=self.options.lookback_days
        )
        if since >= until:
            raise ZabbixError(
                f"zabbix source {self.context.name!r}: since {self.options.since!r} must be "
                f"before until {self.options.until or 'now'!r}"
            )
        return since, until

    def _parse(self, text: str) -> datetime | None:
        if not text:
            return None
        value = datetime.fromisoformat(text)
        return (value if value.tzinfo else value.replace(tzinfo=self.zone)).astimezone(UTC)

    def read(self) -> Iterator[Outage | DataQualityFinding]:
        """Yield the problems of the mapped services, then their maintenance windows."""
        since, until = self.window()
        with self.connect() as client:
            services, findings = ServiceMap.resolve(client, self.options.services)
            for reason in findings:
                yield self._finding(None, reason)
            reader = EventReader(
                client,
                services,
                min_severity=self.options.min_severity,
                page_size=self.options.page_size,
                chunk=timedelta(days=self.options.chunk_days),
                zone=self.zone,
            )
            for item in reader.outages(since, until):
                yield item if isinstance(item, Outage) else self._finding(*item)
            if self.options.maintenance:
                yield from self._maintenance(client, services, since, until)

    def connect(self) -> ZabbixClient:
        """A logged-in client (API token, or ``user.login``) with the configured retries."""
        options = self.options
        verify: bool | str = (
            str(self.context.resolve(options.ca_file)) if options.ca_file else options.verify_tls
        )
        session = make_session(
            max_retries=options.max_retries, backoff=options.backoff, verify=verify
        )
        client = ZabbixClient(options.url, session, timeout=options.timeout)
        try:
            if options.token_env:
                client.connect(token=self._secret(options.token_env, "token_env"))
            else:
                if not options.username:
                    raise ZabbixError(
                        f"zabbix source {self.context.name!r}: set token_env (an API token) "
                        "or username (with password_env)"
                    )
                client.connect(
                    username=options.username,
                    password=self._secret(options.password_env, "password_env"),
                )
        except BaseException:
            client.close()
            raise
        return client

    def _maintenance(
        self, client: ZabbixClient, services: ServiceMap, since: datetime, until: datetime
    ) -> Iterator[Outage | DataQualityFinding]:
        for maintenance, hostids in services.maintenances(client, since, until):
            affected = services.services_of_hosts(hostids)
            if not affected:
                continue
            ident = str(maintenance.get("maintenanceid", "?"))
            try:
                windows = maintenance_windows(maintenance, self.zone, since, until)
            except ValueError as error:
                yield self._finding(f"M{ident}", f"maintenance {ident}: {error}")
                continue
            for start, end in windows:
                for service in sorted(affected):
                    yield Outage(
                        id=f"M{ident}-{start.astimezone(self.zone):%Y%m%d%H%M}-{service}",
                        service=service,
                        start=start.astimezone(self.zone),
                        end=end.astimezone(self.zone),
                        planned=True,
                        cause=f"maintenance: {maintenance.get('name', '')}",
                        attributes={"maintenanceid": ident, "source": "zabbix maintenance"},
                    )

    def _secret(self, variable: str, option: str) -> str:
        secret = os.environ.get(variable, "")
        if not secret:
            raise ZabbixError(
                f"zabbix source {self.context.name!r}: environment variable {variable!r} "
                f"(option {option!r}) is not set"
            )
        return secret

    def _finding(self, record_id: str | None, reason: str) -> DataQualityFinding:
        return DataQualityFinding(record_id=record_id, reason=reason, source=self.context.name)


@hookimpl
def register_sources(registry: SourceRegistry) -> None:
    """Register :class:`ZabbixSource` as ``plugin = "zabbix"``."""
    registry.add(ZabbixSource)

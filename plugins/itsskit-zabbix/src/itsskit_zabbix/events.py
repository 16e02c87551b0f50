"""Which Zabbix problems belong to which service, and reading them as outages.

:class:`ServiceMap` resolves the configured host, host-group and trigger names
to ids once (``hostgroup.get``, ``host.get``, ``trigger.get``).
:class:`EventReader` reads problem events (``event.get``, ``value=1``) that were
active in the range: those that started before it and were still open at its
start (``problem_time_from``/``problem_time_till``), then those that started in
it, in chunks of ``chunk`` and pages of ``page_size`` (``eventid_from``); the
end of each is its recovery event's time (``r_eventid``), or none while the
problem is open.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import attrs
from itsskit.models import Outage

from itsskit_zabbix.client import ZabbixClient, ZabbixError

if TYPE_CHECKING:
    from itsskit_zabbix.plugin import ServiceRule

__all__ = ["SEVERITIES", "EventReader", "ServiceMap", "event_time"]

#: Zabbix trigger severities, lowest first (their API numbers are the positions).
SEVERITIES = ("not_classified", "information", "warning", "average", "high", "disaster")
Row = dict[str, Any]
Problem = tuple[str | None, str]  # (record id, reason) of an event that cannot be used


def event_time(row: Mapping[str, Any], zone: ZoneInfo) -> datetime:
    """``clock`` + ``ns`` of an event as an aware datetime (to the microsecond, truncated)."""
    clock, ns = int(row["clock"]), int(row.get("ns") or 0)
    instant = datetime.fromtimestamp(clock, UTC) + timedelta(microseconds=ns // 1000)
    return instant.astimezone(zone)


@attrs.frozen(kw_only=True)
class ServiceMap:
    """Hosts and triggers of each service, resolved to Zabbix ids.

    ``host_services`` maps a host id to the services whose ``hosts`` or
    ``host_groups`` contain it (every problem of the host counts for them);
    ``trigger_services`` maps a trigger id or problem name to services;
    ``trigger_hosts`` the hosts of those triggers (for maintenance only).
    """

    host_services: Mapping[str, frozenset[str]]
    trigger_services: Mapping[str, frozenset[str]]
    trigger_hosts: Mapping[str, frozenset[str]]

    @classmethod
    def resolve(
        cls, client: ZabbixClient, rules: Mapping[str, ServiceRule]
    ) -> tuple[ServiceMap, list[str]]:
        """The map for ``rules``, and a reason for each name that matched nothing."""
        missing: list[str] = []
        hosts: dict[str, set[str]] = {}
        triggers: dict[str, set[str]] = {}
        trigger_hosts: dict[str, set[str]] = {}
        group_ids = _groups(client, {g for rule in rules.values() for g in rule.host_groups})
        host_ids = _hosts(client, {h for rule in rules.values() for h in rule.hosts})
        members = {gid: _group_members(client, gid) for gid in set(group_ids.values())}
        for service, rule in sorted(rules.items()):
            for group in rule.host_groups:
                if group not in group_ids:
                    missing.append(f"services.{service}.host_groups: no host group {group!r}")
                    continue
                for hostid in members[group_ids[group]]:
                    hosts.setdefault(hostid, set()).add(service)
            for host in rule.hosts:
                if host not in host_ids:
                    missing.append(f"services.{service}.hosts: no host {host!r}")
                    continue
                hosts.setdefault(host_ids[host], set()).add(service)
            for trigger in rule.triggers:
                triggers.setdefault(trigger, set()).add(service)
        for hostid, services in _trigger_hosts(client, triggers):
            trigger_hosts.setdefault(hostid, set()).update(services)
        return (
            cls(
                host_services=_frozen(hosts),
                trigger_services=_frozen(triggers),
                trigger_hosts=_frozen(trigger_hosts),
            ),
            missing,
        )

    def services_of_event(self, event: Mapping[str, Any]) -> frozenset[str]:
        """The services a problem event is an outage of (none: not mapped)."""
        found: set[str] = set()
        for host in event.get("hosts") or ():
            found |= self.host_services.get(str(host.get("hostid")), frozenset())
        for key in (str(event.get("objectid", "")), str(event.get("name", ""))):
            found |= self.trigger_services.get(key, frozenset())
        return frozenset(found)

    def services_of_hosts(self, hostids: Iterable[str]) -> frozenset[str]:
        """Services with one of ``hostids`` (through hosts, groups or triggers)."""
        found: set[str] = set()
        for hostid in hostids:
            found |= self.host_services.get(hostid, frozenset())
            found |= self.trigger_hosts.get(hostid, frozenset())
        return frozenset(found)

    def __bool__(self) -> bool:
        """Whether anything is mapped (with nothing, no event can be an outage)."""
        return bool(self.host_services or self.trigger_services)

    def event_filter(self) -> dict[str, Any]:
        """``event.get`` parameters narrowing to the mapped hosts (none with trigger rules)."""
        if self.trigger_services:
            return {}
        return {"hostids": sorted(self.host_services)}

    def maintenances(
        self, client: ZabbixClient, since: datetime, until: datetime
    ) -> Iterator[tuple[Row, frozenset[str]]]:
        """Maintenances active some time in ``[since, until)``, each with the ids of its hosts."""
        groups_key = "hostgroups" if client.version >= (6, 2) else "groups"
        select = "selectHostGroups" if client.version >= (6, 2) else "selectGroups"
        rows = client.get(
            "maintenance.get",
            {
                "output": "extend",
                "selectTimeperiods": "extend",
                "selectHosts": ["hostid"],
                select: ["groupid"],
                "sortfield": "maintenanceid",
            },
        )
        for row in rows:
            if int(row.get("active_till") or 0) <= since.timestamp():
                continue
            if int(row.get("active_since") or 0) >= until.timestamp():
                continue
            hostids = {str(host["hostid"]) for host in row.get("hosts") or ()}
            for group in row.get(groups_key) or ():
                hostids |= _group_members(client, str(group["groupid"]))
            yield row, frozenset(hostids)


def _frozen(mapping: Mapping[str, set[str]]) -> dict[str, frozenset[str]]:
    return {key: frozenset(values) for key, values in mapping.items()}


def _groups(client: ZabbixClient, names: set[str]) -> dict[str, str]:
    if not names:
        return {}
    rows = client.get(
        "hostgroup.get", {"output": ["groupid", "name"], "filter": {"name": sorted(names)}}
    )
    return {str(row["name"]): str(row["groupid"]) for row in rows}


def _hosts(client: ZabbixClient, names: set[str]) -> dict[str, str]:
    """Host name -> id, by technical name first, then by visible name."""
    found: dict[str, str] = {}
    for field in ("host", "name"):
        wanted = sorted(names - set(found))
        if not wanted:
            break
        rows = client.get(
            "host.get", {"output": ["hostid", "host", "name"], "filter": {field: wanted}}
        )
        found.update({str(row[field]): str(row["hostid"]) for row in rows})
    return found


def _group_members(client: ZabbixClient, groupid: str) -> frozenset[str]:
    rows = client.get("host.get", {"output": ["hostid"], "groupids": [groupid]})
    return frozenset(str(row["hostid"]) for row in rows)


def _trigger_hosts(
    client: ZabbixClient, triggers: Mapping[str, set[str]]
) -> Iterator[tuple[str, set[str]]]:
    """(host id, services) for the hosts of the named triggers (by id or description)."""
    if not triggers:
        return
    ids = sorted(key for key in triggers if key.isdigit())
    names = sorted(key for key in triggers if not key.isdigit())
    queries: list[dict[str, Any]] = []
    if ids:
        queries.append({"triggerids": ids})
    if names:
        queries.append({"filter": {"description": names}})
    for query in queries:
        params = {"output": ["triggerid", "description"], "selectHosts": ["hostid"], **query}
        for row in client.get("trigger.get", params):
            services = triggers.get(str(row["triggerid"]), set()) | triggers.get(
                str(row.get("description", "")), set()
            )
            for host in row.get("hosts") or ():
                yield str(host["hostid"]), services


@attrs.define
class EventReader:
    """Reads the problems of the mapped services as :class:`~itsskit.models.Outage` s."""

    client: ZabbixClient
    services: ServiceMap
    min_severity: str
    page_size: int
    chunk: timedelta
    zone: ZoneInfo = ZoneInfo("UTC")

    def outages(self, since: datetime, until: datetime) -> Iterator[Outage | Problem]:
        """Outages of problems active some time in ``[since, until)``; unusable events as
        ``(record id, reason)``."""
        if not self.services:
            return
        start, end = math.floor(since.timestamp()), math.ceil(until.timestamp())
        carried_in = {
            "time_till": start - 1,
            "problem_time_from": start,
            "problem_time_till": start,
        }
        yield from self._read(carried_in)
        step = max(1, int(self.chunk.total_seconds()))
        for chunk_start in range(start, end, step):
            chunk_end = min(chunk_start + step, end)
            yield from self._read({"time_from": chunk_start, "time_till": chunk_end - 1})

    def _read(self, window: dict[str, int]) -> Iterator[Outage | Problem]:
        for page in self._pages(window):
            recoveries = self._recoveries(page)
            for event in page:
                yield from self._convert(event, recoveries)

    def _pages(self, window: dict[str, int]) -> Iterator[list[Row]]:
        params: dict[str, Any] = {
            "output": ["eventid", "objectid", "clock", "ns", "name", "severity", "r_eventid"],
            "source": 0,
            "object": 0,
            "value": 1,
            "severities": list(range(SEVERITIES.index(self.min_severity), len(SEVERITIES))),
            "selectHosts": ["hostid", "host", "name"],
            "sortfield": ["eventid"],
            "sortorder": "ASC",
            "limit": self.page_size,
            **self.services.event_filter(),
            **window,
        }
        while True:
            page = self.client.get("event.get", params)
            if page:
                yield page
            if len(page) < self.page_size:
                return
            params = {**params, "eventid_from": str(int(page[-1]["eventid"]) + 1)}

    def _recoveries(self, page: list[Row]) -> dict[str, Row]:
        ids = sorted({str(e["r_eventid"]) for e in page if str(e.get("r_eventid", "0")) != "0"})
        if not ids:
            return {}
        rows = self.client.get(
            "event.get",
            {"output": ["eventid", "clock", "ns"], "eventids": ids, "source": 0, "object": 0},
        )
        return {str(row["eventid"]): row for row in rows}

    def _convert(self, event: Row, recoveries: Mapping[str, Row]) -> Iterator[Outage | Problem]:
        services = self.services.services_of_event(event)
        if not services:
            return
        eventid = str(event.get("eventid", "?"))
        recovery_id = str(event.get("r_eventid") or "0")
        try:
            start = event_time(event, self.zone)
            end = None
            if recovery_id != "0":
                if recovery_id not in recoveries:
                    raise ZabbixError(f"its recovery event {recovery_id} was not found")
                end = event_time(recoveries[recovery_id], self.zone)
            severity = SEVERITIES[int(event.get("severity") or 0)]
        except (KeyError, ValueError, IndexError, ZabbixError) as error:
            yield f"E{eventid}", f"problem event {eventid} skipped: {_why(error)}"
            return
        hosts = ", ".join(str(h.get("host", "")) for h in event.get("hosts") or ())
        for service in sorted(services):
            yield Outage(
                id=f"E{eventid}-{service}",
                service=service,
                start=start,
                end=end,
                cause=str(event.get("name", "")),
                attributes={
                    "eventid": eventid,
                    "triggerid": str(event.get("objectid", "")),
                    "severity": severity,
                    "hosts": hosts,
                    "r_eventid": recovery_id,
                },
            )


def _why(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"missing field {error.args[0]!r}"
    return str(error)

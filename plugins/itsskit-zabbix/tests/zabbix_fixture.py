"""One real Zabbix 6.0 server for the whole session, loaded with ``zabbix_history.py``.

Starting it (database, schema, server, frontend) and loading the history take
about half a minute; every test shares it. Tests skip, with the reason, only
where the packages are not installed (``.ci/setup-zabbix.sh`` installs them).

Test modules take the fixture with ``zabbix = zabbix_fixture.zabbix``: this
folder has no conftest.py and is no package, so its module names cannot clash
with another plugin's ``tests``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime

import attrs
import pytest

import zabbix_history as history
from zabbix_server import ZabbixServer, missing_programs

ADMIN, ADMIN_PASSWORD = "Admin", "zabbix"


@attrs.frozen
class Zabbix:
    """The loaded server: its URL, an API token, and the server itself."""

    url: str
    token: str
    server: ZabbixServer


@pytest.fixture(scope="session")
def zabbix() -> Iterator[Zabbix]:
    missing = missing_programs()
    if missing:
        pytest.skip(f"Zabbix server not installed (missing: {', '.join(missing)}); "
                    "run .ci/setup-zabbix.sh")  # fmt: skip
    server = ZabbixServer()
    server.start()
    try:
        token = load(server)
        yield Zabbix(url=server.url, token=token, server=server)
    finally:
        server.stop()


def load(server: ZabbixServer) -> str:
    """Create the hosts, items, triggers and maintenance; push the values; an API token."""
    auth = server.api("user.login", {"username": ADMIN, "password": ADMIN_PASSWORD})
    groups = {
        name: server.api("hostgroup.create", {"name": name}, auth)["groupids"][0]
        for name in history.GROUPS
    }
    for host, group in history.HOSTS.items():
        hostid = server.api(
            "host.create", {"host": host, "groups": [{"groupid": groups[group]}]}, auth
        )["hostids"][0]
        for item_host, key, name, severity, _ in history.TRIGGERS:
            if item_host != host:
                continue
            server.api("item.create", {
                "hostid": hostid, "name": key, "key_": key, "type": 2, "value_type": 3,
                "history": "9125d", "trends": "0",  # keep values of 2025 (the longest allowed)
            }, auth)  # fmt: skip
            server.api("trigger.create", {
                "description": name, "expression": f"last(/{host}/{key})=0", "priority": severity,
            }, auth)  # fmt: skip
    start, end = history.MAINTENANCE
    server.api("maintenance.create", {
        "name": "ERP upgrade", "active_since": history.clock(start) - 86400,
        "active_till": history.clock(end) + 86400, "groups": [{"groupid": groups["ERP servers"]}],
        "timeperiods": [{"timeperiod_type": 0, "start_date": history.clock(start),
                         "period": history.clock(end) - history.clock(start)}],
    }, auth)  # fmt: skip
    recurring_maintenances(server, auth)
    push(server)
    tokenid = server.api("token.create", {"name": "itsskit", "userid": "1"}, auth)["tokenids"][0]
    return str(server.api("token.generate", [tokenid], auth)[0]["token"])


def push(server: ZabbixServer) -> None:
    """Send the values once the server's configuration cache knows the items; wait for events."""
    values = history.values()
    healthy = [line for line in values if line[2] == history.clock(history.HEALTHY_AT)]
    deadline = time.monotonic() + 60
    while "failed: 0" not in (answer := server.send(healthy)):
        if time.monotonic() > deadline:
            raise RuntimeError(f"zabbix_sender: {answer}")
        time.sleep(0.5)
    rest = [line for line in values if line not in healthy]
    answer = server.send(rest)
    assert "failed: 0" in answer, answer
    auth = server.api("user.login", {"username": ADMIN, "password": ADMIN_PASSWORD})
    expected = history.event_count()
    while (
        int(server.api("event.get", {"countOutput": True, "source": 0, "object": 0}, auth))
        < expected
    ):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server made too few events; log:\n{server.log_tail()}")
        time.sleep(0.5)


def recurring_maintenances(server: ZabbixServer, auth: str) -> None:
    """One host per maintenance of :func:`zabbix_history.recurring`, for the server's
    timer to put in maintenance (or not) while the other tests run."""
    groupid = server.api("hostgroup.create", {"name": "Maintenance check"}, auth)["groupids"][0]
    for host, maintenance in history.recurring(datetime.now(history.ZONE)).items():
        hostid = server.api("host.create", {"host": host, "groups": [{"groupid": groupid}]}, auth)
        server.api(
            "maintenance.create",
            {**maintenance, "name": host, "hosts": [{"hostid": hostid["hostids"][0]}]},
            auth,
        )

"""The zabbix source against the real Zabbix 6.0 server of zabbix_fixture.py.

Expected outages and figures are worked out by hand from ``zabbix_history.py``
(October 2025, Asia/Shanghai, a 7x24 service calendar).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from itsskit.calendar import BusinessCalendar
from itsskit.contracts import SourceContext
from itsskit.converter import converter
from itsskit.kpis import availability, failure_count, mtbf, mttr, service_time
from itsskit.models import DataQualityFinding, Outage
from itsskit.periods import Period

import zabbix_fixture
from itsskit_zabbix import ZabbixClient, ZabbixError, ZabbixOptions, ZabbixSource
from itsskit_zabbix.client import make_session
from itsskit_zabbix.maintenance import maintenance_windows
from zabbix_fixture import ADMIN, ADMIN_PASSWORD, Zabbix
from zabbix_history import SERVICES, local

zabbix = zabbix_fixture.zabbix  # the session's real server

OCTOBER = Period.month(2025, 10)
AT = local(11, 1, 0)  # evaluation instant: the end of October
DAY = 86400
MONTH = 31 * DAY  # agreed time of a 7x24 service in October
SHANGHAI = ZoneInfo("Asia/Shanghai")  # the test server's zone


def options(zabbix: Zabbix, **overrides: Any) -> ZabbixOptions:
    table: dict[str, Any] = {
        "url": zabbix.url,
        "token_env": "ZABBIX_TOKEN",
        "since": "2025-10-01",
        "until": "2025-11-01",
        "services": SERVICES,
        "backoff": 0.01,
        **overrides,
    }
    return converter.structure(table, ZabbixOptions)


def read(zabbix: Zabbix, **overrides: Any) -> list[Outage | DataQualityFinding]:
    context = SourceContext(name="zbx", kind="outages", base_dir=Path("."))
    return list(ZabbixSource(options(zabbix, **overrides), context).read())


def spans(records: list[Outage | DataQualityFinding]) -> set[tuple[str, Any, Any, bool]]:
    return {(r.service, r.start, r.end, r.planned) for r in records if isinstance(r, Outage)}


@pytest.fixture(autouse=True)
def token(zabbix: Zabbix, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZABBIX_TOKEN", zabbix.token)
    monkeypatch.setenv("ZABBIX_PASSWORD", ADMIN_PASSWORD)


EXPECTED = {
    ("erp", local(9, 30, 23), local(10, 1, 1), False),  # started before the range
    ("erp", local(10, 8, 10), local(10, 8, 10, 30), False),
    ("erp", local(10, 20, 13), local(10, 20, 14, 30), False),
    ("erp", local(10, 20, 14), local(10, 20, 16), True),  # the maintenance
    ("crm", local(10, 15, 9), local(10, 15, 9, 20), False),
    ("crm", local(10, 31, 23), None, False),  # still open
    ("portal", local(10, 25, 8), local(10, 25, 8, 45), False),  # mapped by trigger name
}


# ------------------------------------------------------------------ outages


def test_problems_and_maintenance_become_outages(zabbix: Zabbix) -> None:
    records = read(zabbix)
    assert spans(records) == EXPECTED
    assert not [r for r in records if isinstance(r, DataQualityFinding)]
    outages = {r.id: r for r in records if isinstance(r, Outage)}
    assert len(outages) == len(EXPECTED)  # ids are unique
    erp = next(o for o in outages.values() if o.start == local(10, 8, 10))
    assert erp.cause == "ERP web down"
    assert erp.id == f"E{erp.attributes['eventid']}-erp"
    assert erp.attributes["severity"] == "high"
    assert erp.attributes["hosts"] == "erp-app-01"
    planned = next(o for o in outages.values() if o.planned)
    assert planned.cause == "maintenance: ERP upgrade"
    assert planned.id.startswith("M") and planned.id.endswith("-202510201400-erp")


def test_user_login_reads_the_same(zabbix: Zabbix) -> None:
    records = read(zabbix, token_env="", username=ADMIN, password_env="ZABBIX_PASSWORD")
    assert spans(records) == EXPECTED


def test_small_pages_and_chunks_read_the_same(zabbix: Zabbix) -> None:
    assert spans(read(zabbix, page_size=1, chunk_days=1)) == EXPECTED


def test_minimum_severity(zabbix: Zabbix) -> None:
    warning = spans(read(zabbix, min_severity="warning"))
    assert warning - EXPECTED == {("crm", local(10, 10, 12), local(10, 10, 12, 30), False)}
    high = spans(read(zabbix, min_severity="high"))
    assert {s for s in EXPECTED if s[0] == "crm"} & high == set()
    assert high == {s for s in EXPECTED if s[0] != "crm"}


def test_range_excludes_problems_outside_it(zabbix: Zabbix) -> None:
    found = spans(read(zabbix, since="2025-10-10T00:00:00", until="2025-10-21T00:00:00"))
    assert found == {
        ("erp", local(10, 20, 13), local(10, 20, 14, 30), False),
        ("erp", local(10, 20, 14), local(10, 20, 16), True),
        ("crm", local(10, 15, 9), local(10, 15, 9, 20), False),
    }


def test_without_maintenance(zabbix: Zabbix) -> None:
    assert spans(read(zabbix, maintenance=False)) == {s for s in EXPECTED if not s[3]}


def test_unknown_names_are_findings(zabbix: Zabbix) -> None:
    services = {**SERVICES, "hr": {"hosts": ["hr-app-9"], "host_groups": ["HR servers"]}}
    records = read(zabbix, services=services)
    reasons = sorted(r.reason for r in records if isinstance(r, DataQualityFinding))
    assert reasons == [
        "services.hr.host_groups: no host group 'HR servers'",
        "services.hr.hosts: no host 'hr-app-9'",
    ]
    assert spans(records) == EXPECTED


def test_nothing_mapped_reads_no_problem(zabbix: Zabbix) -> None:
    records = read(zabbix, services={"hr": {"hosts": ["hr-app-9"]}})
    assert [type(r) for r in records] == [DataQualityFinding]


# ------------------------------------------------------------------- errors


def test_wrong_password_is_one_line_without_the_password(
    zabbix: Zabbix, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZABBIX_PASSWORD", "not-the-password")
    with pytest.raises(ZabbixError) as caught:
        read(zabbix, token_env="", username=ADMIN)
    message = str(caught.value)
    assert message.startswith(f"Zabbix {zabbix.url}/api_jsonrpc.php: user.login: ")
    assert "\n" not in message and "not-the-password" not in message


def test_bad_token_is_refused_by_name(zabbix: Zabbix, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZABBIX_TOKEN", "0" * 64)
    with pytest.raises(ZabbixError, match=r"hostgroup\.get: .*") as caught:
        read(zabbix)
    assert "0" * 64 not in str(caught.value)


def test_unreachable_server(zabbix: Zabbix) -> None:
    with pytest.raises(ZabbixError, match=r"^Zabbix http://127\.0\.0\.1:9/api_jsonrpc\.php: "
                       r"apiinfo\.version: cannot connect"):  # fmt: skip
        read(zabbix, url="http://127.0.0.1:9", max_retries=1)


def test_missing_secret_names_the_variable(zabbix: Zabbix, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZABBIX_TOKEN")
    with pytest.raises(ZabbixError, match="environment variable 'ZABBIX_TOKEN'"):
        read(zabbix)


# --------------------------------------------------------------------- KPIs

# By hand, seconds of 7x24 time in October (Asia/Shanghai):
# erp: planned 14:00-16:00 on 10-20 (7200); downtime 3600 (10-01 00:00-01:00)
#      + 1800 (10-08) + 3600 (10-20 13:00-14:00, the rest is planned) = 9000;
#      failures 2 (the first outage's first second is in September).
# crm: downtime 1200 (10-15) + 3600 (10-31 23:00 until the evaluation instant); 2 failures.
# portal: downtime 2700; 1 failure.
ERP = (MONTH - 7200, 9000, 2)
CRM = (MONTH, 4800, 2)
PORTAL = (MONTH, 2700, 1)
AGREED = ERP[0] + CRM[0] + PORTAL[0]
DOWN = ERP[1] + CRM[1] + PORTAL[1]
FAILURES = ERP[2] + CRM[2] + PORTAL[2]


def test_kpis_from_the_outages(zabbix: Zabbix) -> None:
    outages = [r for r in read(zabbix) if isinstance(r, Outage)]
    calendar = BusinessCalendar.always("Asia/Shanghai")
    times = [service_time(s, outages, [], calendar, OCTOBER, AT) for s in ("erp", "crm", "portal")]
    figures = {t.service: (t.agreed_seconds, t.downtime_seconds, len(t.failures)) for t in times}
    assert figures == {"erp": ERP, "crm": CRM, "portal": PORTAL}
    assert availability(times).value == pytest.approx((AGREED - DOWN) / AGREED, abs=1e-12)
    assert failure_count(times).value == FAILURES
    assert mttr(times).value == pytest.approx(DOWN / FAILURES)
    assert mtbf(times).value == pytest.approx((AGREED - DOWN) / FAILURES)


CONFIG = """
[calendars.always]
preset = "always"
timezone = "Asia/Shanghai"

[slas.gold]
calendar = "always"
availability = 0.999
max_failures = 4
[slas.gold.targets.resolution]
P1 = "4h"

[services.erp]
name = "ERP"
[services.crm]
name = "CRM"
[services.portal]
name = "Portal"

[sources.zabbix]
plugin = "zabbix"
kind = "outages"
url = "{url}"
token_env = "ZABBIX_TOKEN"
since = "2025-10-01"
until = "2025-11-01"
min_severity = "average"

[sources.zabbix.services.erp]
host_groups = ["ERP servers"]
[sources.zabbix.services.crm]
hosts = ["crm-web-01"]
[sources.zabbix.services.portal]
triggers = ["Portal login page down"]

[projects.alpha]
customer = "Dianchi Logistics"
sla = "gold"
services = ["erp", "crm", "portal"]
sources = ["zabbix"]
"""


def kpi_cli(config: Path, zabbix: Zabbix) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "itsskit", "kpi", str(config), "--period", "2025-10",
               "--project", "alpha", "--format", "json", "--at", "2025-11-01T00:00:00"]  # fmt: skip
    env = {"ZABBIX_TOKEN": zabbix.token, "PATH": "/usr/bin:/bin"}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def test_itsskit_kpi_command(zabbix: Zabbix, tmp_path: Path) -> None:
    config = tmp_path / "itsskit.toml"
    config.write_text(CONFIG.format(url=zabbix.url), encoding="utf-8")
    done = kpi_cli(config, zabbix)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["availability"]["value"] == pytest.approx((AGREED - DOWN) / AGREED, abs=1e-12)
    assert figures["availability"]["status"] == "missed"  # 0.99794... < 0.999
    assert figures["failure_count"]["value"] == FAILURES
    assert figures["failure_count"]["status"] == "missed"  # 5 > 4
    assert figures["downtime_seconds"]["value"] == pytest.approx(DOWN)
    assert figures["longest_failure_seconds"]["value"] == pytest.approx(3600)
    assert figures["mttr_seconds"]["value"] == pytest.approx(DOWN / FAILURES)
    assert figures["mtbf_seconds"]["value"] == pytest.approx((AGREED - DOWN) / FAILURES)


def test_itsskit_kpi_command_with_a_misspelt_key(zabbix: Zabbix, tmp_path: Path) -> None:
    config = tmp_path / "itsskit.toml"
    bad = CONFIG.format(url=zabbix.url).replace('min_severity = "average"', 'min_severty = "high"')
    config.write_text(bad, encoding="utf-8")
    done = kpi_cli(config, zabbix)
    assert done.returncode != 0
    assert "sources.zabbix" in done.stderr and "min_severty" in done.stderr
    assert "Traceback" not in done.stderr


def test_itsskit_kpi_command_with_a_refused_token(zabbix: Zabbix, tmp_path: Path) -> None:
    config = tmp_path / "itsskit.toml"
    config.write_text(CONFIG.format(url=zabbix.url), encoding="utf-8")
    refused = Zabbix(url=zabbix.url, token="f" * 64, server=zabbix.server)
    done = kpi_cli(config, refused)
    assert done.returncode != 0
    assert "source 'zabbix'" in done.stderr and "api_jsonrpc.php" in done.stderr
    assert "f" * 64 not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


def test_now_is_the_default_end(zabbix: Zabbix) -> None:
    source = ZabbixSource(options(zabbix, since="", until="", lookback_days=10),
                          SourceContext(name="z", kind="outages", base_dir=Path(".")))  # fmt: skip
    now = datetime.fromisoformat("2026-01-10T00:00:00+00:00")
    since, until = source.window(now)
    assert (until, (until - since).days) == (now, 10)


# ------------------------------------------------------ the documented example

EXAMPLE = Path(__file__).parents[3] / "examples" / "zabbix" / "itsskit.toml"


def test_the_example_config_and_its_commands(zabbix: Zabbix, tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace('url = "https://zabbix.example.com"', f'url = "{zabbix.url}"')
    text = text.replace("lookback_days = 92", 'since = "2025-10-01"\nuntil = "2025-11-01"')
    config = tmp_path / "itsskit.toml"
    config.write_text(text, encoding="utf-8")
    env = {"ZABBIX_TOKEN": zabbix.token, "PATH": "/usr/bin:/bin"}
    itsskit = [sys.executable, "-m", "itsskit"]
    check = subprocess.run([*itsskit, "sources", "check", str(config)],
                           capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert check.returncode == 0, check.stderr
    assert "zabbix" in check.stdout and str(len(EXPECTED)) in check.stdout
    kpis = subprocess.run([*itsskit, "kpi", str(config), "--period", "2025-10", "--project",
                           "dianchi", "--format", "json", "--at", "2025-11-01T00:00:00"],
                          capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert kpis.returncode == 0, kpis.stderr
    figures = json.loads(kpis.stdout)
    assert figures["availability"]["value"] == pytest.approx((AGREED - DOWN) / AGREED, abs=1e-12)
    assert figures["failure_count"]["value"] == FAILURES


def test_the_auth_header_by_version(zabbix: Zabbix) -> None:
    """6.0 takes the token in the body; 6.4 and later (7.x) in ``Authorization: Bearer``."""
    sent: list[tuple[dict[str, Any], str]] = []
    client = ZabbixClient(zabbix.url, make_session(max_retries=0, backoff=0))
    client.session.hooks["response"].append(
        lambda response, *_, **__: sent.append(
            (json.loads(response.request.body), response.request.headers.get("Authorization", ""))
        )
    )
    with client:
        client.connect(token=zabbix.token)
        assert client.version == (6, 0)
        assert client.get("host.get", {"output": ["host"], "filter": {"host": "erp-app-01"}})
        body, header = sent[-1]
        assert (body["auth"], header) == (zabbix.token, "")
        client.version = (7, 0)  # as a 7.x server would have answered apiinfo.version
        with pytest.raises(ZabbixError, match="host.get: the API token was refused"):
            client.get("host.get", {"output": ["host"]})  # 6.0 ignores the header
        body, header = sent[-1]
        assert "auth" not in body and header == f"Bearer {zabbix.token}"


# ------------------------------------------------------- sessions and retries


def test_an_expired_login_session_is_renewed_and_logged_out_at_the_end(zabbix: Zabbix) -> None:
    client = ZabbixClient(zabbix.url, make_session(max_retries=0, backoff=0))
    with client:
        client.connect(username=ADMIN, password=ADMIN_PASSWORD)
        first = client._auth
        zabbix.server.api("user.logout", [], first)  # the session ends behind its back
        hosts = client.get("host.get", {"output": ["host"], "filter": {"host": "crm-web-01"}})
        assert [h["host"] for h in hosts] == ["crm-web-01"]
        second = client._auth
        assert second not in ("", first)
    with pytest.raises(RuntimeError, match="Session terminated"):
        zabbix.server.api("host.get", {"output": ["host"]}, second)


class FlakyProxy(ThreadingHTTPServer):
    """Answers the first ``failures`` requests with HTTP 503, then forwards to Zabbix."""

    def __init__(self, target: str, failures: int) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.target, self.failures, self.requests = target, failures, 0
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


class _ProxyHandler(BaseHTTPRequestHandler):
    server: FlakyProxy

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence
        """Keep the test output quiet."""

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests += 1
        if self.server.failures > 0:
            self.server.failures -= 1
            status, data = 503, b"busy"
        else:
            request = urllib.request.Request(
                self.server.target + self.path, body, {"Content-Type": "application/json-rpc"}
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                status, data = response.status, response.read()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def flaky(zabbix: Zabbix) -> Iterator[Callable[[int], FlakyProxy]]:
    proxies: list[tuple[FlakyProxy, threading.Thread]] = []

    def start(failures: int) -> FlakyProxy:
        proxy = FlakyProxy(zabbix.url, failures)
        thread = threading.Thread(target=proxy.serve_forever, args=(0.01,), daemon=True)
        thread.start()
        proxies.append((proxy, thread))
        return proxy

    yield start
    for proxy, thread in proxies:
        proxy.shutdown()
        proxy.server_close()
        thread.join()


def test_server_errors_are_retried(zabbix: Zabbix, flaky: Callable[[int], FlakyProxy]) -> None:
    proxy = flaky(3)
    assert spans(read(zabbix, url=proxy.url, max_retries=3, backoff=0.01)) == EXPECTED
    assert proxy.failures == 0


def test_retries_exhausted_name_the_server_and_method(
    zabbix: Zabbix, flaky: Callable[[int], FlakyProxy]
) -> None:
    proxy = flaky(100)
    with pytest.raises(ZabbixError) as caught:
        read(zabbix, url=proxy.url, max_retries=2, backoff=0.01)
    assert str(caught.value).startswith(f"Zabbix {proxy.url}/api_jsonrpc.php: apiinfo.version: ")
    assert "retries exhausted" in str(caught.value)
    assert proxy.requests == 3  # the first try and two retries


# ------------------------------------------- recurring maintenance, as the server sees it

IN_FORCE = {"mnt-week-2", "mnt-every-3-days", "mnt-month-day", "mnt-month-week"}


def test_recurring_maintenance_windows_agree_with_the_server(zabbix: Zabbix) -> None:
    """The server's timer puts hosts in maintenance now; the expansion must agree."""
    auth = zabbix.server.api("user.login", {"username": ADMIN, "password": ADMIN_PASSWORD})
    query = {"output": ["host", "maintenance_status"], "search": {"host": "mnt-"}}
    deadline = time.monotonic() + 150  # the timer updates maintenances once a minute
    while not any(
        h["maintenance_status"] == "1" for h in zabbix.server.api("host.get", query, auth)
    ):
        assert time.monotonic() < deadline, "the server put no host in maintenance"
        time.sleep(1)
    now = datetime.now(UTC)
    server = {h["host"] for h in zabbix.server.api("host.get", query, auth)
              if h["maintenance_status"] == "1"}  # fmt: skip
    rows = zabbix.server.api(
        "maintenance.get",
        {"output": "extend", "selectTimeperiods": "extend", "search": {"name": "mnt-"}},
        auth,
    )
    ours = {
        row["name"]
        for row in rows
        if maintenance_windows(
            row, SHANGHAI, now - timedelta(seconds=1), now + timedelta(seconds=1)
        )
    }
    assert len(rows) == 7
    assert server == IN_FORCE
    assert ours == IN_FORCE

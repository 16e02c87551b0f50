"""Failures are one clear line naming the server and the query; secrets never appear.

Against the real server (bad expressions, its own TLS and basic auth), a
bearer-token proxy in front of it that can answer 5xx or drop connections,
and a closed port.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from itsskit.collect import open_source
from itsskit.config import load_config
from itsskit.models import Outage
from itsskit.plugins import PluginHost

from itsskit_prometheus import PrometheusError
from prometheus_history import utc
from prometheus_server import PASSWORD, TOKEN, Proxy, Secured, Server

WINDOW = (utc("2025-11-07T00:00"), utc("2025-11-08T00:00"))
E2 = (utc("2025-11-07T06:00"), utc("2025-11-07T09:00"))

CONFIG = """
[sources.monitoring]
plugin = "prometheus"
kind = "outages"
url = "{url}"
lookback = "0s"
backoff = 0
{extra}

[sources.monitoring.queries.erp]
expr = '{expr}'
service = "erp"
"""


def write(folder: Path, url: str, expr: str = 'up{job="erp"} == 0', extra: str = "") -> Path:
    path = folder / "itsskit.toml"
    path.write_text(CONFIG.format(url=url, expr=expr, extra=extra), encoding="utf-8")
    return path


def read(folder: Path, url: str, **settings: str) -> list[tuple[object, object]]:
    host = PluginHost.create()
    config = load_config(write(folder, url, **settings), host)
    source = open_source(config, "monitoring", host, window=WINDOW)
    return [(o.start, o.end) for o in source.read() if isinstance(o, Outage)]


def failure(folder: Path, url: str, **settings: str) -> str:
    with pytest.raises(PrometheusError) as caught:
        read(folder, url, **settings)
    message = str(caught.value)
    assert "\n" not in message
    return message


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_bad_expression_names_server_query_and_the_parse_error(
    prometheus: Server, tmp_path: Path
) -> None:
    message = failure(tmp_path, prometheus.url, expr='up{job="erp"} ==')
    assert message.startswith(
        f"prometheus {prometheus.url}: query 'erp' (up{{job=\"erp\"}} ==): HTTP 400: bad_data: "
    )
    assert "parse error" in message


def test_an_execution_error_is_reported_with_its_type(prometheus: Server, tmp_path: Path) -> None:
    message = failure(tmp_path, prometheus.url, expr="up * on() group_left up")
    assert f"prometheus {prometheus.url}: query 'erp'" in message
    assert "HTTP 422: execution: found duplicate series" in message


def test_a_closed_port_is_retried_then_named(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    message = failure(tmp_path, url, extra="max_retries = 2")
    assert message.startswith(f"prometheus {url}: query 'erp' (up{{job=\"erp\"}} == 0): ")
    assert "cannot connect" in message and "Connection refused" in message
    assert message.endswith("tried 3 time(s)")


def test_5xx_answers_and_dropped_connections_are_retried(
    proxy: Proxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_TOKEN", TOKEN)
    proxy.failures = [503, 0, 502]
    outages = read(tmp_path, proxy.url, extra='auth = "bearer"\nmax_retries = 3')
    assert outages == [E2]
    assert len(proxy.seen) == 4  # three failures, then the answer


def test_retries_give_up_with_the_last_answer(
    proxy: Proxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_TOKEN", TOKEN)
    proxy.failures = [503, 503, 503]
    message = failure(tmp_path, proxy.url, extra='auth = "bearer"\nmax_retries = 2')
    assert message == (
        f"prometheus {proxy.url}: query 'erp' (up{{job=\"erp\"}} == 0): "
        "HTTP 503 (after 2 retries): upstream trouble"
    )
    assert len(proxy.seen) == 3


def test_a_refused_token_is_named_but_never_printed(
    proxy: Proxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_TOKEN", "wrong-token-5678")
    message = failure(tmp_path, proxy.url, extra='auth = "bearer"')
    assert "HTTP 401 Unauthorized, check the credentials" in message
    assert "wrong-token-5678" not in message
    assert len(proxy.seen) == 1  # a 401 is not retried


def test_a_missing_secret_variable_is_named(
    proxy: Proxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROM_TOKEN_FOR_TEST", raising=False)
    message = failure(
        tmp_path, proxy.url, extra='auth = "bearer"\ntoken_env = "PROM_TOKEN_FOR_TEST"'
    )
    assert message == (
        f"prometheus {proxy.url}: environment variable 'PROM_TOKEN_FOR_TEST' "
        "(auth = 'bearer') is not set"
    )
    assert proxy.seen == []


def test_tls_and_basic_auth_of_prometheus_itself(
    secured_prometheus: Secured, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, certificate = secured_prometheus.server.url, secured_prometheus.certificate
    basic = 'auth = "basic"\nusername = "itsskit"\n'
    monkeypatch.setenv("PROMETHEUS_PASSWORD", PASSWORD)
    assert read(tmp_path, url, extra=basic + f'ca_file = "{certificate}"') == [E2]
    assert read(tmp_path, url, extra=basic + "insecure = true") == [E2]
    unverified = failure(tmp_path, url, extra=basic)
    assert unverified.startswith(f"prometheus {url}: query 'erp'")
    assert "TLS error" in unverified and "certificate verify failed" in unverified
    monkeypatch.setenv("PROMETHEUS_PASSWORD", "not-the-password")
    refused = failure(tmp_path, url, extra=basic + f'ca_file = "{certificate}"')
    assert "HTTP 401 Unauthorized" in refused
    assert "not-the-password" not in refused


def test_a_missing_ca_file_is_named(prometheus: Server, tmp_path: Path) -> None:
    message = failure(tmp_path, prometheus.url, extra='ca_file = "certs/ca.pem"')
    assert message == (
        f"prometheus {prometheus.url}: ca_file {tmp_path / 'certs' / 'ca.pem'} does not exist"
    )


def test_the_cli_prints_one_line_and_no_traceback(prometheus: Server, tmp_path: Path) -> None:
    path = write(tmp_path, prometheus.url, expr="rate(up)")
    path.write_text(
        path.read_text(encoding="utf-8")
        + '\n[calendars.c]\npreset = "always"\n[slas.s]\ncalendar = "c"\navailability = 0.99\n'
        '[slas.s.targets.resolution]\nP1 = "4h"\n[services.erp]\nname = "ERP"\n'
        '[projects.p]\nsla = "s"\nservices = ["erp"]\nsources = ["monitoring"]\n',
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "itsskit", "kpi", str(path), "--period", "2025-11"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    (line,) = [line for line in done.stderr.splitlines() if "rate(up)" in line]
    assert f"source 'monitoring' (plugin 'prometheus'): prometheus {prometheus.url}" in line
    assert "query 'erp' (rate(up)): HTTP 400: bad_data:" in line


@pytest.mark.parametrize(
    ("status", "body", "content_type", "problem"),
    [
        (
            200,
            b'{"status":"error","errorType":"timeout",'
            b'"error":"query timed out in\\nexpression evaluation"}',
            "application/json",
            "HTTP 200: timeout: query timed out in expression evaluation",
        ),
        (200, b"<html>Sign in</html>", "text/html", "expected a JSON answer, got 'text/html'"),
        (
            200,
            b'{"status":"success","data":{"resultType":"vector","result":[]}}',
            "application/json",
            "expected a matrix (range vector) result, got 'vector'",
        ),
        (
            200,
            b'{"status":"success","data":{"resultType":"matrix","result":[{"values":[]}]}}',
            "application/json",
            "malformed series {'values': []}",
        ),
        (
            200,
            b'{"status":"success","data":{"resultType":"matrix","result":'
            b'[{"metric":{},"values":[["soon","1"]]}]}}',
            "application/json",
            "malformed sample in series {}",
        ),
        (404, b"404 page not found\n", "text/plain", "HTTP 404: 404 page not found"),
    ],
)
def test_unusable_answers_are_named(
    proxy: Proxy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    status: int,
    body: bytes,
    content_type: str,
    problem: str,
) -> None:
    monkeypatch.setenv("PROMETHEUS_TOKEN", TOKEN)
    proxy.failures = [(status, body, content_type)]
    message = failure(tmp_path, proxy.url, extra='auth = "bearer"')
    assert message == f"prometheus {proxy.url}: query 'erp' (up{{job=\"erp\"}} == 0): {problem}"


def test_server_warnings_are_findings_once_per_query(
    proxy: Proxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_TOKEN", TOKEN)

    def answer(result: bytes) -> tuple[int, bytes, str]:
        body = b'{"status":"success","warnings":["partial response: store 2 unreachable"],'
        body += b'"data":{"resultType":"matrix","result":' + result + b"}}"
        return 200, body, "application/json"

    firing = b'[{"metric":{"job":"erp"},"values":[[1762495200,"0"],[1762495260,"0"]]}]'
    # the first two of three chunks (00:00-08:19, 08:20-16:39); the real server the third
    proxy.failures = [answer(firing), answer(b"[]")]
    host = PluginHost.create()
    config = load_config(
        write(tmp_path, proxy.url, extra='auth = "bearer"\nmax_points = 500'), host
    )
    items = list(open_source(config, "monitoring", host, window=WINDOW).read())
    assert [item.reason for item in items if not isinstance(item, Outage)] == [
        f"prometheus {proxy.url}: query 'erp' (up{{job=\"erp\"}} == 0): the server warned: "
        "partial response: store 2 unreachable; its outages may be incomplete"
    ]
    outages = [(o.start, o.end) for o in items if isinstance(o, Outage)]
    assert outages == [(utc("2025-11-07T06:00"), utc("2025-11-07T06:02"))]
    assert len(proxy.seen) == 3

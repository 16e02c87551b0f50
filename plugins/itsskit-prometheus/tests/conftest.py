"""Fixtures: the known history as TSDB blocks, the real servers over it, and the proxy.

The servers and the proxy are in :mod:`prometheus_server`; the history in
:mod:`prometheus_history`. Fixtures needing ``prometheus``/``promtool`` skip
(with the reason) only when the binaries are missing.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from prometheus_history import openmetrics
from prometheus_server import (
    PASSWORD_HASH,
    Proxy,
    ProxyServer,
    Secured,
    Server,
    binaries,
    start_prometheus,
    stop,
)


@pytest.fixture(autouse=True)
def _loopback_without_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback servers are reached directly, whatever HTTP(S)_PROXY says."""
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")


@pytest.fixture(scope="session")
def tsdb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Blocks holding the history of :mod:`prometheus_history`."""
    _, promtool = binaries()
    folder = tmp_path_factory.mktemp("prometheus")
    source = folder / "history.om"
    source.write_text(openmetrics(), encoding="utf-8")
    blocks = folder / "blocks"
    subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=2400h",
         "--quiet", str(source), str(blocks)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return blocks


@pytest.fixture(scope="session")
def prometheus(tsdb: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A plain-HTTP server over the history."""
    server = start_prometheus(tsdb, tmp_path_factory.mktemp("plain"))
    try:
        yield server
    finally:
        stop(server)


@pytest.fixture(scope="session")
def secured_prometheus(tsdb: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Secured]:
    """A server with Prometheus' own TLS and basic auth (user ``itsskit``)."""
    folder = tmp_path_factory.mktemp("secured")
    certificate, key = folder / "server.crt", folder / "server.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    web = folder / "web.yml"
    web.write_text(
        f"tls_server_config:\n  cert_file: {certificate}\n  key_file: {key}\n"
        f"basic_auth_users:\n  itsskit: {PASSWORD_HASH}\n",
        encoding="utf-8",
    )
    server = start_prometheus(tsdb, folder, secured=certificate)
    try:
        yield Secured(server=server, certificate=certificate)
    finally:
        stop(server)


@pytest.fixture
def proxy(prometheus: Server) -> Iterator[Proxy]:
    """A bearer-token proxy in front of the plain server."""
    state = Proxy(target=prometheus.url)
    server = ProxyServer(state)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

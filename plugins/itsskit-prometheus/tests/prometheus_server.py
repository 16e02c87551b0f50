"""Running a real Prometheus on loopback over a known outage history; a proxy in front of it.

The TSDB is made by ``promtool tsdb create-blocks-from openmetrics`` from
:mod:`prometheus_history`; ``prometheus`` (Debian's package, installed in CI by
``.ci/setup-prometheus.sh``) serves it. Tests that need the server are skipped,
with the reason, only when the binaries are missing.

The server runs with ``--query.lookback-delta=30s``: backfilled blocks carry no
staleness markers, so a series that stops (an ``ALERTS`` series when its alert
resolves) would otherwise stay visible for the default 5 minutes; a live
Prometheus marks it stale at once. Every series has a sample on every minute,
so 30 s changes nothing else.
"""

from __future__ import annotations

import base64
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import attrs
import pytest

#: Password of the ``itsskit`` user of the secured server, and its bcrypt hash (cost 4).
PASSWORD = "prom-s3cret"
PASSWORD_HASH = "$2b$04$H8lT1uxwA0pjL7qTg9vNwO0b5.7/0n7rxQEdNP3QyUFVvynXSikva"
TOKEN = "token-0123456789"
#: Opens loopback URLs directly, whatever HTTP(S)_PROXY says.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def binaries() -> tuple[str, str]:
    """Paths of ``prometheus`` and ``promtool``; the test is skipped when one is missing."""
    found = shutil.which("prometheus"), shutil.which("promtool")
    if None in found:
        pytest.skip(
            "prometheus/promtool not installed (Debian package 'prometheus'; "
            "run .ci/setup-prometheus.sh)"
        )
    return found  # type: ignore[return-value]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@attrs.define
class Server:
    """A running prometheus process."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path


def start_prometheus(blocks: Path, folder: Path, secured: Path | None = None) -> Server:
    """Start prometheus over a copy of ``blocks`` on a free loopback port; wait until ready.

    ``secured`` is the certificate of a server configured by ``folder/web.yml``.
    A port taken between choosing and binding it is tried again with another.
    """
    prometheus, _ = binaries()
    storage = folder / "data"
    shutil.copytree(blocks, storage)
    config = folder / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 1m\n", encoding="utf-8")
    for attempt in range(3):
        port = free_port()
        command = [
            prometheus,
            f"--config.file={config}",
            f"--storage.tsdb.path={storage}",
            "--storage.tsdb.retention.time=100y",  # keep the 2025 blocks whatever today is
            f"--web.listen-address=127.0.0.1:{port}",
            "--query.lookback-delta=30s",
            "--log.level=warn",
        ]
        if secured is not None:
            command.append(f"--web.config.file={folder / 'web.yml'}")
        log = folder / f"prometheus-{attempt}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        scheme = "https" if secured is not None else "http"
        server = Server(url=f"{scheme}://127.0.0.1:{port}", process=process, log=log)
        try:
            _wait_ready(server, secured)
            return server
        except PortTaken:
            continue
    raise RuntimeError("prometheus found no free port in 3 attempts")


class PortTaken(RuntimeError):
    """The port chosen for prometheus was taken before it could bind it."""


def _wait_ready(server: Server, certificate: Path | None) -> None:
    request = urllib.request.Request(f"{server.url}/-/ready")
    handlers: list[urllib.request.BaseHandler] = [urllib.request.ProxyHandler({})]
    if certificate is not None:
        context = ssl.create_default_context(cafile=str(certificate))
        handlers.append(urllib.request.HTTPSHandler(context=context))
        token = base64.b64encode(f"itsskit:{PASSWORD}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            log = server.log.read_text()
            if "address already in use" in log:
                raise PortTaken(server.url)
            raise RuntimeError(f"prometheus exited: {log[-2000:]}")
        try:
            with urllib.request.build_opener(*handlers).open(request, timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:  # not listening yet, or 503 while the TSDB opens
            pass
        time.sleep(0.2)
    stop(server)
    raise RuntimeError(f"prometheus not ready within 60 s: {server.log.read_text()[-2000:]}")


def stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@attrs.frozen
class Secured:
    """The TLS + basic-auth server and its certificate (to use as ``ca_file``)."""

    server: Server
    certificate: Path


# ------------------------------------------------------------------ the proxy


@attrs.define
class Proxy:
    """A loopback proxy to the real server: bearer auth, scripted failures, a request log.

    ``failures`` holds what to answer (instead of forwarding) to the next
    requests: a status (with a plain-text body), ``0`` to drop the connection
    without an answer, or ``(status, body, content type)``.
    """

    target: str
    failures: list[int | tuple[int, bytes, str]] = attrs.Factory(list)
    seen: list[dict[str, str]] = attrs.Factory(list)
    url: str = ""


class ProxyServer(ThreadingHTTPServer):
    def __init__(self, proxy: Proxy) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.proxy = proxy
        proxy.url = f"http://127.0.0.1:{self.server_address[1]}"


class _ProxyHandler(BaseHTTPRequestHandler):
    server: ProxyServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server API
        """Keep the test output quiet (the default writes every request to stderr)."""

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        proxy = self.server.proxy
        proxy.seen.append({"path": self.path, "authorization": self.headers["Authorization"] or ""})
        if proxy.failures:
            answer = proxy.failures.pop(0)
            if answer == 0:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if isinstance(answer, int):
                answer = (answer, b"upstream trouble\n", "text/plain")
            return self._reply(*answer)
        if self.headers["Authorization"] != f"Bearer {TOKEN}":
            return self._reply(401, b"401 Unauthorized\n", "text/plain")
        try:
            with DIRECT.open(proxy.target + self.path, timeout=30) as upstream:
                self._reply(upstream.status, upstream.read(), upstream.headers["Content-Type"])
        except urllib.error.HTTPError as error:
            self._reply(error.code, error.read(), error.headers["Content-Type"])

    def _reply(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

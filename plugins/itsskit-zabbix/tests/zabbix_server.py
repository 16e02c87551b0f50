"""A throwaway Zabbix 6.0 on loopback: PostgreSQL, zabbix_server and the API frontend.

Debian's packages (``.ci/setup-zabbix.sh`` installs them) provide the programs:
PostgreSQL's ``initdb``/``pg_ctl``, the schema in
``/usr/share/zabbix-server-pgsql``, ``zabbix_server``, ``zabbix_sender`` (in
``zabbix-agent``) and the PHP frontend in ``/usr/share/zabbix``. Everything
lives in one temporary folder: a database cluster on a free port, the server
with its own config, PID, log and sockets, and a copy of the frontend served by
``php -S`` whose config-file path (fixed by Debian to /etc/zabbix) is pointed
at the folder. Nothing of the system's own configuration is touched and no
system service is started. As root, the database and the server run as the
``zabbix`` user (both refuse to run as root).
"""

from __future__ import annotations

import contextlib
import glob
import gzip
import json
import os
import pwd
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path("/usr/share/zabbix-server-pgsql")
FRONTEND = Path("/usr/share/zabbix")
CONFIG_CONSTANT = "'/etc/zabbix/zabbix.conf.php'"


def missing_programs() -> list[str]:
    """What of the installation is missing (empty: the server can run here)."""
    missing = [p for p in ("zabbix_server", "zabbix_sender", "php") if shutil.which(p) is None]
    if not _pg_bin():
        missing.append("PostgreSQL (initdb)")
    if not (SCHEMA_DIR / "schema.sql.gz").is_file():
        missing.append(str(SCHEMA_DIR / "schema.sql.gz"))
    if not (FRONTEND / "api_jsonrpc.php").is_file():
        missing.append(str(FRONTEND / "api_jsonrpc.php"))
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("zabbix")
        except KeyError:
            missing.append("user 'zabbix'")
    return missing


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    """A free loopback port below 32768 (zabbix_server takes ListenPort 1024-32767)."""
    for port in random.sample(range(20000, 32768), 200):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                try:
                    sock.close()
                    with socket.socket() as probe:
                        probe.bind(("127.0.0.1", port))
                    return port
                except OSError:
                    continue
    raise RuntimeError("no free loopback port in 20000-32767")


class ZabbixServer:
    """The running installation; :meth:`stop` ends every process it started."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="itsskit-zabbix-"))
        self.pg_bin = _pg_bin()
        self.db_port, self.trapper_port, self.web_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.web_port}"
        self.as_user: dict[str, Any] = {}
        self._php: subprocess.Popen[bytes] | None = None
        self._server_process: subprocess.Popen[bytes] | None = None
        self._db_started = False
        self._logs: list[Any] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("zabbix")
            self.as_user = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
            os.chown(self.root, account.pw_uid, account.pw_gid)

    # ------------------------------------------------------------------ start

    def start(self) -> None:
        try:
            self._database()
            self._server()
            self._frontend()
        except BaseException:
            self.stop()
            raise

    def _run(self, command: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            command, check=True, capture_output=True, cwd=self.root, **self.as_user, **kwargs
        )

    def _database(self) -> None:
        assert self.pg_bin is not None
        data = self.root / "pg"
        self._run([str(self.pg_bin / "initdb"), "-D", str(data), "-U", "zabbix",
                   "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])  # fmt: skip
        settings = (
            f"-p {self.db_port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.root} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._run([str(self.pg_bin / "pg_ctl"), "-D", str(data), "-l", str(self.root / "pg.log"),
                   "-o", settings, "-w", "start"])  # fmt: skip
        self._db_started = True
        psql = [str(self.pg_bin / "psql"), "-q", "-h", "127.0.0.1", "-p", str(self.db_port),
                "-v", "ON_ERROR_STOP=1"]  # fmt: skip
        self._run([*psql, "-d", "postgres", "-c", "CREATE DATABASE zabbix"])
        sql = b"".join(
            gzip.decompress((SCHEMA_DIR / f"{part}.sql.gz").read_bytes())
            for part in ("schema", "images", "data")
        )
        self._run([*psql, "-d", "zabbix"], input=sql)

    def _server(self) -> None:
        config = self.root / "zabbix_server.conf"
        config.write_text(
            "\n".join(
                [
                    "ListenIP=127.0.0.1",
                    f"ListenPort={self.trapper_port}",
                    f"LogFile={self.root / 'server.log'}",
                    "LogFileSize=0",
                    f"PidFile={self.root / 'server.pid'}",
                    f"SocketDir={self.root}",
                    "DBHost=127.0.0.1",
                    f"DBPort={self.db_port}",
                    "DBName=zabbix",
                    "DBUser=zabbix",
                    "StartPollers=1",
                    "StartPollersUnreachable=1",
                    "StartPingers=0",
                    "StartDiscoverers=0",
                    "StartHTTPPollers=0",
                    "StartTrappers=2",
                    "StartTimers=1",
                    "StartEscalators=1",
                    "StartAlerters=1",
                    "StartPreprocessors=1",
                    "StartDBSyncers=1",
                    "StartHistoryPollers=1",
                    "StartLLDProcessors=1",
                    "StartReportWriters=0",
                    "CacheUpdateFrequency=1",
                    "HousekeepingFrequency=0",
                    "",
                ]
            )
        )
        log = (self.root / "server.out").open("wb")
        self._logs.append(log)
        self._server_process = subprocess.Popen(
            ["zabbix_server", "--foreground", "-c", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.root,
            env={**os.environ, "TZ": "Asia/Shanghai"},
            start_new_session=True,
            **self.as_user,
        )
        self._wait(self._trapper_listens, "zabbix_server to listen")

    def _trapper_listens(self) -> bool:
        if self._server_process is not None and self._server_process.poll() is not None:
            raise RuntimeError(
                f"zabbix_server stopped: {self.log_tail()}{self.log_tail('server.out')}"
            )
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", self.trapper_port)) == 0

    def _frontend(self) -> None:
        ui = self.root / "ui"
        shutil.copytree(FRONTEND, ui, symlinks=True)
        core = ui / "include/classes/core/CConfigFile.php"
        conf = self.root / "zabbix.conf.php"
        core.write_text(core.read_text().replace(CONFIG_CONSTANT, repr(str(conf))))
        settings = {
            "TYPE": "POSTGRESQL", "SERVER": "127.0.0.1", "PORT": str(self.db_port),
            "DATABASE": "zabbix", "USER": "zabbix", "PASSWORD": "", "SCHEMA": "",
        }  # fmt: skip
        lines = [f"$DB[{key!r}] = {value!r};" for key, value in settings.items()]
        conf.write_text(
            "<?php\n"
            + "\n".join(lines)
            + "\n$DB['ENCRYPTION'] = false;\n$DB['DOUBLE_IEEE754'] = true;\n"
            + f"$ZBX_SERVER = '127.0.0.1';\n$ZBX_SERVER_PORT = '{self.trapper_port}';\n"
            + "$ZBX_SERVER_NAME = 'itsskit-test';\n$IMAGE_FORMAT_DEFAULT = IMAGE_FORMAT_PNG;\n"
        )
        log = (self.root / "php.log").open("wb")
        self._logs.append(log)
        self._php = subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{self.web_port}", "-t", str(ui)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PHP_CLI_SERVER_WORKERS": "2"},
            start_new_session=True,  # the workers are its children: stopped as a group
        )
        self._wait(self._answers, "the PHP frontend to answer apiinfo.version")

    def _answers(self) -> bool:
        try:
            return bool(self.api("apiinfo.version", {}))
        except OSError:
            return False

    @staticmethod
    def _wait(ready: Callable[[], bool], what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out waiting for {what}")
            time.sleep(0.2)

    # ------------------------------------------------------------------- use

    def api(self, method: str, params: Any, auth: str = "") -> Any:
        """Call the JSON-RPC API (test set-up only; the plugin has its own client)."""
        body: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params, "id": 1}
        if auth:
            body["auth"] = auth
        request = urllib.request.Request(
            f"{self.url}/api_jsonrpc.php",
            json.dumps(body).encode(),
            {"Content-Type": "application/json-rpc"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            reply = json.load(response)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    def send(self, values: Sequence[tuple[str, str, int, str]]) -> str:
        """Push ``(host, key, clock, value)`` lines with ``zabbix_sender -T``; its summary."""
        lines = "".join(f"{host} {key} {clock} {value}\n" for host, key, clock, value in values)
        path = self.root / "values.txt"
        path.write_text(lines)
        done = subprocess.run(
            [
                "zabbix_sender",
                "-z",
                "127.0.0.1",
                "-p",
                str(self.trapper_port),
                "-T",
                "-i",
                str(path),
            ],
            capture_output=True,
            text=True,
        )
        return done.stdout + done.stderr

    # ------------------------------------------------------------------- stop

    def stop(self) -> None:
        """Stop the frontend, the server and the database; remove the folder."""
        if self._php is not None:
            _kill_group(self._php.pid)
            self._php.wait(timeout=30)
        if self._server_process is not None:
            self._server_process.terminate()
            try:
                self._server_process.wait(timeout=5)  # a throwaway server: no need for more
            except subprocess.TimeoutExpired:
                pass
            finally:
                _kill_group(self._server_process.pid)  # any child left behind
                self._server_process.wait(timeout=30)
        if self._db_started and self.pg_bin is not None:
            self._run(
                [
                    str(self.pg_bin / "pg_ctl"),
                    "-D",
                    str(self.root / "pg"),
                    "-m",
                    "fast",
                    "-w",
                    "stop",
                ]
            )
        for log in self._logs:
            log.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, name: str = "server.log", lines: int = 20) -> str:
        path = self.root / name
        return (
            "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
            if path.is_file()
            else ""
        )


def _kill_group(pgid: int) -> None:
    """Kill the process group a server was started in (its own new session)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)

"""A throwaway PostgreSQL server for the register's tests (issue 13 item 8).

:func:`start_server` runs ``initdb`` into a temporary folder and starts the
cluster on a free loopback port (as the ``postgres`` user when the tests run as
root: PostgreSQL refuses to run as root), trusting local connections only.
Debian's ``postgresql`` package provides the binaries (``.ci/setup-postgresql.sh``
installs it); its own service is never used.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import attrs

__all__ = ["PgServer", "find_bindir", "running_server"]

USER = "itsskit"


def find_bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<n>/bin`` with ``pg_ctl``, or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda path: int(Path(path).parent.parent.name),
    )
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@attrs.define
class PgServer:
    """A running cluster: ``url(database)`` and fresh databases on demand."""

    bindir: Path
    port: int
    _names: Iterator[int] = attrs.field(factory=lambda: itertools.count(1))

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of ``database`` on this server."""
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """Create an empty database; its URL."""
        import psycopg

        name = f"register_{next(self._names)}"
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=USER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextmanager
def running_server(bindir: Path) -> Iterator[PgServer]:
    """Start a cluster from ``bindir`` in a temporary folder; stop and remove it after."""
    root = Path(tempfile.mkdtemp(prefix="itsskit-pg-"))
    as_postgres = os.geteuid() == 0
    if as_postgres:
        shutil.chown(root, "postgres", "postgres")
    data, log = root / "data", root / "server.log"

    def run(*args: str) -> None:
        command = [*(["runuser", "-u", "postgres", "--"] if as_postgres else []), *args]
        subprocess.run(command, check=True, capture_output=True, timeout=120, cwd=root)

    port = _free_port()
    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust",
            "-E", "UTF8", "--no-locale", "--no-sync")  # fmt: skip
        options = f"-h 127.0.0.1 -p {port} -k {root} -F -c fsync=off"
        run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w",
            "-t", "60", "start")  # fmt: skip
        try:
            yield PgServer(bindir=bindir, port=port)
        finally:
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)

"""A throwaway Redmine on loopback, from Debian's ``redmine`` package.

Debian installs the application in ``/usr/share/redmine`` and keeps each
instance's configuration, logs and files under ``/usr/share/redmine/instances/
NAME`` (``REDMINE_INSTANCE``), which is ``/var/lib/redmine``. To touch nothing
there, :func:`start_redmine` builds a private application root in a temporary
folder: symlinks to the package's files, real copies of the few files whose own
location decides where Rails and Bundler look (``config/application.rb``,
``config/boot.rb``, ``bin/rails``, ``Gemfile``), a ``Gemfile.local`` adding
WEBrick, and an ``instances/itsskit`` folder holding the SQLite database.yml,
secret key, logs and tmp. Then ``rake db:migrate`` and
``redmine:load_default_data``; the REST API is enabled and an admin API key is
written directly in the database; ``rails server`` (WEBrick) listens on
127.0.0.1. Times are UTC in the database (``TZ=UTC``), so tests can set them
with SQL where the API does not allow it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

import attrs

PACKAGE = Path("/usr/share/redmine")
#: Files copied (not linked): their own path decides where Rails/Bundler look.
COPIED = ("Gemfile", "Rakefile", "config.ru", "bin", "config")
INSTANCE = "itsskit"
GEMFILE_LOCAL = """\
gem "webrick"
gem "sqlite3" unless dependencies.any? { |d| d.name == "sqlite3" }
"""


class RedmineUnavailable(Exception):
    """Redmine is not installed here; the message says what is missing."""


def missing() -> str:
    """Why a Redmine server cannot be started here ("" when it can)."""
    if not (PACKAGE / "config" / "application.rb").exists():
        return "Debian's redmine package is not installed (run: bash .ci/setup-redmine.sh)"
    if shutil.which("ruby") is None:
        return "ruby is not installed"
    probe = subprocess.run(
        ["ruby", "-e", "require 'webrick'; require 'sqlite3'"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        return "ruby-webrick or ruby-sqlite3 is not installed (run: bash .ci/setup-redmine.sh)"
    return ""


@attrs.define
class RedmineServer:
    """A running Redmine; :meth:`api` calls its REST API, :meth:`sql` its database."""

    root: Path
    url: str
    api_key: str
    process: subprocess.Popen[bytes]
    timings: dict[str, float] = attrs.Factory(dict)

    @property
    def database(self) -> Path:
        return self.root / "redmine.sqlite3"

    def api(self, method: str, path: str, body: Any = None, *, as_user: str | None = None) -> Any:
        """Call the REST API as the admin (or ``as_user`` via X-Redmine-Switch-User)."""
        headers = {"X-Redmine-API-Key": self.api_key, "Content-Type": "application/json"}
        if as_user:
            headers["X-Redmine-Switch-User"] = as_user
        data = json.dumps(body).encode() if body is not None else None
        request = Request(f"{self.url}{path}", data=data, headers=headers, method=method)
        try:
            with urlopen(request, timeout=60) as response:
                text = response.read().decode()
        except HTTPError as error:
            raise AssertionError(f"{method} {path}: HTTP {error.code} {error.read()!r}") from None
        return json.loads(text) if text.strip() else None

    def sql(self, statement: str, *params: object) -> list[tuple[Any, ...]]:
        """Run one statement on the live database (times as UTC ``YYYY-MM-DD HH:MM:SS``)."""
        with sqlite3.connect(self.database, timeout=30) as connection:
            rows = connection.execute(statement, [_db(p) for p in params]).fetchall()
        connection.close()
        return rows

    def stop(self) -> None:
        """Stop the server (TERM, then KILL after 20 s)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)


def start_redmine(root: Path, *, boot_timeout: float = 180) -> RedmineServer:
    """Prepare an instance in ``root`` and start it; raise RedmineUnavailable if not installed."""
    reason = missing()
    if reason:
        raise RedmineUnavailable(reason)
    timings: dict[str, float] = {}
    started = time.monotonic()
    app = _application(root)
    env = {**os.environ, "REDMINE_INSTANCE": INSTANCE, "RAILS_ENV": "production", "TZ": "UTC"}
    env["SCHEMA"] = str(root / "schema.rb")  # db:migrate would dump it into the package's db/
    env.pop("DATABASE_URL", None)
    _run(app, env, root, "bin/rake", "db:migrate")
    _run(app, env | {"REDMINE_LANG": "en"}, root, "bin/rake", "redmine:load_default_data")
    timings["migrate_seconds"] = time.monotonic() - started
    api_key = secrets.token_hex(20)
    _admin_with_api(root / "redmine.sqlite3", api_key)
    port = _free_port()
    log = (root / "server.log").open("wb")
    process = subprocess.Popen(
        [
            "bin/rails",
            "server",
            "-u",
            "webrick",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "-P",
            str(root / "server.pid"),
        ],  # fmt: skip
        cwd=app,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    server = RedmineServer(
        root=root, url=f"http://127.0.0.1:{port}", api_key=api_key, process=process
    )
    booting = time.monotonic()
    _wait_until_up(server, root / "server.log", boot_timeout)
    timings["boot_seconds"] = time.monotonic() - booting
    timings["total_seconds"] = time.monotonic() - started
    server.timings = timings
    return server


def _application(root: Path) -> Path:
    """A private application root: the package's files linked, a few copied, our instance."""
    app = root / "app"
    app.mkdir()
    for entry in PACKAGE.iterdir():
        if entry.name in ("instances", "Gemfile.lock", "tmp"):
            continue
        if entry.name in COPIED and entry.is_dir():
            (app / entry.name).mkdir()
            for inner in entry.iterdir():
                target = app / entry.name / inner.name
                if inner.is_file() and inner.suffix in ("", ".rb"):
                    shutil.copy(inner, target)
                else:
                    target.symlink_to(inner)
        elif entry.name in COPIED:
            shutil.copy(entry, app / entry.name)
        else:
            (app / entry.name).symlink_to(entry)
    lock = Path("/var/lib/redmine/Gemfile.lock")
    if lock.is_file():
        shutil.copy(lock, app / "Gemfile.lock")
    (app / "Gemfile.local").write_text(GEMFILE_LOCAL)
    instance = root / "instance"
    for folder in ("config", "log", "tmp", "files"):
        (instance / folder).mkdir(parents=True)
    database_yml = (
        f"production:\n  adapter: sqlite3\n  database: {root / 'redmine.sqlite3'}\n"
        "  encoding: utf8\n  timeout: 30000\n"
    )
    (instance / "config" / "database.yml").write_text(database_yml)
    (app / "config" / "database.yml").unlink(missing_ok=True)
    (app / "config" / "database.yml").write_text(database_yml)
    (instance / "config" / "secret_key.txt").write_text(secrets.token_hex(32))
    (app / "instances").mkdir()
    (app / "instances" / INSTANCE).symlink_to(instance)
    return app


def _run(app: Path, env: dict[str, str], root: Path, *command: str) -> None:
    done = subprocess.run(command, cwd=app, env=env, capture_output=True, check=False)
    (root / f"{command[-1].replace(':', '_')}.log").write_bytes(done.stdout + done.stderr)
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).decode(errors="replace").strip().splitlines()[-15:]
        raise RuntimeError(f"{' '.join(command)} failed:\n" + "\n".join(tail))


def _admin_with_api(database: Path, api_key: str) -> None:
    """Enable the REST API, let the admin in without a password change, give it ``api_key``."""
    now = _db(datetime.now(UTC))
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO settings (name, value, updated_on) VALUES ('rest_api_enabled', '1', ?)",
            [now],
        )
        connection.execute("UPDATE users SET must_change_passwd = 0 WHERE login = 'admin'")
        connection.execute(
            "INSERT INTO tokens (user_id, action, value, created_on, updated_on) "
            "SELECT id, 'api', ?, ?, ? FROM users WHERE login = 'admin'",
            [api_key, now, now],
        )
    connection.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _wait_until_up(server: RedmineServer, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"redmine exited ({server.process.returncode}):\n{_tail(log)}")
        try:
            server.api("GET", "/issue_statuses.json")
            return
        except (URLError, ConnectionError, AssertionError):
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"redmine did not answer within {timeout:.0f} s:\n{_tail(log)}")


def _tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-20:])


def _db(value: object) -> object:
    """Datetimes as ActiveRecord stores them in SQLite (UTC, here)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value

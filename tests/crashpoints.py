"""Run the itsskit CLI with injected crash points: ``python tests/crashpoints.py ARGS...``.

Every file rename (``os.replace``/``os.rename``) and every database commit is
an *event*, counted before and after it happens. Environment variables:

- ``ITSSKIT_EVENT_LOG``: append ``<n> <event>`` for each event to this file;
- ``ITSSKIT_CRASH_AT=<n>``: ``os._exit(137)`` at event n, as ``kill -9`` would
  (no ``finally``, no cleanup, nothing flushed but what the OS already has);
- ``ITSSKIT_BARRIER=<folder>:<parties>:<event>``: at the first such event
  (e.g. ``before rename``, or ``start``), wait until ``parties`` processes
  arrived, so they race from the same point. Never hold a barrier inside a
  transaction (``before commit``): the others would wait for its lock.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

_count = 0
_owner = 0
_waited = False
_settings: dict[str, str] = {}
_real_replace = os.replace
_real_rename = os.rename


def event(kind: str) -> None:
    """One crash point (of the process that installed the hooks, not of its batch workers:
    a killed worker fails only its own report, see tests/test_plugin_isolation.py)."""
    global _count
    if os.getpid() != _owner:
        return
    _count += 1
    log = _setting("ITSSKIT_EVENT_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{_count} {kind}\n")
    if _count == int(_setting("ITSSKIT_CRASH_AT") or "0"):
        os._exit(137)
    _barrier(kind)


def _setting(name: str) -> str:
    return _settings.get(name) or os.environ.get(name, "")


def _barrier(kind: str) -> None:
    global _waited
    spec = _setting("ITSSKIT_BARRIER")
    if not spec or _waited:
        return
    folder, parties, at = spec.split(":", 2)
    if kind != at:
        return
    _waited = True
    Path(folder, str(os.getpid())).touch()
    deadline = time.monotonic() + 60
    while len(list(Path(folder).iterdir())) < int(parties) and time.monotonic() < deadline:
        time.sleep(0.01)


def _replace(src: Any, dst: Any, **kw: Any) -> None:
    event("before rename")
    _real_replace(src, dst, **kw)
    event("after rename")


def _rename(src: Any, dst: Any, **kw: Any) -> None:
    event("before rename")
    _real_rename(src, dst, **kw)
    event("after rename")


def install(**settings: str) -> None:
    """Count renames and commits in this process; ``settings`` override the variables."""
    global _owner
    _owner = os.getpid()
    _settings.update(settings)
    from sqlalchemy.engine.default import DefaultDialect

    real_commit = DefaultDialect.do_commit

    def do_commit(self: Any, dbapi_connection: Any) -> None:
        event("before commit")
        real_commit(self, dbapi_connection)
        event("after commit")

    os.replace = _replace
    os.rename = _rename
    DefaultDialect.do_commit = do_commit  # type: ignore[method-assign]
    _barrier("start")


if __name__ == "__main__":
    install()
    from itsskit.cli import main

    sys.argv = ["itsskit", *sys.argv[1:]]
    main()

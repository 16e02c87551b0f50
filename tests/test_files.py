"""Atomic writes: the old file survives a failure, nothing half-written, usual permissions."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from itsskit.files import UnwritableFile, atomic_text, write_atomic


def test_write_atomic_replaces_the_file_with_the_usual_mode(tmp_path: Path) -> None:
    target = tmp_path / "report.docx"
    target.write_bytes(b"old")
    assert write_atomic(target, b"new") == target
    assert target.read_bytes() == b"new"
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == ["report.docx"]  # no temporary left


def test_a_failure_inside_the_block_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path,
) -> None:
    target = tmp_path / "clocks.csv"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_text(target) as handle:
        handle.write("half a ")
        raise RuntimeError("boom")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["clocks.csv"]


def test_a_file_that_cannot_be_created_names_its_path(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out.csv"
    with pytest.raises(UnwritableFile, match=f"{target}: cannot be written"), atomic_text(target):
        pass
    with pytest.raises(UnwritableFile, match="cannot be written"):
        write_atomic(target, b"x")


def dead_pid() -> int:
    """The pid of a process that has finished (and been reaped)."""
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_leftovers_of_a_killed_process_are_removed_by_the_next_write(tmp_path: Path) -> None:
    from itsskit.files import new_staging, owner_tag

    host = owner_tag().split("-")[0]
    dead, alive = dead_pid(), os.getppid()
    target = tmp_path / "report.docx"
    stale = tmp_path / f".report.docx.{host}-{dead}-k1ll3d.tmp"
    running = tmp_path / f".report.docx.{host}-{alive}-w0rk1n.tmp"
    other_file = tmp_path / f".other.docx.{host}-{dead}-k1ll3d.tmp"
    for path in (stale, running, other_file):
        path.write_bytes(b"half")
    write_atomic(target, b"new")
    assert not stale.exists() and running.exists() and other_file.exists()
    staged_dead = tmp_path / f".itsskit-staging-{host}-{dead}-abc"
    staged_alive = tmp_path / f".itsskit-staging-{host}-{alive}-def"
    staged_dead.mkdir()
    staged_alive.mkdir()
    fresh = new_staging(tmp_path)
    assert fresh.is_dir() and fresh.name.startswith(".itsskit-staging-")
    assert not staged_dead.exists() and not other_file.exists()
    assert staged_alive.exists() and running.exists() and target.read_bytes() == b"new"


def test_owner_alive() -> None:
    import time

    from itsskit.files import STALE_ELSEWHERE, owner, owner_alive

    me = owner()
    host, pid, token = me.split(":")
    now = time.time()
    assert owner_alive(me, now)
    assert not owner_alive(f"{host}:{pid}:another-process-token", now)  # a reused pid
    assert not owner_alive(f"{host}:{dead_pid()}:x", now)
    assert owner_alive("elsewhere.example:1:x", now)  # another machine: trusted for a while
    assert not owner_alive("elsewhere.example:1:x", now - STALE_ELSEWHERE - 1)

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

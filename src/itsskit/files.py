"""Writing files so that a failure never leaves half a file: temporary file, then rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

__all__ = ["UnwritableFile", "atomic_text", "ensure_folder", "write_atomic"]


class UnwritableFile(OSError):
    """The file cannot be created (a missing folder, no permission ...); names the path."""


@contextmanager
def atomic_text(path: Path, *, newline: str | None = None) -> Iterator[IO[str]]:
    """A UTF-8 text file written through a temporary file renamed into place on success.

    A failure leaves the previous file, or none, untouched; a file that cannot
    be created at all is :class:`UnwritableFile`.
    """
    with (
        _replacing(Path(path)) as descriptor,
        os.fdopen(descriptor, "w", encoding="utf-8", newline=newline) as handle,
    ):
        yield handle


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename; return ``path``."""
    with _replacing(Path(path)) as descriptor, os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    return path


def ensure_folder(folder: Path, setting: str) -> Path:
    """``folder``, created when missing; ``OSError`` naming the ``setting`` when it cannot be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OSError(
            f"{setting}: cannot create {folder} ({exc.strerror}); expected a writable folder"
        ) from None
    return folder


@contextmanager
def _replacing(path: Path) -> Iterator[int]:
    """A descriptor of a temporary file beside ``path`` that replaces it when the block ends."""
    try:
        descriptor, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as exc:
        raise UnwritableFile(f"{path}: cannot be written ({exc.strerror or exc})") from None
    try:
        yield descriptor
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; use the usual mode
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask

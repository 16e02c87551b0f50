"""Writing files safely: names that stay inside their folder, no half-written file, no leftovers.

- :func:`safe_name` turns any text (a project, report, service or recipient
  id) into one file name that cannot leave its folder; :func:`is_safe_name`
  tells whether a text already is one (the config refuses ids that are not);
  :func:`safe_path` joins such names under a root. Every file name built from
  data goes through these.
- :func:`write_atomic` and :func:`atomic_text` write through a temporary file
  renamed into place, so a failure (or a kill) never leaves half a file.
- :func:`new_staging` makes a hidden folder for files that are not final yet
  (rendered, waiting for the register to commit); :func:`discard` removes it.

Temporary files and staging folders carry the id of the process that made
them (:func:`owner`). A leftover whose process is gone — the run was killed —
is removed the next time a file is written beside it.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

__all__ = [
    "MAX_NAME_BYTES",
    "UnwritableFile",
    "atomic_text",
    "discard",
    "ensure_folder",
    "is_safe_name",
    "new_staging",
    "owner",
    "owner_alive",
    "remove_leftovers",
    "safe_name",
    "safe_path",
    "staging_path",
    "write_atomic",
]

#: The longest file name :func:`safe_name` makes, in UTF-8 bytes (file systems allow 255).
MAX_NAME_BYTES = 120

#: Characters allowed in a file name made from data: letters, digits, ``_ . - @ +``.
_UNSAFE = re.compile(r"[^\w.@+-]+")
#: Names Windows reserves for devices, with or without an extension.
_RESERVED = re.compile(r"(?i)(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?")

_STAGING = ".itsskit-staging"
_TEMP = re.compile(r"\.(?P<host>[0-9a-f]{6})-(?P<pid>\d+)-[^.]*\.tmp$")
_STAGED = re.compile(re.escape(_STAGING) + r"-(?P<host>[0-9a-f]{6})-(?P<pid>\d+)-")
#: A leftover of another machine (a shared folder) is removed only once this old (seconds).
STALE_ELSEWHERE = 3600.0


class UnwritableFile(OSError):
    """The file cannot be created (a missing folder, no permission ...); names the path."""


# ------------------------------------------------------------------------ names


def is_safe_name(text: str) -> bool:
    """True when ``text`` is already a safe file name (:func:`safe_name` keeps it as it is).

    Safe: 1 to :data:`MAX_NAME_BYTES` bytes of letters, digits, ``_ . - @ +``;
    not starting or ending with ``.``; not a name Windows reserves (``CON``,
    ``NUL``, ``COM1`` ...).
    """
    return (
        bool(text)
        and len(text.encode("utf-8", "surrogatepass")) <= MAX_NAME_BYTES
        and not _UNSAFE.search(text)
        and not text.startswith(".")
        and not text.endswith(".")
        and not _RESERVED.fullmatch(text)
    )


def safe_name(text: str) -> str:
    """``text`` as one file name that stays in its folder, the same text when already safe.

    Anything else (``../``, ``/abs``, NUL, spaces, reserved or very long names)
    is cleaned and gets the first 8 hex digits of its SHA-256, so two
    different texts never share a name.
    """
    if is_safe_name(text):
        return text
    cleaned = _UNSAFE.sub("-", text).strip(".")
    if _RESERVED.fullmatch(cleaned):
        cleaned = "_" + cleaned
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    room = MAX_NAME_BYTES - len(digest) - 1
    cleaned = cleaned.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(".")
    return f"{cleaned}-{digest}" if cleaned else digest


def safe_path(root: Path, *names: str) -> Path:
    """``root / safe_name(n1) / safe_name(n2) ...``: always inside ``root``."""
    return Path(root).joinpath(*(safe_name(name) for name in names))


# ---------------------------------------------------------------- atomic writes


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
    _remove_dead_temporaries(path)
    try:
        descriptor, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.{owner_tag()}-", suffix=".tmp"
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


# ------------------------------------------------------------ staging folders


def new_staging(folder: Path) -> Path:
    """A new hidden folder inside ``folder`` (both created) for files not final yet.

    Leftover staging folders and temporary files of killed runs in ``folder``
    are removed first.
    """
    staging = staging_path(folder)
    staging.mkdir()
    return staging


def staging_path(folder: Path) -> Path:
    """A fresh name for a staging folder in ``folder`` (created), the folder itself not yet.

    Lets a caller record the name before the folder exists, so a kill in
    between leaves nothing unrecorded.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    remove_leftovers(folder)
    return folder / f"{_STAGING}-{owner_tag()}-{os.urandom(6).hex()}"


def discard(staging: Path) -> None:
    """Remove a staging folder and whatever is left in it."""
    shutil.rmtree(staging, ignore_errors=True)


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove the temporary files and staging folders in ``folder`` whose process is gone."""
    removed = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return []
    for entry in entries:
        match = _STAGED.match(entry.name) or _TEMP.search(entry.name)
        if match and entry.name.startswith(".") and _dead(match, entry):
            if entry.is_dir() and not entry.is_symlink():
                discard(entry)
            else:
                entry.unlink(missing_ok=True)
            removed.append(entry)
    return removed


def _remove_dead_temporaries(path: Path) -> None:
    """Temporary files of ``path`` left by a killed process."""
    try:
        siblings = list(path.parent.glob(f".{_glob_escape(path.name)}.*.tmp"))
    except OSError:
        return
    for sibling in siblings:
        match = _TEMP.search(sibling.name)
        if match and _dead(match, sibling):
            sibling.unlink(missing_ok=True)


def _glob_escape(name: str) -> str:
    """``name`` with the glob metacharacters ``*?[`` taken literally."""
    return re.sub(r"([*?\[])", r"[\1]", name)


# --------------------------------------------------------------------- owners

_TOKEN = os.urandom(4).hex()


def owner() -> str:
    """Who is writing: ``<host>:<pid>:<token>`` (the token tells a reused pid from this process)."""
    return f"{socket.gethostname()}:{os.getpid()}:{_TOKEN}"


def owner_tag() -> str:
    """The short form used in file names: ``<host hash>-<pid>``."""
    return f"{_host_hash(socket.gethostname())}-{os.getpid()}"


def owner_alive(who: str, since: float) -> bool:
    """Whether the process ``who`` (from :func:`owner`) may still be running.

    On this machine the process table decides; the owner of another machine
    (or any owner on Windows) is taken as gone once ``since`` (a POSIX time)
    is :data:`STALE_ELSEWHERE` old.
    """
    host, _, rest = who.partition(":")
    pid_text, _, token = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit() or os.name == "nt":
        return time.time() - since < STALE_ELSEWHERE  # no process table to ask
    pid = int(pid_text)
    if pid == os.getpid():
        return token == _TOKEN
    return _pid_alive(pid)


def _dead(match: re.Match[str], entry: Path) -> bool:
    if match["host"] != _host_hash(socket.gethostname()) or os.name == "nt":
        try:
            return time.time() - entry.lstat().st_mtime >= STALE_ELSEWHERE
        except OSError:
            return False
    pid = int(match["pid"])
    return pid != os.getpid() and not _pid_alive(pid)


def _pid_alive(pid: int) -> bool:
    """True when process ``pid`` runs (a zombie, killed but not yet reaped, is gone)."""
    if os.name == "nt":  # os.kill(pid, 0) would send CTRL_C_EVENT there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def _host_hash(host: str) -> str:
    return hashlib.sha256(host.encode("utf-8")).hexdigest()[:6]

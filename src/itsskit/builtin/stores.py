"""The built-in archive store ``folder`` (SPEC §5, seed 001 step 8, seed 0602 §4.6).

Files go to ``<root>/<project>/<period>/<report>_v<version>.<ext>`` (each part a
safe file name, :func:`itsskit.files.safe_name`) with a JSON
manifest ``<report>_v<version>.manifest.json`` beside them (what was archived,
each file's SHA-256, the lifecycle history). Every file is written to a
temporary name and renamed into place; the manifest is written last, so a
manifest always describes complete files. Configured in ``[archive]``::

    [archive]
    store = "folder"          # the default
    [archive.folder]
    root = "archive"          # relative to the config file
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import attrs

from itsskit.contracts import ArchiveStore, Registry
from itsskit.converter import converter
from itsskit.files import ensure_folder, safe_name, safe_path, write_atomic
from itsskit.hookspecs import hookimpl
from itsskit.models import Report, Transition

__all__ = ["FolderStore", "FolderStoreOptions"]


@attrs.frozen(kw_only=True)
class FolderStoreOptions:
    """``[archive.folder]``: ``root`` (relative to the config file; default ``archive``)."""

    root: Path = Path("archive")


class FolderStore(ArchiveStore):
    """Archives into a folder tree per project and period, with a JSON manifest."""

    name = "folder"
    options_class = FolderStoreOptions
    options: FolderStoreOptions

    def archive(self, report: Report, files: Mapping[str, Path]) -> str:
        """Copy ``files`` (format -> path) into the archive; returns the manifest's path."""
        folder = ensure_folder(
            safe_path(self.options.root, report.project, report.period_label),
            "archive.folder.root",
        )
        stem = safe_name(f"{report.id}_v{report.version}")
        targets = {fmt: folder / f"{stem}{Path(path).suffix}" for fmt, path in files.items()}
        if len(set(targets.values())) != len(targets):
            raise ValueError(f"archive {stem}: two files share a suffix: {dict(files)}")
        entries = []
        for fmt, path in files.items():
            data = Path(path).read_bytes()
            write_atomic(targets[fmt], data)
            entries.append(
                {
                    "format": fmt,
                    "file": targets[fmt].name,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "bytes": len(data),
                }
            )
        manifest = folder / f"{stem}.manifest.json"
        text = json.dumps(_manifest(report, entries), ensure_ascii=False, indent=2)
        write_atomic(manifest, text.encode("utf-8"))
        return str(manifest)


def _manifest(report: Report, entries: list[dict[str, object]]) -> dict[str, object]:
    return {
        "report": report.id,
        "project": report.project,
        "period": report.period_label,
        "version": report.version,
        "status": str(report.status),
        "title": report.spec.title,
        "language": report.language,
        "archived": datetime.now(UTC).isoformat(),
        "files": entries,
        "history": converter.unstructure(report.history, tuple[Transition, ...]),
    }


@hookimpl
def register_stores(registry: Registry[ArchiveStore]) -> None:
    """The built-in ``folder`` archive store."""
    registry.add(FolderStore)

"""The service manager's texts for one report and period: ``notes_dir/<period>.toml``.

The file (all keys optional)::

    summary = "本月服务总体平稳……"
    main_work = ["……", "……"]
    improvements = ["……"]
    next_plan = ["……"]
    security_notes = "……"

    [causes]                      # indicator key -> cause analysis and suggestion
    availability = { cause = "……", suggestion = "……" }

    [major_reviews]               # ticket id -> handling and review of a major incident
    "DC-INC-202510-0104" = "……"

A missing file gives empty :class:`Notes` (the report then shows visible
prompts for the manager); a malformed one raises :class:`NotesError` naming the
file and the key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

__all__ = ["Cause", "Notes", "NotesError", "load_notes", "notes_path"]

_TEXT_KEYS = ("summary", "security_notes")
_LIST_KEYS = ("main_work", "improvements", "next_plan")
_TABLE_KEYS = ("causes", "major_reviews")


class NotesError(ValueError):
    """A notes file that cannot be used; the message names the file and the key."""


@attrs.frozen(kw_only=True)
class Cause:
    """Cause analysis and improvement suggestion for one abnormal indicator."""

    cause: str = ""
    suggestion: str = ""


@attrs.frozen(kw_only=True)
class Notes:
    """What the service manager wrote for one report and period."""

    summary: str = ""
    main_work: tuple[str, ...] = ()
    improvements: tuple[str, ...] = ()
    next_plan: tuple[str, ...] = ()
    security_notes: str = ""
    causes: Mapping[str, Cause] = attrs.field(factory=dict)
    major_reviews: Mapping[str, str] = attrs.field(factory=dict)
    path: Path | None = None


def notes_path(notes_dir: Path, period_label: str) -> Path:
    """Where the notes of ``period_label`` (``2025-10``, ``2025-Q4`` ...) live."""
    return notes_dir / f"{period_label}.toml"


def load_notes(notes_dir: Path | None, period_label: str) -> Notes:
    """The notes of one period; empty :class:`Notes` when there is no directory or file."""
    if notes_dir is None:
        return Notes()
    path = notes_path(notes_dir, period_label)
    if not path.is_file():
        return Notes()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise NotesError(f"{path}: invalid TOML: {exc}") from None
    return _parse(data, path)


def _parse(data: Mapping[str, Any], path: Path) -> Notes:
    known = (*_TEXT_KEYS, *_LIST_KEYS, *_TABLE_KEYS)
    for key in data:
        if key not in known:
            raise NotesError(f"{path}: {key}: unknown key (expected one of: {', '.join(known)})")
    return Notes(
        summary=_text(data, "summary", path),
        security_notes=_text(data, "security_notes", path),
        main_work=_texts(data, "main_work", path),
        improvements=_texts(data, "improvements", path),
        next_plan=_texts(data, "next_plan", path),
        causes=_causes(data.get("causes", {}), path),
        major_reviews=_reviews(data.get("major_reviews", {}), path),
        path=path,
    )


def _string(value: Any, where: str, path: Path) -> str:
    """``value`` stripped; a :class:`NotesError` naming ``where`` when it is not a string."""
    if not isinstance(value, str):
        raise NotesError(f"{path}: {where}: expected a string, got {type(value).__name__}")
    return value.strip()


def _text(data: Mapping[str, Any], key: str, path: Path) -> str:
    return _string(data.get(key, ""), key, path)


def _texts(data: Mapping[str, Any], key: str, path: Path) -> tuple[str, ...]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise NotesError(f"{path}: {key}: expected a list of strings, got {type(value).__name__}")
    items = [_string(item, f"{key}[{index}]", path) for index, item in enumerate(value)]
    return tuple(item for item in items if item)


def _table(value: Any, key: str, path: Path) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise NotesError(f"{path}: {key}: expected a table, got {type(value).__name__}")
    return value


def _causes(value: Any, path: Path) -> dict[str, Cause]:
    causes = {}
    for name, entry in _table(value, "causes", path).items():
        where = f"causes.{name}"
        if isinstance(entry, str):
            entry = {"cause": entry}
        entry = _table(entry, where, path)
        for field in entry:
            if field not in ("cause", "suggestion"):
                raise NotesError(
                    f"{path}: {where}.{field}: unknown key (expected cause, suggestion)"
                )
        causes[name] = Cause(
            cause=_string(entry.get("cause", ""), f"{where}.cause", path),
            suggestion=_string(entry.get("suggestion", ""), f"{where}.suggestion", path),
        )
    return causes


def _reviews(value: Any, path: Path) -> dict[str, str]:
    return {
        ticket: _string(text, f"major_reviews.{ticket}", path)
        for ticket, text in _table(value, "major_reviews", path).items()
    }

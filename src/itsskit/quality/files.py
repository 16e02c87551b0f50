"""Reading the quality input files (audit, review): TOML through the one converter, checked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from itsskit.config import ConfigError, read_toml, structure_or_errors

__all__ = ["InputFileError", "load_checked"]

T = TypeVar("T")


class InputFileError(ValueError):
    """An input file that cannot be used; ``errors`` holds one ``file: key.path: why`` each."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def load_checked(
    path: Path,
    cls: type[T],
    key: str,
    error: type[InputFileError],
    check: Callable[[T], list[str]],
) -> T:
    """The TOML file ``path`` (a ``<key> file``) as ``cls`` through the one converter.

    ``check`` lists what else is wrong (``key.path: why``); any problem raises
    ``error`` with all of them, each prefixed with the file.
    """
    try:
        data = read_toml(path, f"{key} file")
    except ConfigError as exc:
        raise error(exc.errors) from None
    errors: list[str] = []
    value = structure_or_errors(data, cls, key, errors, prefix=f"{path}: ")
    if value is not None:
        errors += [f"{path}: {problem}" for problem in check(value)]
    if value is None or errors:
        raise error(errors)
    return value

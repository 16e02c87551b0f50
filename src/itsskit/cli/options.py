"""The command-line options several commands share, each defined once."""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from pathlib import Path
from typing import Any, TypeVar

import click

from itsskit.models import LANGUAGES

__all__ = ["AT", "CONFIG", "FORMATS", "LANGUAGE", "STRICT", "out_dir", "stack"]

F = TypeVar("F", bound=Callable[..., Any])


def stack(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """One decorator applying ``decorators`` as if written one above the other."""

    def apply(command: F) -> F:
        return reduce(lambda inner, decorator: decorator(inner), reversed(decorators), command)

    return apply


#: The configuration file, the first argument of most commands.
CONFIG = click.argument("config", type=click.Path(exists=True, dir_okay=False, path_type=Path))
#: The renderers a document is written with.
FORMATS = click.option(
    "--format", "formats", default="docx,html", show_default=True,
    help="Comma-separated renderers: docx, html, pdf, markdown (md), json.",
)  # fmt: skip
#: The language of a document.
LANGUAGE = click.option(
    "--language", type=click.Choice(LANGUAGES), default="zh-CN", show_default=True
)
#: The evaluation instant of a project's figures.
AT = click.option(
    "--at", "at_text", default=None,
    help="Evaluation instant, ISO 8601 (no offset: the project's timezone). Default: now.",
)  # fmt: skip
#: Failing on figures measured over a year without the official holiday schedule.
STRICT = click.option(
    "--strict", is_flag=True, help="Exit 1 when figures rest on a provisional calendar year."
)


def out_dir(*, required: bool) -> Callable[[F], F]:
    """The folder documents are written into (required, or by default the current one)."""
    return click.option(
        "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
        required=required, default=None if required else Path("."), show_default=not required,
        help="Folder to write the files into (created if missing).",
    )  # fmt: skip

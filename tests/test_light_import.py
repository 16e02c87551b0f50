"""A light import: ``import itsskit`` and ``itsskit --help`` load no heavy library."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import itsskit
from itsskit.cli import COMMANDS, SHORT_HELP

HEAVY = ("matplotlib", "docx", "docxtpl", "openpyxl", "sqlalchemy", "jinja2", "PIL", "pyarrow")

LOADED = "import sys; print('LOADED:' + ','.join(m for m in {heavy!r} if m in sys.modules))"


def loaded_after(code: str) -> list[str]:
    script = code + "\n" + LOADED.format(heavy=HEAVY)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("LOADED:"), result.stdout
    return [name for name in last.removeprefix("LOADED:").split(",") if name]


def test_import_itsskit_loads_no_heavy_library() -> None:
    assert loaded_after("import itsskit") == []


def test_help_loads_no_heavy_library_and_no_command_module() -> None:
    code = (
        "from itsskit.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "import sys\nassert not any(m.startswith('itsskit.cli.') for m in sys.modules), "
        "[m for m in sys.modules if m.startswith('itsskit.cli.')]"
    )
    assert loaded_after(code) == []


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_short_help_is_the_first_line_of_the_command_help(name: str) -> None:
    module, _, attribute = COMMANDS[name].partition(":")
    command = getattr(importlib.import_module(module), attribute)
    assert SHORT_HELP[name] == command.help.strip().splitlines()[0]


def test_every_public_name_resolves_lazily() -> None:
    for name in itsskit.__all__:
        assert getattr(itsskit, name) is not None, name
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        _ = itsskit.nothing  # type: ignore[attr-defined]

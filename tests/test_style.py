"""CI checks the types and the style: ruff and ``mypy --strict`` on src, the typing test
file (``tests/typing/api.py``) and every first-party plugin, as part of the test run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = sorted(
    path for path in (ROOT / "plugins").iterdir() if (path / "pyproject.toml").exists()
)
CHECKED = ["src", "tests/typing", *(str(path.relative_to(ROOT)) for path in PLUGINS)]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, timeout=900
    )


def test_ruff_check() -> None:
    result = run("ruff", "check", *CHECKED)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = run("ruff", "format", "--check", *CHECKED)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_src_and_the_typing_file() -> None:
    settings = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'files = ["src/itsskit", "tests/typing"]' in settings and "strict = true" in settings
    result = run("mypy")  # files and strictness from pyproject.toml
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda path: path.name)
def test_mypy_strict_on_each_plugin(plugin: Path) -> None:
    assert "strict = true" in (plugin / "pyproject.toml").read_text(encoding="utf-8")
    result = run("mypy", cwd=plugin)  # each plugin's own [tool.mypy]: strict = true
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout

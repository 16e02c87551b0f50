"""The example third-party plugin, pip-installed for real and used through the CLI."""

from __future__ import annotations

import csv
import importlib.metadata
import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "custom_plugin"

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("pip") is None, reason="pip is not available in this environment"
)

# Hand-computed as in test_cli.py (working hours 09:00-12:00, 13:30-18:00, an ordinary week):
# HD-1 P1 answered after 10 min, solved after 2 h; HD-2 P2 answered after 20 min, solved
# 2 h after opening of which 1 h awaiting the user. HD-3 has an unknown urgency: a finding.
EXPECTED = [
    ["ticket_id", "priority", "metric", "target_seconds", "elapsed_seconds", "status", "deadline"],
    ["HD-1", "P1", "response", "900", "600", "met", "2025-11-03T09:15:00+08:00"],
    ["HD-1", "P1", "resolution", "14400", "7200", "met", "2025-11-03T14:30:00+08:00"],
    ["HD-2", "P2", "response", "1800", "1200", "met", "2025-11-04T09:30:00+08:00"],
    ["HD-2", "P2", "resolution", "5400", "3600", "met", "2025-11-04T11:30:00+08:00"],
]


def pip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def itsskit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "ITSSKIT_DISABLE_PLUGINS"}
    return subprocess.run(
        [sys.executable, "-c", "from itsskit.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
        check=False,
    )


@pytest.fixture(scope="module")
def installed() -> Iterator[None]:
    """Install the example, built as a wheel (no network); uninstall it if it was not there."""
    try:
        importlib.metadata.distribution("itsskit-helpdesk")
        was_installed = True
    except importlib.metadata.PackageNotFoundError:
        was_installed = False
    result = pip(
        "install", "--quiet", "--no-deps", "--no-build-isolation", "--force-reinstall", str(EXAMPLE)
    )
    assert result.returncode == 0, result.stderr
    yield
    if not was_installed:
        pip("uninstall", "--yes", "--quiet", "itsskit-helpdesk")


@pytest.mark.usefixtures("installed")
def test_plugin_is_listed_with_its_distribution(tmp_path: Path) -> None:
    result = itsskit("plugins", cwd=tmp_path)
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    expected = ["helpdesk", "0.1.0", "register_ticket_sources", "entry point: itsskit-helpdesk"]
    assert expected in rows
    assert "helpdesk" not in result.stderr  # it loaded without failure


@pytest.mark.usefixtures("installed")
def test_plugin_source_is_used_by_sla_evaluate(tmp_path: Path) -> None:
    example = EXAMPLE / "example"
    output = tmp_path / "clocks.csv"
    result = itsskit(
        "sla",
        "evaluate",
        str(example / "itsskit.toml"),
        "--project",
        "demo",
        "--at",
        "2025-11-04T12:00:00+08:00",
        "--output",
        str(output),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    with output.open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == EXPECTED
    assert "record HD-3" in result.stderr
    assert "1 data-quality finding(s)" in result.stderr


@pytest.mark.usefixtures("installed")
def test_plugin_options_are_checked(tmp_path: Path) -> None:
    config = (EXAMPLE / "example" / "itsskit.toml").read_text(encoding="utf-8")
    (tmp_path / "helpdesk.json").write_text('{"tickets": []}', encoding="utf-8")
    path = tmp_path / "itsskit.toml"
    path.write_text(config.replace("timezone =", "timezon ="), encoding="utf-8")
    result = itsskit("sources", "check", str(path), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "sources.helpdesk: unknown key(s) timezon (allowed: path, timezone)" in result.stderr

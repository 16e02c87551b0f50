"""Renderer options are configurable: ``[renderers.FORMAT]`` in the config file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from itsskit.cli import main
from itsskit.config import ConfigError, load_config
from itsskit.plugins import PluginHost
from itsskit.report.sandbox import TemplateLimits

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    shutil.copytree(DEMO, tmp_path / "demo")
    return tmp_path / "demo" / "itsskit.toml"


def with_tables(config: Path, text: str) -> Path:
    config.write_text(config.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")
    return config


def test_renderer_options_reach_the_host(demo: Path) -> None:
    with_tables(demo, "[renderers.html]\nseconds = 2.5\nmax_chars = 123456\n")
    host = PluginHost.create(entry_points=False)
    config = load_config(demo, host)
    assert config.renderers["html"] == TemplateLimits(seconds=2.5, max_chars=123_456)
    assert host.renderer("html").options == TemplateLimits(seconds=2.5, max_chars=123_456)
    assert host.renderer("markdown").options == TemplateLimits()  # not configured: defaults


def test_unknown_renderer_and_misspelt_option_are_config_errors(demo: Path) -> None:
    with_tables(demo, "[renderers.pdfx]\nseconds = 1\n[renderers.html]\nsecond = 1\n")
    with pytest.raises(ConfigError) as caught:
        load_config(demo, PluginHost.create(entry_points=False))
    message = str(caught.value)
    assert "renderers.pdfx: unknown renderer 'pdfx'" in message
    assert "renderers.html" in message and "second" in message


def test_a_configured_size_limit_stops_report_build(demo: Path, tmp_path: Path) -> None:
    args = ["report", "build", str(demo), "--report", "dianchi-monthly", "--period", "2025-10",
            "--at", "2025-11-05T09:00+08:00", "--format", "markdown", "--out", str(tmp_path / "out")]  # fmt: skip
    assert CliRunner().invoke(main, args).exit_code == 0
    with_tables(demo, "[renderers.markdown]\nmax_chars = 500\n")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "size limit of 500 characters" in result.output
    assert "Traceback" not in result.output

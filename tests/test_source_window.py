"""The host tells sources the span of time it needs (``SourceContext.window``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import ClassVar

import pytest

from itsskit import hookimpl
from itsskit.collect import collect
from itsskit.config import load_config
from itsskit.contracts import Record, Registry, Source
from itsskit.models import DataQualityFinding
from itsskit.periods import Period
from itsskit.plugins import PluginHost
from itsskit.report.builder import HISTORY_PERIODS, make_context

CONFIG = """
[calendars.always]
preset = "always"
timezone = "Asia/Shanghai"

[slas.gold]
calendar = "always"
availability = 0.99
[slas.gold.targets.resolution]
P1 = "4h"

[sources.monitoring]
plugin = "window-recorder"
kind = "outages"

[projects.alpha]
sla = "gold"
sources = ["monitoring"]

[reports.alpha-monthly]
project = "alpha"
period = "monthly"
"""


class WindowRecorder(Source):
    """An outage source that reads nothing and remembers the windows it was given."""

    name: ClassVar[str] = "window-recorder"
    kinds: ClassVar[tuple[str, ...]] = ("outages",)
    seen: ClassVar[list[tuple[datetime, datetime] | None]] = []

    def read(self) -> Iterator[Record | DataQualityFinding]:
        WindowRecorder.seen.append(self.context.window)
        return iter(())


class RecorderPlugin:
    @hookimpl
    def register_outage_sources(self, registry: Registry[Source]) -> None:
        registry.add(WindowRecorder)


@pytest.fixture
def host() -> PluginHost:
    WindowRecorder.seen.clear()
    return PluginHost.create(entry_points=False, extra=[RecorderPlugin()])


def test_collect_passes_the_window_and_none_by_default(tmp_path: Path, host: PluginHost) -> None:
    (tmp_path / "itsskit.toml").write_text(CONFIG, encoding="utf-8")
    config = load_config(tmp_path / "itsskit.toml", host)
    october = Period.month(2025, 10)
    collect(config, "alpha", host, window=(october.start, october.end))
    collect(config, "alpha", host)
    assert WindowRecorder.seen == [(october.start, october.end), None]


def test_a_report_asks_for_its_period_and_the_trend_periods(
    tmp_path: Path, host: PluginHost
) -> None:
    (tmp_path / "itsskit.toml").write_text(CONFIG, encoding="utf-8")
    config = load_config(tmp_path / "itsskit.toml", host)
    make_context(config, "alpha-monthly", "2025-10", host=host)
    assert HISTORY_PERIODS == 12
    # twelve months ending with October 2025: November 2024 to October 2025
    assert WindowRecorder.seen == [(Period.month(2024, 11).start, Period.month(2025, 10).end)]

"""The scale data path (issue 11): each source read once per call, whatever the projects."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from itsskit.collect import collect
from itsskit.config import load_config
from itsskit.kpis import project_kpis
from itsskit.periods import Period
from itsskit.plugins import PluginHost
from itsskit.services import kpi_figures

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo" / "itsskit.toml"
AT = datetime(2026, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_kpi_figures_reads_each_shared_source_once_with_the_same_figures(
    plugin_host: PluginHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(DEMO, plugin_host)
    # independently: every project collected on its own, as before the cache
    expected = {
        pid: project_kpis(
            collect(config, pid, plugin_host),
            config.projects[pid],
            Period.parse("2025", config.projects[pid].timezone),
            AT,
            plugin_host.calendar,
            catalogue=plugin_host.kpis(),
        )
        for pid in sorted(config.projects)
    }
    reads: Counter[str] = Counter()
    module = sys.modules["itsskit.collect"]  # ``itsskit.collect`` is also the function
    real = module.read_source

    def counted(*args: object, **kwargs: object) -> Iterator[object]:
        reads[str(args[1])] += 1
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "read_source", counted)
    figures = kpi_figures(config, "2025", host=plugin_host, at=AT)
    shared = Counter(s for p in config.projects.values() for s in p.sources)
    assert len(config.projects) > 1 and max(shared.values()) > 1  # the demo shares its sources
    assert reads == Counter(dict.fromkeys(shared, 1))
    assert {pid: {k: r.value for k, r in b.items()} for pid, b in figures.bundles.items()} == {
        pid: {k: r.value for k, r in b.items()} for pid, b in expected.items()
    }

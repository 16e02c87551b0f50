"""Outages and availability read from a real Prometheus over a known history.

The configuration is ``examples/prometheus/itsskit.toml`` (its ``changes.csv``
holds one approved CRM change, Thu 6 Nov 14:00-15:00 +08). Every expected figure
is computed by hand from :mod:`prometheus_history` (Asia/Shanghai, service hours
09:00-12:00 and 13:30-18:00, November 2025: 20 working days = 540,000 s per service).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from itsskit.collect import collect, open_source
from itsskit.config import Config, load_config
from itsskit.kpis import project_kpis
from itsskit.models import DataQualityFinding, Outage
from itsskit.periods import Period
from itsskit.plugins import PluginHost

import itsskit_prometheus.plugin
from prometheus_history import utc
from prometheus_server import TOKEN, Proxy, Server

NOVEMBER = Period.month(2025, 11, "Asia/Shanghai")
WINDOW = (NOVEMBER.start, NOVEMBER.end)
AT = datetime.fromisoformat("2025-12-01T00:00:00+08:00")

EXAMPLE = Path(__file__).parents[3] / "examples" / "prometheus"


def write_config(
    folder: Path, url: str, *, step: str = "1m", lookback: str = "7d", extra: str = ""
) -> Path:
    """``examples/prometheus/itsskit.toml`` pointed at ``url``, with these settings."""
    text = (EXAMPLE / "itsskit.toml").read_text(encoding="utf-8")
    for line, value in (
        ('url = "http://127.0.0.1:9090"', f'url = "{url}"'),
        ('step = "1m"', f'step = "{step}"'),
        ('lookback = "7d"', f'lookback = "{lookback}"\n{extra}'),
    ):
        assert line in text
        text = text.replace(line, value)
    path = folder / "itsskit.toml"
    path.write_text(text, encoding="utf-8")
    shutil.copy(EXAMPLE / "changes.csv", folder / "changes.csv")
    return path


def config_for(folder: Path, url: str, **settings: str) -> tuple[Config, PluginHost]:
    host = PluginHost.create()
    return load_config(write_config(folder, url, **settings), host), host


def read(
    config: Config, host: PluginHost, window: tuple[datetime, datetime] | None = WINDOW
) -> tuple[list[Outage], list[DataQualityFinding]]:
    items = list(open_source(config, "monitoring", host, window=window).read())
    outages = [item for item in items if isinstance(item, Outage)]
    findings = [item for item in items if isinstance(item, DataQualityFinding)]
    return outages, findings


def spans(outages: list[Outage]) -> list[tuple[str, datetime, datetime | None, bool, str]]:
    return sorted((o.service, o.start, o.end, o.planned, o.cause) for o in outages)


ERP_SERIES = 'up{instance="erp-1",job="erp"}'

#: The outages of November (and the one before it, reached by the lookback).
EXPECTED = [
    ("crm", utc("2025-11-04T09:30"), utc("2025-11-05T01:30"), False, "crm-prod crm-1 down"),
    ("crm", utc("2025-11-06T06:10"), utc("2025-11-06T06:40"), False, "crm-prod crm-1 down"),
    ("crm", utc("2025-11-08T02:00"), utc("2025-11-08T03:00"), False, "crm-prod crm-1 down"),
    ("crm", utc("2025-11-10T02:03"), utc("2025-11-10T02:17"), False, "crm-prod crm-1 down"),
    ("erp", utc("2025-10-31T09:00"), utc("2025-11-03T02:00"), False, ERP_SERIES),
    ("erp", utc("2025-11-05T00:30"), utc("2025-11-05T03:30"), True, "ErpMaintenance"),
    ("erp", utc("2025-11-05T01:00"), utc("2025-11-05T03:00"), False, ERP_SERIES),
    ("erp", utc("2025-11-07T06:00"), utc("2025-11-07T09:00"), False, ERP_SERIES),
]  # fmt: skip


def test_outages_are_the_runs_of_firing_samples(prometheus: Server, tmp_path: Path) -> None:
    config, host = config_for(tmp_path, prometheus.url)
    outages, findings = read(config, host)
    assert spans(outages) == EXPECTED
    assert [f.reason for f in findings] == [
        "query 'crm': series up{instance=\"crm-t1\",job=\"crm-test\"} label job='crm-test' "
        "is not in service_map; its outages are skipped"
    ]
    e2 = next(o for o in outages if o.start == utc("2025-11-07T06:00"))
    assert e2.id == f"monitoring:erp:{e2.id.split(':')[2]}:20251107T060000Z"
    assert e2.attributes["series"] == ERP_SERIES
    assert e2.attributes["expr"] == 'up{job="erp"} == 0'
    assert len({o.id for o in outages}) == len(outages)


def test_an_outage_across_a_chunk_boundary_is_one_outage(
    prometheus: Server, proxy: Proxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_TOKEN", TOKEN)
    config, host = config_for(tmp_path, proxy.url, lookback="1d", extra='auth = "bearer"')
    outages, _ = read(config, host)
    assert spans(outages) == EXPECTED
    # 31 days of minutes from 30 Oct 16:00Z: 44,640 points, 5 requests of <= 11,000 per query;
    # the second starts on 7 Nov 07:20Z, inside E2 (06:00-09:00Z), which stays one outage
    first = int(utc("2025-10-30T16:00").timestamp())
    starts = [first + k * 11_000 * 60 for k in range(5)]
    assert starts[1] == int(utc("2025-11-07T07:20").timestamp())
    asked = [dict(parse_qsl(urlsplit(seen["path"]).query)) for seen in proxy.seen]
    assert [int(params["start"]) for params in asked] == starts * 3
    assert [int(params["end"]) for params in asked] == [
        start + (points - 1) * 60
        for start, points in zip(starts, [11_000] * 4 + [640], strict=True)
    ] * 3


def test_kpis_from_the_server_match_the_hand_computed_figures(
    prometheus: Server, tmp_path: Path
) -> None:
    config, host = config_for(tmp_path, prometheus.url)
    project = config.project("alpha")
    records = collect(config, "alpha", host, window=WINDOW)
    kpis = project_kpis(records, project, NOVEMBER, AT, host.calendar)
    # erp: agreed 540,000 - 9,000 planned (Wed 09:00-11:30); downtime E1 3,600 + E2 10,800
    # crm: agreed 540,000 - 3,600 change window; downtime C1 3,600 + C2 840
    agreed, downtime = 531_000 + 536_400, 14_400 + 4_440
    assert kpis["availability"].denominator == agreed
    assert kpis["availability"].numerator == agreed - downtime
    assert kpis["availability"].value == pytest.approx((agreed - downtime) / agreed, abs=1e-12)
    assert kpis["availability"].details["services"] == {
        "crm": pytest.approx((536_400 - 4_440) / 536_400, abs=1e-12),
        "erp": pytest.approx((531_000 - 14_400) / 531_000, abs=1e-12),
    }
    assert kpis["failure_count"].value == 3  # E2, C1, C2 (E1 is October's)
    assert kpis["downtime_seconds"].value == downtime
    assert kpis["longest_failure_seconds"].value == 10_800
    assert kpis["mttr_seconds"].value == pytest.approx(downtime / 3)
    assert kpis["mtbf_seconds"].value == pytest.approx((agreed - downtime) / 3)


def test_the_itsskit_kpi_command_reads_the_server(prometheus: Server, tmp_path: Path) -> None:
    path = write_config(tmp_path, prometheus.url)
    command = [sys.executable, "-m", "itsskit", "kpi", str(path), "--period", "2025-11"]
    command += ["--project", "alpha", "--format", "json", "--at", AT.isoformat()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    agreed, downtime = 1_067_400, 18_840
    assert figures["availability"]["numerator"] == agreed - downtime
    assert figures["availability"]["denominator"] == agreed
    assert figures["availability"]["value"] == pytest.approx(1_048_560 / 1_067_400, abs=1e-12)
    assert figures["availability"]["status"] == "missed"  # target 99.5 %
    assert figures["failure_count"]["value"] == 3
    assert figures["failure_count"]["status"] == "missed"  # at most 2
    assert figures["downtime_seconds"]["value"] == downtime
    assert figures["mttr_seconds"]["value"] == pytest.approx(6_280)
    assert figures["mtbf_seconds"]["value"] == pytest.approx(349_520)
    assert "crm-test" in done.stderr  # the unmapped series is listed as a finding


def test_without_lookback_an_outage_seems_to_begin_with_the_period(
    prometheus: Server, tmp_path: Path
) -> None:
    config, host = config_for(tmp_path, prometheus.url, lookback="0s")
    outages, _ = read(config, host)
    e1 = min(outages, key=lambda outage: outage.start)
    assert (e1.start, e1.end) == (NOVEMBER.start, utc("2025-11-03T02:00"))
    records = collect(config, "alpha", host, window=WINDOW)
    kpis = project_kpis(records, config.project("alpha"), NOVEMBER, AT, host.calendar)
    assert kpis["failure_count"].value == 4  # E1 wrongly counted in November


def test_a_coarser_step_rounds_each_end_up_to_the_grid(prometheus: Server, tmp_path: Path) -> None:
    config, host = config_for(tmp_path, prometheus.url, step="5m")
    outages, _ = read(config, host)
    # C2 was down 02:03-02:17: the 5-minute samples at 02:05, 02:10, 02:15 fire
    c2 = next(o for o in outages if o.start.date() == utc("2025-11-10T00:00").date())
    assert (c2.start, c2.end) == (utc("2025-11-10T02:05"), utc("2025-11-10T02:20"))
    # every other outage begins and ends on the 5-minute grid, so it is unchanged
    assert sorted(spans([o for o in outages if o is not c2])) == [
        row for row in EXPECTED if row[1] != utc("2025-11-10T02:03")
    ]


def test_chunks_of_any_size_give_the_same_outages(
    prometheus: Server, proxy: Proxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = (utc("2025-11-06T00:00"), utc("2025-11-08T00:00"))
    monkeypatch.setenv("PROMETHEUS_TOKEN", "token-0123456789")
    settings = 'auth = "bearer"\nmax_points = 97'
    config, host = config_for(tmp_path, proxy.url, lookback="0s", extra=settings)
    small, _ = read(config, host, window)
    config, host = config_for(tmp_path, prometheus.url, lookback="0s")
    whole, _ = read(config, host, window)
    assert (
        spans(small) == spans(whole) == [row for row in EXPECTED if window[0] <= row[1] < window[1]]
    )
    # 2 days of minutes = 2,880 points: 30 requests of at most 97 points per query
    assert len(proxy.seen) == 3 * 30
    assert all(seen["authorization"] == "Bearer token-0123456789" for seen in proxy.seen)


def test_an_outage_still_firing_now_has_no_end(
    prometheus: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(itsskit_prometheus.plugin, "now", lambda: utc("2025-11-07T07:30:20"))
    config, host = config_for(tmp_path, prometheus.url)
    outages, _ = read(config, host)
    latest = max(outages, key=lambda outage: outage.start)
    assert (latest.service, latest.start, latest.end) == ("erp", utc("2025-11-07T06:00"), None)
    assert all(o.end is not None for o in outages if o is not latest)


def test_without_a_window_start_and_end_say_what_is_read(
    prometheus: Server, tmp_path: Path
) -> None:
    extra = 'start = 2025-11-07T00:00:00Z\nend = "2025-11-09T00:00:00+00:00"'
    config, host = config_for(tmp_path, prometheus.url, lookback="0s", extra=extra)
    outages, _ = read(config, host, window=None)
    assert spans(outages) == [
        row for row in EXPECTED if utc("2025-11-07T00:00") <= row[1] < utc("2025-11-09T00:00")
    ]


def test_a_window_beyond_the_data_gives_no_outage(prometheus: Server, tmp_path: Path) -> None:
    config, host = config_for(tmp_path, prometheus.url)
    window = (utc("2025-12-01T00:00"), utc("2025-12-01T00:00") + timedelta(days=3))
    assert read(config, host, window) == ([], [])

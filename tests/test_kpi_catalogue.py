"""The KPI catalogue: one descriptor per KPI, and a plugin KPI that shows up everywhere.

The plugin is ``examples/kpi_plugin`` (the docs' example): the share of major
incidents among the incidents opened in a period. Its expected values are
counted straight from the demo's CSV with the csv module, not with itsskit.
"""

from __future__ import annotations

import csv
import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from itsskit.collect import collect
from itsskit.config import Config, load_config
from itsskit.hookspecs import hookimpl
from itsskit.kpis import (
    BUILTIN_KPIS,
    KPI_NAMES,
    KpiCatalogue,
    KpiDescriptor,
    KpiResult,
    company_kpis,
    kpi_inputs,
    make_result,
    project_kpis,
)
from itsskit.kpis.catalogue import builtin_catalogue, pool
from itsskit.models import LANGUAGES, RecordSet
from itsskit.periods import Period
from itsskit.plugins import PluginHost
from itsskit.quality.indicators import evaluate_indicators, make_indicator
from itsskit.report.builder import build_report

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "demo" / "itsskit.toml"
EXAMPLE = ROOT / "examples" / "kpi_plugin"
AT = datetime(2025, 11, 5, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


def share_from_csv(project: str, month: str) -> tuple[int, int]:
    """(major incidents, incidents) opened in ``month`` (local time), counted from the CSV."""
    major = total = 0
    with (ROOT / "examples" / "demo" / "data" / "tickets.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            opened = datetime.fromisoformat(row["opened"]).astimezone(ZoneInfo("Asia/Shanghai"))
            same_month = opened.strftime("%Y-%m") == month
            if row["project"] == project and row["kind"] == "incident" and same_month:
                total += 1
                major += row["major"] == "true"
    return major, total


@pytest.fixture(scope="module")
def plugin() -> Iterator[ModuleType]:
    """The example plugin module, imported from its source folder."""
    sys.path.insert(0, str(EXAMPLE / "src"))
    try:
        import itsskit_major_share

        yield itsskit_major_share
    finally:
        sys.path.remove(str(EXAMPLE / "src"))


@pytest.fixture(scope="module")
def host(plugin: ModuleType) -> PluginHost:
    return PluginHost.create(entry_points=False, extra=[plugin])


# ------------------------------------------------------------ the catalogue


def test_builtin_catalogue_is_the_bundle() -> None:
    assert builtin_catalogue().names() == list(KPI_NAMES)
    assert [d.name for d in BUILTIN_KPIS] == list(KPI_NAMES)
    host = PluginHost.create(entry_points=False)
    assert host.kpis().names() == list(KPI_NAMES)


def test_builtin_descriptors_agree_with_their_functions() -> None:
    """Unit and comparison in the descriptor are what each KPI function itself returns."""
    config = load_config(DEMO, PluginHost.create(entry_points=False))
    host = PluginHost.create(entry_points=False)
    records = collect(config, "dianchi", host)
    inputs = kpi_inputs(
        records, config.project("dianchi"), Period.parse("2025-10"), AT, host.calendar
    )
    for descriptor in BUILTIN_KPIS:
        result = descriptor.compute(inputs)
        assert (result.name, result.unit, result.comparison) == (
            descriptor.name,
            descriptor.unit,
            descriptor.comparison,
        )
        assert set(descriptor.labels) == set(LANGUAGES)


def test_a_label_missing_in_a_language_is_refused() -> None:
    with pytest.raises(ValueError, match="labels needs a text for every language.*missing: en"):
        KpiDescriptor(name="x", unit="ratio", compute=lambda i: None, labels={"zh-CN": "甲"})  # type: ignore[arg-type, return-value]


def test_a_name_claimed_twice_and_a_wrong_type_are_errors() -> None:
    catalogue = builtin_catalogue()
    with pytest.raises(ValueError, match="KPI 'availability' is registered twice"):
        catalogue.add(next(d for d in BUILTIN_KPIS if d.name == "availability"))
    with pytest.raises(TypeError, match="expects itsskit.kpis.KpiDescriptor objects, got dict"):
        catalogue.add({"name": "x"})  # type: ignore[arg-type]


def test_a_raising_register_kpis_is_reported_by_name() -> None:
    class Broken:
        name = "broken-kpis"

        @hookimpl
        def register_kpis(self, registry: KpiCatalogue) -> None:
            registry.add("not a descriptor")  # type: ignore[arg-type]

    host = PluginHost.create(entry_points=False, extra=[Broken()])
    assert host.kpis().names() == list(KPI_NAMES)
    assert [f.name for f in host.failures] == ["broken-kpis"]
    assert "KpiDescriptor" in host.failures[0].cause


def test_a_compute_returning_the_wrong_type_names_the_kpi() -> None:
    bad = KpiDescriptor(
        name="bad", unit="count", compute=lambda i: 3, labels={"zh-CN": "坏", "en": "Bad"}
    )  # type: ignore[arg-type, return-value]
    config = load_config(DEMO, PluginHost.create(entry_points=False))
    with pytest.raises(TypeError, match="KPI 'bad': compute returned int, expected a KpiResult"):
        project_kpis(
            _records(config),
            config.project("dianchi"),
            Period.parse("2025-10"),
            AT,
            catalogue=KpiCatalogue([*BUILTIN_KPIS, bad]),
        )


def _records(config: Config) -> RecordSet:
    return collect(config, "dianchi", PluginHost.create(entry_points=False))


# ---------------------------------------------------------------- pooling


def _part(value: float | None, numerator: float | None, denominator: float | None) -> KpiResult:
    return KpiResult(name="k", value=value, numerator=numerator, denominator=denominator)


_counts = st.integers(min_value=0, max_value=10_000)


@given(st.lists(st.tuples(_counts, _counts), min_size=1, max_size=12))
def test_ratio_pooling_is_sum_over_sum(pairs: list[tuple[int, int]]) -> None:
    parts = [_part(n / d if d else None, n, d) for n, d in pairs]
    descriptor = next(d for d in BUILTIN_KPIS if d.name == "availability")
    pooled = pool(descriptor, parts)
    total_n, total_d = sum(n for n, _ in pairs), sum(d for _, d in pairs)
    assert pooled.numerator == total_n and pooled.denominator == total_d
    assert pooled.value == (total_n / total_d if total_d else None)


@given(st.lists(st.one_of(st.none(), st.floats(0, 1)), min_size=1, max_size=12))
def test_project_mean_and_max_pooling(values: list[float | None]) -> None:
    parts = [_part(v, None, None) for v in values]
    known = [v for v in values if v is not None]
    sla = next(d for d in BUILTIN_KPIS if d.name == "sla_attainment")
    longest = next(d for d in BUILTIN_KPIS if d.name == "longest_failure_seconds")
    mean = pool(sla, parts).value
    if known:
        assert mean == pytest.approx(sum(known) / len(known))
    else:
        assert mean is None
    assert pool(longest, parts).value == (max(known) if known else None)


# ------------------------------------------------------ a plugin KPI everywhere


def test_plugin_kpi_is_in_the_project_and_company_bundles(host: PluginHost) -> None:
    config = load_config(DEMO, host)
    bundles = {}
    for pid in ("dianchi", "chuncheng"):
        records = collect(config, pid, host)
        bundle = project_kpis(
            records, config.project(pid), Period.parse("2025-10"), AT, host.calendar,
            catalogue=host.kpis(),
        )  # fmt: skip
        major, total = share_from_csv(pid, "2025-10")
        result = bundle["major_incident_share"]
        assert (result.numerator, result.denominator) == (major, total)
        assert result.value == pytest.approx(major / total)
        assert list(bundle)[: len(KPI_NAMES)] == list(KPI_NAMES)
        bundles[pid] = bundle
    company = company_kpis(bundles, catalogue=host.kpis())["major_incident_share"]
    majors, totals = zip(*(share_from_csv(pid, "2025-10") for pid in bundles), strict=True)
    assert company.value == pytest.approx(sum(majors) / sum(totals))


def test_plugin_kpi_is_an_indicator(host: PluginHost) -> None:
    indicator = make_indicator(
        "major", kpi="major_incident_share", target=0.05, comparison="<=", catalogue=host.kpis()
    )
    assert indicator.unit == "ratio"
    with pytest.raises(ValueError, match="unknown KPI 'major_incident_share'"):
        make_indicator("major", kpi="major_incident_share", target=0.05)
    value = make_result("major_incident_share", 0.2, numerator=1, denominator=5)
    results = evaluate_indicators(
        [indicator], {"a": {"major_incident_share": value}}, Period.parse("2025-10"), host.kpis()
    )
    assert [(r.scope, r.value, r.status) for r in results] == [
        ("a", 0.2, "missed"),
        ("company", 0.2, "missed"),
    ]


def test_plugin_kpi_is_a_row_of_the_report_indicator_table(host: PluginHost) -> None:
    config = load_config(DEMO, host)
    report = build_report(config, "dianchi-monthly", "2025-10", host=host, at=AT)
    rows = {row["key"]: row for row in report.figures["indicators"]}
    major, total = share_from_csv("dianchi", "2025-10")
    assert rows["major_incident_share"]["name"] == "重大事件占比"
    assert rows["major_incident_share"]["actual"] == f"{major / total * 100:.2f}%"
    assert list(rows)[-1] == "major_incident_share"  # after the built-in rows
    english = build_report(config, "dianchi-monthly", "2025-10", host=host, at=AT, language="en")
    names = [row["name"] for row in english.figures["indicators"]]
    assert "Major incident share" in names


# ------------------------------------------------- installed, through the CLI


@pytest.fixture(scope="module")
def installed() -> Iterator[None]:
    """Install the example as a wheel (no network); uninstall it afterwards if it was not there."""
    if importlib.util.find_spec("pip") is None:
        pytest.skip("pip is not available in this environment")
    try:
        importlib.metadata.distribution("itsskit-major-share")
        was_installed = True
    except importlib.metadata.PackageNotFoundError:
        was_installed = False
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--force-reinstall", str(EXAMPLE)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    yield
    if not was_installed:
        subprocess.run(
            [sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet", "itsskit-major-share"],
            capture_output=True, timeout=300, check=False,
        )  # fmt: skip


def itsskit(*args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "ITSSKIT_DISABLE_PLUGINS"}
    return subprocess.run(
        [sys.executable, "-c", "from itsskit.cli import main; main()", *args],
        capture_output=True, text=True, timeout=300, env=env, check=False,
    )  # fmt: skip


@pytest.mark.usefixtures("installed")
def test_installed_plugin_kpi_shows_in_the_cli(tmp_path: Path) -> None:
    result = itsskit(
        "kpi", str(DEMO), "--project", "dianchi", "--period", "2025-10",
        "--at", AT.isoformat(), "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    major, total = share_from_csv("dianchi", "2025-10")
    assert figures["major_incident_share"]["value"] == pytest.approx(major / total)
    config = tmp_path / "itsskit.toml"
    text = DEMO.read_text(encoding="utf-8").replace('"data/', f'"{DEMO.parent}/data/')
    text = text.replace('notes_dir = "', f'notes_dir = "{DEMO.parent}/')
    config.write_text(
        text + '\n[indicators.major]\nkpi = "major_incident_share"\ntarget = 0.05\n'
        'comparison = "<="\nperiod = "monthly"\n',
        encoding="utf-8",
    )
    result = itsskit(
        "quality", "indicators", str(config), "--period", "2025-10", "--at", AT.isoformat(),
        "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = [r for r in json.loads(result.stdout) if r["indicator"] == "major"]
    assert {r["scope"] for r in rows} == {"dianchi", "chuncheng", "company"}
    dianchi = next(r for r in rows if r["scope"] == "dianchi")
    assert dianchi["value"] == pytest.approx(major / total)


def test_descriptors_are_frozen() -> None:
    descriptor = BUILTIN_KPIS[0]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        descriptor.unit = "count"  # type: ignore[misc]
    with pytest.raises(TypeError):
        descriptor.labels["en"] = "changed"  # type: ignore[index]


def test_the_docs_table_is_the_builtin_catalogue() -> None:
    text = (ROOT / "docs" / "kpis.md").read_text(encoding="utf-8")
    table = text[text.index("| KPI | unit |") :].split("\n\n")[0]
    rows = table.splitlines()[2:]
    assert rows == [
        f"| `{d.name}` | {d.unit} | `{d.comparison}` | {d.pooling} | {d.report_row} "
        f"| {d.description} |"
        for d in BUILTIN_KPIS
    ]


def test_the_docs_example_is_the_example_plugin() -> None:
    docs = (ROOT / "docs" / "kpis.md").read_text(encoding="utf-8")
    source = (EXAMPLE / "src" / "itsskit_major_share" / "__init__.py").read_text(encoding="utf-8")
    start = source.index("def major_incident_share(")
    end = source.index("@itsskit.hookimpl")
    assert source[start:end].strip() in docs

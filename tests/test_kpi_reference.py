"""The KPI engine against an independent reference (tests/kpi_reference.py).

(a) the demo data set, every month, quarter and the year, company and per project;
(b) small hypothesis-generated data sets full of edge cases, through the Python API
and the ``itsskit kpi --format json`` command; (c) additivity of the counts.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import kpi_reference as ref
from itsskit.cli import main
from itsskit.collect import collect
from itsskit.config import load_config
from itsskit.kpis import company_kpis, project_kpis, report_on_time
from itsskit.models import ReportSubmission
from itsskit.periods import Period
from itsskit.plugins import PluginHost

TZ = ZoneInfo("Asia/Shanghai")
DEMO = Path(__file__).parent.parent / "examples" / "demo" / "itsskit.toml"
DEMO_AT = "2025-12-01T00:00"
DEMO_PERIODS = [
    *(f"2024-{m:02d}" for m in (11, 12)),
    *(f"2025-{m:02d}" for m in range(1, 11)),
    "2024-Q4",
    "2025-Q1",
    "2025-Q2",
    "2025-Q3",
    "2025-Q4",
    "2025",
]
REQUIRED = (
    "response_attainment",
    "resolution_attainment",
    "sla_attainment",
    "availability",
    "failure_count",
    "mttr_seconds",
    "mtbf_seconds",
    "satisfaction_mean",
    "satisfied_share",
    "callback_coverage",
)
COUNTS = ("failure_count", "open_breaches")
HOST = PluginHost.create(entry_points=False)
FIELDS = {"value", "target", "status", "numerator", "denominator", "unit"}


def run_kpi(config: Path, period: str, at: str, project: str | None = None) -> dict[str, Any]:
    args = ["kpi", str(config), "--period", period, "--format", "json", "--at", at]
    result = CliRunner().invoke(main, [*args, *(["--project", project] if project else [])])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def close(ours: float | None, theirs: float | None, rel: float = 1e-12) -> bool:
    if ours is None or theirs is None:
        return ours is None and theirs is None
    return math.isclose(ours, theirs, rel_tol=rel, abs_tol=1e-9)


def assert_matches(ours: dict[str, Any], expected: dict[str, Any], where: str) -> None:
    """Every reference figure equals ours: counts exactly, rates within 1e-12."""
    for name, figure in expected.items():
        if name in ("agreed_seconds", "projects"):
            continue
        got = ours[name]
        value = got["value"] if isinstance(got, dict) else got.value
        if name in COUNTS:
            assert value == figure.value, f"{where} {name}: ours {value}, reference {figure.value}"
        else:
            assert close(value, figure.value), (
                f"{where} {name}: ours {value}, reference {figure.value}"
            )
        if figure.denominator:
            num = got["numerator"] if isinstance(got, dict) else got.numerator
            den = got["denominator"] if isinstance(got, dict) else got.denominator
            assert close(num, figure.numerator), (
                f"{where} {name} numerator: {num} != {figure.numerator}"
            )
            assert close(den, figure.denominator), (
                f"{where} {name} denominator: {den} != {figure.denominator}"
            )


def assert_shape(data: dict[str, Any], company: bool) -> None:
    """Documented JSON shape: the required keys, six fields, null or numbers."""
    assert set(REQUIRED) <= set(data)
    for name, item in data.items():
        if name == "projects":
            continue
        assert set(item) == FIELDS, name
        for key in ("value", "target", "numerator", "denominator"):
            assert item[key] is None or isinstance(item[key], int | float), (name, key, item[key])
            assert not isinstance(item[key], bool)
        assert isinstance(item["unit"], str) and isinstance(item["status"], str)
        if item["unit"] == "count" and item["value"] is not None:
            assert isinstance(item["value"], int), (name, item["value"])
        if item["value"] is None:
            assert item["status"] == "not_applicable", name
        elif item["target"] is None:
            assert item["status"] == "no_target", name
        else:
            assert item["status"] in {"met", "at_risk", "missed"}, name
    if company:
        assert isinstance(data["projects"], dict)
        for item in data["projects"].values():
            assert set(item) == FIELDS
    else:
        assert "projects" not in data


# ---------------------------------------------------------------- (a) demo


@pytest.fixture(scope="module")
def demo() -> ref.Dataset:
    return ref.Dataset.load(DEMO)


@pytest.fixture(scope="module")
def demo_ours() -> tuple[Any, dict[str, Any]]:
    settings = load_config(DEMO, HOST)
    return settings, {pid: collect(settings, pid, HOST) for pid in settings.projects}


@pytest.mark.parametrize("label", DEMO_PERIODS)
def test_demo_python_api(
    demo: ref.Dataset, demo_ours: tuple[Any, dict[str, Any]], label: str
) -> None:
    at = datetime.fromisoformat(DEMO_AT).replace(tzinfo=TZ)
    settings, records = demo_ours
    bundles = {
        pid: project_kpis(
            records[pid], settings.projects[pid], Period.parse(label), at, HOST.calendar
        )
        for pid in settings.projects
    }
    for pid, bundle in bundles.items():
        assert_matches(bundle, ref.project_kpis(demo, pid, label, at), f"{label} {pid}")
    assert_matches(company_kpis(bundles), ref.company_kpis(demo, label, at), f"{label} company")


@pytest.mark.parametrize("label", ["2024-11", "2025-Q4", "2025"])
def test_demo_cli_json(demo: ref.Dataset, label: str) -> None:
    at = datetime.fromisoformat(DEMO_AT).replace(tzinfo=TZ)
    data = run_kpi(DEMO, label, DEMO_AT)
    assert_shape(data, company=True)
    expected = ref.company_kpis(demo, label, at)
    assert_matches(data, expected, f"{label} company")
    for pid, figure in expected["projects"].items():
        assert close(data["projects"][pid]["value"], figure.value), (label, pid)
    for pid in demo.records:
        mine = run_kpi(DEMO, label, DEMO_AT, pid)
        assert_shape(mine, company=False)
        assert_matches(mine, ref.project_kpis(demo, pid, label, at), f"{label} {pid}")
        assert mine["sla_attainment"] == data["projects"][pid]


def test_demo_quarters_add_up(demo_ours: tuple[Any, dict[str, Any]]) -> None:
    at = datetime.fromisoformat(DEMO_AT).replace(tzinfo=TZ)
    settings, records = demo_ours

    def kpis(label: str) -> dict[str, Any]:
        return project_kpis(
            records["dianchi"], settings.projects["dianchi"], Period.parse(label), at, HOST.calendar
        )

    quarter, months = kpis("2025-Q2"), [kpis(f"2025-{m:02d}") for m in (4, 5, 6)]
    for name in (
        "response_attainment",
        "resolution_attainment",
        "sla_attainment",
        "callback_coverage",
        "satisfaction_mean",
        "availability",
    ):
        for part in ("numerator", "denominator"):
            assert close(
                getattr(quarter[name], part), sum(getattr(m[name], part) for m in months)
            ), (name, part)
    assert quarter["failure_count"].value == sum(m["failure_count"].value for m in months)
    assert close(
        quarter["downtime_seconds"].value, sum(m["downtime_seconds"].value for m in months)
    )


# ---------------------------------------------------------------- (b) generated

BASE = datetime(2025, 1, 20, tzinfo=TZ)
EDGES = [datetime(2025, m, 1, tzinfo=TZ) for m in (2, 3, 4)]
PERIODS = ["2025-01", "2025-02", "2025-03", "2025-Q1"]
SERVICES = {"alpha": ["s1", "s2"], "beta": ["s3"]}

instants = st.one_of(
    st.integers(0, 75 * 24 * 60).map(lambda m: BASE + timedelta(minutes=m)),
    st.sampled_from(EDGES).flatmap(
        lambda e: st.integers(-90, 90).map(lambda m: e + timedelta(minutes=m))
    ),
)
durations = st.integers(0, 3 * 24 * 60).map(lambda m: timedelta(minutes=m))
STATUSES = ["In Progress", "Awaiting User Info", "awaiting vendor", "Resolved", "New"]


@st.composite
def tickets(draw: Any, index: int) -> dict[str, Any]:
    opened = draw(instants)
    resolved = draw(
        st.one_of(
            st.none(), durations.map(lambda d: opened + d), st.just(opened - timedelta(minutes=5))
        )
    )
    first = draw(st.one_of(st.none(), durations.map(lambda d: opened + d / 20)))
    if first is not None and resolved is not None and first > resolved >= opened:
        first = resolved
    callback = None
    if resolved is not None:
        callback = draw(
            st.sampled_from(
                [
                    None,
                    timedelta(days=7),
                    timedelta(days=7, seconds=1),
                    timedelta(seconds=-1),
                    timedelta(hours=3),
                ]
            )
        )
        callback = None if callback is None else resolved + callback
    marks = sorted(draw(st.lists(st.integers(1, 3 * 24 * 60), max_size=4, unique=True)))
    history = [(opened + timedelta(minutes=m), draw(st.sampled_from(STATUSES))) for m in marks]
    return {
        "id": f"T{index}",
        "project": draw(st.sampled_from(["alpha", "beta"])),
        "service": "s1",
        "kind": draw(st.sampled_from(["incident", "request"])),
        "priority": draw(st.sampled_from(["P1", "P2", "P3", "P3", "P9"])),
        "opening_priority": draw(st.sampled_from([None, "P1", "P3"])),
        "opened": opened,
        "first_response": first,
        "resolved": resolved,
        "callback": callback,
        "history": history,
    }


@st.composite
def datasets(draw: Any) -> dict[str, Any]:
    ts = [draw(tickets(i)) for i in range(draw(st.integers(0, 6)))]
    outages = []
    for i in range(draw(st.integers(0, 7))):
        start = draw(instants)
        end = draw(st.one_of(st.none(), durations.map(lambda d, s=start: s + d / 4)))
        outages.append(
            {
                "id": f"O{i}",
                "service": draw(st.sampled_from(["s1", "s1", "s2", "s3", "s9"])),
                "start": start,
                "end": end,
                "planned": draw(st.booleans()),
            }
        )
    if outages and draw(st.booleans()):  # a touching outage
        first = outages[0]
        if first["end"] is not None:
            outages.append(
                {
                    **first,
                    "id": "Otouch",
                    "start": first["end"],
                    "end": first["end"] + timedelta(hours=1),
                    "planned": False,
                }
            )
    changes = []
    for i in range(draw(st.integers(0, 4))):
        start = draw(instants)
        changes.append(
            {
                "id": f"C{i}",
                "service": draw(st.sampled_from(["s1", "s2", "s3"])),
                "approved": draw(st.booleans()),
                "window_start": start,
                "window_end": start + draw(durations) / 8,
            }
        )
    surveys = []
    for i in range(draw(st.integers(0, 5))):
        ticket = draw(st.sampled_from([None, *ts]))
        answered = draw(
            st.one_of(
                instants,
                st.sampled_from(EDGES),
                st.sampled_from(EDGES).map(lambda e: e - timedelta(seconds=1)),
            )
        )
        if ticket is not None and ticket["resolved"] is not None and draw(st.booleans()):
            answered = ticket["resolved"] + draw(
                st.sampled_from([timedelta(days=7), timedelta(days=7, seconds=1)])
            )
        surveys.append(
            {
                "id": f"S{i}",
                "project": ticket["project"]
                if ticket
                else draw(st.sampled_from(["alpha", "beta"])),
                "ticket": ticket["id"] if ticket else "",
                "answered": answered,
                "score": draw(st.integers(1, 5)),
                "kind": draw(st.sampled_from(["callback", "project", "annual"])),
            }
        )
    at = draw(st.one_of(st.just(datetime(2025, 6, 1, tzinfo=TZ)), instants))
    preset = draw(st.sampled_from(["always", "weekly", "china"]))
    return {
        "tickets": ts,
        "outages": outages,
        "changes": changes,
        "surveys": surveys,
        "at": at,
        "preset": preset,
        "period": draw(st.sampled_from(PERIODS)),
        "priority_at": draw(st.sampled_from(["resolution", "opening"])),
        "naive": draw(st.booleans()),
    }


def cell(value: Any, naive: bool) -> str:
    """CSV text; ``naive`` writes times without offset (in the sources' Asia/Shanghai)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(TZ).replace(tzinfo=None).isoformat() if naive else value.isoformat()
    return str(value)


def write_csv(
    path: Path, columns: list[str], rows: list[dict[str, Any]], naive: bool = False
) -> None:
    lines = [",".join(columns)] + [
        ",".join(cell(row.get(c), naive) for c in columns) for row in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


CONFIG = """
[calendars.cal]
preset = "{preset}"
timezone = "Asia/Shanghai"
hours = {hours}

[slas.gold]
calendar = "cal"
pause_statuses = ["Awaiting User Info", "Awaiting Vendor"]
resolved_statuses = ["Resolved", "Closed"]
priority_at = "{priority_at}"
availability = 0.99
max_failures = 1
max_failure_duration = "1h"
[slas.gold.targets.response]
P1 = "15m"
P2 = "1h"
P3 = "4h"
[slas.gold.targets.resolution]
P1 = "2h"
P2 = "8h"
P3 = "24h"
[slas.gold.targets.turnaround]
P3 = "16h"

[services.s1]
name = "S1"
[services.s2]
name = "S2"
[services.s3]
name = "S3"

[sources.tickets]
plugin = "csv"
kind = "tickets"
path = "tickets.csv"
events = "events.csv"
[sources.outages]
plugin = "csv"
kind = "outages"
path = "outages.csv"
[sources.changes]
plugin = "csv"
kind = "changes"
path = "changes.csv"
[sources.surveys]
plugin = "csv"
kind = "surveys"
path = "surveys.csv"

[projects.alpha]
customer = "A"
sla = "gold"
services = ["s1", "s2"]
sources = ["tickets", "outages", "changes", "surveys"]

[projects.beta]
customer = "B"
sla = "gold"
services = ["s3"]
sources = ["tickets", "outages", "changes", "surveys"]
"""


def write_dataset(root: Path, data: dict[str, Any]) -> Path:
    hours = '["00:00-24:00"]' if data["preset"] == "always" else '["09:00-12:00", "13:30-18:00"]'
    config = root / "itsskit.toml"
    priority_at = data.get("priority_at", "resolution")
    config.write_text(
        CONFIG.format(preset=data["preset"], hours=hours, priority_at=priority_at), encoding="utf-8"
    )
    naive = data.get("naive", False)
    write_csv(
        root / "tickets.csv",
        [
            "id",
            "project",
            "service",
            "kind",
            "priority",
            "opening_priority",
            "opened",
            "first_response",
            "resolved",
            "closed",
            "major",
            "callback",
        ],
        data["tickets"],
        naive,
    )
    events = [
        {"ticket_id": t["id"], "time": time, "status": status}
        for t in data["tickets"]
        for time, status in t["history"]
    ]
    write_csv(root / "events.csv", ["ticket_id", "time", "status"], events, naive)
    write_csv(
        root / "outages.csv",
        ["id", "service", "start", "end", "planned", "cause"],
        data["outages"],
        naive,
    )
    write_csv(
        root / "changes.csv",
        ["id", "service", "type", "approved", "window_start", "window_end", "title"],
        data["changes"],
        naive,
    )
    write_csv(
        root / "surveys.csv",
        ["id", "project", "ticket", "answered", "score", "kind"],
        data["surveys"],
        naive,
    )
    return config


def ours_python(config: Path, label: str, at: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    settings = load_config(config, HOST)
    bundles = {}
    for pid, project in settings.projects.items():
        records = collect(settings, pid, HOST)
        bundles[pid] = project_kpis(records, project, Period.parse(label), at, HOST.calendar)
    return bundles, company_kpis(bundles)


@given(datasets())
def test_generated_data_sets_match_the_reference(
    tmp_path_factory: Any, data: dict[str, Any]
) -> None:
    config = write_dataset(tmp_path_factory.mktemp("kpi"), data)
    expected_data = ref.Dataset.load(config)
    at = data["at"]
    bundles, company = ours_python(config, data["period"], at)
    for pid, bundle in bundles.items():
        assert_matches(
            bundle, ref.project_kpis(expected_data, pid, data["period"], at), f"{pid} project"
        )
    expected = ref.company_kpis(expected_data, data["period"], at)
    assert_matches(company, expected, "company")
    # additivity: the months of Q1 add up to Q1
    quarters, _ = ours_python(config, "2025-Q1", at)
    months = [ours_python(config, f"2025-{m:02d}", at)[0] for m in (1, 2, 3)]
    for pid, q in quarters.items():
        assert q["failure_count"].value == sum(m[pid]["failure_count"].value for m in months)
        for name in (
            "response_attainment",
            "resolution_attainment",
            "turnaround_attainment",
            "sla_attainment",
            "callback_coverage",
            "satisfaction_mean",
        ):
            assert q[name].numerator == sum(m[pid][name].numerator for m in months), name
            assert q[name].denominator == sum(m[pid][name].denominator for m in months), name


@given(datasets())
def test_generated_cli_json_matches_the_reference(
    tmp_path_factory: Any, data: dict[str, Any]
) -> None:
    config = write_dataset(tmp_path_factory.mktemp("kpi"), data)
    expected_data = ref.Dataset.load(config)
    at = data["at"]
    company = run_kpi(config, data["period"], at.isoformat())
    assert_shape(company, company=True)
    assert_matches(company, ref.company_kpis(expected_data, data["period"], at), "company")
    alpha = run_kpi(config, data["period"], at.isoformat(), "alpha")
    assert_shape(alpha, company=False)
    assert_matches(
        alpha, ref.project_kpis(expected_data, "alpha", data["period"], at), "alpha project"
    )


# ---------------------------------------------------------------- fixed cases


def test_nothing_stopped_is_null_not_zero(tmp_path: Path) -> None:
    config = write_dataset(
        tmp_path,
        {
            "tickets": [],
            "outages": [],
            "changes": [],
            "surveys": [],
            "preset": "always",
            "at": BASE,
        },
    )
    data = run_kpi(config, "2025", "2026-01-01T00:00", "alpha")
    for name in (
        "response_attainment",
        "resolution_attainment",
        "sla_attainment",
        "mttr_seconds",
        "mtbf_seconds",
        "satisfaction_mean",
        "satisfied_share",
        "callback_coverage",
    ):
        assert data[name]["value"] is None, name
        assert data[name]["status"] == "not_applicable", name
    assert data["availability"]["value"] == 1.0
    assert data["failure_count"]["value"] == 0
    company = run_kpi(config, "2025", "2026-01-01T00:00")
    assert company["sla_attainment"]["value"] is None
    assert company["projects"]["alpha"]["value"] is None


@given(
    st.lists(st.tuples(instants, st.one_of(st.none(), instants)), max_size=8),
    instants,
    st.sampled_from(PERIODS),
)
def test_report_on_time_matches_the_reference(pairs: list[Any], at: datetime, label: str) -> None:
    subs = [
        ReportSubmission(report=f"r{i}", due=due, submitted=sub)
        for i, (due, sub) in enumerate(pairs)
    ]
    start, end = ref.period_bounds(label)
    ours = report_on_time(subs, Period.parse(label), at)
    expected = ref.report_on_time(pairs, start, end, at)
    assert close(ours.value, expected.value)
    assert (ours.numerator, ours.denominator) == (expected.numerator, expected.denominator)


def test_callback_coverage_leaves_out_tickets_with_findings(tmp_path: Path) -> None:
    """SPEC §3: a ticket with impossible data is excluded from every figure."""
    opened = datetime(2025, 2, 3, 10, tzinfo=TZ)
    bad = {
        "id": "T1",
        "project": "alpha",
        "kind": "incident",
        "priority": "P9",
        "opened": opened,
        "resolved": opened + timedelta(hours=1),
        "history": [],
    }
    config = write_dataset(
        tmp_path,
        {"tickets": [bad], "outages": [], "changes": [], "surveys": [], "preset": "always"},
    )
    data = run_kpi(config, "2025-02", "2025-06-01T00:00", "alpha")
    assert data["callback_coverage"]["value"] is None
    assert data["callback_coverage"]["denominator"] == 0

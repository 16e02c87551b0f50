"""``itsskit kpi``: a small config whose figures are computed by hand, and the demo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from itsskit.cli.kpi_cmd import kpi

CONFIG = """
[calendars.always]
preset = "always"
timezone = "Asia/Shanghai"

[slas.gold]
calendar = "always"
availability = 0.99
max_failures = 1
[slas.gold.targets.response]
P1 = "15m"
[slas.gold.targets.resolution]
P1 = "1h"

[services.erp]
name = "ERP"

[sources.tickets]
plugin = "csv"
kind = "tickets"
path = "tickets.csv"
events = "events.csv"

[sources.outages]
plugin = "csv"
kind = "outages"
path = "outages.csv"

[projects.a]
sla = "gold"
services = ["erp"]
sources = ["tickets", "outages"]

[projects.b]
sla = "gold"
services = ["erp"]
sources = ["tickets"]
"""

TICKETS = """id,project,service,kind,priority,opened,first_response,resolved,callback
A1,a,erp,incident,P1,2025-10-01T09:00:00+08:00,2025-10-01T09:10:00+08:00,2025-10-01T09:50:00+08:00,2025-10-02T09:00:00+08:00
A2,a,erp,incident,P1,2025-10-02T09:00:00+08:00,2025-10-02T09:20:00+08:00,2025-10-02T09:50:00+08:00,
B1,b,erp,incident,P1,2025-10-03T09:00:00+08:00,2025-10-03T09:05:00+08:00,2025-10-03T11:00:00+08:00,
"""
EVENTS = """ticket_id,time,status
A1,2025-10-01T09:50:00+08:00,Resolved
A2,2025-10-02T09:50:00+08:00,Resolved
B1,2025-10-03T11:00:00+08:00,Resolved
"""
OUTAGES = """id,service,start,end,planned,cause
O1,erp,2025-10-05T10:00:00+08:00,2025-10-05T12:00:00+08:00,false,disk
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    for name, text in {
        "itsskit.toml": CONFIG,
        "tickets.csv": TICKETS,
        "events.csv": EVENTS,
        "outages.csv": OUTAGES,
    }.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path / "itsskit.toml"


def run(*args: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(kpi, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_project_json(config: Path) -> None:
    data = run(
        str(config),
        "--period",
        "2025-10",
        "--project",
        "a",
        "--format",
        "json",
        "--at",
        "2025-11-05T00:00:00+08:00",
    )
    assert data["sla_attainment"] == {
        "value": 0.5,
        "target": 0.95,
        "status": "missed",
        "numerator": 1.0,
        "denominator": 2.0,
        "unit": "ratio",
    }
    assert data["response_attainment"]["value"] == 0.5
    assert data["resolution_attainment"]["value"] == 1.0
    agreed = 31 * 86400
    assert data["availability"]["value"] == pytest.approx((agreed - 7200) / agreed)
    assert data["failure_count"]["value"] == 1 and data["failure_count"]["status"] == "met"
    assert data["mttr_seconds"]["value"] == 7200
    assert data["mtbf_seconds"]["value"] == agreed - 7200
    assert data["satisfaction_mean"]["value"] is None
    assert data["satisfaction_mean"]["status"] == "not_applicable"
    assert data["callback_coverage"]["value"] == 0.5
    assert "projects" not in data


def test_company_json(config: Path) -> None:
    data = run(
        str(config), "--period", "2025-10", "--format", "json", "--at", "2025-11-05T00:00:00"
    )
    assert data["projects"]["a"]["value"] == 0.5
    assert data["projects"]["b"]["value"] == 0.0  # resolution 2 h > 1 h
    assert data["sla_attainment"]["value"] == 0.25  # plain mean of 0.5 and 0.0
    assert data["response_attainment"]["value"] == pytest.approx(2 / 3)  # pooled 2/3
    for key in (
        "availability",
        "failure_count",
        "mttr_seconds",
        "mtbf_seconds",
        "satisfaction_mean",
        "satisfied_share",
        "callback_coverage",
    ):
        assert set(data[key]) == {"value", "target", "status", "numerator", "denominator", "unit"}


def test_table_and_errors(config: Path) -> None:
    result = CliRunner().invoke(kpi, [str(config), "--period", "2025-10", "--project", "a"])
    assert result.exit_code == 0, result.output
    assert "sla_attainment" in result.output and "n/a" in result.output
    bad = CliRunner().invoke(kpi, [str(config), "--period", "2025-13"])
    assert bad.exit_code == 2 and "2025-13" in bad.output
    unknown = CliRunner().invoke(kpi, [str(config), "--period", "2025-10", "--project", "zz"])
    assert unknown.exit_code == 2 and "zz" in unknown.output


def test_demo_runs() -> None:
    demo = Path(__file__).parent.parent / "examples" / "demo" / "itsskit.toml"
    data = run(
        str(demo), "--period", "2025-Q1", "--format", "json", "--at", "2025-06-01T00:00:00+08:00"
    )
    rates = [p["value"] for p in data["projects"].values() if p["value"] is not None]
    assert data["sla_attainment"]["value"] == pytest.approx(sum(rates) / len(rates))

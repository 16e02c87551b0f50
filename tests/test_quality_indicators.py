"""Indicator system: evaluation by hand, config tables, the annual quality report."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest

from itsskit.config import ConfigError, load_config
from itsskit.kpis import KpiResult
from itsskit.models import Indicator
from itsskit.periods import Period
from itsskit.plugins import PluginHost
from itsskit.quality import (
    BUILTIN_INDICATORS,
    annual_report,
    evaluate_indicators,
    indicator_system,
    year_labels,
)

RESOLUTION = Indicator(name="resolution", formula="resolution_attainment", target=0.9)
FAILURES = Indicator(name="failures", formula="failure_count", target=2, comparison="<=",
                     unit="count")  # fmt: skip


def bundle(resolution: tuple[int, int] | None, failures: int, sla: float | None) -> dict:
    met, total = resolution or (0, 0)
    return {
        "resolution_attainment": KpiResult(
            name="resolution_attainment", value=met / total if total else None,
            numerator=met, denominator=total,
        ),
        "failure_count": KpiResult(name="failure_count", value=failures, unit="count"),
        "sla_attainment": KpiResult(name="sla_attainment", value=sla),
    }  # fmt: skip


def test_builtin_targets_from_the_seeds() -> None:
    by_name = {i.name: i for i in BUILTIN_INDICATORS}
    assert (by_name["sla_attainment"].target, by_name["sla_attainment"].period) == (0.95, "yearly")
    assert (by_name["report_on_time"].target, by_name["report_on_time"].period) == (
        0.95, "quarterly",
    )  # fmt: skip


def test_evaluate_by_hand() -> None:
    month = Period.parse("2025-03")
    results = evaluate_indicators(
        [RESOLUTION, FAILURES],
        {"b": bundle((17, 20), 3, 0.96), "a": bundle((9, 10), 1, None)},
        month,
    )
    got = {(r.indicator.name, r.scope): (r.value, r.status) for r in results}
    assert got[("resolution", "a")] == (0.9, "met")  # 9/10 = target exactly
    assert got[("resolution", "b")] == (0.85, "missed")  # 17/20
    assert got[("resolution", "company")][0] == pytest.approx(26 / 30)  # pooled
    assert got[("resolution", "company")][1] == "missed"
    assert got[("failures", "a")] == (1, "met")
    assert got[("failures", "b")] == (3, "missed")
    assert got[("failures", "company")] == (4, "missed")  # counts add up
    assert [r.scope for r in results[:3]] == ["a", "b", "company"]
    assert all(r.assessed for r in results)  # monthly indicators on a month
    yearly = evaluate_indicators([RESOLUTION], {"a": bundle(None, 0, None)}, Period.parse("2025"))
    assert yearly[0].status == "not_applicable" and not yearly[0].assessed


def test_company_sla_attainment_is_plain_mean() -> None:
    sla = Indicator(name="sla_attainment", formula="sla_attainment", target=0.95, period="yearly")
    results = evaluate_indicators(
        [sla], {"a": bundle((1, 1), 0, 0.90), "b": bundle((1, 1), 0, 1.0)}, Period.parse("2025")
    )
    company = [r for r in results if r.scope == "company"][0]
    assert company.value == pytest.approx(0.95) and company.status == "met"


def test_configured_indicator_replaces_builtin(tmp_path: Path) -> None:
    path = tmp_path / "itsskit.toml"
    path.write_text(
        '[indicators.availability]\nkpi = "availability"\ntarget = 0.999\nowner = "运维部"\n'
        '[indicators.mttr]\nkpi = "mttr_seconds"\ntarget = 3600\ncomparison = "<="\n'
        'period = "quarterly"\n',
        encoding="utf-8",
    )
    config = load_config(path)
    system = indicator_system(config.indicators.values())
    names = [i.name for i in system]
    assert names[-1] == "mttr" and names.count("availability") == 1
    assert [i for i in system if i.name == "availability"][0].target == 0.999
    assert config.indicators["mttr"].unit == "seconds"
    assert config.indicators["mttr"].formula == "mttr_seconds"


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ('kpi = "speed"\ntarget = 0.9', "indicators.x: unknown KPI 'speed'"),
        ('kpi = "availability"\ntarget = 0.9\nperiod = "weekly"', "unknown period 'weekly'"),
        ('kpi = "availability"', "indicators.x.target: required key missing"),
        ('kpi = "availability"\ntarget = 0.9\ncolour = 1', "indicators.x: unknown key(s) colour"),
        ('kpi = "availability"\ntarget = 0.9\ncomparison = ">"', "indicators.x: "),
    ],
)
def test_bad_indicator_config(tmp_path: Path, table: str, expected: str) -> None:
    path = tmp_path / "itsskit.toml"
    path.write_text(f"[indicators.x]\n{table}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert expected in str(info.value) and str(path) in str(info.value)


def test_annual_report_docx() -> None:
    kpis = {
        label: {"a": bundle((8, 10) if label == "2025-02" else (9, 10), 1, 0.97)}
        for label in year_labels(2025)
    }
    report = annual_report(
        [RESOLUTION, FAILURES], kpis, 2025, generated=datetime(2026, 1, 5, tzinfo=UTC),
        project_names={"a": "甲项目"},
    )  # fmt: skip
    data = PluginHost.create().renderer_class("docx")().render(report)
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    for title in ("2025 年度组织级质量年报", "指标完成情况（按项目与公司）", "逐月指标",
                  "未达标指标及原因分析", "客户满意度", "内审发现及整改情况", "改进事项"):  # fmt: skip
        assert title in text
    rows = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    # 9/10 meets >= 90 % in 11 months, 8/10 misses in February (the year bundle says 9/10)
    label = "resolution（解决及时率）"
    assert [label, "月度", "≥ 90.00%", "甲项目", "90.00%", "11 / 12", "异常", ""] in rows
    assert ["failures（故障次数）", "月度", "≤ 2", "公司", "1", "12 / 12", "达标", ""] in rows
    # the monthly table is transposed: months down, indicators across
    monthly = [r for t in document.tables if t.rows[0].cells[0].text == "甲项目 · 月份"
               for r in ([c.text for c in row.cells] for row in t.rows)]  # fmt: skip
    assert monthly[0] == ["甲项目 · 月份", label, "failures（故障次数）"]
    assert [r[1] for r in monthly[1:4]] == ["90.00%", "80.00%", "90.00%"]
    missed = [r for r in rows if r[0] == label and r[2] == "2025-02"]
    assert [r[1] for r in missed] == ["甲项目", "公司"]
    assert missed[0][3:7] == ["80.00%", "≥ 90.00%", "【待填写：原因分析】", "【待填写：改进措施】"]

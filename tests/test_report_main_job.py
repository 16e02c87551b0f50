"""The main job end to end: the demo's October 2025 report, the ServiceNow sample, the CLI.

Expected values come from the CSV files read directly (a second, simple reading),
not from the library's KPI code.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import textwrap
import tomllib
from collections import Counter
from datetime import datetime
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from itsskit.cli.report_cmd import report as report_group
from itsskit.config import load_config
from itsskit.models import Report
from itsskit.plugins import PluginHost
from itsskit.report.builder import build_report
from itsskit.report.output import render

DEMO = Path(__file__).parents[1] / "examples" / "demo"
SAMPLE = Path(__file__).parent / "data" / "servicenow_incident_events_sample.csv.gz"
AT = datetime.fromisoformat("2025-11-03T09:00+08:00")
TITLES = [
    "一、报告基本信息", "二、服务结果综述", "三、服务级别指标达成情况", "四、主要服务工作",
    "五、服务级别目标执行情况", "六、不符合项与问题", "七、工作量与资源使用", "八、重大事件与变更回顾",
    "九、趋势分析", "十、满意度分析", "十一、服务改进措施", "十二、下阶段工作计划", "附录：数据质量说明",
]  # fmt: skip


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return PluginHost.create(entry_points=False)


@pytest.fixture(scope="module")
def demo_report(host: PluginHost) -> Report:
    config = load_config(DEMO / "itsskit.toml", host)
    return build_report(config, "dianchi-monthly", "2025-10", host=host, at=AT)


@pytest.fixture(scope="module")
def demo_files(
    demo_report: Report, host: PluginHost, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    return render(
        demo_report,
        ["docx", "html", "markdown", "json"],
        tmp_path_factory.mktemp("demo"),
        host=host,
    )


def demo_tickets_opened(month: str) -> list[dict[str, str]]:
    with (DEMO / "data" / "tickets.csv").open(encoding="utf-8-sig", newline="") as handle:
        return [
            r
            for r in csv.DictReader(handle)
            if r["project"] == "dianchi" and r["opened"].startswith(month)
        ]


def docx_content(path: Path) -> tuple[list[str], list[list[list[str]]]]:
    document = docx.Document(str(path))
    headings = [
        p.text for p in document.paragraphs if p.style is not None and p.style.name == "Heading 1"
    ]
    tables = [
        [[cell.text for cell in row.cells] for row in table.rows] for table in document.tables
    ]
    return headings, tables


def test_docx_headings_in_order(demo_files: dict[str, Path]) -> None:
    headings, _ = docx_content(demo_files["docx"])
    titles = [re.sub(r"^\d+\.\s*", "", heading) for heading in headings]
    assert [title for title in titles if title in TITLES] == TITLES


def test_report_is_dated_at_the_instant_it_is_made_as_of(
    demo_report: Report, demo_files: dict[str, Path]
) -> None:
    assert demo_report.generated == AT
    _, tables = docx_content(demo_files["docx"])
    basic = next(t for t in tables if t[0] == ["项目", "内容"])
    assert dict(basic[1:])["报告日期"] == "2025年11月3日"


def test_docx_shows_the_sla_terms_as_agreed(demo_files: dict[str, Path]) -> None:
    sla = tomllib.loads((DEMO / "itsskit.toml").read_text("utf-8"))["slas"]["gold"]
    _, tables = docx_content(demo_files["docx"])
    terms = next(t for t in tables if t[0][0] == "服务级别协议要点")
    rows = {row[0]: row[1] for row in terms[1:]}
    assert rows["服务级别协议版本"] == f"gold 第 {sla['version']} 版"
    assert rows["协议有效期"] == f"{sla['effective_from'].isoformat()} 起至 长期有效"
    assert rows["服务时间"] == "7×24 小时"
    assert rows["约定报告内容"] == "、".join(sla["report_content"])
    assert rows["双方职责"] == sla["responsibilities"]
    assert rows["风险及应对"] == sla["risks"]
    assert rows["服务接口"] == sla["interfaces"]


def test_docx_indicator_table(demo_report: Report, demo_files: dict[str, Path]) -> None:
    _, tables = docx_content(demo_files["docx"])
    indicator = next(t for t in tables if t[0] == ["指标", "约定标准", "实际值", "状态", "备注"])
    rows = {row[0]: row for row in indicator[1:]}
    kpis = demo_report.figures["kpis"]
    assert rows["服务可用性"][1] == "≥ 99.9%"
    assert rows["服务可用性"][2] == f"{kpis['availability']['value'] * 100:.2f}%"
    assert rows["服务可用性"][3] == ("异常" if kpis["availability"]["value"] < 0.999 else "正常")
    response = kpis["response_attainment"]
    assert rows["响应及时率"][4].startswith(
        f"达标 {response['numerator']:.0f} / {response['denominator']:.0f} 单"
    )
    abnormal = [row[0] for row in indicator[1:] if row[3] == "异常"]
    causes = next(t for t in tables if t[0][0] == "异常指标（实际值，约定标准）")
    assert [row[0].split("（")[0] for row in causes[1:]] == abnormal
    # the manager's notes give the cause; an indicator without one gets a visible prompt
    notes = tomllib.loads((DEMO / "notes" / "dianchi" / "2025-10.toml").read_text("utf-8"))
    keys = {"服务可用性": "availability", "故障次数": "failure_count",
            "最长单次故障时长": "longest_failure_seconds", "响应及时率": "response_attainment",
            "解决及时率": "resolution_attainment", "SLA 达成率": "sla_attainment"}  # fmt: skip
    for row in causes[1:]:
        note = notes["causes"].get(keys[row[0].split("（")[0]])
        assert row[1] == (note["cause"] if note else "【待项目经理填写：原因分析】")
        assert row[2] == (note["suggestion"] if note else "【待项目经理填写：改进建议】")
    assert "availability" in notes["causes"]


def test_docx_breach_list_and_volume(demo_report: Report, demo_files: dict[str, Path]) -> None:
    _, tables = docx_content(demo_files["docx"])
    breaches = next(t for t in tables if t[0][0] == "本期超时工单")
    assert [row[0] for row in breaches[1:]] == [
        b["ticket_id"] for b in demo_report.figures["breaches"]
    ]
    for row, breach in zip(breaches[1:], demo_report.figures["breaches"], strict=True):
        assert breach["elapsed_seconds"] > breach["target_seconds"]
        assert row[2] == breach["priority"]
    opened = demo_tickets_opened("2025-10")
    flow = next(t for t in tables if t[0][0] == "本期新增")
    assert flow[1][0] == str(len(opened))
    kinds = Counter(r["kind"] for r in opened)
    by_kind = next(t for t in tables if t[0][0] == "按工单类型统计")
    assert by_kind[1][:2] == ["事件", str(kinds["incident"])]
    majors = sorted(r["id"] for r in opened if r["major"] == "true")
    assert demo_report.figures["major_incidents"] == majors
    security = next(t for t in tables if t[0][0] == "安全事件工单")
    assert [row[0] for row in security[1:]] == sorted(
        r["id"] for r in opened if r["security"] == "true"
    )


def test_same_numbers_in_every_format(demo_report: Report, demo_files: dict[str, Path]) -> None:
    html = demo_files["html"].read_text(encoding="utf-8")
    markdown = demo_files["markdown"].read_text(encoding="utf-8")
    data = json.loads(demo_files["json"].read_text(encoding="utf-8"))
    json_text = json.dumps(data, ensure_ascii=False)
    _, tables = docx_content(demo_files["docx"])
    docx_cells = {cell for table in tables for row in table for cell in row}
    indicator = next(s for s in demo_report.sections if s.key == "indicators").tables[0]
    for row in indicator[1:]:
        for cell in row[1:3]:
            assert cell in docx_cells
            assert cell.replace("≥", "&ge;") in html or cell in html
            assert cell in markdown and cell in json_text
    assert (
        data["figures"]["kpis"]["sla_attainment"]["value"]
        == demo_report.figures["kpis"]["sla_attainment"]["value"]
    )


def test_servicenow_sample_builds_and_counts_match(tmp_path: Path, host: PluginHost) -> None:
    config_path = tmp_path / "itsskit.toml"
    config_path.write_text(
        textwrap.dedent(
            f"""
            [calendars.always]
            preset = "always"
            [slas.sn]
            calendar = "always"
            [slas.sn.targets.response]
            P1 = "1h"
            P2 = "2h"
            P3 = "4h"
            P4 = "8h"
            [slas.sn.targets.resolution]
            P1 = "4h"
            P2 = "8h"
            P3 = "24h"
            P4 = "72h"
            [sources.sn]
            plugin = "servicenow-audit"
            kind = "tickets"
            path = "{SAMPLE.as_posix()}"
            [projects.sn]
            name = "ServiceNow sample"
            customer = "UCI 498"
            sla = "sn"
            sources = ["sn"]
            [reports.sn-monthly]
            project = "sn"
            title = "ServiceNow sample report"
            language = "en"
            """
        ),
        encoding="utf-8",
    )
    opened: dict[str, str] = {}
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            opened.setdefault(row["number"], row["opened_at"])
    in_march = sum(1 for text in opened.values() if text.split(" ")[0].endswith("/3/2016"))
    config = load_config(config_path, host)
    built = build_report(config, "sn-monthly", "2016-03", host=host)
    assert built.figures["volumes"]["opened"] == in_march
    files = render(built, "docx,html,markdown,json", tmp_path / "out", host=host)
    assert all(path.stat().st_size > 1000 for path in files.values())
    flow = next(s for s in built.sections if s.key == "work").tables[0]
    assert flow[1][0] == str(in_march)


def test_cli_builds_every_report_of_the_project(tmp_path: Path) -> None:
    runner = CliRunner()
    args = [
        "build", str(DEMO / "itsskit.toml"), "--project", "dianchi", "--period", "2025-10",
        "--format", "docx,html", "--out", str(tmp_path), "--at", "2025-11-03T09:00+08:00",
    ]  # fmt: skip
    result = runner.invoke(report_group, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "dianchi-monthly_2025-10.docx",
        "dianchi-monthly_2025-10.html",
    ]


def test_cli_usage_errors_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    config = str(DEMO / "itsskit.toml")
    base = ["build", config, "--period", "2025-10", "--out", str(tmp_path)]
    assert runner.invoke(report_group, base).exit_code == 2  # neither --project nor --report
    result = runner.invoke(report_group, [*base, "--project", "dianchi", "--format", "odt"])
    assert result.exit_code == 2 and "unknown renderer 'odt'" in result.output
    result = runner.invoke(report_group, [*base, "--report", "nope"])
    assert result.exit_code == 2 and "unknown report nope" in result.output
    result = runner.invoke(report_group, [*base, "--project", "dianchi", "--at", "3 Nov"])
    assert result.exit_code == 2 and "expected an ISO 8601 time" in result.output

"""The report builder on a small hand-made project whose figures are worked out by hand.

A 7x24 SLA keeps the arithmetic simple: business time is wall-clock time, so the
expected clocks are computed below straight from the CSV rows (``resolved -
opened`` against the target) without the library's KPI code.
"""

from __future__ import annotations

import csv
import json
import re
import textwrap
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from itsskit.config import load_config
from itsskit.contracts import Registry, SectionBuilder
from itsskit.hookspecs import hookimpl
from itsskit.models import Report, Section
from itsskit.plugins import PluginHost
from itsskit.report.builder import ReportContext, build_report
from itsskit.report.notes import NotesError, load_notes
from itsskit.report.output import output_name, parse_formats, render
from itsskit.report.texts import EN, ZH, Texts

TZ = "+08:00"
TARGETS = {"response": {"P1": 3600, "P2": 7200}, "resolution": {"P1": 4 * 3600, "P2": 8 * 3600}}
# id, priority, opened, first_response, resolved, security
TICKETS = [
    ("T1", "P1", "2025-10-01T10:00", "2025-10-01T10:30", "2025-10-01T13:00", False),
    ("T2", "P1", "2025-10-02T10:00", "2025-10-02T12:00", "2025-10-02T16:00", False),
    ("T3", "P2", "2025-10-03T09:00", "2025-10-03T10:00", "2025-10-03T20:00", False),
    ("T4", "P2", "2025-10-05T09:00", "2025-10-05T09:30", "2025-10-05T12:00", True),
    ("T5", "P2", "2025-10-30T09:00", "2025-10-30T09:10", "", False),
    ("T6", "P1", "2025-09-30T22:00", "2025-09-30T22:30", "2025-10-01T01:00", False),
]
AT = datetime.fromisoformat("2025-11-05T09:00+08:00")
PERIOD_START = datetime.fromisoformat("2025-10-01T00:00+08:00")
PERIOD_END = datetime.fromisoformat("2025-11-01T00:00+08:00")


def write_project(folder: Path, *, notes: str | None = None, surveys: bool = False) -> Path:
    """A one-service project with the tickets above and one unplanned + one planned outage."""
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    with (data / "tickets.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "id",
                "project",
                "service",
                "kind",
                "priority",
                "opened",
                "first_response",
                "resolved",
                "closed",
                "major",
                "category",
                "channel",
                "callback",
                "security",
            ]
        )
        for tid, priority, opened, response, resolved, security in TICKETS:
            writer.writerow(
                [
                    tid,
                    "alpha",
                    "app",
                    "incident",
                    priority,
                    opened + TZ,
                    response + TZ,
                    resolved + TZ if resolved else "",
                    "",
                    "false",
                    "应用",
                    "电话",
                    "",
                    str(security).lower(),
                ]
            )
    (data / "outages.csv").write_text(
        "id,service,start,end,planned,cause\n"
        f"O1,app,2025-10-10T10:00{TZ},2025-10-10T13:00{TZ},false,进程退出\n"
        f"O2,app,2025-10-12T00:00{TZ},2025-10-12T02:00{TZ},true,计划维护\n",
        encoding="utf-8",
    )
    survey_source = ""
    if surveys:
        (data / "surveys.csv").write_text(
            "id,project,ticket,answered,score,kind\n"
            f"S1,alpha,T1,2025-10-02T10:00{TZ},5,callback\n"
            f"S2,alpha,T2,2025-10-03T10:00{TZ},3,callback\n",
            encoding="utf-8",
        )
        survey_source = (
            '[sources.surveys]\nplugin = "csv"\nkind = "surveys"\npath = "data/surveys.csv"\n'
        )
    if notes is not None:
        (folder / "notes").mkdir(exist_ok=True)
        (folder / "notes" / "2025-10.toml").write_text(notes, encoding="utf-8")
    config = folder / "itsskit.toml"
    config.write_text(
        textwrap.dedent(
            f"""
            [calendars.always]
            preset = "always"

            [slas.basic]
            calendar = "always"
            availability = 0.99
            max_failures = 1
            [slas.basic.targets.response]
            P1 = "1h"
            P2 = "2h"
            [slas.basic.targets.resolution]
            P1 = "4h"
            P2 = "8h"

            [services.app]
            name = "业务应用"

            [sources.tickets]
            plugin = "csv"
            kind = "tickets"
            path = "data/tickets.csv"

            [sources.outages]
            plugin = "csv"
            kind = "outages"
            path = "data/outages.csv"

            {survey_source}

            [projects.alpha]
            name = "阿尔法项目"
            customer = "阿尔法公司"
            sla = "basic"
            services = ["app"]
            sources = ["tickets", "outages"{', "surveys"' if surveys else ""}]
            engineers = ["甲", "乙"]

            [reports.alpha-monthly]
            project = "alpha"
            title = "阿尔法月报"
            author = "编制人甲"
            notes_dir = "notes"
            """
        ),
        encoding="utf-8",
    )
    return config


# ------------------------------------------------------- independent expectations


def _t(text: str) -> datetime | None:
    return datetime.fromisoformat(text + TZ) if text else None


def expected_clocks() -> dict[str, Any]:
    """Met/breached per metric for clocks stopping in October, and the breach list, by hand."""
    met: dict[str, int] = {"response": 0, "resolution": 0}
    total: dict[str, int] = {"response": 0, "resolution": 0}
    breaches, open_breaches, tickets_ok, tickets_decided = [], [], 0, 0
    for tid, priority, opened_text, response_text, resolved_text, _ in TICKETS:
        opened = _t(opened_text)
        assert opened is not None
        all_met = True
        for metric, stop in (("response", _t(response_text)), ("resolution", _t(resolved_text))):
            target = TARGETS[metric][priority]
            end = stop or PERIOD_END
            elapsed = int((end - opened).total_seconds())
            ok = elapsed <= target
            all_met &= ok
            if stop is None:
                if not ok:
                    open_breaches.append((tid, metric, elapsed - target))
                continue
            if PERIOD_START <= stop < PERIOD_END:
                total[metric] += 1
                met[metric] += ok
                if not ok:
                    breaches.append((tid, metric, elapsed - target))
        resolved = _t(resolved_text)
        if resolved is not None and PERIOD_START <= resolved < PERIOD_END:
            tickets_decided += 1
            tickets_ok += all_met
    return {
        "response": met["response"] / total["response"],
        "resolution": met["resolution"] / total["resolution"],
        "sla": tickets_ok / tickets_decided,
        "breaches": sorted(breaches),
        "open": open_breaches,
    }


def expected_availability() -> float:
    month = 31 * 24 * 3600
    agreed = month - 2 * 3600  # the planned window is not agreed service time
    return (agreed - 3 * 3600) / agreed


@pytest.fixture
def host() -> PluginHost:
    return PluginHost.create(entry_points=False)


@pytest.fixture
def report(tmp_path: Path, host: PluginHost) -> Report:
    config = load_config(write_project(tmp_path), host)
    return build_report(config, "alpha-monthly", "2025-10", host=host, at=AT)


def section(report: Report, key: str) -> Section:
    return next(s for s in report.sections if s.key == key)


def table_rows(sec: Section, first_header: str) -> list[tuple[str, ...]]:
    table = next(t for t in sec.tables if t[0][0] == first_header)
    return list(table[1:])


# -------------------------------------------------------------------- the tests


def test_sections_in_order_with_chinese_titles(report: Report) -> None:
    keys = [s.key for s in report.sections]
    assert keys == [
        "basic",
        "summary",
        "indicators",
        "work",
        "targets",
        "nonconformities",
        "workload",
        "major",
        "trends",
        "satisfaction",
        "improvements",
        "plan",
        "data_quality",
    ]
    assert [s.title for s in report.sections][:3] == [
        "一、报告基本信息",
        "二、服务结果综述",
        "三、服务级别指标达成情况",
    ]
    assert report.sections[11].title == "十二、下阶段工作计划"


def test_indicator_table_matches_hand_computation(report: Report) -> None:
    expected = expected_clocks()
    rows = {row[0]: row for row in table_rows(section(report, "indicators"), "指标")}
    assert rows["响应及时率"] == (
        "响应及时率",
        "≥ 95%",
        f"{expected['response'] * 100:.2f}%",
        "异常",
        "达标 4 / 5 单",
    )
    assert rows["解决及时率"][2] == f"{expected['resolution'] * 100:.2f}%" == "60.00%"
    assert rows["解决及时率"][4] == "达标 3 / 5 单；另有 1 单在途已超时"
    assert rows["SLA 达成率"][2] == f"{expected['sla'] * 100:.2f}%"
    assert rows["服务可用性"][1:4] == ("≥ 99%", f"{expected_availability() * 100:.2f}%", "正常")
    assert rows["故障次数"][1:4] == ("≤ 1 次", "1 次", "正常")
    causes = table_rows(section(report, "indicators"), "异常指标（实际值，约定标准）")
    assert [c[0].split("（")[0] for c in causes] == ["响应及时率", "解决及时率", "SLA 达成率"]
    assert all(c[1] == "【待项目经理填写：原因分析】" for c in causes)


def test_breach_lists_match_hand_computation(report: Report) -> None:
    expected = expected_clocks()
    sec = section(report, "nonconformities")
    texts = Texts("zh-CN")
    metric = {"response": "响应时间", "resolution": "解决时间"}
    got = sorted((r[0], r[3], r[6]) for r in table_rows(sec, "本期超时工单"))
    assert got == sorted(
        (t, metric[m], texts.duration(over)) for t, m, over in expected["breaches"]
    )
    assert got == [
        ("T2", "响应时间", "1小时"),
        ("T2", "解决时间", "2小时"),
        ("T3", "解决时间", "3小时"),
    ]
    still_open = table_rows(sec, "在途超时工单")
    assert [(r[0], r[3], r[5], r[6]) for r in still_open] == [
        ("T5", "解决时间", "39小时", "31小时")
    ]
    assert [r[0] for r in table_rows(sec, "安全事件工单")] == ["T4"]
    assert report.figures["breaches"][0]["over_seconds"] == 3600


def test_figures_hold_basic_info_and_kpis(report: Report) -> None:
    basic = report.figures["basic"]
    assert basic["customer"] == "阿尔法公司"
    assert basic["services"] == ["业务应用"]
    assert basic["period_text"] == "2025年10月1日 至 2025年10月31日"
    assert report.figures["kpis"]["resolution_attainment"]["value"] == pytest.approx(0.6)
    assert report.figures["volumes"]["opened"] == 5  # T6 was opened in September
    assert json.dumps(dict(report.figures))  # JSON-ready


def test_missing_inputs_are_said_not_dropped(report: Report) -> None:
    assert section(report, "satisfaction").missing == "本期没有满意度调查数据。"
    assert "【待项目经理填写：本期服务改进措施】" in section(report, "improvements").paragraphs
    assert section(report, "plan").paragraphs == ("【待项目经理填写：下阶段工作计划】",)
    trends = section(report, "trends").tables[0]
    assert [row[0] for row in trends[1:3]] == ["2025-09", "2025-10"]  # T6 opened in September
    assert "【待项目经理填写：本期主要工作】" in section(report, "work").paragraphs


def test_notes_fill_causes_and_lists(tmp_path: Path, host: PluginHost) -> None:
    notes = textwrap.dedent(
        """
        summary = "总体平稳。"
        main_work = ["巡检 4 次"]
        improvements = ["加强值守"]
        next_plan = ["继续巡检"]
        [causes]
        response_attainment = { cause = "假期人手不足", suggestion = "增加值班" }
        """
    )
    config = load_config(write_project(tmp_path, notes=notes, surveys=True), host)
    built = build_report(config, "alpha-monthly", "2025-10", host=host, at=AT)
    causes = table_rows(section(built, "indicators"), "异常指标（实际值，约定标准）")
    assert causes[0][1:] == ("假期人手不足", "增加值班")
    assert "项目经理综述：总体平稳。" in section(built, "summary").paragraphs
    assert section(built, "plan").paragraphs == ("1. 继续巡检",)
    satisfaction = section(built, "satisfaction")
    assert not satisfaction.missing
    assert ("满意度平均分", "4.00 分") in satisfaction.tables[0]  # (5 + 3) / 2


def test_bad_notes_name_the_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "2025-10.toml").write_text(
        'main_work = "x"\n[causes]\nsla = { cause = 3 }\n', encoding="utf-8"
    )
    with pytest.raises(NotesError, match=r"2025-10\.toml: causes\.sla\.cause: expected a string"):
        load_notes(tmp_path, "2025-10")
    (tmp_path / "2025-10.toml").write_text('summry = "x"\n', encoding="utf-8")
    with pytest.raises(NotesError, match=r"2025-10\.toml: summry: unknown key"):
        load_notes(tmp_path, "2025-10")
    assert load_notes(tmp_path, "2025-09").summary == ""


def test_english_report(tmp_path: Path, host: PluginHost) -> None:
    config = load_config(write_project(tmp_path), host)
    built = build_report(config, "alpha-monthly", "2025-10", host=host, at=AT, language="en")
    assert built.sections[0].title == "1. Report information"
    rows = {row[0]: row for row in table_rows(section(built, "indicators"), "Indicator")}
    assert rows["Response attainment"][1:4] == ("≥ 95%", "80.00%", "Abnormal")
    assert (
        "[To be completed by the service manager: plan for the next period]"
        in section(built, "plan").paragraphs
    )


class ExtraSection(SectionBuilder):
    name = "extra"
    order = 55

    def build(self, context: ReportContext) -> Section:
        return Section(
            key="extra", title="附加：备件库存", paragraphs=(f"工单 {len(context.opened())} 单",)
        )


class BrokenSection(SectionBuilder):
    name = "broken"

    def build(self, context: ReportContext) -> Section:
        raise RuntimeError("knowledge base offline")


class SectionPlugin:
    name = "section-plugin"

    @hookimpl
    def register_sections(self, registry: Registry[SectionBuilder]) -> None:
        registry.add(ExtraSection)
        registry.add(BrokenSection)


def test_plugin_sections_are_placed_by_order_and_failures_isolated(tmp_path: Path) -> None:
    host = PluginHost.create(entry_points=False, extra=[SectionPlugin()])
    config = load_config(write_project(tmp_path), host)
    built = build_report(config, "alpha-monthly", "2025-10", host=host, at=AT)
    keys = [s.key for s in built.sections]
    assert keys.index("extra") == keys.index("targets") + 1
    assert section(built, "extra").paragraphs == ("工单 5 单",)
    assert keys[-2:] == ["plugin-error-broken", "data_quality"]
    assert "knowledge base offline" in section(built, "plugin-error-broken").paragraphs[0]


def test_render_writes_every_format_atomically_with_same_numbers(
    report: Report, tmp_path: Path, host: PluginHost
) -> None:
    out = tmp_path / "out"
    files = render(report, "docx,html,md,json", out, host=host)
    assert sorted(files) == ["docx", "html", "json", "markdown"]
    assert files["docx"].name == "alpha-monthly_2025-10.docx"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        p.name for p in files.values()
    )  # no temp files left
    html = files["html"].read_text(encoding="utf-8")
    markdown = files["markdown"].read_text(encoding="utf-8")
    data = json.loads(files["json"].read_text(encoding="utf-8"))
    for number in ("80.00%", "60.00%", "39小时", "31小时"):
        assert (
            number in html and number in markdown and number in json.dumps(data, ensure_ascii=False)
        )


def test_formats_and_names() -> None:
    assert parse_formats("docx, md,html,docx") == ["docx", "markdown", "html"]
    with pytest.raises(ValueError, match="no output format"):
        parse_formats(" , ")


def test_unknown_report_and_bad_at_are_clear(tmp_path: Path, host: PluginHost) -> None:
    config = load_config(write_project(tmp_path), host)
    with pytest.raises(KeyError, match=r"unknown report 'nope' \(known: alpha-monthly\)"):
        build_report(config, "nope", "2025-10", host=host)
    with pytest.raises(ValueError, match="timezone-aware"):
        build_report(config, "alpha-monthly", "2025-10", host=host, at=datetime(2025, 11, 1))


def test_default_at_is_capped_at_period_end(tmp_path: Path, host: PluginHost) -> None:
    config = load_config(write_project(tmp_path), host)
    built = build_report(config, "alpha-monthly", "2025-10", host=host)
    assert built.figures["basic"]["evaluated_at"] == PERIOD_END.isoformat()
    assert output_name(built, ".md") == "alpha-monthly_2025-10.md"
    september = build_report(config, "alpha-monthly", "2025-09", host=host, at=AT)
    assert section(september, "trends").missing == "没有足够的历史数据进行趋势分析。"


def test_texts_agree_between_languages_and_format_numbers() -> None:
    assert set(ZH) == set(EN)
    zh, en = Texts("zh-CN"), Texts("en")
    assert (zh.duration(5400), en.duration(5400)) == ("1小时30分", "1h30m")
    assert (zh.duration(3600 * 4), zh.duration(45 * 60), zh.duration(30)) == (
        "4小时",
        "45分钟",
        "30秒",
    )
    assert (zh.percent(0.95), zh.percent(None), en.percent(None)) == ("95.00%", "不适用", "n/a")
    assert (zh.target_percent(0.999), zh.target_percent(0.95)) == ("99.9%", "95%")
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", zh.date(PERIOD_START))
    assert zh.datetime(PERIOD_START + timedelta(hours=9, minutes=5)) == "2025-10-01 09:05"

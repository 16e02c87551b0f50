"""Service level management documents (issue 17, seed 0601): catalogue, SLA, change record, review.

Every document is rendered through the CLI, opened again (python-docx for docx,
the text of the HTML) and checked against the configuration read independently
with ``tomllib``: durations are parsed and formatted here by hand, not through
itsskit. The yearly review's monthly figures are checked against ``itsskit kpi``.
"""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from docx import Document
from hypothesis import given
from hypothesis import strategies as st

from itsskit.cli import main
from itsskit.config import structure_or_errors
from itsskit.models import SLA, ImprovementItem, Targets
from itsskit.slm import sla_changes

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"
AT = "2026-01-01T00:00:00+08:00"
METRIC_NAMES = {
    "zh-CN": {"response": "响应时限", "resolution": "解决（恢复）时限", "turnaround": "服务请求完成时限"},
    "en": {"response": "Response time", "resolution": "Resolution (restore) time",
           "turnaround": "Request fulfilment time"},
}  # fmt: skip


# ----------------------------------------------------------------- helpers


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.output


def seconds(text: str) -> int:
    """A TOML duration (``1h30m``) in seconds, parsed independently of itsskit."""
    units = {"h": 3600, "m": 60, "s": 1}
    parts = re.findall(r"(\d+)([hms])", text)
    assert "".join(n + u for n, u in parts) == text, text
    return sum(int(n) * units[u] for n, u in parts)


def shown(total: int, language: str) -> str:
    """How a document states a duration: 4小时 / 15分钟 / 1小时30分 ; 4h / 15m / 1h30m."""
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    assert secs == 0
    if language == "en":
        return (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    if hours and minutes:
        return f"{hours}小时{minutes}分"
    return f"{hours}小时" if hours else f"{minutes}分钟"


def percent(fraction: float) -> str:
    return f"{fraction * 100:.2f}".rstrip("0").rstrip(".") + "%"


def docx_tables(path: Path) -> list[list[list[str]]]:
    doc = Document(str(path))
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in doc.tables]


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def html_text(path: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


def demo_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "demo"
    shutil.copytree(DEMO, folder, ignore=shutil.ignore_patterns("generate.py", "*.db"))
    return folder / "itsskit.toml"


def load_toml(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def target_rows(sla: dict[str, Any], language: str) -> dict[str, dict[str, str]]:
    """priority -> metric name -> duration as the document must show it."""
    rows: dict[str, dict[str, str]] = {}
    for metric, limits in sla["targets"].items():
        for priority, text in limits.items():
            rows.setdefault(priority, {})[METRIC_NAMES[language][metric]] = shown(
                seconds(text), language
            )
    return rows


def table_with_header(tables: list[list[list[str]]], first: str, column: str) -> list[list[str]]:
    for table in tables:
        if table and table[0][0] == first and column in table[0]:
            return table
    raise AssertionError(f"no table headed {first!r} with {column!r}")


# ----------------------------------------------------------------- catalogue


def test_catalogue_states_every_service_and_the_targets_of_its_slas(tmp_path: Path) -> None:
    config = DEMO / "itsskit.toml"
    ok("slm", "catalogue", str(config), "--format", "docx,html", "--out", str(tmp_path))
    data = load_toml(config)
    docx = next(tmp_path.glob("service-catalogue_*.docx"))
    text = docx_text(docx)
    page = html_text(next(tmp_path.glob("service-catalogue_*.html")))
    for service_id, service in data["services"].items():
        for value in (service["name"], service["description"], service["owner"],
                      *service["components"]):  # fmt: skip
            assert value in text and value in page, value
        users = [p for p in data["projects"].values() if service_id in p["services"]]
        assert users, service_id
        for project in users:
            assert f"{project['customer']}（{project['name']}）" in text
    tables = docx_tables(docx)
    tier_rows = [
        row
        for table in tables
        if table[0][:2] == ["服务级别（SLA）", "优先级"]
        for row in table[1:]
    ]
    for sla_id, sla in data["slas"].items():
        assert f"≥ {percent(sla['availability'])}" in text
        for priority, cells in target_rows(sla, "zh-CN").items():
            header = ["服务级别（SLA）", "优先级", *METRIC_NAMES["zh-CN"].values()]
            expected = [sla_id, priority] + [cells.get(name, "不考核") for name in header[2:]]
            assert expected in tier_rows, (sla_id, priority)


# ----------------------------------------------------------------- agreement


@pytest.mark.parametrize("language", ["zh-CN", "en"])
@pytest.mark.parametrize("project_id", ["dianchi", "chuncheng"])
def test_agreement_states_the_configured_terms(
    tmp_path: Path, project_id: str, language: str
) -> None:
    config = DEMO / "itsskit.toml"
    ok("slm", "agreement", str(config), "--project", project_id, "--language", language,
       "--format", "docx,html", "--out", str(tmp_path))  # fmt: skip
    data = load_toml(config)
    project = data["projects"][project_id]
    sla = data["slas"][project["sla"]]
    docx = tmp_path / f"sla-{project_id}_{sla['version']}.docx"
    text, page = docx_text(docx), html_text(docx.with_suffix(".html"))
    tables = docx_tables(docx)
    priority_word = "优先级" if language == "zh-CN" else "Priority"
    targets = table_with_header(tables, priority_word, METRIC_NAMES[language]["response"])
    header = targets[0]
    measured = {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in targets[1:]}
    expected = target_rows(sla, language)
    assert set(measured) == set(expected)
    for priority, cells in expected.items():
        for metric, value in cells.items():
            assert measured[priority][metric] == value, (priority, metric)
    at_least, at_most = ("≥", "≤") if language == "zh-CN" else (">=", "<=")
    limits = [
        f"{at_least} {percent(sla['availability'])}",
        f"{at_most} {sla['max_failures']}",
        f"{at_most} {shown(seconds(sla['max_failure_duration']), language)}",
    ]
    documentary = [sla["responsibilities"], sla["risks"], sla["interfaces"],
                   *sla["report_content"], *sla["pause_statuses"]]  # fmt: skip
    parties = [project["customer"], project["manager"], *project["engineers"], project["approver"]]
    for value in limits + documentary + parties + [sla["version"]]:
        assert value in text and value in page, value
    for service_id in project["services"]:
        assert data["services"][service_id]["name"] in text
    # the provider and the customer contact are not configured: visible prompts, not inventions
    prompt = "【待填写：" if language == "zh-CN" else "[To be filled in: "
    assert text.count(prompt) >= 3 and prompt in page
    # signature blocks for both parties
    party_a = "甲方（客户）" if language == "zh-CN" else "Party A (customer)"
    sign = [t for t in tables if len(t[0]) == 3 and t[0][1] == party_a and len(t) == 5]
    assert sign and sign[-1][1][1] == project["customer"]


def test_agreement_targets_are_those_sla_evaluate_measures_with(tmp_path: Path) -> None:
    config = DEMO / "itsskit.toml"
    ok("slm", "agreement", str(config), "--project", "chuncheng", "--format", "json",
       "--out", str(tmp_path))  # fmt: skip
    document = json.loads((tmp_path / "sla-chuncheng_2024.json").read_text(encoding="utf-8"))
    agreed = document["figures"]["sla"]["targets"]
    clocks = tmp_path / "clocks.csv"
    evaluated = invoke("sla", "evaluate", str(config), "--project", "chuncheng", "--at", AT,
                       "--output", str(clocks))  # fmt: skip
    assert evaluated.exit_code in (0, 1), evaluated.output  # 1: data-quality findings
    with clocks.open(encoding="utf-8") as handle:
        measured = {
            (row["metric"], row["priority"]): int(row["target_seconds"])
            for row in csv.DictReader(handle)
            if row["target_seconds"]
        }
    assert measured
    for (metric, priority), target in measured.items():
        assert agreed[metric][priority] == target
    toml_sla = load_toml(config)["slas"]["silver"]["targets"]
    assert {(m, p): seconds(t) for m, limits in toml_sla.items() for p, t in limits.items()} == {
        (m, p): s for m, limits in agreed.items() for p, s in limits.items()
    }


def test_agreement_prompts_for_what_the_config_lacks_and_states_the_default_pause_rule(
    tmp_path: Path,
) -> None:
    config = demo_copy(tmp_path)
    text = config.read_text(encoding="utf-8")
    gold = text.index("[slas.gold]")
    end = text.index("[slas.gold.targets.response]")
    block = text[gold:end]
    trimmed = "\n".join(
        line for line in block.splitlines()
        if not line.startswith(("pause_statuses", "risks", "availability", "max_failures"))
    ) + "\n"  # fmt: skip
    config.write_text(text[:gold] + trimmed + text[end:], encoding="utf-8")
    ok("slm", "agreement", str(config), "--project", "dianchi", "--language", "en",
       "--format", "html", "--out", str(tmp_path))  # fmt: skip
    page = html_text(tmp_path / "sla-dianchi_2024.html")
    assert "default rule applies" in page and "awaiting, pending, on hold" in page
    assert "[To be filled in: Risks and their handling]" in page
    assert "[To be filled in: Availability target]" in page
    assert "[To be filled in: Maximum failures per month]" in page
    assert "99.9%" not in page


def test_agreement_calendar_states_the_holiday_and_make_up_day_policy(tmp_path: Path) -> None:
    ok("slm", "agreement", str(DEMO / "itsskit.toml"), "--project", "chuncheng",
       "--language", "en", "--format", "html", "--out", str(tmp_path))  # fmt: skip
    page = html_text(tmp_path / "sla-chuncheng_2024.html")
    assert "make-up working days as published by the State Council" in page
    assert "provisional" in page
    assert "Monday to Friday 09:00-12:00, 13:30-18:00 (Asia/Shanghai time)" in page


# ------------------------------------------------------------ change record


def with_new_version(tmp_path: Path) -> Path:
    config = demo_copy(tmp_path)
    text = config.read_text(encoding="utf-8")
    text = text.replace('sla = "gold"', 'sla = ["gold", "gold-2026"]')
    text += """
[slas.gold-2026]
calendar = "office"
version = "2026"
effective_from = 2026-01-15
pause_statuses = ["Awaiting User Info", "Awaiting Vendor"]
availability = 0.995
max_failures = 2
max_failure_duration = "2h"
report_period = "monthly"
risks = "新风险描述"

[slas.gold-2026.targets.response]
P1 = "10m"
P2 = "30m"
P3 = "2h"

[slas.gold-2026.targets.resolution]
P1 = "4h"
P2 = "12h"
P3 = "24h"
P4 = "72h"
"""
    config.write_text(text, encoding="utf-8")
    return config


def test_diff_lists_every_changed_term_as_a_change_record(tmp_path: Path) -> None:
    config = with_new_version(tmp_path)
    ok("slm", "diff", str(config), "--project", "dianchi", "--format", "json,docx",
       "--out", str(tmp_path))  # fmt: skip
    record = json.loads((tmp_path / "sla-change-dianchi_2024-2026.json").read_text("utf-8"))
    changes = {c["term"]: c for c in record["figures"]["changes"]}
    data = load_toml(config)
    old, new = data["slas"]["gold"], data["slas"]["gold-2026"]
    expected_targets = {
        f"targets.{metric}.{priority}"
        for metric in ("response", "resolution")
        for priority in set(old["targets"][metric]) | set(new["targets"][metric])
        if old["targets"][metric].get(priority) != new["targets"][metric].get(priority)
    }
    assert {t for t in changes if t.startswith("targets.")} == expected_targets
    assert changes["targets.response.P1"]["kind"] == "tightened"
    assert changes["targets.response.P1"]["after"] == seconds("10m")
    assert changes["targets.resolution.P2"]["kind"] == "relaxed"
    assert changes["targets.response.P4"]["kind"] == "removed"
    assert changes["availability"] == {
        "term": "availability", "before": old["availability"], "after": new["availability"],
        "kind": "relaxed",
    }  # fmt: skip
    assert changes["calendar"]["after"]["hours"] == ["09:00-12:00", "13:30-18:00"]
    assert changes["risks"]["after"] == "新风险描述"
    assert "max_failures" not in changes and "targets.resolution.P1" not in changes
    rows = docx_tables(tmp_path / "sla-change-dianchi_2024-2026.docx")
    content = table_with_header(rows, "变更项", "变更前")
    assert ["响应时限 P1", "15分钟", "10分钟", "要求提高"] in content
    assert ["解决（恢复）时限 P2", "8小时", "12小时", "要求放宽"] in content
    text = docx_text(tmp_path / "sla-change-dianchi_2024-2026.docx")
    assert "2026年1月15日" in text and "【待填写：变更单号】" in text


def test_diff_of_a_single_version_is_a_clear_usage_error() -> None:
    result = invoke("slm", "diff", str(DEMO / "itsskit.toml"), "--project", "dianchi")
    assert result.exit_code == 2
    assert "projects.dianchi.sla" in result.output and "Traceback" not in result.output


# ------------------------------------------------------------------- review


def test_yearly_review_monthly_figures_equal_itsskit_kpi(tmp_path: Path) -> None:
    config = demo_copy(tmp_path)
    (config.parent / "notes" / "chuncheng" / "review-2025.toml").write_text(
        'needs = ["客户计划 2026 年新增移动营业厅服务"]\n\n'
        "[[proposals]]\n"
        'description = "将营收系统纳入 7×24 服务"\nowner = "赵敏"\ndue = 2026-03-31\n',
        encoding="utf-8",
    )
    improvements = tmp_path / "improvements.toml"
    ok("slm", "review", str(config), "--project", "chuncheng", "--year", "2025", "--at", AT,
       "--format", "json,docx,html", "--out", str(tmp_path),
       "--improvements-out", str(improvements))  # fmt: skip
    review = json.loads((tmp_path / "sla-review-chuncheng_2025.json").read_text("utf-8"))
    months = review["figures"]["months"]
    assert sorted(months) == [f"2025-{m:02d}" for m in range(1, 13)]
    page = html_text(tmp_path / "sla-review-chuncheng_2025.html")
    for month in ("2025-02", "2025-07", "2025-10"):
        kpis = json.loads(ok("kpi", str(config), "--project", "chuncheng", "--period", month,
                             "--format", "json", "--at", AT))  # fmt: skip
        for name in ("sla_attainment", "availability", "failure_count", "satisfaction_mean"):
            assert months[month][name]["value"] == pytest.approx(kpis[name]["value"]), (month, name)
            assert months[month][name]["target"] == kpis[name]["target"]
            assert months[month][name]["status"] == kpis[name]["status"]
        assert f"{kpis['sla_attainment']['value'] * 100:.2f}%" in page
    text = docx_text(tmp_path / "sla-review-chuncheng_2025.docx")
    assert "客户计划 2026 年新增移动营业厅服务" in text
    # a missed month's cause comes from that month's report notes
    missed = [(m, n) for m, b in months.items() for n, r in b.items() if r["status"] == "missed"]
    assert missed
    month, name = missed[0]
    notes = load_toml(config.parent / "notes" / "chuncheng" / f"{month}.toml")
    if name in notes.get("causes", {}):
        assert notes["causes"][name]["cause"] in text
    # the proposals feed the improvement plan in the format `itsskit quality` reads
    data = tomllib.loads(improvements.read_text(encoding="utf-8"))
    errors: list[str] = []
    items = structure_or_errors(data["improvements"], list[ImprovementItem], "improvements", errors)
    assert not errors and items
    missed_kpis = {n for _, n in missed}
    assert len(items) == len(missed_kpis) + 1
    assert items[-1].description == "将营收系统纳入 7×24 服务"
    assert items[-1].owner == "赵敏" and str(items[-1].due) == "2026-03-31"
    assert all(item.id.startswith("SLM-chuncheng-2025-") for item in items)
    assert [i["id"] for i in review["figures"]["improvements"]] == [i.id for i in items]


def test_review_without_needs_file_shows_the_prompt(tmp_path: Path) -> None:
    ok("slm", "review", str(DEMO / "itsskit.toml"), "--project", "dianchi", "--year", "2025",
       "--at", AT, "--language", "en", "--format", "html", "--out", str(tmp_path))  # fmt: skip
    page = html_text(tmp_path / "sla-review-dianchi_2025.html")
    assert "[To be filled in: the customer's changed needs" in page
    assert "review-2025.toml" in page


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["agreement", "--project", "nope"], "nope"),
        (["agreement", "--project", "dianchi", "--version", "1999"], "1999"),
        (["review", "--project", "nope", "--year", "2025"], "nope"),
        (["diff", "--project", "dianchi", "--from", "gold", "--to", "x"], "'x'"),
        (["catalogue", "--format", "pdfx"], "pdfx"),
    ],
)
def test_bad_input_is_one_clear_line(args: list[str], names: str) -> None:
    result = invoke("slm", args[0], str(DEMO / "itsskit.toml"), *args[1:])
    assert result.exit_code == 2, result.output
    assert names in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_malformed_review_file_names_the_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "review.toml"
    bad.write_text('[[proposals]]\nowner = "x"\n', encoding="utf-8")
    result = invoke("slm", "review", str(DEMO / "itsskit.toml"), "--project", "dianchi",
                    "--year", "2025", "--review-file", str(bad), "--out", str(tmp_path))  # fmt: skip
    assert result.exit_code == 2
    assert f"{bad}: proposals[0].description" in result.output
    assert "Traceback" not in result.output


def test_review_of_a_provisional_year_says_so_and_strict_fails(tmp_path: Path) -> None:
    args = ["slm", "review", str(DEMO / "itsskit.toml"), "--project", "chuncheng",
            "--year", "2027", "--at", "2028-01-01T00:00:00+08:00", "--language", "en",
            "--format", "html", "--out", str(tmp_path)]  # fmt: skip
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert "provisional China holiday schedule for 2027" in result.output
    page = html_text(tmp_path / "sla-review-chuncheng_2027.html")
    assert "2027 has no published State Council holiday notice yet" in page
    assert invoke(*args, "--strict").exit_code == 1


# ------------------------------------------------------- property: the diff


DURATIONS = st.sampled_from([60, 900, 1800, 3600, 4 * 3600, 8 * 3600])
LIMITS = st.dictionaries(st.sampled_from(["P1", "P2", "P3", "P4"]), DURATIONS)


@given(before=LIMITS, after=LIMITS, old_avail=st.sampled_from([None, 0.99, 0.995, 0.999]),
       new_avail=st.sampled_from([None, 0.99, 0.995, 0.999]))  # fmt: skip
def test_sla_changes_lists_exactly_the_differing_limits(
    before: dict[str, int], after: dict[str, int], old_avail: float | None,
    new_avail: float | None,
) -> None:  # fmt: skip
    old = SLA(id="a", targets=Targets(resolution=before or {"P9": 60}), availability=old_avail)
    new = SLA(id="b", targets=Targets(resolution=after or {"P9": 60}), availability=new_avail)
    changes = {change.term: change for change in sla_changes(old, new)}
    left, right = before or {"P9": 60}, after or {"P9": 60}
    expected = {}
    for priority in set(left) | set(right):
        was, now = left.get(priority), right.get(priority)
        if was == now:
            continue
        if was is None or now is None:
            kind = "added" if was is None else "removed"
        else:
            kind = "tightened" if now < was else "relaxed"
        expected[f"targets.resolution.{priority}"] = kind
    if old_avail != new_avail:
        if old_avail is None or new_avail is None:
            expected["availability"] = "added" if old_avail is None else "removed"
        else:
            expected["availability"] = "tightened" if new_avail > old_avail else "relaxed"
    assert {term: change.kind for term, change in changes.items()} == expected
    assert sla_changes(old, old) == ()


def test_dropping_pause_statuses_is_a_change_to_the_default_rule_not_a_removal() -> None:
    targets = Targets(resolution={"P1": 3600})
    listed = SLA(id="a", targets=targets, pause_statuses=("Awaiting Vendor",))
    default = SLA(id="b", targets=targets)
    (change,) = sla_changes(listed, default)
    assert (change.term, change.before, change.after, change.kind) == (
        "pause_statuses", ("Awaiting Vendor",), None, "changed",
    )  # fmt: skip


def test_monthly_report_notes_an_sla_change_taking_effect_mid_period(tmp_path: Path) -> None:
    config = demo_copy(tmp_path)
    text = config.read_text(encoding="utf-8").replace('sla = "silver"', 'sla = ["silver", "s2"]')
    silver = load_toml(config)["slas"]["silver"]
    text += '\n[slas.s2]\ncalendar = "office"\nversion = "2025b"\neffective_from = 2025-03-17\n'
    text += "[slas.s2.targets.resolution]\n" + "".join(
        f'{p} = "{t}"\n' for p, t in silver["targets"]["resolution"].items()
    )
    config.write_text(text, encoding="utf-8")
    from itsskit.config import load_config
    from itsskit.plugins import PluginHost
    from itsskit.report import build_report

    host = PluginHost.create()
    settings = load_config(config, host)
    at = datetime.fromisoformat(AT)
    march = build_report(settings, "chuncheng-monthly-en", "2025-03", host=host, at=at)
    basic = dict(march.sections[0].tables[0][1:])
    assert basic["SLA change in the period"].startswith(
        "s2, version 2025b took effect on 2025-03-17"
    )
    april = build_report(settings, "chuncheng-monthly-en", "2025-04", host=host, at=at)
    assert "SLA change in the period" not in dict(april.sections[0].tables[0][1:])

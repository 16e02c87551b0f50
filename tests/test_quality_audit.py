"""Internal audit: the §8 checklist against seed 0403, answers, findings, actions, report."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import pytest

from itsskit.models import CorrectiveAction, Finding
from itsskit.plugins import PluginHost
from itsskit.quality import (
    Audit,
    AuditFileError,
    action_status,
    audit_report,
    audit_toml,
    finding_status,
    generate_checklist,
    load_audit,
)

SEED_PROCESSES = [  # seed 0403 §8.3, in order
    "过程框架管理", "服务级别", "服务报告", "事件管理", "问题管理", "配置管理",
    "变更管理", "发布管理", "服务可用性和连续性管理", "容量管理", "信息安全管理",
]  # fmt: skip
SEED_RESOURCES = ["工具", "服务台", "服务数据", "备件库", "服务知识", "最终软件库"]


def by_clause(prefix: str) -> list:
    return [item for item in generate_checklist(2025).items if item.id.startswith(prefix)]


def test_scheduled_in_october_by_default() -> None:
    checklist = generate_checklist(2025)
    assert checklist.scheduled.year == 2025 and checklist.scheduled.month == 10
    assert generate_checklist(2026, scheduled=date(2026, 9, 1)).scheduled == date(2026, 9, 1)


def test_eleven_processes_with_the_seed_names() -> None:
    items = by_clause("8.3.")
    assert [item.id for item in items] == [f"8.3.{n}" for n in range(1, 12)]
    assert [item.question.split("：")[0] for item in items] == SEED_PROCESSES
    assert {item.area for item in items} == {"过程"}
    assert "检查SLA达成率" in items[1].question
    assert "检查服务报告计划的制定" in items[2].question  # the seed's general 8.3 checkpoint


def test_six_resource_aspects() -> None:
    items = by_clause("8.1.")
    assert len(items) == 6
    assert [item.question.split("：")[0] for item in items] == SEED_RESOURCES


def test_counts_per_clause_and_seed_text() -> None:
    seed = (Path(__file__).parent / "data" / "seed_0403_s8.txt").read_text(encoding="utf-8")
    counts = {p: len(by_clause(p)) for p in ("8.0.", "8.2.", "8.4.", "8.5.", "8.6.")}
    assert counts == {"8.0.": 7, "8.2.": 3, "8.4.": 5, "8.5.": 6, "8.6.": 5}
    for item in generate_checklist(2025).items:
        question = item.question
        if item.id.startswith(("8.1.", "8.3.")):
            question = question.split("：", 1)[1]
        for part in question.split("；"):
            assert part.rstrip("。") in seed, item.id


def test_english_checklist_has_same_ids() -> None:
    zh, en = generate_checklist(2025), generate_checklist(2025, language="en")
    assert [i.id for i in zh.items] == [i.id for i in en.items]
    assert en.items[0].area == "PDCA" and by_clause("8.3.")[3].area == "过程"
    assert [i for i in en.items if i.id == "8.3.4"][0].question.startswith("Incident management:")
    with pytest.raises(ValueError, match="unknown language"):
        generate_checklist(2025, language="fr")


def test_action_status_at_dates() -> None:
    action = CorrectiveAction(id="CA-1", finding="NC-8.3.4", action="x",
                              due=date(2025, 11, 30), closed=date(2025, 12, 5))  # fmt: skip
    assert action_status(action, date(2025, 11, 30)) == "open"  # due day itself: not overdue
    assert action_status(action, date(2025, 12, 1)) == "overdue"
    assert action_status(action, date(2025, 12, 5)) == "closed"
    finding = Finding(id="NC-8.3.4", description="d")
    other = CorrectiveAction(id="CA-2", finding="NC-8.3.4", action="y", closed=date(2025, 11, 1))
    assert finding_status(finding, [action, other], date(2025, 11, 15)) == "open"
    assert finding_status(finding, [action, other], date(2025, 12, 6)) == "closed"
    assert finding_status(finding, [], date(2025, 12, 6)) == "open"  # no action: not closed


def answered(tmp_path: Path) -> Path:
    text = audit_toml(Audit.from_checklist(generate_checklist(2025)))
    text = text.replace("# conforming = true", "conforming = true")
    head, tail = text.split('id = "8.3.4"', 1)
    tail = tail.replace("conforming = true", "conforming = false", 1)
    tail = tail.replace('evidence = ""', 'evidence = "3 月回访记录缺失"', 1)
    text = head + 'id = "8.3.4"' + tail
    text += (
        '\n[[actions]]\nid = "CA-1"\nfinding = "NC-8.3.4"\naction = "补做回访"\ndue = 2025-11-30\n'
    )
    path = tmp_path / "audit-2025.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_answered_file_round_trip_and_findings(tmp_path: Path) -> None:
    audit = load_audit(answered(tmp_path))
    assert len(audit.checklist.answers) == 43
    assert [f.id for f in audit.findings] == ["NC-8.3.4"]
    assert audit.findings[0].description == "3 月回访记录缺失"
    assert audit.findings[0].raised == date(2025, 10, 15)


def test_bad_audit_file_names_key_path(tmp_path: Path) -> None:
    path = answered(tmp_path)
    text = path.read_text(encoding="utf-8").replace('finding = "NC-8.3.4"', 'finding = "NC-9"')
    text = text.replace('severity = "minor"', 'severity = "grave"', 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AuditFileError) as info:
        load_audit(path)
    assert "items[0]" in str(info.value) and str(path) in str(info.value)
    assert "grave" in str(info.value)
    path.write_text(answered(tmp_path).read_text(encoding="utf-8").replace(
        'finding = "NC-8.3.4"', 'finding = "NC-9"'), encoding="utf-8")  # fmt: skip
    with pytest.raises(AuditFileError, match=r"actions\[0\]\.finding: unknown finding 'NC-9'"):
        load_audit(path)


def test_audit_report_docx(tmp_path: Path) -> None:
    audit = load_audit(answered(tmp_path))
    report = audit_report(audit, on=date(2025, 12, 1), generated=datetime(2025, 12, 1, tzinfo=UTC))
    data = PluginHost.create().renderer_class("docx")().render(report)
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "2025 年度内部审核报告" in text
    for title in ("审核概况", "检查结果（按审核领域）", "不符合项", "纠正和预防措施"):
        assert title in text
    cells = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert ["过程", "11", "10", "1", "0"] in cells
    assert ["资源", "6", "6", "0", "0"] in cells
    action_rows = [row for row in cells if row and row[0] == "CA-1"]
    assert action_rows and action_rows[0][-1] == "已逾期"  # due 11-30, open on 12-01

"""``itsskit quality`` on the demo configuration."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
from click.testing import CliRunner

from itsskit.cli import main

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo" / "itsskit.toml"
AT = "--at=2026-01-10T00:00:00+08:00"


def run(*args: str) -> str:
    result = CliRunner().invoke(main, ["quality", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_indicators_json() -> None:
    data = json.loads(run("indicators", str(DEMO), "--period", "2025", "--format", "json", AT))
    sla = {r["scope"]: r for r in data if r["indicator"] == "sla_attainment"}
    assert set(sla) == {"chuncheng", "dianchi", "company"}
    mean = (sla["chuncheng"]["value"] + sla["dianchi"]["value"]) / 2
    assert abs(sla["company"]["value"] - mean) < 1e-12  # seed 0601 §7: plain mean
    assert sla["company"]["assessed"] is True


def test_checklist_audit_report_and_annual_report(tmp_path: Path) -> None:
    audit_file = tmp_path / "audit-2025.toml"
    run("checklist", "--year", "2025", "--out", str(audit_file))
    refused = CliRunner().invoke(
        main, ["quality", "checklist", "--year", "2025", "--out", str(audit_file)]
    )
    assert refused.exit_code == 2 and "--force" in refused.output
    text = audit_file.read_text(encoding="utf-8").replace(
        "# conforming = true", "conforming = true"
    )
    audit_file.write_text(text, encoding="utf-8")
    run(
        "audit-report",
        str(audit_file),
        "--format",
        "docx",
        "--out",
        str(tmp_path),
        "--on",
        "2025-12-01",
    )
    document = docx.Document(str(tmp_path / "audit-2025_2025.docx"))
    rows = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert ["应急", "5", "5", "0", "0"] in rows
    run("annual-report", str(DEMO), "--year", "2025", "--format", "docx,json", "--out",
        str(tmp_path), "--audit", str(audit_file), AT)  # fmt: skip
    data = (tmp_path / "quality-annual-2025_2025.docx").read_bytes()
    rows = [
        [c.text for c in r.cells] for t in docx.Document(io.BytesIO(data)).tables for r in t.rows
    ]
    sla_rows = [r for r in rows if r[0] == "SLA 达成率" and r[1] == "年度"]
    assert [r[3] for r in sla_rows] == [
        "公司",
        "春城水务 IT 运维服务项目",
        "滇池物流 IT 运维服务项目",
    ]
    report = json.loads((tmp_path / "quality-annual-2025_2025.json").read_text(encoding="utf-8"))
    assert report["sections"][5]["paragraphs"] == ["audit-2025：未发现不符合项。"]


def test_satisfaction_report_and_review_pack(tmp_path: Path) -> None:
    run("satisfaction-report", str(DEMO), "--period", "2025-Q1", "--format", "md", "--out",
        str(tmp_path), "--language", "en")  # fmt: skip
    text = (tmp_path / "satisfaction-2025-Q1_2025-Q1.md").read_text(encoding="utf-8")
    assert "Overview" in text and "Incident callbacks" in text
    run("review-pack", str(DEMO), "--year", "2025", "--format", "md", "--out", str(tmp_path), AT)
    text = (tmp_path / "management-review-2025_2025.md").read_text(encoding="utf-8")
    assert "客户投诉报告" in text and "【待管理者代表填写" in text


def test_bad_audit_file_is_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "a.toml"
    bad.write_text('id = "x"\nyear = 2025\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["quality", "audit-report", str(bad), "--out", str(tmp_path)])
    assert result.exit_code == 2 and "audit.scheduled: required key missing" in result.output

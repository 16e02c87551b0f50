"""The quality loop on the demo through the real CLI (issue 14), and the register's rules."""

from __future__ import annotations

import json
import multiprocessing
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect

from itsskit.cli import main
from itsskit.improvement_store import ImprovementRegister, open_engine
from itsskit.improvements import (
    ImprovementError,
    Verification,
    close,
    is_overdue,
    mark_done,
    new_item,
    verify,
)

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"
AT = "2026-01-10T00:00:00+08:00"


def run(*args: str) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    shutil.copytree(DEMO, folder, dirs_exist_ok=True)
    config = folder / "itsskit.toml"
    run(
        "quality", "checklist", config, "--year", "2025", "--at", AT, "--out", folder / "audit.toml"
    )
    return config


def audit_json(config: Path) -> dict:
    return json.loads(run("quality", "audit", config, "--year", "2025", "--format", "json"))


def test_checklist_figures_equal_kpi_cli(demo: Path) -> None:
    kpi = json.loads(run("kpi", demo, "--period", "2025", "--at", AT, "--format", "json"))
    items = {item["id"]: item for item in audit_json(demo)["items"]}
    checked = 0
    for item_id in ("8.3.2", "8.3.4", "8.3.9", "8.1.3"):
        for name, value in items[item_id]["figures"].items():
            assert value == pytest.approx(kpi[name]["value"], abs=1e-12), (item_id, name)
            checked += 1
    assert checked >= 10
    # the proposed verdicts follow the company targets (sla ≥ 95 %, satisfied ≥ 90 %)
    assert items["8.3.2"]["proposed"] is (kpi["sla_attainment"]["value"] >= 0.95)
    assert items["8.3.4"]["proposed"] is (
        kpi["satisfied_share"]["value"] >= 0.90
        and kpi["resolution_attainment"]["value"] >= 0.95
        and kpi["response_attainment"]["value"] >= 0.95
    )
    assert "2025" in items["8.3.2"]["data_evidence"]
    # checkpoints the data cannot answer are left to the auditor
    assert items["8.4.1"]["proposed"] is None and items["8.4.1"]["data_evidence"] == ""
    assert all(item["conforming"] is None for item in items.values())


def test_findings_actions_verified_closed_and_reopened(demo: Path) -> None:
    run("quality", "answer", demo, "--year", "2025", "8.3.4", "--nonconforming",
        "--evidence", "satisfied share below target", "--severity", "major")  # fmt: skip
    run("quality", "answer", demo, "--year", "2025", "8.3.9", "--accept")
    audit = audit_json(demo)
    answered = {i["id"]: i for i in audit["items"]}
    assert answered["8.3.4"]["conforming"] is False
    assert answered["8.3.9"]["conforming"] is answered["8.3.9"]["proposed"]
    one = run("quality", "action", demo, "--year", "2025", "--finding", "NC-8.3.4",
              "--action", "more callbacks", "--owner", "zhang", "--due", "2025-12-31").split()[1]  # fmt: skip
    two = run("quality", "action", demo, "--year", "2025", "--finding", "NC-8.3.4",
              "--action", "reminders", "--owner", "li", "--due", "2026-03-31", "--preventive").split()[1]  # fmt: skip
    unknown = CliRunner().invoke(main, ["quality", "action", str(demo), "--year", "2025",
                                        "--finding", "NC-8.4.1", "--action", "x"])  # fmt: skip
    assert unknown.exit_code == 2 and "no finding 'NC-8.4.1'" in unknown.output
    # closing before an effective verification is refused, with one line
    run("quality", "item", "done", demo, one, "--by", "zhang")
    early = CliRunner().invoke(main, ["quality", "item", "close", str(demo), one, "--by", "q"])
    assert (
        early.exit_code == 2 and "verification" in early.output and "Traceback" not in early.output
    )
    # an ineffective verification reopens the action
    run(
        "quality",
        "item",
        "verify",
        demo,
        one,
        "--by",
        "qa",
        "--evidence",
        "sample of 10",
        "--ineffective",
    )
    reopened = json.loads(run("quality", "item", "show", demo, one))
    assert reopened["status"] == "open" and reopened["verifications"][0]["effective"] is False
    overdue = json.loads(run("quality", "item", "list", demo, "--overdue", "--on", "2026-01-10",
                             "--format", "json"))  # fmt: skip
    assert [i["id"] for i in overdue if i["source"] == "audit"] == [one]
    run("quality", "item", "done", demo, one, "--by", "zhang")
    run(
        "quality",
        "item",
        "verify",
        demo,
        one,
        "--by",
        "qa",
        "--evidence",
        "rate 97 %",
        "--effective",
    )
    run("quality", "item", "close", demo, one, "--by", "qa")
    closed = json.loads(run("quality", "item", "show", demo, one))
    assert closed["status"] == "closed"
    assert [e["event"] for e in closed["history"]] == [
        "added", "done", "reopened", "done", "verified", "closed"
    ]  # fmt: skip
    by_owner = json.loads(run("quality", "item", "list", demo, "--owner", "li", "--format", "json"))
    assert [i["id"] for i in by_owner] == [two]
    report = CliRunner().invoke(main, ["quality", "audit-report", "--config", str(demo), "--year",
                                       "2025", "--out", str(demo.parent / "audit"), "--format", "docx",
                                       "--on", "2026-01-10"])  # fmt: skip
    assert report.exit_code == 0, report.output
    text = "\n".join(c.text for t in docx.Document(next((demo.parent / "audit").glob("*.docx"))).tables
                     for r in t.rows for c in r.cells)  # fmt: skip
    assert "NC-8.3.4" in text and one in text and two in text


def test_annual_report_reads_register_no_data_months_and_fits(demo: Path) -> None:
    out = demo.parent / "annual"
    run(
        "quality",
        "annual-report",
        demo,
        "--year",
        "2025",
        "--at",
        AT,
        "--out",
        out,
        "--format",
        "docx",
    )
    misses = json.loads(
        run("quality", "item", "list", demo, "--source", "indicator", "--format", "json")
    )
    assert misses, "indicator misses are registered"
    first = misses[0]["id"]
    run("quality", "item", "update", demo, first, "--by", "qa", "--cause", "CAUSE-TEXT-1",
        "--action", "MEASURE-TEXT-1")  # fmt: skip
    run(
        "quality",
        "annual-report",
        demo,
        "--year",
        "2025",
        "--at",
        AT,
        "--out",
        out,
        "--format",
        "docx",
    )
    document = docx.Document(next(out.glob("*.docx")))
    cells = [[c.text for c in r.cells] for t in document.tables for r in t.rows]
    flat = [c for row in cells for c in row]
    assert "CAUSE-TEXT-1" in flat and "MEASURE-TEXT-1" in flat
    # demo data end in October 2025: November and December have no data, never 100 %
    monthly = [t for t in document.tables if t.rows[0].cells[0].text.endswith("月份")]
    assert monthly
    for t in monthly:
        rows = {r.cells[0].text: [c.text for c in r.cells[1:]] for r in t.rows[1:]}
        assert set(rows["11"]) == {"无数据"} and set(rows["12"]) == {"无数据"}
        assert "无数据" not in rows["10"]
        assert len(t.columns) <= 5  # month + at most 4 indicators: fits a portrait A4 page
        grid = t._tbl.tblGrid.gridCol_lst
        width = sum(int(g.w or 0) for g in grid)
        section = document.sections[0]
        assert width <= section.page_width - section.left_margin - section.right_margin + 10
    assert len(document.inline_shapes) >= 8  # one trend chart per indicator


def test_management_review_recorded_and_rendered(demo: Path) -> None:
    review = demo.parent / "review.toml"
    review.write_text('held = 2026-01-08\nchair = "Wang"\nattendees = ["Chen", "Zhang"]\n'
                      '[[decisions]]\ntext = "DECISION-ONE"\nowner = "Li"\ndue = 2026-03-31\n',
                      encoding="utf-8")  # fmt: skip
    out = demo.parent / "mr"
    run("quality", "review-record", demo, "--year", "2025", review, "--at", AT, "--out", out,
        "--format", "docx,html")  # fmt: skip
    assert len(list(out.glob("*.docx"))) == 2  # the pack and the review report
    report = docx.Document(next(out.glob("*-report_*.docx")))
    text = "\n".join([p.text for p in report.paragraphs]
                     + [c.text for t in report.tables for r in t.rows for c in r.cells])  # fmt: skip
    assert "Wang" in text and "Chen" in text and "DECISION-ONE" in text
    items = json.loads(run("quality", "item", "list", demo, "--source", "management-review",
                           "--format", "json"))  # fmt: skip
    assert [(i["description"], i["owner"], i["due"]) for i in items] == [
        ("DECISION-ONE", "Li", "2026-03-31")
    ]
    again = CliRunner().invoke(main, ["quality", "review-record", str(demo), "--year", "2025",
                                      str(review), "--at", AT, "--out", str(out)])  # fmt: skip
    assert again.exit_code == 2 and "already recorded" in again.output


def test_callbacks_worklist(demo: Path) -> None:
    rows = json.loads(run("quality", "callbacks", demo, "--at", "2025-10-31T18:00:00+08:00",
                          "--days", "30", "--format", "json"))  # fmt: skip
    at = datetime.fromisoformat("2025-10-31T18:00:00+08:00")
    for row in rows:
        resolved = datetime.fromisoformat(row["resolved"])
        assert at - timedelta(days=30) <= resolved < at
        assert row["status"] == ("overdue" if at > resolved + timedelta(days=7) else "due")
    assert rows


# ------------------------------------------------------------- the rules

T0 = datetime(2025, 1, 1, tzinfo=UTC)
steps = st.lists(st.sampled_from(["done", "good", "bad", "close"]), max_size=12)


@settings(max_examples=200, deadline=None)
@given(steps, st.dates(date(2024, 1, 1), date(2026, 1, 1)))
def test_item_rules(sequence: list[str], on: date) -> None:
    item = new_item(id="X-1", source="audit", description="d", by="a", at=T0, due=date(2025, 6, 1))
    applied = 1
    for index, name in enumerate(sequence):
        at = T0 + timedelta(hours=index + 1)
        before = item.status
        try:
            if name == "done":
                item = mark_done(item, by="o", at=at)
            elif name == "close":
                item = close(item, by="q", at=at)
            else:
                check = Verification(by="q", on=at.date(), evidence="e", effective=name == "good")
                item = verify(item, check, at=at)
        except ImprovementError:
            continue
        applied += 1
        expected = {("open", "done"): "done", ("done", "good"): "verified",
                    ("done", "bad"): "open", ("verified", "close"): "closed"}  # fmt: skip
        assert expected[(before, name)] == item.status
    assert len(item.history) == applied
    if item.status == "closed":
        assert item.verifications and item.verifications[-1].effective
    assert is_overdue(item, on) == (item.status != "closed" and on > date(2025, 6, 1))


def _create(url: str) -> None:
    ImprovementRegister.open(url).close()


def test_two_processes_create_the_tables(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.db'}"
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_create, args=(url,)) for _ in range(2)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    assert [p.exitcode for p in processes] == [0, 0]
    tables = set(inspect(open_engine(url)).get_table_names())
    assert {"quality_items", "quality_item_events", "quality_verifications"} <= tables

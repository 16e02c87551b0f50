"""Pieces of the quality loop (issue 14): satisfaction breakdowns, complaints, callbacks,
per-project targets, the service report's improvement section, bad input."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from itsskit.cli import main
from itsskit.config import ConfigError, load_config
from itsskit.improvement_store import ImprovementRegister
from itsskit.kpis import KpiResult
from itsskit.models import SurveyKind, SurveyResponse, Ticket
from itsskit.periods import Period
from itsskit.quality import analyse_satisfaction, complaints, evaluate_indicators
from itsskit.quality.audit import Audit, audit_toml, generate_checklist, load_audit
from itsskit.quality.review import complaint_breakdown
from itsskit.quality.surveys import callback_worklist

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"
T0 = datetime(2025, 1, 10, 10, tzinfo=UTC)


def ticket(n: int, **kw: object) -> Ticket:
    values: dict[str, object] = {"id": f"I{n}", "kind": "incident", "priority": "P3",
                                 "opened": T0 + timedelta(days=n), "project": "a"}  # fmt: skip
    values.update(kw)
    return Ticket(**values)  # type: ignore[arg-type]


def answer(n: int, score: int, day: datetime, ticket_id: str | None = None) -> SurveyResponse:
    return SurveyResponse(id=f"S{n}", answered=day, score=score, kind=SurveyKind.CALLBACK,
                          project="a", ticket=ticket_id)  # fmt: skip


def test_satisfaction_by_service_and_month() -> None:
    tickets = [ticket(1, service="erp"), ticket(2, service="wms")]
    surveys = [
        answer(1, 5, datetime(2025, 1, 20, tzinfo=UTC), "I1"),
        answer(2, 3, datetime(2025, 2, 5, tzinfo=UTC), "I1"),
        answer(3, 4, datetime(2025, 3, 5, tzinfo=UTC), "I2"),
        answer(4, 2, datetime(2025, 3, 6, tzinfo=UTC)),
    ]
    analysis = analyse_satisfaction(surveys, tickets, Period.parse("2025-Q1", "UTC"))
    assert {k: (v.count, v.mean) for k, v in analysis.by_service.items()} == {
        "": (1, 2.0), "erp": (2, 4.0), "wms": (1, 4.0)
    }  # fmt: skip
    assert [(m, s.mean) for m, s in analysis.by_month.items()] == [
        ("2025-01", 5.0), ("2025-02", 3.0), ("2025-03", 3.0)
    ]  # fmt: skip
    # least squares over x = 0, 1, 2 and y = 5, 3, 3: slope = -1
    assert analysis.mean_slope == pytest.approx(-1.0)


def test_complaints_by_column_and_breakdown() -> None:
    tickets = [
        ticket(1, category="投诉", service="erp"),
        ticket(2, attributes={"complaint": "true"}, service="wms"),
        ticket(3, attributes={"complaint": "false"}, service="wms"),
        ticket(40, category="complaint", service="erp"),
    ]
    found = complaints(tickets, Period.parse("2025-01", "UTC"))
    assert [t.id for t in found] == ["I1", "I2"]
    assert complaint_breakdown(found)["service"] == {"erp": 1, "wms": 1}
    assert complaint_breakdown(complaints(tickets))["month"] == {"2025-01": 2, "2025-02": 1}


def test_callback_worklist_due_and_overdue() -> None:
    at = datetime(2025, 3, 20, tzinfo=UTC)
    tickets = [
        ticket(1, resolved=at - timedelta(days=8)),  # overdue
        ticket(2, resolved=at - timedelta(days=2)),  # due
        ticket(3, resolved=at - timedelta(days=3), callback=at - timedelta(days=1)),  # done
        ticket(4, resolved=at - timedelta(days=40)),  # outside the window
        ticket(5, resolved=at - timedelta(days=1), kind="request"),
    ]
    rows = callback_worklist(tickets, [], at, since=at - timedelta(days=30))
    assert [(r["ticket"], r["status"]) for r in rows] == [("I1", "overdue"), ("I2", "due")]
    assert rows[1]["hours_left"] == 5 * 24


def test_per_project_target_and_display_name(tmp_path: Path) -> None:
    path = tmp_path / "itsskit.toml"
    path.write_text(
        '[projects.a]\n[projects.b]\n[indicators.cb]\nkpi = "callback_coverage"\ntarget = 0.9\n'
        'name = "回访"\nunit = "%"\ntargets = { a = 0.99 }\n', encoding="utf-8")  # fmt: skip
    indicator = load_config(path).indicators["cb"]
    assert (indicator.label, indicator.unit_label, dict(indicator.project_targets)) == (
        "回访",
        "%",
        {"a": 0.99},
    )
    bundle = {"callback_coverage": KpiResult(name="callback_coverage", value=0.95)}
    results = evaluate_indicators([indicator], {"a": bundle, "b": bundle}, Period.parse("2025-01"))
    assert {r.scope: r.status for r in results} == {"a": "missed", "b": "met", "company": "met"}
    path.write_text('[projects.a]\n[indicators.cb]\nkpi = "callback_coverage"\ntarget = 0.9\n'
                    "targets = { zz = 0.99 }\n", encoding="utf-8")  # fmt: skip
    with pytest.raises(ConfigError, match=r"indicators\.cb\.targets: unknown project\(s\) zz"):
        load_config(path)


def test_audit_file_with_prefill_round_trips(tmp_path: Path) -> None:
    audit = Audit.from_checklist(generate_checklist(2025))
    first = audit.items[0]
    import attrs

    filled = attrs.evolve(audit, items=(attrs.evolve(first, proposed=False, data_evidence="x",
                                                     figures={"sla_attainment": 0.9}),
                                        *audit.items[1:]))  # fmt: skip
    path = tmp_path / "audit.toml"
    path.write_text(audit_toml(filled), encoding="utf-8")
    assert load_audit(path) == filled


def test_service_report_improvements_read_the_register(tmp_path: Path) -> None:
    shutil.copytree(DEMO, tmp_path, dirs_exist_ok=True)
    config = load_config(tmp_path / "itsskit.toml")
    with ImprovementRegister.open(config.database_url) as register:
        register.add_item(source="report-review", description="REVIEW-ITEM-1", by="陈静",
                          owner="张伟", due=date(2025, 11, 30), ref="dianchi-monthly 2025-09",
                          action="MEASURE-1", at=datetime(2025, 10, 6, tzinfo=UTC))  # fmt: skip
        register.add_item(source="report-review", description="OTHER-REPORT", by="x",
                          ref="chuncheng-monthly 2025-09", at=datetime(2025, 10, 6, tzinfo=UTC))  # fmt: skip
    from itsskit.report.builder import build_report

    report = build_report(config, "dianchi-monthly", "2025-10",
                          at=datetime(2025, 11, 3, tzinfo=UTC))  # fmt: skip
    section = next(s for s in report.sections if s.key == "improvements")
    text = "\n".join(section.paragraphs)
    assert "REVIEW-ITEM-1" in text and "MEASURE-1" in text and "张伟" in text
    assert "OTHER-REPORT" not in text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["item", "close", "{c}", "NOPE", "--by", "x"], "no item 'NOPE'"),
        (["item", "add", "{c}", "--description", " ", "--by", "x"], "description is empty"),
        (["answer", "{c}", "--year", "2031", "8.3.2", "--conforming"], "no audit 'audit-2031'"),
        (["review-record", "{c}", "--year", "2025", "{r}", "--out", "{o}"], "review.chair"),
    ],
)
def test_bad_input_is_one_line(tmp_path: Path, args: list[str], expected: str) -> None:
    config = tmp_path / "itsskit.toml"
    config.write_text("[projects.a]\n", encoding="utf-8")
    review = tmp_path / "review.toml"
    review.write_text('held = 2026-01-08\nchair = ""\n', encoding="utf-8")
    values = {"c": str(config), "r": str(review), "o": str(tmp_path / "out")}
    result = CliRunner().invoke(main, ["quality", *(a.format(**values) for a in args)])
    assert result.exit_code == 2, result.output
    assert expected in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_report_review_items_are_copied_into_the_register(tmp_path: Path) -> None:
    from itsskit.models import ImprovementItem
    from itsskit.quality.service import sync_report_reviews
    from itsskit.quality.store import QualityStore
    from itsskit.storage import ReportStore
    from test_storage import T0, Recorder, advance_to_approved

    db = tmp_path / "itsskit.db"
    with ReportStore.open(db) as reports:
        advance_to_approved(reports, tmp_path)
        reports.publish("alpha-monthly", "2025-10", by="张伟", channel=Recorder(),
                        at=T0 + timedelta(hours=3))  # fmt: skip
        reports.review("alpha-monthly", "2025-10", by="张伟", minutes="纪要",
                       items=[ImprovementItem(id="", description="缩短 P2 响应", owner="王强",
                                              due=date(2025, 12, 31))],
                       at=T0 + timedelta(days=2))  # fmt: skip
    with QualityStore.open(db) as store:
        added = sync_report_reviews(store)
        assert sync_report_reviews(store) == []  # idempotent
        (item,) = store.items(source="report-review")
    assert added == [item.id]
    assert (item.description, item.owner, item.due, item.status, item.ref) == (
        "缩短 P2 响应", "王强", date(2025, 12, 31), "open", "alpha-monthly 2025-10"
    )  # fmt: skip


def test_documents_never_create_the_register(tmp_path: Path) -> None:
    config = tmp_path / "itsskit.toml"
    config.write_text('[projects.a]\nname = "A"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["quality", "annual-report", str(config), "--year", "2025",
                                       "--out", str(tmp_path / "out"), "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "itsskit.db").exists()

"""Satisfaction analysis, complaints and the management review pack."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from itsskit.models import ImprovementItem, SurveyKind, SurveyResponse, Ticket
from itsskit.periods import Period
from itsskit.quality import (
    analyse_satisfaction,
    callback_due,
    complaints,
    record_review,
    review_pack,
    satisfaction_report,
    year_labels,
)

T0 = datetime(2025, 3, 3, 10, tzinfo=UTC)


def survey(
    n: int, score: int, kind: SurveyKind = SurveyKind.CALLBACK, **kw: object
) -> SurveyResponse:
    return SurveyResponse(id=f"S{n}", answered=T0 + timedelta(days=n), score=score, kind=kind, **kw)  # type: ignore[arg-type]


def test_analysis_by_hand() -> None:
    surveys = [
        survey(1, 5, project="a", ticket="I1"),
        survey(2, 4, project="a"),
        survey(3, 2, SurveyKind.PROJECT, project="b", comment="慢"),
        survey(4, 3, SurveyKind.ANNUAL, project="b"),
        survey(40, 1, project="a"),  # April: outside the period
    ]
    tickets = [
        Ticket(id="I1", opened=T0 - timedelta(days=1), resolved=T0),  # called back after 1 day
        Ticket(id="I2", opened=T0, resolved=T0 + timedelta(days=2),
               callback=T0 + timedelta(days=9, seconds=1)),  # 7 days + 1 s: too late
        Ticket(id="I3", opened=T0, resolved=T0, callback=T0 + timedelta(days=7)),  # exactly 7 days
    ]  # fmt: skip
    analysis = analyse_satisfaction(surveys, tickets, Period.parse("2025-03"))
    assert analysis.overall.count == 4
    assert analysis.overall.mean == pytest.approx((5 + 4 + 2 + 3) / 4)
    assert analysis.overall.satisfied_share == pytest.approx(2 / 4)
    assert analysis.overall.distribution == {1: 0, 2: 1, 3: 1, 4: 1, 5: 1}
    assert analysis.by_kind["project"].count == 1 and analysis.by_kind["annual"].mean == 3
    assert analysis.by_project["a"].mean == pytest.approx(4.5)
    assert [s.id for s in analysis.low_scores] == ["S3", "S4"]
    assert analysis.callback.value == pytest.approx(2 / 3)
    assert analysis.callback.details["missing"] == ["I2"]
    assert callback_due(tickets[0]) == T0 + timedelta(days=7)


def test_satisfaction_report_sections() -> None:
    analysis = analyse_satisfaction([survey(1, 5, project="a")], [], Period.parse("2025-03"))
    report = satisfaction_report(analysis, generated=T0, language="en")
    keys = [s.key for s in report.sections]
    assert keys == [
        "overview", "distribution", "by_kind", "by_service", "by_month", "low_scores", "callbacks"
    ]  # fmt: skip
    assert "No company survey answers" in report.sections[0].paragraphs[1]
    assert report.sections[1].tables[0][5] == ("5", "1", "100.00%")


def test_complaints_and_review_pack() -> None:
    tickets = [
        Ticket(id="C1", opened=T0, category="投诉", project="a"),
        Ticket(id="C2", opened=T0, attributes={"type": "Complaint"}),
        Ticket(id="N1", opened=T0, category="网络"),
        Ticket(id="C3", opened=T0.replace(year=2024), category="投诉"),
    ]
    found = complaints(tickets, Period.parse("2025"))
    assert [t.id for t in found] == ["C1", "C2"]
    item = ImprovementItem(id="IMP-1", description="缩短回访周期", due=date(2025, 6, 30))
    pack = review_pack(
        [], {label: {} for label in year_labels(2025)}, 2025,
        generated=datetime(2026, 1, 5, tzinfo=UTC), complaint_tickets=found, improvements=[item],
    )  # fmt: skip
    assert [s.key for s in pack.sections] == [
        "plan", "indicators", "satisfaction", "department", "audit", "complaints", "improvements",
    ]  # fmt: skip
    complaints_section = pack.sections[5]
    assert complaints_section.paragraphs == ("本年度记录客户投诉 2 起。",)
    assert pack.sections[6].tables[0][1][-1] == "已逾期"  # due 2025-06-30, not done by year end
    review = record_review(pack, review_id="MR-2025", held=date(2026, 1, 10),
                           decisions=("增加回访人手",), improvements=[item])  # fmt: skip
    assert review.inputs["complaints"] == "客户投诉报告 本年度记录客户投诉 2 起。"
    assert review.decisions == ("增加回访人手",) and review.improvements == (item,)

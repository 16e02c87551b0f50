"""Report on-time rate (seeds 0602 §6 服务报告及时提交率, 001 §8 服务报告及时交付率; SPEC §4).

Seed 0602 §6: 服务报告按时提交的数量 / 应提交的服务报告数量 × 100 %, ≥ 95 %, quarterly.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from itsskit.kpis.results import DEFAULT_MARGIN, KpiResult, make_result, ratio
from itsskit.models import ReportSubmission
from itsskit.periods import Period

__all__ = ["REPORT_ON_TIME_TARGET", "report_on_time"]

#: Seed 0602 §6 and seed 001 §8: ≥ 95 %.
REPORT_ON_TIME_TARGET = 0.95


def report_on_time(
    submissions: Iterable[ReportSubmission],
    period: Period,
    at: datetime,
    *,
    target: float | None = REPORT_ON_TIME_TARGET,
    margin: float = DEFAULT_MARGIN,
) -> KpiResult:
    """On time / (on time + late) over the reports due in the period.

    On time: submitted at or before the due time. Late: submitted after it, or
    not submitted and due before ``at`` — a report that was never built counts
    too, when its row is among ``submissions``
    (:func:`itsskit.collect.collect` adds the report list's expected reports,
    :mod:`itsskit.report_plan`). Not submitted and not yet due: not counted.
    A report and period given twice counts once (the submitted row wins).
    ``details`` lists the late (``submitted`` empty: never) and the pending reports.
    """
    on_time = 0
    late: list[dict[str, str]] = []
    pending: list[dict[str, str]] = []
    for sub in _once_each(submissions):
        if not period.contains(sub.due):
            continue
        row = {"report": sub.report, "period": sub.period, "due": sub.due.isoformat(),
               "submitted": sub.submitted.isoformat() if sub.submitted else ""}  # fmt: skip
        if sub.submitted is not None and sub.submitted <= sub.due:
            on_time += 1
        elif sub.submitted is not None or sub.due < at:
            late.append(row)
        else:
            pending.append(row)
    counted = on_time + len(late)
    return make_result(
        "report_on_time",
        ratio(on_time, counted),
        target=target,
        margin=margin,
        numerator=on_time,
        denominator=counted,
        details={"late": late, "pending": pending},
    )


def _once_each(submissions: Iterable[ReportSubmission]) -> list[ReportSubmission]:
    """One row per report and period: a submitted one over a never-submitted one.

    Rows without a period label are all kept (nothing says they are the same report).
    """
    chosen: dict[tuple[str, str, str] | int, ReportSubmission] = {}
    for index, sub in enumerate(submissions):
        key = (sub.project, sub.report, sub.period) if sub.period else index
        if key not in chosen or (chosen[key].submitted is None and sub.submitted is not None):
            chosen[key] = sub
    return list(chosen.values())

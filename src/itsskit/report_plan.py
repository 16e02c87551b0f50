"""The report plan: which reports fall due when, and whether they came (seeds 0602 §6, 001 §8).

Pure: report list rows, projects, the register's submissions and an instant in,
a worklist out. A row of the report list (``[reports.ID]``) with ``period =
"monthly"`` (``quarterly``, ``yearly``) expects one report per month (quarter,
year), due :func:`itsskit.lifecycle.due_time` after the period ends. A report is
expected only while the project's contract runs: from its first SLA version's
``effective_from`` to its last version's ``effective_to`` (either open when not
set). A row with another ``period`` has no schedule: only what the register holds.

A report due and never submitted — never built, or built and never submitted —
is **overdue** once its due time has passed and counts as late in the on-time KPI
(SPEC §4); before that it is **due** and not counted.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs

from itsskit.lifecycle import due_time
from itsskit.models import Project, ReportSpec, ReportSubmission
from itsskit.periods import Period

__all__ = [
    "PERIOD_KINDS",
    "PlanItem",
    "PlanState",
    "expected_submissions",
    "by_author",
    "plan_items",
    "report_periods",
    "state_of",
    "with_expected",
]

#: ``[reports.ID] period`` -> the :class:`~itsskit.periods.Period` kind it repeats on.
PERIOD_KINDS: Mapping[str, str] = {"monthly": "month", "quarterly": "quarter", "yearly": "year"}

Window = tuple[datetime, datetime]


class PlanState(enum.StrEnum):
    """Where a report stands at the evaluation instant."""

    ON_TIME = "on_time"  # submitted at or before its due time
    LATE = "late"  # submitted after its due time
    OVERDUE = "overdue"  # not submitted, due time passed: late in the KPI
    DUE = "due"  # not submitted, not yet due: not counted


@attrs.frozen(kw_only=True)
class PlanItem:
    """One expected report of the worklist."""

    report: str
    project: str
    author: str
    period: str
    due: datetime
    submitted: datetime | None
    state: PlanState


def report_periods(spec: ReportSpec, project: Project, window: Window) -> list[Period]:
    """The periods of ``spec`` whose report falls due in ``[start, end)`` of ``window``.

    Only while the project's contract runs (see the module docstring); none for a
    row whose ``period`` is not in :data:`PERIOD_KINDS`.
    """
    kind = PERIOD_KINDS.get(spec.period.strip().lower())
    if kind is None:
        return []
    start, end = window
    # The earliest period that can fall due at ``start``: its end is at most due_days before.
    first = start.astimezone(ZoneInfo(project.timezone)) - timedelta(days=spec.due_days + 1)
    period = _period_at(kind, first, project.timezone)
    periods = []
    while (due := due_time(period.end, spec.due_days, project.timezone)) < end:
        if start <= due and _in_contract(period, project):
            periods.append(period)
        period = period.shift(1)
    return periods


def expected_submissions(
    specs: Iterable[ReportSpec], projects: Mapping[str, Project], window: Window
) -> list[ReportSubmission]:
    """A never-submitted :class:`ReportSubmission` for every report of ``specs`` due in ``window``."""
    expected = []
    for spec in specs:
        project = projects[spec.project]
        for period in report_periods(spec, project, window):
            due = due_time(period.end, spec.due_days, project.timezone)
            expected.append(
                ReportSubmission(report=spec.id, project=spec.project, period=period.label, due=due)
            )
    return expected


def with_expected(
    stored: Iterable[ReportSubmission], expected: Iterable[ReportSubmission]
) -> tuple[ReportSubmission, ...]:
    """The register's submissions, plus each expected report the register does not hold."""
    kept = list(stored)
    held = {(sub.report, sub.period) for sub in kept}
    return tuple(kept + [sub for sub in expected if (sub.report, sub.period) not in held])


def plan_items(
    specs: Mapping[str, ReportSpec],
    projects: Mapping[str, Project],
    stored: Iterable[ReportSubmission],
    window: Window,
    at: datetime,
) -> list[PlanItem]:
    """Every report due in ``window`` (expected or in the register), its state at ``at``.

    Sorted by due time, project, report. A stored report whose row left the
    report list keeps its place with no author.
    """
    start, end = window
    mine = [sub for sub in stored if start <= sub.due < end]
    subs = with_expected(mine, expected_submissions(specs.values(), projects, window))
    items = [
        PlanItem(
            report=sub.report,
            project=sub.project,
            author=specs[sub.report].author if sub.report in specs else "",
            period=sub.period,
            due=sub.due,
            submitted=sub.submitted,
            state=state_of(sub, at),
        )
        for sub in subs
    ]
    return sorted(items, key=lambda item: (item.due, item.project, item.report, item.period))


def state_of(sub: ReportSubmission, at: datetime) -> PlanState:
    """On time, late, overdue or due (SPEC §4 "Report on-time rate")."""
    if sub.submitted is not None:
        return PlanState.ON_TIME if sub.submitted <= sub.due else PlanState.LATE
    return PlanState.OVERDUE if sub.due < at else PlanState.DUE


def by_author(items: Sequence[PlanItem]) -> dict[str, list[PlanItem]]:
    """``items`` grouped by author (sorted), each list in worklist order."""
    groups: dict[str, list[PlanItem]] = {}
    for item in items:
        groups.setdefault(item.author, []).append(item)
    return dict(sorted(groups.items()))


def _in_contract(period: Period, project: Project) -> bool:
    """True when some of ``period`` lies inside the project's contract."""
    begin = _bound([sla.effective_from for sla in project.slas], min)
    finish = _bound([sla.effective_to for sla in project.slas], max)
    last_day = (period.end - timedelta(microseconds=1)).date()
    return (begin is None or last_day >= begin) and (finish is None or period.start.date() < finish)


def _period_at(kind: str, instant: datetime, timezone: str) -> Period:
    if kind == "month":
        return Period.month(instant.year, instant.month, timezone)
    if kind == "quarter":
        return Period.quarter(instant.year, (instant.month - 1) // 3 + 1, timezone)
    return Period.year(instant.year, timezone)


def _bound(days: list[date | None], pick: Callable[[list[date]], date]) -> date | None:
    """The contract's bound from the SLA versions' dates; None when any version is open."""
    known = [day for day in days if day is not None]
    return pick(known) if known and len(known) == len(days) else None

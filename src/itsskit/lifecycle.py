"""The report lifecycle rules (seed 001 steps 4-8, seed 0602 §4.4-4.6; SPEC §5).

Pure: which state may follow which, who may approve, when a report is due.
:class:`itsskit.storage.ReportStore` applies these rules and records the steps.

::

    draft -> submitted -> approved -> published -> reviewed -> archived
                  |  ^
                  v  |  (resubmitting a returned report makes a new version)
               returned

Approval (and returning a report for rework) is the approver's: when the
project names one (``[projects.X] approver``) only that person may decide;
in any case nobody approves or returns a version they submitted themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import attrs

from itsskit.models import ReportStatus

__all__ = [
    "ALLOWED",
    "LifecycleError",
    "LifecycleStep",
    "check_decider",
    "check_transition",
    "due_time",
    "next_states",
]

S = ReportStatus

#: State -> the states it may move to.
ALLOWED: Mapping[ReportStatus, tuple[ReportStatus, ...]] = {
    S.DRAFT: (S.SUBMITTED,),
    S.SUBMITTED: (S.APPROVED, S.RETURNED),
    S.RETURNED: (S.SUBMITTED,),
    S.APPROVED: (S.PUBLISHED,),
    S.PUBLISHED: (S.REVIEWED,),
    S.REVIEWED: (S.ARCHIVED,),
    S.ARCHIVED: (),
}


class LifecycleError(ValueError):
    """A step the lifecycle does not allow (wrong state, wrong person, nothing stored)."""


@attrs.frozen(kw_only=True)
class LifecycleStep:
    """One recorded step of a report version: from which state to which, who, when, why.

    ``from_status`` is None for the step that created the version.
    """

    report: str
    period: str
    version: int
    from_status: ReportStatus | None
    to_status: ReportStatus
    by: str
    at: datetime
    note: str = ""


def next_states(current: ReportStatus) -> tuple[ReportStatus, ...]:
    """The states a report in ``current`` may move to."""
    return ALLOWED[current]


def check_transition(name: str, current: ReportStatus, target: ReportStatus) -> None:
    """Raise :class:`LifecycleError` unless ``current -> target`` is allowed.

    ``name`` identifies the report in the message (``dianchi-monthly 2025-10 v1``).
    """
    allowed = ALLOWED[current]
    if target not in allowed:
        nexts = ", ".join(allowed) if allowed else "none, it is final"
        raise LifecycleError(
            f"report {name} is {current}: it cannot become {target} (allowed next: {nexts})"
        )


def check_decider(name: str, by: str, *, approver: str = "", submitter: str = "") -> None:
    """Raise unless ``by`` may approve or return the report.

    ``approver`` is the project's approver (empty: anyone); ``submitter`` who
    submitted this version (nobody decides on their own submission).
    """
    if not by.strip():
        raise LifecycleError(f"report {name}: say who decides (by is empty)")
    if approver and by != approver:
        raise LifecycleError(
            f"report {name}: only the project's approver {approver} may approve or return it,"
            f" not {by}"
        )
    if submitter and by == submitter:
        raise LifecycleError(
            f"report {name}: {by} submitted this version and cannot also approve or return it"
        )


def due_time(period_end: datetime, due_days: int, timezone: str | None = None) -> datetime:
    """When a report of the period ending at ``period_end`` is due.

    ``due_days`` calendar days after the period's end, counted on the wall clock
    of ``timezone`` (the project's; default ``period_end``'s own zone): a month
    ending at 2025-11-01 00:00 with ``due_days = 5`` is due 2025-11-06 00:00,
    i.e. by the end of the 5th.
    """
    zone = ZoneInfo(timezone) if timezone else period_end.tzinfo
    local = datetime.fromtimestamp(period_end.timestamp(), tz=zone)  # a plain datetime
    return local + timedelta(days=due_days)  # aware arithmetic: wall-clock days

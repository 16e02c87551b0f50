"""Ticket, project and company SLA attainment, vectorised over a ClockTable (SPEC §4).

Sources: seed 0601 §7 (SLA达成率 = Σ 项目SLA达成率 / 项目数 × 100 %, ≥ 95 %, yearly);
the per-metric and per-project readings are SPEC §4.

Evaluate the clocks at ``min(at, period.end)`` (see :func:`evaluation_instant`):
then a clock still running at the end of the period is running in the table,
and the open breaches are the running clocks past their target at that instant.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import numpy as np
import numpy.typing as npt

from itsskit.clocks import METRIC_CODES, RUNNING, STATUS_CODES, ClockTable
from itsskit.kpis.results import DEFAULT_MARGIN, KpiResult, ratio, ratio_result
from itsskit.models import ClockStatus, Metric
from itsskit.periods import Period
from itsskit.times import epoch_us, from_epoch_us

__all__ = [
    "DEFAULT_ATTAINMENT_TARGET",
    "company_attainment",
    "epoch_us",
    "evaluation_instant",
    "from_epoch_us",
    "metric_attainment",
    "open_breaches",
    "project_attainment",
    "project_attainments",
]

#: Attainment target when the SLA gives none (seed 0601 §7: ≥ 95 %).
DEFAULT_ATTAINMENT_TARGET = 0.95

_MET = STATUS_CODES.index(ClockStatus.MET)
_BREACHED = STATUS_CODES.index(ClockStatus.BREACHED)
_RESPONSE = METRIC_CODES.index(Metric.RESPONSE)


def evaluation_instant(period: Period, at: datetime) -> datetime:
    """The instant to evaluate clocks at for ``period``: ``min(at, period.end)`` (stdlib UTC)."""
    return from_epoch_us(min(epoch_us(at), epoch_us(period.end)))


def _stopped_in(table: ClockTable, period: Period) -> npt.NDArray[np.bool_]:
    start, end = epoch_us(period.start), epoch_us(period.end)
    stopped = table.stopped_us
    rows: npt.NDArray[np.bool_] = (stopped != RUNNING) & (stopped >= start) & (stopped < end)
    return rows


def _project_rows(table: ClockTable, project: str | None) -> npt.NDArray[np.bool_] | None:
    if project is None:
        return None
    if project not in table.projects:
        return np.zeros(len(table), dtype=np.bool_)
    rows: npt.NDArray[np.bool_] = table.project == table.projects.index(project)
    return rows


def open_breaches(
    table: ClockTable, metric: Metric | None = None, project: str | None = None
) -> list[dict[str, object]]:
    """Running clocks already past their target, as JSON-ready dicts.

    Each is ``{ticket_id, metric, priority, elapsed_seconds, target_seconds}``,
    sorted by ticket id then metric.
    """
    rows = (table.stopped_us == RUNNING) & (table.status == _BREACHED)
    if metric is not None:
        rows &= table.metric == METRIC_CODES.index(metric)
    if (in_project := _project_rows(table, project)) is not None:
        rows &= in_project
    found = [
        {
            "ticket_id": table.ticket_ids[int(table.ticket[i])],
            "metric": str(METRIC_CODES[int(table.metric[i])]),
            "priority": table.priorities[int(table.priority[i])],
            "elapsed_seconds": int(table.elapsed[i]),
            "target_seconds": int(table.target[i]),
        }
        for i in np.flatnonzero(rows)
    ]
    return sorted(found, key=breach_order)


def breach_order(breach: Mapping[str, object]) -> tuple[str, str]:
    """The sort key of :func:`open_breaches`: ticket id, then metric."""
    return str(breach["ticket_id"]), str(breach["metric"])


def metric_attainment(
    table: ClockTable,
    metric: Metric,
    period: Period,
    *,
    project: str | None = None,
    target: float | None = DEFAULT_ATTAINMENT_TARGET,
    margin: float = DEFAULT_MARGIN,
) -> KpiResult:
    """Attainment of one clock metric: met / (met + breached) over clocks stopped in the period.

    A clock belongs to the period of its stop instant ``[start, end)``. Running
    clocks are not in the rate; those past target are listed in
    ``details["open_breaches"]`` (count in ``details["open_breach_count"]``).
    ``details["by_priority"]`` maps each priority to ``{met, breached, value}``.
    """
    rows = (table.metric == METRIC_CODES.index(metric)) & _stopped_in(table, period)
    if (in_project := _project_rows(table, project)) is not None:
        rows &= in_project
    size = len(table.priorities)
    met = np.bincount(table.priority[rows & (table.status == _MET)], minlength=size)
    breached = np.bincount(table.priority[rows & (table.status == _BREACHED)], minlength=size)
    by_priority = {
        name: {"met": int(m), "breached": int(b), "value": ratio(int(m), int(m + b))}
        for name, m, b in zip(table.priorities, met.tolist(), breached.tolist(), strict=True)
        if m + b
    }
    n_met, n_total = int(met.sum()), int(met.sum() + breached.sum())
    breaches = open_breaches(table, metric, project)
    return ratio_result(
        f"{metric}_attainment",
        n_met,
        n_total,
        target=target,
        margin=margin,
        details={
            "by_priority": by_priority,
            "open_breach_count": len(breaches),
            "open_breaches": breaches,
        },
    )


def _ticket_outcomes(
    table: ClockTable, period: Period
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.int64]]:
    """Per ticket: decided in the period, every clock met, project code.

    A ticket's deciding clock is its resolution/turnaround clock, or its
    response clock when it has neither; it is decided in the period when that
    clock stopped in ``[start, end)``.
    """
    n = len(table.ticket_ids)
    ticket = table.ticket
    final = table.metric != _RESPONSE
    has_final = np.bincount(ticket[final], minlength=n) > 0
    deciding = final | ~has_final[ticket]
    stopped_in = _stopped_in(table, period)
    n_deciding = np.bincount(ticket[deciding], minlength=n)
    n_deciding_in = np.bincount(ticket[deciding & stopped_in], minlength=n)
    decided = (n_deciding > 0) & (n_deciding_in == n_deciding)
    all_met = np.bincount(ticket[table.status != _MET], minlength=n) == 0
    project = np.zeros(n, dtype=np.int64)
    project[ticket] = table.project
    return decided, decided & all_met, project


def project_attainments(
    table: ClockTable,
    period: Period,
    *,
    target: float | None = DEFAULT_ATTAINMENT_TARGET,
    margin: float = DEFAULT_MARGIN,
) -> dict[str, KpiResult]:
    """:func:`project_attainment` for every project of the table, in one pass."""
    decided, met, project = _ticket_outcomes(table, period)
    size = len(table.projects)
    n_decided = np.bincount(project[decided], minlength=size).tolist()
    n_met = np.bincount(project[met], minlength=size).tolist()
    return {
        name: ratio_result(
            "sla_attainment", n_met[code], n_decided[code], target=target, margin=margin
        )
        for code, name in enumerate(table.projects)
    }


def project_attainment(
    table: ClockTable,
    period: Period,
    project: str | None = None,
    *,
    target: float | None = DEFAULT_ATTAINMENT_TARGET,
    margin: float = DEFAULT_MARGIN,
) -> KpiResult:
    """Project SLA attainment rate (seed 0601 §7, SPEC §4).

    Over the tickets whose deciding clock (resolution/turnaround, else response)
    stopped in the period: the share whose every clock was met (a breached
    response counts against the ticket even when its resolution was met).
    ``project=None`` takes every ticket of the table as one project.
    """
    decided, met, project_code = _ticket_outcomes(table, period)
    if project is not None:
        code = table.projects.index(project) if project in table.projects else -1
        decided &= project_code == code
        met &= project_code == code
    n_decided, n_met = int(decided.sum()), int(met.sum())
    return ratio_result("sla_attainment", n_met, n_decided, target=target, margin=margin)


def company_attainment(
    project_rates: Mapping[str, KpiResult | float | None],
    *,
    target: float | None = DEFAULT_ATTAINMENT_TARGET,
    margin: float = DEFAULT_MARGIN,
) -> KpiResult:
    """Company SLA attainment rate (seed 0601 §7): Σ project rates / number of projects.

    The plain mean (not weighted by volume) over the projects whose rate is
    applicable; ``details["projects"]`` maps every project to its rate (None
    when not applicable).
    """
    rates = {
        name: rate.value if isinstance(rate, KpiResult) else rate
        for name, rate in project_rates.items()
    }
    applicable = [rate for rate in rates.values() if rate is not None]
    total = float(sum(applicable))
    return ratio_result(
        "sla_attainment",
        total,
        len(applicable),
        target=target,
        margin=margin,
        details={"projects": dict(sorted(rates.items()))},
    )

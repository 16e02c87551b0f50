"""Customer satisfaction and incident callbacks (seed 0403 §7.1, SPEC §4).

Seed 0403 §7.1: each resolved incident gets a telephone callback within a week
(每个已解决的事件在每周一内进行电话回访); satisfaction surveys are scored 1-5.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from itsskit.kpis.results import DEFAULT_MARGIN, KpiResult, ratio_result
from itsskit.models import SurveyKind, SurveyResponse, Ticket, TicketKind
from itsskit.periods import Period

__all__ = [
    "CALLBACK_WINDOW",
    "SATISFIED_SCORE",
    "callback_coverage",
    "satisfaction_mean",
    "satisfied_share",
]

#: A callback counts when made at most this long after the final resolution.
CALLBACK_WINDOW = timedelta(days=7)
#: A survey score at or above this is "satisfied".
SATISFIED_SCORE = 4


def _answered_in(surveys: Iterable[SurveyResponse], period: Period) -> list[SurveyResponse]:
    return [survey for survey in surveys if period.contains(survey.answered)]


def _by_score(surveys: Iterable[SurveyResponse]) -> dict[str, int]:
    counts = {str(score): 0 for score in range(1, 6)}
    for survey in surveys:
        counts[str(survey.score)] += 1
    return counts


def satisfaction_mean(
    surveys: Iterable[SurveyResponse], period: Period, *, target: float | None = None
) -> KpiResult:
    """Mean score (1-5) of the survey answers given in the period (all kinds).

    ``details["by_score"]`` counts the answers per score.
    """
    answered = _answered_in(surveys, period)
    total = sum(survey.score for survey in answered)
    return ratio_result(
        "satisfaction_mean",
        total,
        len(answered),
        unit="score",
        target=target,
        details={"by_score": _by_score(answered)},
    )


def satisfied_share(
    surveys: Iterable[SurveyResponse],
    period: Period,
    *,
    target: float | None = None,
    margin: float = DEFAULT_MARGIN,
) -> KpiResult:
    """Share of the answers given in the period with a score >= 4."""
    answered = _answered_in(surveys, period)
    satisfied = sum(survey.score >= SATISFIED_SCORE for survey in answered)
    return ratio_result("satisfied_share", satisfied, len(answered), target=target, margin=margin)


def callback_coverage(
    tickets: Iterable[Ticket],
    period: Period,
    surveys: Iterable[SurveyResponse] = (),
    *,
    target: float | None = None,
    margin: float = DEFAULT_MARGIN,
) -> KpiResult:
    """Incidents resolved in the period with a callback within 7 × 24 h / incidents resolved.

    A callback is the ticket's ``callback`` time or the answer time of a
    ``callback`` survey naming the ticket; it counts when
    ``resolved <= callback <= resolved + 7 × 24 h`` (exactly 7 × 24 h counts; a
    callback before the final resolution belongs to an earlier resolution and
    does not). ``details["missing"]`` lists the incidents without one.
    """
    callbacks: dict[str, list[datetime]] = {}
    for survey in surveys:
        if survey.kind == SurveyKind.CALLBACK and survey.ticket is not None:
            callbacks.setdefault(survey.ticket, []).append(survey.answered)
    covered: list[str] = []
    missing: list[str] = []
    for ticket in tickets:
        resolved = ticket.resolved
        if ticket.kind != TicketKind.INCIDENT or resolved is None or not period.contains(resolved):
            continue
        times = callbacks.get(ticket.id, []) + ([ticket.callback] if ticket.callback else [])
        ok = any(resolved <= time <= resolved + CALLBACK_WINDOW for time in times)
        (covered if ok else missing).append(ticket.id)
    total = len(covered) + len(missing)
    return ratio_result(
        "callback_coverage",
        len(covered),
        total,
        target=target,
        margin=margin,
        details={"missing": sorted(missing)},
    )

"""Customer satisfaction surveys (seed 0403 §6.2.5, §7.1): analysis and the satisfaction report.

Three kinds of survey (:class:`~itsskit.models.SurveyKind`): a telephone
callback of every resolved incident within one week of its resolution, a
project survey of the customer's key people after acceptance, and a company
survey at least once a year. Scores are 1-5; 4 and 5 are "satisfied"
(:data:`itsskit.kpis.SATISFIED_SCORE`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

import attrs

from itsskit.kpis import (
    CALLBACK_WINDOW,
    KpiResult,
    callback_coverage,
    satisfaction_mean,
    satisfied_share,
)
from itsskit.kpis.trends import slope
from itsskit.models import Report, Section, SurveyKind, SurveyResponse, Ticket
from itsskit.periods import Period
from itsskit.quality.common import (
    Table,
    day_text,
    quality_report,
    table,
    text,
    value_text,
)
from itsskit.wording import Texts

__all__ = [
    "LOW_SCORE",
    "SatisfactionAnalysis",
    "SurveyStats",
    "analyse_satisfaction",
    "callback_due",
    "callback_worklist",
    "satisfaction_report",
    "satisfaction_table",
]

#: Answers scoring at most this are listed for follow-up.
LOW_SCORE = 3
#: At most this many incidents without a callback are listed by name.
MAX_LISTED = 100


@attrs.frozen(kw_only=True)
class SurveyStats:
    """Answers, mean score, share satisfied and the count per score (1-5) of some answers."""

    count: int
    mean: float | None
    satisfied_share: float | None
    distribution: Mapping[int, int]

    @classmethod
    def of(cls, surveys: Sequence[SurveyResponse], period: Period) -> SurveyStats:
        """The statistics of the answers given in ``period`` (computed by the KPI engine)."""
        mean = satisfaction_mean(surveys, period)
        share = satisfied_share(surveys, period)
        by_score = mean.details["by_score"]
        return cls(
            count=int(mean.denominator or 0),
            mean=mean.value,
            satisfied_share=share.value,
            distribution={int(score): count for score, count in by_score.items()},
        )


@attrs.frozen(kw_only=True)
class SatisfactionAnalysis:
    """Satisfaction in a period: overall, by survey kind, by project, low scores, callbacks."""

    period: Period
    overall: SurveyStats
    by_kind: Mapping[str, SurveyStats]
    by_project: Mapping[str, SurveyStats]
    low_scores: tuple[SurveyResponse, ...]
    callback: KpiResult
    by_service: Mapping[str, SurveyStats] = attrs.field(factory=dict)
    by_month: Mapping[str, SurveyStats] = attrs.field(factory=dict)

    @property
    def mean_slope(self) -> float | None:
        """Least-squares slope of the monthly mean score (points per month), None under 2 months."""
        return slope([stats.mean for stats in self.by_month.values()])


def analyse_satisfaction(
    surveys: Iterable[SurveyResponse],
    tickets: Iterable[Ticket],
    period: Period,
    *,
    low_score: int = LOW_SCORE,
    services: Mapping[str, str] | None = None,
) -> SatisfactionAnalysis:
    """Analyse the answers given in ``period`` and the callbacks of the incidents resolved in it.

    By project, by survey kind, by service (the service of the ticket an
    answer names; ``services`` maps ticket id to service, default from
    ``tickets``) and by month of the period.
    """
    surveys, tickets = list(surveys), list(tickets)
    answers = [survey for survey in surveys if period.contains(survey.answered)]
    projects = sorted({survey.project or "" for survey in answers})
    service_of = (
        dict(services) if services is not None else {t.id: t.service or "" for t in tickets}
    )

    def service(survey: SurveyResponse) -> str:
        return service_of.get(survey.ticket or "", "") if survey.ticket else ""

    months = _months(period)
    return SatisfactionAnalysis(
        period=period,
        overall=SurveyStats.of(answers, period),
        by_kind={
            str(kind): SurveyStats.of([s for s in answers if s.kind == kind], period)
            for kind in SurveyKind
        },
        by_project={
            project: SurveyStats.of([s for s in answers if (s.project or "") == project], period)
            for project in projects
        },
        low_scores=tuple(
            sorted((s for s in answers if s.score <= low_score), key=lambda s: (s.answered, s.id))
        ),
        callback=callback_coverage(tickets, period, surveys),
        by_service={
            name: SurveyStats.of([s for s in answers if service(s) == name], period)
            for name in sorted({service(s) for s in answers})
        },
        by_month={
            month.label: SurveyStats.of([s for s in answers if month.contains(s.answered)], month)
            for month in months
        },
    )


def _months(period: Period) -> list[Period]:
    """The calendar months that make up ``period`` (none for a custom span)."""
    if period.kind == "month":
        return [period]
    if period.kind not in ("quarter", "year"):
        return []
    start = period.start
    count = 3 if period.kind == "quarter" else 12
    labels = [
        f"{start.year + (start.month - 1 + i) // 12}-{(start.month - 1 + i) % 12 + 1:02d}"
        for i in range(count)
    ]
    return [Period.parse(label, str(start.tzinfo)) for label in labels]


def callback_worklist(
    tickets: Iterable[Ticket],
    surveys: Iterable[SurveyResponse],
    at: datetime,
    *,
    since: datetime,
) -> list[dict[str, object]]:
    """Incidents resolved in ``[since, at)`` with no callback yet: ``due`` until resolution
    + 7 × 24 h, ``overdue`` after; most urgent first.

    A callback is the ticket's ``callback`` time or a ``callback`` survey naming
    the ticket, at or after the resolution (as the callback coverage KPI counts).
    """
    called: dict[str, list[datetime]] = {}
    for survey in surveys:
        if survey.kind == SurveyKind.CALLBACK and survey.ticket:
            called.setdefault(survey.ticket, []).append(survey.answered)
    rows: list[dict[str, object]] = []
    for ticket in tickets:
        resolved = ticket.resolved
        if ticket.kind != "incident" or resolved is None or not since <= resolved < at:
            continue
        times = [*called.get(ticket.id, ()), *([ticket.callback] if ticket.callback else ())]
        if any(resolved <= time <= at for time in times):
            continue
        due = resolved + CALLBACK_WINDOW
        rows.append({
            "ticket": ticket.id, "project": ticket.project or "", "service": ticket.service or "",
            "resolved": resolved.isoformat(), "due": due.isoformat(),
            "status": "overdue" if at > due else "due",
            "hours_left": round((due - at).total_seconds() / 3600, 1),
        })  # fmt: skip
    return sorted(rows, key=lambda row: (str(row["due"]), str(row["ticket"])))


def callback_due(ticket: Ticket) -> datetime | None:
    """When the callback of a resolved incident is due (resolution + 7 × 24 h), else None."""
    return None if ticket.resolved is None else ticket.resolved + CALLBACK_WINDOW


# ---------------------------------------------------------------------- report


def _w(language: str, key: str, **values: object) -> str:
    return Texts(language)(f"q.sat.{key}", **values)


def satisfaction_table(
    analysis: SatisfactionAnalysis, language: str, names: Mapping[str, str] | None = None
) -> Table:
    """Kind and project rows: answers, mean score, share satisfied (for other reports too)."""
    names = names or {}
    rows = [
        (_w(language, f"kind.{kind}"), stats)
        for kind, stats in analysis.by_kind.items()
        if stats.count
    ]
    rows += [(names.get(p, p) or "—", stats) for p, stats in analysis.by_project.items()]
    return table(
        (_w(language, "kind") + " / " + _w(language, "project"), _w(language, "answers"),
         _w(language, "mean"), _w(language, "satisfied")),
        [(label, s.count, value_text(s.mean, "score", language),
          value_text(s.satisfied_share, "ratio", language)) for label, s in rows],
    )  # fmt: skip


def satisfaction_report(
    analysis: SatisfactionAnalysis,
    *,
    generated: datetime,
    language: str = "zh-CN",
    project_names: Mapping[str, str] | None = None,
    low_score: int = LOW_SCORE,
    services: Mapping[str, str] | None = None,
) -> Report:
    """The satisfaction report (seed 0403 §6.2.5: 质量部 analyses and summarises) as a Report."""
    names = project_names or {}
    stats = analysis.overall
    sections = [_overview(analysis, language)]
    if stats.count:
        sections += [
            Section(
                key="distribution",
                title=_w(language, "distribution"),
                tables=(
                    table(
                        (_w(language, "score"), _w(language, "answers"), _w(language, "share")),
                        [(score, count, value_text(count / stats.count, "ratio", language))
                         for score, count in sorted(stats.distribution.items())],
                    ),
                ),
            ),
            Section(key="by_kind", title=_w(language, "by_kind"),
                    tables=(satisfaction_table(analysis, language, names),)),
            _breakdown(analysis.by_service, "by_service", "service", language, services or {}),
            _by_month(analysis, language),
        ]  # fmt: skip
    sections += [_low_scores(analysis, language, names, low_score), _callbacks(analysis, language)]
    return quality_report(
        report_id=f"satisfaction-{analysis.period.label}",
        title=_w(language, "title", period=analysis.period.label),
        period=analysis.period,
        sections=sections,
        generated=generated,
        language=language,
        purpose=_w(language, "purpose"),
        scope=[names.get(p, p) for p in analysis.by_project if p],
        figures={"satisfaction": {"answers": stats.count, "mean": stats.mean,
                                  "satisfied_share": stats.satisfied_share,
                                  "callback_coverage": analysis.callback.value}},
    )  # fmt: skip


def _stats_row(label: str, stats: SurveyStats, language: str) -> tuple[object, ...]:
    return (label, stats.count, value_text(stats.mean, "score", language),
            value_text(stats.satisfied_share, "ratio", language))  # fmt: skip


def _breakdown(
    groups: Mapping[str, SurveyStats],
    key: str,
    column: str,
    language: str,
    names: Mapping[str, str],
) -> Section:
    header = (_w(language, column), _w(language, "answers"), _w(language, "mean"),
              _w(language, "satisfied"))  # fmt: skip
    rows = [
        _stats_row(names.get(name, name) or "—", stats, language) for name, stats in groups.items()
    ]
    return Section(key=key, title=_w(language, key), tables=(table(header, rows),))


def _by_month(analysis: SatisfactionAnalysis, language: str) -> Section:
    """Month by month, with the trend of the mean score (least-squares slope)."""
    trend = analysis.mean_slope
    paragraph = (
        _w(language, "trend_none") if trend is None
        else _w(language, "trend", slope=f"{trend:+.3f}",
                direction=_w(language, "up" if trend > 0.005 else "down" if trend < -0.005 else "flat"))
    )  # fmt: skip
    header = (_w(language, "month"), _w(language, "answers"), _w(language, "mean"),
              _w(language, "satisfied"))  # fmt: skip
    rows = [
        (label, "—", text(language, "no_data"), text(language, "no_data")) if not stats.count
        else _stats_row(label, stats, language)
        for label, stats in analysis.by_month.items()
    ]  # fmt: skip
    return Section(key="by_month", title=_w(language, "by_month"), paragraphs=(paragraph,),
                   tables=(table(header, rows),))  # fmt: skip


def _overview(analysis: SatisfactionAnalysis, language: str) -> Section:
    stats, callback = analysis.overall, analysis.callback
    if not stats.count:
        return Section(
            key="overview", title=_w(language, "overview"), missing=_w(language, "no_data")
        )
    annual = analysis.by_kind[str(SurveyKind.ANNUAL)].count
    paragraphs = (
        _w(language, "overview_text", count=stats.count,
           mean=value_text(stats.mean, "score", language),
           share=value_text(stats.satisfied_share, "ratio", language),
           callback=value_text(callback.value, "ratio", language),
           done=int(callback.numerator or 0), total=int(callback.denominator or 0)),
        _w(language, "annual_ok", count=annual) if annual else _w(language, "annual_missing"),
    )  # fmt: skip
    return Section(key="overview", title=_w(language, "overview"), paragraphs=paragraphs)


def _low_scores(
    analysis: SatisfactionAnalysis, language: str, names: Mapping[str, str], low_score: int
) -> Section:
    title = _w(language, "low")
    if not analysis.low_scores:
        return Section(key="low_scores", title=title,
                       paragraphs=(_w(language, "low_none", score=low_score),))  # fmt: skip
    header = (_w(language, "id"), _w(language, "project"), _w(language, "kind"),
              _w(language, "ticket"), _w(language, "answered"), _w(language, "score"),
              _w(language, "comment"))  # fmt: skip
    rows = [
        (s.id, names.get(s.project or "", s.project or ""), _w(language, f"kind.{s.kind}"),
         s.ticket or "", day_text(s.answered), s.score, s.comment)
        for s in analysis.low_scores
    ]  # fmt: skip
    return Section(key="low_scores", title=title, tables=(table(header, rows),))


def _callbacks(analysis: SatisfactionAnalysis, language: str) -> Section:
    callback = analysis.callback
    title = _w(language, "callbacks")
    if callback.value is None:
        return Section(key="callbacks", title=title, missing=text(language, "na"))
    paragraphs = [
        _w(language, "callbacks_text", total=int(callback.denominator or 0),
           done=int(callback.numerator or 0),
           rate=value_text(callback.value, "ratio", language)),
    ]  # fmt: skip
    missing = list(callback.details.get("missing", ()))
    if missing:
        ids = ("、" if language == "zh-CN" else ", ").join(missing[:MAX_LISTED])
        paragraphs.append(_w(language, "missing_list", max=MAX_LISTED, ids=ids))
    return Section(key="callbacks", title=title, paragraphs=tuple(paragraphs))

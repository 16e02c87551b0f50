"""十、满意度分析: satisfaction scores, callback coverage and the period's surveys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from itsskit.models import Section, SurveyKind
from itsskit.report.sections.common import Table, mean, share_text
from itsskit.report.sections.indicators import value_text

if TYPE_CHECKING:
    from itsskit.report.builder import ReportContext


def satisfaction_section(context: ReportContext) -> Section:
    """十、满意度分析: mean score, satisfied share, callback coverage, score distribution, surveys."""
    texts, kpis = context.texts, context.kpis
    scores = kpis.get("satisfaction_mean")
    answers = int(scores.denominator or 0) if scores else 0
    # callbacks are recorded at all (a source without them would show 0 % coverage)
    has_callbacks = any(t.callback is not None for t in context.records.tickets)
    if not answers and not has_callbacks:
        return Section(
            key="satisfaction", title=texts("title.satisfaction"), missing=texts("sat.missing")
        )
    tables = [_summary_table(context, answers)]
    if answers and scores:
        tables.append(_score_table(scores.details.get("by_score", {}), answers, context))
    return Section(
        key="satisfaction",
        title=texts("title.satisfaction"),
        paragraphs=tuple(_survey_sentences(context)),
        tables=tuple(tables),
    )


def _summary_table(context: ReportContext, answers: int) -> Table:
    """Answers, mean score, satisfied share and callback coverage."""
    texts, kpis = context.texts, context.kpis
    scores, share = kpis.get("satisfaction_mean"), kpis.get("satisfied_share")
    callback = kpis.get("callback_coverage")
    rows = [
        (texts("sat.responses"), str(answers)),
        (
            texts("sat.mean"),
            texts("unit.score", value=texts.score(scores.value))
            if scores and scores.value is not None
            else texts.na,
        ),
        (texts("sat.share"), texts.percent(share.value if share else None)),
        (texts("sat.callback"), value_text(callback, texts) if callback else texts.na),
    ]
    return ((texts("sat.item"), texts("sat.value")), *rows)


def _score_table(by_score: Mapping[str, int], answers: int, context: ReportContext) -> Table:
    """How many answers gave each score, 5 down to 1."""
    texts = context.texts
    rows = [
        (
            texts("sat.score_label", score=score),
            str(by_score.get(score, 0)),
            share_text(by_score.get(score, 0), answers, texts),
        )
        for score in "54321"
    ]
    return ((texts("sat.score"), texts("sat.count"), texts("work.share")), *rows)


def _survey_sentences(context: ReportContext) -> list[str]:
    """A sentence on each project or annual survey answered in the period."""
    texts = context.texts
    answered = [s for s in context.records.surveys if context.period.contains(s.answered)]
    sentences = []
    for kind in (SurveyKind.PROJECT, SurveyKind.ANNUAL):
        scores = [s.score for s in answered if s.kind is kind]
        if scores:
            sentences.append(
                texts(
                    "sat.surveys",
                    kind=texts(f"sat.kind.{kind}"),
                    count=len(scores),
                    mean=texts.score(mean(scores)),
                    share=texts.percent(sum(1 for s in scores if s >= 4) / len(scores)),
                )
            )
    return sentences

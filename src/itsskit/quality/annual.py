"""The organisation's annual quality report (组织级质量年报, seed 0403 §6.2.3, §7.2.3).

Built from the KPI bundles of the year, its quarters and months
(:func:`itsskit.quality.indicators.kpis_by_period` over
:func:`~itsskit.quality.indicators.year_labels`): indicator results per project
and for the company, the month-by-month table, the missed indicators with a
prompt for their causes, satisfaction, the audit findings and the improvements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from itsskit.kpis import KpiResult
from itsskit.models import ImprovementItem, Indicator, Report, Section
from itsskit.periods import Period
from itsskit.quality.audit import Audit, findings_table
from itsskit.quality.common import (
    COMPANY,
    Table,
    check_language,
    day_text,
    kpi_label,
    quality_report,
    table,
    text,
    value_text,
)
from itsskit.quality.indicators import (
    IndicatorResult,
    evaluate_indicators,
    indicator_unit,
    year_labels,
)
from itsskit.quality.surveys import SatisfactionAnalysis, satisfaction_table
from itsskit.wording import Texts

__all__ = [
    "annual_report",
    "improvement_status",
    "improvements_section",
    "improvements_table",
    "indicator_label",
    "year_results",
]

KpisByPeriod = Mapping[str, Mapping[str, Mapping[str, KpiResult]]]


def _w(language: str, key: str, **values: object) -> str:
    return Texts(language)(f"q.annual.{key}", **values)


def indicator_label(indicator: Indicator, language: str) -> str:
    """The display name: the KPI's name for a built-in-style indicator, else its own name."""
    label = kpi_label(indicator.formula, language)
    return label if indicator.name == indicator.formula else f"{indicator.name}（{label}）"


def year_results(
    indicators: Sequence[Indicator], kpis: KpisByPeriod, year: int, timezone: str = "Asia/Shanghai"
) -> dict[str, list[IndicatorResult]]:
    """Indicator results for each label of :func:`year_labels` present in ``kpis``."""
    return {
        label: evaluate_indicators(indicators, kpis[label], Period.parse(label, timezone))
        for label in year_labels(year)
        if label in kpis
    }


def annual_report(
    indicators: Sequence[Indicator],
    kpis: KpisByPeriod,
    year: int,
    *,
    generated: datetime,
    language: str = "zh-CN",
    project_names: Mapping[str, str] | None = None,
    satisfaction: SatisfactionAnalysis | None = None,
    audit: Audit | None = None,
    improvements: Sequence[ImprovementItem] = (),
    timezone: str = "Asia/Shanghai",
) -> Report:
    """The annual quality report of ``year`` as a Report (render it with any renderer)."""
    check_language(language)
    names = {COMPANY: text(language, "company"), **(project_names or {})}
    results = year_results(indicators, kpis, year, timezone)
    assessed = [r for rs in results.values() for r in rs if r.assessed]
    missed = [r for r in assessed if r.status == "missed"]
    scopes = list(dict.fromkeys(r.scope for r in results.get(str(year), [])))
    scopes = [COMPANY, *(s for s in scopes if s != COMPANY)] if scopes else []
    on = min(generated.date(), date(year, 12, 31))
    sections = [
        Section(
            key="summary",
            title=_w(language, "summary"),
            paragraphs=(
                _w(
                    language,
                    "summary_text",
                    projects=len(scopes) - 1 if scopes else 0,
                    indicators=len(indicators),
                    missed=len(missed),
                    names=len({r.indicator.name for r in missed}),
                ),
            ),
        ),  # fmt: skip
        Section(
            key="indicators",
            title=_w(language, "results"),
            tables=(_results_table(indicators, results, assessed, scopes, year, names, language),),
        ),
        Section(
            key="monthly",
            title=_w(language, "monthly"),
            tables=(_monthly_table(indicators, results, scopes, names, year, language),),
        ),
        _missed_section(missed, names, language),
        _satisfaction_section(satisfaction, names, language),
        _audit_section(audit, on, language),
        improvements_section(improvements, on, language),
    ]
    return quality_report(
        report_id=f"quality-annual-{year}",
        title=_w(language, "title", year=year),
        period=Period.year(year, timezone),
        sections=sections,
        generated=generated,
        language=language,
        purpose=_w(language, "purpose"),
        audience=_w(language, "audience"),
        scope=[names.get(s, s) for s in scopes if s != COMPANY],
        figures={
            "indicators": [
                {"indicator": r.indicator.name, "scope": r.scope, "period": r.period,
                 "value": r.value, "target": r.indicator.target, "status": r.status}
                for r in assessed
            ]
        },
    )  # fmt: skip


def _target_text(indicator: Indicator, language: str) -> str:
    sign = "≥" if indicator.comparison == ">=" else "≤"
    return f"{sign} {value_text(indicator.target, indicator_unit(indicator), language)}"


def _value(result: IndicatorResult | None, language: str) -> str:
    if result is None:
        return text(language, "na")
    return value_text(result.value, indicator_unit(result.indicator), language)


def _results_table(
    indicators: Sequence[Indicator],
    results: Mapping[str, list[IndicatorResult]],
    assessed: Sequence[IndicatorResult],
    scopes: Sequence[str],
    year: int,
    names: Mapping[str, str],
    language: str,
) -> Table:
    yearly = {(r.indicator.name, r.scope): r for r in results.get(str(year), [])}
    rows = []
    for indicator in indicators:
        for scope in scopes:
            mine = [r for r in assessed if r.indicator.name == indicator.name and r.scope == scope]
            with_value = [r for r in mine if r.value is not None]
            met = sum(r.status == "met" for r in with_value)
            status = (
                "not_applicable" if not with_value else "missed" if met < len(with_value) else "met"
            )
            rows.append((
                indicator_label(indicator, language),
                text(language, f"period.{indicator.period}"),
                _target_text(indicator, language),
                names.get(scope, scope),
                _value(yearly.get((indicator.name, scope)), language),
                f"{met} / {len(with_value)}",
                text(language, f"status.{status}"),
                indicator.owner,
            ))  # fmt: skip
    header = ("indicator", "period", "target", "scope", "year_value", "assessed", "status", "owner")
    return table([_w(language, key) for key in header], rows)


def _monthly_table(
    indicators: Sequence[Indicator],
    results: Mapping[str, list[IndicatorResult]],
    scopes: Sequence[str],
    names: Mapping[str, str],
    year: int,
    language: str,
) -> Table:
    labels = [f"{year}-{month:02d}" for month in range(1, 13)] + [str(year)]
    by_key = {
        (label, r.indicator.name, r.scope): r for label in labels for r in results.get(label, [])
    }
    header = [_w(language, "indicator"), _w(language, "scope"),
              *(f"{m:02d}" for m in range(1, 13)), _w(language, "year")]  # fmt: skip
    rows = [
        [indicator_label(i, language), names.get(scope, scope),
         *(_value(by_key.get((label, i.name, scope)), language) for label in labels)]
        for i in indicators
        for scope in scopes
    ]  # fmt: skip
    return table(header, rows)


def _missed_section(
    missed: Sequence[IndicatorResult], names: Mapping[str, str], language: str
) -> Section:
    title = _w(language, "missed")
    if not missed:
        return Section(key="missed", title=title, paragraphs=(_w(language, "missed_none"),))
    header = [
        _w(language, k)
        for k in ("indicator", "scope", "period", "actual", "target", "cause", "measure")
    ]
    rows = [
        (indicator_label(r.indicator, language), names.get(r.scope, r.scope), r.period,
         _value(r, language), _target_text(r.indicator, language),
         text(language, "cause_prompt"), text(language, "measure_prompt"))
        for r in missed
    ]  # fmt: skip
    return Section(
        key="missed", title=title, paragraphs=(_w(language, "missed_intro"),),
        tables=(table(header, rows),),
    )  # fmt: skip


def _satisfaction_section(
    analysis: SatisfactionAnalysis | None, names: Mapping[str, str], language: str
) -> Section:
    title = _w(language, "satisfaction")
    if analysis is None or not analysis.overall.count:
        return Section(
            key="satisfaction", title=title, missing=_w(language, "satisfaction_missing")
        )
    return Section(
        key="satisfaction", title=title, tables=(satisfaction_table(analysis, language, names),)
    )


def _audit_section(audit: Audit | None, on: date, language: str) -> Section:
    title = _w(language, "audit")
    if audit is None:
        return Section(key="audit", title=title, missing=_w(language, "audit_missing"))
    if not audit.findings:
        return Section(
            key="audit", title=title, paragraphs=(_w(language, "audit_none", id=audit.id),)
        )
    return Section(key="audit", title=title, tables=(findings_table(audit, on, language),))


def improvement_status(item: ImprovementItem, on: date) -> str:
    """``closed`` when done by ``on``, ``overdue`` past its due date, else ``open``."""
    if item.done is not None and item.done <= on:
        return "closed"
    return "overdue" if item.due is not None and item.due < on else "open"


def improvements_table(items: Sequence[ImprovementItem], on: date, language: str) -> Table:
    """Improvement items and their status on ``on``."""
    header = [
        _w(language, k) for k in ("id", "description", "source", "owner", "due", "done", "status")
    ]
    rows = [
        (i.id, i.description, i.source, i.owner, day_text(i.due), day_text(i.done),
         _w(language, improvement_status(i, on)))
        for i in items
    ]  # fmt: skip
    return table(header, rows)


def improvements_section(
    items: Sequence[ImprovementItem], on: date, language: str, title: str = ""
) -> Section:
    """The improvement items and their status on ``on`` (``title``: default this report's)."""
    title = title or _w(language, "improvements")
    if not items:
        return Section(
            key="improvements", title=title, paragraphs=(_w(language, "improvements_none"),)
        )
    return Section(
        key="improvements", title=title, tables=(improvements_table(items, on, language),)
    )

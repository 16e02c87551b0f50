"""The organisation's annual quality report (组织级质量年报, seed 0403 §6.2.3, §7.2.3).

Built from the KPI bundles of the year, its quarters and months
(:func:`itsskit.quality.indicators.kpis_by_period` over
:func:`~itsskit.quality.indicators.year_labels`): indicator results per project
and for the company, the month-by-month table, the missed indicators with a
prompt for their causes, satisfaction, the audit findings and the improvements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime

from itsskit.improvements import RegisterItem, from_improvement_item, shown_status
from itsskit.kpis import KpiResult
from itsskit.kpis.catalogue import KpiCatalogue
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
    target_for,
    year_labels,
)
from itsskit.quality.surveys import SatisfactionAnalysis, satisfaction_table
from itsskit.times import DEFAULT_TIMEZONE
from itsskit.wording import Texts

__all__ = [
    "MONTHLY_COLUMNS",
    "annual_report",
    "improvement_status",
    "improvements_section",
    "improvements_table",
    "indicator_label",
    "value_of",
    "year_results",
]

#: At most this many indicator columns in one monthly table (so it fits an A4 page).
MONTHLY_COLUMNS = 4

KpisByPeriod = Mapping[str, Mapping[str, Mapping[str, KpiResult]]]


def _w(language: str, key: str, **values: object) -> str:
    return Texts(language)(f"q.annual.{key}", **values)


def indicator_label(
    indicator: Indicator, language: str, catalogue: KpiCatalogue | None = None
) -> str:
    """The display name: its ``label``, else the KPI's name (with its own name when it differs);
    its ``unit_label`` in brackets."""
    kpi = kpi_label(indicator.formula, language, catalogue)
    name = indicator.label or (
        kpi if indicator.name == indicator.formula else f"{indicator.name}（{kpi}）"
    )
    return f"{name}（{indicator.unit_label}）" if indicator.unit_label else name


def value_of(result: IndicatorResult, language: str) -> str:
    """An indicator result's value in its unit, or n/a."""
    return value_text(result.value, indicator_unit(result.indicator), language)


def year_results(
    indicators: Sequence[Indicator], kpis: KpisByPeriod, year: int, timezone: str = DEFAULT_TIMEZONE
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
    register: Sequence[RegisterItem] = (),
    catalogue: KpiCatalogue | None = None,
    timezone: str = DEFAULT_TIMEZONE,
    charts: bool = True,
) -> Report:
    """The annual quality report of ``year`` as a Report (render it with any renderer).

    ``register`` holds the improvement register's items: the missed indicators
    take their cause and measure from the ``indicator`` items (``ref``
    ``indicator/scope/period``), the improvements section lists them all.
    ``improvements`` (0.1.0 items) are shown too. A month without a figure
    shows "no data"; ``charts`` adds each indicator's monthly trend chart.
    """
    check_language(language)
    items = [
        *register,
        *(from_improvement_item(i, by="file", at=datetime.now(UTC)) for i in improvements),
    ]
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
            paragraphs=(_w(language, "monthly_note"),),
            tables=tuple(_monthly_tables(indicators, results, scopes, names, year, language)),
            charts=_trend_charts(indicators, results, year, language, catalogue) if charts else {},
        ),
        _missed_section(missed, names, language, items),
        _satisfaction_section(satisfaction, names, language),
        _audit_section(audit, on, language),
        improvements_section(items, on, language),
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


def _target_text(indicator: Indicator, language: str, scope: str | None = None) -> str:
    sign = "≥" if indicator.comparison == ">=" else "≤"
    target = target_for(indicator, scope)
    return f"{sign} {value_text(target, indicator_unit(indicator), language)}"


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
                _target_text(indicator, language, scope),
                names.get(scope, scope),
                _value(yearly.get((indicator.name, scope)), language),
                f"{met} / {len(with_value)}",
                text(language, f"status.{status}"),
                indicator.owner,
            ))  # fmt: skip
    header = ("indicator", "period", "target", "scope", "year_value", "assessed", "status", "owner")
    return table([_w(language, key) for key in header], rows)


def _monthly_tables(
    indicators: Sequence[Indicator],
    results: Mapping[str, list[IndicatorResult]],
    scopes: Sequence[str],
    names: Mapping[str, str],
    year: int,
    language: str,
) -> list[Table]:
    """Per scope, the months down and at most :data:`MONTHLY_COLUMNS` indicators across.

    A month without a figure for the scope (no record at all) shows "no data".
    """
    labels = [f"{year}-{month:02d}" for month in range(1, 13)] + [str(year)]
    by_key = {
        (label, r.indicator.name, r.scope): r for label in labels for r in results.get(label, [])
    }
    tables = []
    for scope in scopes:
        for start in range(0, len(indicators), MONTHLY_COLUMNS):
            chunk = indicators[start : start + MONTHLY_COLUMNS]
            header = [f"{names.get(scope, scope)} · {_w(language, 'month')}",
                      *(indicator_label(i, language) for i in chunk)]  # fmt: skip
            rows = [
                [label[5:] if label != str(year) else _w(language, "year"),
                 *(_month_value(by_key.get((label, i.name, scope)), language) for i in chunk)]
                for label in labels
            ]  # fmt: skip
            tables.append(table(header, rows))
    return tables


def _month_value(result: IndicatorResult | None, language: str) -> str:
    return _w(language, "no_data") if result is None else _value(result, language)


def _trend_charts(
    indicators: Sequence[Indicator],
    results: Mapping[str, list[IndicatorResult]],
    year: int,
    language: str,
    catalogue: KpiCatalogue | None,
) -> dict[str, bytes]:
    """Each indicator's company figure month by month against its target (PNG)."""
    from itsskit.report.charts import indicator_trend

    labels = [f"{year}-{month:02d}" for month in range(1, 13)]
    company = {(r.period, r.indicator.name): r for label in labels
               for r in results.get(label, []) if r.scope == COMPANY}  # fmt: skip
    charts = {}
    for indicator in indicators:
        values = [
            None if (found := company.get((label, indicator.name))) is None else found.value
            for label in labels
        ]
        charts[f"trend_{indicator.name}"] = indicator_trend(
            [label[5:] for label in labels], values, indicator.target,
            indicator_unit(indicator), language,
            title=indicator_label(indicator, language, catalogue),
        )  # fmt: skip
    return charts


def _missed_section(
    missed: Sequence[IndicatorResult],
    names: Mapping[str, str],
    language: str,
    items: Sequence[RegisterItem] = (),
) -> Section:
    """Missed indicators with the cause and measure entered in the register (or a prompt)."""
    title = _w(language, "missed")
    if not missed:
        return Section(key="missed", title=title, paragraphs=(_w(language, "missed_none"),))
    by_ref = {i.ref: i for i in items if i.source == "indicator"}
    header = [
        _w(language, k)
        for k in ("indicator", "scope", "period", "actual", "target", "cause", "measure", "item")
    ]
    rows = []
    for r in missed:
        item = by_ref.get(f"{r.indicator.name}/{r.scope}/{r.period}")
        rows.append((
            indicator_label(r.indicator, language), names.get(r.scope, r.scope), r.period,
            _value(r, language), _target_text(r.indicator, language, r.scope),
            (item.cause if item else "") or text(language, "cause_prompt"),
            (item.action if item else "") or text(language, "measure_prompt"),
            f"{item.id} ({text(language, 'imp.status.' + item.status)})" if item else "",
        ))  # fmt: skip
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
    """``closed`` when done by ``on``, ``overdue`` past its due date, else ``open`` (0.1.0 items)."""
    if item.done is not None and item.done <= on:
        return "closed"
    return "overdue" if item.due is not None and item.due < on else "open"


def improvements_table(
    items: Sequence[RegisterItem | ImprovementItem], on: date, language: str
) -> Table:
    """Register items with source, owner, due, last verification and status on ``on``."""
    register = [_as_register(i) for i in items]
    header = [
        _w(language, k)
        for k in ("id", "description", "source", "owner", "due", "verification", "status")
    ]
    rows = [
        (i.id, i.description + (f" — {i.action}" if i.action else ""),
         text(language, f"imp.source.{i.source}"), i.owner, day_text(i.due), _verification(i, language),
         text(language, f"imp.status.{shown_status(i, on)}"))
        for i in register
    ]  # fmt: skip
    return table(header, rows)


def _as_register(item: RegisterItem | ImprovementItem) -> RegisterItem:
    if isinstance(item, RegisterItem):
        return item
    return from_improvement_item(item, by="file", at=datetime.now(UTC))


def _verification(item: RegisterItem, language: str) -> str:
    if not item.verifications:
        return ""
    last = item.verifications[-1]
    verdict = text(language, "imp.effective" if last.effective else "imp.ineffective")
    return f"{last.on.isoformat()} {last.by}: {verdict}"


def improvements_section(
    items: Sequence[RegisterItem | ImprovementItem], on: date, language: str, title: str = ""
) -> Section:
    """The improvement items and their status on ``on`` (``title``: default this report's)."""
    title = title or _w(language, "improvements")
    if not items:
        return Section(
            key="improvements", title=title, paragraphs=(_w(language, "improvements_none"),)
        )
    register = [_as_register(i) for i in items]
    counts = {status: sum(shown_status(i, on) == status for i in register)
              for status in ("open", "done", "verified", "closed", "overdue")}  # fmt: skip
    return Section(
        key="improvements", title=title,
        paragraphs=(_w(language, "improvements_counts", total=len(register), **counts),),
        tables=(improvements_table(register, on, language),),
    )  # fmt: skip

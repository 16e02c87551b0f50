"""九、趋势分析: the main KPIs of the last periods, their change and slope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from itsskit.kpis import change, slope
from itsskit.kpis.catalogue import builtin_catalogue
from itsskit.kpis.results import Unit
from itsskit.models import Section
from itsskit.report import charts
from itsskit.report.texts import Texts

if TYPE_CHECKING:
    from itsskit.report.builder import ReportContext

#: The built-in KPIs of the trend table: KPI name, column heading per language.
TREND_KPIS: tuple[tuple[str, Mapping[str, str]], ...] = tuple(
    (d.name, d.trend_labels) for d in builtin_catalogue().in_report_order() if d.trend_labels
)


@attrs.frozen
class _Column:
    name: str
    heading: str
    unit: Unit


def _columns(context: ReportContext) -> list[_Column]:
    """The ticket count, then each KPI of the catalogue with a trend label."""
    columns = [_Column("tickets", context.texts("tr.tickets"), "count")]
    for descriptor in context.host.kpis().in_report_order():
        if descriptor.trend_labels:
            heading = descriptor.trend_labels[context.language]
            columns.append(_Column(descriptor.name, heading, descriptor.unit))
    return columns


def trend_rows(context: ReportContext) -> list[dict[str, Any]]:
    """The trend table as data: per period since the first with tickets, opened count and KPIs."""
    names = [column.name for column in _columns(context)[1:]]
    opened = context.history_opened
    first = next((i for i, count in enumerate(opened) if count), len(opened) - 1)
    return [
        {
            "period": period.label,
            "tickets": count,
            **{name: bundle[name].value for name in names if name in bundle},
        }
        for (period, bundle), count in list(zip(context.history, opened, strict=True))[first:]
    ]


def trends_section(context: ReportContext) -> Section:
    """九、趋势分析: main KPIs of the last 12 periods, change against the previous one, slope."""
    texts = context.texts
    rows = trend_rows(context)
    if len(rows) < 2:
        return Section(key="trends", title=texts("title.trends"), missing=texts("tr.missing"))
    columns = _columns(context)
    header = (texts("tr.period"), *(column.heading for column in columns))
    body = [
        (
            row["period"],
            *(_value_cell(column.unit, row.get(column.name), texts) for column in columns),
        )
        for row in rows
    ]
    changes = [change(rows[-1].get(c.name), rows[-2].get(c.name)) for c in columns]
    slopes = [slope([row.get(column.name) for row in rows]) for column in columns]
    body.append(_change_row(texts("tr.change"), columns, changes, texts))
    body.append(_change_row(texts("tr.slope"), columns, slopes, texts))
    sla = context.kpis.get("sla_attainment")
    chart = charts.attainment_trend(
        [row["period"] for row in rows],
        [row.get("sla_attainment") for row in rows],
        sla.target if sla else None,
        context.language,
    )
    return Section(
        key="trends",
        title=texts("title.trends"),
        paragraphs=(texts("tr.intro", count=len(rows)),),
        tables=((header, *body),),
        charts={texts("chart.attainment"): chart},
    )


def _value_cell(unit: Unit, value: float | None, texts: Texts) -> str:
    if unit == "count":
        return texts.count(value)
    if unit == "score":
        return texts.score(value)
    return texts.duration(value) if unit == "seconds" else texts.percent(value)


def _change_row(
    label: str, columns: list[_Column], values: list[float | None], texts: Texts
) -> tuple[str, ...]:
    """``label`` then each column's change: counts, score points, durations or percentage points."""
    cells = (
        _change_cell(column.unit, value, texts)
        for column, value in zip(columns, values, strict=True)
    )
    return (label, *cells)


def _change_cell(unit: Unit, value: float | None, texts: Texts) -> str:
    if value is None:
        return texts.na
    if unit == "count":
        return texts.signed(texts.number(value, 1 if value != round(value) else 0), value)
    if unit == "score":
        return texts.signed(texts.score(value), value)
    if unit == "seconds":
        return texts.signed(texts.duration(value), value)
    return texts.signed(texts("unit.points", value=texts.number(value * 100, 2)), value)

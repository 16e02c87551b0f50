"""九、趋势分析: the main KPIs of the last periods, their change and slope."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from itsskit.kpis import change, slope
from itsskit.models import Section
from itsskit.report import charts
from itsskit.report.texts import Texts

if TYPE_CHECKING:
    from itsskit.report.builder import ReportContext

#: The KPIs of the trend table: KPI name, column heading key.
TREND_KPIS: tuple[tuple[str, str], ...] = (
    ("response_attainment", "tr.response"),
    ("resolution_attainment", "tr.resolution"),
    ("sla_attainment", "tr.sla"),
    ("availability", "tr.availability"),
    ("satisfaction_mean", "tr.satisfaction"),
)
#: The columns of the trend table after the period: ticket count, then the KPIs.
COLUMNS = (("tickets", "tr.tickets"), *TREND_KPIS)


def trend_rows(context: ReportContext) -> list[dict[str, Any]]:
    """The trend table as data: per period since the first with tickets, opened count and KPIs."""
    opened = context.history_opened
    first = next((i for i, count in enumerate(opened) if count), len(opened) - 1)
    return [
        {
            "period": period.label,
            "tickets": count,
            **{name: bundle[name].value for name, _ in TREND_KPIS if name in bundle},
        }
        for (period, bundle), count in list(zip(context.history, opened, strict=True))[first:]
    ]


def trends_section(context: ReportContext) -> Section:
    """九、趋势分析: main KPIs of the last 12 periods, change against the previous one, slope."""
    texts = context.texts
    rows = trend_rows(context)
    if len(rows) < 2:
        return Section(key="trends", title=texts("title.trends"), missing=texts("tr.missing"))
    header = (texts("tr.period"), *(texts(key) for _, key in COLUMNS))
    body = [
        (row["period"], *(_value_cell(name, row.get(name), texts) for name, _ in COLUMNS))
        for row in rows
    ]
    changes = [change(rows[-1].get(name), rows[-2].get(name)) for name, _ in COLUMNS]
    slopes = [slope([row.get(name) for row in rows]) for name, _ in COLUMNS]
    body.append(_change_row(texts("tr.change"), changes, texts))
    body.append(_change_row(texts("tr.slope"), slopes, texts))
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


def _value_cell(name: str, value: float | None, texts: Texts) -> str:
    if name == "tickets":
        return texts.count(value)
    return texts.score(value) if name == "satisfaction_mean" else texts.percent(value)


def _change_row(label: str, values: list[float | None], texts: Texts) -> tuple[str, ...]:
    """``label`` then each column's change: tickets, score points or percentage points."""
    cells = (
        _change_cell(name, value, texts) for (name, _), value in zip(COLUMNS, values, strict=True)
    )
    return (label, *cells)


def _change_cell(name: str, value: float | None, texts: Texts) -> str:
    if value is None:
        return texts.na
    if name == "tickets":
        return texts.signed(texts.number(value, 1 if value != round(value) else 0), value)
    if name == "satisfaction_mean":
        return texts.signed(texts.score(value), value)
    return texts.signed(texts("unit.points", value=texts.number(value * 100, 2)), value)

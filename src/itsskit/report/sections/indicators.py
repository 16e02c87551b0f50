"""三、服务级别指标达成情况: the indicator table and how a KPI value reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from itsskit.kpis import BUILTIN_KPIS, KpiResult
from itsskit.kpis.catalogue import ReportRow, builtin_catalogue
from itsskit.models import Section
from itsskit.report.sections.common import Table
from itsskit.report.texts import Texts

if TYPE_CHECKING:
    from itsskit.report.builder import ReportContext

#: Built-in KPIs that can be rows of the indicator table, in order (see
#: :attr:`itsskit.kpis.KpiDescriptor.report_row`).
INDICATORS: tuple[str, ...] = tuple(
    d.name for d in builtin_catalogue().in_report_order() if d.report_row != "never"
)
#: Built-in indicators kept in the table even without data or target.
ALWAYS_SHOWN = frozenset(d.name for d in BUILTIN_KPIS if d.report_row == "always")


def indicator_status(result: KpiResult, texts: Texts) -> str:
    """正常/异常 (Normal/Abnormal) against the target; 不适用 without data; — without a target."""
    if result.status == "missed":
        return texts("ind.abnormal")
    if result.status in ("met", "at_risk"):
        return texts("ind.normal")
    return texts.na if result.status == "not_applicable" else texts("ind.none")


def value_text(result: KpiResult, texts: Texts) -> str:
    """A KPI value in its unit: ``95.50%``, ``2 次``, ``1小时30分``, ``4.50 分``."""
    if result.value is None:
        return texts.na
    return _in_unit(result.value, result.unit, texts, percent=texts.percent)


def target_text(result: KpiResult, texts: Texts) -> str:
    """A KPI target in its unit: ``95%``, ``2 次``, ``4小时``; — without a target."""
    if result.target is None:
        return texts("ind.none")
    return _in_unit(result.target, result.unit, texts, percent=texts.target_percent)


def standard_text(result: KpiResult, texts: Texts) -> str:
    """The agreed standard: ``≥ 95%``, ``≤ 2 次``, ``≤ 2小时``; — without a target."""
    if result.target is None:
        return texts("ind.none")
    sign = "≥" if result.comparison == ">=" else "≤"
    return f"{sign} {target_text(result, texts)}"


def _in_unit(value: float, unit: str, texts: Texts, *, percent: Callable[[float], str]) -> str:
    if unit == "ratio":
        return percent(value)
    if unit == "seconds":
        return texts.duration(value)
    if unit == "count":
        return texts("unit.times", n=texts.count(value))
    return texts("unit.score", value=texts.score(value))


def shown_indicators(context: ReportContext) -> list[str]:
    """The KPI names of the indicator table, in order."""
    shown = []
    for descriptor in context.host.kpis().in_report_order():
        result = context.kpis.get(descriptor.name)
        if result is not None and _shown(descriptor.report_row, result):
            shown.append(descriptor.name)
    return shown


def _shown(row: ReportRow, result: KpiResult) -> bool:
    if row == "always":
        return True
    if row == "with_data":
        return result.value is not None
    return row == "with_target_or_data" and (result.target is not None or result.value is not None)


def abnormal_indicators(context: ReportContext) -> list[str]:
    """Names of the indicators that missed their target."""
    return [name for name in shown_indicators(context) if context.kpis[name].status == "missed"]


def indicator_rows(context: ReportContext) -> list[dict[str, str]]:
    """The indicator table as dicts: key, name, standard, actual, status, remarks."""
    texts = context.texts
    return [
        {
            "key": name,
            "name": context.kpi_label(name),
            "standard": standard_text(context.kpis[name], texts),
            "actual": value_text(context.kpis[name], texts),
            "status": indicator_status(context.kpis[name], texts),
            "remarks": _remark(name, context.kpis[name], context),
        }
        for name in shown_indicators(context)
    ]


def indicators_section(context: ReportContext) -> Section:
    """三、服务级别指标达成情况: one table, then cause analysis of every abnormal indicator."""
    texts = context.texts
    rows = indicator_rows(context)
    if not rows:
        return Section(
            key="indicators", title=texts("title.indicators"), missing=texts("ind.missing")
        )
    columns = ("name", "standard", "actual", "status", "remarks")
    header = tuple(texts(f"ind.{column}") for column in columns)
    tables: list[Table] = [(header, *(tuple(row[c] for c in columns) for row in rows))]
    abnormal = [row for row in rows if row["status"] == texts("ind.abnormal")]
    if abnormal:
        tables.append(_cause_table(abnormal, context))
    assessed = sum(
        1 for row in rows if row["status"] in (texts("ind.normal"), texts("ind.abnormal"))
    )
    intro = texts(
        "ind.intro" if abnormal else "ind.intro_ok", count=assessed, abnormal=len(abnormal)
    )
    return Section(
        key="indicators", title=texts("title.indicators"), paragraphs=(intro,), tables=tuple(tables)
    )


def _cause_table(abnormal: list[dict[str, str]], context: ReportContext) -> Table:
    """Each abnormal indicator with the manager's cause and suggestion (or prompts for them)."""
    texts = context.texts
    header = (
        texts("ind.abnormal_indicator"),
        texts("ind.cause_column"),
        texts("ind.suggestion_column"),
    )
    rows = []
    for row in abnormal:
        cause = context.notes.causes.get(row["key"])
        rows.append(
            (
                texts(
                    "ind.cause_heading",
                    name=row["name"],
                    actual=row["actual"],
                    standard=row["standard"],
                ),
                cause.cause if cause and cause.cause else texts("ind.cause_prompt"),
                cause.suggestion if cause and cause.suggestion else texts("ind.suggestion_prompt"),
            )
        )
    return (header, *rows)


def _remark(name: str, result: KpiResult, context: ReportContext) -> str:
    """The remarks cell: what the value is made of (tickets met, failures, answers ...)."""
    texts, parts = context.texts, []
    if result.value is not None and name.endswith("attainment"):
        parts.append(
            texts(
                "ind.remark_tickets",
                met=texts.count(result.numerator),
                total=texts.count(result.denominator),
            )
        )
        open_count = result.details.get("open_breach_count", 0)
        if open_count:
            parts.append(texts("ind.remark_open", count=open_count))
    elif name == "availability" and result.value is not None:
        failures = context.kpis.get("failure_count")
        downtime = context.kpis.get("downtime_seconds")
        if failures is not None and downtime is not None:
            parts.append(
                texts(
                    "ind.remark_availability",
                    failures=texts.count(failures.value),
                    downtime=texts.duration(downtime.value),
                )
            )
    elif name in ("satisfaction_mean", "satisfied_share") and result.denominator:
        parts.append(texts("ind.remark_answers", count=texts.count(result.denominator)))
    elif name == "callback_coverage" and result.denominator:
        parts.append(
            texts(
                "ind.remark_callback",
                done=texts.count(result.numerator),
                total=texts.count(result.denominator),
            )
        )
    elif name == "longest_failure_seconds" and result.value:
        longest = max(
            result.details.get("services", {}).items(), key=lambda item: item[1], default=None
        )
        if longest:
            parts.append(context.service_name(longest[0]))
    if result.status == "at_risk":
        parts.append(texts("ind.remark_at_risk"))
    return texts("list.remark_sep").join(parts)

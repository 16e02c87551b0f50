"""五、服务级别目标执行情况 and 六、不符合项与问题: the SLA targets met and missed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from itsskit.clocks import Clock
from itsskit.models import ClockStatus, Metric, Section, Ticket
from itsskit.report.sections.common import (
    Row,
    Table,
    calendar_text,
    metric_name,
    priority_order,
    resolved_text,
)
from itsskit.report.sections.indicators import target_text, value_text

if TYPE_CHECKING:
    from itsskit.report.builder import ReportContext

#: Sentences on the outage limits of the SLA: KPI name, text key.
LIMITS = (
    ("availability", "tgt.availability"),
    ("failure_count", "tgt.failures"),
    ("longest_failure_seconds", "tgt.longest"),
)


def targets_section(context: ReportContext) -> Section:
    """五、服务级别目标执行情况: per metric and priority, target, measured, met, breached, attainment."""
    texts = context.texts
    paragraphs = (texts("tgt.intro", calendar=calendar_text(context)), *_limit_sentences(context))
    rows = _target_rows(context)
    if not any(int(row[3]) for row in rows):
        return Section(
            key="targets",
            title=texts("title.targets"),
            paragraphs=paragraphs,
            missing=texts("tgt.missing"),
        )
    columns = ("metric", "priority", "target", "stopped", "met", "breached", "attainment", "result")
    header = tuple(texts(f"tgt.{key}") for key in columns)
    return Section(
        key="targets",
        title=texts("title.targets"),
        paragraphs=paragraphs,
        tables=((header, *rows),),
    )


def _target_rows(context: ReportContext) -> list[Row]:
    """A row per metric and priority that has a target or a measured clock."""
    texts, sla = context.texts, context.sla
    rows: list[Row] = []
    for metric in Metric:
        result = context.kpis.get(f"{metric}_attainment")
        targets: Mapping[str, int] = getattr(sla.targets, str(metric)) if sla else {}
        by_priority = result.details.get("by_priority", {}) if result else {}
        target = result.target if result else None
        for priority in priority_order([*targets, *by_priority]):
            counts = by_priority.get(priority, {"met": 0, "breached": 0, "value": None})
            measured = counts["met"] + counts["breached"]
            if priority not in targets and not measured:
                continue
            value = counts["value"]
            status = (
                texts.na
                if value is None
                else texts("ind.normal" if target is None or value >= target else "ind.abnormal")
            )
            rows.append(
                (
                    metric_name(metric, texts),
                    priority,
                    texts.duration(targets[priority]) if priority in targets else texts("ind.none"),
                    str(measured),
                    str(counts["met"]),
                    str(counts["breached"]),
                    texts.percent(value),
                    status,
                )
            )
    return rows


def _limit_sentences(context: ReportContext) -> list[str]:
    """Availability, failure count and longest failure against their limits, when agreed."""
    texts, sentences = context.texts, []
    for name, key in LIMITS:
        result = context.kpis.get(name)
        if result is not None and result.target is not None and result.value is not None:
            sentences.append(
                texts(key, target=target_text(result, texts), value=value_text(result, texts))
            )
    return sentences


def period_breaches(context: ReportContext) -> list[Clock]:
    """Clocks stopped in the period past their target."""
    return [c for c in context.stopped_clocks() if c.status is ClockStatus.BREACHED]


def open_breaches(context: ReportContext) -> list[Clock]:
    """Clocks still running at the evaluation instant and already past their target."""
    return [c for c in context.clocks if c.stopped is None and c.status is ClockStatus.BREACHED]


def security_incidents(context: ReportContext) -> list[Ticket]:
    """Security incidents opened in the period."""
    return sorted((t for t in context.opened() if t.security), key=lambda t: (t.opened, t.id))


def breach_rows(clocks: Sequence[Clock], context: ReportContext) -> list[dict[str, Any]]:
    """Breached clocks as dicts (ticket, service, priority, metric, target, elapsed, over)."""
    ordered = sorted(clocks, key=lambda c: (c.stopped or context.at, c.ticket_id, str(c.metric)))
    return [
        {
            "ticket_id": c.ticket_id,
            "service": c.service,
            "priority": c.priority,
            "metric": str(c.metric),
            "target_seconds": c.target_seconds,
            "elapsed_seconds": c.elapsed_seconds,
            "over_seconds": c.elapsed_seconds - c.target_seconds,
            "stopped": c.stopped.isoformat() if c.stopped else None,
        }
        for c in ordered
    ]


def nonconformities_section(context: ReportContext) -> Section:
    """六、不符合项与问题: SLA breaches, open breaches, security incidents and notes."""
    texts = context.texts
    paragraphs, tables = [], []
    for clocks, key, table_key, none_key in (
        (period_breaches(context), "nc.breaches", "nc.breach_table", "nc.no_breaches"),
        (open_breaches(context), "nc.open", "nc.open_table", "nc.no_open"),
    ):
        rows = breach_rows(clocks, context)
        if rows:
            paragraphs.append(texts(key, count=len(rows)))
            tables.append(_breach_table(rows, context, table_key))
        else:
            paragraphs.append(texts(none_key))
    security = security_incidents(context)
    if security:
        paragraphs.append(texts("nc.security", count=len(security)))
        tables.append(_security_table(security, context))
    else:
        paragraphs.append(texts("nc.no_security"))
    if context.notes.security_notes:
        paragraphs.append(texts("nc.security_notes", text=context.notes.security_notes))
    return Section(
        key="nonconformities",
        title=texts("title.nonconformities"),
        paragraphs=tuple(paragraphs),
        tables=tuple(tables),
    )


def _breach_table(rows: list[dict[str, Any]], context: ReportContext, title_key: str) -> Table:
    """The breach rows as a table whose first column is headed ``title_key``."""
    texts = context.texts
    columns = ("service", "priority", "metric", "target", "elapsed", "over")
    header = (texts(title_key), *(texts(f"nc.{key}") for key in columns))
    body = [
        (
            row["ticket_id"],
            context.service_name(row["service"]),
            row["priority"],
            metric_name(row["metric"], texts),
            texts.duration(row["target_seconds"]),
            texts.duration(row["elapsed_seconds"]),
            texts.duration(row["over_seconds"]),
        )
        for row in rows
    ]
    return (header, *body)


def _security_table(tickets: list[Ticket], context: ReportContext) -> Table:
    """The security incidents: service, opened, resolved, category, title."""
    texts = context.texts
    columns = ("service", "opened", "resolved", "category", "title")
    header = (texts("nc.security_table"), *(texts(f"nc.{key}") for key in columns))
    rows = [
        (
            t.id,
            context.service_name(t.service),
            texts.datetime(t.opened, context.timezone),
            resolved_text(t, context),
            t.category or texts.na,
            t.attributes.get("title", "") or texts("ind.none"),
        )
        for t in tickets
    ]
    return (header, *rows)

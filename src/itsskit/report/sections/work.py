"""四、主要服务工作 and 七、工作量与资源使用: ticket volumes and the workload they made."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from itsskit.clocks import Clock
from itsskit.models import CalendarSpec, Metric, Section, Ticket, TicketKind
from itsskit.report import charts
from itsskit.report.sections.common import (
    Table,
    count_table,
    counts_by,
    last_day,
    manager_list,
    mean,
    priority_order,
)
from itsskit.report.sections.trends import trend_rows

if TYPE_CHECKING:
    from itsskit.report.builder import ReportContext

#: Attribute columns that name who handled a ticket (first found is used).
ASSIGNEE_ATTRIBUTES = ("assignment_group", "assigned_to", "assignee", "engineer", "group")
#: The ticket flow columns of the work section.
FLOW = ("opened", "resolved", "closed", "backlog")


def volume_counts(context: ReportContext) -> dict[str, Any]:
    """Ticket counts of the period: flow and breakdowns (``report.figures["volumes"]``)."""
    opened = context.opened()
    return {
        "opened": len(opened),
        "resolved": len(context.resolved()),
        "closed": len(context.closed()),
        "backlog": len(context.backlog()),
        "by_kind": dict(Counter(str(t.kind) for t in opened)),
        "by_priority": dict(Counter(t.priority or "" for t in opened)),
        "by_service": counts_by(t.service or "" for t in opened),
        "by_channel": counts_by(t.channel or "" for t in opened),
        "by_category": counts_by(t.category or "" for t in opened),
    }


def work_section(context: ReportContext) -> Section:
    """四、主要服务工作: the manager's list, volumes by type/priority/service/channel/category, charts."""
    texts = context.texts
    counts = volume_counts(context)
    paragraphs = (
        texts("work.main_work"),
        *manager_list(context.notes.main_work, texts("work.main_work_prompt")),
    )
    if not counts["opened"] and not counts["resolved"] and not counts["backlog"]:
        return Section(
            key="work",
            title=texts("title.work"),
            paragraphs=paragraphs,
            missing=texts("work.missing"),
        )
    unknown = texts("work.unknown")
    flow = (
        tuple(texts(f"work.{key}") for key in FLOW),
        tuple(str(counts[key]) for key in FLOW),
    )
    kinds = {texts(f"work.kind.{kind}"): counts["by_kind"].get(str(kind), 0) for kind in TicketKind}
    priorities = {
        p or unknown: counts["by_priority"][p] for p in priority_order(counts["by_priority"])
    }
    services = {
        context.service_name(s) if s else unknown: n for s, n in counts["by_service"].items()
    }
    tables = [
        flow,
        count_table(texts("work.by_kind"), kinds, texts),
        count_table(texts("work.by_priority"), priorities, texts),
        count_table(texts("work.by_service"), services, texts),
    ]
    for key in ("channel", "category"):
        breakdown = {name or unknown: n for name, n in counts[f"by_{key}"].items()}
        if set(breakdown) != {unknown}:
            tables.append(count_table(texts(f"work.by_{key}"), breakdown, texts))
    return Section(
        key="work",
        title=texts("title.work"),
        paragraphs=paragraphs,
        tables=tuple(tables),
        charts=_work_charts(context, priorities),
    )


def _work_charts(context: ReportContext, priorities: dict[str, int]) -> dict[str, bytes]:
    """The ticket volume of the recent periods (two or more) and the priority mix."""
    texts, chart_map = context.texts, {}
    history = trend_rows(context)
    if len(history) >= 2:
        title = texts("tr.volume_chart", count=len(history))
        chart_map[title] = charts.volume_trend(
            [row["period"] for row in history],
            [row["tickets"] for row in history],
            context.language,
            title=title,
        )
    if priorities:
        chart_map[texts("chart.priority_mix")] = charts.priority_mix(priorities, context.language)
    return chart_map


def workload_section(context: ReportContext) -> Section:
    """七、工作量与资源使用: tickets per working day, per service, per group, mean resolution time."""
    texts = context.texts
    opened, backlog = context.opened(), context.backlog()
    if not opened and not backlog:
        return Section(key="workload", title=texts("title.workload"), missing=texts("wl.missing"))
    final = [c for c in context.stopped_clocks() if c.metric is not Metric.RESPONSE]
    tables = [
        _load_table(context, opened, backlog),
        _per_service_table(context, opened, backlog, final),
    ]
    groups = _assignees(opened)
    if groups:
        tables.append(count_table(texts("wl.group"), groups, texts))
    by_priority = _elapsed_by(final, lambda clock: clock.priority)
    if by_priority:
        header = (texts("tgt.priority"), texts("wl.count"), texts("wl.mean"))
        rows = [
            (p, str(len(by_priority[p])), texts.duration(mean(by_priority[p])))
            for p in priority_order(by_priority)
        ]
        tables.append((header, *rows))
    return Section(key="workload", title=texts("title.workload"), tables=tuple(tables))


def working_days(context: ReportContext) -> int:
    """Working days of the period for the staff: the China calendar in the project's time zone."""
    office = context.calendar(CalendarSpec(timezone=context.project.timezone))
    first = context.period.start.date()
    days = (last_day(context.period) - first).days + 1
    return sum(1 for offset in range(days) if office.is_working_day(first + timedelta(days=offset)))


def _load_table(context: ReportContext, opened: list[Ticket], backlog: list[Ticket]) -> Table:
    """Working days, tickets per working day, backlog and, with staff named, tickets per head."""
    texts, days = context.texts, working_days(context)
    engineers = len(context.project.engineers)
    rows = [
        (texts("wl.working_days"), str(days)),
        (texts("wl.per_day"), texts.number(len(opened) / days if days else None)),
        (texts("wl.backlog"), str(len(backlog))),
    ]
    if engineers:
        rows.append((texts("wl.engineers"), str(engineers)))
        rows.append((texts("wl.per_engineer"), texts.number(len(opened) / engineers)))
    return ((texts("wl.item"), texts("wl.value")), *rows)


def _per_service_table(
    context: ReportContext, opened: list[Ticket], backlog: list[Ticket], final: list[Clock]
) -> Table:
    """Per service: opened, resolved, backlog and the mean resolution time."""
    texts = context.texts
    ids = list(dict.fromkeys([*context.project.services, *(t.service or "" for t in opened)]))
    new, left = Counter(t.service or "" for t in opened), Counter(t.service or "" for t in backlog)
    resolved = Counter(t.service or "" for t in context.resolved())
    times = _elapsed_by(final, lambda clock: clock.service or "")
    header = (
        texts("nc.service"),
        texts("work.opened"),
        texts("work.resolved"),
        texts("work.backlog"),
        texts("wl.mean"),
    )
    rows = [
        (
            context.service_name(sid),
            str(new[sid]),
            str(resolved[sid]),
            str(left[sid]),
            texts.duration(mean(times.get(sid, []))),
        )
        for sid in ids
    ]
    return (header, *rows)


def _elapsed_by(clocks: Iterable[Clock], key: Callable[[Clock], str]) -> dict[str, list[int]]:
    """The clocks' elapsed business seconds grouped by ``key``, in first-seen order."""
    grouped: dict[str, list[int]] = {}
    for clock in clocks:
        grouped.setdefault(key(clock), []).append(clock.elapsed_seconds)
    return grouped


def _assignees(tickets: Iterable[Ticket]) -> dict[str, int]:
    """Tickets per assignment group or engineer (see :data:`ASSIGNEE_ATTRIBUTES`)."""
    names = []
    for ticket in tickets:
        name = next(
            (ticket.attributes[key] for key in ASSIGNEE_ATTRIBUTES if ticket.attributes.get(key)),
            None,
        )
        if name:
            names.append(name)
    return counts_by(names)

"""八、重大事件与变更回顾: major incidents, service availability, changes and maintenance windows."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from itsskit.models import Metric, Section, Ticket, TicketKind
from itsskit.report import charts
from itsskit.report.sections.common import Table, counts_by, resolved_text, share_text

if TYPE_CHECKING:
    from itsskit.report.builder import ReportContext

#: Paragraphs and tables of one part of a section, in order.
Part = tuple[list[str], list[Table]]


def major_incidents(context: ReportContext) -> list[Ticket]:
    """Major incidents opened in the period, oldest first."""
    return sorted((t for t in context.opened() if t.major), key=lambda t: (t.opened, t.id))


def major_section(context: ReportContext) -> Section:
    """八、重大事件与变更回顾: major incidents and their review, service availability, changes."""
    parts = [
        _majors_part(context),
        _availability_part(context),
        _changes_part(context),
        _windows_part(context),
    ]
    return Section(
        key="major",
        title=context.texts("title.major"),
        paragraphs=tuple(paragraph for paragraphs, _ in parts for paragraph in paragraphs),
        tables=tuple(table for _, tables in parts for table in tables),
        charts=_availability_chart(context),
    )


def _majors_part(context: ReportContext) -> Part:
    """The major incidents: a count, a table, and the manager's review of each (or a prompt)."""
    texts = context.texts
    majors = major_incidents(context)
    if not majors:
        return [texts("mj.none")], []
    incidents = sum(1 for t in context.opened() if t.kind is TicketKind.INCIDENT)
    paragraphs = [
        texts("mj.count", count=len(majors), share=share_text(len(majors), incidents, texts))
    ]
    resolution = {c.ticket_id: c for c in context.clocks if c.metric is not Metric.RESPONSE}
    header = tuple(
        texts(f"mj.{key}")
        for key in ("ticket", "service", "opened", "resolved", "business", "wall")
    )
    rows = []
    for t in majors:
        clock = resolution.get(t.id)
        wall = (t.resolved - t.opened).total_seconds() if t.resolved and t.opened else None
        rows.append(
            (
                t.id,
                context.service_name(t.service),
                texts.datetime(t.opened, context.timezone),
                resolved_text(t, context),
                texts.duration(clock.elapsed_seconds) if clock else texts.na,
                texts.duration(wall),
            )
        )
        review = context.notes.major_reviews.get(t.id) or texts("mj.review_prompt", ticket=t.id)
        paragraphs.append(
            texts("mj.review_heading", ticket=t.id, service=context.service_name(t.service))
            + review
        )
    return paragraphs, [(header, *rows)]


def _service_availability(context: ReportContext) -> dict[str, float] | None:
    """Availability by service id (services without a value left out); None without outage data."""
    availability = context.kpis.get("availability")
    if availability is None or availability.value is None:
        return None
    per_service = availability.details.get("services", {})
    return {sid: value for sid, value in per_service.items() if value is not None}


def _availability_part(context: ReportContext) -> Part:
    """Availability, failures, downtime and MTTR of each service."""
    texts, kpis = context.texts, context.kpis
    per_service = _service_availability(context)
    if per_service is None:
        return [texts("mj.no_outage_data")], []
    failures = kpis["failure_count"].details.get("services", {})
    downtime = kpis["downtime_seconds"].details.get("services", {})
    header = tuple(
        texts(f"mj.{key}") for key in ("svc", "availability", "failures", "downtime", "mttr")
    )
    rows = [
        (
            context.service_name(sid),
            texts.percent(value),
            str(failures.get(sid, 0)),
            texts.duration(downtime.get(sid, 0.0)),
            texts.duration(downtime.get(sid, 0.0) / failures[sid])
            if failures.get(sid)
            else texts.na,
        )
        for sid, value in per_service.items()
    ]
    return [texts("mj.outages")], [(header, *rows)]


def _availability_chart(context: ReportContext) -> dict[str, bytes]:
    """The availability-by-service chart, when any service has a value."""
    per_service = _service_availability(context)
    if not per_service:
        return {}
    chart = charts.availability_by_service(
        [context.service_name(sid) for sid in per_service],
        list(per_service.values()),
        context.kpis["availability"].target,
        context.language,
    )
    return {context.texts("chart.availability"): chart}


def _changes_part(context: ReportContext) -> Part:
    """The changes whose window starts in the period: counts by type, approved or not."""
    texts = context.texts
    changes = [
        c
        for c in context.records.changes
        if c.window_start is not None and context.period.contains(c.window_start)
    ]
    if not changes:
        return [texts("mj.no_changes")], []
    approved = sum(1 for c in changes if c.approved)
    paragraph = texts(
        "mj.changes", count=len(changes), approved=approved, unapproved=len(changes) - approved
    )
    header = tuple(
        texts(f"mj.{key}") for key in ("change_type", "change_count", "approved", "unapproved")
    )
    rows = []
    for kind, count in counts_by(c.type for c in changes).items():
        ok = sum(1 for c in changes if c.type == kind and c.approved)
        label = texts(f"mj.change_type.{kind}") if texts.has(f"mj.change_type.{kind}") else kind
        rows.append((label, str(count), str(ok), str(count - ok)))
    return [paragraph], [(header, *rows)]


def _windows_part(context: ReportContext) -> Part:
    """Planned maintenance: approved change windows and planned outages starting in the period."""
    texts, period = context.texts, context.period
    windows: list[tuple[datetime, datetime | None, str, str]] = [
        (c.window_start, c.window_end, c.service, c.title or c.type)
        for c in context.records.changes
        if c.approved
        and c.window_start is not None
        and c.window_end is not None
        and period.contains(c.window_start)
    ]
    windows += [
        (o.start, o.end, o.service, o.cause or texts("mj.planned_outage"))
        for o in context.records.outages
        if o.planned and period.contains(o.start)
    ]
    if not windows:
        return [], []
    header = (texts("mj.window_time"), texts("mj.window_service"), texts("mj.window_title"))
    rows = [
        (_span(start, end, context), context.service_name(service), title)
        for start, end, service, title in sorted(windows, key=lambda w: (w[0], w[2]))
    ]
    return [texts("mj.windows", count=len(windows))], [(header, *rows)]


def _span(start: datetime, end: datetime | None, context: ReportContext) -> str:
    """``2025-10-04 21:00 – 10-05 00:00`` (the end's date only when it differs)."""
    texts, zone = context.texts, context.timezone
    if end is None:
        return f"{texts.datetime(start, zone)} – {texts('mj.not_resolved')}"
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    same_day = local_start.date() == local_end.date()
    return f"{texts.datetime(start, zone)} – {local_end.strftime('%H:%M' if same_day else '%m-%d %H:%M')}"

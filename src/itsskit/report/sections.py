"""The built-in report sections (SPEC §5; seeds 0602 §4.1/4.3 and 001 step 1).

Each section is a function ``(ReportContext) -> Section``; :data:`BUILTIN_SECTIONS`
gives their order (10, 20 ... 120; a plugin's :class:`~itsskit.contracts.SectionBuilder`
with the default ``order`` 1000 comes after them, before the data-quality appendix).
All wording comes from :mod:`itsskit.report.texts`, all numbers go through
:class:`~itsskit.report.texts.Texts`, so every output format shows the same text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from itsskit.clocks import Clock
from itsskit.kpis import KpiResult, change, slope
from itsskit.models import (
    SLA,
    CalendarSpec,
    ClockStatus,
    Metric,
    Section,
    SurveyKind,
    Ticket,
    TicketKind,
)
from itsskit.report import charts
from itsskit.report.builder import ReportContext
from itsskit.report.texts import Texts

__all__ = [
    "BUILTIN_SECTIONS",
    "INDICATORS",
    "MAX_FINDINGS",
    "abnormal_indicators",
    "basic_info",
    "data_quality_section",
    "indicator_rows",
    "section_figures",
]

Row = tuple[str, ...]
Table = tuple[Row, ...]

#: KPIs shown in the indicator table, in order (rows without data or target are kept
#: only when listed in :data:`ALWAYS_SHOWN`).
INDICATORS: tuple[str, ...] = (
    "response_attainment",
    "resolution_attainment",
    "turnaround_attainment",
    "sla_attainment",
    "availability",
    "failure_count",
    "longest_failure_seconds",
    "mttr_seconds",
    "satisfaction_mean",
    "satisfied_share",
    "callback_coverage",
)
ALWAYS_SHOWN = frozenset(
    {
        "response_attainment",
        "resolution_attainment",
        "sla_attainment",
        "availability",
        "satisfaction_mean",
    }
)
#: How many data-quality findings the appendix lists (all are counted).
MAX_FINDINGS = 20
#: Attribute columns that name who handled a ticket (first found is used).
ASSIGNEE_ATTRIBUTES = ("assignment_group", "assigned_to", "assignee", "engineer", "group")
PRIORITIES = ("P1", "P2", "P3", "P4")

#: Suggestions for an abnormal indicator the manager gave no suggestion for.
AUTO_SUGGESTIONS: Mapping[str, Mapping[str, str]] = {
    "zh-CN": {
        "response_attainment": "加强服务台值守和工单分派，临近响应时限自动提醒，确保及时响应。",
        "resolution_attainment": "对超时工单逐单复盘；等待用户或厂商时及时挂起，疑难问题尽早升级二线。",
        "turnaround_attainment": "梳理服务请求处理流程，常见请求标准化，缩短完成时间。",
        "sla_attainment": "每日跟踪临近时限工单，对超时工单开展原因分析并落实整改。",
        "availability": "落实故障复盘整改措施，完善监控告警和主备切换演练，缩短故障恢复时间。",
        "failure_count": "对故障开展根因分析并纳入问题管理，消除重复性故障。",
        "longest_failure_seconds": "完善应急预案和备件储备，提升单次故障的恢复速度。",
        "mttr_seconds": "完善故障处置手册和升级机制，缩短平均修复时间。",
        "satisfaction_mean": "对低分回访逐一跟进，加强处理进度告知和沟通。",
        "satisfied_share": "对不满意反馈逐一回访，制定针对性改进措施。",
        "callback_coverage": "服务台在事件解决后 7 天内完成回访并记录结果。",
    },
    "en": {
        "response_attainment": "Staff the service desk to the demand and alert dispatchers before the "
        "response deadline.",
        "resolution_attainment": "Review every overrun ticket; put tickets on hold while waiting for the "
        "user or a vendor and escalate hard problems early.",
        "turnaround_attainment": "Standardise the common service requests to shorten fulfilment.",
        "sla_attainment": "Track tickets approaching their deadline daily and act on every breach.",
        "availability": "Carry out the post-incident actions, improve monitoring and rehearse failover.",
        "failure_count": "Analyse root causes in problem management to remove recurring failures.",
        "longest_failure_seconds": "Improve the recovery plans and spare parts to restore service faster.",
        "mttr_seconds": "Improve the runbooks and escalation to shorten repair times.",
        "satisfaction_mean": "Follow up every low score and keep users informed of progress.",
        "satisfied_share": "Call back every dissatisfied user and act on their feedback.",
        "callback_coverage": "Call back every resolved incident within 7 days and record the result.",
    },
}

R = TypeVar("R")


# ----------------------------------------------------------------- formatting


def indicator_status(result: KpiResult, texts: Texts) -> str:
    """正常/异常 (Normal/Abnormal) against the target; 不适用 without data; — without a target."""
    if result.status == "missed":
        return texts("ind.abnormal")
    if result.status in ("met", "at_risk"):
        return texts("ind.normal")
    return texts.na if result.status == "not_applicable" else texts("ind.none")


def value_text(result: KpiResult, texts: Texts) -> str:
    """A KPI value in its unit."""
    if result.value is None:
        return texts.na
    if result.unit == "ratio":
        return texts.percent(result.value)
    if result.unit == "seconds":
        return texts.duration(result.value)
    if result.unit == "count":
        return texts("unit.times", n=texts.count(result.value))
    return texts("unit.score", value=texts.score(result.value))


def standard_text(result: KpiResult, texts: Texts) -> str:
    """The agreed standard: ``≥ 95%``, ``≤ 2 次``, ``≤ 2小时``; — without a target."""
    if result.target is None:
        return texts("ind.none")
    sign = "≥" if result.comparison == ">=" else "≤"
    if result.unit == "ratio":
        value = texts.target_percent(result.target)
    elif result.unit == "seconds":
        value = texts.duration(result.target)
    elif result.unit == "count":
        value = texts("unit.times", n=texts.count(result.target))
    else:
        value = texts("unit.score", value=texts.score(result.target))
    return f"{sign} {value}"


def _share(part: int, whole: int, texts: Texts) -> str:
    return texts.percent(part / whole) if whole else texts.na


def _numbered(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(f"{number}. {item}" for number, item in enumerate(items, start=1))


def _count_table(header: str, counts: Mapping[str, int], texts: Texts) -> Table:
    total = sum(counts.values())
    rows = [(name, str(count), _share(count, total, texts)) for name, count in counts.items()]
    return ((header, texts("work.count"), texts("work.share")), *rows)


def _counts(values: Iterable[str]) -> dict[str, int]:
    """Counts by value, largest first (ties by name)."""
    counted = Counter(values)
    return dict(sorted(counted.items(), key=lambda item: (-item[1], item[0])))


def _priority_order(priorities: Iterable[str]) -> list[str]:
    return sorted(set(priorities), key=lambda p: (p not in PRIORITIES, p))


def _metric_name(metric: Metric | str, texts: Texts) -> str:
    return texts(f"tgt.metric.{metric}")


# ------------------------------------------------------------ 1. basic information


def basic_info(context: ReportContext) -> dict[str, Any]:
    """The report's basic information as plain data (``report.figures["basic"]``)."""
    texts, spec, project = context.texts, context.spec, context.project
    last_day = (context.period.end - timedelta(microseconds=1)).date()
    services = [service.name for service in context.services()]
    sla = context.sla
    return {
        "title": spec.title or project.name,
        "customer": project.customer,
        "project": project.id,
        "project_name": project.name,
        "manager": project.manager,
        "services": services,
        "scope": texts.join(services),
        "author": spec.author,
        "department": spec.department,
        "audience": spec.audience,
        "purpose": spec.purpose or texts("basic.purpose_default"),
        "period_label": context.period.label,
        "period_start": context.period.start.date().isoformat(),
        "period_end": last_day.isoformat(),
        "period_text": texts(
            "basic.period_range", start=texts.date(context.period.start), end=texts.date(last_day)
        ),
        "report_date": texts.date(context.generated),
        "evaluated_at": context.at.isoformat(),
        "sla": sla.id if sla else "",
        "sla_version": texts("basic.sla_version", sla=sla.id, version=sla.version)
        if sla
        else texts.na,
        "data_sources": texts.join(spec.data_sources),
        "distribution": texts.join(spec.distribution),
        "approval": spec.approval,
    }


def basic_section(context: ReportContext) -> Section:
    """一、报告基本信息: a two-column table."""
    texts, info = context.texts, basic_info(context)
    pairs = [
        ("basic.title", info["title"]),
        ("basic.customer", info["customer"]),
        ("basic.project", info["project_name"]),
        ("basic.purpose", info["purpose"]),
        ("basic.scope", info["scope"]),
        ("basic.period", info["period_text"]),
        ("basic.sla", info["sla_version"]),
        ("basic.audience", info["audience"]),
        ("basic.department", info["department"]),
        ("basic.author", info["author"]),
        ("basic.manager", info["manager"]),
        ("basic.report_date", info["report_date"]),
        ("basic.data_sources", info["data_sources"]),
        ("basic.distribution", info["distribution"]),
        ("basic.approval", info["approval"]),
    ]
    rows = tuple((texts(key), str(value)) for key, value in pairs if value)
    tables: list[Table] = [((texts("basic.item"), texts("basic.content")), *rows)]
    if context.sla is not None:
        tables.append(_sla_terms(context, context.sla))
    return Section(key="basic", title=texts("title.basic"), tables=tuple(tables))


def _sla_terms(context: ReportContext, sla: SLA) -> Table:
    """The SLA's documentary terms (seed 0601 §5.2.3), kept in the config and shown as agreed."""
    texts = context.texts
    start = sla.effective_from.isoformat() if sla.effective_from else ""
    end = sla.effective_to.isoformat() if sla.effective_to else texts("basic.open_end")
    pairs = [
        ("basic.sla", texts("basic.sla_version", sla=sla.id, version=sla.version)),
        ("basic.effective", texts("basic.effective_range", start=start, end=end) if start else ""),
        ("basic.service_hours", _calendar_text(context)),
        ("basic.report_content", texts.join(list(sla.report_content))),
        ("basic.responsibilities", sla.responsibilities),
        ("basic.risks", sla.risks),
        ("basic.interfaces", sla.interfaces),
    ]
    rows = tuple((texts(key), value) for key, value in pairs if value)
    return ((texts("basic.sla_terms"), texts("basic.content")), *rows)


# ------------------------------------------------------------------ 2. summary


def summary_section(context: ReportContext) -> Section:
    """二、服务结果综述: sentences written from the figures, then the manager's summary."""
    texts, kpis = context.texts, context.kpis
    opened = context.opened()
    kinds = Counter(t.kind for t in opened)
    paragraphs = [
        texts(
            "summary.tickets",
            opened=len(opened),
            incidents=kinds[TicketKind.INCIDENT],
            requests=kinds[TicketKind.REQUEST],
            resolved=len(context.resolved()),
            backlog=len(context.backlog()),
        )
    ]
    sla = kpis.get("sla_attainment")
    if sla is not None and sla.value is not None:
        verdict = texts("summary.missed" if sla.status == "missed" else "summary.met")
        target = standard_text(sla, texts).removeprefix("≥ ")
        paragraphs.append(
            texts(
                "summary.attainment", value=texts.percent(sla.value), target=target, verdict=verdict
            )
        )
        paragraphs.append(
            texts(
                "summary.metrics",
                response=value_text(kpis["response_attainment"], texts),
                resolution=value_text(kpis["resolution_attainment"], texts),
            )
        )
    else:
        paragraphs.append(texts("summary.attainment_na"))
    availability = kpis.get("availability")
    if availability is not None and availability.value is not None:
        target = (
            texts.target_percent(availability.target)
            if availability.target is not None
            else texts.na
        )
        failures = kpis["failure_count"].value if "failure_count" in kpis else 0
        paragraphs.append(
            texts(
                "summary.availability",
                value=texts.percent(availability.value),
                target=target,
                failures=texts.count(failures or 0),
            )
        )
    majors = [t for t in opened if t.major]
    paragraphs.append(
        texts("summary.major", count=len(majors)) if majors else texts("summary.no_major")
    )
    mean, share = kpis.get("satisfaction_mean"), kpis.get("satisfied_share")
    if mean is not None and share is not None and mean.value is not None:
        paragraphs.append(
            texts(
                "summary.satisfaction",
                mean=texts.score(mean.value),
                share=texts.percent(share.value),
            )
        )
    abnormal = abnormal_indicators(context)
    if abnormal:
        names = texts.join([texts(f"ind.{name}") for name in abnormal])
        paragraphs.append(texts("summary.abnormal", names=names))
    else:
        paragraphs.append(texts("summary.all_normal"))
    if context.notes.summary:
        paragraphs.append(texts("summary.manager", text=context.notes.summary))
    return Section(key="summary", title=texts("title.summary"), paragraphs=tuple(paragraphs))


# -------------------------------------------------------------- 3. indicators


def shown_indicators(context: ReportContext) -> list[str]:
    """The KPI names of the indicator table, in order."""
    shown = []
    for name in INDICATORS:
        result = context.kpis.get(name)
        if result is None:
            continue
        if name in ALWAYS_SHOWN or result.target is not None or result.value is not None:
            if name == "turnaround_attainment" and not result.denominator:
                continue
            shown.append(name)
    return shown


def abnormal_indicators(context: ReportContext) -> list[str]:
    """Names of the indicators that missed their target."""
    return [name for name in shown_indicators(context) if context.kpis[name].status == "missed"]


def _remark(name: str, result: KpiResult, context: ReportContext) -> str:
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


def indicator_rows(context: ReportContext) -> list[dict[str, str]]:
    """The indicator table as dicts: key, name, standard, actual, status, remarks."""
    texts = context.texts
    return [
        {
            "key": name,
            "name": texts(f"ind.{name}"),
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
    header = tuple(
        texts(f"ind.{column}") for column in ("name", "standard", "actual", "status", "remarks")
    )
    table = (
        header,
        *((r["name"], r["standard"], r["actual"], r["status"], r["remarks"]) for r in rows),
    )
    tables: list[Table] = [table]
    abnormal = [row for row in rows if row["status"] == texts("ind.abnormal")]
    if abnormal:
        causes = []
        for row in abnormal:
            cause = context.notes.causes.get(row["key"])
            causes.append(
                (
                    texts(
                        "ind.cause_heading",
                        name=row["name"],
                        actual=row["actual"],
                        standard=row["standard"],
                    ),
                    cause.cause if cause and cause.cause else texts("ind.cause_prompt"),
                    cause.suggestion
                    if cause and cause.suggestion
                    else texts("ind.suggestion_prompt"),
                )
            )
        tables.append(
            (
                (
                    texts("ind.abnormal_indicator"),
                    texts("ind.cause_column"),
                    texts("ind.suggestion_column"),
                ),
                *causes,
            )
        )
    assessed = sum(
        1 for row in rows if row["status"] in (texts("ind.normal"), texts("ind.abnormal"))
    )
    intro = texts(
        "ind.intro" if abnormal else "ind.intro_ok", count=assessed, abnormal=len(abnormal)
    )
    return Section(
        key="indicators", title=texts("title.indicators"), paragraphs=(intro,), tables=tuple(tables)
    )


# ---------------------------------------------------------------- 4. main work


def volume_counts(context: ReportContext) -> dict[str, Any]:
    """Ticket counts of the period: flow and breakdowns (``report.figures["volumes"]``)."""
    opened = context.opened()
    return {
        "opened": len(opened),
        "resolved": len(context.resolved()),
        "closed": len(context.closed()),
        "backlog": len(context.backlog()),
        "by_kind": dict(Counter(str(t.kind) for t in opened)),
        "by_priority": {p: n for p, n in Counter(t.priority or "" for t in opened).items()},
        "by_service": _counts(t.service or "" for t in opened),
        "by_channel": _counts(t.channel or "" for t in opened),
        "by_category": _counts(t.category or "" for t in opened),
    }


def work_section(context: ReportContext) -> Section:
    """四、主要服务工作: the manager's list, volumes by type/priority/service/channel/category, charts."""
    texts = context.texts
    counts = volume_counts(context)
    work = context.notes.main_work
    paragraphs = [
        texts("work.main_work"),
        *(_numbered(work) if work else (texts("work.main_work_prompt"),)),
    ]
    if not counts["opened"] and not counts["resolved"] and not counts["backlog"]:
        return Section(
            key="work",
            title=texts("title.work"),
            paragraphs=tuple(paragraphs),
            missing=texts("work.missing"),
        )
    unknown = texts("work.unknown")
    flow = (
        tuple(texts(f"work.{key}") for key in ("opened", "resolved", "closed", "backlog")),
        tuple(str(counts[key]) for key in ("opened", "resolved", "closed", "backlog")),
    )
    kinds = {texts(f"work.kind.{kind}"): counts["by_kind"].get(str(kind), 0) for kind in TicketKind}
    priorities = {
        p or unknown: counts["by_priority"][p] for p in _priority_order(counts["by_priority"])
    }
    services = {
        context.service_name(s) if s else unknown: n for s, n in counts["by_service"].items()
    }
    tables = [
        flow,
        _count_table(texts("work.by_kind"), kinds, texts),
        _count_table(texts("work.by_priority"), priorities, texts),
        _count_table(texts("work.by_service"), services, texts),
    ]
    for key in ("channel", "category"):
        breakdown = {name or unknown: n for name, n in counts[f"by_{key}"].items()}
        if set(breakdown) != {unknown}:
            tables.append(_count_table(texts(f"work.by_{key}"), breakdown, texts))
    labels, volumes = _history_series(context, lambda _period, bundle, opened: opened)
    chart_map = {}
    if len(labels) >= 2:
        title = texts("tr.volume_chart", count=len(labels))
        chart_map[title] = charts.volume_trend(
            labels, [int(v or 0) for v in volumes], context.language, title=title
        )
    if priorities:
        chart_map[texts("chart.priority_mix")] = charts.priority_mix(priorities, context.language)
    return Section(
        key="work",
        title=texts("title.work"),
        paragraphs=tuple(paragraphs),
        tables=tuple(tables),
        charts=chart_map,
    )


# ------------------------------------------------------ 5. performance vs targets


def _calendar_text(context: ReportContext) -> str:
    texts, sla = context.texts, context.sla
    if sla is None or sla.calendar.preset == "always" or sla.calendar.hours == ("00:00-24:00",):
        return texts("tgt.calendar.always")
    return texts("tgt.calendar.office", hours=texts.join(list(sla.calendar.hours)))


def targets_section(context: ReportContext) -> Section:
    """五、服务级别目标执行情况: per metric and priority, target, measured, met, breached, attainment."""
    texts, kpis, sla = context.texts, context.kpis, context.sla
    header = tuple(
        texts(f"tgt.{key}")
        for key in (
            "metric",
            "priority",
            "target",
            "stopped",
            "met",
            "breached",
            "attainment",
            "result",
        )
    )
    rows = []
    for metric in Metric:
        result = kpis.get(f"{metric}_attainment")
        targets: Mapping[str, int] = getattr(sla.targets, str(metric)) if sla else {}
        by_priority = result.details.get("by_priority", {}) if result else {}
        for priority in _priority_order([*targets, *by_priority]):
            counts = by_priority.get(priority, {"met": 0, "breached": 0, "value": None})
            if priority not in targets and not counts["met"] + counts["breached"]:
                continue
            value = counts["value"]
            target = result.target if result else None
            status = (
                texts.na
                if value is None
                else texts("ind.normal" if target is None or value >= target else "ind.abnormal")
            )
            rows.append(
                (
                    _metric_name(metric, texts),
                    priority,
                    texts.duration(targets[priority]) if priority in targets else texts("ind.none"),
                    str(counts["met"] + counts["breached"]),
                    str(counts["met"]),
                    str(counts["breached"]),
                    texts.percent(value),
                    status,
                )
            )
    paragraphs = [texts("tgt.intro", calendar=_calendar_text(context))]
    for name, key in (
        ("availability", "tgt.availability"),
        ("failure_count", "tgt.failures"),
        ("longest_failure_seconds", "tgt.longest"),
    ):
        result = kpis.get(name)
        if result is not None and result.target is not None and result.value is not None:
            paragraphs.append(
                texts(key, target=standard_text(result, texts)[2:], value=value_text(result, texts))
            )
    if not any(int(row[3]) for row in rows):
        return Section(
            key="targets",
            title=texts("title.targets"),
            paragraphs=tuple(paragraphs),
            missing=texts("tgt.missing"),
        )
    return Section(
        key="targets",
        title=texts("title.targets"),
        paragraphs=tuple(paragraphs),
        tables=((header, *rows),),
    )


# ------------------------------------------------------------ 6. nonconformities


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


def _breach_table(rows: list[dict[str, Any]], context: ReportContext, title_key: str) -> Table:
    texts = context.texts
    columns = ("service", "priority", "metric", "target", "elapsed", "over")
    header = (texts(title_key), *(texts(f"nc.{key}") for key in columns))
    body = [
        (
            row["ticket_id"],
            context.service_name(row["service"]),
            row["priority"],
            _metric_name(row["metric"], texts),
            texts.duration(row["target_seconds"]),
            texts.duration(row["elapsed_seconds"]),
            texts.duration(row["over_seconds"]),
        )
        for row in rows
    ]
    return (header, *body)


def period_breaches(context: ReportContext) -> list[Clock]:
    """Clocks stopped in the period past their target."""
    return [c for c in context.stopped_clocks() if c.status is ClockStatus.BREACHED]


def open_breaches(context: ReportContext) -> list[Clock]:
    """Clocks still running at the evaluation instant and already past their target."""
    return [c for c in context.clocks if c.stopped is None and c.status is ClockStatus.BREACHED]


def security_incidents(context: ReportContext) -> list[Ticket]:
    """Security incidents opened in the period."""
    return sorted((t for t in context.opened() if t.security), key=lambda t: (t.opened, t.id))


def nonconformities_section(context: ReportContext) -> Section:
    """六、不符合项与问题: SLA breaches, open breaches, security incidents and notes."""
    texts, tables, paragraphs = context.texts, [], []
    breaches = breach_rows(period_breaches(context), context)
    paragraphs.append(
        texts("nc.breaches", count=len(breaches)) if breaches else texts("nc.no_breaches")
    )
    if breaches:
        tables.append(_breach_table(breaches, context, "nc.breach_table"))
    still_open = breach_rows(open_breaches(context), context)
    paragraphs.append(
        texts("nc.open", count=len(still_open)) if still_open else texts("nc.no_open")
    )
    if still_open:
        tables.append(_breach_table(still_open, context, "nc.open_table"))
    security = security_incidents(context)
    paragraphs.append(
        texts("nc.security", count=len(security)) if security else texts("nc.no_security")
    )
    if security:
        columns = ("service", "opened", "resolved", "category", "title")
        header = (texts("nc.security_table"), *(texts(f"nc.{key}") for key in columns))
        rows = [
            (
                t.id,
                context.service_name(t.service),
                texts.datetime(t.opened, context.timezone),
                texts.datetime(t.resolved, context.timezone)
                if t.resolved
                else texts("mj.not_resolved"),
                t.category or texts.na,
                t.attributes.get("title", "") or texts("ind.none"),
            )
            for t in security
        ]
        tables.append((header, *rows))
    if context.notes.security_notes:
        paragraphs.append(texts("nc.security_notes", text=context.notes.security_notes))
    return Section(
        key="nonconformities",
        title=texts("title.nonconformities"),
        paragraphs=tuple(paragraphs),
        tables=tuple(tables),
    )


# ------------------------------------------------------------------ 7. workload


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def workload_section(context: ReportContext) -> Section:
    """七、工作量与资源使用: tickets per working day, per service, per group, mean resolution time."""
    texts = context.texts
    opened, backlog = context.opened(), context.backlog()
    if not opened and not backlog:
        return Section(key="workload", title=texts("title.workload"), missing=texts("wl.missing"))
    office = context.calendar(CalendarSpec(timezone=context.project.timezone))  # staff working days
    day, last = context.period.start.date(), (context.period.end - timedelta(microseconds=1)).date()
    working_days = sum(
        1
        for offset in range((last - day).days + 1)
        if office.is_working_day(day + timedelta(days=offset))
    )
    engineers = len(context.project.engineers)
    summary_rows = [
        (texts("wl.working_days"), str(working_days)),
        (texts("wl.per_day"), texts.number(len(opened) / working_days if working_days else None)),
        (texts("wl.backlog"), str(len(backlog))),
    ]
    if engineers:
        summary_rows.append((texts("wl.engineers"), str(engineers)))
        summary_rows.append((texts("wl.per_engineer"), texts.number(len(opened) / engineers)))
    tables: list[Table] = [((texts("wl.item"), texts("wl.value")), *summary_rows)]
    final = [c for c in context.stopped_clocks() if c.metric is not Metric.RESPONSE]
    tables.append(_per_service_table(context, opened, backlog, final))
    groups = _assignees(opened)
    if groups:
        tables.append(_count_table(texts("wl.group"), groups, texts))
    by_priority: dict[str, list[int]] = {}
    for clock in final:
        by_priority.setdefault(clock.priority, []).append(clock.elapsed_seconds)
    if by_priority:
        header = (texts("tgt.priority"), texts("wl.count"), texts("wl.mean"))
        rows = [
            (p, str(len(by_priority[p])), texts.duration(_mean(by_priority[p])))
            for p in _priority_order(by_priority)
        ]
        tables.append((header, *rows))
    return Section(key="workload", title=texts("title.workload"), tables=tuple(tables))


def _per_service_table(
    context: ReportContext, opened: list[Ticket], backlog: list[Ticket], final: list[Clock]
) -> Table:
    texts = context.texts
    ids = list(dict.fromkeys([*context.project.services, *(t.service or "" for t in opened)]))
    new, left = Counter(t.service or "" for t in opened), Counter(t.service or "" for t in backlog)
    resolved = Counter(t.service or "" for t in context.resolved())
    times: dict[str, list[int]] = {}
    for clock in final:
        times.setdefault(clock.service or "", []).append(clock.elapsed_seconds)
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
            texts.duration(_mean(times.get(sid, []))),
        )
        for sid in ids
    ]
    return (header, *rows)


def _assignees(tickets: Iterable[Ticket]) -> dict[str, int]:
    names = []
    for ticket in tickets:
        name = next(
            (ticket.attributes[key] for key in ASSIGNEE_ATTRIBUTES if ticket.attributes.get(key)),
            None,
        )
        if name:
            names.append(name)
    return _counts(names)


# ------------------------------------------------------------ 8. major incidents


def major_section(context: ReportContext) -> Section:
    """八、重大事件与变更回顾: major incidents and their review, service availability, changes."""
    texts, kpis = context.texts, context.kpis
    paragraphs, tables, chart_map = [], [], {}
    opened = context.opened()
    majors = sorted((t for t in opened if t.major), key=lambda t: (t.opened, t.id))
    incidents = sum(1 for t in opened if t.kind is TicketKind.INCIDENT)
    if majors:
        paragraphs.append(
            texts("mj.count", count=len(majors), share=_share(len(majors), incidents, texts))
        )
        resolution = {c.ticket_id: c for c in context.clocks if c.metric is not Metric.RESPONSE}
        header: tuple[str, ...] = tuple(
            texts(f"mj.{key}")
            for key in ("ticket", "service", "opened", "resolved", "business", "wall")
        )
        rows: list[tuple[str, ...]] = []
        for t in majors:
            clock = resolution.get(t.id)
            wall = (t.resolved - t.opened).total_seconds() if t.resolved and t.opened else None
            rows.append(
                (
                    t.id,
                    context.service_name(t.service),
                    texts.datetime(t.opened, context.timezone),
                    texts.datetime(t.resolved, context.timezone)
                    if t.resolved
                    else texts("mj.not_resolved"),
                    texts.duration(clock.elapsed_seconds) if clock else texts.na,
                    texts.duration(wall),
                )
            )
            review = context.notes.major_reviews.get(t.id) or texts("mj.review_prompt", ticket=t.id)
            paragraphs.append(
                texts("mj.review_heading", ticket=t.id, service=context.service_name(t.service))
                + review
            )
        tables.append((header, *rows))
    else:
        paragraphs.append(texts("mj.none"))
    availability = kpis.get("availability")
    if availability is not None and availability.value is not None:
        per_service = availability.details.get("services", {})
        failures = kpis["failure_count"].details.get("services", {})
        downtime = kpis["downtime_seconds"].details.get("services", {})
        ids = [sid for sid in per_service if per_service[sid] is not None]
        header = tuple(
            texts(f"mj.{key}") for key in ("svc", "availability", "failures", "downtime", "mttr")
        )
        rows = [
            (
                context.service_name(sid),
                texts.percent(per_service[sid]),
                str(failures.get(sid, 0)),
                texts.duration(downtime.get(sid, 0.0)),
                texts.duration(downtime.get(sid, 0.0) / failures[sid])
                if failures.get(sid)
                else texts.na,
            )
            for sid in ids
        ]
        paragraphs.append(texts("mj.outages"))
        tables.append((header, *rows))
        if ids:
            chart_map[texts("chart.availability")] = charts.availability_by_service(
                [context.service_name(sid) for sid in ids],
                [per_service[sid] for sid in ids],
                availability.target,
                context.language,
            )
    else:
        paragraphs.append(texts("mj.no_outage_data"))
    _changes(context, paragraphs, tables)
    return Section(
        key="major",
        title=texts("title.major"),
        paragraphs=tuple(paragraphs),
        tables=tuple(tables),
        charts=chart_map,
    )


def _changes(context: ReportContext, paragraphs: list[str], tables: list[Table]) -> None:
    texts, period = context.texts, context.period
    changes = [
        c
        for c in context.records.changes
        if c.window_start is not None and period.contains(c.window_start)
    ]
    if not changes:
        paragraphs.append(texts("mj.no_changes"))
    else:
        approved = sum(1 for c in changes if c.approved)
        paragraphs.append(
            texts(
                "mj.changes",
                count=len(changes),
                approved=approved,
                unapproved=len(changes) - approved,
            )
        )
        header: tuple[str, ...] = (
            texts("mj.change_type"),
            texts("mj.change_count"),
            texts("mj.approved"),
            texts("mj.unapproved"),
        )
        rows: list[tuple[str, ...]] = []
        for kind, count in _counts(c.type for c in changes).items():
            ok = sum(1 for c in changes if c.type == kind and c.approved)
            label = texts(f"mj.change_type.{kind}") if texts.has(f"mj.change_type.{kind}") else kind
            rows.append((label, str(count), str(ok), str(count - ok)))
        tables.append((header, *rows))
    windows: list[tuple[datetime, datetime | None, str, str]] = [
        (c.window_start, c.window_end, c.service, c.title or c.type)
        for c in changes
        if c.approved and c.window_start is not None and c.window_end is not None
    ]
    windows += [
        (o.start, o.end, o.service, o.cause or texts("mj.planned_outage"))
        for o in context.records.outages
        if o.planned and period.contains(o.start)
    ]
    if windows:
        paragraphs.append(texts("mj.windows", count=len(windows)))
        header = (texts("mj.window_time"), texts("mj.window_service"), texts("mj.window_title"))
        rows = [
            (_span(start, end, context), context.service_name(service), title)
            for start, end, service, title in sorted(windows, key=lambda w: (w[0], w[2]))
        ]
        tables.append((header, *rows))


def _span(start: datetime, end: datetime | None, context: ReportContext) -> str:
    """``2025-10-04 21:00 – 10-05 00:00`` (the end's date only when it differs)."""
    texts, zone = context.texts, context.timezone
    if end is None:
        return f"{texts.datetime(start, zone)} – {texts('mj.not_resolved')}"
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    same_day = local_start.date() == local_end.date()
    return f"{texts.datetime(start, zone)} – {local_end.strftime('%H:%M' if same_day else '%m-%d %H:%M')}"


# ------------------------------------------------------------------- 9. trends

TREND_KPIS: tuple[tuple[str, str], ...] = (
    ("response_attainment", "tr.response"),
    ("resolution_attainment", "tr.resolution"),
    ("sla_attainment", "tr.sla"),
    ("availability", "tr.availability"),
    ("satisfaction_mean", "tr.satisfaction"),
)


def _history_series(
    context: ReportContext, pick: Callable[[Any, Mapping[str, KpiResult], int], R]
) -> tuple[list[str], list[R]]:
    """Labels and ``pick(period, bundle, opened)`` for the periods since the first with tickets."""
    counts = [
        sum(1 for t in context.records.tickets if t.opened and period.contains(t.opened))
        for period, _ in context.history
    ]
    first = next((i for i, count in enumerate(counts) if count), len(counts) - 1)
    kept = list(zip(context.history, counts, strict=True))[first:]
    return [period.label for (period, _), _ in kept], [
        pick(period, bundle, n) for (period, bundle), n in kept
    ]


def trend_rows(context: ReportContext) -> list[dict[str, Any]]:
    """The trend table as data: one dict per period with the main KPI values and ticket count."""
    labels, rows = _history_series(
        context,
        lambda _period, bundle, opened: {
            "tickets": opened,
            **{name: bundle[name].value for name, _ in TREND_KPIS if name in bundle},
        },
    )
    return [{"period": label, **row} for label, row in zip(labels, rows, strict=True)]


def _trend_cell(name: str, value: float | None, texts: Texts) -> str:
    if name == "tickets":
        return texts.count(value)
    return texts.score(value) if name == "satisfaction_mean" else texts.percent(value)


def _change_cell(name: str, value: float | None, texts: Texts) -> str:
    if value is None:
        return texts.na
    if name == "tickets":
        return texts.signed(texts.number(value, 1 if value != round(value) else 0), value)
    if name == "satisfaction_mean":
        return texts.signed(texts.score(value), value)
    return texts.signed(texts("unit.points", value=f"{value * 100:.2f}"), value)


def trends_section(context: ReportContext) -> Section:
    """九、趋势分析: main KPIs of the last 12 periods, change against the previous one, slope."""
    texts = context.texts
    rows = trend_rows(context)
    if len(rows) < 2:
        return Section(key="trends", title=texts("title.trends"), missing=texts("tr.missing"))
    columns = [("tickets", "tr.tickets"), *TREND_KPIS]
    header = (texts("tr.period"), *(texts(key) for _, key in columns))
    body = [
        (row["period"], *(_trend_cell(name, row.get(name), texts) for name, _ in columns))
        for row in rows
    ]
    changes = [change(rows[-1].get(name), rows[-2].get(name)) for name, _ in columns]
    slopes = [slope([row.get(name) for row in rows]) for name, _ in columns]
    body.append(
        (
            texts("tr.change"),
            *(
                _change_cell(name, value, texts)
                for (name, _), value in zip(columns, changes, strict=True)
            ),
        )
    )
    body.append(
        (
            texts("tr.slope"),
            *(
                _change_cell(name, value, texts)
                for (name, _), value in zip(columns, slopes, strict=True)
            ),
        )
    )
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


# -------------------------------------------------------------- 10. satisfaction


def satisfaction_section(context: ReportContext) -> Section:
    """十、满意度分析: mean score, satisfied share, callback coverage, score distribution, surveys."""
    texts, kpis = context.texts, context.kpis
    mean, share, callback = (
        kpis.get("satisfaction_mean"),
        kpis.get("satisfied_share"),
        kpis.get("callback_coverage"),
    )
    answers = int(mean.denominator or 0) if mean else 0
    # callbacks are recorded at all (a source without them would show 0 % coverage)
    has_callbacks = any(t.callback is not None for t in context.records.tickets)
    if not answers and not has_callbacks:
        return Section(
            key="satisfaction", title=texts("title.satisfaction"), missing=texts("sat.missing")
        )
    summary = [
        (texts("sat.responses"), str(answers)),
        (
            texts("sat.mean"),
            texts("unit.score", value=texts.score(mean.value))
            if mean and mean.value is not None
            else texts.na,
        ),
        (texts("sat.share"), texts.percent(share.value if share else None)),
        (texts("sat.callback"), value_text(callback, texts) if callback else texts.na),
    ]
    tables: list[Table] = [((texts("sat.item"), texts("sat.value")), *summary)]
    by_score: Mapping[str, int] = mean.details.get("by_score", {}) if mean else {}
    if answers:
        rows = [
            (
                texts("sat.score_label", score=s),
                str(by_score.get(s, 0)),
                _share(by_score.get(s, 0), answers, texts),
            )
            for s in "54321"
        ]
        tables.append(((texts("sat.score"), texts("sat.count"), texts("work.share")), *rows))
    paragraphs = []
    answered = [s for s in context.records.surveys if context.period.contains(s.answered)]
    for kind in (SurveyKind.PROJECT, SurveyKind.ANNUAL):
        scores = [s.score for s in answered if s.kind is kind]
        if scores:
            paragraphs.append(
                texts(
                    "sat.surveys",
                    kind=texts(f"sat.kind.{kind}"),
                    count=len(scores),
                    mean=texts.score(_mean(scores)),
                    share=texts.percent(sum(1 for s in scores if s >= 4) / len(scores)),
                )
            )
    return Section(
        key="satisfaction",
        title=texts("title.satisfaction"),
        paragraphs=tuple(paragraphs),
        tables=tuple(tables),
    )


# ------------------------------------------------------ 11. improvements, 12. plan


def improvements_section(context: ReportContext) -> Section:
    """十一、服务改进措施: the manager's measures (or a prompt) and a suggestion per abnormal indicator."""
    texts, notes = context.texts, context.notes
    paragraphs = [
        texts("imp.manager"),
        *(_numbered(notes.improvements) if notes.improvements else (texts("imp.prompt"),)),
    ]
    abnormal = abnormal_indicators(context)
    if abnormal:
        paragraphs.append(texts("imp.auto"))
        suggestions = []
        for name in abnormal:
            cause = notes.causes.get(name)
            text = (
                cause.suggestion
                if cause and cause.suggestion
                else AUTO_SUGGESTIONS[context.language].get(name, texts("imp.auto_default"))
            )
            suggestions.append(texts("imp.auto_item", name=texts(f"ind.{name}"), text=text))
        paragraphs.extend(_numbered(suggestions))
    return Section(
        key="improvements", title=texts("title.improvements"), paragraphs=tuple(paragraphs)
    )


def plan_section(context: ReportContext) -> Section:
    """十二、下阶段工作计划: the manager's plan, or a prompt."""
    texts, plan = context.texts, context.notes.next_plan
    return Section(
        key="plan",
        title=texts("title.plan"),
        paragraphs=_numbered(plan) if plan else (texts("plan.prompt"),),
    )


# ------------------------------------------------------------------- appendix


def data_quality_section(context: ReportContext) -> Section:
    """附录：数据质量说明: how many records were left out, and the first :data:`MAX_FINDINGS`."""
    texts, findings = context.texts, context.findings
    if not findings:
        return Section(
            key="data_quality", title=texts("title.quality"), paragraphs=(texts("dq.none"),)
        )
    header = (texts("dq.record"), texts("dq.reason"), texts("dq.source"))
    rows = [
        (
            f.record_id or (f"#{f.row}" if f.row is not None else texts.na),
            f.reason,
            f.source or texts("ind.none"),
        )
        for f in findings[:MAX_FINDINGS]
    ]
    paragraphs = [texts("dq.count", count=len(findings))]
    if len(findings) > MAX_FINDINGS:
        paragraphs.append(texts("nc.more", count=len(findings) - MAX_FINDINGS))
    return Section(
        key="data_quality",
        title=texts("title.quality"),
        paragraphs=tuple(paragraphs),
        tables=((header, *rows),),
    )


# ----------------------------------------------------------------- registry

BUILTIN_SECTIONS: tuple[tuple[int, Callable[[ReportContext], Section]], ...] = (
    (10, basic_section),
    (20, summary_section),
    (30, indicators_section),
    (40, work_section),
    (50, targets_section),
    (60, nonconformities_section),
    (70, workload_section),
    (80, major_section),
    (90, trends_section),
    (100, satisfaction_section),
    (110, improvements_section),
    (120, plan_section),
)


def section_figures(context: ReportContext) -> dict[str, Any]:
    """The computed tables of the report as plain data, for ``report.figures`` and templates."""
    return {
        "indicators": indicator_rows(context),
        "abnormal": abnormal_indicators(context),
        "volumes": volume_counts(context),
        "breaches": breach_rows(period_breaches(context), context),
        "open_breaches": breach_rows(open_breaches(context), context),
        "security_incidents": [t.id for t in security_incidents(context)],
        "major_incidents": sorted(t.id for t in context.opened() if t.major),
        "trends": trend_rows(context),
        "findings_count": len(context.findings),
    }

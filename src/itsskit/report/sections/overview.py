"""一、报告基本信息 and 二、服务结果综述: what the report is about and its results in brief."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from itsskit.models import SLA, Section, TicketKind
from itsskit.report.sections.common import Table, calendar_text, last_day
from itsskit.report.sections.incidents import major_incidents
from itsskit.report.sections.indicators import abnormal_indicators, target_text, value_text

if TYPE_CHECKING:
    from itsskit.report.builder import ReportContext


def basic_info(context: ReportContext) -> dict[str, Any]:
    """The report's basic information as plain data (``report.figures["basic"]``)."""
    texts, spec, project, period = context.texts, context.spec, context.project, context.period
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
        "period_label": period.label,
        "period_start": period.start.date().isoformat(),
        "period_end": last_day(period).isoformat(),
        "period_text": texts(
            "basic.period_range",
            start=texts.date(period.start),
            end=texts.date(last_day(period)),
        ),
        "report_date": texts.date(context.generated),
        "evaluated_at": context.at.isoformat(),
        "sla": sla.id if sla else "",
        "sla_version": _sla_version(sla, context) if sla else texts.na,
        "sla_changes": _sla_changes(context),
        "data_sources": texts.join(spec.data_sources),
        "distribution": texts.join(spec.distribution),
        "approval": spec.approval,
    }


def basic_section(context: ReportContext) -> Section:
    """一、报告基本信息: the report's particulars, then the SLA's agreed terms."""
    texts, info = context.texts, basic_info(context)
    pairs = [
        ("basic.title", info["title"]),
        ("basic.customer", info["customer"]),
        ("basic.project", info["project_name"]),
        ("basic.purpose", info["purpose"]),
        ("basic.scope", info["scope"]),
        ("basic.period", info["period_text"]),
        ("basic.sla", info["sla_version"]),
        ("slm.report.sla_change", info["sla_changes"]),
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


def _sla_version(sla: SLA, context: ReportContext) -> str:
    return context.texts("basic.sla_version", sla=sla.id, version=sla.version)


def _sla_changes(context: ReportContext) -> str:
    """The SLA versions that took effect after the period's first day (a mid-period change)."""
    texts, first, last = context.texts, context.period.start.date(), last_day(context.period)
    return texts.join([
        texts("slm.report.mid_change", version=_sla_version(sla, context),
              date=texts.date(sla.effective_from))
        for sla in context.project.slas
        if sla.effective_from is not None and first < sla.effective_from <= last
    ])  # fmt: skip


def _sla_terms(context: ReportContext, sla: SLA) -> Table:
    """The SLA's documentary terms (seed 0601 §5.2.3), kept in the config and shown as agreed."""
    texts = context.texts
    start = sla.effective_from.isoformat() if sla.effective_from else ""
    end = sla.effective_to.isoformat() if sla.effective_to else texts("basic.open_end")
    pairs = [
        ("basic.sla", _sla_version(sla, context)),
        ("basic.effective", texts("basic.effective_range", start=start, end=end) if start else ""),
        ("basic.service_hours", calendar_text(context)),
        ("basic.report_content", texts.join(list(sla.report_content))),
        ("basic.responsibilities", sla.responsibilities),
        ("basic.risks", sla.risks),
        ("basic.interfaces", sla.interfaces),
    ]
    rows = tuple((texts(key), value) for key, value in pairs if value)
    return ((texts("basic.sla_terms"), texts("basic.content")), *rows)


def summary_section(context: ReportContext) -> Section:
    """二、服务结果综述: sentences written from the figures, then the manager's summary."""
    texts = context.texts
    paragraphs = [
        _tickets_sentence(context),
        *_attainment_sentences(context),
        *_availability_sentences(context),
        _major_sentence(context),
        *_satisfaction_sentences(context),
        _indicators_sentence(context),
    ]
    if context.notes.summary:
        paragraphs.append(texts("summary.manager", text=context.notes.summary))
    return Section(key="summary", title=texts("title.summary"), paragraphs=tuple(paragraphs))


def _tickets_sentence(context: ReportContext) -> str:
    opened = context.opened()
    kinds = Counter(t.kind for t in opened)
    return context.texts(
        "summary.tickets",
        opened=len(opened),
        incidents=kinds[TicketKind.INCIDENT],
        requests=kinds[TicketKind.REQUEST],
        resolved=len(context.resolved()),
        backlog=len(context.backlog()),
    )


def _attainment_sentences(context: ReportContext) -> list[str]:
    texts, kpis = context.texts, context.kpis
    sla = kpis.get("sla_attainment")
    if sla is None or sla.value is None:
        return [texts("summary.attainment_na")]
    verdict = texts("summary.missed" if sla.status == "missed" else "summary.met")
    return [
        texts(
            "summary.attainment",
            value=texts.percent(sla.value),
            target=target_text(sla, texts),
            verdict=verdict,
        ),
        texts(
            "summary.metrics",
            response=value_text(kpis["response_attainment"], texts),
            resolution=value_text(kpis["resolution_attainment"], texts),
        ),
    ]


def _availability_sentences(context: ReportContext) -> list[str]:
    texts, kpis = context.texts, context.kpis
    availability = kpis.get("availability")
    if availability is None or availability.value is None:
        return []
    target = (
        texts.target_percent(availability.target) if availability.target is not None else texts.na
    )
    failures = kpis["failure_count"].value if "failure_count" in kpis else 0
    return [
        texts(
            "summary.availability",
            value=texts.percent(availability.value),
            target=target,
            failures=texts.count(failures or 0),
        )
    ]


def _major_sentence(context: ReportContext) -> str:
    count = len(major_incidents(context))
    return (
        context.texts("summary.major", count=count) if count else context.texts("summary.no_major")
    )


def _satisfaction_sentences(context: ReportContext) -> list[str]:
    texts, kpis = context.texts, context.kpis
    mean, share = kpis.get("satisfaction_mean"), kpis.get("satisfied_share")
    if mean is None or share is None or mean.value is None:
        return []
    return [
        texts(
            "summary.satisfaction", mean=texts.score(mean.value), share=texts.percent(share.value)
        )
    ]


def _indicators_sentence(context: ReportContext) -> str:
    texts, abnormal = context.texts, abnormal_indicators(context)
    if not abnormal:
        return texts("summary.all_normal")
    return texts(
        "summary.abnormal", names=texts.join([context.kpi_label(name) for name in abnormal])
    )

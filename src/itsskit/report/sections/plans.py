"""十一、服务改进措施 and 十二、下阶段工作计划: what the team will do about the results."""

from __future__ import annotations

from typing import TYPE_CHECKING

from itsskit.models import Section
from itsskit.report.sections.common import manager_list, numbered
from itsskit.report.sections.indicators import abnormal_indicators

if TYPE_CHECKING:
    from itsskit.report.builder import ReportContext


def improvements_section(context: ReportContext) -> Section:
    """十一、服务改进措施: the manager's measures (or a prompt) and a suggestion per abnormal indicator."""
    texts = context.texts
    paragraphs = [
        texts("imp.manager"),
        *manager_list(context.notes.improvements, texts("imp.prompt")),
    ]
    registered = _registered(context)
    if registered:
        paragraphs += [texts("q.imp.report_intro"), *numbered(registered)]
    suggestions = _suggestions(context)
    if suggestions:
        paragraphs += [texts("imp.auto"), *numbered(suggestions)]
    return Section(
        key="improvements", title=texts("title.improvements"), paragraphs=tuple(paragraphs)
    )


def _registered(context: ReportContext) -> list[str]:
    """The improvement register's items for this project and report, one line each."""
    from itsskit.improvements import shown_status
    from itsskit.quality.service import report_improvements

    texts, on = context.texts, context.at.date()
    items = report_improvements(context.config, context.project.id, context.spec.id, context.period)
    return [
        texts(
            "q.imp.report_item", id=i.id, description=i.description,
            action=f"{texts('q.annual.measure')}: {i.action}" if i.action else "",
            owner=i.owner or "—", due=i.due.isoformat() if i.due else "—",
            status=texts(f"q.imp.status.{shown_status(i, on)}"),
        ).replace("（）", "").replace(" ()", "")
        for i in items
    ]  # fmt: skip


def _suggestions(context: ReportContext) -> list[str]:
    """Per abnormal indicator: the manager's suggestion, else the standard one."""
    texts, suggestions = context.texts, []
    for name in abnormal_indicators(context):
        cause = context.notes.causes.get(name)
        if cause and cause.suggestion:
            text = cause.suggestion
        elif texts.has(f"imp.auto.{name}"):
            text = texts(f"imp.auto.{name}")
        else:
            text = texts("imp.auto_default")
        suggestions.append(texts("imp.auto_item", name=context.kpi_label(name), text=text))
    return suggestions


def plan_section(context: ReportContext) -> Section:
    """十二、下阶段工作计划: the manager's plan, or a prompt."""
    texts = context.texts
    return Section(
        key="plan",
        title=texts("title.plan"),
        paragraphs=manager_list(context.notes.next_plan, texts("plan.prompt")),
    )

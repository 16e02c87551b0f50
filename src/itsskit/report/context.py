"""The template context: a :class:`~itsskit.models.Report` as plain data for templates.

Every renderer (docx, HTML, Markdown) hands its template the dict built by
:func:`report_context`; ``docs/reports.md`` documents every key. Templates run in
Jinja's sandbox (:func:`template_environment`): they format data, never run code.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from itsskit.converter import converter
from itsskit.models import Report, Section
from itsskit.report.texts import LANGUAGES, TEXTS, Texts

__all__ = [
    "LABELS",
    "LANGUAGES",
    "ReportTemplateError",
    "abnormal_word",
    "is_abnormal",
    "report_context",
    "template_environment",
]

LABELS: Mapping[str, Mapping[str, str]] = {
    "zh-CN": {
        "contents": "目录",
        "basic_info": "基本信息",
        "customer": "客户",
        "project": "项目",
        "period": "服务期间",
        "author": "编制人",
        "department": "编制部门",
        "date": "报告日期",
        "version": "版本",
        "status": "状态",
        "purpose": "报告目的",
        "scope": "服务范围",
        "audience": "报告对象",
        "distribution": "分发范围",
        "approval": "审批要求",
        "data_sources": "数据来源",
        "to": "至",
        "normal": TEXTS["zh-CN"]["ind.normal"],
        "abnormal": TEXTS["zh-CN"]["ind.abnormal"],
    },
    "en": {
        "contents": "Contents",
        "basic_info": "Basic information",
        "customer": "Customer",
        "project": "Project",
        "period": "Service period",
        "author": "Author",
        "department": "Department",
        "date": "Report date",
        "version": "Version",
        "status": "Status",
        "purpose": "Purpose",
        "scope": "Scope",
        "audience": "Audience",
        "distribution": "Distribution",
        "approval": "Approval",
        "data_sources": "Data sources",
        "to": "to",
        "normal": TEXTS["en"]["ind.normal"],
        "abnormal": TEXTS["en"]["ind.abnormal"],
    },
}


class ReportTemplateError(Exception):
    """A report template failed: bad syntax, an unknown key, or a forbidden access."""


def check_language(language: str) -> str:
    """``language`` if it is one of :data:`LANGUAGES`, else a ValueError naming it."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown report language {language!r} (known: {', '.join(LANGUAGES)})")
    return language


def abnormal_word(language: str) -> str:
    """The status word the builder writes for an abnormal indicator ("异常" / "Abnormal")."""
    return LABELS[check_language(language)]["abnormal"]


def is_abnormal(text: str, language: str) -> bool:
    """True when a table cell holds the localized "abnormal" status word."""
    return text.strip() == abnormal_word(language)


def template_environment(
    *, autoescape: bool, loader: jinja2.BaseLoader | None = None
) -> SandboxedEnvironment:
    """The sandboxed Jinja environment every report template is rendered in."""
    return SandboxedEnvironment(
        autoescape=autoescape,
        loader=loader,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def report_context(report: Report) -> dict[str, Any]:
    """The documented template context of ``report`` (plain, JSON-ready data)."""
    language = check_language(report.language)
    labels = dict(LABELS[language])
    spec = converter.unstructure(report.spec)
    basic = dict(report.figures.get("basic", {}))
    title = report.spec.title or report.project
    period_text = f"{_day(report.period_start)} {labels['to']} {_last_day(report.period_end)}"
    generated_date = _day(report.generated)
    cover = [
        (labels["customer"], basic.get("customer", "")),
        (labels["project"], basic.get("project_name", report.project)),
        (
            labels["period"],
            f"{report.period_label}（{period_text}）"
            if language == "zh-CN"
            else f"{report.period_label} ({period_text})",
        ),
        (labels["department"], report.spec.department),
        (labels["author"], report.spec.author),
        (labels["date"], generated_date),
        (labels["version"], f"V{report.version}"),
    ]
    info = [
        (labels["purpose"], report.spec.purpose),
        (labels["scope"], _join(basic.get("scope") or basic.get("services") or (), language)),
        (labels["audience"], report.spec.audience),
        (labels["author"], report.spec.author),
        (labels["period"], period_text),
        (labels["date"], generated_date),
        (labels["distribution"], _join(report.spec.distribution, language)),
    ]
    return {
        "lang": language,
        "labels": labels,
        "report": {
            "id": report.id,
            "project": report.project,
            "title": title,
            "language": language,
            "period_label": report.period_label,
            "period_start": _day(report.period_start),
            "period_end": _last_day(report.period_end),
            "period_text": period_text,
            "generated": report.generated.isoformat(),
            "generated_date": generated_date,
            "status": str(report.status),
            "version": report.version,
        },
        "spec": spec,
        "figures": converter.unstructure(dict(report.figures)),
        "basic": basic,
        "cover": [{"label": label, "value": str(value)} for label, value in cover],
        "info": [{"label": label, "value": str(value)} for label, value in info if value],
        "sections": [
            _section(section, number, language)
            for number, section in enumerate(report.sections, start=1)
        ],
        "history": converter.unstructure(list(report.history)),
        "abnormal_word": labels["abnormal"],
    }


def _section(section: Section, number: int, language: str) -> dict[str, Any]:
    tables = [_table(rows, language) for rows in section.tables if rows]
    charts = [
        {"name": name, "data_uri": "data:image/png;base64," + base64.b64encode(png).decode()}
        for name, png in section.charts.items()
    ]
    return {
        "key": section.key,
        "number": number,
        "anchor": f"s{number}-{section.key}",
        "title": section.title,
        "paragraphs": list(section.paragraphs),
        "tables": tables,
        "charts": charts,
        "missing": section.missing,
        "empty": not (section.paragraphs or tables or charts),
    }


def _table(rows: Sequence[Sequence[str]], language: str) -> dict[str, Any]:
    header, *body = rows
    return {
        "header": [str(text) for text in header],
        "rows": [
            [{"text": str(text), "abnormal": is_abnormal(str(text), language)} for text in row]
            for row in body
        ],
    }


def _day(moment: datetime) -> str:
    return moment.date().isoformat()


def _last_day(end: datetime) -> str:
    """The last day inside a half-open period ending at ``end``."""
    return (end - timedelta(microseconds=1)).date().isoformat()


def _join(values: Any, language: str) -> str:
    if isinstance(values, str):
        return values
    return Texts(language).join([str(value) for value in values])

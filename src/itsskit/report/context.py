"""The template context: a :class:`~itsskit.models.Report` as plain data for templates.

Every renderer (docx, HTML, Markdown) hands its template the dict built by
:func:`report_context`; ``docs/reports.md`` documents every key. The context is
plain data only (str, int, float, bool, None, lists and str-keyed dicts, checked
by :func:`plain`): no library object a template could call. Templates run in
:class:`itsskit.report.sandbox.TemplateSandbox` (:func:`template_environment`):
they format data, never run code, within a time and a size limit.
"""

from __future__ import annotations

import base64
import enum
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from itsskit.converter import converter
from itsskit.models import Report, Section
from itsskit.report.sandbox import ReportTemplateError, TemplateLimits, TemplateSandbox
from itsskit.report.texts import LANGUAGES, TEXTS, Texts

__all__ = [
    "LABELS",
    "LANGUAGES",
    "ReportTemplateError",
    "abnormal_word",
    "is_abnormal",
    "plain",
    "report_context",
    "template_environment",
]

#: The labels of the template context, from the wording catalogue (``label.*``).
_LABEL_NAMES = (
    "contents",
    "basic_info",
    "customer",
    "project",
    "period",
    "author",
    "department",
    "date",
    "version",
    "status",
    "purpose",
    "scope",
    "audience",
    "distribution",
    "approval",
    "data_sources",
    "to",
)
LABELS: Mapping[str, Mapping[str, str]] = {
    language: {
        **{name: TEXTS[language][f"label.{name}"] for name in _LABEL_NAMES},
        "normal": TEXTS[language]["ind.normal"],
        "abnormal": TEXTS[language]["ind.abnormal"],
    }
    for language in LANGUAGES
}


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
    *, autoescape: bool, limits: TemplateLimits | None = None
) -> TemplateSandbox:
    """The sandbox every report template is rendered in (one per render: it holds the clock)."""
    return TemplateSandbox(autoescape=autoescape, limits=limits)


def plain(value: Any, where: str = "context") -> Any:
    """A deep copy of ``value`` made of plain data only; a TypeError names anything else.

    Plain data: str, int, float, bool, None, lists (tuples become lists) and
    dicts with str keys. Subclasses of str other than ``str`` itself are refused
    too, so nothing with extra methods reaches a template. Lists and dicts are
    copied into new plain ones, so a model's read-only ``FrozenList`` or
    ``FrozenDict`` arrives as a plain list or dict, and an enum member as its value.
    """
    if value is None or type(value) in (str, int, float, bool):
        return value
    if isinstance(value, enum.Enum):  # a status, a kind ...: its plain value
        return plain(value.value, where)
    if isinstance(value, list | tuple):
        return [plain(item, f"{where}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, dict):
        if not all(type(key) is str for key in value):
            raise TypeError(f"template {where}: keys must be str")
        return {key: plain(item, f"{where}.{key}") for key, item in value.items()}
    raise TypeError(f"template {where}: {type(value).__name__} is not plain data")


def report_context(report: Report) -> dict[str, Any]:
    """The documented template context of ``report`` (plain, JSON-ready data)."""
    context: dict[str, Any] = plain(_context(report))
    return context


def _context(report: Report) -> dict[str, Any]:
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

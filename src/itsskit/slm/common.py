"""Pieces the service level management documents share: SLA terms as text and tables.

Everything here is pure: it turns configuration objects (:class:`~itsskit.models.SLA`,
:class:`~itsskit.models.CalendarSpec` ...) into wording from the ``slm`` domain of
the wording catalogue, so the catalogue, the agreement, the change record and
the review state a term the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from itsskit.config import Config
from itsskit.models import SLA, CalendarSpec, Project, Report, ReportSpec, Section
from itsskit.schedules import shipped_years
from itsskit.wording import Texts

__all__ = [
    "METRICS",
    "Row",
    "SlmError",
    "Table",
    "availability_text",
    "calendar_policy",
    "customer_name",
    "exact_duration",
    "find_version",
    "failure_duration_text",
    "failures_text",
    "hours_text",
    "or_prompt",
    "pause_rules",
    "priorities",
    "prompt",
    "sla_label",
    "slm_document",
    "table",
    "targets_table",
]

Row = tuple[str, ...]
Table = tuple[Row, ...]


class SlmError(ValueError):
    """Bad input to a service level management document: one line naming the key or file."""


#: The clock metrics an SLA sets time limits for, in document order.
METRICS = ("response", "resolution", "turnaround")
_WORKWEEK = (0, 1, 2, 3, 4)


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> Table:
    """A section table: the header row, then the rows, every cell as text."""
    return (tuple(header), *(tuple(str(cell) for cell in row) for row in rows))


def prompt(texts: Texts, what: str) -> str:
    """The visible prompt for something the configuration does not say: 【待填写：…】."""
    return texts("slm.prompt", what=what)


def or_prompt(value: str, texts: Texts, what: str) -> str:
    """``value``, or the prompt naming ``what`` when it is empty."""
    return value.strip() or prompt(texts, what)


def customer_name(config: Config, project: Project) -> str:
    """The project's customer: the ``[customers.ID]`` name when it names one, else the text."""
    customer = config.customers.get(project.customer)
    return customer.name if customer else project.customer


def find_version(project: Project, version: str) -> SLA:
    """The project's SLA version whose ``version`` or table name is ``version``."""
    for sla in project.slas:
        if version in (sla.version, sla.id):
            return sla
    known = ", ".join(f"{sla.id} (version {sla.version})" for sla in project.slas) or "none"
    raise SlmError(f"projects.{project.id}.sla: no SLA version {version!r} (known: {known})")


def sla_label(sla: SLA, texts: Texts) -> str:
    """``gold 第 2024 版`` / ``gold, version 2024``."""
    return texts("slm.sla_version", sla=sla.id, version=sla.version)


def exact_duration(seconds: int, texts: Texts) -> str:
    """A target duration to the second: ``4小时`` / ``1h30m`` / ``1h30m15s``."""
    rest = seconds % 60
    if seconds < 60 or not rest:
        return texts.duration(seconds)
    return texts.duration(seconds - rest) + texts("unit.seconds", s=rest)


def priorities(sla: SLA) -> list[str]:
    """The SLA's priorities in order: P1, P2, ..., P10."""
    return sorted(sla.targets.priorities(), key=lambda name: (len(name), name))


def hours_text(spec: CalendarSpec, texts: Texts) -> str:
    """The service hours: ``7×24 小时`` or ``周一至周五 09:00-12:00、13:30-18:00（Asia/Shanghai 时间）``."""
    if spec.preset == "always":
        return texts("slm.hours.always")
    weekdays = tuple(sorted(spec.weekdays))
    if weekdays == _WORKWEEK:
        days = texts("slm.hours.weekdays")
    elif len(weekdays) == 7:
        days = texts("slm.hours.every_day")
    else:
        days = texts.join([texts(f"slm.weekday.{day}") for day in weekdays])
    hours = texts.join(list(spec.hours))
    return texts("slm.hours.windows", days=days, hours=hours) + texts(
        "slm.hours.timezone", zone=spec.timezone
    )


def calendar_policy(spec: CalendarSpec, texts: Texts) -> list[str]:
    """How holidays and make-up working days are treated, and the dates agreed on top."""
    if spec.preset == "china":
        years = shipped_years()
        loaded = sorted(schedule.year for schedule in spec.schedules)
        extra = texts("slm.calendar.loaded", years=texts.join([str(y) for y in loaded]))
        policy = [
            texts(
                "slm.calendar.china",
                first=years.start,
                last=years.stop - 1,
                loaded=extra if loaded else "",
            )
        ]
    elif spec.preset == "always":
        policy = [texts("slm.calendar.always")]
    elif spec.preset == "weekly":
        policy = [texts("slm.calendar.weekly")]
    else:
        policy = [texts("slm.calendar.preset", name=spec.preset)]
    if spec.holidays:
        days = texts.join([texts.date(day) for day in sorted(spec.holidays)])
        policy.append(texts("slm.calendar.holidays", days=days))
    if spec.workdays:
        days = texts.join([texts.date(day) for day in sorted(spec.workdays)])
        policy.append(texts("slm.calendar.workdays", days=days))
    return policy


def targets_table(sla: SLA, texts: Texts) -> Table:
    """Priority by metric: the time limits, ``不考核`` where a priority has none."""
    metrics = [metric for metric in METRICS if getattr(sla.targets, metric)]
    rows = []
    for priority in priorities(sla):
        cells = [priority]
        for metric in metrics:
            seconds: Mapping[str, int] = getattr(sla.targets, metric)
            cells.append(
                exact_duration(seconds[priority], texts)
                if priority in seconds
                else texts("slm.not_measured")
            )
        rows.append(cells)
    header = [texts("slm.priority"), *(texts(f"slm.metric.{metric}") for metric in metrics)]
    return table(header, rows)


def pause_rules(sla: SLA, texts: Texts) -> list[str]:
    """The clock rules of the SLA: pauses (the default rule when none is configured) and more."""
    if sla.pause_statuses is None:
        pauses = texts("slm.pause.default")
    elif not sla.pause_statuses:
        pauses = texts("slm.pause.empty")
    else:
        pauses = texts("slm.pause.configured", statuses=texts.join(list(sla.pause_statuses)))
    return [
        pauses,
        texts("slm.pause.resolved", statuses=texts.join(list(sla.resolved_statuses))),
        texts("slm.pause.response_yes" if sla.response_pauses else "slm.pause.response_no"),
        texts(f"slm.pause.priority_{sla.priority_at}"),
        texts("slm.pause.met"),
    ]


def period_word(period: str, texts: Texts) -> str:
    """``月`` / ``month`` for ``monthly`` ...; an unknown period as written."""
    key = f"slm.period.{period}"
    return texts(key) if texts.has(key) else period


def period_name(period: str, texts: Texts) -> str:
    """``月度`` / ``Monthly`` for ``monthly`` ...; an unknown period as written."""
    key = f"slm.period_name.{period}"
    return texts(key) if texts.has(key) else period


def availability_text(sla: SLA, texts: Texts) -> str:
    """``≥ 99.9%``, or the prompt when the SLA sets no availability target."""
    if sla.availability is None:
        return prompt(texts, texts("slm.availability"))
    return texts("slm.at_least", value=texts.target_percent(sla.availability))


def failures_text(sla: SLA, texts: Texts) -> str:
    """``≤ 2 次``, or the prompt when the SLA sets no failure limit."""
    if sla.max_failures is None:
        return prompt(
            texts, texts("slm.max_failures", period=period_word(sla.report_period, texts))
        )
    return texts("slm.at_most", value=texts("slm.times", count=sla.max_failures))


def failure_duration_text(sla: SLA, texts: Texts) -> str:
    """``≤ 2小时``, or the prompt when the SLA sets no single-failure limit."""
    if sla.max_failure_seconds is None:
        return prompt(texts, texts("slm.max_failure_duration"))
    return texts("slm.at_most", value=exact_duration(sla.max_failure_seconds, texts))


def day_start(day: date, timezone: str) -> datetime:
    """Midnight at the start of ``day`` in ``timezone``."""
    return datetime.combine(day, time(), tzinfo=ZoneInfo(timezone))


def slm_document(
    *,
    report_id: str,
    title: str,
    label: str,
    start: datetime,
    end: datetime,
    generated: datetime,
    texts: Texts,
    sections: Sequence[Section],
    project: str = "",
    purpose: str = "",
    audience: str = "",
    author: str = "",
    department: str = "",
    basic: Mapping[str, Any] | None = None,
    figures: Mapping[str, Any] | None = None,
) -> Report:
    """A service level management document as a :class:`Report` any renderer renders.

    ``label`` names the document in file names (``<report_id>_<label>``) and on
    the cover with ``[start, end)``; ``end`` is moved a day past ``start`` when
    it is not after it (a document about one day).
    """
    end = end if end > start else start + timedelta(days=1)
    spec = ReportSpec(
        id=report_id,
        project=project or "company",
        title=title,
        department=department,
        period="custom",
        author=author,
        audience=audience,
        purpose=purpose,
        language=texts.language,
    )
    return Report(
        id=report_id,
        project=project or "company",
        spec=spec,
        period_label=label,
        period_start=start,
        period_end=end,
        generated=generated,
        language=texts.language,
        sections=tuple(sections),
        figures={"basic": dict(basic or {}), **(figures or {})},
    )

"""SLA versions compared (seed 0601 §5.4.3): the terms that change, as a change record.

:func:`sla_changes` lists what differs between two :class:`~itsskit.models.SLA`
versions — each time limit per metric and priority, the availability and
failure limits, the service hours and calendar, the clock rules and the
documentary terms — and whether each change makes the agreement stricter or
more relaxed. :func:`build_change_record` renders it as a change record to put
through change management, with its impact and an approval block.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Literal

import attrs

from itsskit.config import Config
from itsskit.models import SLA, CalendarSpec, Project, Report, Section
from itsskit.slm.catalogue import sla_figures
from itsskit.slm.common import (
    METRICS,
    calendar_policy,
    customer_name,
    day_start,
    exact_duration,
    hours_text,
    or_prompt,
    period_name,
    prompt,
    sla_label,
    slm_document,
    table,
)
from itsskit.wording import Texts

__all__ = ["ChangeKind", "SlaChange", "build_change_record", "sla_changes"]

ChangeKind = Literal["tightened", "relaxed", "added", "removed", "changed"]

#: Limits where a larger value is stricter (``>=`` targets) and where a smaller one is.
_HIGHER_IS_STRICTER = ("availability",)
_LOWER_IS_STRICTER = ("max_failures", "max_failure_seconds")
#: Terms compared as they are (a change is a change, neither stricter nor looser).
_PLAIN_TERMS = (
    "customer", "services", "pause_statuses", "resolved_statuses", "response_pauses",
    "priority_at", "report_period", "report_content", "responsibilities", "risks",
    "interfaces", "effective_to",
)  # fmt: skip


@attrs.frozen(kw_only=True)
class SlaChange:
    """One term that differs between two SLA versions.

    ``term`` is ``targets.<metric>.<priority>``, ``calendar`` (service hours),
    ``calendar_policy`` (agreed extra holidays and workdays), or an SLA field name
    (``availability``, ``risks`` ...); ``before``/``after`` are the configured
    values (None: not set); ``kind`` says whether it tightens or relaxes the terms.
    """

    term: str
    before: Any
    after: Any
    kind: ChangeKind


def sla_changes(before: SLA, after: SLA) -> tuple[SlaChange, ...]:
    """Every term that differs from ``before`` to ``after``, in document order."""
    changes: list[SlaChange] = []
    for metric in METRICS:
        old, new = getattr(before.targets, metric), getattr(after.targets, metric)
        for priority in sorted(set(old) | set(new), key=lambda p: (len(p), p)):
            change = _limit(f"targets.{metric}.{priority}", old.get(priority),
                            new.get(priority), lower_is_stricter=True)  # fmt: skip
            changes.extend([change] if change else [])
    for name in _HIGHER_IS_STRICTER + _LOWER_IS_STRICTER:
        change = _limit(name, getattr(before, name), getattr(after, name),
                        lower_is_stricter=name in _LOWER_IS_STRICTER)  # fmt: skip
        changes.extend([change] if change else [])
    changes.extend(_calendar(before.calendar, after.calendar))
    for name in _PLAIN_TERMS:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            # no pause statuses (None) is the default rule, not the absence of a term
            kind = "changed" if name == "pause_statuses" else _plain_kind(old, new)
            changes.append(SlaChange(term=name, before=old, after=new, kind=kind))
    return tuple(changes)


def _limit(term: str, old: float | None, new: float | None, *, lower_is_stricter: bool
           ) -> SlaChange | None:  # fmt: skip
    if old == new:
        return None
    if old is None or new is None:
        return SlaChange(term=term, before=old, after=new,
                         kind="added" if old is None else "removed")  # fmt: skip
    stricter = new < old if lower_is_stricter else new > old
    return SlaChange(term=term, before=old, after=new, kind="tightened" if stricter else "relaxed")


def _plain_kind(old: Any, new: Any) -> ChangeKind:
    if old in (None, "", ()):
        return "added"
    if new in (None, "", ()):
        return "removed"
    return "changed"


def _hours_key(spec: CalendarSpec) -> tuple[Any, ...]:
    if spec.preset == "always":
        return (spec.preset, spec.timezone)
    return (spec.preset, spec.timezone, spec.hours, tuple(sorted(spec.weekdays)))


def _calendar(old: CalendarSpec, new: CalendarSpec) -> list[SlaChange]:
    changes = []
    if _hours_key(old) != _hours_key(new):
        changes.append(SlaChange(term="calendar", before=old, after=new, kind="changed"))
    if (old.holidays, old.workdays) != (new.holidays, new.workdays):
        changes.append(SlaChange(term="calendar_policy", before=old, after=new, kind="changed"))
    return changes


# ---------------------------------------------------------------- rendering


def term_name(term: str, texts: Texts) -> str:
    """The display name of a changed term: ``响应时限 P1`` / ``Availability target``."""
    if term.startswith("targets."):
        _, metric, priority = term.split(".", 2)
        return texts("slm.chg.f.target", metric=texts(f"slm.metric.{metric}"), priority=priority)
    return texts(f"slm.chg.f.{term}")


def term_value(change: SlaChange, value: Any, texts: Texts) -> str:
    """A term's value as the agreement states it; ``未约定`` when not set."""
    term = change.term
    if value is None:
        return texts("slm.chg.default_pause") if term == "pause_statuses" else texts("slm.not_set")
    if term.startswith("targets.") or term == "max_failure_seconds":
        return exact_duration(int(value), texts)
    if term == "availability":
        return texts.target_percent(value)
    if term == "calendar":
        return hours_text(value, texts)
    if term == "calendar_policy":
        return " ".join(calendar_policy(value, texts)[1:]) or texts("slm.none")
    if term == "priority_at":
        return texts(f"slm.chg.priority_at.{value}")
    if term == "report_period":
        return period_name(value, texts)
    if term == "response_pauses":
        return texts("slm.yes" if value else "slm.no")
    if term == "effective_to":
        return texts.date(value)
    if isinstance(value, tuple | list):
        return texts.join([str(item) for item in value]) or texts("slm.none")
    return str(value) or texts("slm.none")


def change_figures(change: SlaChange) -> dict[str, Any]:
    """One change as JSON-ready data (calendars as their hours, dates as ISO text)."""

    def plain(value: Any) -> Any:
        if isinstance(value, CalendarSpec):
            return {"preset": value.preset, "timezone": value.timezone,
                    "hours": list(value.hours), "weekdays": list(value.weekdays),
                    "holidays": [d.isoformat() for d in value.holidays],
                    "workdays": [d.isoformat() for d in value.workdays]}  # fmt: skip
        if isinstance(value, date):
            return value.isoformat()
        return list(value) if isinstance(value, tuple) else value

    return {"term": change.term, "before": plain(change.before), "after": plain(change.after),
            "kind": change.kind}  # fmt: skip


def build_change_record(
    config: Config,
    project: Project,
    before: SLA,
    after: SLA,
    *,
    generated: datetime,
    language: str = "zh-CN",
    provider: str = "",
) -> Report:
    """The change record from SLA version ``before`` to ``after`` of ``project``."""
    texts = Texts(language)
    changes = sla_changes(before, after)
    start = after.effective_from or generated.date()
    name = project.name or project.id
    return slm_document(
        report_id=f"sla-change-{project.id}",
        title=texts("slm.chg.title", project=name),
        label=f"{before.version}-{after.version}",
        start=day_start(start, project.timezone),
        end=day_start(start, project.timezone),
        generated=generated,
        texts=texts,
        sections=[
            _basic(config, project, before, after, texts),
            _content(changes, texts),
            _impact(changes, before, after, texts),
            _approval(project, texts),
        ],
        project=project.id,
        purpose=texts("slm.chg.purpose"),
        audience=customer_name(config, project),
        author=project.manager,
        department=or_prompt(provider, texts, texts("slm.provider")),
        basic={"customer": customer_name(config, project), "project_name": name},
        figures={
            "changes": [change_figures(change) for change in changes],
            "before": sla_figures(before),
            "after": sla_figures(after),
        },
    )


def _basic(config: Config, project: Project, before: SLA, after: SLA, texts: Texts) -> Section:
    effective = texts.date(after.effective_from) if after.effective_from else prompt(
        texts, texts("slm.chg.effective"))  # fmt: skip
    pairs = [
        (texts("slm.chg.change_id"), prompt(texts, texts("slm.chg.change_id"))),
        (texts("slm.project"), project.name or project.id),
        (texts("slm.customer"), or_prompt(customer_name(config, project), texts,
                                          texts("slm.customer"))),
        (texts("slm.chg.from"), sla_label(before, texts)),
        (texts("slm.chg.to"), sla_label(after, texts)),
        (texts("slm.chg.effective"), effective),
        (texts("slm.chg.requester"), prompt(texts, texts("slm.chg.requester"))),
        (texts("slm.chg.reason"), prompt(texts, texts("slm.chg.reason"))),
    ]  # fmt: skip
    return Section(key="basic", title=texts("slm.chg.s.basic"),
                   tables=(table((texts("slm.item"), texts("slm.content")), pairs),))  # fmt: skip


def _content(changes: Sequence[SlaChange], texts: Texts) -> Section:
    title = texts("slm.chg.s.content")
    if not changes:
        return Section(key="changes", title=title, paragraphs=(texts("slm.chg.none"),))
    rows = [
        (term_name(c.term, texts), term_value(c, c.before, texts), term_value(c, c.after, texts),
         texts(f"slm.chg.kind.{c.kind}"))
        for c in changes
    ]  # fmt: skip
    kinds = [change.kind for change in changes]
    header = [texts(f"slm.chg.{key}") for key in ("field", "before", "after", "kind")]
    return Section(
        key="changes",
        title=title,
        paragraphs=(texts("slm.chg.count", count=len(changes),
                          tightened=kinds.count("tightened"), relaxed=kinds.count("relaxed")),),
        tables=(table(header, rows),),
    )  # fmt: skip


def _impact(changes: Sequence[SlaChange], before: SLA, after: SLA, texts: Texts) -> Section:
    if after.effective_from is None:
        paragraphs = [texts("slm.chg.switch_open")]
    else:
        paragraphs = [
            texts(
                "slm.chg.switch",
                date=texts.date(after.effective_from),
                to=sla_label(after, texts),
                before=sla_label(before, texts),
            )
        ]
    if any(change.kind == "tightened" for change in changes):
        paragraphs.append(texts("slm.chg.tightened_note"))
    return Section(key="impact", title=texts("slm.chg.s.impact"), paragraphs=tuple(paragraphs))


def _approval(project: Project, texts: Texts) -> Section:
    blank, blank_date = texts("slm.sign.blank"), texts("slm.sign.blank_date")
    roles = [("requester", ""), ("manager", project.manager), ("cab", ""), ("customer", "")]
    rows = [(texts(f"slm.chg.role.{role}"), name or blank, blank, blank_date)
            for role, name in roles]  # fmt: skip
    header = [texts("slm.chg.role"), texts("slm.chg.person"), texts("slm.chg.signature"),
              texts("slm.sign.date")]  # fmt: skip
    return Section(key="approval", title=texts("slm.chg.s.approval"), tables=(table(header, rows),))

"""Internal audit (seed 0403 §6.2.4, §7.3.1, §8): checklist, answers, findings, actions, report.

The audit is held at least once a year, in October by default (§7.3.1), and
covers PDCA, people, resources, technology, processes, delivery and emergency
response. :func:`generate_checklist` builds the checklist from §8;
:class:`Audit` is the file the auditors edit (TOML, see :func:`audit_toml` and
:func:`load_audit`): each item with its answer and evidence, plus the
corrective/preventive actions. Every nonconforming answer is a
:class:`~itsskit.models.Finding` (id ``NC-<item id>``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import attrs

from itsskit.models import (
    AuditAnswer,
    AuditChecklist,
    AuditItem,
    CorrectiveAction,
    Finding,
    Report,
    Section,
)
from itsskit.periods import Period
from itsskit.quality.checkpoints import AREAS, CHECKPOINTS, REFERENCE
from itsskit.quality.common import (
    LANGUAGES,
    Table,
    check_language,
    day_text,
    quality_report,
    table,
)
from itsskit.quality.files import InputFileError, load_checked
from itsskit.wording import Texts

__all__ = [
    "AUDIT_MONTH",
    "ActionStatus",
    "Audit",
    "AuditEntry",
    "AuditFileError",
    "action_status",
    "audit_report",
    "audit_toml",
    "finding_status",
    "findings_table",
    "generate_checklist",
    "load_audit",
]

#: Seed 0403 §7.3.1: 安排在每年10月进行.
AUDIT_MONTH = 10
AUDIT_DAY = 15

ActionStatus = Literal["open", "overdue", "closed"]


def generate_checklist(
    year: int, *, scheduled: date | None = None, language: str = "zh-CN"
) -> AuditChecklist:
    """The internal audit checklist of ``year`` from seed 0403 §8 (zh-CN or en)."""
    column = 2 if check_language(language) == "zh-CN" else 3
    name = 1 if language == "zh-CN" else 2
    items = tuple(
        AuditItem(
            id=checkpoint[0],
            area=AREAS[checkpoint[1]][name],
            question=checkpoint[column],
            reference=f"{REFERENCE} §{AREAS[checkpoint[1]][0]}",
        )
        for checkpoint in CHECKPOINTS
    )
    return AuditChecklist(
        id=f"audit-{year}",
        year=year,
        scheduled=scheduled or date(year, AUDIT_MONTH, AUDIT_DAY),
        items=items,
    )


# ------------------------------------------------------------------ the file


def _severity(_instance: object, _attribute: attrs.Attribute[str], value: str) -> None:
    if value not in ("minor", "major"):
        raise ValueError(f'severity must be "minor" or "major", got {value!r}')


@attrs.frozen(kw_only=True)
class AuditEntry:
    """A checklist item with its answer: ``conforming`` None = not answered yet.

    ``proposed``, ``data_evidence`` and ``figures`` are the pre-fill from the
    data (:mod:`itsskit.quality.prefill`): the verdict the figures suggest
    (None: the data cannot say), the evidence in words (which KPI, period and
    numbers) and the KPI values. The auditor's answer is ``conforming``.
    """

    id: str
    area: str
    question: str
    reference: str = ""
    conforming: bool | None = None
    evidence: str = ""
    severity: str = attrs.field(default="minor", validator=_severity)
    proposed: bool | None = None
    data_evidence: str = ""
    figures: Mapping[str, float] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Audit:
    """An internal audit as the auditors record it: items, answers and actions."""

    id: str
    year: int
    scheduled: date
    language: str = "zh-CN"
    held: date | None = None
    auditors: tuple[str, ...] = ()
    scope: str = ""
    items: tuple[AuditEntry, ...] = ()
    actions: tuple[CorrectiveAction, ...] = ()

    @classmethod
    def from_checklist(cls, checklist: AuditChecklist, language: str = "zh-CN") -> Audit:
        """A new, unanswered audit of ``checklist`` (its answers, if any, filled in)."""
        answers = {answer.item: answer for answer in checklist.answers}
        entries = []
        for item in checklist.items:
            answer = answers.get(item.id)
            entries.append(
                AuditEntry(
                    **attrs.asdict(item),
                    conforming=None if answer is None else answer.conforming,
                    evidence="" if answer is None else answer.evidence,
                )
            )
        return cls(
            id=checklist.id,
            year=checklist.year,
            scheduled=checklist.scheduled,
            language=language,
            items=tuple(entries),
        )

    @property
    def checklist(self) -> AuditChecklist:
        """The checklist with the answers given so far."""
        return AuditChecklist(
            id=self.id,
            year=self.year,
            scheduled=self.scheduled,
            items=tuple(
                AuditItem(id=e.id, area=e.area, question=e.question, reference=e.reference)
                for e in self.items
            ),
            answers=tuple(
                AuditAnswer(item=e.id, conforming=e.conforming, evidence=e.evidence)
                for e in self.items
                if e.conforming is not None
            ),
        )

    @property
    def findings(self) -> tuple[Finding, ...]:
        """One finding per nonconforming answer, raised on the audit day."""
        return tuple(
            Finding(
                id=f"NC-{e.id}",
                description=e.evidence or e.question,
                area=e.area,
                severity=e.severity,
                raised=self.held or self.scheduled,
                audit=self.id,
            )
            for e in self.items
            if e.conforming is False
        )


class AuditFileError(InputFileError):
    """An audit file that cannot be used; ``errors`` holds one ``file: key.path: why`` each."""


def load_audit(path: str | Path) -> Audit:
    """Read an audit file (TOML) through the one converter; errors name the key path."""
    return load_checked(Path(path), Audit, "audit", AuditFileError, _check)


def _check(audit: Audit) -> list[str]:
    """The year and language, duplicate item ids, and actions naming no finding of the audit."""
    errors = []
    if not 1000 <= audit.year <= 9999:
        errors.append(f"audit.year: expected a four-digit year, got {audit.year}")
    if audit.language not in LANGUAGES:
        errors.append(
            f"audit.language: expected one of {', '.join(LANGUAGES)}, got {audit.language!r}"
        )
    seen: set[str] = set()
    for index, entry in enumerate(audit.items):
        if entry.id in seen:
            errors.append(f"items[{index}].id: duplicate item id {entry.id!r}")
        seen.add(entry.id)
    findings = [finding.id for finding in audit.findings]
    for index, action in enumerate(audit.actions):
        if action.finding not in findings:
            known = ", ".join(findings) or "none: no item is answered conforming = false"
            errors.append(
                f"actions[{index}].finding: unknown finding {action.finding!r} (known: {known})"
            )
    return errors


def audit_toml(audit: Audit) -> str:
    """The audit as the TOML file the auditors edit (read back by :func:`load_audit`)."""
    zh = audit.language == "zh-CN"
    lines = [
        f"# {audit.year} 年度内部审核检查表（YNTD-ITSS-0403 §8）" if zh
        else f"# Internal audit checklist {audit.year} (YNTD-ITSS-0403 §8)",
        "# 每项填写 conforming = true（符合）或 false（不符合）及 evidence（审核证据）；"
        "不符合项生成 NC-<编号>，在 [[actions]] 中登记纠正/预防措施。" if zh
        else "# Answer each item: conforming = true or false, and evidence; each "
        "nonconformity is finding NC-<id>; record its corrective actions under [[actions]].",
        *_toml_pairs({
            "id": audit.id, "year": audit.year, "scheduled": audit.scheduled,
            "language": audit.language, "held": audit.held, "auditors": list(audit.auditors),
            "scope": audit.scope,
        }),
    ]  # fmt: skip
    for entry in audit.items:
        pairs = _toml_pairs(attrs.asdict(entry))
        if entry.conforming is None:  # the auditor's line to fill in, after the reference
            pairs.insert(4 if entry.reference else 3, "# conforming = true")
        lines += ["", "[[items]]", *pairs]
    for action in audit.actions:
        lines += ["", "[[actions]]", *_toml_pairs(attrs.asdict(action))]
    if not audit.actions:
        lines += ["", "# [[actions]]", '# id = "CA-1"', '# finding = "NC-8.3.4"',
                  '# action = "..."', '# owner = "..."', "# due = 2025-11-30",
                  "# closed = 2025-11-20"]  # fmt: skip
    return "\n".join(lines) + "\n"


def _toml_pairs(values: Mapping[str, object]) -> list[str]:
    """``key = value`` lines; None values are left out (TOML has no null)."""
    return [f"{key} = {_toml_value(value)}" for key, value in values.items() if value is not None]


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        pairs = (f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + ", ".join(pairs) + " }" if value else "{}"
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string


# --------------------------------------------------------------- tracking


def action_status(action: CorrectiveAction, on: date) -> ActionStatus:
    """``closed`` if closed on or before ``on``; else ``overdue`` past its due date; else ``open``."""
    if action.closed is not None and action.closed <= on:
        return "closed"
    if action.due is not None and action.due < on:
        return "overdue"
    return "open"


def finding_status(finding: Finding, actions: Iterable[CorrectiveAction], on: date) -> ActionStatus:
    """A finding is closed when it has actions and all are closed; overdue if any is overdue."""
    statuses = [action_status(a, on) for a in actions if a.finding == finding.id]
    if statuses and all(status == "closed" for status in statuses):
        return "closed"
    return "overdue" if "overdue" in statuses else "open"


# ------------------------------------------------------------------ report


def _w(language: str, key: str, **values: object) -> str:
    return Texts(language)(f"q.audit.{key}", **values)


def _result(entry: AuditEntry, language: str) -> str:
    if entry.conforming is None:
        return _w(language, "unanswered")
    return _w(language, "ok" if entry.conforming else "nc")


def findings_table(audit: Audit, on: date, language: str) -> Table:
    """Findings with their severity and status on ``on`` (for other reports too)."""
    clauses = {f"NC-{e.id}": e.reference for e in audit.items}
    return table(
        (_w(language, "id"), _w(language, "area"), _w(language, "clause"),
         _w(language, "description"), _w(language, "severity"),
         _w(language, "status", on=on.isoformat())),
        [(f.id, f.area, clauses.get(f.id, ""), f.description,
          _w(language, f"severity.{f.severity}"),
          _w(language, f"status.{finding_status(f, audit.actions, on)}"))
         for f in audit.findings],
    )  # fmt: skip


def audit_report(audit: Audit, *, on: date, generated: datetime) -> Report:
    """The internal audit report (§7.3.1.3) as a Report; action status as on ``on``."""
    language = check_language(audit.language)
    entries = audit.items
    answered = [e for e in entries if e.conforming is not None]
    nonconforming = [e for e in entries if e.conforming is False]
    overview = Section(
        key="overview",
        title=_w(language, "overview"),
        paragraphs=(
            _w(language, "overview_text", id=audit.id, scheduled=audit.scheduled,
               held=day_text(audit.held) or _w(language, "tbd"),
               auditors=("、" if language == "zh-CN" else ", ").join(audit.auditors)
               or _w(language, "tbd")),
            _w(language, "scope", scope=audit.scope or _w(language, "scope_default")),
            _w(language, "counts", total=len(entries), ok=len(answered) - len(nonconforming),
               nc=len(nonconforming), open=len(entries) - len(answered)),
        ),
    )  # fmt: skip
    sections = [
        overview,
        Section(key="by_area", title=_w(language, "by_area"), tables=(_area_table(entries, language),)),
        Section(
            key="details",
            title=_w(language, "details"),
            tables=(
                table(
                    (_w(language, "id"), _w(language, "area"), _w(language, "question"),
                     _w(language, "result"), _w(language, "evidence")),
                    [(e.id, e.area, e.question, _result(e, language), e.evidence) for e in entries],
                ),
            ),
        ),
        _findings_section(audit, on, language),
        _actions_section(audit.actions, on, language),
    ]  # fmt: skip
    period = Period.year(audit.year)
    return quality_report(
        report_id=audit.id,
        title=_w(language, "title", year=audit.year),
        period=period,
        sections=sections,
        generated=generated,
        language=language,
        purpose=_w(language, "purpose"),
        scope=[audit.scope or _w(language, "scope_default")],
        author=("、" if language == "zh-CN" else ", ").join(audit.auditors),
        figures={"audit": {"items": len(entries), "answered": len(answered),
                           "nonconforming": len(nonconforming)}},
    )  # fmt: skip


def _area_table(entries: Sequence[AuditEntry], language: str) -> Table:
    areas = list(dict.fromkeys(e.area for e in entries))
    rows = []
    for area in areas:
        mine = [e for e in entries if e.area == area]
        rows.append((area, len(mine), sum(e.conforming is True for e in mine),
                     sum(e.conforming is False for e in mine),
                     sum(e.conforming is None for e in mine)))  # fmt: skip
    header = (_w(language, "area"), _w(language, "items"), _w(language, "ok"),
              _w(language, "nc"), _w(language, "unanswered"))  # fmt: skip
    return table(header, rows)


def _findings_section(audit: Audit, on: date, language: str) -> Section:
    title = _w(language, "findings")
    if not audit.findings:
        return Section(key="findings", title=title, paragraphs=(_w(language, "findings_none"),))
    return Section(key="findings", title=title, tables=(findings_table(audit, on, language),))


def _actions_section(actions: Sequence[CorrectiveAction], on: date, language: str) -> Section:
    title = _w(language, "actions")
    if not actions:
        return Section(key="actions", title=title, paragraphs=(_w(language, "actions_none"),))
    header = (_w(language, "id"), _w(language, "finding"), _w(language, "kind"),
              _w(language, "action"), _w(language, "owner"), _w(language, "due"),
              _w(language, "closed"), _w(language, "status", on=on.isoformat()))  # fmt: skip
    rows = [
        (a.id, a.finding, _w(language, "preventive" if a.preventive else "corrective"), a.action,
         a.owner, day_text(a.due), day_text(a.closed),
         _w(language, f"status.{action_status(a, on)}"))
        for a in actions
    ]  # fmt: skip
    return Section(key="actions", title=title, tables=(table(header, rows),))

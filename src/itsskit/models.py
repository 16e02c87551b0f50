"""Domain model: catalogue, SLAs, records, reports and quality (SPEC §1).

Every class is a frozen, slotted, keyword-only attrs class. Models hold data and
check their own invariants; they do no I/O, formatting or serialisation (see
:mod:`itsskit.converter` for that). All datetimes are timezone-aware.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, NoReturn

import attrs

from itsskit.schedules import YearSchedule
from itsskit.times import DEFAULT_TIMEZONE

__all__ = [
    "AuditAnswer",
    "AuditChecklist",
    "AuditItem",
    "CalendarSpec",
    "Change",
    "ClockStatus",
    "CorrectiveAction",
    "Customer",
    "DataQualityFinding",
    "Finding",
    "FrozenDict",
    "FrozenList",
    "ImprovementItem",
    "Indicator",
    "LANGUAGES",
    "ManagementReview",
    "Metric",
    "Outage",
    "Project",
    "Report",
    "ReportSpec",
    "ReportStatus",
    "RecordSet",
    "ReportSubmission",
    "Section",
    "Service",
    "SLA",
    "StatusChange",
    "SurveyKind",
    "SurveyResponse",
    "Targets",
    "Ticket",
    "TicketKind",
    "deep_frozen",
    "Transition",
]


# --------------------------------------------------------------------- validators


def aware(_instance: object, attribute: attrs.Attribute[Any], value: datetime | None) -> None:
    """Reject naive datetimes (``None`` is allowed where the type allows it)."""
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{attribute.name} must be timezone-aware, got naive {value.isoformat()}")


def _non_negative(_instance: object, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None and value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value}")


def _seconds_by_priority(
    _instance: object, attribute: attrs.Attribute[Any], value: Mapping[str, int]
) -> None:
    for priority, seconds in value.items():
        if seconds <= 0:
            raise ValueError(f"{attribute.name}.{priority} must be > 0 seconds, got {seconds}")


def _score(_instance: object, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None and not 1 <= value <= 5:
        raise ValueError(f"{attribute.name} must be 1..5, got {value}")


def _fraction(_instance: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be a fraction in [0, 1], got {value}")


class FrozenDict(dict[str, Any]):
    """A read-only, hashable dict: every mapping held by a frozen model.

    It is a ``dict`` (JSON, templates and the converter take it as one) whose
    mutating methods raise ``TypeError``; nested dicts, lists and sets are frozen
    too (:func:`deep_frozen`), so a model built from it is hashable.
    """

    __slots__ = ()

    def _read_only(self, *_args: object, **_kwargs: object) -> NoReturn:
        raise TypeError(f"{type(self).__name__} is read-only; build a new model instead")

    __setitem__ = __delitem__ = _read_only
    clear = pop = popitem = setdefault = update = __ior__ = _read_only

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def __reduce__(self) -> tuple[type[FrozenDict], tuple[dict[str, Any]]]:
        return FrozenDict, (dict(self),)


class FrozenList(list[Any]):
    """A read-only, hashable list: the lists inside a :class:`FrozenDict`."""

    __slots__ = ()

    def _read_only(self, *_args: object, **_kwargs: object) -> NoReturn:
        raise TypeError(f"{type(self).__name__} is read-only; build a new model instead")

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _read_only
    append = extend = insert = pop = remove = clear = sort = reverse = _read_only

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self))

    def __reduce__(self) -> tuple[type[FrozenList], tuple[list[Any]]]:
        return FrozenList, (list(self),)


def deep_frozen(value: Any) -> Any:
    """``value`` with every dict a :class:`FrozenDict`, list a :class:`FrozenList`, set frozen."""
    if isinstance(value, Mapping):
        return FrozenDict({key: deep_frozen(item) for key, item in value.items()})
    if isinstance(value, list):
        return FrozenList(deep_frozen(item) for item in value)
    if isinstance(value, tuple):
        return tuple(deep_frozen(item) for item in value)
    if isinstance(value, set | frozenset):
        return frozenset(deep_frozen(item) for item in value)
    return value


def _frozen_mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    frozen: FrozenDict = deep_frozen(value or {})
    return frozen


# ------------------------------------------------------------------------- enums


class TicketKind(enum.StrEnum):
    """Incident (restore service) or service request (fulfil a request)."""

    INCIDENT = "incident"
    REQUEST = "request"


class Metric(enum.StrEnum):
    """The SLA clocks a ticket can have."""

    RESPONSE = "response"
    RESOLUTION = "resolution"
    TURNAROUND = "turnaround"


class ClockStatus(enum.StrEnum):
    """State of an SLA clock at an evaluation instant.

    ``BREACHED`` applies to a running clock too once its elapsed time passes the
    target; ``IN_PROGRESS`` is a running clock still within its target.
    """

    MET = "met"
    BREACHED = "breached"
    IN_PROGRESS = "in_progress"


class SurveyKind(enum.StrEnum):
    """Per-incident callback, project survey after acceptance, annual company survey."""

    CALLBACK = "callback"
    PROJECT = "project"
    ANNUAL = "annual"


class ReportStatus(enum.StrEnum):
    """Report lifecycle states (seed 001 steps 4-8)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    PUBLISHED = "published"
    REVIEWED = "reviewed"
    ARCHIVED = "archived"


# --------------------------------------------------------------------- catalogue


@attrs.frozen(kw_only=True)
class Customer:
    """A customer of the service provider."""

    id: str
    name: str
    contact: str = ""


@attrs.frozen(kw_only=True)
class Service:
    """A catalogue service (seed 0601 §5.2.1)."""

    id: str
    name: str
    description: str = ""
    components: tuple[str, ...] = ()
    owner: str = ""


@attrs.frozen(kw_only=True)
class CalendarSpec:
    """Service hours as data; :meth:`itsskit.BusinessCalendar.from_spec` builds the calendar.

    ``preset`` is ``china`` (statutory holidays and make-up days), ``weekly``
    (weekday rule only) or ``always`` (7x24). ``schedules`` are official year
    schedules (read from the files the config names) that override the shipped
    or provisional ones of their year.
    """

    preset: str = "china"
    timezone: str = DEFAULT_TIMEZONE
    hours: tuple[str, ...] = ("09:00-12:00", "13:30-18:00")
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    holidays: tuple[date, ...] = ()
    workdays: tuple[date, ...] = ()
    schedules: tuple[YearSchedule, ...] = ()


@attrs.frozen(kw_only=True)
class Targets:
    """SLA targets in business seconds, keyed by priority (``"P1"`` ...)."""

    response: Mapping[str, int] = attrs.field(
        factory=dict, converter=_frozen_mapping, validator=_seconds_by_priority
    )
    resolution: Mapping[str, int] = attrs.field(
        factory=dict, converter=_frozen_mapping, validator=_seconds_by_priority
    )
    turnaround: Mapping[str, int] = attrs.field(
        factory=dict, converter=_frozen_mapping, validator=_seconds_by_priority
    )

    def priorities(self) -> frozenset[str]:
        """Every priority that has at least one target."""
        return frozenset(self.response) | set(self.resolution) | set(self.turnaround)


#: With no ``pause_statuses`` configured, a status named like these pauses the clock
#: (SPEC §3: "statuses named like awaiting/pending/on hold"; 挂起 and 等待 are the
#: words Chinese service desks use).
DEFAULT_PAUSE_PATTERN = re.compile(r"awaiting|pending|on[\s_-]*hold|挂起|等待", re.IGNORECASE)
DEFAULT_RESOLVED_STATUSES = ("Resolved", "Closed")

#: The languages reports and quality documents are written in.
LANGUAGES = ("zh-CN", "en")


@attrs.frozen(kw_only=True)
class SLA:
    """One version of a service level agreement (seed 0601 §5.2.3).

    ``targets`` and the availability/failure limits are computed against; the
    documentary fields (``responsibilities``, ``risks`` ...) are kept and rendered.
    """

    id: str
    version: str = "1"
    effective_from: date | None = None
    effective_to: date | None = None  # exclusive
    customer: str = ""
    services: tuple[str, ...] = ()
    calendar: CalendarSpec = attrs.field(factory=CalendarSpec)
    targets: Targets = attrs.field(factory=Targets)
    pause_statuses: tuple[str, ...] | None = None
    resolved_statuses: tuple[str, ...] = DEFAULT_RESOLVED_STATUSES
    response_pauses: bool = False
    priority_at: str = attrs.field(
        default="resolution", validator=attrs.validators.in_(("resolution", "opening"))
    )
    availability: float | None = attrs.field(default=None, validator=_fraction)
    max_failures: int | None = attrs.field(default=None, validator=_non_negative)
    max_failure_seconds: int | None = attrs.field(default=None, validator=_non_negative)
    report_period: str = "monthly"
    report_content: tuple[str, ...] = ()
    responsibilities: str = ""
    risks: str = ""
    interfaces: str = ""

    def is_paused(self, status: str) -> bool:
        """True when ``status`` pauses the clock.

        One of ``pause_statuses`` (any case, spaces trimmed); with none
        configured, a status named like awaiting / pending / on hold.
        """
        if self.pause_statuses is None:
            return DEFAULT_PAUSE_PATTERN.search(status) is not None
        wanted = status.strip().casefold()
        return any(wanted == name.strip().casefold() for name in self.pause_statuses)

    def is_resolved_status(self, status: str) -> bool:
        """True when ``status`` is one of ``resolved_statuses`` (any case)."""
        wanted = status.strip().casefold()
        return any(wanted == name.strip().casefold() for name in self.resolved_statuses)

    def is_effective(self, day: date) -> bool:
        """True when this version applies to a ticket opened on ``day``."""
        starts_ok = self.effective_from is None or self.effective_from <= day
        ends_ok = self.effective_to is None or day < self.effective_to
        return starts_ok and ends_ok


@attrs.frozen(kw_only=True)
class Project:
    """A contract with one customer: services, SLA versions, report list, team."""

    id: str
    name: str = ""
    customer: str = ""
    services: tuple[str, ...] = ()
    slas: tuple[SLA, ...] = ()
    sources: tuple[str, ...] = ()
    reports: tuple[str, ...] = ()
    manager: str = ""
    engineers: tuple[str, ...] = ()
    approver: str = ""
    timezone: str = DEFAULT_TIMEZONE

    def sla_for(self, opened: datetime) -> SLA | None:
        """The SLA version in force when a ticket was opened (the latest matching one)."""
        day = opened.date()
        matching = [sla for sla in self.slas if sla.is_effective(day)]
        return matching[-1] if matching else None


# ----------------------------------------------------------------------- records


@attrs.frozen(kw_only=True)
class StatusChange:
    """From ``at`` on, the ticket's status is ``status``."""

    at: datetime = attrs.field(validator=aware)
    status: str


@attrs.frozen(kw_only=True)
class Ticket:
    """An incident or service request as read from a source.

    ``priority`` is the priority at resolution (the latest known one);
    ``opening_priority`` the priority it was opened with, when the source knows
    it. Impossible data (resolved before opened, no opened time) is allowed here
    and reported by the clocks as a :class:`DataQualityFinding`.
    """

    id: str
    project: str | None = None
    service: str | None = None
    kind: TicketKind = TicketKind.INCIDENT
    priority: str | None = None
    opening_priority: str | None = None
    opened: datetime | None = attrs.field(default=None, validator=aware)
    first_response: datetime | None = attrs.field(default=None, validator=aware)
    resolved: datetime | None = attrs.field(default=None, validator=aware)
    closed: datetime | None = attrs.field(default=None, validator=aware)
    history: tuple[StatusChange, ...] = ()
    major: bool = False
    security: bool = False
    category: str | None = None
    channel: str | None = None
    satisfaction: int | None = attrs.field(default=None, validator=_score)
    callback: datetime | None = attrs.field(default=None, validator=aware)
    attributes: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_mapping)


@attrs.frozen(kw_only=True)
class Outage:
    """A monitored interruption of a service; ``end`` is None while it lasts."""

    id: str
    service: str
    start: datetime = attrs.field(validator=aware)
    end: datetime | None = attrs.field(default=None, validator=aware)
    planned: bool = False
    cause: str = ""
    attributes: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_mapping)


@attrs.frozen(kw_only=True)
class Change:
    """A change; an approved change with a window is planned maintenance."""

    id: str
    service: str
    type: str = "normal"
    approved: bool = False
    window_start: datetime | None = attrs.field(default=None, validator=aware)
    window_end: datetime | None = attrs.field(default=None, validator=aware)
    title: str = ""
    attributes: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_mapping)


@attrs.frozen(kw_only=True)
class SurveyResponse:
    """One satisfaction survey answer (seed 0403 §7.1), score 1-5."""

    id: str
    project: str | None = None
    ticket: str | None = None
    answered: datetime = attrs.field(validator=aware)
    score: int = attrs.field(validator=_score)
    kind: SurveyKind = SurveyKind.CALLBACK
    comment: str = ""
    attributes: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_mapping)


@attrs.frozen(kw_only=True)
class ReportSubmission:
    """A report that was due: when, and when (if ever) it was submitted."""

    report: str
    project: str = ""
    period: str = ""
    due: datetime = attrs.field(validator=aware)
    submitted: datetime | None = attrs.field(default=None, validator=aware)


@attrs.frozen(kw_only=True)
class DataQualityFinding:
    """A record that could not be used, and why; never an exception in a batch."""

    record_id: str | None
    reason: str
    source: str = ""
    row: int | None = None


# ------------------------------------------------------------------------ report


@attrs.frozen(kw_only=True)
class ReportSpec:
    """A row of the service report list (seed 001, step 1 note)."""

    id: str
    project: str
    title: str = ""
    department: str = ""
    template: str = "default"
    requirements: str = ""
    period: str = "monthly"
    data_sources: tuple[str, ...] = ()
    collection_method: str = ""
    collector: str = ""
    author: str = ""
    approval: str = ""
    distribution: tuple[str, ...] = ()
    audience: str = ""
    purpose: str = ""
    language: str = "zh-CN"
    due_days: int = 5
    notes_dir: str = ""


@attrs.frozen(kw_only=True)
class Section:
    """One section of a built report: a title, paragraphs, tables and charts.

    ``tables`` are lists of rows whose first row is the header; ``charts`` map a
    chart name to its PNG bytes (base64 in JSON); ``missing`` says why the
    section has no data instead of letting it vanish.
    """

    key: str
    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[tuple[tuple[str, ...], ...], ...] = ()
    charts: Mapping[str, bytes] = attrs.field(factory=dict, converter=_frozen_mapping)
    missing: str = ""


@attrs.frozen(kw_only=True)
class Transition:
    """One lifecycle step of a report: who moved it, when, and why."""

    status: ReportStatus
    at: datetime = attrs.field(validator=aware)
    by: str
    note: str = ""


@attrs.frozen(kw_only=True)
class Report:
    """A built service report for one project and period."""

    id: str
    project: str
    spec: ReportSpec
    period_label: str
    period_start: datetime = attrs.field(validator=aware)
    period_end: datetime = attrs.field(validator=aware)
    generated: datetime = attrs.field(validator=aware)
    language: str = "zh-CN"
    sections: tuple[Section, ...] = ()
    figures: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_mapping)
    status: ReportStatus = ReportStatus.DRAFT
    version: int = 1
    history: tuple[Transition, ...] = ()


# ----------------------------------------------------------------------- quality


@attrs.frozen(kw_only=True)
class Indicator:
    """A KPI of the indicator system (seed 0403 §6.2.1, §7.2).

    ``label`` is its display name (default: the KPI's name), ``unit_label`` a
    unit shown beside it (``%``, ``分``), ``project_targets`` the per-project targets
    where a contract differs from the company ``target``.
    """

    name: str
    formula: str
    target: float
    comparison: str = attrs.field(default=">=", validator=attrs.validators.in_((">=", "<=")))
    period: str = "monthly"
    owner: str = ""
    unit: str = "ratio"
    label: str = ""
    unit_label: str = ""
    project_targets: Mapping[str, float] = attrs.field(factory=dict, converter=_frozen_mapping)


@attrs.frozen(kw_only=True)
class AuditItem:
    """One check of the internal audit checklist (seed 0403 §8)."""

    id: str
    area: str
    question: str
    reference: str = ""


@attrs.frozen(kw_only=True)
class AuditAnswer:
    """The auditor's answer to one checklist item."""

    item: str
    conforming: bool
    evidence: str = ""


@attrs.frozen(kw_only=True)
class AuditChecklist:
    """An internal audit checklist, scheduled yearly (October by default)."""

    id: str
    year: int
    scheduled: date
    items: tuple[AuditItem, ...] = ()
    answers: tuple[AuditAnswer, ...] = ()


@attrs.frozen(kw_only=True)
class Finding:
    """A nonconformity found by an audit or review."""

    id: str
    description: str
    area: str = ""
    severity: str = "minor"
    raised: date | None = None
    audit: str = ""


@attrs.frozen(kw_only=True)
class CorrectiveAction:
    """A corrective or preventive action tracked to closure."""

    id: str
    finding: str
    action: str
    owner: str = ""
    due: date | None = None
    closed: date | None = None
    preventive: bool = False


@attrs.frozen(kw_only=True)
class ImprovementItem:
    """An improvement raised by a report review or management review."""

    id: str
    description: str
    source: str = ""
    owner: str = ""
    due: date | None = None
    done: date | None = None


@attrs.frozen(kw_only=True)
class ManagementReview:
    """A management review (seed 0403 §7.3.2): its inputs and decisions."""

    id: str
    held: date
    participants: tuple[str, ...] = ()
    inputs: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_mapping)
    decisions: tuple[str, ...] = ()
    improvements: tuple[ImprovementItem, ...] = ()


@attrs.frozen(kw_only=True)
class RecordSet:
    """Everything collected for one project: records and data-quality findings."""

    tickets: tuple[Ticket, ...] = ()
    outages: tuple[Outage, ...] = ()
    changes: tuple[Change, ...] = ()
    surveys: tuple[SurveyResponse, ...] = ()
    submissions: tuple[ReportSubmission, ...] = ()
    findings: tuple[DataQualityFinding, ...] = ()

"""The KPI catalogue: one descriptor per KPI, read by every consumer.

A :class:`KpiDescriptor` says everything itsskit knows about a KPI: its name,
unit, comparison, how it pools across projects, how it is computed, its labels
in each report language, and where it shows (the report's indicator table, the
trend table). The bundle (:func:`itsskit.kpis.project_kpis`), company pooling,
the indicator system, report sections, trends and the docs check all read the
catalogue, so adding a KPI is one descriptor. Plugins add theirs through the
``register_kpis`` hook; :data:`BUILTIN_KPIS` are the seeds' KPIs (SPEC §4).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any, Literal

import attrs

from itsskit.calendar import BusinessCalendar
from itsskit.clocks import ClockTable
from itsskit.kpis.attainment import (
    metric_attainment,
    open_breaches,
    project_attainment,
)
from itsskit.kpis.availability import (
    ServiceTime,
    availability,
    downtime_seconds,
    failure_count,
    failure_frequency,
    longest_failure_seconds,
    mtbf,
    mttr,
)
from itsskit.kpis.ontime import REPORT_ON_TIME_TARGET, report_on_time
from itsskit.kpis.results import Comparison, KpiResult, Unit, make_result, ratio
from itsskit.kpis.satisfaction import callback_coverage, satisfaction_mean, satisfied_share
from itsskit.models import LANGUAGES, SLA, Metric, Project, RecordSet, Ticket
from itsskit.periods import Period

__all__ = [
    "BUILTIN_KPIS",
    "KpiCatalogue",
    "KpiDescriptor",
    "KpiInputs",
    "Pooling",
    "ReportRow",
    "builtin_catalogue",
    "pool",
]

#: How a KPI combines across projects (company figures):
#: ``ratio`` Σ numerator / Σ denominator (a sum when no part has a denominator),
#: ``sum`` Σ value, ``max`` the largest value, ``project_mean`` the plain mean of the
#: applicable project values (seed 0601 §7's company SLA attainment rate).
Pooling = Literal["ratio", "sum", "max", "project_mean"]
POOLINGS: tuple[str, ...] = ("ratio", "sum", "max", "project_mean")

#: When a KPI is a row of the report's indicator table: ``never``; ``with_data``
#: (it has a value); ``with_target_or_data``; ``always``.
ReportRow = Literal["never", "with_data", "with_target_or_data", "always"]
REPORT_ROWS: tuple[str, ...] = ("never", "with_data", "with_target_or_data", "always")


@attrs.frozen(kw_only=True)
class KpiInputs:
    """What a KPI of one project and one period is computed from.

    ``instant`` is the evaluation instant ``min(at, period.end)``; ``clocks`` the
    SLA clocks evaluated at it; ``measured`` the tickets without data-quality
    findings; ``service_times`` the service-hours accounting of each service
    (:func:`itsskit.kpis.service_time`); ``sla`` the version that applies to
    the period (None when none does); ``ticket_table`` (None on the record path)
    the measured tickets as Arrow columns.
    """

    records: RecordSet
    project: Project
    period: Period
    at: datetime
    instant: datetime
    clocks: ClockTable
    excluded_tickets: int
    measured: tuple[Ticket, ...]
    sla: SLA | None
    calendar: BusinessCalendar
    service_times: tuple[ServiceTime, ...]
    attainment_target: float
    #: The measured tickets as an Arrow table (the columnar path of ``itsskit kpi``,
    #: taken only for the built-in KPIs); ``measured`` is then empty.
    ticket_table: Any = None


def _callback_coverage(inputs: KpiInputs) -> KpiResult:
    """Callback coverage from the measured tickets, as objects or as Arrow columns."""
    if inputs.ticket_table is not None:
        from itsskit.columnar.kpis import callback_coverage_table  # pyarrow is on this path

        return callback_coverage_table(inputs.ticket_table, inputs.period, inputs.records.surveys)
    return callback_coverage(inputs.measured, inputs.period, inputs.records.surveys)


def _labels(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


def _optional_labels(value: Mapping[str, str] | None) -> Mapping[str, str] | None:
    return None if value is None else _labels(value)


def _every_language(
    instance: KpiDescriptor, attribute: attrs.Attribute[Any], value: Mapping[str, str] | None
) -> None:
    """Labels must exist in every report language (the key-parity rule of the wording)."""
    if value is None:
        return
    missing = [language for language in LANGUAGES if not value.get(language)]
    if missing:
        raise ValueError(
            f"KPI {instance.name!r}: {attribute.name} needs a text for every language "
            f"({', '.join(LANGUAGES)}); missing: {', '.join(missing)}"
        )


@attrs.frozen(kw_only=True, eq=False)
class KpiDescriptor:
    """One KPI: what it is, how it is computed and pooled, how it reads, where it shows.

    ``compute`` returns the KPI's :class:`KpiResult` for one project and period;
    the bundle sets its name, unit and comparison from the descriptor and applies
    target overrides. ``labels`` names it in each language of
    :data:`itsskit.models.LANGUAGES`; ``trend_labels`` (a short column heading)
    puts it in the report's trend table; ``report_row`` says when it is a row
    of the report's indicator table; ``report_order`` sorts the rows of the
    report's indicator and trend tables (ties keep catalogue order; the built-in
    KPIs use 10 to 160). ``business_time`` is True for a KPI measured in business
    time or service hours, which a provisional holiday year can change.
    ``description`` is one line for the docs.
    """

    name: str = attrs.field(validator=attrs.validators.matches_re(r"[a-z][a-z0-9_]*"))
    unit: Unit = attrs.field(validator=attrs.validators.in_(("ratio", "seconds", "count", "score")))
    compute: Callable[[KpiInputs], KpiResult]
    labels: Mapping[str, str] = attrs.field(converter=_labels, validator=_every_language)
    comparison: Comparison = attrs.field(default=">=", validator=attrs.validators.in_((">=", "<=")))
    pooling: Pooling = attrs.field(default="ratio", validator=attrs.validators.in_(POOLINGS))
    report_row: ReportRow = attrs.field(
        default="never", validator=attrs.validators.in_(REPORT_ROWS)
    )
    trend_labels: Mapping[str, str] | None = attrs.field(
        default=None, converter=_optional_labels, validator=_every_language
    )
    report_order: int = 1000
    business_time: bool = False
    description: str = ""

    def label(self, language: str) -> str:
        """The KPI's name in ``language``."""
        return self.labels[language]


class KpiCatalogue:
    """The KPIs known to a plugin host, in display order.

    Filled through the ``register_kpis`` hook: ``registry.add(descriptor)``. A
    name claimed twice is an error naming the KPI. Built-in KPIs keep their
    order; the others follow, sorted by name.
    """

    what = "KPI"

    def __init__(self, descriptors: Iterable[KpiDescriptor] = ()) -> None:
        self._descriptors: dict[str, KpiDescriptor] = {}
        for descriptor in descriptors:
            self.add(descriptor)

    def add(self, descriptor: KpiDescriptor) -> None:
        """Register ``descriptor``; a :class:`KpiDescriptor` is expected."""
        if not isinstance(descriptor, KpiDescriptor):
            raise TypeError(
                f"register_kpis expects itsskit.kpis.KpiDescriptor objects, "
                f"got {type(descriptor).__name__}"
            )
        if descriptor.name in self._descriptors:
            raise ValueError(f"KPI {descriptor.name!r} is registered twice")
        self._descriptors[descriptor.name] = descriptor

    def get(self, name: str) -> KpiDescriptor:
        """The KPI ``name``; ``KeyError`` lists the known names."""
        try:
            return self._descriptors[name]
        except KeyError:
            raise KeyError(f"unknown KPI {name!r} (known: {', '.join(self.names())})") from None

    def in_report_order(self) -> list[KpiDescriptor]:
        """The KPIs sorted by :attr:`KpiDescriptor.report_order` (the report's tables)."""
        return sorted(self, key=lambda descriptor: descriptor.report_order)

    def label(self, name: str, language: str) -> str:
        """The display name of KPI ``name`` in ``language``; the name itself for an unknown KPI."""
        return self._descriptors[name].label(language) if name in self._descriptors else name

    def names(self) -> list[str]:
        """KPI names in display order."""
        return [descriptor.name for descriptor in self]

    def __iter__(self) -> Iterator[KpiDescriptor]:
        builtin = [d for d in self._descriptors.values() if d.name in _BUILTIN_NAMES]
        others = sorted(
            (d for d in self._descriptors.values() if d.name not in _BUILTIN_NAMES),
            key=lambda descriptor: descriptor.name,
        )
        return iter(builtin + others)

    def __contains__(self, name: object) -> bool:
        return name in self._descriptors

    def __len__(self) -> int:
        return len(self._descriptors)


def pool(descriptor: KpiDescriptor | None, parts: Sequence[KpiResult]) -> KpiResult:
    """The company figure of one KPI from the projects' results (see :data:`Pooling`).

    ``parts`` is not empty. An unknown KPI (no descriptor) pools as ``ratio``.
    """
    first = parts[0]
    how = descriptor.pooling if descriptor else "ratio"
    values = [part.value for part in parts if part.value is not None]
    if how == "max":
        value = max(values, default=None)
        return attrs.evolve(first, value=value, numerator=value, denominator=None)
    if how == "project_mean":
        mean = sum(values) / len(values) if values else None
        return attrs.evolve(first, value=mean, numerator=sum(values), denominator=len(values))
    if how == "ratio" and any(part.denominator is not None for part in parts):
        numerator = sum(part.numerator or 0.0 for part in parts)
        denominator = sum(part.denominator or 0.0 for part in parts)
        return attrs.evolve(
            first, value=ratio(numerator, denominator), numerator=numerator, denominator=denominator
        )
    total = sum(part.value or 0.0 for part in parts)
    return attrs.evolve(first, value=total, numerator=total, denominator=None)


# ------------------------------------------------------------- built-in KPIs


def _sla_attainment(inputs: KpiInputs) -> KpiResult:
    result = project_attainment(inputs.clocks, inputs.period, target=inputs.attainment_target)
    return attrs.evolve(result, details={"excluded_tickets": inputs.excluded_tickets})


def _metric(metric: Metric) -> Callable[[KpiInputs], KpiResult]:
    def compute(inputs: KpiInputs) -> KpiResult:
        return metric_attainment(
            inputs.clocks, metric, inputs.period, target=inputs.attainment_target
        )

    return compute


def _open_breaches(inputs: KpiInputs) -> KpiResult:
    breaches = open_breaches(inputs.clocks)
    return make_result(
        "open_breaches",
        len(breaches),
        unit="count",
        comparison="<=",
        numerator=len(breaches),
        details={"open_breaches": breaches},
    )


def _sla_limit(inputs: KpiInputs, field: str) -> float | None:
    value: float | None = getattr(inputs.sla, field) if inputs.sla else None
    return value


BUILTIN_KPIS: tuple[KpiDescriptor, ...] = (
    KpiDescriptor(
        name="sla_attainment",
        unit="ratio",
        compute=_sla_attainment,
        labels={"zh-CN": "SLA 达成率", "en": "SLA attainment"},
        pooling="project_mean",
        report_row="always",
        trend_labels={"zh-CN": "SLA 达成率", "en": "SLA attainment"},
        report_order=40,
        business_time=True,
        description="Tickets whose every clock was met / tickets closed in the period (0601 §7).",
    ),
    KpiDescriptor(
        name="response_attainment",
        unit="ratio",
        compute=_metric(Metric.RESPONSE),
        labels={"zh-CN": "响应及时率", "en": "Response attainment"},
        report_row="always",
        trend_labels={"zh-CN": "响应及时率", "en": "Response"},
        report_order=10,
        business_time=True,
        description="Response clocks met / stopped in the period (SPEC §4, seed 0601 §5.1.2).",
    ),
    KpiDescriptor(
        name="resolution_attainment",
        unit="ratio",
        compute=_metric(Metric.RESOLUTION),
        labels={"zh-CN": "解决及时率", "en": "Resolution attainment"},
        report_row="always",
        trend_labels={"zh-CN": "解决及时率", "en": "Resolution"},
        report_order=20,
        business_time=True,
        description="Resolution clocks met / stopped in the period (SPEC §4).",
    ),
    KpiDescriptor(
        name="turnaround_attainment",
        unit="ratio",
        compute=_metric(Metric.TURNAROUND),
        labels={"zh-CN": "服务请求按时完成率", "en": "Request fulfilment attainment"},
        report_row="with_data",
        report_order=30,
        business_time=True,
        description="Service-request turnaround clocks met / stopped in the period (SPEC §4).",
    ),
    KpiDescriptor(
        name="open_breaches",
        unit="count",
        compute=_open_breaches,
        labels={"zh-CN": "在途已超时工单数", "en": "Open breaches"},
        comparison="<=",
        pooling="sum",
        report_order=50,
        business_time=True,
        description="Running clocks already past their target at the evaluation instant.",
    ),
    KpiDescriptor(
        name="availability",
        unit="ratio",
        compute=lambda i: availability(i.service_times, target=_sla_limit(i, "availability")),
        labels={"zh-CN": "服务可用性", "en": "Service availability"},
        report_row="always",
        trend_labels={"zh-CN": "可用性", "en": "Availability"},
        report_order=60,
        business_time=True,
        description="(agreed service time - downtime) / agreed service time (0601 §5.1.1).",
    ),
    KpiDescriptor(
        name="failure_count",
        unit="count",
        compute=lambda i: failure_count(i.service_times, target=_sla_limit(i, "max_failures")),
        labels={"zh-CN": "故障次数", "en": "Failures"},
        comparison="<=",
        pooling="sum",
        report_row="with_target_or_data",
        report_order=70,
        business_time=True,
        description="Merged unplanned outages with downtime, counted at their first second.",
    ),
    KpiDescriptor(
        name="failure_frequency",
        unit="count",
        compute=lambda i: failure_frequency(i.service_times, i.period),
        labels={"zh-CN": "故障频率", "en": "Failure frequency"},
        comparison="<=",
        pooling="sum",
        report_order=80,
        business_time=True,
        description="Failures per period.",
    ),
    KpiDescriptor(
        name="downtime_seconds",
        unit="seconds",
        compute=lambda i: downtime_seconds(i.service_times),
        labels={"zh-CN": "停机时长", "en": "Downtime"},
        comparison="<=",
        pooling="sum",
        report_order=90,
        business_time=True,
        description="Total downtime in service-hours seconds.",
    ),
    KpiDescriptor(
        name="longest_failure_seconds",
        unit="seconds",
        compute=lambda i: longest_failure_seconds(
            i.service_times, target=_sla_limit(i, "max_failure_seconds")
        ),
        labels={"zh-CN": "最长单次故障时长", "en": "Longest single failure"},
        comparison="<=",
        pooling="max",
        report_row="with_target_or_data",
        report_order=100,
        business_time=True,
        description="Downtime of the longest single failure in the period.",
    ),
    KpiDescriptor(
        name="mttr_seconds",
        unit="seconds",
        compute=lambda i: mttr(i.service_times),
        labels={"zh-CN": "平均故障修复时间（MTTR）", "en": "Mean time to repair (MTTR)"},
        comparison="<=",
        report_row="with_target_or_data",
        report_order=110,
        business_time=True,
        description="Downtime / failures in the period.",
    ),
    KpiDescriptor(
        name="mtbf_seconds",
        unit="seconds",
        compute=lambda i: mtbf(i.service_times),
        labels={"zh-CN": "平均故障间隔时间（MTBF）", "en": "Mean time between failures (MTBF)"},
        report_order=120,
        business_time=True,
        description="(agreed service time - downtime) / failures.",
    ),
    KpiDescriptor(
        name="satisfaction_mean",
        unit="score",
        compute=lambda i: satisfaction_mean(i.records.surveys, i.period),
        labels={"zh-CN": "客户满意度（平均分）", "en": "Customer satisfaction (mean score)"},
        report_row="always",
        trend_labels={"zh-CN": "满意度", "en": "Satisfaction"},
        report_order=130,
        description="Mean survey score (1-5) of answers given in the period (0403 §7.1).",
    ),
    KpiDescriptor(
        name="satisfied_share",
        unit="ratio",
        compute=lambda i: satisfied_share(i.records.surveys, i.period),
        labels={"zh-CN": "客户满意率", "en": "Satisfied customers"},
        report_row="with_target_or_data",
        report_order=140,
        description="Answers scoring 4 or more / answers in the period (0403 §7.1).",
    ),
    KpiDescriptor(
        name="callback_coverage",
        unit="ratio",
        compute=_callback_coverage,
        labels={"zh-CN": "事件回访率", "en": "Incident callback coverage"},
        report_row="with_target_or_data",
        report_order=150,
        description="Incidents resolved in the period called back within 7 x 24 h (0403 §7.1).",
    ),
    KpiDescriptor(
        name="report_on_time",
        unit="ratio",
        compute=lambda i: report_on_time(
            i.records.submissions, i.period, i.at, target=REPORT_ON_TIME_TARGET
        ),
        labels={"zh-CN": "服务报告及时提交率", "en": "Report on-time rate"},
        report_order=160,
        description="Reports submitted by their due time / reports due (0602 §6, 001 §8).",
    ),
)

_BUILTIN_NAMES = frozenset(descriptor.name for descriptor in BUILTIN_KPIS)


def builtin_catalogue() -> KpiCatalogue:
    """A catalogue of the built-in KPIs only (the pure API's default)."""
    return KpiCatalogue(BUILTIN_KPIS)

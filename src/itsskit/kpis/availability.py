"""Availability and failures of services from outages and planned maintenance (SPEC §4).

Sources: seed 0601 §5.1.1 (service levels defined by 可用性小时数、故障数量、故障频率、
故障持续时间); the formulas are SPEC §4:

- planned time = union of approved changes' windows and planned outages of the service;
- agreed time = service-hours time in the period outside planned time;
- downtime = union of unplanned outages (overlapping or touching ones merged),
  inside service hours and the period, outside planned time;
- availability = (agreed − downtime) / agreed; a project pools its services;
- a failure = one merged unplanned outage with some downtime, counted in the
  period of its first second of downtime; MTTR = downtime / failures,
  MTBF = (agreed − downtime) / failures.

Intervals are handled as UTC epoch microseconds; durations are reported in
seconds (float, exact to the microsecond). An outage (or planned outage) whose
``end`` is None runs until the evaluation instant ``at``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import attrs

from itsskit.calendar import BusinessCalendar
from itsskit.kpis.attainment import epoch_us
from itsskit.kpis.attainment import from_epoch_us as _from_us
from itsskit.kpis.results import DEFAULT_MARGIN, KpiResult, make_result, ratio, ratio_result
from itsskit.models import Change, Outage
from itsskit.periods import Period

__all__ = [
    "Failure",
    "ServiceTime",
    "availability",
    "downtime_seconds",
    "failure_count",
    "failure_frequency",
    "longest_failure_seconds",
    "merge_intervals",
    "mtbf",
    "mttr",
    "planned_intervals",
    "service_time",
    "unplanned_intervals",
]

Span = tuple[int, int]  # [start, end) in UTC epoch microseconds
_US = 1_000_000


# ------------------------------------------------------------ interval algebra


def _merge(spans: Iterable[Span]) -> list[Span]:
    """Sorted union; overlapping or touching spans become one; empty spans dropped."""
    merged: list[Span] = []
    for start, end in sorted(span for span in spans if span[1] > span[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _intersect(a: Sequence[Span], b: Sequence[Span]) -> list[Span]:
    """Intersection of two sorted, disjoint span lists."""
    out: list[Span] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _subtract(a: Sequence[Span], b: Sequence[Span]) -> list[Span]:
    """``a`` minus ``b`` (both sorted and disjoint)."""
    out: list[Span] = []
    j = 0
    for start, end in a:
        cursor = start
        while j < len(b) and b[j][1] <= cursor:
            j += 1
        k = j
        while k < len(b) and b[k][0] < end:
            if b[k][0] > cursor:
                out.append((cursor, b[k][0]))
            cursor = max(cursor, b[k][1])
            k += 1
        if cursor < end:
            out.append((cursor, end))
    return out


def _length(spans: Iterable[Span]) -> int:
    return sum(end - start for start, end in spans)


def _working(calendar: BusinessCalendar, start: int, end: int) -> list[Span]:
    """Service-hours spans of ``calendar`` inside ``[start, end)`` (µs)."""
    if end <= start:
        return []
    lo, hi = _from_us(start), _from_us(end)
    return [(epoch_us(s), epoch_us(e)) for s, e in calendar.working_intervals(lo, hi)]


def _spans(intervals: Iterable[tuple[datetime, datetime]]) -> list[Span]:
    return [(epoch_us(start), epoch_us(end)) for start, end in intervals]


def merge_intervals(
    intervals: Iterable[tuple[datetime, datetime]],
) -> list[tuple[datetime, datetime]]:
    """Union of ``[start, end)`` intervals, overlapping or touching ones merged, sorted.

    Idempotent and independent of input order; empty intervals are dropped.
    Returned datetimes are in UTC.
    """
    spans = _merge((epoch_us(start), epoch_us(end)) for start, end in intervals)
    return [(_from_us(start), _from_us(end)) for start, end in spans]


# ------------------------------------------------------------------- records


def planned_intervals(
    service: str, outages: Iterable[Outage], changes: Iterable[Change], at: datetime
) -> list[tuple[datetime, datetime]]:
    """Planned time of ``service``: approved changes' windows and planned outages, merged.

    A change counts when it is approved and has both window ends; a planned
    outage without an end runs until ``at``.
    """
    windows = [
        (change.window_start, change.window_end)
        for change in changes
        if change.service == service
        and change.approved
        and change.window_start is not None
        and change.window_end is not None
    ]
    windows += [
        (outage.start, outage.end or at)
        for outage in outages
        if outage.service == service and outage.planned
    ]
    return merge_intervals(windows)


def unplanned_intervals(
    service: str, outages: Iterable[Outage], at: datetime
) -> list[tuple[datetime, datetime]]:
    """Unplanned outages of ``service`` merged (an open outage runs until ``at``)."""
    return merge_intervals(
        (outage.start, outage.end or at)
        for outage in outages
        if outage.service == service and not outage.planned
    )


@attrs.frozen(kw_only=True)
class Failure:
    """One failure: a merged unplanned outage, its first second of downtime, its downtime."""

    service: str
    outage_start: datetime
    outage_end: datetime
    first_downtime: datetime
    downtime_seconds: float  # inside the period


@attrs.frozen(kw_only=True)
class ServiceTime:
    """Agreed time, downtime and failures of one service in one period (seconds).

    ``failures`` are those counted in the period (first second of downtime in
    it); ``downtime_seconds`` and ``longest_seconds`` include the downtime in
    the period of a failure counted in an earlier period.
    """

    service: str
    agreed_seconds: float
    downtime_seconds: float
    longest_seconds: float
    failures: tuple[Failure, ...] = ()


def service_time(
    service: str,
    outages: Iterable[Outage],
    changes: Iterable[Change],
    calendar: BusinessCalendar,
    period: Period,
    at: datetime,
) -> ServiceTime:
    """Agreed service time, downtime and failures of ``service`` in ``period``.

    Service hours come from ``calendar``; outages without an end run until ``at``.
    """
    outages = list(outages)
    start, end = epoch_us(period.start), epoch_us(period.end)
    planned = _spans(planned_intervals(service, outages, changes, at))
    agreed = _subtract(_working(calendar, start, end), planned)
    failures: list[Failure] = []
    downtime = longest = 0
    for out_start, out_end in _spans(unplanned_intervals(service, outages, at)):
        inside = _intersect([(out_start, out_end)], agreed)
        seconds = _length(inside)
        if not seconds:
            continue
        downtime += seconds
        longest = max(longest, seconds)
        before = _subtract(_working(calendar, out_start, min(out_end, start)), planned)
        if not before:  # no downtime before the period: its first second is in it
            failures.append(
                Failure(
                    service=service,
                    outage_start=_from_us(out_start),
                    outage_end=_from_us(out_end),
                    first_downtime=_from_us(inside[0][0]),
                    downtime_seconds=seconds / _US,
                )
            )
    return ServiceTime(
        service=service,
        agreed_seconds=_length(agreed) / _US,
        downtime_seconds=downtime / _US,
        longest_seconds=longest / _US,
        failures=tuple(failures),
    )


# ---------------------------------------------------------------------- KPIs


def _per_service(times: Sequence[ServiceTime], field: str) -> dict[str, float]:
    return {time.service: getattr(time, field) for time in times}


def availability(
    times: Sequence[ServiceTime], *, target: float | None = None, margin: float = DEFAULT_MARGIN
) -> KpiResult:
    """Pooled availability Σ(agreed − downtime) / Σ agreed; not applicable with no agreed time.

    ``details["services"]`` maps each service to its own availability.
    """
    agreed = sum(time.agreed_seconds for time in times)
    up = agreed - sum(time.downtime_seconds for time in times)
    services = {
        time.service: ratio(time.agreed_seconds - time.downtime_seconds, time.agreed_seconds)
        for time in times
    }
    return ratio_result(
        "availability", up, agreed, target=target, margin=margin, details={"services": services}
    )


def _failures(times: Sequence[ServiceTime]) -> int:
    return sum(len(time.failures) for time in times)


def failure_count(
    times: Sequence[ServiceTime], *, target: float | None = None, margin: float = 0.0
) -> KpiResult:
    """Number of failures counted in the period (target: the SLA's max_failures, ``<=``).

    ``details["failures"]`` lists them: service, outage start/end, first downtime, downtime.
    """
    failures = sorted(
        (failure for time in times for failure in time.failures),
        key=lambda failure: (failure.first_downtime, failure.service),
    )
    listed = [
        {
            "service": failure.service,
            "outage_start": failure.outage_start.isoformat(),
            "outage_end": failure.outage_end.isoformat(),
            "first_downtime": failure.first_downtime.isoformat(),
            "downtime_seconds": failure.downtime_seconds,
        }
        for failure in failures
    ]
    return make_result(
        "failure_count",
        len(failures),
        unit="count",
        target=target,
        comparison="<=",
        margin=margin,
        numerator=len(failures),
        details={"failures": listed, "services": {t.service: len(t.failures) for t in times}},
    )


def failure_frequency(times: Sequence[ServiceTime], period: Period) -> KpiResult:
    """Failures per period (this period: the failure count), labelled with the period."""
    count = _failures(times)
    return make_result(
        "failure_frequency",
        count,
        unit="count",
        comparison="<=",
        numerator=count,
        details={"per": period.label or period.kind},
    )


def downtime_seconds(times: Sequence[ServiceTime]) -> KpiResult:
    """Total downtime in the period, in seconds of service-hours time."""
    total = sum(time.downtime_seconds for time in times)
    return make_result(
        "downtime_seconds",
        total,
        unit="seconds",
        comparison="<=",
        numerator=total,
        details={"services": _per_service(times, "downtime_seconds")},
    )


def longest_failure_seconds(
    times: Sequence[ServiceTime], *, target: float | None = None, margin: float = 0.0
) -> KpiResult:
    """Longest single failure's downtime in the period (target: max_failure_seconds, ``<=``).

    0 when there was no downtime in the period.
    """
    longest = max((time.longest_seconds for time in times), default=0.0)
    return make_result(
        "longest_failure_seconds",
        longest,
        unit="seconds",
        target=target,
        comparison="<=",
        margin=margin,
        numerator=longest,
        details={"services": _per_service(times, "longest_seconds")},
    )


def mttr(times: Sequence[ServiceTime]) -> KpiResult:
    """Mean time to repair = downtime in the period / failures in the period (None: no failure)."""
    down, count = sum(time.downtime_seconds for time in times), _failures(times)
    return ratio_result("mttr_seconds", down, count, unit="seconds", comparison="<=")


def mtbf(times: Sequence[ServiceTime]) -> KpiResult:
    """Mean time between failures = (agreed − downtime) / failures (None: no failure)."""
    up = sum(time.agreed_seconds - time.downtime_seconds for time in times)
    count = _failures(times)
    return ratio_result("mtbf_seconds", up, count, unit="seconds")

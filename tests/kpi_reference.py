"""A deliberately simple reference for the KPIs of SPEC §4, for the tests only.

It reads a configuration (TOML) and its CSV sources with ``tomllib`` and ``csv``,
computes every SLA clock with plain loops over the status history (SPEC §3) and
every KPI with plain interval arithmetic, and shares no code with ``itsskit.kpis``
or ``itsskit.clocks``. Only :class:`itsskit.calendar.BusinessCalendar` is used, for
business seconds and service-hours intervals (it is verified on its own).

Readings taken (the same as docs/kpis.md): clocks and open outages are evaluated
at ``E = min(at, period end)``; a clock stopped in the period when its stop
instant is in ``[start, end)`` and at or before ``E``. One SLA version per project.
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from itsskit.calendar import BusinessCalendar

WEEK = timedelta(days=7)
DEFAULT_TARGET = 0.95
Interval = tuple[float, float]


# ------------------------------------------------------------------ reading


def parse_time(text: str | None, tz: str) -> datetime | None:
    """ISO 8601; without offset in ``tz``; empty -> None."""
    if text is None or not text.strip():
        return None
    value = datetime.fromisoformat(text.strip())
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(tz))


def parse_bool(text: str | None) -> bool:
    return (text or "").strip().lower() in {"true", "1", "yes", "y"}


def seconds(text: str) -> int:
    """``1h30m`` -> 5400 (s, m, h)."""
    total, number = 0, ""
    for char in text:
        if char.isdigit():
            number += char
        else:
            total += int(number) * {"s": 1, "m": 60, "h": 3600}[char]
            number = ""
    return total


@dataclass
class Ticket:
    id: str
    project: str
    kind: str
    priority: str
    opening_priority: str
    opened: datetime | None
    first_response: datetime | None
    resolved: datetime | None
    callback: datetime | None
    history: list[tuple[datetime, str]] = field(default_factory=list)


@dataclass
class Outage:
    service: str
    start: datetime
    end: datetime | None
    planned: bool


@dataclass
class Change:
    service: str
    approved: bool
    start: datetime | None
    end: datetime | None


@dataclass
class Survey:
    project: str
    ticket: str
    answered: datetime
    score: int
    kind: str


@dataclass
class Records:
    tickets: list[Ticket] = field(default_factory=list)
    outages: list[Outage] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    surveys: list[Survey] = field(default_factory=list)


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def read_source(base: Path, source: dict[str, Any], into: Records) -> None:
    tz = source.get("timezone", "Asia/Shanghai")
    rows = read_rows(base / source["path"])
    kind = source["kind"]
    if kind == "tickets":
        history: dict[str, list[tuple[datetime, str]]] = {}
        if "events" in source:
            for row in read_rows(base / source["events"]):
                time = parse_time(row["time"], tz)
                assert time is not None
                history.setdefault(row["ticket_id"], []).append((time, row["status"]))
        for row in rows:
            into.tickets.append(
                Ticket(
                    id=row["id"],
                    project=row.get("project", ""),
                    kind=row.get("kind") or "incident",
                    priority=row.get("priority", ""),
                    opening_priority=row.get("opening_priority", ""),
                    opened=parse_time(row.get("opened"), tz),
                    first_response=parse_time(row.get("first_response"), tz),
                    resolved=parse_time(row.get("resolved"), tz),
                    callback=parse_time(row.get("callback"), tz),
                    history=sorted(history.get(row["id"], []), key=lambda e: e[0]),
                )
            )
    elif kind == "outages":
        for row in rows:
            start = parse_time(row["start"], tz)
            assert start is not None
            into.outages.append(
                Outage(
                    row["service"],
                    start,
                    parse_time(row.get("end"), tz),
                    parse_bool(row.get("planned")),
                )
            )
    elif kind == "changes":
        for row in rows:
            into.changes.append(
                Change(
                    row["service"],
                    parse_bool(row.get("approved")),
                    parse_time(row.get("window_start"), tz),
                    parse_time(row.get("window_end"), tz),
                )
            )
    elif kind == "surveys":
        for row in rows:
            answered = parse_time(row["answered"], tz)
            assert answered is not None
            into.surveys.append(
                Survey(
                    row.get("project", ""),
                    row.get("ticket", ""),
                    answered,
                    int(row["score"]),
                    row.get("kind") or "callback",
                )
            )


@dataclass
class Sla:
    calendar: BusinessCalendar
    targets: dict[str, dict[str, int]]
    pauses: frozenset[str]
    priority_at: str
    availability: float | None
    max_failures: int | None
    max_failure_seconds: int | None
    effective_from: date | None
    effective_to: date | None


def build_calendar(spec: dict[str, Any]) -> BusinessCalendar:
    tz = spec.get("timezone", "Asia/Shanghai")
    preset = spec.get("preset", "china")
    if preset == "always":
        return BusinessCalendar.always(tz)
    hours = spec.get("hours", ["09:00-12:00", "13:30-18:00"])
    holidays, workdays = spec.get("holidays", []), spec.get("workdays", [])
    if preset == "china":
        return BusinessCalendar.china(
            hours=hours, timezone=tz, holidays=holidays, workdays=workdays
        )
    return BusinessCalendar(tz, spec.get("weekdays", [0, 1, 2, 3, 4]), hours, holidays, workdays)


@dataclass
class Dataset:
    """A configuration with its records read per project."""

    config: dict[str, Any]
    records: dict[str, Records]
    slas: dict[str, Sla]
    services: dict[str, list[str]]

    @classmethod
    def load(cls, path: str | Path) -> Dataset:
        path = Path(path)
        config = tomllib.loads(path.read_text(encoding="utf-8"))
        records, slas, services = {}, {}, {}
        for pid, project in config.get("projects", {}).items():
            assert isinstance(project["sla"], str), "reference: one SLA version per project"
            raw = config["slas"][project["sla"]]
            assert not raw.get("response_pauses", False)
            slas[pid] = Sla(
                calendar=build_calendar(config["calendars"][raw["calendar"]]),
                targets={
                    m: {p: seconds(v) for p, v in t.items()}
                    for m, t in raw.get("targets", {}).items()
                },
                pauses=frozenset(
                    s.lower() for s in raw["pause_statuses"] + raw["resolved_statuses"]
                ),
                priority_at=raw.get("priority_at", "resolution"),
                availability=raw.get("availability"),
                max_failures=raw.get("max_failures"),
                max_failure_seconds=seconds(raw["max_failure_duration"])
                if "max_failure_duration" in raw
                else None,
                effective_from=raw.get("effective_from"),
                effective_to=raw.get("effective_to"),
            )
            rec = Records()
            for name in project.get("sources", []):
                read_source(path.parent, config["sources"][name], rec)
            rec.tickets = [t for t in rec.tickets if t.project in ("", pid)]
            rec.surveys = [s for s in rec.surveys if s.project in ("", pid)]
            records[pid] = rec
            services[pid] = list(project.get("services", []))
        return cls(config, records, slas, services)


# ------------------------------------------------------------------ periods


def period_bounds(label: str, tz: str = "Asia/Shanghai") -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    if "-Q" in label:
        year, quarter = int(label[:4]), int(label[-1])
        start = datetime(year, 3 * quarter - 2, 1, tzinfo=zone)
        months = 3
    elif "-" in label:
        start = datetime(int(label[:4]), int(label[5:7]), 1, tzinfo=zone)
        months = 1
    else:
        start = datetime(int(label), 1, 1, tzinfo=zone)
        months = 12
    month = start.month - 1 + months
    end = datetime(start.year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return start, end


# ------------------------------------------------------------------ clocks


@dataclass
class Clock:
    metric: str
    stop: datetime | None  # None: running at E
    status: str  # met | breached | in_progress


def ticket_clocks(ticket: Ticket, sla: Sla, evaluated: datetime) -> list[Clock] | None:
    """The ticket's clocks at ``evaluated``; None for a data-quality finding."""
    opened = ticket.opened
    if opened is None:
        return None
    if ticket.resolved is not None and ticket.resolved < opened:
        return None
    if ticket.first_response is not None and ticket.first_response < opened:
        return None
    day = opened.date()
    if (sla.effective_from and day < sla.effective_from) or (
        sla.effective_to and day >= sla.effective_to
    ):
        return None
    priority = ticket.priority
    if sla.priority_at == "opening" and ticket.opening_priority:
        priority = ticket.opening_priority
    if not priority or not any(priority in t for t in sla.targets.values()):
        return None
    cal = sla.calendar
    clocks = []

    def clock(metric: str, target: int, stop: datetime | None, pauses: bool) -> Clock:
        stopped = stop is not None and stop <= evaluated
        horizon = stop if stopped else max(evaluated, opened)
        assert horizon is not None
        elapsed = cal.business_seconds(opened, horizon)
        if pauses:
            marks = [(opened - timedelta(days=36500), "New"), *ticket.history]
            for i, (start, status) in enumerate(marks):
                end = marks[i + 1][0] if i + 1 < len(marks) else horizon
                if status.lower() in sla.pauses:
                    elapsed -= cal.business_seconds(max(start, opened), min(end, horizon))
        status = "breached" if elapsed > target else "met" if stopped else "in_progress"
        return Clock(metric, stop if stopped else None, status)

    if priority in sla.targets.get("response", {}):
        stop = ticket.first_response or ticket.resolved
        clocks.append(clock("response", sla.targets["response"][priority], stop, False))
    metric = "resolution"
    if ticket.kind == "request" and priority in sla.targets.get("turnaround", {}):
        metric = "turnaround"
    if priority in sla.targets.get(metric, {}):
        clocks.append(clock(metric, sla.targets[metric][priority], ticket.resolved, True))
    return clocks


# ------------------------------------------------------------------ intervals


def ts(t: datetime) -> float:
    return t.timestamp()


def union(intervals: Iterable[Interval]) -> list[Interval]:
    """Merge overlapping or touching intervals; drop empty ones."""
    out: list[list[float]] = []
    for a, b in sorted(i for i in intervals if i[1] > i[0]):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def intersect(xs: list[Interval], ys: list[Interval]) -> list[Interval]:
    return union((max(a, c), min(b, d)) for a, b in xs for c, d in ys if min(b, d) > max(a, c))


def subtract(xs: list[Interval], ys: list[Interval]) -> list[Interval]:
    out = []
    for a, b in xs:
        pieces = [(a, b)]
        for c, d in ys:
            pieces = [p for x, y in pieces for p in ((x, min(y, c)), (max(x, d), y)) if p[1] > p[0]]
        out.extend(pieces)
    return union(out)


def measure(xs: list[Interval]) -> float:
    return sum(b - a for a, b in xs)


# ------------------------------------------------------------------ KPIs


@dataclass
class Figure:
    value: float | None
    numerator: float | None = None
    denominator: float | None = None


def rate(num: float, den: float) -> Figure:
    return Figure(num / den if den else None, num, den)


def attainment(
    clocks: list[tuple[Ticket, list[Clock]]], metric: str, start: datetime, end: datetime
) -> Figure:
    met = breached = 0
    for _, cs in clocks:
        for c in cs:
            if c.metric == metric and c.stop is not None and start <= c.stop < end:
                met += c.status == "met"
                breached += c.status == "breached"
    return rate(met, met + breached)


def project_kpis(data: Dataset, pid: str, label: str, at: datetime) -> dict[str, Figure]:
    start, end = period_bounds(label)
    evaluated = min(at, end)
    sla, rec = data.slas[pid], data.records[pid]
    clocks = []
    for t in rec.tickets:
        cs = ticket_clocks(t, sla, evaluated)
        if cs is not None:
            clocks.append((t, cs))
    out = {
        m + "_attainment": attainment(clocks, m, start, end)
        for m in ("response", "resolution", "turnaround")
    }
    out["open_breaches"] = Figure(
        sum(c.stop is None and c.status == "breached" for _, cs in clocks for c in cs)
    )
    counted = met = 0
    for _, cs in clocks:
        if not cs:
            continue
        deciding = [c for c in cs if c.metric != "response"] or cs
        stop = deciding[0].stop
        if stop is not None and start <= stop < end:
            counted += 1
            met += all(c.status == "met" for c in cs)
    out["sla_attainment"] = rate(met, counted)
    out.update(availability_kpis(data, pid, start, end, evaluated))
    # satisfaction
    answers = [s.score for s in rec.surveys if start <= s.answered < end]
    out["satisfaction_mean"] = rate(sum(answers), len(answers))
    out["satisfied_share"] = rate(sum(s >= 4 for s in answers), len(answers))
    # incidents resolved in the period (as recorded, whatever ``at``), without data-quality findings
    resolved = [
        t for t, _ in clocks if t.kind == "incident" and t.resolved and start <= t.resolved < end
    ]
    covered = 0
    for t in resolved:
        calls = [t.callback] + [
            s.answered for s in rec.surveys if s.kind == "callback" and s.ticket == t.id
        ]
        assert t.resolved is not None
        covered += any(c is not None and t.resolved <= c <= t.resolved + WEEK for c in calls)
    out["callback_coverage"] = rate(covered, len(resolved))
    return out


def availability_kpis(
    data: Dataset, pid: str, start: datetime, end: datetime, evaluated: datetime
) -> dict[str, Figure]:
    sla, rec = data.slas[pid], data.records[pid]
    cal = sla.calendar
    period = [(ts(start), ts(end))]
    agreed = down = longest = 0.0
    failures = 0
    for service in data.services[pid]:
        planned = union(
            [
                (ts(c.start), ts(c.end))
                for c in rec.changes
                if c.service == service and c.approved and c.start and c.end
            ]
            + [
                (ts(o.start), ts(o.end or evaluated))
                for o in rec.outages
                if o.service == service and o.planned
            ]
        )
        hours = [(ts(a), ts(b)) for a, b in cal.working_intervals(start, end)]
        agreed += measure(subtract(hours, planned))
        merged = union(
            (ts(o.start), ts(o.end or evaluated))
            for o in rec.outages
            if o.service == service and not o.planned
        )
        for a, b in merged:
            work = [
                (ts(x), ts(y))
                for x, y in cal.working_intervals(
                    datetime.fromtimestamp(a, start.tzinfo), datetime.fromtimestamp(b, start.tzinfo)
                )
            ]
            downtime = subtract(intersect([(a, b)], work), planned)
            if not downtime:
                continue
            failures += period[0][0] <= downtime[0][0] < period[0][1]
            inside = measure(intersect(downtime, period))
            down += inside
            longest = max(longest, inside)
    return {
        "availability": rate(agreed - down, agreed),
        "failure_count": Figure(failures),
        "downtime_seconds": Figure(down),
        "longest_failure_seconds": Figure(longest),
        "mttr_seconds": rate(down, failures),
        "mtbf_seconds": rate(agreed - down, failures),
        "agreed_seconds": Figure(agreed),
    }


POOLED = (
    "response_attainment",
    "resolution_attainment",
    "turnaround_attainment",
    "availability",
    "satisfaction_mean",
    "satisfied_share",
    "callback_coverage",
)


def company_kpis(data: Dataset, label: str, at: datetime) -> dict[str, Any]:
    """Company figures: SLA attainment the plain mean of applicable project rates; others pooled."""
    per = {pid: project_kpis(data, pid, label, at) for pid in data.records}
    rates = [
        k["sla_attainment"].value for k in per.values() if k["sla_attainment"].value is not None
    ]
    out: dict[str, Any] = {
        "sla_attainment": Figure(sum(rates) / len(rates) if rates else None, sum(rates), len(rates))
    }
    for name in POOLED:
        num = sum(k[name].numerator or 0 for k in per.values())
        den = sum(k[name].denominator or 0 for k in per.values())
        out[name] = rate(num, den)
    for name in ("failure_count", "open_breaches", "downtime_seconds"):
        out[name] = Figure(sum(k[name].value or 0 for k in per.values()))
    out["longest_failure_seconds"] = Figure(
        max((k["longest_failure_seconds"].value or 0 for k in per.values()), default=0)
    )
    failures = out["failure_count"].value
    down = out["downtime_seconds"].value
    agreed = sum(k["agreed_seconds"].value or 0 for k in per.values())
    out["mttr_seconds"] = rate(down, failures)
    out["mtbf_seconds"] = rate(agreed - down, failures)
    out["projects"] = {pid: k["sla_attainment"] for pid, k in per.items()}
    return out


def report_on_time(
    submissions: Iterable[tuple[datetime, datetime | None]],
    start: datetime,
    end: datetime,
    at: datetime,
) -> Figure:
    """(due, submitted) pairs: on time / (on time + late) over those due in the period."""
    on_time = late = 0
    for due, submitted in submissions:
        if not start <= due < end:
            continue
        if submitted is not None and submitted <= due:
            on_time += 1
        elif submitted is not None or due < at:
            late += 1
    return rate(on_time, on_time + late)


def status_for(value: float | None, target: float | None, comparison: str, margin: float) -> str:
    """met / at_risk / missed against a target (docs/kpis.md)."""
    if value is None:
        return "not_applicable"
    if target is None:
        return "no_target"
    if comparison == ">=":
        return "missed" if value < target else "at_risk" if value < target + margin else "met"
    return "missed" if value > target else "at_risk" if value > target - margin else "met"

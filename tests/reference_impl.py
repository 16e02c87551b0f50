"""Deliberately simple reference implementations for the verification tests.

Independent of ``itsskit.calendar``/``itsskit.clocks``/the ServiceNow source: plain
per-day loops with :mod:`zoneinfo`, plain history walks, plain ``csv`` + ``gzip``.
Slow and obvious on purpose; the tests compare the package against these.

Readings (SPEC §2-3, shared data README):

* A window ``HH:MM-HH:MM`` of local date ``d`` is the instants from the wall time
  ``d + start`` to the wall time ``d + end`` (``24:00`` = next midnight), both
  mapped with ``fold=0``. Business time is the measure of the union of all
  working windows intersected with ``[start, end)``, floored to whole seconds.
* A holiday is never a working day; a make-up day always is; else the weekday rule.
* Clocks: the status before the first history entry is ``New``; statuses match
  case-insensitively; a clock stopped at or before ``at`` is stopped, else it runs
  with horizon ``max(at, opened)``.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

DATA = Path(__file__).resolve().parents[1] / "src" / "itsskit" / "data" / "china_holidays.json"
US = 1_000_000

#: The words of the default pause rule, as a reader of SPEC §3 would list them.
DEFAULT_PAUSE_WORDS = (
    "awaiting",
    "pending",
    "on hold",
    "on-hold",
    "on_hold",
    "onhold",
    "挂起",
    "等待",
)


def us(dt: datetime) -> int:
    """UTC epoch microseconds of an aware datetime (exact integer arithmetic)."""
    delta = dt.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * US + delta.microseconds


def from_us(value: int, zone: ZoneInfo) -> datetime:
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=value)).astimezone(zone)


def parse_window(text: str) -> tuple[int, int]:
    a, b = text.split("-")
    ah, am = (int(x) for x in a.strip().split(":"))
    bh, bm = (int(x) for x in b.strip().split(":"))
    return ah * 60 + am, bh * 60 + bm


def china_data() -> tuple[set[date], set[date]]:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    return (
        {date.fromisoformat(d) for d in raw["holidays"]},
        {date.fromisoformat(d) for d in raw["workdays"]},
    )


def china_later_holidays() -> set[date]:
    """Years after the shipped data up to 2099, from the ``holidays`` package (independent):
    the 2024 regulation's holidays plus a weekday in lieu of each one on a weekend."""
    import holidays

    last = json.loads(DATA.read_text(encoding="utf-8"))["years"][1]
    return set(holidays.China(years=range(last + 1, 2100)))


@dataclass
class RefCalendar:
    timezone: str = "Asia/Shanghai"
    weekdays: Sequence[int] = (0, 1, 2, 3, 4)
    hours: Sequence[str] = ("09:00-12:00", "13:30-18:00")
    holidays: Iterable[date] = ()
    workdays: Iterable[date] = ()
    zone: ZoneInfo = field(init=False)
    windows: list[tuple[int, int]] = field(init=False)
    cache: dict[date, list[tuple[int, int]]] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.zone = ZoneInfo(self.timezone)
        self.windows = [parse_window(h) for h in self.hours]
        self.holidays = set(self.holidays)
        self.workdays = set(self.workdays)

    @classmethod
    def china(
        cls,
        timezone: str = "Asia/Shanghai",
        hours: Sequence[str] = ("09:00-12:00", "13:30-18:00"),
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
    ) -> RefCalendar:
        h, w = china_data()
        h |= china_later_holidays()
        return cls(
            timezone=timezone,
            hours=hours,
            holidays=(h - set(workdays)) | set(holidays),
            workdays=(w - set(holidays)) | set(workdays),
        )

    def works(self, d: date) -> bool:
        if d in self.holidays:
            return False
        if d in self.workdays:
            return True
        return d.weekday() in self.weekdays

    def day_intervals(self, d: date) -> list[tuple[int, int]]:
        """Working intervals (UTC µs) of local date ``d``."""
        if d not in self.cache:
            self.cache[d] = self._day_intervals(d)
        return self.cache[d]

    def _day_intervals(self, d: date) -> list[tuple[int, int]]:
        if not self.works(d):
            return []
        midnight = datetime(d.year, d.month, d.day, tzinfo=self.zone)
        out = []
        for a, b in self.windows:
            out.append((us(midnight + timedelta(minutes=a)), us(midnight + timedelta(minutes=b))))
        return out

    def intervals(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """Merged working intervals (UTC µs) intersected with [lo, hi)."""
        d0 = from_us(lo, self.zone).date() - timedelta(days=2)
        d1 = from_us(hi, self.zone).date() + timedelta(days=2)
        raw = []
        d = d0
        while d <= d1:
            for a, b in self.day_intervals(d):
                a, b = max(a, lo), min(b, hi)
                if a < b:
                    raw.append((a, b))
            d += timedelta(days=1)
        raw.sort()
        merged: list[list[int]] = []
        for a, b in raw:
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        return [(a, b) for a, b in merged]

    def business_us(self, start: datetime, end: datetime) -> int:
        lo, hi = us(start), us(end)
        if hi <= lo:
            return 0
        return sum(b - a for a, b in self.intervals(lo, hi))

    def business_seconds(self, start: datetime, end: datetime) -> int:
        return self.business_us(start, end) // US

    def add_business_seconds(self, start: datetime, seconds: int) -> datetime:
        """Earliest t >= start with business_seconds(start, t) == seconds (floor reading)."""
        if seconds == 0:
            return start.astimezone(self.zone)
        need = seconds * US
        lo = us(start)
        chunk = 40 * 86_400 * US
        while True:
            for a, b in self.intervals(lo, lo + chunk):
                if b - a >= need:
                    return from_us(a + need, self.zone)
                need -= b - a
            lo += chunk

    def is_working_day(self, day: date | datetime) -> bool:
        if isinstance(day, datetime):
            day = day.astimezone(self.zone).date()
        return self.works(day)


# ------------------------------------------------------------------------ clocks


@dataclass
class RefClock:
    ticket_id: str
    metric: str
    priority: str
    target: int
    elapsed: int
    paused: int
    stopped: datetime | None
    deadline: datetime
    status: str


def segments(history: Sequence[tuple[datetime, str]]) -> list[tuple[int | None, int | None, str]]:
    """(from µs or None = -inf, to µs or None = +inf, status) in history order."""
    out: list[tuple[int | None, int | None, str]] = []
    prev: int | None = None
    status = "New"
    for at, new in history:
        out.append((prev, us(at), status))
        prev, status = us(at), new
    out.append((prev, None, status))
    return out


def ref_clocks(ticket, sla, cal: RefCalendar, at: datetime) -> list[RefClock] | str:
    """The clocks of a :class:`itsskit.models.Ticket` (plain attribute access), or a reason."""
    if ticket.opened is None:
        return "missing opened"
    if ticket.resolved is not None and ticket.resolved < ticket.opened:
        return "resolved before opened"
    if ticket.first_response is not None and ticket.first_response < ticket.opened:
        return "first response before opened"
    priority = ticket.priority
    if sla.priority_at == "opening" and ticket.opening_priority:
        priority = ticket.opening_priority
    t = sla.targets
    if priority is None or priority not in (
        set(t.response) | set(t.resolution) | set(t.turnaround)
    ):
        return "unknown priority"
    plan = []
    if priority in t.response:
        plan.append(("response", t.response[priority], ticket.first_response or ticket.resolved))
    if ticket.kind == "request" and priority in t.turnaround:
        plan.append(("turnaround", t.turnaround[priority], ticket.resolved))
    elif priority in t.resolution:
        plan.append(("resolution", t.resolution[priority], ticket.resolved))
    resolved_names = {name.strip().casefold() for name in sla.resolved_statuses}
    if sla.pause_statuses is None:  # SPEC §3 default: named like awaiting/pending/on hold

        def is_paused(name: str) -> bool:
            return any(word in name for word in DEFAULT_PAUSE_WORDS)

    else:
        pause_names = {name.strip().casefold() for name in sla.pause_statuses}

        def is_paused(name: str) -> bool:
            return name in pause_names

    hist = sorted(((c.at, c.status) for c in ticket.history), key=lambda x: x[0])
    segs = segments(hist)
    opened = us(ticket.opened)
    out = []
    for metric, target, stop in plan:
        if stop is not None and stop <= at:
            horizon, stopped = us(stop), stop
        else:
            horizon, stopped = max(us(at), opened), None
        total = cal.business_us(from_us(opened, cal.zone), from_us(horizon, cal.zone)) // US
        pauses = metric != "response" or sla.response_pauses
        paused = 0
        active: list[tuple[int, int]] = []
        for a, b, status in segs:
            a = opened if a is None else max(a, opened)
            b = horizon if b is None else min(b, horizon)
            if a >= b:
                continue
            name = status.strip().casefold()
            if pauses and (is_paused(name) or name in resolved_names):
                paused += cal.business_seconds(from_us(a, cal.zone), from_us(b, cal.zone))
            else:
                active.append((a, b))
        if not pauses:
            active = [(opened, horizon)] if horizon > opened else []
        elapsed = total - paused
        deadline = None
        done = 0
        for a, b in active:
            part = cal.business_seconds(from_us(a, cal.zone), from_us(b, cal.zone))
            if done + part >= target:
                deadline = cal.add_business_seconds(from_us(a, cal.zone), target - done)
                break
            done += part
        if deadline is None:
            deadline = cal.add_business_seconds(from_us(horizon, cal.zone), target - done)
        if elapsed > target:
            status = "breached"
        elif stopped is not None:
            status = "met"
        else:
            status = "in_progress"
        out.append(
            RefClock(
                ticket.id, metric, priority, target, elapsed, paused, stopped, deadline, status
            )
        )
    return out


# -------------------------------------------------------------------- ServiceNow

STATES = {
    "New",
    "Active",
    "Resolved",
    "Closed",
    "Awaiting User Info",
    "Awaiting Vendor",
    "Awaiting Evidence",
    "Awaiting Problem",
}
PRIORITIES = {"1 - Critical": "P1", "2 - High": "P2", "3 - Moderate": "P3", "4 - Low": "P4"}


@dataclass
class RefTicket:
    id: str
    priority: str | None
    opened: datetime | None
    first_response: datetime | None
    resolved: datetime | None
    closed: datetime | None
    history: list[tuple[datetime, str]]
    kind: str = "incident"
    opening_priority: str | None = None


def sn_time(text: str, zone: ZoneInfo) -> datetime | None:
    if text == "?":
        return None
    day, clock = text.split(" ")
    d, m, y = (int(x) for x in day.split("/"))
    hh, mm = (int(x) for x in clock.split(":"))
    return datetime(y, m, d, hh, mm, tzinfo=zone)


def read_servicenow(
    path: Path, timezone: str = "Asia/Shanghai", history_order: str = "time"
) -> tuple[dict[str, RefTicket], list[tuple[str, int]]]:
    """Tickets by number and bad rows (number, row) per the shared data README."""
    zone = ZoneInfo(timezone)
    events: dict[str, list[tuple[int, datetime, dict[str, str]]]] = {}
    bad = []
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        for row_no, row in enumerate(csv.DictReader(handle), start=2):
            try:
                if row["incident_state"] not in STATES:
                    raise ValueError(row["incident_state"])
                updated = sn_time(row["sys_updated_at"], zone)
                for col in ("opened_at", "resolved_at", "closed_at"):
                    sn_time(row[col], zone)
                if updated is None:
                    raise ValueError("no sys_updated_at")
                mod = int(row["sys_mod_count"])
            except ValueError:
                bad.append((row["number"], row_no))
                continue
            events.setdefault(row["number"], []).append((mod, updated, row))
    tickets = {}
    for number, evs in events.items():
        evs.sort(key=lambda e: (e[0], e[1]))
        last = evs[-1][2]
        first_response = next((e[1] for e in evs if e[2]["incident_state"] != "New"), None)
        hist = [(e[1], e[2]["incident_state"]) for e in evs]
        if history_order == "time":
            hist.sort(key=lambda h: h[0])
        tickets[number] = RefTicket(
            id=number,
            priority=PRIORITIES.get(last["priority"]),
            opened=sn_time(last["opened_at"], zone),
            first_response=first_response,
            resolved=sn_time(last["resolved_at"], zone),
            closed=sn_time(last["closed_at"], zone),
            history=hist,
        )
    return tickets, bad

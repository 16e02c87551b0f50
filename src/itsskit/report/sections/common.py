"""Table types and the small helpers the built-in sections share."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from itsskit.models import Metric, Ticket
from itsskit.periods import Period
from itsskit.report.texts import Texts

if TYPE_CHECKING:
    from itsskit.report.builder import ReportContext

Row = tuple[str, ...]
Table = tuple[Row, ...]

#: The usual priorities, listed first in priority order.
PRIORITIES = ("P1", "P2", "P3", "P4")


def share_text(part: int, whole: int, texts: Texts) -> str:
    """``part / whole`` as a percent; not applicable when ``whole`` is 0."""
    return texts.percent(part / whole) if whole else texts.na


def numbered(items: Iterable[str]) -> tuple[str, ...]:
    """``1. item``, ``2. item`` ..."""
    return tuple(f"{number}. {item}" for number, item in enumerate(items, start=1))


def manager_list(items: Sequence[str], prompt: str) -> tuple[str, ...]:
    """The service manager's items numbered, or the visible ``prompt`` to write them."""
    return numbered(items) if items else (prompt,)


def counts_by(values: Iterable[str]) -> dict[str, int]:
    """Counts by value, largest first (ties by name)."""
    counted = Counter(values)
    return dict(sorted(counted.items(), key=lambda item: (-item[1], item[0])))


def count_table(header: str, counts: Mapping[str, int], texts: Texts) -> Table:
    """A ``header | count | share`` table of ``counts``."""
    total = sum(counts.values())
    rows = [(name, str(count), share_text(count, total, texts)) for name, count in counts.items()]
    return ((header, texts("work.count"), texts("work.share")), *rows)


def priority_order(priorities: Iterable[str]) -> list[str]:
    """Distinct priorities, P1..P4 first, then the others by name."""
    return sorted(set(priorities), key=lambda p: (p not in PRIORITIES, p))


def metric_name(metric: Metric | str, texts: Texts) -> str:
    """A clock metric's name: 响应时间 / Response time ..."""
    return texts(f"tgt.metric.{metric}")


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean; None for no values."""
    return sum(values) / len(values) if values else None


def last_day(period: Period) -> date:
    """The period's last calendar day (its end is exclusive)."""
    return (period.end - timedelta(microseconds=1)).date()


def resolved_text(ticket: Ticket, context: ReportContext) -> str:
    """A ticket's local resolution time, or 未恢复 / not restored."""
    if ticket.resolved is None:
        return context.texts("mj.not_resolved")
    return context.texts.datetime(ticket.resolved, context.timezone)


def calendar_text(context: ReportContext) -> str:
    """The SLA's service hours: 7×24 小时 or 工作日 09:00-12:00、13:30-18:00."""
    texts, sla = context.texts, context.sla
    if sla is None or sla.calendar.preset == "always" or sla.calendar.hours == ("00:00-24:00",):
        return texts("tgt.calendar.always")
    return texts("tgt.calendar.office", hours=texts.join(list(sla.calendar.hours)))

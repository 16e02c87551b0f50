"""A known outage history, written as OpenMetrics for ``promtool tsdb create-blocks-from``.

Times are UTC; the project is in Asia/Shanghai (UTC+8) with the default service
hours 09:00-12:00 and 13:30-18:00 on China's working days. November 2025 has
no holiday and no make-up day: 20 working days of 7.5 h = 540,000 s per service.

Every series is scraped every minute, on the minute, from ``DATA_START`` to
``DATA_END``. ``up`` is 0 while a target is down; an ``ALERTS`` series exists
(value 1) only while its alert fires.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = [
    "DATA_END",
    "DATA_START",
    "SERIES",
    "Down",
    "openmetrics",
]

Down = tuple[datetime, datetime]  # [first sample down, first sample up again)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


DATA_START = utc("2025-10-29T00:00")
DATA_END = utc("2025-11-12T00:00")

#: ``metric{labels}`` -> when it fires (``up``: value 0; ``ALERTS``: present).
SERIES: dict[str, list[Down]] = {
    'up{job="erp",instance="erp-1"}': [
        # E1 Fri 31 Oct 17:00 -> Mon 3 Nov 10:00 (+08): begins in October's service
        # hours, so it is October's failure; November gets Mon 09:00-10:00 = 3,600 s.
        (utc("2025-10-31T09:00"), utc("2025-11-03T02:00")),
        # E3 Wed 5 Nov 09:00-11:00, inside the planned maintenance below: no downtime.
        (utc("2025-11-05T01:00"), utc("2025-11-05T03:00")),
        # E2 Fri 7 Nov 14:00-17:00 = 10,800 s; read for November with lookback = "1d"
        # the grid starts 30 Oct 16:00Z, and 11,000 one-minute points later, 7 Nov 07:20Z,
        # is a chunk boundary inside it.
        (utc("2025-11-07T06:00"), utc("2025-11-07T09:00")),
    ],
    'up{job="crm-prod",instance="crm-1"}': [
        # C1 Tue 4 Nov 17:30 -> Wed 5 Nov 09:30, across the night: 1,800 + 1,800 s.
        (utc("2025-11-04T09:30"), utc("2025-11-05T01:30")),
        # C4 Thu 6 Nov 14:10-14:40, inside the approved change window 14:00-15:00
        # (examples/prometheus/changes.csv): no downtime.
        (utc("2025-11-06T06:10"), utc("2025-11-06T06:40")),
        # C3 Sat 8 Nov 10:00-11:00: a weekend, no service hours, no failure.
        (utc("2025-11-08T02:00"), utc("2025-11-08T03:00")),
        # C2 Mon 10 Nov 10:03-10:17 = 840 s (off a 5-minute grid: 10:05-10:20 there).
        (utc("2025-11-10T02:03"), utc("2025-11-10T02:17")),
    ],
    'up{job="crm-test",instance="crm-t1"}': [
        # a job the service_map does not name: a data-quality finding, no outage
        (utc("2025-11-04T03:00"), utc("2025-11-04T03:10")),
    ],
    'ALERTS{alertname="ErpMaintenance",alertstate="firing",service="erp",planned="true"}': [
        # M1 Wed 5 Nov 08:30-11:30: planned; 09:00-11:30 = 9,000 s of service hours.
        (utc("2025-11-05T00:30"), utc("2025-11-05T03:30")),
    ],
}


def openmetrics() -> str:
    """The whole history as an OpenMetrics text (one sample per series and minute)."""
    start, end = int(DATA_START.timestamp()), int(DATA_END.timestamp())
    lines = []
    for family in ("ALERTS", "up"):
        lines.append(f"# TYPE {family} gauge")
        for series, downs in sorted(SERIES.items()):
            if series.split("{")[0] != family:
                continue
            spans = [(int(a.timestamp()), int(b.timestamp())) for a, b in downs]
            for second in range(start, end, 60):
                down = any(a <= second < b for a, b in spans)
                if family == "up":
                    lines.append(f"{series} {0 if down else 1} {second}")
                elif down:
                    lines.append(f"{series} 1 {second}")
    lines.append("# EOF")
    return "\n".join(lines) + "\n"

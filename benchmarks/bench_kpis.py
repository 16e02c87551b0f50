"""Benchmark the attainment KPIs over 1,000,000 tickets (issue 3: under 2 s).

Run: ``python benchmarks/bench_kpis.py [N]`` (default N = 1,000,000 tickets).

Generates N tickets of one project as :class:`itsskit.clocks.TicketColumns`
(P1-P4, opened through 2025 Q4, a response for 95 %, a resolution for 90 %, a
pause interval for a third), evaluates them with
:func:`itsskit.clocks.evaluate_columns` under a China office-hours SLA, then
computes response, resolution and project attainment for October 2025 on the
ClockTable. Prints machine info and the time of each part and the total.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
from machine import describe

from itsskit.calendar import BusinessCalendar
from itsskit.clocks import MISSING, TicketColumns, evaluate_columns
from itsskit.kpis import metric_attainment, project_attainment
from itsskit.kpis.attainment import epoch_us
from itsskit.models import SLA, CalendarSpec, Metric, Targets
from itsskit.periods import Period

N_DEFAULT = 1_000_000
SEED = 20251001
HOUR_US = 3_600_000_000
TZ = ZoneInfo("Asia/Shanghai")


def tickets(n: int) -> TicketColumns:
    """N synthetic tickets as columns (UTC epoch microseconds)."""
    rng = np.random.default_rng(SEED)
    start = epoch_us(datetime(2025, 10, 1, tzinfo=TZ))
    opened = start + rng.integers(0, 92 * 24 * HOUR_US, n)
    response = opened + rng.integers(60_000_000, 4 * HOUR_US, n)
    resolved = opened + rng.integers(HOUR_US, 120 * HOUR_US, n)
    response[rng.random(n) < 0.05] = MISSING
    resolved[rng.random(n) < 0.10] = MISSING
    paused = np.flatnonzero(rng.random(n) < 0.33)
    pause_start = opened[paused] + rng.integers(0, HOUR_US, paused.size)
    return TicketColumns(
        ids=[f"INC{i:07d}" for i in range(n)],
        projects=["alpha"],
        project=np.zeros(n, dtype=np.int32),
        priorities=["P1", "P2", "P3", "P4"],
        priority=rng.integers(0, 4, n).astype(np.int16),
        kind=np.zeros(n, dtype=np.int8),
        major=rng.random(n) < 0.01,
        opened_us=opened,
        first_response_us=response,
        resolved_us=resolved,
        excluded_ticket=paused.astype(np.int64),
        excluded_start_us=pause_start,
        excluded_end_us=pause_start + rng.integers(600_000_000, 8 * HOUR_US, paused.size),
    )


def main(n: int) -> None:
    print(describe())
    sla = SLA(
        id="gold",
        calendar=CalendarSpec(preset="china"),
        targets=Targets(
            response={"P1": 900, "P2": 1800, "P3": 7200, "P4": 14400},
            resolution={"P1": 14400, "P2": 28800, "P3": 57600, "P4": 144000},
        ),
    )
    calendar = BusinessCalendar.china()
    columns = tickets(n)
    period = Period.month(2025, 10)
    at = datetime(2025, 11, 1, tzinfo=TZ)
    warm = columns.opened_us.view("datetime64[us]")
    calendar.business_seconds_many(warm.min(), warm.max())  # build the calendar tables once

    t0 = time.perf_counter()
    table = evaluate_columns(columns, sla, calendar, at)
    t1 = time.perf_counter()
    response = metric_attainment(table, Metric.RESPONSE, period)
    resolution = metric_attainment(table, Metric.RESOLUTION, period)
    project = project_attainment(table, period, "alpha")
    t2 = time.perf_counter()

    print(f"tickets: {n:,}; clocks: {len(table):,}")
    for result in (response, resolution, project):
        print(
            f"  {result.name}: {result.value:.4f} "
            f"({result.numerator:,.0f}/{result.denominator:,.0f}); "
            f"open breaches: {result.details.get('open_breach_count', '-')}"
        )
    print(f"evaluate_columns: {t1 - t0:.3f} s")
    print(f"attainment KPIs:  {t2 - t1:.3f} s")
    print(f"total:            {t2 - t0:.3f} s ({'under' if t2 - t0 < 2 else 'OVER'} 2 s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else N_DEFAULT)

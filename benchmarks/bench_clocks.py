"""Benchmark ``evaluate_columns``: SLA clocks of N synthetic tickets on the China calendar.

Run: ``python benchmarks/bench_clocks.py [N]`` (default N = 1,000,000 tickets).

Tickets are opened at random instants of 2025; 90 % have a first response 0-4 h
later, 80 % are resolved 0-10 days later, ~20 % have one pause interval; every
ticket gets a response and a resolution clock (P1-P4 targets), so N tickets make
about 2N clocks. The time is the best of three runs of :func:`evaluate_columns`
after one warm-up run (building the synthetic columns is not timed);
:func:`column_deadlines` is timed separately.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

import numpy as np
from machine import describe

from itsskit.calendar import BusinessCalendar
from itsskit.clocks import (
    MISSING,
    STATUS_CODES,
    TicketColumns,
    column_deadlines,
    evaluate_columns,
)
from itsskit.models import SLA, Targets

N_DEFAULT = 1_000_000
SEED = 20250101
US = 1_000_000
H = 3600
SLA_GOLD = SLA(
    id="gold",
    targets=Targets(
        response={"P1": 900, "P2": 1800, "P3": 4 * H, "P4": 8 * H},
        resolution={"P1": 4 * H, "P2": 8 * H, "P3": 24 * H, "P4": 72 * H},
    ),
)
T = TypeVar("T")
AT = datetime(2026, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))


def synthetic_columns(n: int) -> TicketColumns:
    """N random tickets as columns (whole seconds, UTC epoch microseconds)."""
    rng = np.random.default_rng(SEED)
    lo = int(np.datetime64("2025-01-01T00:00:00", "s").astype(np.int64))
    hi = int(np.datetime64("2026-01-01T00:00:00", "s").astype(np.int64))
    opened = rng.integers(lo, hi, n) * US
    response = opened + rng.integers(0, 4 * H, n) * US
    resolved = opened + rng.integers(0, 10 * 86_400, n) * US
    response[rng.random(n) < 0.1] = MISSING
    resolved[rng.random(n) < 0.2] = MISSING
    paused = np.flatnonzero(rng.random(n) < 0.2)
    pause_start = opened[paused] + rng.integers(0, 3 * 86_400, len(paused)) * US
    pause_end = pause_start + rng.integers(60, 2 * 86_400, len(paused)) * US
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
        excluded_end_us=pause_end,
    )


def best_of(fn: Callable[[], T], repeat: int = 3) -> tuple[float, T]:
    """Best wall time of ``repeat`` runs, and the last result."""
    best, out = float("inf"), fn()
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(n: int = N_DEFAULT) -> None:
    calendar = BusinessCalendar.china()
    columns = synthetic_columns(n)
    best, table = best_of(lambda: evaluate_columns(columns, SLA_GOLD, calendar, AT))
    best_deadlines, _ = best_of(lambda: column_deadlines(columns, SLA_GOLD, calendar, AT))
    counts = np.bincount(table.status, minlength=3)
    print(describe())
    pauses = len(columns.excluded_ticket)
    print(f"tickets: {n:,} ({pauses:,} with a pause), clocks: {len(table):,}")
    print(f"evaluate_columns: {best:.3f} s best of 3 -> {n / best:,.0f} tickets/s")
    print(f"column_deadlines (optional, not in the table): {best_deadlines:.3f} s best of 3")
    print("statuses: " + ", ".join(f"{s}={c:,}" for s, c in zip(STATUS_CODES, counts, strict=True)))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else N_DEFAULT)

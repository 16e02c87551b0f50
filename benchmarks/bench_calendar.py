"""Benchmark ``BusinessCalendar.business_seconds_many`` against common alternatives.

Run: ``python benchmarks/bench_calendar.py [N]`` (default N = 1,000,000 pairs).

* ours: ``BusinessCalendar.china()`` (09:00-12:00 / 13:30-18:00, holidays and
  make-up days), vectorised over all N pairs.
* numpy: the best plain approach a user would write: ``np.busday_count`` with
  holidays and a Mon-Fri weekmask (plus the make-up days), one 09:00-18:00 window,
  full days x 9 h plus the clipped partial first/last days, vectorised.
* business_duration: ``businessDuration`` per ticket, 09:00-18:00 with the holiday
  list, on a sample (it is a per-row Python function).
* before/after: the calendar module of ``BASELINE_REV`` (before per-year schedules,
  issue 9), loaded from git, on the same pairs in the same run; then ours on pairs
  in provisional years (2027-2029) and with a 2027 schedule file loaded, which must
  cost the same per ticket (their days are built into the same interval table).
  ``python benchmarks/bench_calendar.py [N] [REV]`` picks another baseline.
"""

from __future__ import annotations

import subprocess
import sys
import time
import types
from collections.abc import Callable
from datetime import time as dtime
from pathlib import Path
from typing import Any

import numpy as np
from machine import describe

from itsskit.calendar import BusinessCalendar

N_DEFAULT = 1_000_000
#: The calendar before per-year schedules and provisional years (issue 9).
BASELINE_REV = "9c7b8e0"
ROOT = Path(__file__).resolve().parents[1]
FIXTURE_2027 = ROOT / "tests" / "data" / "holidays" / "2027.json"
N_BD = 2_000
SEED = 20250101
CN_OFFSET = np.timedelta64(8, "h")  # Asia/Shanghai, no DST since 1991


def make_pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Random UTC (start, end) datetime64[s] pairs: start in 2024-01-01..2026-06-30, +0..90 d."""
    rng = np.random.default_rng(SEED)
    lo = np.datetime64("2024-01-01T00:00:00", "s").astype(np.int64)
    hi = np.datetime64("2026-06-30T00:00:00", "s").astype(np.int64)
    starts = rng.integers(lo, hi, n).astype("datetime64[s]")
    ends = starts + rng.integers(0, 90 * 86_400, n).astype("timedelta64[s]")
    return starts, ends


def best_of(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def numpy_busday(starts: np.ndarray, ends: np.ndarray, cal: BusinessCalendar) -> np.ndarray:
    """Plain numpy: busday_count x 9 h + clipped first/last day, single 09:00-18:00 window."""
    bdc = np.busdaycalendar(
        weekmask="1111100", holidays=np.array(sorted(cal.holidays), dtype="datetime64[D]")
    )
    makeup = np.array(sorted(cal.workdays), dtype="datetime64[D]")
    ls, le = starts + CN_OFFSET, ends + CN_OFFSET  # local wall clock
    sd, ed = ls.astype("datetime64[D]"), le.astype("datetime64[D]")
    so = (ls - sd).astype(np.int64)  # seconds into the local day
    eo = (le - ed).astype(np.int64)
    open_s, close_s = 9 * 3600, 18 * 3600

    def works(d: np.ndarray) -> np.ndarray:
        return np.is_busday(d, busdaycal=bdc) | np.isin(d, makeup)

    between = np.busday_count(sd + 1, np.maximum(ed, sd + 1), busdaycal=bdc)
    between += np.searchsorted(makeup, ed) - np.searchsorted(makeup, sd + 1)
    between = np.maximum(between, 0)
    ws, we = works(sd), works(ed)
    first = np.clip(close_s - np.maximum(so, open_s), 0, close_s - open_s) * ws
    last = np.clip(np.minimum(eo, close_s) - open_s, 0, close_s - open_s) * we
    same = np.clip(np.minimum(eo, close_s) - np.maximum(so, open_s), 0, None) * ws
    out = np.where(sd == ed, same, first + last + between * (close_s - open_s))
    return np.where(ends > starts, out, 0)


def business_duration_rate(
    starts: np.ndarray, ends: np.ndarray, cal: BusinessCalendar
) -> tuple[float, int]:
    """Tickets/second of ``business_duration.businessDuration`` on naive local pandas times."""
    import pandas as pd
    from business_duration import businessDuration

    hol = sorted(cal.holidays)
    ls = pd.to_datetime(starts + CN_OFFSET)
    le = pd.to_datetime(ends + CN_OFFSET)
    t0 = time.perf_counter()
    for a, b in zip(ls, le, strict=True):
        businessDuration(a, b, dtime(9), dtime(18), [5, 6], hol, "sec")
    return len(ls) / (time.perf_counter() - t0), len(ls)


def baseline_calendar(rev: str) -> Any:
    """``BusinessCalendar.china()`` of the calendar module at git ``rev`` (None without git)."""
    try:
        source = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{rev}:src/itsskit/calendar.py"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType("baseline_calendar")
    module.__dict__["__name__"] = "baseline_calendar"
    sys.modules["baseline_calendar"] = module
    exec(compile(source, f"{rev}:calendar.py", "exec"), module.__dict__)  # noqa: S102
    return module.BusinessCalendar.china()


def before_after(starts: np.ndarray, ends: np.ndarray, rev: str, rounds: int = 9) -> bool:
    """Old and new on the same pairs; new on provisional and file-loaded years. True: kept.

    The four cases run interleaved, ``rounds`` times, a different one first each
    round, and each keeps its best time, so that load from other processes hits
    them alike.
    """
    from itsskit.schedule_files import read_schedule

    old = baseline_calendar(rev)
    if old is None:
        print(f"baseline {rev}: not available (no git history); skipped")
        return True
    new = BusinessCalendar.china()
    loaded = BusinessCalendar.china(schedules=[read_schedule(FIXTURE_2027)])
    shift = np.timedelta64(3 * 365, "D")  # 2027-2029: provisional years
    later = (starts + shift, ends + shift)
    cases = {
        "before": (old, (starts, ends)),
        "after": (new, (starts, ends)),
        "after, 2027-2029 provisional": (new, later),
        "after, 2027 from a file": (loaded, later),
    }
    best = dict.fromkeys(cases, float("inf"))
    for cal, pairs in cases.values():
        cal.business_seconds_many(*pairs)  # build the tables outside the timing
    names = list(cases)
    for round_ in range(rounds):  # a different case goes first each round
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            cal, pairs = cases[name]
            t0 = time.perf_counter()
            cal.business_seconds_many(*pairs)
            best[name] = min(best[name], time.perf_counter() - t0)
    same = bool(
        np.array_equal(
            old.business_seconds_many(starts, ends), new.business_seconds_many(starts, ends)
        )
    )
    for name, seconds in best.items():
        print(
            f"{name:<30} best of {rounds}: {seconds:.3f} s  -> {len(starts) / seconds:,.0f} tickets/s"
        )
    print(f"baseline {rev}; same results on 2024-2026 pairs: {same}")
    later_worst = max(best["after, 2027-2029 provisional"], best["after, 2027 from a file"])
    kept = same and best["after"] <= 1.15 * best["before"] and later_worst <= 1.15 * best["after"]
    print(f"target (after within 15 % of before; provisional/file years alike): "
          f"{'met' if kept else 'NOT met'}")  # fmt: skip
    return kept


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else N_DEFAULT
    rev = sys.argv[2] if len(sys.argv) > 2 else BASELINE_REV
    starts, ends = make_pairs(n)
    print(describe())
    print(f"pairs: {n:,}")

    cal = BusinessCalendar.china()
    t0 = time.perf_counter()
    ours = cal.business_seconds_many(starts, ends)
    first = time.perf_counter() - t0
    t_ours, ours = best_of(lambda: cal.business_seconds_many(starts, ends))
    r_ours = n / t_ours
    print(f"ours   first call (incl. table build): {first:.3f} s")
    print(f"ours   best of 3: {t_ours:.3f} s  -> {r_ours:,.0f} tickets/s")

    t_np, _ = best_of(lambda: numpy_busday(starts, ends, cal))
    r_np = n / t_np
    print(f"numpy  busday_count best of 3: {t_np:.3f} s  -> {r_np:,.0f} tickets/s (09-18 window)")

    try:
        r_bd, m = business_duration_rate(starts[:N_BD], ends[:N_BD], cal)
        print(f"business_duration on {m:,} pairs: {r_bd:,.0f} tickets/s")
    except ImportError:
        r_bd = float("nan")
        print("business_duration not installed; skipped")

    print(f"ratio ours/numpy: {r_ours / r_np:.1f}x   ours/business_duration: {r_ours / r_bd:,.0f}x")
    ok = t_ours < 0.4 and r_ours > r_np and r_ours / r_bd >= 200
    print(f"targets (<0.4 s, > numpy, >= 200x business_duration): {'met' if ok else 'NOT met'}")
    before_after(starts, ends, rev)


if __name__ == "__main__":
    main()

"""Benchmark one monthly service report on the demo data: build + docx + HTML (with charts).

Run: ``python benchmarks/bench_report.py [REPORT_ID] [PERIOD]`` (default
``dianchi-monthly 2025-10``). Prints the cold time (first report in a fresh
process: imports, calendar building, matplotlib's first figure) and the warm
time (the median of three more reports, as in a batch over many projects).
Target: under 2 s on a 2-core machine.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

START = time.perf_counter()


from machine import describe  # noqa: E402

from itsskit.config import load_config  # noqa: E402 - imports are part of the cold time
from itsskit.plugins import PluginHost  # noqa: E402
from itsskit.report import build_report, render  # noqa: E402

DEMO = Path(__file__).parents[1] / "examples" / "demo" / "itsskit.toml"


def one_report(report_id: str, period: str, out: Path) -> dict[str, float]:
    """Seconds spent in each step of one report."""
    steps: dict[str, float] = {}
    tick = time.perf_counter()
    host = PluginHost.create(entry_points=False)
    config = load_config(DEMO, host)
    steps["config"] = time.perf_counter() - tick
    tick = time.perf_counter()
    report = build_report(config, report_id, period, host=host)
    steps["build"] = time.perf_counter() - tick
    tick = time.perf_counter()
    render(report, "docx,html", out, host=host)
    steps["render"] = time.perf_counter() - tick
    return steps


def main() -> None:
    report_id = sys.argv[1] if len(sys.argv) > 1 else "dianchi-monthly"
    period = sys.argv[2] if len(sys.argv) > 2 else "2025-10"
    with tempfile.TemporaryDirectory() as folder:
        cold = one_report(report_id, period, Path(folder))
        cold_total = time.perf_counter() - START
        warm = [sum(one_report(report_id, period, Path(folder)).values()) for _ in range(3)]
    steps = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in cold.items())
    print(describe())
    print(f"{report_id} {period}: docx + html with charts")
    print(f"cold (fresh process, imports included): {cold_total:.2f} s ({steps})")
    print(f"warm (median of 3):                     {statistics.median(warm):.2f} s")


if __name__ == "__main__":
    main()

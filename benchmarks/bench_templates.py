"""Benchmark the cost of the template limits: ``TemplateSandbox`` against Jinja's plain sandbox.

Run: ``python benchmarks/bench_templates.py [ROWS]`` (default 5,000 table rows).

Both render the shipped HTML and Markdown templates over the same context: a
report whose first section holds a ROWS-row table. The baseline is Jinja's
``SandboxedEnvironment`` with the same settings (what 0.1.0 used); ours adds
the time watch (a trace function while the template runs), the size checks on
every call, filter and attribute read, and the streamed output count.
Target: at most 1.5 x the baseline (best of 9 runs each, taken in turns).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from machine import describe

from itsskit.builtin.renderers import md_cell, md_text, shipped_template
from itsskit.models import Report, ReportSpec, Section
from itsskit.report.context import report_context
from itsskit.report.sandbox import TemplateSandbox

CST = timezone(timedelta(hours=8))


def big_report(rows: int) -> Report:
    header = ("工单", "优先级", "状态", "用时", "备注")
    body = tuple(
        (f"INC{n:07d}", f"P{n % 4 + 1}", "异常" if n % 7 else "正常", f"{n}s", "—")
        for n in range(rows)
    )
    return Report(
        id="bench",
        project="bench",
        spec=ReportSpec(id="bench", project="bench", title="基准"),
        period_label="2025年10月",
        period_start=datetime(2025, 10, 1, tzinfo=CST),
        period_end=datetime(2025, 11, 1, tzinfo=CST),
        generated=datetime(2025, 11, 3, tzinfo=CST),
        sections=(Section(key="tickets", title="工单", tables=((header, *body),)),),
    )


def plain_sandbox(autoescape: bool, finalize: Any = None) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        finalize=finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md_cell"] = md_cell
    return env


def ours(autoescape: bool, finalize: Any = None) -> TemplateSandbox:
    sandbox = TemplateSandbox(autoescape=autoescape, finalize=finalize)
    sandbox.add_filter("md_cell", md_cell)
    return sandbox


def best_seconds(renders: list[Callable[[], str]], repeat: int = 9) -> list[float]:
    """The fastest of ``repeat`` runs of each render, run in turns (fair on a busy machine)."""
    times: list[list[float]] = [[] for _ in renders]
    for _ in range(repeat):
        for render, spent in zip(renders, times, strict=True):
            tick = time.perf_counter()
            render()
            spent.append(time.perf_counter() - tick)
    return [min(spent) for spent in times]


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
    context = report_context(big_report(rows))
    print(describe())
    print(f"{rows:,} table rows")
    worst = 0.0
    for name, autoescape, finalize in (
        ("report.html.j2", True, None),
        ("report.md.j2", False, md_text),
    ):
        source = shipped_template(name).read_text(encoding="utf-8")

        def baseline(
            autoescape: bool = autoescape, finalize: Any = finalize, source: str = source
        ) -> str:
            return plain_sandbox(autoescape, finalize).from_string(source).render(context)

        def guarded(
            autoescape: bool = autoescape, finalize: Any = finalize, source: str = source
        ) -> str:
            return ours(autoescape, finalize).from_string(source).render(context)

        assert baseline() == guarded()
        base, mine = best_seconds([baseline, guarded])
        worst = max(worst, mine / base)
        print(
            f"{name:16} jinja sandbox {base * 1000:8.1f} ms   TemplateSandbox {mine * 1000:8.1f} ms   x{mine / base:.2f}"
        )
    print(f"worst ratio x{worst:.2f} (target <= 1.5): {'ok' if worst <= 1.5 else 'MISSED'}")


if __name__ == "__main__":
    main()

"""Benchmark the data path from files to KPIs at scale (issue 11), each against a same-run baseline.

Run::

    python benchmarks/bench_columnar.py kpi [--tickets 1000000] [--projects 200] [--year 2025]
    python benchmarks/bench_columnar.py sla [--copies 20]

``kpi`` writes a reproducible data set (seed :data:`SEED`) to a temporary folder:
N tickets of ``--projects`` projects in ONE shared CSV export with about 4.3
status events per ticket, plus small outage, change and survey files, and a
config naming the shared sources in every project. It then times, in
subprocesses measured one at a time, (1) the baseline: ``pyarrow.csv.read_csv``
merely reading the ticket and event files, and (2) ``itsskit kpi CONFIG
--period YEAR --format json`` end to end. Each prints wall time and the peak
resident memory (``ru_maxrss`` of the child); the ratio to the baseline and the
targets (10 s, 1.5 GB, 5x) follow, with memory per ticket held.

``sla`` scales the ServiceNow audit-log sample of ``tests/data`` up (ticket
numbers renamed per copy) and times ``itsskit sla evaluate`` on it in events/s
(target 200,000), beside pyarrow reading the same file. External plugins are
disabled in the children: a plugin KPI sends ``itsskit kpi`` to the record path. ``kpi --parquet`` also
times ``itsskit kpi`` with the tickets read from a
Parquet dataset (written by the generator in the layout ``itsskit convert``
writes) against pyarrow reading it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from machine import describe

SEED = 20251130
HOUR_S = 3600
REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "tests" / "data" / "servicenow_incident_events_sample.csv.gz"
STATUSES = np.array(["New", "In Progress", "Awaiting User Info", "Resolved", "Closed"])

CONFIG_HEAD = """
[calendars.office]
preset = "china"
timezone = "Asia/Shanghai"
hours = ["09:00-12:00", "13:30-18:00"]

[slas.gold]
calendar = "office"
pause_statuses = ["Awaiting User Info"]
resolved_statuses = ["Resolved", "Closed"]
availability = 0.995
[slas.gold.targets.response]
P1 = "15m"
P2 = "30m"
P3 = "2h"
P4 = "4h"
[slas.gold.targets.resolution]
P1 = "4h"
P2 = "8h"
P3 = "24h"
P4 = "72h"

[sources.tickets]
plugin = "csv"
kind = "tickets"
path = "tickets.csv"
events = "ticket_events.csv"

[sources.outages]
plugin = "csv"
kind = "outages"
path = "outages.csv"

[sources.surveys]
plugin = "csv"
kind = "surveys"
path = "surveys.csv"
"""


def _iso(epoch_s: np.ndarray) -> np.ndarray:
    """Epoch seconds as ISO 8601 text in +08:00."""
    local = (epoch_s + 8 * HOUR_S).astype("datetime64[s]")
    return np.char.add(np.datetime_as_string(local, unit="s"), "+08:00")


def _write(path: Path, columns: dict[str, np.ndarray]) -> None:
    table = pa.table({name: pa.array(values) for name, values in columns.items()})
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="none"))


_AS_TEXT = pacsv.ConvertOptions(
    column_types={
        c: pa.string()
        for c in (
            "id",
            "project",
            "service",
            "kind",
            "priority",
            "opened",
            "first_response",
            "resolved",
            "closed",
            "major",
            "category",
        )
    },
    strings_can_be_null=False,
)


def generate(
    folder: Path, n: int, projects: int, year: int, parquet: bool = False
) -> dict[str, int]:
    """Write the data set and its config into ``folder``; counts of what was written.

    With ``parquet``, the tickets (with their history) also as a Parquet dataset
    partitioned by project in ``folder / "pq"``, as ``itsskit convert`` writes it.
    """
    rng = np.random.default_rng(SEED)
    start = int(np.datetime64(f"{year}-01-01T00:00:00", "s").astype(np.int64)) - 8 * HOUR_S
    opened = start + rng.integers(0, 365 * 24 * HOUR_S, n)
    response = opened + rng.integers(60, 4 * HOUR_S, n)
    resolved = opened + rng.integers(HOUR_S, 96 * HOUR_S, n)
    closed = resolved + rng.integers(HOUR_S, 72 * HOUR_S, n)
    project = rng.integers(0, projects, n)
    ids = np.char.add("T", np.arange(n).astype(str))
    no_response, open_now = rng.random(n) < 0.05, rng.random(n) < 0.02
    _write(
        folder / "tickets.csv",
        {
            "id": ids,
            "project": np.char.add("p", project.astype(str)),
            "service": np.char.add("s", project.astype(str)),
            "kind": np.where(rng.random(n) < 0.8, "incident", "request"),
            "priority": np.char.add("P", rng.integers(1, 5, n).astype(str)),
            "opened": _iso(opened),
            "first_response": np.where(no_response, "", _iso(response)),
            "resolved": np.where(open_now, "", _iso(resolved)),
            "closed": np.where(open_now, "", _iso(closed)),
            "major": np.where(rng.random(n) < 0.01, "true", "false"),
            "category": np.char.add("c", rng.integers(0, 12, n).astype(str)),
        },
    )
    # 3-6 events per ticket (mean 4.3): New, In Progress, maybe a pause, Resolved, maybe Closed
    per = 3 + (rng.random(n) < 0.5) + (rng.random(n) < 0.5) + (rng.random(n) < 0.3)
    ticket = np.repeat(np.arange(n), per)
    step = np.arange(len(ticket)) - np.repeat(np.cumsum(per) - per, per)
    span = np.maximum(resolved - opened, 1)[ticket]
    at = opened[ticket] + (span * step) // np.maximum(per[ticket], 1)
    status = STATUSES[np.minimum(step, 4)]
    _write(
        folder / "ticket_events.csv", {"ticket_id": ids[ticket], "time": _iso(at), "status": status}
    )
    if parquet:
        stamp = pa.timestamp("us", tz="Asia/Shanghai")
        cells = pacsv.read_csv(folder / "tickets.csv", convert_options=_AS_TEXT)
        times = {
            name: pa.array(
                np.where(
                    cells.column(name).to_numpy(zero_copy_only=False) == "", None, when * 1_000_000
                ),
                pa.int64(),
            ).cast(stamp)
            for name, when in (
                ("opened", opened),
                ("first_response", response),
                ("resolved", resolved),
                ("closed", closed),
            )
        }
        changes = pa.StructArray.from_arrays(
            [
                pa.array(at * 1_000_000, pa.int64()).cast(stamp),
                pa.array(STATUSES.tolist()).take(pa.array(np.minimum(step, 4))),
            ],
            names=["time", "status"],
        )
        history = pa.ListArray.from_arrays(pa.array(np.r_[0, np.cumsum(per)], pa.int32()), changes)
        table = pa.table(
            {
                **{
                    name: cells.column(name)
                    for name in ("id", "project", "service", "kind", "priority", "category")
                },
                **times,
                "major": pa.array(cells.column("major").to_numpy(zero_copy_only=False) == "true"),
                "history": history,
            }
        )
        pq.write_to_dataset(
            table, folder / "pq", partition_cols=["project"], basename_template="part-{i}.parquet"
        )
    m = max(projects * 6, 10)
    o_start = start + rng.integers(0, 365 * 24 * HOUR_S, m)
    _write(
        folder / "outages.csv",
        {
            "id": np.char.add("O", np.arange(m).astype(str)),
            "service": np.char.add("s", rng.integers(0, projects, m).astype(str)),
            "start": _iso(o_start),
            "end": _iso(o_start + rng.integers(60, 4 * HOUR_S, m)),
            "planned": np.where(rng.random(m) < 0.2, "true", "false"),
            "cause": np.full(m, "disk"),
        },
    )
    s = max(n // 20, 10)
    _write(
        folder / "surveys.csv",
        {
            "id": np.char.add("S", np.arange(s).astype(str)),
            "project": np.char.add("p", rng.integers(0, projects, s).astype(str)),
            "answered": _iso(start + rng.integers(0, 365 * 24 * HOUR_S, s)),
            "score": rng.integers(1, 6, s).astype(str),
        },
    )
    body = "".join(
        f'\n[projects.p{i}]\nsla = "gold"\nservices = ["s{i}"]\n'
        'sources = ["tickets", "outages", "surveys"]\n'
        for i in range(projects)
    )
    services = "".join(f'\n[services.s{i}]\nname = "S{i}"\n' for i in range(projects))
    (folder / "itsskit.toml").write_text(CONFIG_HEAD + services + body, encoding="utf-8")
    return {"tickets": n, "events": int(per.sum()), "projects": projects}


#: Runs its arguments as a child and prints that child's own peak RSS (KiB) last on stderr.
MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)"
)


OUTPUTS: dict[str, str] = {}


def run(command: list[str], label: str) -> tuple[float, float]:
    """Run ``command`` in a child process: (wall seconds, its peak RSS in MB); exits on failure.

    The child's standard output is kept in :data:`OUTPUTS` under ``label``.
    """
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *command],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "ITSSKIT_DISABLE_PLUGINS": "all"},
    )
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        sys.exit(f"{label} failed ({done.returncode}): {done.stderr[-2000:]}")
    peak_mb = int(done.stderr.split()[-1]) / 1024
    OUTPUTS[label] = done.stdout
    print(f"{label}: {seconds:.2f} s, peak {peak_mb:.0f} MB")
    return seconds, peak_mb


def itsskit() -> list[str]:
    """The command line of the ``itsskit`` CLI of this Python."""
    script = Path(sys.executable).absolute().with_name("itsskit")
    return [str(script)] if script.exists() else [sys.executable, "-m", "itsskit"]


def arrow_read(*files: Path) -> list[str]:
    """The baseline child: pyarrow merely reading ``files`` as CSV."""
    code = "import sys, pyarrow.csv as c\nfor f in sys.argv[1:]: c.read_csv(f)"
    return [sys.executable, "-c", code, *map(str, files)]


def bench_kpi(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="itsskit-bench-"))
    try:
        began = time.perf_counter()
        counts = generate(folder, args.tickets, args.projects, args.year, args.parquet)
        size = sum(f.stat().st_size for f in folder.glob("*.csv")) / 1e6
        print(
            f"data: {counts['tickets']:,} tickets, {counts['events']:,} events, "
            f"{counts['projects']} projects, {size:.0f} MB CSV "
            f"(generated in {time.perf_counter() - began:.1f} s)"
        )
        base_s, base_mb = run(
            arrow_read(folder / "tickets.csv", folder / "ticket_events.csv"),
            "baseline pyarrow.csv.read_csv",
        )
        kpi = [*itsskit(), "kpi", str(folder / "itsskit.toml"), "--period", str(args.year)]
        at = f"{args.year + 1}-01-01T00:00:00"
        kpi_s, kpi_mb = run([*kpi, "--format", "json", "--at", at], "itsskit kpi")
        verdict(kpi_s, kpi_mb, base_s, base_mb, counts["tickets"])
        if args.parquet:
            bench_parquet(
                folder,
                ["--period", str(args.year), "--format", "json", "--at", at],
                counts["tickets"],
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def verdict(seconds: float, mb: float, base_s: float, base_mb: float, tickets: int) -> None:
    """The ratios to the baseline and the issue's targets."""
    print(
        f"ratio to baseline: {seconds / base_s:.1f}x time, {mb / base_mb:.1f}x memory; "
        f"memory per ticket held: {mb * 1e6 / tickets:.0f} B"
    )
    print(
        f"targets: <= 10 s {'met' if seconds <= 10 else 'MISSED'}; "
        f"<= 1.5 GB {'met' if mb <= 1536 else 'MISSED'}; "
        f"<= 5x baseline {'met' if seconds <= 5 * base_s else 'MISSED'}"
    )


def bench_parquet(folder: Path, options: list[str], tickets: int) -> None:
    """The same ``itsskit kpi`` on the tickets as a Parquet dataset partitioned by project."""
    config = folder / "itsskit.toml"
    text = config.read_text(encoding="utf-8").replace(
        'plugin = "csv"\nkind = "tickets"\npath = "tickets.csv"\nevents = "ticket_events.csv"',
        'plugin = "parquet"\nkind = "tickets"\ndataset = "pq"',
    )
    (folder / "parquet.toml").write_text(text, encoding="utf-8")
    code = (
        "import sys, pyarrow.dataset as d\nd.dataset(sys.argv[1], partitioning='hive').to_table()"
    )
    base_s, base_mb = run(
        [sys.executable, "-c", code, str(folder / "pq")],
        "baseline pyarrow reading the Parquet dataset",
    )
    kpi_s, kpi_mb = run(
        [*itsskit(), "kpi", str(folder / "parquet.toml"), *options], "itsskit kpi (Parquet)"
    )
    verdict(kpi_s, kpi_mb, base_s, base_mb, tickets)
    same = json.loads(OUTPUTS["itsskit kpi (Parquet)"]) == json.loads(OUTPUTS["itsskit kpi"])
    print(f"same figures as from CSV: {'yes' if same else 'NO'}")


def bench_sla(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="itsskit-bench-"))
    try:
        with gzip.open(SAMPLE, "rt", encoding="utf-8") as handle:
            header, *rows = handle.read().splitlines()
        log = folder / "audit.csv"
        with log.open("w", encoding="utf-8") as out:
            out.write(header + "\n")
            for copy in range(args.copies):
                out.writelines(f"C{copy}{row}\n" for row in rows)
        events = len(rows) * args.copies
        config = folder / "itsskit.toml"
        config.write_text(
            CONFIG_HEAD.split("[sources.tickets]")[0]
            + f'[sources.sn]\nplugin = "servicenow-audit"\nkind = "tickets"\npath = "{log}"\n'
            + '\n[projects.alpha]\nsla = "gold"\nsources = ["sn"]\n',
            encoding="utf-8",
        )
        print(f"data: {events:,} audit events ({args.copies} copies of the sample)")
        base_s, _ = run(arrow_read(log), "baseline pyarrow.csv.read_csv")
        command = [*itsskit(), "sla", "evaluate", str(config), "--project", "alpha"]
        out = ["--at", "2016-06-01T00:00:00", "--output", str(folder / "clocks.csv")]
        seconds, _ = run([*command, *out], "itsskit sla evaluate")
        rate = events / seconds
        print(
            f"{rate:,.0f} events/s ({seconds / base_s:.1f}x baseline); "
            f"target >= 200,000 events/s {'met' if rate >= 200_000 else 'MISSED'}"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    kpi = commands.add_parser("kpi", help="itsskit kpi on a shared export")
    kpi.add_argument("--tickets", type=int, default=1_000_000)
    kpi.add_argument("--projects", type=int, default=200)
    kpi.add_argument("--year", type=int, default=2025)
    kpi.add_argument("--parquet", action="store_true", help="also on the tickets as Parquet")
    sla = commands.add_parser("sla", help="itsskit sla evaluate on the ServiceNow audit log")
    sla.add_argument("--copies", type=int, default=20)
    args = parser.parse_args()
    print(describe())
    print("external plugins disabled (ITSSKIT_DISABLE_PLUGINS=all): the core path is measured")
    print(json.dumps({k: v for k, v in vars(args).items()}))
    bench_kpi(args) if args.command == "kpi" else bench_sla(args)


if __name__ == "__main__":
    main()

"""Cold start: ``import itsskit`` and ``itsskit --help`` against ``python -c pass``.

Each command runs in a fresh interpreter, interleaved, best and median of N runs
(the machine is shared and noisy). Target (issue 10): under 0.25 s each, with the
interpreter's own start-up (``python -c pass``) as the same-run baseline.

    python benchmarks/bench_import.py [runs]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from machine import describe

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import itsskit": [sys.executable, "-c", "import itsskit"],
    "itsskit --help": [sys.executable, "-m", "itsskit", "--help"],
    "import itsskit; BusinessCalendar.china()": [
        sys.executable,
        "-c",
        "import itsskit; itsskit.BusinessCalendar.china()",
    ],
}


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, command in COMMANDS.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times[name].append(time.perf_counter() - start)
    print(describe())
    base = min(times["python -c pass"])
    for name, values in times.items():
        best, median = min(values), statistics.median(values)
        print(f"{name:45} best {best:.3f} s  median {median:.3f} s  (+{best - base:.3f} s)")


if __name__ == "__main__":
    main()

"""The machine a benchmark ran on, in one line (every benchmark prints it)."""

from __future__ import annotations

import os
import platform
import sys

import numpy as np


def describe() -> str:
    """CPU model, cores, Python and numpy versions, operating system."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next(
                line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    return (
        f"machine: {cpu}; {os.cpu_count()} cores; Python {sys.version.split()[0]}; "
        f"numpy {np.__version__}; {platform.system()} {platform.release()}"
    )

"""``itsskit sla evaluate`` on the ServiceNow audit log against the plain reference.

The reference reads the raw CSV with ``csv`` + ``gzip`` (shared data README rules)
and measures with ``reference_impl``; the CLI runs in a real subprocess.
"""

from __future__ import annotations

import csv
import gzip
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from itsskit.models import SLA, StatusChange, Targets, Ticket
from reference_impl import RefCalendar, read_servicenow, ref_clocks

SAMPLE = Path(__file__).parent / "data" / "servicenow_incident_events_sample.csv.gz"
SH = ZoneInfo("Asia/Shanghai")
AT = "2016-04-01T00:00:00+08:00"
RESPONSE = {"P1": 900, "P2": 1800, "P3": 3600, "P4": 4 * 3600}
RESOLUTION = {"P1": 4 * 3600, "P2": 8 * 3600, "P3": 27_000 * 3, "P4": 27_000 * 5}
PAUSES = ("Awaiting User Info", "Awaiting Vendor", "Awaiting Evidence", "Awaiting Problem")
CONFIG = f"""
[calendars.office]
preset = "china"

[slas.gold]
calendar = "office"
pause_statuses = {list(PAUSES)!r}
[slas.gold.targets.response]
{chr(10).join(f'{p} = "{s}s"' for p, s in RESPONSE.items())}
[slas.gold.targets.resolution]
{chr(10).join(f'{p} = "{s}s"' for p, s in RESOLUTION.items())}

[sources.sn]
plugin = "servicenow-audit"
kind = "tickets"
path = "{{path}}"

[projects.alpha]
sla = "gold"
sources = ["sn"]
"""


def run_cli(log: Path, tmp_path: Path) -> tuple[list[dict[str, str]], float]:
    config = tmp_path / "itsskit.toml"
    config.write_text(CONFIG.replace("{path}", log.as_posix()), encoding="utf-8")
    output = tmp_path / "clocks.csv"
    script = Path(sys.executable).with_name("itsskit")
    command = (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "from itsskit.cli import main; main()"]
    )
    began = time.perf_counter()
    done = subprocess.run(
        [
            *command,
            "sla",
            "evaluate",
            str(config),
            "--project",
            "alpha",
            "--at",
            AT,
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    seconds = time.perf_counter() - began
    assert done.returncode == 0, done.stderr
    with output.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == [
            "ticket_id",
            "priority",
            "metric",
            "target_seconds",
            "elapsed_seconds",
            "status",
            "deadline",
        ]
        return list(reader), seconds


def reference_rows(log: Path) -> dict[tuple[str, str], tuple[str, ...]]:
    tickets, _bad = read_servicenow(log)
    sla = SLA(
        id="gold", targets=Targets(response=RESPONSE, resolution=RESOLUTION), pause_statuses=PAUSES
    )
    cal = RefCalendar.china()
    at = datetime.fromisoformat(AT)
    rows = {}
    for t in tickets.values():
        model = Ticket(
            id=t.id,
            priority=t.priority,
            opened=t.opened,
            resolved=t.resolved,
            first_response=t.first_response,
            history=tuple(StatusChange(at=a, status=s) for a, s in t.history),
        )
        clocks = ref_clocks(model, sla, cal, at)
        if isinstance(clocks, str):
            continue
        for c in clocks:
            rows[(c.ticket_id, c.metric)] = (
                c.priority,
                str(c.target),
                str(c.elapsed),
                c.status,
                c.deadline.astimezone(SH).isoformat(),
            )
    return rows


def compare(log: Path, tmp_path: Path) -> float:
    got, seconds = run_cli(log, tmp_path)
    ours = {
        (r["ticket_id"], r["metric"]): (
            r["priority"],
            r["target_seconds"],
            r["elapsed_seconds"],
            r["status"],
            r["deadline"],
        )
        for r in got
    }
    assert len(ours) == len(got)
    expected = reference_rows(log)
    assert ours.keys() == expected.keys()
    wrong = {k: (ours[k], expected[k]) for k in ours if ours[k] != expected[k]}
    assert not wrong, f"{len(wrong)} rows differ, e.g. {list(wrong.items())[:3]}"
    return seconds


def test_sample_matches_reference(tmp_path: Path) -> None:
    compare(SAMPLE, tmp_path)


def _replicated(tmp_path: Path, copies: int) -> Path:
    """The sample ``copies`` times, renumbered, copy k shifted k years back; a few bad rows."""
    with gzip.open(SAMPLE, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    times = [
        header.index(c)
        for c in ("opened_at", "sys_created_at", "sys_updated_at", "resolved_at", "closed_at")
    ]
    path = tmp_path / "big.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for k in range(copies):
            for row in rows:
                row = list(row)
                row[0] = f"INC{k}{row[0][3:]}"
                for i in times:
                    if row[i] != "?":
                        day, clock = row[i].split(" ")
                        d, m, y = day.split("/")
                        if (d, m) == ("29", "2") and k % 4:
                            d = "28"
                        row[i] = f"{d}/{m}/{int(y) - k} {clock}"
                writer.writerow(row)
            bad = list(rows[10 + k])
            bad[0] = f"INC{k}{bad[0][3:]}"
            bad[header.index(("incident_state", "sys_updated_at", "opened_at")[k % 3])] = (
                "-100" if k % 3 == 0 else "31/2/2016 10:00"
            )
            writer.writerow(bad)
    return path


@pytest.mark.parametrize("copies", [2])
def test_replicated_log_matches_reference(tmp_path: Path, copies: int) -> None:
    seconds = compare(_replicated(tmp_path, copies), tmp_path)
    assert seconds < 120

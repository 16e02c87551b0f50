"""The scale data path (issue 11): each source read once per call, whatever the projects."""

from __future__ import annotations

import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from itsskit.cli import main
from itsskit.collect import collect
from itsskit.config import load_config
from itsskit.kpis import project_kpis
from itsskit.periods import Period
from itsskit.plugins import PluginHost
from itsskit.services import convert_source, kpi_figures

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo" / "itsskit.toml"
AT = datetime(2026, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_kpi_figures_reads_each_shared_source_once_with_the_same_figures(
    plugin_host: PluginHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(DEMO, plugin_host)
    # independently: every project collected on its own, as before the cache
    expected = {
        pid: project_kpis(
            collect(config, pid, plugin_host),
            config.projects[pid],
            Period.parse("2025", config.projects[pid].timezone),
            AT,
            plugin_host.calendar,
            catalogue=plugin_host.kpis(),
        )
        for pid in sorted(config.projects)
    }
    reads: Counter[str] = Counter()
    module = sys.modules["itsskit.collect"]  # ``itsskit.collect`` is also the function
    real = module.read_source

    def counted(*args: object, **kwargs: object) -> Iterator[object]:
        reads[str(args[1])] += 1
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "read_source", counted)
    figures = kpi_figures(config, "2025", host=plugin_host, at=AT)
    shared = Counter(s for p in config.projects.values() for s in p.sources)
    assert len(config.projects) > 1 and max(shared.values()) > 1  # the demo shares its sources
    assert reads == Counter(dict.fromkeys(shared, 1))
    assert {pid: {k: r.value for k, r in b.items()} for pid, b in figures.bundles.items()} == {
        pid: {k: r.value for k, r in b.items()} for pid, b in expected.items()
    }


# ------------------------------------------------------------------------ Parquet


def _parquet_demo(tmp_path: Path, host: PluginHost) -> Path:
    """The demo with every source converted to Parquet, and a config reading those."""
    config = load_config(DEMO, host)
    text = DEMO.read_text(encoding="utf-8")
    for name, source in sorted(config.sources.items()):
        out = tmp_path / f"{name}.parquet.d"
        convert_source(config, name, out, host=host)
        block = f'[sources.{name}]\nplugin = "csv"\nkind = "{source.kind}"\n'
        assert block in text
        text = text.replace(
            block, f'[sources.{name}]\nplugin = "parquet"\nkind = "{source.kind}"\n'
        )
        text = text.replace(f'path = "data/{name}.csv"\n', f'dataset = "{out.as_posix()}"\n')
    text = text.replace('events = "data/ticket_events.csv"\n', "")
    for folder in ("notes",):
        shutil.copytree(DEMO.parent / folder, tmp_path / folder)
    converted = tmp_path / "itsskit.toml"
    converted.write_text(text, encoding="utf-8")
    return converted


def test_parquet_round_trip_gives_the_csv_figures_and_records(
    plugin_host: PluginHost, tmp_path: Path
) -> None:
    converted = load_config(_parquet_demo(tmp_path, plugin_host), plugin_host)
    original = load_config(DEMO, plugin_host)
    assert {s.plugin for s in converted.sources.values()} == {"parquet"}
    for period in ("2025", "2025-03", "2024-Q4"):
        assert (
            kpi_figures(converted, period, host=plugin_host, at=AT).as_json()
            == kpi_figures(original, period, host=plugin_host, at=AT).as_json()
        )
    for pid in sorted(original.projects):
        before, after = collect(original, pid, plugin_host), collect(converted, pid, plugin_host)
        for kind in ("tickets", "outages", "changes", "surveys"):
            by_id = {r.id: r for r in getattr(before, kind)}
            assert {r.id: r for r in getattr(after, kind)} == by_id
            assert by_id  # the demo has records of every kind in every project


def test_tickets_are_partitioned_by_project(plugin_host: PluginHost, tmp_path: Path) -> None:
    config = load_config(DEMO, plugin_host)
    result = convert_source(config, "tickets", tmp_path / "t", host=plugin_host)
    folders = sorted(p.parent.name for p in result.files)
    assert folders == ["project=chuncheng", "project=dianchi"]
    tickets = pq.read_table(tmp_path / "t" / "project=dianchi")
    assert set(tickets.column("id").to_pylist()) == {
        t.id for t in collect(config, "dianchi", plugin_host).tickets
    }
    assert result.records == len(tickets) + len(pq.read_table(tmp_path / "t" / "project=chuncheng"))
    assert tickets.schema.field("opened").type == pa.timestamp("us", tz="Asia/Shanghai")


def _write_config(folder: Path, source: str) -> Path:
    path = folder / "itsskit.toml"
    path.write_text(
        '[calendars.office]\npreset = "always"\n[slas.gold]\ncalendar = "office"\n'
        '[slas.gold.targets.resolution]\nP1 = "4h"\n'
        f"{source}\n"
        '[projects.alpha]\nsla = "gold"\nsources = ["t"]\n',
        encoding="utf-8",
    )
    return path


def test_convert_cli_lists_findings_and_leaves_the_bad_rows_out(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text(
        "id,project,priority,opened,resolved,team\n"
        "A1,alpha,P1,2025-01-02T09:00:00,2025-01-02T10:00:00,ops\n"
        "A2,alpha,P9x,2025-01-02T09:00:00,,\n"
        "A1,alpha,P1,2025-01-03T09:00:00,,\n"
        "A3,,P1,2025-01-02 09:00,,\n",
        encoding="utf-8",
    )
    config = _write_config(
        tmp_path,
        '[sources.t]\nplugin = "csv"\nkind = "tickets"\npath = "t.csv"\ntimezone = "Europe/Berlin"',
    )
    out = tmp_path / "out"
    done = CliRunner().invoke(main, ["convert", str(config), "--source", "t", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "finding: " in done.output and "row 3" in done.output and "P9x" in done.output
    assert "duplicate ticket id 'A1'" in done.output
    assert "2 tickets record(s) of source 't' written to" in done.output
    table = pq.read_table(out)
    rows = sorted(table.to_pylist(), key=lambda r: r["id"])
    assert [r["id"] for r in rows] == ["A1", "A3"]
    assert rows[0]["team"] == "ops" and rows[1]["team"] is None
    # naive times were read in the source's zone (Berlin, +01:00 in January)
    assert rows[0]["opened"] == datetime(2025, 1, 2, 8, tzinfo=ZoneInfo("UTC"))
    assert rows[1]["project"] is None
    strict = CliRunner().invoke(
        main, ["convert", str(config), "--source", "t", "--out", str(tmp_path / "o2"), "--strict"]
    )
    assert strict.exit_code == 1
    again = CliRunner().invoke(main, ["convert", str(config), "--source", "t", "--out", str(out)])
    assert again.exit_code == 2 and "expected a new or empty folder" in again.output
    assert len(pq.read_table(out)) == 2  # nothing overwritten


def test_parquet_source_findings_name_the_row(plugin_host: PluginHost, tmp_path: Path) -> None:
    table = pa.table(
        {
            "id": ["A", "B", "C"],
            "priority": ["P1", "urgent", "P1"],
            "opened": pa.array(
                [datetime(2025, 1, 2, 9), datetime(2025, 1, 2, 9), None], pa.timestamp("us")
            ),
        }
    )
    pq.write_table(table, tmp_path / "t.parquet")
    config = load_config(
        _write_config(
            tmp_path,
            '[sources.t]\nplugin = "parquet"\nkind = "tickets"\npath = "t.parquet"\n'
            'timezone = "Asia/Tokyo"',
        ),
        plugin_host,
    )
    records = collect(config, "alpha", plugin_host)
    assert [t.id for t in records.tickets] == ["A", "C"]
    assert records.tickets[0].opened == datetime(2025, 1, 2, 9, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert records.tickets[1].opened is None
    (finding,) = records.findings
    assert (finding.record_id, finding.row, finding.source) == ("B", 2, "t (t.parquet)")
    assert "'priority'" in finding.reason and "urgent" in finding.reason


def test_parquet_source_without_a_required_column_is_one_clear_error(tmp_path: Path) -> None:
    pq.write_table(pa.table({"id": ["A"]}), tmp_path / "t.parquet")
    config = _write_config(
        tmp_path, '[sources.t]\nplugin = "parquet"\nkind = "tickets"\npath = "t.parquet"'
    )
    done = CliRunner().invoke(main, ["kpi", str(config), "--period", "2025"])
    assert done.exit_code == 1
    assert "missing column 'opened'" in done.output and "Traceback" not in done.output

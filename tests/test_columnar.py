"""The scale data path (issue 11): each source read once per call, whatever the projects."""

from __future__ import annotations

import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from itsskit.cli import main
from itsskit.clocks import ClockTable, cached_calendars, evaluate_table
from itsskit.collect import collect
from itsskit.columnar.arrow import history_type, records_to_table
from itsskit.columnar.checks import canonical_tickets
from itsskit.columnar.kpis import TicketSplit, project_tickets
from itsskit.columnar.tickets import evaluate_arrow, tickets_of
from itsskit.config import load_config
from itsskit.kpis import project_kpis
from itsskit.models import SLA, CalendarSpec, Project, StatusChange, Targets, Ticket, TicketKind
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
    periods = {pid: Period.parse("2025", p.timezone) for pid, p in config.projects.items()}
    expected = {
        pid: project_kpis(
            collect(config, pid, plugin_host, window=(periods[pid].start, periods[pid].end)),
            config.projects[pid],
            periods[pid],
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


def test_parquet_tickets_stay_columns_through_the_kpis(
    plugin_host: PluginHost, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    converted = load_config(_parquet_demo(tmp_path, plugin_host), plugin_host)
    expected = kpi_figures(load_config(DEMO, plugin_host), "2025", host=plugin_host, at=AT)
    module = sys.modules["itsskit.collect"]
    real, read = module.read_source, Counter[str]()

    def counted(*args: object, **kwargs: object) -> Iterator[object]:
        read[str(args[1])] += 1
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "read_source", counted)
    got = kpi_figures(converted, "2025", host=plugin_host, at=AT)
    assert got.as_json() == expected.as_json()
    assert got.bundles == expected.bundles  # details too: open breaches, missing callbacks
    assert got.findings == expected.findings and got.years == expected.years
    coverage = got.bundles["dianchi"]["callback_coverage"]
    assert coverage.denominator and coverage.details["missing"]  # the demo exercises it
    assert "tickets" not in read and read["surveys"] == 1  # no Ticket object per row


def test_non_canonical_parquet_tickets_are_read_as_records(
    plugin_host: PluginHost, tmp_path: Path
) -> None:
    config = _parquet_demo(tmp_path, plugin_host)
    folder = tmp_path / "tickets.parquet.d" / "project=dianchi"
    (part,) = folder.glob("*.parquet")
    table = pq.read_table(part)
    priority = table.column("priority").to_pylist()
    priority[0] = f" {priority[0]} "  # read as the trimmed priority, so not usable as it is
    pq.write_table(
        table.set_column(table.schema.get_field_index("priority"), "priority", pa.array(priority)),
        part,
    )
    loaded = load_config(config, plugin_host)
    from itsskit.collect import SourceCache

    assert SourceCache(loaded, plugin_host).table("tickets") is None
    expected = kpi_figures(load_config(DEMO, plugin_host), "2025", host=plugin_host, at=AT)
    assert kpi_figures(loaded, "2025", host=plugin_host, at=AT).as_json() == expected.as_json()


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


# ------------------------------------------------------- clocks straight from Arrow

ZONE = ZoneInfo("Asia/Shanghai")
BASE = datetime(2025, 3, 1, tzinfo=ZONE)
STATUSES = ("New", "In Progress", "Awaiting User Info", "Resolved", "Closed", "Pending")


def _project(priority_at: str) -> Project:
    targets = Targets(
        response={"P1": 900, "P2": 3600},
        resolution={"P1": 4 * 3600, "P2": 8 * 3600, "P3": 16 * 3600},
        turnaround={"P3": 10 * 3600},
    )
    office = CalendarSpec(preset="weekly", timezone="Asia/Shanghai")
    versions = (
        SLA(id="s", version="1", effective_to=date(2025, 3, 10), calendar=office,
            targets=targets, pause_statuses=("Awaiting User Info",), priority_at=priority_at),
        SLA(id="s", version="2", effective_from=date(2025, 3, 10), calendar=CalendarSpec(preset="always"),
            targets=targets, resolved_statuses=("Resolved", "Closed"), priority_at=priority_at),
    )  # fmt: skip
    return Project(id="alpha", slas=versions)


def _time(minutes: int | None) -> datetime | None:
    return None if minutes is None else BASE + timedelta(minutes=minutes)


@st.composite
def _tickets(draw: st.DrawFn) -> list[Ticket]:
    minutes = st.none() | st.integers(-60, 30 * 24 * 60)
    tickets = []
    for number in range(draw(st.integers(0, 25))):
        history = draw(
            st.lists(
                st.tuples(st.integers(-60, 30 * 24 * 60), st.sampled_from(STATUSES)), max_size=6
            )
        )
        tickets.append(
            Ticket(
                id=f"T{number}",
                project=draw(st.sampled_from([None, "alpha"])),
                kind=draw(st.sampled_from(list(TicketKind))),
                priority=draw(st.sampled_from([None, "P1", "P2", "P3", "P9"])),
                opening_priority=draw(st.sampled_from([None, "P1", "P3"])),
                opened=_time(draw(minutes)),
                first_response=_time(draw(minutes)),
                resolved=_time(draw(minutes)),
                major=draw(st.booleans()),
                history=tuple(
                    sorted(
                        (StatusChange(at=_time(m), status=s) for m, s in history),
                        key=lambda c: c.at,
                    )  # type: ignore[arg-type]
                ),
            )
        )
    return tickets


def _same_tables(a: ClockTable, b: ClockTable) -> None:
    assert (a.ticket_ids, a.priorities, a.projects) == (b.ticket_ids, b.priorities, b.projects)
    for name in (
        "ticket",
        "metric",
        "priority",
        "project",
        "target",
        "elapsed",
        "stopped_us",
        "status",
        "major",
    ):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


@settings(deadline=None)
@given(_tickets(), st.sampled_from(["resolution", "opening"]), st.integers(0, 40 * 24 * 60))
def test_clocks_from_arrow_equal_the_object_path(
    tickets: list[Ticket], priority_at: str, at_minutes: int
) -> None:
    project, at = _project(priority_at), BASE + timedelta(minutes=at_minutes)
    expected = evaluate_table(tickets, project, at)
    table = records_to_table("tickets", tickets, "Asia/Shanghai")
    got = evaluate_arrow(table, project, at, cached_calendars(None))
    _same_tables(got[0], expected[0])
    assert got[1] == expected[1]


def test_clocks_from_arrow_equal_the_object_path_on_the_demo(plugin_host: PluginHost) -> None:
    config = load_config(DEMO, plugin_host)
    at = datetime(2025, 7, 1, tzinfo=ZONE)
    for pid, project in sorted(config.projects.items()):
        tickets = collect(config, pid, plugin_host).tickets
        table, findings = evaluate_table(tickets, project, at, plugin_host.calendar)
        arrow = records_to_table("tickets", tickets, "Asia/Shanghai")
        got = evaluate_arrow(arrow, project, at, cached_calendars(plugin_host.calendar))
        assert len(table) > 1000
        _same_tables(got[0], table)
        assert got[1] == findings
        assert tickets_of(arrow, [0, len(tickets) - 1]) == [tickets[0], tickets[-1]]


def _one_ticket(**changes: object) -> pa.Table:
    ticket = Ticket(
        id="T1",
        project="alpha",
        kind=TicketKind.REQUEST,
        priority="P2",
        opened=BASE,
        satisfaction=4,
        history=(StatusChange(at=BASE, status="New"),),
    )
    table = records_to_table("tickets", [ticket], "Asia/Shanghai")
    for name, value in changes.items():
        column = pa.array([value]) if not isinstance(value, pa.Array) else value
        table = table.set_column(table.schema.get_field_index(name), name, column)
    return table


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": "Request"},
        {"priority": "2"},
        {"opening_priority": ""},
        {"project": " alpha"},
        {"id": None},
        {"satisfaction": pa.array([9], pa.int8())},
        {"opened": pa.array([datetime(2025, 3, 1)], pa.timestamp("us"))},
        {"major": "yes"},
        {"history": pa.array([[{"time": BASE, "status": " New"}]], history_type("UTC"))},
        {"history": pa.array([[{"time": None, "status": "New"}]], history_type("UTC"))},
    ],
)
def test_tables_the_row_reader_would_change_are_not_canonical(changes: dict[str, object]) -> None:
    assert canonical_tickets(_one_ticket()) is not None
    assert canonical_tickets(_one_ticket(**changes)) is None


def test_a_canonical_table_gets_the_missing_columns() -> None:
    table = _one_ticket().select(["id", "opened"])
    got = canonical_tickets(table)
    assert got is not None
    assert got.schema.field("history").type == history_type("Asia/Shanghai")
    assert got.column("priority").null_count == 1


def test_a_shared_table_is_split_by_project_in_file_order() -> None:
    table = pa.table({"id": list("abcdef"), "project": ["x", None, "y", "x", None, "y"]})
    split = TicketSplit(table)
    assert split.rows_of("x").column("id").to_pylist() == ["a", "b", "d", "e"]
    assert split.rows_of("y").column("id").to_pylist() == ["b", "c", "e", "f"]
    assert split.rows_of("z").column("id").to_pylist() == ["b", "e"]
    assert project_tickets([split, TicketSplit(table.slice(0, 1))], "x") is None  # "a" twice

"""The shipped demo data set (examples/demo): reproducible, well-formed, consistent."""

from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
import tomllib
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from types import ModuleType

import pytest

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo"
END = datetime.fromisoformat("2025-11-01T00:00:00+08:00")
STATUSES = {"New", "In Progress", "Awaiting User Info", "Awaiting Vendor", "Resolved", "Closed"}
COLUMNS = {
    "tickets.csv": ["id", "project", "service", "kind", "priority", "opened", "first_response",
                    "resolved", "closed", "major", "category", "channel", "callback"],
    "ticket_events.csv": ["ticket_id", "time", "status"],
    "outages.csv": ["id", "service", "start", "end", "planned", "cause"],
    "changes.csv": ["id", "service", "type", "approved", "window_start", "window_end", "title"],
    "surveys.csv": ["id", "project", "ticket", "answered", "score", "kind"],
}  # fmt: skip


def rows(name: str) -> list[dict[str, str]]:
    with (DEMO / "data" / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def when(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@pytest.fixture(scope="module")
def config() -> dict:
    with (DEMO / "itsskit.toml").open("rb") as f:
        return tomllib.load(f)


def shipped_files() -> set[str]:
    skip = {"generate.py", "README.md"}
    return {
        p.relative_to(DEMO).as_posix()
        for p in DEMO.rglob("*")
        if p.is_file() and p.name not in skip and "__pycache__" not in p.parts
    }


def test_regenerating_gives_identical_files(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(DEMO / "generate.py"), str(tmp_path)], check=True,
                   capture_output=True)  # fmt: skip
    fresh = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert fresh == shipped_files()
    for rel in sorted(fresh):
        assert (tmp_path / rel).read_bytes() == (DEMO / rel).read_bytes(), rel


def test_data_set_is_moderate_in_size() -> None:
    assert sum((DEMO / rel).stat().st_size for rel in shipped_files()) < 3_000_000


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_files_have_the_documented_columns(name: str) -> None:
    with (DEMO / "data" / name).open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert header[: len(COLUMNS[name])] == COLUMNS[name]


def test_ticket_events_match_the_ticket_times() -> None:
    events: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for e in rows("ticket_events.csv"):
        events[e["ticket_id"]].append((datetime.fromisoformat(e["time"]), e["status"]))
    tickets = rows("tickets.csv")
    assert set(events) == {t["id"] for t in tickets}
    for t in tickets:
        history = events[t["id"]]
        times = [at for at, _ in history]
        statuses = [s for _, s in history]
        assert times == sorted(times) and len(set(times)) == len(times), t["id"]
        assert set(statuses) <= STATUSES, t["id"]
        assert history[0] == (when(t["opened"]), "New"), t["id"]
        assert times[-1] < END, t["id"]
        first = next((at for at, s in history if s == "In Progress"), None)
        assert when(t["first_response"]) == first, t["id"]
        done = statuses[-1] in ("Resolved", "Closed")
        last_resolved = [at for at, s in history if s == "Resolved"][-1:] or [None]
        assert when(t["resolved"]) == (last_resolved[0] if done else None), t["id"]
        assert when(t["closed"]) == (times[-1] if statuses[-1] == "Closed" else None), t["id"]
        if t["callback"]:
            assert t["kind"] == "incident" and when(t["callback"]) > when(t["resolved"]), t["id"]


def test_data_set_has_the_promised_shape() -> None:
    tickets = rows("tickets.csv")
    events: dict[str, list[str]] = defaultdict(list)
    for e in rows("ticket_events.csv"):
        events[e["ticket_id"]].append(e["status"])
    for project in ("dianchi", "chuncheng"):
        mine = [t for t in tickets if t["project"] == project]
        per_month = defaultdict(int)
        for t in mine:
            per_month[t["opened"][:7]] += 1
        assert len(per_month) == 12 and all(80 <= n <= 250 for n in per_month.values())
        paused = sum(
            1 for t in mine if {"Awaiting User Info", "Awaiting Vendor"} & set(events[t["id"]])
        )
        assert 0.10 < paused / len(mine) < 0.20
        assert sum(events[t["id"]].count("Resolved") > 1 for t in mine) >= 1
        assert 4 <= sum(t["major"] == "true" for t in mine) <= 12
        assert sum(t["security"] == "true" for t in mine) >= 1
        assert 1 <= sum(not t["resolved"] for t in mine) <= 30
    surveys = rows("surveys.csv")
    assert {s["kind"] for s in surveys} == {"callback", "project", "annual"}
    assert all(s["answered"].startswith("2025-09") for s in surveys if s["kind"] == "annual")
    assert all(1 <= int(s["score"]) <= 5 for s in surveys)
    known = {t["id"] for t in tickets}
    assert all(s["ticket"] in known for s in surveys if s["kind"] == "callback")


def test_config_references_only_defined_names(config: dict) -> None:
    calendars, slas = set(config["calendars"]), set(config["slas"])
    services, sources = set(config["services"]), set(config["sources"])
    assert {s["calendar"] for s in config["slas"].values()} <= calendars
    for project in config["projects"].values():
        assert project["sla"] in slas
        assert set(project["services"]) <= services
        assert set(project["sources"]) <= sources
    for report in config["reports"].values():
        assert report["project"] in config["projects"]
        assert (DEMO / report["notes_dir"] / "2025-10.toml").is_file()
    for source in config["sources"].values():
        assert (DEMO / source["path"]).is_file()
        if "events" in source:
            assert (DEMO / source["events"]).is_file()


def test_records_name_only_configured_projects_and_services(config: dict) -> None:
    services = set(config["services"])
    projects = config["projects"]
    for t in rows("tickets.csv"):
        assert t["service"] in projects[t["project"]]["services"], t["id"]
    for name in ("outages.csv", "changes.csv"):
        assert {r["service"] for r in rows(name)} <= services


def test_notes_parse_and_name_real_major_incidents(config: dict) -> None:
    majors = {t["id"] for t in rows("tickets.csv") if t["major"] == "true"}
    for report in config["reports"].values():
        notes = sorted((DEMO / report["notes_dir"]).glob("*.toml"))
        assert len(notes) == 12
        for path in notes:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
            assert isinstance(doc["summary"], str) and doc["main_work"] and doc["next_plan"]
            assert set(doc["major_reviews"]) <= majors, path
            for cause in doc["causes"].values():
                assert set(cause) == {"cause", "suggestion"}, path


def itsskit_module(name: str, attribute: str) -> ModuleType:
    """The itsskit module ``name`` if it exists with ``attribute``, else skip."""
    if importlib.util.find_spec(name) is None:
        pytest.skip(f"{name} does not exist yet")
    module = importlib.import_module(name)
    if not hasattr(module, attribute):
        pytest.skip(f"{name}.{attribute} does not exist yet")
    return module


def test_config_loads_through_itsskit() -> None:
    config = itsskit_module("itsskit.config", "load_config").load_config(DEMO / "itsskit.toml")
    assert sorted(config.projects) == ["chuncheng", "dianchi"]
    gold = config.project("dianchi").slas[0]
    assert gold.targets.response["P1"] == 15 * 60 and gold.targets.resolution["P4"] == 72 * 3600
    assert gold.availability == 0.999 and gold.calendar.preset == "always"
    silver = config.project("chuncheng").slas[0]
    assert silver.targets.turnaround == {"P3": 16 * 3600, "P4": 40 * 3600}
    assert silver.calendar.hours == ("09:00-12:00", "13:30-18:00")
    assert config.reports["chuncheng-monthly-en"].language == "en"


def test_records_load_through_itsskit_without_findings() -> None:
    load_config = itsskit_module("itsskit.config", "load_config").load_config
    collect = itsskit_module("itsskit.collect", "collect").collect
    host = itsskit_module("itsskit.plugins", "PluginHost").PluginHost.create(entry_points=False)
    config = load_config(DEMO / "itsskit.toml", host)
    tickets = rows("tickets.csv")
    for project in ("dianchi", "chuncheng"):
        records = collect(config, project, host)
        assert records.findings == ()
        assert len(records.tickets) == sum(t["project"] == project for t in tickets)
        assert all(t.history and t.history[0].status == "New" for t in records.tickets)
        assert {o.service for o in records.outages} <= set(config.project(project).services)

"""Plugins isolated in time and in kind (SPEC §7): a plugin that hangs, exits, kills its
process or returns the wrong type is named and fails only its own work.

The misbehaving plugins are in ``tests/plugins_misbehaving/misbehaving.py``. In
this process they are registered by hand; for the real ``itsskit report batch``
they are installed as an entry point through a temporary ``.dist-info`` folder
on ``PYTHONPATH``, so the batch's worker processes load them like any plugin.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from itsskit.config import ConfigError, load_config
from itsskit.contracts import SourceContext
from itsskit.guard import Guard, PluginError, PluginTimeout
from itsskit.models import Report, ReportSpec
from itsskit.plugins import PluginHost

HERE = Path(__file__).resolve().parent
PLUGIN_DIR = HERE / "plugins_misbehaving"
DEMO = HERE.parent / "examples" / "demo" / "data"
AT = "2025-11-03T09:00+08:00"


def _load_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("misbehaving", PLUGIN_DIR / "misbehaving.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


misbehaving = _load_module()


@pytest.fixture
def host() -> PluginHost:
    return PluginHost.create(entry_points=False, extra=[misbehaving], timeout=0.5)


def timed(function: Any) -> tuple[Any, float]:
    start = time.monotonic()
    try:
        return function(), time.monotonic() - start
    except BaseException as exc:  # noqa: BLE001 - the test looks at it
        return exc, time.monotonic() - start


# ------------------------------------------------------------------ the guard


def test_a_hanging_call_is_stopped_at_the_timeout_and_named() -> None:
    guard = Guard(0.3)
    error, seconds = timed(lambda: guard.call("renderer plugin 'slow'", lambda: time.sleep(30)))
    assert isinstance(error, PluginTimeout)
    assert str(error) == (
        "renderer plugin 'slow' did not return within 0.3s (the plugin timeout); it was stopped"
    )
    assert 0.3 <= seconds < 3 and guard.abandoned == 1


def test_sys_exit_in_a_plugin_never_ends_the_host() -> None:
    for guard in (Guard(1.0), Guard(None)):
        with pytest.raises(PluginError, match=r"^store plugin 'x' called sys.exit\(3\); a plugin"):
            guard.call("store plugin 'x'", lambda: sys.exit(3))
        with pytest.raises(PluginError, match=r"called sys.exit\('bye'\)"):
            list(guard.iterate("source 'x'", (sys.exit("bye") for _ in range(1))))


def test_ordinary_errors_and_results_pass_through() -> None:
    guard = Guard(1.0)
    assert guard.call("p", lambda: 42) == 42
    with pytest.raises(KeyError, match="k"):
        guard.call("p", lambda: {}["k"])
    assert list(guard.iterate("p", iter(range(2000)))) == list(range(2000))


def test_a_slow_but_steady_source_is_not_stopped() -> None:
    def steady() -> Iterator[int]:
        for number in range(8):
            time.sleep(0.1)  # 0.8 s in all, never 0.3 s without a record
            yield number

    assert list(Guard(0.3).iterate("source 's'", steady())) == list(range(8))


def test_a_source_that_stops_yielding_is_stopped() -> None:
    def stalls() -> Iterator[int]:
        yield 1
        time.sleep(30)
        yield 2

    seen: list[int] = []
    error, seconds = timed(lambda: seen.extend(Guard(0.3).iterate("source 's'", stalls())))
    assert isinstance(error, PluginTimeout) and seen in ([], [1]) and seconds < 3


# ----------------------------------------------------- the host's typed calls


def source(host: PluginHost, mode: str) -> Any:
    cls = host.source_class("tickets", "misbehaving")
    context = SourceContext(name=f"src-{mode}", kind="tickets", base_dir=Path("."))
    return cls(misbehaving.ModeOptions(mode=mode), context)


@pytest.mark.parametrize(
    ("mode", "error", "message"),
    [
        ("hang", PluginTimeout, "did not return within 0.5s (the plugin timeout); it was stopped"),
        ("hang-later", PluginTimeout, "did not return within 0.5s"),
        ("sys-exit", PluginError, "called sys.exit(3); a plugin must raise instead"),
        ("wrong-type", PluginError, ": read() yielded str; expected Ticket records (kind 'tickets') or findings"),
        ("wrong-kind", PluginError, ": read() yielded Outage; expected Ticket records (kind 'tickets') or findings"),
        ("not-iterable", PluginError, ": read() returned int; expected an iterator of records and findings"),
    ],
)  # fmt: skip
def test_sources_that_misbehave_are_named(
    host: PluginHost, mode: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as caught:
        list(host.read(source(host, mode)))
    assert str(caught.value).startswith(f"source 'src-{mode}' (plugin 'misbehaving')")
    assert message in str(caught.value)


def test_a_well_behaved_plugin_source_reads(host: PluginHost) -> None:
    assert [ticket.id for ticket in host.read(source(host, "ok"))] == ["M-1"]


def report(project: str) -> Report:
    now = datetime.fromisoformat(AT)
    spec = ReportSpec(id=f"{project}-monthly", project=project)
    return Report(
        id=spec.id, project=project, spec=spec, period_label="2025-10",
        period_start=now, period_end=now, generated=now,
    )  # fmt: skip


def test_renderers_that_misbehave_are_named(host: PluginHost) -> None:
    renderer = host.renderer_class("misbehaving")()
    assert host.render(renderer, report("fine")) == b"report fine-monthly"
    with pytest.raises(
        PluginError,
        match=r"^renderer plugin 'misbehaving': render\(\) returned str; expected bytes$",
    ):
        host.render(renderer, report("render-wrong-type"))
    with pytest.raises(PluginTimeout, match=r"^renderer plugin 'misbehaving' did not return"):
        host.render(renderer, report("render-hang"))
    with pytest.raises(PluginError, match=r"^renderer plugin 'misbehaving' called sys.exit\(3\)"):
        host.render(renderer, report("render-sys-exit"))


def test_sections_that_misbehave_are_named(host: PluginHost) -> None:
    [builder] = [b for b in host.section_builders() if b.name == "misbehaving"]
    assert isinstance(builder, misbehaving.MisbehavingSection) and builder.order == 5000

    class Context:
        def __init__(self, project: str) -> None:
            self.project = type("P", (), {"id": project})()

    assert builder.build(Context("fine")) is not None
    with pytest.raises(
        PluginError,
        match=r"^section plugin 'misbehaving': build\(\) returned str; expected Section$",
    ):
        builder.build(Context("section-wrong-type"))
    with pytest.raises(
        PluginTimeout, match=r"^section plugin 'misbehaving' did not return within 0.5s"
    ):
        builder.build(Context("section-hang"))


def test_channels_and_stores_that_misbehave_are_named(host: PluginHost) -> None:
    channel_class = host.channel_class("misbehaving")
    store_class = host.store_class("misbehaving")
    Options = misbehaving.ModeOptions
    assert host.channel(channel_class, Options(mode="ok")).send(report("x"), {}, ["a@b.cn"]) is None
    assert (
        host.store(store_class, Options(mode="ok")).archive(report("x"), {})
        == "vault://misbehaving"
    )
    channel = host.channel(channel_class, Options(mode="hang"))
    assert isinstance(channel, channel_class) and channel.name == "misbehaving"
    with pytest.raises(
        PluginTimeout, match=r"^distribution channel plugin 'misbehaving' did not return"
    ):
        channel.send(report("x"), {}, ["a@b.cn"])
    with pytest.raises(
        PluginError, match=r"^distribution channel plugin 'misbehaving' called sys.exit"
    ):
        host.channel(channel_class, Options(mode="sys-exit")).send(report("x"), {}, ["a@b.cn"])
    with pytest.raises(
        PluginError,
        match=r"^archive store plugin 'misbehaving': archive\(\) returned int; expected str$",
    ):
        host.store(store_class, Options(mode="wrong-type")).archive(report("x"), {})
    with pytest.raises(PluginTimeout, match=r"^archive store plugin 'misbehaving' did not return"):
        host.store(store_class, Options(mode="hang")).archive(report("x"), {})


def test_a_plugin_that_exits_at_registration_is_a_load_failure() -> None:
    class Exits:
        @staticmethod
        @misbehaving.hookimpl
        def register_renderers(registry: Any) -> None:
            sys.exit(2)

    host = PluginHost.create(entry_points=False, extra=[Exits()])
    assert [failure.name for failure in host.failures] == ["Exits"]
    assert "SystemExit" in host.failures[0].cause


# -------------------------------------------------------------- configuration


def test_the_timeout_comes_from_the_configuration(tmp_path: Path) -> None:
    path = tmp_path / "itsskit.toml"
    path.write_text('[plugins]\ntimeout = "2m"\n', encoding="utf-8")
    host = PluginHost.create(entry_points=False)
    assert host.timeout == 60.0  # the default
    assert load_config(path, host).plugin_timeout == 120.0 and host.timeout == 120.0
    for text, expected in [
        ('"forever"', "plugins.timeout: bad duration 'forever'"),
        ("5", "plugins.timeout: expected a duration string"),
        ('"1h"\nretries = 3', r"plugins: unknown key\(s\) retries \(allowed: timeout\)"),
    ]:
        path.write_text(f"[plugins]\ntimeout = {text}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=expected):
            load_config(path, host)


# ---------------------------------------------- the real CLI, worker processes


def config_text(projects: dict[str, str], timeout: str = "2s") -> str:
    """A configuration: project -> its source's mode (``csv``: the demo tickets;
    ``missing-events``: a CSV source whose events file is not there)."""
    parts = [
        '[calendars.always]\npreset = "always"\ntimezone = "Asia/Shanghai"\n'
        '[slas.gold]\ncalendar = "always"\n[slas.gold.targets.resolution]\nP1 = "4h"\n'
        f'[plugins]\ntimeout = "{timeout}"\n'
        '[sources.csv]\nplugin = "csv"\nkind = "tickets"\npath = "tickets.csv"\n'
        'events = "ticket_events.csv"\n'
        '[sources.missing-events]\nplugin = "csv"\nkind = "tickets"\npath = "tickets.csv"\n'
        'events = "gone.csv"\n'
    ]
    for project, mode in projects.items():
        source = mode if mode in ("csv", "missing-events") else project
        if source == project:
            parts.append(
                f'[sources.{project}]\nplugin = "misbehaving"\nkind = "tickets"\nmode = "{mode}"\n'
            )
        parts.append(
            f'[projects.{project}]\nsla = "gold"\nsources = ["{source}"]\n'
            f'[reports.{project}-monthly]\nproject = "{project}"\n'
        )
    return "\n".join(parts)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A folder with the demo tickets and the misbehaving plugin installed for subprocesses."""
    for name in ("tickets.csv", "ticket_events.csv"):
        (tmp_path / name).write_bytes((DEMO / name).read_bytes())
    info = tmp_path / "site" / "misbehaving-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: misbehaving\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[itsskit]\nmisbehaving = misbehaving\n")
    return tmp_path


def cli(workdir: Path, *args: str, marker: str = "", **popen: Any) -> Any:
    """``itsskit ARGS`` in a fresh interpreter with the misbehaving plugin installed."""
    env = {key: value for key, value in os.environ.items() if key != "ITSSKIT_DISABLE_PLUGINS"}
    env["PYTHONPATH"] = os.pathsep.join([str(workdir / "site"), str(PLUGIN_DIR)])
    env["ITSSKIT_TEST_MARKER"] = marker
    command = [sys.executable, "-m", "itsskit", *args]
    if popen:
        return subprocess.Popen(command, cwd=workdir, env=env, text=True, **popen)
    return subprocess.run(
        command, cwd=workdir, env=env, text=True, capture_output=True, timeout=300, check=False
    )


def batch_args(*extra: str) -> list[str]:
    return ["report", "batch", "itsskit.toml", "--period", "2025-10", "--out", "out", "--at", AT,
            *extra]  # fmt: skip


def test_batch_isolates_every_misbehaving_plugin(workdir: Path) -> None:
    projects = {
        "good": "csv", "src-hang": "hang", "src-sys-exit": "sys-exit", "src-os-exit": "os-exit",
        "src-kill": "kill", "src-wrong-type": "wrong-type", "src-regex": "regex",
        "section-hang": "csv", "render-os-exit": "csv", "render-wrong-type": "csv",
        "missing": "missing-events", "also-good": "csv",
    }  # fmt: skip
    (workdir / "itsskit.toml").write_text(config_text(projects), encoding="utf-8")
    result = cli(workdir, *batch_args("--format", "json,misbehaving", "--jobs", "2"))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    lines = {line.split("\t")[1]: line.split("\t")[2:] for line in result.stdout.splitlines()}
    assert set(lines) == set(projects)
    for project in ("good", "also-good", "section-hang"):
        assert lines[project][0] == "built", lines[project]
    died = "WorkerDied: the worker process building this report ended"
    expected = {
        "src-hang": "SourceError: source 'src-hang' (plugin 'misbehaving') did not return within 2s (the plugin timeout); it was stopped",
        "src-sys-exit": "SourceError: source 'src-sys-exit' (plugin 'misbehaving') called sys.exit(3); a plugin must raise instead",
        "src-os-exit": f"{died} (exit code 7) in source 'src-os-exit' (plugin 'misbehaving'); a plugin must raise an exception, never exit the process",
        "src-kill": f"{died} (signal 9) in source 'src-kill' (plugin 'misbehaving'); a plugin must raise an exception, never exit the process",
        "src-wrong-type": "SourceError: source 'src-wrong-type' (plugin 'misbehaving'): read() yielded str; expected Ticket records (kind 'tickets') or findings",
        "src-regex": "PluginTimeout: source 'src-regex' (plugin 'misbehaving') did not return within 2s (the plugin timeout); its worker process was stopped",
        "render-os-exit": f"{died} (exit code 7) in renderer plugin 'misbehaving'; a plugin must raise an exception, never exit the process",
        "render-wrong-type": "PluginError: renderer plugin 'misbehaving': render() returned str; expected bytes",
    }  # fmt: skip
    for project, detail in expected.items():
        assert lines[project] == ["failed", detail], project
    assert lines["missing"][0] == "failed" and "gone.csv" in lines["missing"][1]
    # the hung section became a section of its report that names the plugin
    built = (workdir / "out" / "section-hang" / "section-hang-monthly_2025-10.json").read_text()
    assert "section plugin 'misbehaving' did not return within 2s" in built
    assert (
        workdir / "out" / "good" / "good-monthly_2025-10.txt"
    ).read_text() == "report good-monthly"
    # resumable: the built reports are stored and skipped on the next run
    listed = cli(workdir, "report", "list", "itsskit.toml")
    assert sorted(line.split("\t")[0] for line in listed.stdout.splitlines()[1:]) == [
        "also-good-monthly", "good-monthly", "section-hang-monthly"
    ]  # fmt: skip


def test_report_build_names_a_hanging_source_in_one_line(workdir: Path) -> None:
    (workdir / "itsskit.toml").write_text(config_text({"slow": "hang"}, "1s"), encoding="utf-8")
    start = time.monotonic()
    result = cli(workdir, "report", "build", "itsskit.toml", "--report", "slow-monthly",
                 "--period", "2025-10", "--format", "json", "--out", "o", "--at", AT)  # fmt: skip
    assert time.monotonic() - start < 60
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: source 'slow' (plugin 'misbehaving') did not return within 1s "
        "(the plugin timeout); it was stopped"
    )


def marked_processes(marker: str) -> list[int]:
    """Live (not zombie) processes whose environment holds ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if f"ITSSKIT_TEST_MARKER={marker}".encode() in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def wait_for(condition: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return bool(condition())


linux_only = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")


@linux_only
def test_kill_9_of_the_batch_leaves_no_worker_behind(workdir: Path) -> None:
    projects = {f"p{i}": "hang" for i in range(3)}
    (workdir / "itsskit.toml").write_text(config_text(projects, "10m"), encoding="utf-8")
    marker = uuid.uuid4().hex
    process = cli(workdir, *batch_args("--format", "json", "--jobs", "2"), marker=marker,
                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        # the main process, the fork server and two workers
        assert wait_for(lambda: len(marked_processes(marker)) >= 4, 120)
    finally:
        process.kill()
        process.wait()
    assert wait_for(lambda: not marked_processes(marker), 15), marked_processes(marker)


@linux_only
def test_ctrl_c_stops_the_batch_cleanly_and_keeps_what_was_built(workdir: Path) -> None:
    projects = {"a-good": "csv", "b-slow": "hang", "c-slow": "hang"}
    (workdir / "itsskit.toml").write_text(config_text(projects, "10m"), encoding="utf-8")
    marker = uuid.uuid4().hex
    process = cli(workdir, *batch_args("--format", "json", "--jobs", "2"), marker=marker,
                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip
    try:
        first = process.stdout.readline()
        assert first.startswith("a-good-monthly\ta-good\tbuilt\t"), first
        os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode != 0
    assert "Traceback" not in stderr and stderr.strip() == "Aborted!"
    assert wait_for(lambda: not marked_processes(marker), 15), marked_processes(marker)
    listed = cli(workdir, "report", "list", "itsskit.toml")
    assert [line.split("\t")[:5] for line in listed.stdout.splitlines()[1:]] == [
        ["a-good-monthly", "a-good", "2025-10", "1", "draft"]
    ]

"""Batch: every report of every project for one period, in parallel (SPEC §5).

:func:`run_batch` builds and renders each ``[reports.ID]`` row of the
configuration for the period, in worker processes (building is CPU-bound:
clocks, KPIs, matplotlib charts, docx), and saves each report as a draft in the
:class:`~itsskit.storage.ReportStore` (only the calling process writes to the
database). A report that fails — a missing source file, a plugin error — is
reported with its project and cause; the others finish.

The run is resumable: a report already stored for the period counts as done
and is skipped, unless ``force`` (then a draft is rebuilt and replaced; a
report already submitted or further along is left alone and said so).

The plugin timeout is the configuration's ``[plugins] timeout`` (see
``docs/plugins.md``). Ctrl-C stops the workers and keeps the reports already
saved; a worker whose parent is killed exits by itself.

Worker processes are started with the ``forkserver`` method where the
platform has it (``spawn`` elsewhere): a script that calls :func:`run_batch`
must do so under ``if __name__ == "__main__":``.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import multiprocessing.process
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Literal

import attrs

from itsskit.config import Config
from itsskit.files import discard, new_staging, remove_leftovers, safe_path
from itsskit.guard import CallWatch, describe_seconds
from itsskit.models import Report, ReportStatus
from itsskit.periods import Period
from itsskit.plugins import DEFAULT_TIMEOUT, PluginHost
from itsskit.storage import ReportStore

__all__ = ["BatchItem", "BatchResult", "Progress", "run_batch"]

BUILT, SKIPPED, FAILED = "built", "skipped", "failed"


@attrs.frozen(kw_only=True)
class BatchItem:
    """What happened to one report: ``built``, ``skipped`` or ``failed`` (with the cause)."""

    report: str
    project: str
    period: str
    status: str
    version: int | None = None
    files: Mapping[str, Path] = attrs.field(factory=dict)
    detail: str = ""
    #: Years of a provisional holiday schedule the report's figures rest on.
    provisional_years: tuple[int, ...] = ()


@attrs.frozen(kw_only=True)
class BatchResult:
    """Every report of a run, in the order of the report ids."""

    period: str
    items: tuple[BatchItem, ...]

    def with_status(self, status: str) -> list[BatchItem]:
        """The items whose status is ``status``."""
        return [item for item in self.items if item.status == status]

    @property
    def failed(self) -> list[BatchItem]:
        """The reports that could not be built or saved."""
        return self.with_status(FAILED)

    @property
    def ok(self) -> bool:
        """True when no report failed."""
        return not self.failed


#: ``progress(item, done, total)`` is called in the calling thread after each report.
Progress = Callable[[BatchItem, int, int], None]


def run_batch(
    config: Config,
    period: str,
    *,
    store: ReportStore,
    out_dir: str | Path,
    formats: Sequence[str] = ("docx", "html"),
    jobs: int | None = None,
    force: bool = False,
    executor: Literal["process", "thread"] = "process",
    host: PluginHost | None = None,
    at: datetime | None = None,
    by: str = "itsskit batch",
    progress: Progress | None = None,
) -> BatchResult:
    """Build, render and store every report of ``config`` for ``period`` (``"2025-10"``).

    Files go to ``out_dir/<project>/``. ``jobs`` workers (default: one per CPU,
    at most one per report). Worker processes build their own host from the
    installed plugins and isolate each report completely: a plugin that hangs
    past the plugin timeout, exits the process or kills it fails only its
    report, and the worker is replaced. ``executor="thread"`` shares ``host``
    (plugins registered by hand) in this process (``jobs=1``: one report after
    another), where a hanging plugin is abandoned at the timeout and
    ``sys.exit`` is caught, but ``os._exit`` ends the run.
    ``at`` is the evaluation instant passed to the builder. Raises ValueError
    for a malformed ``period``; every per-report problem is in the result.
    """
    zones = {rid: config.project(spec.project).timezone for rid, spec in config.reports.items()}
    labels = {rid: Period.parse(period, zones[rid]).label for rid in sorted(zones)}
    skipped = {rid: _skip_reason(store, rid, label, force) for rid, label in labels.items()}
    todo = [rid for rid, reason in skipped.items() if not reason]
    for project in {spec.project for spec in config.reports.values()}:
        remove_leftovers(safe_path(Path(out_dir), project))  # of a killed run

    def outcomes() -> Generator[BatchItem, None, None]:
        for rid, reason in skipped.items():
            if reason:
                yield _item(config, rid, labels[rid], SKIPPED, detail=reason)
        job = _Job(
            config=config, period=period, formats=tuple(formats), out_dir=Path(out_dir),
            at=at, timeout=_timeout(config, host),
        )  # fmt: skip
        for rid, built in _build_all(job, todo, jobs, executor, host):
            if isinstance(built, str):
                yield _item(config, rid, labels[rid], FAILED, detail=built)
            else:
                yield _save(store, config, built, by, zones[rid])

    items: dict[str, BatchItem] = {}
    with contextlib.closing(outcomes()) as finished:  # on Ctrl-C too: the workers stop now
        for done, item in enumerate(finished, start=1):
            items[item.report] = item
            if progress:
                progress(item, done, len(labels))
    return BatchResult(period=period, items=tuple(items[rid] for rid in labels))


def _timeout(config: Config, host: PluginHost | None) -> float | None:
    """The plugin timeout: the config's ``[plugins] timeout``, else the host's, else the default."""
    if config.plugin_timeout is not None:
        return config.plugin_timeout
    return host.timeout if host is not None else DEFAULT_TIMEOUT


def _skip_reason(store: ReportStore, report_id: str, label: str, force: bool) -> str:
    """Why the stored report is left alone ("" when it is to be built)."""
    if not store.has(report_id, label):
        return ""
    stored = store.get(report_id, label)
    if not force:
        return (
            f"already stored (v{stored.report.version}, {stored.status}); --force rebuilds a draft"
        )
    if stored.status != ReportStatus.DRAFT:
        return f"v{stored.report.version} is {stored.status}: only a draft is rebuilt"
    return ""


def _item(
    config: Config,
    report_id: str,
    label: str,
    status: str,
    *,
    version: int | None = None,
    files: Mapping[str, Path] | None = None,
    detail: str = "",
) -> BatchItem:
    return BatchItem(
        report=report_id,
        project=config.reports[report_id].project,
        period=label,
        status=status,
        version=version,
        files=files or {},
        detail=detail,
    )


def _save(store: ReportStore, config: Config, built: Built, by: str, timezone: str) -> BatchItem:
    report, files, stage = built
    try:
        stored = store.save(report, files, by=by, timezone=timezone, staging=stage)
    except Exception as exc:  # noqa: BLE001 - one failed save must not stop the batch
        return _item(config, report.id, report.period_label, FAILED, detail=_cause(exc))
    finally:
        store.drop_staging(stage)
    version = stored.report.version
    final = {fmt: stored_file.path for fmt, stored_file in stored.files.items()}
    item = _item(config, report.id, report.period_label, BUILT, version=version, files=final)
    return attrs.evolve(item, provisional_years=tuple(report.figures.get("provisional_years", ())))


def _cause(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


# ----------------------------------------------------------------------- workers

#: A built report, its rendered files (format -> path) and the staging folder they are in.
Built = tuple[Report, dict[str, Path], Path]


@attrs.frozen(kw_only=True)
class _Job:
    """What every report of a run shares (sent once to each worker process)."""

    config: Config
    period: str
    formats: tuple[str, ...]
    out_dir: Path
    at: datetime | None
    timeout: float | None


def _build_all(
    job: _Job,
    report_ids: list[str],
    jobs: int | None,
    executor: str,
    host: PluginHost | None,
) -> Iterator[tuple[str, Built | str]]:
    """``(report id, (report, files) or the cause of its failure)`` as each report finishes."""
    if not report_ids:
        return
    workers = max(1, min(jobs or os.cpu_count() or 1, len(report_ids)))
    if executor == "process":
        yield from _WorkerPool(job, workers).run(report_ids)
        return
    host = host or _configured(PluginHost.create(timeout=job.timeout), job.config)
    if workers == 1:
        for rid in report_ids:
            yield rid, _attempt(job, host, rid)
        return
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        futures = {pool.submit(_attempt, job, host, rid): rid for rid in report_ids}
        for future in as_completed(futures):
            yield futures[future], future.result()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # Ctrl-C does not wait for the rest


def _attempt(job: _Job, host: PluginHost, report_id: str) -> Built | str:
    """The built report, or the cause of its failure (a plugin's ``sys.exit`` included)."""
    try:
        return _build_one(job, host, report_id)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - reported per report
        return _cause(exc)


# ------------------------------------------------------------------ worker pool

#: Seconds a worker's plugin call may overrun the timeout before the worker is killed
#: (the worker's own deadline normally fires first; this catches a call that holds
#: the interpreter, which no thread can interrupt).
_GRACE = 5.0
#: Bytes of the shared label naming a worker's plugin call in progress.
_LABEL_BYTES = 300


@attrs.define
class _Worker:
    """A worker process, its task pipe, the plugin call it is in, and its report."""

    process: multiprocessing.process.BaseProcess
    conn: Connection
    watch: CallWatch
    lifeline: Connection
    task: str | None = None


class _WorkerPool:
    """Worker processes that build one report at a time, each watched and replaceable.

    A worker that dies (``os._exit``, a signal) fails only the report it was
    building, named with the plugin call it was in; a worker whose plugin call
    overruns the timeout is killed; either is replaced by a fresh one. On any
    exit from :meth:`run` (Ctrl-C included) every worker is stopped, and a
    worker whose parent dies (kill -9) exits by itself.
    """

    def __init__(self, job: _Job, size: int) -> None:
        self.job = job
        self.size = size
        self.context: Any = _process_context()  # SpawnContext or ForkServerContext
        self.workers: list[_Worker] = []

    def run(self, report_ids: list[str]) -> Iterator[tuple[str, Built | str]]:
        pending = deque(report_ids)
        try:
            while pending or any(worker.task for worker in self.workers):
                self._assign(pending)
                busy = [worker for worker in self.workers if worker.task]
                wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=0.25)
                for worker in busy:
                    if (outcome := self._outcome(worker)) is not None:
                        yield outcome
        finally:
            self._stop_all()

    def _assign(self, pending: deque[str]) -> None:
        for worker in self.workers:
            if pending and worker.task is None:
                worker.task = pending.popleft()
                worker.conn.send(worker.task)
        while pending and len(self.workers) < self.size:
            worker = self._start()
            worker.task = pending.popleft()
            worker.conn.send(worker.task)

    def _start(self) -> _Worker:
        ours, theirs = self.context.Pipe()
        alive_in, alive_out = self.context.Pipe(duplex=False)
        label = self.context.Array("c", _LABEL_BYTES, lock=False)
        started = self.context.Value("d", 0.0, lock=False)
        process = self.context.Process(
            target=_work,
            args=(theirs, alive_in, label, started, self.job),
            name="itsskit batch worker",
            daemon=True,
        )
        process.start()
        theirs.close()
        alive_in.close()
        worker = _Worker(
            process=process, conn=ours, watch=CallWatch(label, started), lifeline=alive_out
        )
        self.workers.append(worker)
        return worker

    def _outcome(self, worker: _Worker) -> tuple[str, Built | str] | None:
        """The finished report of ``worker``, its failure, or None while it works on."""
        task = worker.task
        assert task is not None
        if worker.conn.poll():
            try:
                _, result, retire = worker.conn.recv()
            except (EOFError, OSError):
                return task, self._died(worker)
            worker.task = None
            if retire:  # a timed-out plugin thread still runs in it
                self._stop(worker)
            return task, result
        if not worker.process.is_alive():
            return task, self._died(worker)
        current = worker.watch.current()
        timeout = self.job.timeout
        if current is not None and timeout is not None and current[1] > timeout + _GRACE:
            self._stop(worker)
            return task, (
                f"PluginTimeout: {current[0]} did not return within "
                f"{describe_seconds(timeout)} (the plugin timeout); its worker process was stopped"
            )
        return None

    def _died(self, worker: _Worker) -> str:
        current = worker.watch.current()
        self._stop(worker)
        code = worker.process.exitcode
        how = f"exit code {code}" if code is None or code >= 0 else f"signal {-code}"
        where = f" in {current[0]}" if current else ""
        return (
            f"WorkerDied: the worker process building this report ended ({how}){where}; "
            "a plugin must raise an exception, never exit the process"
        )

    def _stop(self, worker: _Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)
        for conn in (worker.conn, worker.lifeline):
            conn.close()
        self.workers.remove(worker)

    def _stop_all(self) -> None:
        for worker in list(self.workers):
            if worker.task is None and worker.process.is_alive():
                with contextlib.suppress(OSError):
                    worker.conn.send(None)  # done: exit when idle
                worker.process.join(1)
            self._stop(worker)


def _work(conn: Connection, lifeline: Connection, label: Any, started: Any, job: _Job) -> None:
    """A worker process: build each report id received until None (or the parent is gone)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    threading.Thread(target=_exit_with_parent, args=(lifeline,), daemon=True).start()
    host = _configured(_installed_plugins(), job.config)
    host.timeout = job.timeout
    host.guard.watch = CallWatch(label, started)
    while True:
        try:
            report_id = conn.recv()
        except (EOFError, OSError):
            return
        if report_id is None:
            return
        result = _attempt(job, host, report_id)
        retire = host.guard.abandoned > 0
        try:
            conn.send((report_id, result, retire))
        except Exception as exc:  # noqa: BLE001 - e.g. a plugin put something unpicklable in it
            conn.send((report_id, f"the built report cannot be sent back: {_cause(exc)}", retire))
        if retire:
            return


def _exit_with_parent(lifeline: Connection) -> None:
    """End this worker as soon as the parent's end of ``lifeline`` closes (it died)."""
    with contextlib.suppress(EOFError, OSError):
        lifeline.recv()
    os._exit(1)


#: Modules the fork server imports once, so a new or replacement worker starts quickly.
_PRELOAD = ["itsskit.batch", "itsskit.report.builder", "itsskit.report.output"]


def _process_context() -> multiprocessing.context.BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)  # no effect once this process's server runs
    return context


@functools.cache
def _installed_plugins() -> PluginHost:
    """The plugin host of a worker process, made once per process."""
    return PluginHost.create()


def _configured(host: PluginHost, config: Config) -> PluginHost:
    """``host`` with the config's renderer options (``[renderers.FORMAT]``), as load_config sets."""
    for name, options in config.renderers.items():
        host.configure_renderer(name, options)
    return host


def _build_one(job: _Job, host: PluginHost, report_id: str) -> Built:
    """Build and render one report into a staging folder in ``out_dir/<project>/``.

    The files take their place there once :meth:`ReportStore.save` commits.
    """
    from itsskit.services.reports import make_report  # the report machinery loads on use

    config = job.config
    spec = config.reports[report_id]
    parsed = Period.parse(job.period, config.project(spec.project).timezone)
    folder = safe_path(job.out_dir, spec.project)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{folder}: is a file; expected a folder for the report files")
    stage = new_staging(folder)
    try:
        made = make_report(
            config, report_id, parsed, host=host, formats=job.formats, out_dir=stage, at=job.at
        )
    except BaseException:
        discard(stage)
        raise
    return made.report, dict(made.files), stage

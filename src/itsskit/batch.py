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

Worker processes are started with the ``forkserver`` method where the
platform has it (``spawn`` elsewhere): a script that calls :func:`run_batch`
must do so under ``if __name__ == "__main__":``.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import (
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    as_completed,
)
from datetime import datetime
from pathlib import Path
from typing import Literal

import attrs

from itsskit.config import Config
from itsskit.models import Report, ReportStatus
from itsskit.periods import Period
from itsskit.plugins import PluginHost
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
    at most one per report; 1 runs in this process). ``executor="thread"``
    shares ``host`` (plugins registered by hand) at the cost of parallelism;
    worker processes build their own host from the installed plugins.
    ``at`` is the evaluation instant passed to the builder. Raises ValueError
    for a malformed ``period``; every per-report problem is in the result.
    """
    labels = {
        rid: Period.parse(period, config.project(spec.project).timezone).label
        for rid, spec in sorted(config.reports.items())
    }
    items: dict[str, BatchItem] = {}
    todo: list[str] = []
    for report_id, label in labels.items():
        skipped = _skip_reason(store, report_id, label, force)
        if skipped:
            items[report_id] = _item(config, report_id, label, SKIPPED, detail=skipped)
        else:
            todo.append(report_id)
    total, done = len(labels), 0
    for item in items.values():
        done += 1
        if progress:
            progress(item, done, total)
    timezones = {rid: config.project(config.reports[rid].project).timezone for rid in todo}
    for report_id, outcome in _build_all(
        config, todo, period, tuple(formats), Path(out_dir), jobs, executor, host, at
    ):
        label = labels[report_id]
        if isinstance(outcome, BaseException):
            cause = f"{type(outcome).__name__}: {outcome}"
            item = _item(config, report_id, label, FAILED, detail=cause)
        else:
            item = _save(store, config, outcome, by, timezones[report_id])
        items[report_id] = item
        done += 1
        if progress:
            progress(item, done, total)
    return BatchResult(period=period, items=tuple(items[rid] for rid in labels))


def _skip_reason(store: ReportStore, report_id: str, label: str, force: bool) -> str:
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


def _save(
    store: ReportStore,
    config: Config,
    built: tuple[Report, dict[str, Path]],
    by: str,
    timezone: str,
) -> BatchItem:
    report, files = built
    try:
        stored = store.save(report, files, by=by, timezone=timezone)
    except Exception as exc:  # noqa: BLE001 - one failed save must not stop the batch
        cause = f"{type(exc).__name__}: {exc}"
        return _item(config, report.id, report.period_label, FAILED, detail=cause)
    return _item(
        config,
        report.id,
        report.period_label,
        BUILT,
        version=stored.report.version,
        files=files,
    )


# ----------------------------------------------------------------------- workers


def _build_all(
    config: Config,
    report_ids: list[str],
    period: str,
    formats: tuple[str, ...],
    out_dir: Path,
    jobs: int | None,
    executor: str,
    host: PluginHost | None,
    at: datetime | None,
) -> Iterable[tuple[str, tuple[Report, dict[str, Path]] | BaseException]]:
    """``(report id, (report, files) or the exception)`` as each report finishes."""
    if not report_ids:
        return
    workers = max(1, min(jobs or os.cpu_count() or 1, len(report_ids)))
    if workers == 1:
        _init_worker(config, host)
        for report_id in report_ids:
            yield report_id, _guarded(report_id, period, formats, out_dir, at)
        return
    pool: Executor
    if executor == "thread":
        _init_worker(config, host)
        pool = ThreadPoolExecutor(max_workers=workers)
    else:
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=_process_context(),
            initializer=_init_worker,
            initargs=(config, None),
        )
    with pool:
        futures: dict[Future[tuple[Report, dict[str, Path]]], str] = {
            pool.submit(_build_one, rid, period, formats, out_dir, at): rid for rid in report_ids
        }
        for future in as_completed(futures):
            exc = future.exception()
            yield futures[future], exc if exc is not None else future.result()


def _process_context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


_WORKER: dict[str, object] = {}


def _init_worker(config: Config, host: PluginHost | None) -> None:
    """Per worker process (or once for threads): the configuration and a plugin host."""
    _WORKER["config"] = config
    _WORKER["host"] = host or PluginHost.create()


def _guarded(
    report_id: str, period: str, formats: tuple[str, ...], out_dir: Path, at: datetime | None
) -> tuple[Report, dict[str, Path]] | BaseException:
    try:
        return _build_one(report_id, period, formats, out_dir, at)
    except Exception as exc:  # noqa: BLE001 - reported per report
        return exc


def _build_one(
    report_id: str, period: str, formats: tuple[str, ...], out_dir: Path, at: datetime | None
) -> tuple[Report, dict[str, Path]]:
    """Build and render one report in this worker; files go to ``out_dir/<project>/``."""
    from itsskit.report.builder import build_report
    from itsskit.report.output import render

    config = _WORKER["config"]
    host = _WORKER["host"]
    assert isinstance(config, Config) and isinstance(host, PluginHost)
    spec = config.reports[report_id]
    parsed = Period.parse(period, config.project(spec.project).timezone)
    report = build_report(config, report_id, parsed, host=host, at=at)
    files = render(report, formats, out_dir / spec.project, host=host)
    return report, files

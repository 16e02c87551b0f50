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

import functools
import multiprocessing
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import (
    Executor,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    as_completed,
)
from datetime import datetime
from pathlib import Path
from typing import Literal

import attrs

from itsskit.config import Config
from itsskit.files import discard, new_staging, remove_leftovers, safe_path
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
    zones = {rid: config.project(spec.project).timezone for rid, spec in config.reports.items()}
    labels = {rid: Period.parse(period, zones[rid]).label for rid in sorted(zones)}
    skipped = {rid: _skip_reason(store, rid, label, force) for rid, label in labels.items()}
    todo = [rid for rid, reason in skipped.items() if not reason]
    for project in {spec.project for spec in config.reports.values()}:
        remove_leftovers(safe_path(Path(out_dir), project))  # of a killed run

    def outcomes() -> Iterator[BatchItem]:
        for rid, reason in skipped.items():
            if reason:
                yield _item(config, rid, labels[rid], SKIPPED, detail=reason)
        builds = _build_all(
            config, todo, period, tuple(formats), Path(out_dir), jobs, executor, host, at
        )
        for rid, built in builds:
            if isinstance(built, BaseException):
                yield _item(config, rid, labels[rid], FAILED, detail=_cause(built))
            else:
                yield _save(store, config, built, by, zones[rid])

    items: dict[str, BatchItem] = {}
    for done, item in enumerate(outcomes(), start=1):
        items[item.report] = item
        if progress:
            progress(item, done, len(labels))
    return BatchResult(period=period, items=tuple(items[rid] for rid in labels))


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
    return _item(config, report.id, report.period_label, BUILT, version=version, files=final)


def _cause(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


# ----------------------------------------------------------------------- workers

#: A built report, its rendered files (format -> path) and the staging folder they are in.
Built = tuple[Report, dict[str, Path], Path]


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
) -> Iterator[tuple[str, Built | BaseException]]:
    """``(report id, (report, files) or the exception)`` as each report finishes."""
    if not report_ids:
        return
    workers = max(1, min(jobs or os.cpu_count() or 1, len(report_ids)))
    if workers == 1:
        host = host or PluginHost.create()
        for rid in report_ids:
            try:
                yield rid, _build_one(config, host, rid, period, formats, out_dir, at)
            except Exception as exc:  # noqa: BLE001 - reported per report
                yield rid, exc
        return
    pool: Executor
    if executor == "thread":
        host = host or PluginHost.create()
        pool = ThreadPoolExecutor(max_workers=workers)
    else:
        host = None  # each worker process builds its own from the installed plugins
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=_process_context())
    with pool:
        futures = {
            pool.submit(_build_one, config, host, rid, period, formats, out_dir, at): rid
            for rid in report_ids
        }
        for future in as_completed(futures):
            error = future.exception()
            yield futures[future], error if error is not None else future.result()


def _process_context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


@functools.cache
def _installed_plugins() -> PluginHost:
    """The plugin host of a worker process, made once per process."""
    return PluginHost.create()


def _build_one(
    config: Config,
    host: PluginHost | None,
    report_id: str,
    period: str,
    formats: tuple[str, ...],
    out_dir: Path,
    at: datetime | None,
) -> Built:
    """Build and render one report into a staging folder in ``out_dir/<project>/``.

    The files take their place there once :meth:`ReportStore.save` commits.
    """
    from itsskit.report.builder import build_report
    from itsskit.report.output import render

    host = host or _installed_plugins()
    spec = config.reports[report_id]
    parsed = Period.parse(period, config.project(spec.project).timezone)
    folder = safe_path(out_dir, spec.project)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{folder}: is a file; expected a folder for the report files")
    report = build_report(config, report_id, parsed, host=host, at=at)
    stage = new_staging(folder)
    try:
        return report, render(report, formats, stage, host=host), stage
    except BaseException:
        discard(stage)
        raise

"""The report lifecycle as library functions (``itsskit report submit|approve|...|batch``).

Seed 001 steps 4-8 on a configuration's report register. Each function is
what one ``itsskit report`` command does; the command only parses its
arguments, calls it and maps its errors to exit codes:

* :class:`LifecycleError` (and its kinds, e.g. :class:`StepFailed`): the step
  was refused or failed -- exit code 1;
* :class:`BadRequest`: the request itself is wrong (an unknown report, a bad
  period, format or improvement item, a register that will not open) -- exit
  code 2, like a :class:`~itsskit.config.ConfigError`.

A step returns a :class:`StepResult`: the stored version after the step and
the warnings to show (files re-rendered, an earlier attempt interrupted).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from itsskit.config import Config, ConfigError, make_archive_store, make_channels
from itsskit.files import safe_path
from itsskit.lifecycle import LifecycleError, check_transition, next_states
from itsskit.models import ImprovementItem, Report, ReportStatus
from itsskit.periods import Period
from itsskit.plugins import PluginHost
from itsskit.storage import (
    Delivery,
    OutboxEntry,
    ReportStore,
    Review,
    StoreBusy,
    StoredFile,
    StoredReport,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from itsskit.batch import BatchItem, BatchResult

__all__ = [
    "BadRequest",
    "ChannelState",
    "ReportState",
    "ReportTarget",
    "Step",
    "StepFailed",
    "StepResult",
    "approve_report",
    "archive_report",
    "batch_reports",
    "open_register",
    "parse_item",
    "publish_report",
    "report_state",
    "report_target",
    "return_report",
    "review_report",
    "submit_report",
]


class BadRequest(ValueError):
    """The request is wrong (unknown report, bad period or item, register that won't open)."""


class StepFailed(LifecycleError):
    """A step could not be done: a build, a channel or an archive store failed."""


@attrs.frozen(kw_only=True)
class Step:
    """Who takes a lifecycle step, when (None: now; timezone-aware) and why."""

    by: str
    at: datetime | None = None
    note: str = ""


@attrs.frozen(kw_only=True)
class ReportTarget:
    """One report of a configuration, for one period, in an open register."""

    config: Config
    host: PluginHost
    store: ReportStore
    report_id: str
    period: str  # the normalised period label


@attrs.frozen(kw_only=True)
class StepResult:
    """The stored version after a step and the warnings the step raised."""

    stored: StoredReport
    warnings: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class ChannelState:
    """Where a configured channel stands with the version: ``sent``, ``failed``,
    ``claimed``, ``interrupted`` (see :class:`~itsskit.storage.OutboxEntry`) or
    ``pending`` (not tried yet)."""

    channel: str
    state: str
    target: str = ""
    detail: str = ""


@attrs.frozen(kw_only=True)
class ReportState:
    """What ``itsskit report show`` shows: one stored version and where it went."""

    name: str
    title: str
    project: str
    version: int
    status: ReportStatus
    next: tuple[ReportStatus, ...]
    distribution: tuple[str, ...]
    files: tuple[StoredFile, ...]
    channels: tuple[ChannelState, ...]
    deliveries: tuple[Delivery, ...]
    outbox: tuple[OutboxEntry, ...]
    review: Review | None = None


def open_register(config: Config, db: str | None = None) -> ReportStore:
    """The report store of ``db`` (a URL or SQLite file) or of ``[storage] url``.

    Raises :class:`BadRequest` (one line, password hidden) when it won't open
    and :class:`~itsskit.storage.StoreBusy` when it stays locked.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    def shown(url: str) -> str:
        try:
            return make_url(url).render_as_string(hide_password=True) if "://" in url else url
        except ArgumentError:
            return url

    where = (
        f"--db {shown(db)}" if db else f"{config.path}: storage.url {shown(config.database_url)}"
    )
    expected = "expected a SQLite database file or a SQLAlchemy URL"
    if db is not None and Path(db).is_dir():
        raise BadRequest(f"{where}: is a folder; {expected}")
    try:
        return ReportStore.open(db or config.database_url)
    except StoreBusy as exc:
        raise StoreBusy(f"{where}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - any database problem is one clear line
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise BadRequest(
            f"{where}: cannot open the report store ({type(exc).__name__}: {reason}); {expected}"
        ) from None


def report_target(
    config: Config, host: PluginHost, store: ReportStore, report_id: str, period: str
) -> ReportTarget:
    """Check that ``[reports.<report_id>]`` exists and ``period`` parses in its project's zone."""
    if report_id not in config.reports:
        known = ", ".join(sorted(config.reports)) or "none"
        raise BadRequest(f"unknown report {report_id!r} (known: {known})")
    project = config.projects[config.reports[report_id].project]
    try:
        label = Period.parse(period, project.timezone).label
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    return ReportTarget(config=config, host=host, store=store, report_id=report_id, period=label)


# --------------------------------------------------------------------- the steps


def submit_report(
    t: ReportTarget,
    step: Step,
    *,
    rebuild: bool = False,
    formats: str | Sequence[str] = ("docx", "html"),
    out_dir: Path | None = None,
) -> StepResult:
    """Submit a report for approval (seed 001 step 4).

    The stored draft is submitted. A report not stored yet, a returned one
    (its resubmission is a new version, its files in ``reports/<project>/v<n>``)
    or ``rebuild`` is built and rendered first (default folder
    ``reports/<project>`` beside the configuration). The new files are rendered
    aside and take their place only once the submission is recorded.
    """
    project = t.config.projects[t.config.reports[t.report_id].project]
    default = safe_path(t.config.base_dir / "reports", project.id)
    stored = t.store.get(t.report_id, t.period) if t.store.has(t.report_id, t.period) else None
    keywords = attrs.asdict(step)
    if stored is not None:
        check_transition(stored.name, stored.status, ReportStatus.SUBMITTED)  # before building
        if stored.status == ReportStatus.DRAFT and not rebuild:
            return StepResult(stored=t.store.submit(t.report_id, t.period, **keywords))
        if stored.status == ReportStatus.RETURNED:  # the new version's files beside the old ones
            default = default / f"v{stored.report.version + 1}"
    folder = out_dir or default
    with _staged(t.store, folder) as stage:
        report, files = _build(t, formats, stage, folder, step.at)
        submitted = t.store.submit(
            t.report_id, t.period, report=report, files=files, staging=stage,
            timezone=project.timezone, **keywords,
        )  # fmt: skip
    return StepResult(stored=submitted)


def approve_report(t: ReportTarget, step: Step) -> StepResult:
    """Approve the submitted report (seed 001 step 5); by the project's approver if it names one."""
    approver = t.config.projects[t.config.reports[t.report_id].project].approver
    stored = t.store.approve(t.report_id, t.period, approver=approver, **attrs.asdict(step))
    return StepResult(stored=stored)


def return_report(t: ReportTarget, step: Step) -> StepResult:
    """Return the submitted report to its author for rework (seed 001 step 5.2)."""
    approver = t.config.projects[t.config.reports[t.report_id].project].approver
    stored = t.store.rework(t.report_id, t.period, approver=approver, **attrs.asdict(step))
    return StepResult(stored=stored)


def publish_report(t: ReportTarget, step: Step, *, record_only: bool = False) -> StepResult:
    """Publish the approved report through every ``[distribution]`` channel (step 6).

    Each channel delivers on its own (see :meth:`ReportStore.publish`); the
    report is published once all have. Without a channel the publication is
    only recorded. Files found missing or changed are re-rendered first.
    Raises :class:`StepFailed` naming each channel that failed (the others
    delivered and are not sent again by the next attempt).
    """
    channels = make_channels(t.config, t.host)
    target = ReportStatus.PUBLISHED
    warnings = [] if record_only else _repair(t, target)
    try:
        stored = t.store.publish(
            t.report_id, t.period, channels=channels, record_only=record_only,
            **attrs.asdict(step),
        )  # fmt: skip
    except LifecycleError:
        raise
    except Exception as exc:  # noqa: BLE001 - channel plugins may raise anything
        raise _channels_failed(t, [c.name for c in channels], exc) from None
    repeated = "recorded as sent" if record_only else "it may have reached the recipients twice"
    warnings += _interrupted(stored, target, repeated)
    if not channels and not record_only:
        warnings.append("no [distribution] channel: recorded as published, nothing sent")
    return StepResult(stored=stored, warnings=tuple(warnings))


def review_report(
    t: ReportTarget, step: Step, *, minutes: str, items: Iterable[ImprovementItem | str] = ()
) -> StepResult:
    """Record the review meeting of the published report: minutes and improvement items (step 7)."""
    stored = t.store.review(
        t.report_id, t.period, minutes=minutes, items=list(items), **attrs.asdict(step)
    )
    return StepResult(stored=stored)


def archive_report(t: ReportTarget, step: Step, *, record_only: bool = False) -> StepResult:
    """Archive the reviewed report, with the review minutes, to the ``[archive]`` store (step 8).

    Files found missing or changed are re-rendered from the stored content first.
    """
    store = make_archive_store(t.config, t.host)
    target = ReportStatus.ARCHIVED
    warnings = [] if record_only else _repair(t, target)
    try:
        stored = t.store.archive(
            t.report_id, t.period, store=store, record_only=record_only, **attrs.asdict(step)
        )
    except LifecycleError:
        raise
    except Exception as exc:  # noqa: BLE001 - an archive store plugin may raise anything
        raise _effect_failed(t, f"archive store {store.name}", target, exc) from None
    warnings += _interrupted(
        stored, target, "recorded as archived" if record_only else "archived again"
    )
    return StepResult(stored=stored, warnings=tuple(warnings))


def report_state(t: ReportTarget, version: int | None = None) -> ReportState:
    """A stored version (default: the latest) with each configured channel's delivery state."""
    stored = t.store.get(t.report_id, t.period, version)
    latest = _newest_attempts(stored.outbox)
    names = [c.plugin for c in t.config.channels]
    names += sorted(set(latest) - set(names))  # channels configured earlier
    channels = tuple(
        ChannelState(channel=name, state=latest[name].state, target=latest[name].target,
                     detail=latest[name].detail)
        if name in latest
        else ChannelState(channel=name, state="pending")
        for name in names
    )  # fmt: skip
    report = stored.report
    return ReportState(
        name=stored.name, title=report.spec.title, project=report.project,
        version=report.version, status=stored.status, next=next_states(stored.status),
        distribution=tuple(report.spec.distribution), files=tuple(stored.files.values()),
        channels=channels, deliveries=stored.deliveries, outbox=stored.outbox,
        review=stored.review,
    )  # fmt: skip


def parse_item(text: str) -> ImprovementItem:
    """``"description | owner | YYYY-MM-DD"`` (owner and due optional) as an item without id."""
    parts = [part.strip() for part in text.split("|")]
    if not parts[0] or len(parts) > 3:
        raise BadRequest(f"--item {text!r}: expected 'description | owner | YYYY-MM-DD'")
    due = None
    if len(parts) == 3 and parts[2]:
        try:
            due = date.fromisoformat(parts[2])
        except ValueError:
            raise BadRequest(f"--item {text!r}: the due date must be YYYY-MM-DD") from None
    owner = parts[1] if len(parts) > 1 else ""
    return ImprovementItem(id="", description=parts[0], owner=owner, due=due)


def batch_reports(
    config: Config,
    period: str,
    *,
    store: ReportStore,
    host: PluginHost,
    out_dir: str | Path,
    formats: Sequence[str] = ("docx", "html"),
    jobs: int | None = None,
    force: bool = False,
    at: datetime | None = None,
    by: str = "itsskit batch",
    progress: Callable[[BatchItem, int, int], None] | None = None,
) -> BatchResult:
    """Build every report of every project for ``period`` and store them as drafts.

    :func:`itsskit.batch.run_batch` after checking ``period`` in each project's
    timezone (:class:`BadRequest`). Resumable; errors isolated per report.
    """
    from itsskit.batch import run_batch

    for spec in config.reports.values():
        try:
            Period.parse(period, config.projects[spec.project].timezone)
        except ValueError as exc:
            raise BadRequest(f"--period: {exc}") from None
    return run_batch(
        config, period, store=store, out_dir=out_dir, formats=formats, jobs=jobs,
        force=force, host=host, at=at, by=by, progress=progress,
    )  # fmt: skip


# ----------------------------------------------------------------- internals


@contextmanager
def _staged(store: ReportStore, folder: Path) -> Iterator[Path]:
    """A staging folder in ``folder`` (see :meth:`ReportStore.staging`), dropped afterwards."""
    try:
        stage = store.staging(folder)
    except OSError as exc:
        raise StepFailed(
            f"--out {folder}: cannot write the files ({exc}); expected a folder"
        ) from None
    try:
        yield stage
    finally:
        store.drop_staging(stage)


def _build(
    t: ReportTarget, formats: str | Sequence[str], out_dir: Path, shown: Path, at: datetime | None
) -> tuple[Report, dict[str, Path]]:
    """Build the report and render it into ``out_dir`` (the folder ``shown`` in messages)."""
    from itsskit.records import SourceError
    from itsskit.report.builder import build_report
    from itsskit.report.notes import NotesError
    from itsskit.report.output import render

    project = t.config.projects[t.config.reports[t.report_id].project]
    period = Period.parse(t.period, project.timezone)
    try:
        report = build_report(t.config, t.report_id, period, host=t.host, at=at)
    except NotesError as exc:
        raise BadRequest(str(exc)) from None
    except (ConfigError, SourceError):
        raise
    except Exception as exc:  # noqa: BLE001 - one clear line per failed report
        raise StepFailed(f"report {t.report_id}: {type(exc).__name__}: {exc}") from exc
    try:
        files = render(report, formats, out_dir, host=t.host)
    except (KeyError, ValueError) as exc:
        raise BadRequest(str(exc.args[0] if exc.args else exc)) from None
    except OSError as exc:
        raise StepFailed(
            f"--out {shown}: cannot write the files ({exc}); expected a folder"
        ) from None
    return report, files


def _repair(t: ReportTarget, target: ReportStatus) -> list[str]:
    """Re-render the files of the version that went missing or changed; the warnings."""
    from itsskit.report.output import render

    stored = t.store.get(t.report_id, t.period)
    check_transition(stored.name, stored.status, target)

    def rerender(report: Report, formats: Sequence[str], folder: Path) -> dict[str, Path]:
        return render(report, formats, folder, host=t.host)

    try:
        repaired = t.store.repair(t.report_id, t.period, rerender)
    except LifecycleError:
        raise
    except Exception as exc:  # noqa: BLE001 - a renderer plugin may raise anything
        raise StepFailed(
            f"report {stored.name}: its files are missing or changed and could not be"
            f" re-rendered from the stored content: {type(exc).__name__}: {exc}"
        ) from None
    return [
        f"report {stored.name}: its {fixed.format} file {fixed.path} was missing"
        " or changed: re-rendered from the stored content"
        + (f"; the changed file is kept as {fixed.kept}" if fixed.kept else "")
        for fixed in repaired
    ]


def _interrupted(stored: StoredReport, target: ReportStatus, repeated: str) -> list[str]:
    """A warning for each earlier attempt that stopped before its outcome was recorded."""
    return [
        f"report {stored.name}: an earlier {target} step via {entry.plugin}"
        f" (claimed {entry.claimed.isoformat()}) stopped before its outcome was recorded;"
        f" {repeated}"
        for entry in stored.outbox
        if entry.action == target and entry.state == "interrupted"
    ]


def _effect_failed(
    t: ReportTarget, plugin: str, target: ReportStatus, exc: Exception
) -> StepFailed:
    """A channel or archive store that raised: the state is unchanged (the outbox says failed)."""
    stored = t.store.get(t.report_id, t.period)
    return StepFailed(
        f"report {stored.name}: {plugin} failed, not {target} (still {stored.status}):"
        f" {type(exc).__name__}: {exc}"
    )


def _channels_failed(t: ReportTarget, names: Sequence[str], exc: Exception) -> StepFailed:
    """One line naming each channel that failed this time, and those that delivered."""
    target = ReportStatus.PUBLISHED
    if len(names) == 1:
        return _effect_failed(t, f"channel {names[0]}", target, exc)
    stored = t.store.get(t.report_id, t.period)
    latest = _latest(t, names)
    failed = [f"channel {e.plugin} failed ({e.detail})" for e in latest if e.state == "failed"]
    sent = [e.plugin for e in latest if e.state == "sent"]
    delivered = f"; delivered via {', '.join(sent)} (not sent again)" if sent else ""
    return StepFailed(
        f"report {stored.name}: {'; '.join(failed)}; not {target} (still {stored.status})"
        f"{delivered}"
    )


def _latest(t: ReportTarget, names: Sequence[str]) -> list[OutboxEntry]:
    """Each channel of ``names``' newest publish attempt of the current version."""
    latest = _newest_attempts(t.store.get(t.report_id, t.period).outbox)
    return [latest[name] for name in names if name in latest]


def _newest_attempts(outbox: Iterable[OutboxEntry]) -> dict[str, OutboxEntry]:
    """Channel -> its newest publish attempt; once one was sent, that one."""
    latest: dict[str, OutboxEntry] = {}
    for entry in outbox:
        earlier = latest.get(entry.plugin)
        if entry.action == ReportStatus.PUBLISHED and (earlier is None or earlier.state != "sent"):
            latest[entry.plugin] = entry
    return latest

"""``itsskit report submit|approve|return|publish|review|archive|list|show|history|batch``.

The report lifecycle (seed 001 steps 4-8) on the report store of a
configuration file (``[storage] url``, default ``itsskit.db`` beside it;
``--db`` overrides). Every step names who (``--by``) and may carry a ``--note``.

Exit codes: 0 done; 1 the step was refused or failed (an illegal transition,
the wrong approver, a channel that could not send) or, for ``batch``, some
report failed; 2 a usage or configuration error.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypedDict, TypeVar

import attrs
import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from itsskit.cli import (
    HELP_OPTIONS,
    Failure,
    UsageProblem,
    check_formats,
    load,
    parse_at,
    parse_period,
    print_table,
    progress,
    reported_errors,
    warn_provisional,
)
from itsskit.config import Config, ConfigError, make_archive_store, make_channel
from itsskit.files import safe_path
from itsskit.lifecycle import LifecycleError, check_transition, next_states
from itsskit.models import ImprovementItem, Project, Report, ReportStatus
from itsskit.periods import Period
from itsskit.plugins import PluginHost
from itsskit.provisional import calendar_names
from itsskit.storage import ReportStore, StoreBusy, StoredReport

__all__ = [
    "LIFECYCLE_COMMANDS",
    "approve",
    "archive",
    "batch",
    "history",
    "list_reports",
    "mount",
    "parse_item",
    "publish",
    "review",
    "rework",
    "show",
    "submit",
]

F = TypeVar("F", bound=Callable[..., Any])


def _options(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """Several click parameters as one decorator, in the order given."""

    def apply(function: F) -> F:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


_CONFIG = click.argument("config", type=click.Path(exists=True, dir_okay=False, path_type=Path))
_PERIOD = click.option("--period", required=True, help="Period: 2025-10, 2025-Q4 or 2025.")
_DB = click.option("--db", help="Database URL or SQLite file (default: [storage] url).")
_FORMAT = click.option("--format", "formats", default="docx,html", show_default=True)

#: CONFIG, ``--report``, ``--period`` and ``--db``: which report.
_target = _options(
    _CONFIG,
    click.option("--report", "report_id", required=True, help="Report id ([reports.ID])."),
    _PERIOD,
    _DB,
)

#: ``--by``, ``--note`` and ``--at``: who takes a lifecycle step, why and when.
_actor = _options(
    click.option("--by", required=True, help="Who takes this step."),
    click.option("--note", default="", help="Why (recorded with the step)."),
    click.option("--at", "at_text", help="When, ISO 8601 with offset (default: now)."),
)


class _Step(TypedDict):
    """Who takes a step, when and why: the keywords every :class:`ReportStore` step takes."""

    by: str
    at: datetime | None
    note: str


@attrs.frozen(kw_only=True)
class _Session:
    """A configuration's plugins, report store and one of its reports."""

    config: Config
    host: PluginHost
    store: ReportStore
    project: Project
    report_id: str
    period: str  # the normalised period label


@contextmanager
def _session(config_path: Path, report_id: str, period: str, db: str | None) -> Iterator[_Session]:
    """Config, plugins and the open store; refused steps exit 1, usage errors 2."""
    config, host = load(config_path)
    if report_id not in config.reports:
        known = ", ".join(sorted(config.reports)) or "none"
        raise UsageProblem(f"unknown report {report_id!r} (known: {known})")
    project = config.projects[config.reports[report_id].project]
    try:
        label = Period.parse(period, project.timezone).label
    except ValueError as exc:
        raise UsageProblem(str(exc)) from None
    with _store(config, db) as store, reported_errors():
        session = _Session(
            config=config, host=host, store=store, project=project, report_id=report_id,
            period=label,
        )  # fmt: skip
        try:
            yield session
        except LifecycleError as exc:
            raise Failure(str(exc)) from None


@contextmanager
def _store(config: Config, db: str | None) -> Iterator[ReportStore]:
    """The report store of ``--db`` or of the configuration; one clear line when it won't open."""
    where = (
        f"--db {_shown(db)}" if db else f"{config.path}: storage.url {_shown(config.database_url)}"
    )
    expected = "expected a SQLite database file or a SQLAlchemy URL"
    if db is not None and Path(db).is_dir():
        raise UsageProblem(f"{where}: is a folder; {expected}")
    try:
        store = ReportStore.open(db or config.database_url)
    except StoreBusy as exc:
        raise Failure(f"{where}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - any database problem is one clear line
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise UsageProblem(
            f"{where}: cannot open the report store ({type(exc).__name__}: {reason}); {expected}"
        ) from None
    with store:
        try:
            yield store
        except StoreBusy as exc:
            raise Failure(str(exc)) from None


def _shown(url: str) -> str:
    """A database URL or path as messages show it: the password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True) if "://" in url else url
    except ArgumentError:
        return url


def _effect_failed(s: _Session, plugin: str, target: ReportStatus, exc: Exception) -> Failure:
    """A channel or archive store that raised: the state is unchanged (the outbox says failed)."""
    stored = s.store.get(s.report_id, s.period)
    return Failure(
        f"report {stored.name}: {plugin} failed, not {target} (still {stored.status}):"
        f" {type(exc).__name__}: {exc}"
    )


def _repair(s: _Session, target: ReportStatus) -> None:
    """Re-render the files of the version that went missing or changed, before using them."""
    from itsskit.report.output import render

    stored = s.store.get(s.report_id, s.period)
    check_transition(stored.name, stored.status, target)

    def rerender(report: Report, formats: Sequence[str], folder: Path) -> dict[str, Path]:
        return render(report, formats, folder, host=s.host)

    try:
        repaired = s.store.repair(s.report_id, s.period, rerender)
    except LifecycleError:
        raise
    except Exception as exc:  # noqa: BLE001 - a renderer plugin may raise anything
        raise Failure(
            f"report {stored.name}: its files are missing or changed and could not be"
            f" re-rendered from the stored content: {type(exc).__name__}: {exc}"
        ) from None
    for fixed in repaired:
        kept = f"; the changed file is kept as {fixed.kept}" if fixed.kept else ""
        click.echo(
            f"warning: report {stored.name}: its {fixed.format} file {fixed.path} was missing"
            f" or changed: re-rendered from the stored content{kept}",
            err=True,
        )


def _warn_interrupted(stored: StoredReport, target: ReportStatus, repeated: str) -> None:
    """Say so when an earlier attempt stopped before its outcome was recorded."""
    for entry in stored.outbox:
        if entry.action == target and entry.state == "interrupted":
            click.echo(
                f"warning: report {stored.name}: an earlier {target} step via {entry.plugin}"
                f" (claimed {entry.claimed.isoformat()}) stopped before its outcome was"
                f" recorded; {repeated}",
                err=True,
            )


def _step_command(
    name: str | None = None,
) -> Callable[[Callable[..., StoredReport]], click.Command]:
    """A lifecycle step as a command: ``take(session, step, **its own options)``.

    The command has CONFIG, --report, --period, --db, --by, --note and --at
    before its own options; ``take`` takes the step and returns the stored
    report, whose new state and allowed next states are printed.
    """

    def make(take: Callable[..., StoredReport]) -> click.Command:
        @_target
        @_actor
        @functools.wraps(take)  # its docstring and its own options (click's __click_params__)
        def command(
            config: Path,
            report_id: str,
            period: str,
            db: str | None,
            by: str,
            note: str,
            at_text: str | None,
            **options: Any,
        ) -> None:
            step = _Step(by=by, at=parse_at(at_text), note=note)
            with _session(config, report_id, period, db) as session:
                stored = take(session, step, **options)
            click.echo(f"{stored.name}: {stored.status} (next: {_nexts(stored.status)})")

        return click.command(name, context_settings=HELP_OPTIONS)(command)

    return make


def _nexts(status: ReportStatus) -> str:
    return ", ".join(next_states(status)) or "none"


# --------------------------------------------------------------------- the steps


@_step_command()
@click.option("--rebuild", is_flag=True, help="Build the draft anew before submitting it.")
@_FORMAT
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where built files go (default: reports/<project> beside CONFIG;"
    " a resubmission's in reports/<project>/v<version>).",
)
def submit(
    s: _Session, step: _Step, rebuild: bool, formats: str, out_dir: Path | None
) -> StoredReport:
    """Submit a report for approval (seed 001 step 4).

    The stored draft is submitted. A report not stored yet, a returned one
    (its resubmission is a new version) or --rebuild is built and rendered first.
    The new files are rendered aside and take their place only once the
    submission is recorded: a refused or interrupted submission changes no file.
    """
    check_formats(s.host, formats)
    default = safe_path(s.config.base_dir / "reports", s.project.id)
    stored = s.store.get(s.report_id, s.period) if s.store.has(s.report_id, s.period) else None
    if stored is not None:
        check_transition(stored.name, stored.status, ReportStatus.SUBMITTED)  # before building
        if stored.status == ReportStatus.DRAFT and not rebuild:
            return s.store.submit(s.report_id, s.period, **step)
        if stored.status == ReportStatus.RETURNED:  # the new version's files beside the old ones
            default = default / f"v{stored.report.version + 1}"
    folder = out_dir or default
    with _staged(s, folder) as stage:
        report, files = _build(s, formats, stage, folder, step["at"])
        return s.store.submit(
            s.report_id, s.period, report=report, files=files, staging=stage,
            timezone=s.project.timezone, **step,
        )  # fmt: skip


@contextmanager
def _staged(s: _Session, folder: Path) -> Iterator[Path]:
    """A staging folder in ``folder`` (see :meth:`ReportStore.staging`), dropped afterwards."""
    try:
        stage = s.store.staging(folder)
    except OSError as exc:
        raise Failure(
            f"--out {folder}: cannot write the files ({exc}); expected a folder"
        ) from None
    try:
        yield stage
    finally:
        s.store.drop_staging(stage)


def _build(
    s: _Session, formats: str, out_dir: Path, shown: Path, at: datetime | None
) -> tuple[Report, dict[str, Path]]:
    """Build the report and render it into ``out_dir`` (the folder ``shown`` in messages)."""
    from itsskit.records import SourceError
    from itsskit.report.builder import build_report
    from itsskit.report.notes import NotesError
    from itsskit.report.output import render

    period = Period.parse(s.period, s.project.timezone)
    try:
        report = build_report(s.config, s.report_id, period, host=s.host, at=at)
    except NotesError as exc:
        raise UsageProblem(str(exc)) from None
    except (ConfigError, SourceError):
        raise
    except Exception as exc:  # noqa: BLE001 - one clear line per failed report
        raise Failure(f"report {s.report_id}: {type(exc).__name__}: {exc}") from exc
    try:
        files = render(report, formats, out_dir, host=s.host)
    except (KeyError, ValueError) as exc:
        raise UsageProblem(str(exc.args[0] if exc.args else exc)) from None
    except OSError as exc:
        raise Failure(f"--out {shown}: cannot write the files ({exc}); expected a folder") from None
    return report, files


@_step_command()
def approve(s: _Session, step: _Step) -> StoredReport:
    """Approve the submitted report (seed 001 step 5); by the project's approver if it names one."""
    return s.store.approve(s.report_id, s.period, approver=s.project.approver, **step)


@_step_command("return")
def rework(s: _Session, step: _Step) -> StoredReport:
    """Return the submitted report to its author for rework (seed 001 step 5.2)."""
    return s.store.rework(s.report_id, s.period, approver=s.project.approver, **step)


_RECORD_ONLY = click.option(
    "--record-only",
    is_flag=True,
    help="Record an earlier attempt that stopped before its outcome was recorded"
    " (see the warning) as done, without repeating it.",
)


@_step_command()
@_RECORD_ONLY
def publish(s: _Session, step: _Step, record_only: bool) -> StoredReport:
    """Publish the approved report to its distribution list through [distribution] (step 6).

    Without a [distribution] channel the publication is only recorded. Files
    found missing or changed are re-rendered from the stored content first.
    """
    channel = make_channel(s.config, s.host)
    target = ReportStatus.PUBLISHED
    if not record_only:
        _repair(s, target)
    try:
        stored = s.store.publish(
            s.report_id, s.period, channel=channel, record_only=record_only, **step
        )
    except LifecycleError:
        raise
    except Exception as exc:  # noqa: BLE001 - a channel plugin may raise anything
        plugin = f"channel {channel.name if channel else '-'}"
        raise _effect_failed(s, plugin, target, exc) from None
    repeated = "recorded as sent" if record_only else "it may have reached the recipients twice"
    _warn_interrupted(stored, target, repeated)
    if channel is None and not record_only:
        click.echo(
            "warning: no [distribution] channel: recorded as published, nothing sent", err=True
        )
    for delivery in stored.deliveries:
        click.echo(f"sent via {delivery.plugin} to {delivery.target}")
    return stored


@_step_command()
@click.option("--minutes", help="The review meeting minutes (text).")
@click.option(
    "--minutes-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A UTF-8 text file with the minutes.",
)
@click.option(
    "--item",
    "items",
    multiple=True,
    help="Improvement item 'description | owner | YYYY-MM-DD' (owner, due optional; repeatable).",
)
def review(
    s: _Session, step: _Step, minutes: str | None, minutes_file: Path | None, items: tuple[str, ...]
) -> StoredReport:
    """Record the review meeting of the published report: minutes and improvement items (step 7)."""
    if (minutes is None) == (minutes_file is None):
        raise UsageProblem("give the minutes: --minutes TEXT or --minutes-file PATH (one of them)")
    text = _read_minutes(minutes_file) if minutes_file else minutes or ""
    parsed = [parse_item(item) for item in items]
    stored = s.store.review(s.report_id, s.period, minutes=text, items=parsed, **step)
    for item in stored.review.items if stored.review else ():
        click.echo(f"improvement {item.id}: {item.description}")
    return stored


def _read_minutes(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageProblem(f"{path}: the minutes file must be UTF-8 text") from None


def parse_item(text: str) -> ImprovementItem:
    """``"description | owner | YYYY-MM-DD"`` (owner and due optional) as an item without id."""
    parts = [part.strip() for part in text.split("|")]
    if not parts[0] or len(parts) > 3:
        raise UsageProblem(f"--item {text!r}: expected 'description | owner | YYYY-MM-DD'")
    due = None
    if len(parts) == 3 and parts[2]:
        try:
            due = date.fromisoformat(parts[2])
        except ValueError:
            raise UsageProblem(f"--item {text!r}: the due date must be YYYY-MM-DD") from None
    owner = parts[1] if len(parts) > 1 else ""
    return ImprovementItem(id="", description=parts[0], owner=owner, due=due)


@_step_command()
@_RECORD_ONLY
def archive(s: _Session, step: _Step, record_only: bool) -> StoredReport:
    """Archive the reviewed report, with the review minutes, to the [archive] store (step 8).

    Files found missing or changed are re-rendered from the stored content first.
    """
    store = make_archive_store(s.config, s.host)
    target = ReportStatus.ARCHIVED
    if not record_only:
        _repair(s, target)
    try:
        stored = s.store.archive(
            s.report_id, s.period, store=store, record_only=record_only, **step
        )
    except LifecycleError:
        raise
    except Exception as exc:  # noqa: BLE001 - an archive store plugin may raise anything
        raise _effect_failed(s, f"archive store {store.name}", target, exc) from None
    _warn_interrupted(stored, target, "recorded as archived" if record_only else "archived again")
    for delivery in stored.deliveries:
        if delivery.action == "archived":
            click.echo(f"archived via {delivery.plugin}: {delivery.target}")
    return stored


# ------------------------------------------------------------------- looking


@click.command("list", context_settings=HELP_OPTIONS)
@_CONFIG
@click.option("--project", help="Only this project's reports.")
@click.option("--period", help="Only this period label (2025-10).")
@click.option("--status", type=click.Choice([str(s) for s in ReportStatus]))
@_DB
def list_reports(
    config: Path, project: str | None, period: str | None, status: str | None, db: str | None
) -> None:
    """The stored reports (latest version of each), by period and report."""
    settings, _ = load(config)
    with _store(settings, db) as store:
        rows = [
            (r.report, r.project, r.period, r.version, r.status, r.title)
            for r in store.reports(project=project, period=period, status=status)
        ]
    print_table(("report", "project", "period", "version", "status", "title"), rows)


@click.command(context_settings=HELP_OPTIONS)
@_target
@click.option("--version", type=int, help="A version (default: the latest).")
def show(config: Path, report_id: str, period: str, db: str | None, version: int | None) -> None:
    """One stored report: state, files, deliveries and their attempts, review, next steps."""
    with _session(config, report_id, period, db) as s:
        stored = s.store.get(s.report_id, s.period, version)
    report = stored.report
    rows: list[tuple[str, str]] = [
        ("report", stored.name),
        ("title", report.spec.title),
        ("project", report.project),
        ("status", str(stored.status)),
        ("next", _nexts(stored.status)),
        ("distribution", ", ".join(report.spec.distribution)),
    ]
    rows += [(f"file {f.format}", f"{f.path}  sha256 {f.sha256}") for f in stored.files.values()]
    rows += [
        (d.action, f"{d.plugin}: {d.target} ({d.by}, {d.at.isoformat()})")
        for d in stored.deliveries
    ]
    rows += [
        (f"attempt {e.action}", f"{e.state} via {e.plugin} ({e.by}, claimed {e.claimed.isoformat()})"
         + (f": {e.detail}" if e.detail else ""))
        for e in stored.outbox
    ]  # fmt: skip
    if stored.review:
        rows.append(("review", f"{stored.review.by}, {stored.review.held.isoformat()}"))
        rows.append(("minutes", stored.review.minutes.strip()))
        rows += [(f"improvement {i.id}", i.description) for i in stored.review.items]
    print_table(("field", "value"), rows, title=stored.name)


@click.command(context_settings=HELP_OPTIONS)
@_target
def history(config: Path, report_id: str, period: str, db: str | None) -> None:
    """Every lifecycle step of every version: who, when, from, to, note."""
    with _session(config, report_id, period, db) as s:
        steps = s.store.history(s.report_id, s.period)
        if not steps:
            s.store.get(s.report_id, s.period)  # raises: not stored
    rows = [
        (f"v{st.version}", st.from_status or "-", st.to_status, st.by, st.at.isoformat(), st.note)
        for st in steps
    ]
    print_table(("version", "from", "to", "by", "at", "note"), rows)


# -------------------------------------------------------------------- batch


@click.command(context_settings=HELP_OPTIONS)
@_CONFIG
@_PERIOD
@_FORMAT
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes (default: CPUs).")
@click.option("--force", is_flag=True, help="Rebuild reports already stored (drafts only).")
@click.option("--by", default="itsskit batch", show_default=True, help="Recorded as the author.")
@click.option("--at", "at_text", help="Evaluate the data as of this ISO 8601 time (default: now).")
@_DB
@click.option(
    "--strict", is_flag=True, help="Exit 1 when figures rest on a provisional calendar year."
)
def batch(
    config: Path,
    period: str,
    formats: str,
    out_dir: Path,
    jobs: int | None,
    force: bool,
    by: str,
    at_text: str | None,
    db: str | None,
    strict: bool,
) -> None:
    """Build every report of every project for PERIOD and store them as drafts.

    Resumable: reports already stored are skipped unless --force. One line per
    report on stdout (report, project, status, files or cause). Exit 1 when
    some report failed, 2 on a usage or configuration error. Figures resting on a
    year without the official holiday schedule get one warning (exit 1 with --strict).
    """
    from itsskit.batch import BatchItem, run_batch

    settings, host = load(config)
    at = parse_at(at_text)
    names = check_formats(host, formats)
    for spec in settings.reports.values():
        parse_period(period, settings.projects[spec.project].timezone)
    with _store(settings, db) as store, progress("reports", len(settings.reports)) as shown:

        def report(item: BatchItem, done: int, _total: int) -> None:
            shown.describe(f"{item.report} {item.status}", done)
            where = ", ".join(str(path) for path in item.files.values()) or item.detail
            click.echo(f"{item.report}\t{item.project}\t{item.status}\t{where}")

        result = run_batch(
            settings, period, store=store, out_dir=out_dir, formats=names, jobs=jobs,
            force=force, host=host, at=at, by=by, progress=report,
        )  # fmt: skip
    for item in result.failed:
        click.echo(f"error: project {item.project}, report {item.report}: {item.detail}", err=True)
    years = sorted({year for item in result.items for year in item.provisional_years})
    calendars = [
        n for p in settings.projects.values() for n in calendar_names(p, settings.calendars)
    ]
    if warn_provisional(years, calendars, strict, exit_now=False) or not result.ok:
        raise SystemExit(1)


#: The commands :func:`mount` adds to ``itsskit report``.
LIFECYCLE_COMMANDS: tuple[click.Command, ...] = (
    submit,
    approve,
    rework,
    publish,
    review,
    archive,
    list_reports,
    show,
    history,
    batch,
)


def mount(group: click.Group) -> None:
    """Add the lifecycle and batch commands to ``group`` (the ``itsskit report`` group)."""
    for command in LIFECYCLE_COMMANDS:
        group.add_command(command)

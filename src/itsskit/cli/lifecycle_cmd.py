"""``itsskit report submit|approve|return|publish|review|archive|list|show|history|batch``.

The report lifecycle (seed 001 steps 4-8) on the report store of a
configuration file (``[storage] url``, default ``itsskit.db`` beside it;
``--db`` overrides). Every step names who (``--by``) and may carry a ``--note``.
Each command parses its arguments and calls one function of
:mod:`itsskit.services.lifecycle`.

Exit codes: 0 done; 1 the step was refused or failed (an illegal transition,
the wrong approver, a channel that could not send) or, for ``batch``, some
report failed; 2 a usage or configuration error.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from itsskit.cli import (
    HELP_OPTIONS,
    Failure,
    UsageProblem,
    check_formats,
    load,
    parse_at,
    print_table,
    progress,
    reported_errors,
    warn_provisional,
)
from itsskit.cli.options import CONFIG, stack
from itsskit.config import Config
from itsskit.converter import converter
from itsskit.lifecycle import LifecycleError, next_states
from itsskit.models import ImprovementItem, ReportStatus
from itsskit.provisional import calendar_names
from itsskit.services import lifecycle as services
from itsskit.services.lifecycle import (
    BadRequest,
    ReportTarget,
    Step,
    StepResult,
    approve_report,
    archive_report,
    batch_reports,
    open_register,
    publish_report,
    report_state,
    report_target,
    return_report,
    review_report,
    submit_report,
)
from itsskit.storage import ReportStore

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

_PERIOD = click.option("--period", required=True, help="Period: 2025-10, 2025-Q4 or 2025.")
_DB = click.option("--db", help="Database URL or SQLite file (default: [storage] url).")
_FORMAT = click.option("--format", "formats", default="docx,html", show_default=True)

#: CONFIG, ``--report``, ``--period`` and ``--db``: which report.
_target = stack(
    CONFIG,
    click.option("--report", "report_id", required=True, help="Report id ([reports.ID])."),
    _PERIOD,
    _DB,
)

#: ``--by``, ``--note`` and ``--at``: who takes a lifecycle step, why and when.
_actor = stack(
    click.option("--by", required=True, help="Who takes this step."),
    click.option("--note", default="", help="Why (recorded with the step)."),
    click.option("--at", "at_text", help="When, ISO 8601 with offset (default: now)."),
)


@contextmanager
def _session(
    config_path: Path, report_id: str, period: str, db: str | None
) -> Iterator[ReportTarget]:
    """Config, plugins, the open store and the report; refused steps exit 1, usage errors 2."""
    config, host = load(config_path)
    with _store(config, db) as store, reported_errors():
        try:
            yield report_target(config, host, store, report_id, period)
        except BadRequest as exc:
            raise UsageProblem(str(exc)) from None
        except LifecycleError as exc:
            raise Failure(str(exc)) from None


@contextmanager
def _store(config: Config, db: str | None) -> Iterator[ReportStore]:
    """The report store of ``--db`` or of the configuration; one clear line when it won't open."""
    try:
        store = open_register(config, db)
    except BadRequest as exc:
        raise UsageProblem(str(exc)) from None
    except LifecycleError as exc:
        raise Failure(str(exc)) from None
    with store:
        try:
            yield store
        except LifecycleError as exc:
            raise Failure(str(exc)) from None


def _step_command(
    name: str | None = None,
) -> Callable[[Callable[..., StepResult]], click.Command]:
    """A lifecycle step as a command: ``take(target, step, **its own options)``.

    The command has CONFIG, --report, --period, --db, --by, --note and --at
    before its own options; ``take`` calls the step's service; its warnings go
    to stderr, then the new state and allowed next states are printed.
    """

    def make(take: Callable[..., StepResult]) -> click.Command:
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
            step = Step(by=by, at=parse_at(at_text), note=note)
            with _session(config, report_id, period, db) as target:
                result = take(target, step, **options)
            for warning in result.warnings:
                click.echo(f"warning: {warning}", err=True)
            stored = result.stored
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
    t: ReportTarget, step: Step, rebuild: bool, formats: str, out_dir: Path | None
) -> StepResult:
    """Submit a report for approval (seed 001 step 4).

    The stored draft is submitted. A report not stored yet, a returned one
    (its resubmission is a new version) or --rebuild is built and rendered first.
    The new files are rendered aside and take their place only once the
    submission is recorded: a refused or interrupted submission changes no file.
    """
    names = check_formats(t.host, formats)
    return submit_report(t, step, rebuild=rebuild, formats=names, out_dir=out_dir)


@_step_command()
def approve(t: ReportTarget, step: Step) -> StepResult:
    """Approve the submitted report (seed 001 step 5); by the project's approver if it names one."""
    return approve_report(t, step)


@_step_command("return")
def rework(t: ReportTarget, step: Step) -> StepResult:
    """Return the submitted report to its author for rework (seed 001 step 5.2)."""
    return return_report(t, step)


_RECORD_ONLY = click.option(
    "--record-only",
    is_flag=True,
    help="Record an earlier attempt that stopped before its outcome was recorded"
    " (see the warning) as done, without repeating it.",
)


@_step_command()
@_RECORD_ONLY
def publish(t: ReportTarget, step: Step, record_only: bool) -> StepResult:
    """Publish the approved report to its distribution list through each [distribution] channel.

    Seed 001 step 6. Each channel delivers on its own; the report is published
    once every channel has, and publishing again sends only through the
    channels that have not. Without a channel the publication is only
    recorded. Files found missing or changed are re-rendered first.
    """
    result = publish_report(t, step, record_only=record_only)
    for delivery in result.stored.deliveries:
        click.echo(f"sent via {delivery.plugin} to {delivery.target}")
    return result


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
    t: ReportTarget,
    step: Step,
    minutes: str | None,
    minutes_file: Path | None,
    items: tuple[str, ...],
) -> StepResult:
    """Record the review meeting of the published report: minutes and improvement items (step 7)."""
    if (minutes is None) == (minutes_file is None):
        raise UsageProblem("give the minutes: --minutes TEXT or --minutes-file PATH (one of them)")
    text = _read_minutes(minutes_file) if minutes_file else minutes or ""
    result = review_report(t, step, minutes=text, items=[parse_item(item) for item in items])
    review = result.stored.review
    for item in review.items if review else ():
        click.echo(f"improvement {item.id}: {item.description}")
    return result


def parse_item(text: str) -> ImprovementItem:
    """``--item`` (see :func:`itsskit.services.lifecycle.parse_item`); a usage error if malformed."""
    try:
        return services.parse_item(text)
    except BadRequest as exc:
        raise UsageProblem(str(exc)) from None


def _read_minutes(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageProblem(f"{path}: the minutes file must be UTF-8 text") from None


@_step_command()
@_RECORD_ONLY
def archive(t: ReportTarget, step: Step, record_only: bool) -> StepResult:
    """Archive the reviewed report, with the review minutes, to the [archive] store (step 8).

    Files found missing or changed are re-rendered from the stored content first.
    """
    result = archive_report(t, step, record_only=record_only)
    for delivery in result.stored.deliveries:
        if delivery.action == "archived":
            click.echo(f"archived via {delivery.plugin}: {delivery.target}")
    return result


# ------------------------------------------------------------------- looking


@click.command("list", context_settings=HELP_OPTIONS)
@CONFIG
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
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A table, or JSON (through the one converter).",
)
def show(
    config: Path, report_id: str, period: str, db: str | None, version: int | None, output: str
) -> None:
    """One stored report: state, files, each channel's delivery and attempts, review, next steps."""
    with _session(config, report_id, period, db) as t:
        state = report_state(t, version)
    if output == "json":
        click.echo(json.dumps(converter.unstructure(state), ensure_ascii=False, indent=2))
        return
    rows: list[tuple[str, str]] = [
        ("report", state.name),
        ("title", state.title),
        ("project", state.project),
        ("status", str(state.status)),
        ("next", ", ".join(state.next) or "none"),
        ("distribution", ", ".join(state.distribution)),
    ]
    rows += [(f"file {f.format}", f"{f.path}  sha256 {f.sha256}") for f in state.files]
    rows += [
        (f"channel {c.channel}", c.state + (f": {c.target}" if c.target else "")
         + (f" ({c.detail})" if c.detail else ""))
        for c in state.channels
    ]  # fmt: skip
    rows += [
        (d.action, f"{d.plugin}: {d.target} ({d.by}, {d.at.isoformat()})") for d in state.deliveries
    ]
    rows += [
        (f"attempt {e.action}", f"{e.state} via {e.plugin} ({e.by}, claimed {e.claimed.isoformat()})"
         + (f": {e.detail}" if e.detail else ""))
        for e in state.outbox
    ]  # fmt: skip
    if state.review:
        rows.append(("review", f"{state.review.by}, {state.review.held.isoformat()}"))
        rows.append(("minutes", state.review.minutes.strip()))
        rows += [(f"improvement {i.id}", i.description) for i in state.review.items]
    print_table(("field", "value"), rows, title=state.name)


@click.command(context_settings=HELP_OPTIONS)
@_target
def history(config: Path, report_id: str, period: str, db: str | None) -> None:
    """Every lifecycle step of every version: who, when, from, to, note."""
    with _session(config, report_id, period, db) as t:
        steps = t.store.history(t.report_id, t.period)
        if not steps:
            t.store.get(t.report_id, t.period)  # raises: not stored
    rows = [
        (f"v{st.version}", st.from_status or "-", st.to_status, st.by, st.at.isoformat(), st.note)
        for st in steps
    ]
    print_table(("version", "from", "to", "by", "at", "note"), rows)


# -------------------------------------------------------------------- batch


@click.command(context_settings=HELP_OPTIONS)
@CONFIG
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
    from itsskit.batch import BatchItem

    settings, host = load(config)
    at = parse_at(at_text)
    names = check_formats(host, formats)
    with _store(settings, db) as store, progress("reports", len(settings.reports)) as shown:

        def report(item: BatchItem, done: int, _total: int) -> None:
            shown.describe(f"{item.report} {item.status}", done)
            where = ", ".join(str(path) for path in item.files.values()) or item.detail
            click.echo(f"{item.report}\t{item.project}\t{item.status}\t{where}")

        try:
            result = batch_reports(
                settings, period, store=store, out_dir=out_dir, formats=names, jobs=jobs,
                force=force, host=host, at=at, by=by, progress=report,
            )  # fmt: skip
        except BadRequest as exc:
            raise UsageProblem(str(exc)) from None
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

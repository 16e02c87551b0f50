"""``itsskit quality``: indicators, annual quality report, satisfaction, internal audit, review."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from itsskit.cli import (
    HELP_OPTIONS,
    Failure,
    UsageProblem,
    atomic_write,
    check_output_file,
    load,
    parse_at,
    parse_period,
    print_table,
    read_records,
    warn_provisional,
)
from itsskit.cli.options import CONFIG, FORMATS, LANGUAGE, STRICT, out_dir, stack
from itsskit.config import Config, ConfigError, read_toml, structure_or_errors
from itsskit.converter import converter
from itsskit.improvement_store import ImprovementRegister, item_json
from itsskit.improvements import SOURCES, ImprovementError, shown_status
from itsskit.models import ImprovementItem, RecordSet, Report
from itsskit.periods import FIRST_YEAR, LAST_YEAR, Period
from itsskit.plugins import PluginHost
from itsskit.provisional import calendar_names, kpi_years
from itsskit.quality import (
    Audit,
    AuditFileError,
    IndicatorResult,
    analyse_satisfaction,
    audit_report,
    audit_toml,
    evaluate_indicators,
    generate_checklist,
    indicator_system,
    kpis_by_period,
    load_audit,
    satisfaction_report,
    year_labels,
)
from itsskit.quality.common import value_text
from itsskit.quality.indicators import indicator_unit, target_for
from itsskit.quality.review import ReviewFileError
from itsskit.quality.service import (
    answer_checkpoint,
    build_year_document,
    callbacks_due,
    import_improvements,
    open_store,
    prepare_checklist,
    record_review,
)

__all__ = ["quality"]

_OUT = out_dir(required=True)
_AT = click.option(
    "--at", "at_text", default=None,
    help="Evaluation instant, ISO 8601 with offset. Default: now.",
)  # fmt: skip
_YEAR = click.option(
    "--year", type=click.IntRange(FIRST_YEAR, LAST_YEAR), required=True, help="The year."
)
_AUDIT = click.option(
    "--audit", "audit_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None, help="An answered audit file (from `quality checklist`).",
)  # fmt: skip
_IMPROVEMENTS = click.option(
    "--improvements", "improvements_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
    help="A TOML file of [[improvements]] (id, description, source, owner, due, done).",
)  # fmt: skip


@click.group("quality", context_settings=HELP_OPTIONS)
def quality() -> None:
    """Quality management (seed 0403): indicators, annual report, surveys, audit, review."""


@quality.command("checklist")
@click.argument(
    "config", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@_YEAR
@click.option("--scheduled", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Audit date, YYYY-MM-DD (default: 15 October of the year).")  # fmt: skip
@LANGUAGE
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the audit as a TOML file (required without CONFIG).")  # fmt: skip
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@_AT
def checklist(
    config: Path | None, year: int, scheduled: datetime | None, language: str,
    out_file: Path | None, force: bool, at_text: str | None,
) -> None:  # fmt: skip
    """Create the internal audit checklist (seed 0403 §8).

    With CONFIG: the audit is stored in the register database and every
    checkpoint the data can answer is pre-filled with the year's figures (as
    `itsskit kpi --period YEAR` shows them), the evidence and a proposed
    verdict; answers already given are kept. Without CONFIG: a blank TOML file.
    """
    if out_file is not None:
        check_output_file(out_file, "--out")
        if out_file.exists() and not force:
            raise UsageProblem(
                f"{out_file} exists (answers would be lost); use --force to replace it"
            )
    day = scheduled.date() if scheduled else None
    if config is None:
        if out_file is None:
            raise UsageProblem("--out: required without CONFIG (where to write the checklist)")
        audit = Audit.from_checklist(
            generate_checklist(year, scheduled=day, language=language), language
        )
    else:
        settings, host = load(config)
        at = parse_at(at_text) or datetime.now(UTC)
        records = _records(settings, host, Period.year(year))
        with _errors():
            audit = prepare_checklist(
                settings, host, records, year, at=at, language=language, scheduled=day
            )
        filled = sum(
            entry.proposed is not None or bool(entry.data_evidence) for entry in audit.items
        )
        click.echo(f"stored {audit.id} in {_db(settings)} ({len(audit.items)} items, "
                   f"{filled} pre-filled from the data, scheduled {audit.scheduled})")  # fmt: skip
    if out_file is not None:
        with atomic_write(out_file) as handle:
            handle.write(audit_toml(audit))
        click.echo(f"wrote {out_file} ({len(audit.items)} items, scheduled {audit.scheduled})")


@quality.command("audit")
@CONFIG
@_YEAR
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
def audit_show(config: Path, year: int, output: str) -> None:
    """Show the year's stored audit: each checkpoint, the data's proposal and the answer."""
    settings, _host = load(config)
    with _errors(), open_store(settings) as store:
        audit = store.audit(f"audit-{year}")
    if output == "json":
        click.echo(json.dumps(converter.unstructure(audit), ensure_ascii=False, indent=2))
        return
    flag = {None: "", True: "conforming", False: "nonconforming"}
    rows = [(e.id, flag[e.proposed], flag[e.conforming], e.data_evidence or e.evidence)
            for e in audit.items]  # fmt: skip
    print_table(("item", "proposed", "answer", "evidence"), rows, title=audit.id)


@quality.command("answer")
@CONFIG
@_YEAR
@click.argument("item")
@click.option("--conforming/--nonconforming", default=None,
              help="The auditor's verdict.")  # fmt: skip
@click.option("--accept", is_flag=True, help="Take the verdict the data proposed.")
@click.option("--evidence", default="", help="The audit evidence.")
@click.option("--severity", type=click.Choice(["minor", "major"]), default=None)
def answer_cmd(
    config: Path, year: int, item: str, conforming: bool | None, accept: bool, evidence: str,
    severity: str | None,
) -> None:  # fmt: skip
    """Record the auditor's answer to one checkpoint of the year's stored audit."""
    settings, _host = load(config)
    if conforming is None and not accept:
        raise UsageProblem("give --conforming, --nonconforming or --accept")
    with _errors():
        audit = answer_checkpoint(settings, year, item, conforming=conforming, evidence=evidence,
                                  severity=severity, accept_proposed=accept)  # fmt: skip
    click.echo(
        f"{audit.id} {item}: answered; findings: {', '.join(f.id for f in audit.findings) or 'none'}"
    )


@quality.command("audit-import")
@CONFIG
@click.argument("audit_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def audit_import(config: Path, audit_file: Path) -> None:
    """Store an audit TOML file (answers and [[actions]]) in the register database."""
    settings, _host = load(config)
    audit = _audit(audit_file)
    assert audit is not None
    with _errors(), open_store(settings) as store:
        stored = store.save_audit(audit, by="import")
    click.echo(f"stored {stored.id} ({len(stored.items)} items, {len(stored.findings)} findings,"
               f" {len(stored.actions)} actions)")  # fmt: skip


@quality.command("action")
@CONFIG
@_YEAR
@click.option("--finding", required=True, help="The finding: NC-<item id>.")
@click.option("--action", "text", required=True, help="What will be done.")
@click.option("--owner", default="", help="Who carries it out.")
@click.option("--due", "due_text", default=None, help="Due date, YYYY-MM-DD.")
@click.option("--preventive", is_flag=True, help="A preventive (not corrective) action.")
@click.option("--by", default="", help="Who records it (default: the owner).")
@click.option("--id", "item_id", default="", help="The action's id (default: CA-NNNN).")
def action_cmd(
    config: Path, year: int, finding: str, text: str, owner: str, due_text: str | None,
    preventive: bool, by: str, item_id: str,
) -> None:  # fmt: skip
    """Add a corrective or preventive action for a finding of the year's audit."""
    settings, _host = load(config)
    due = _date(due_text, "--due") if due_text else None
    with _errors(), open_store(settings) as store:
        item = store.add_action(f"audit-{year}", finding, action=text, by=by or owner or "auditor",
                                owner=owner, due=due, preventive=preventive, item_id=item_id)  # fmt: skip
    click.echo(f"added {item.id} ({item.kind}) for {finding}")


@quality.command("audit-report")
@click.argument("audit_file", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))  # fmt: skip
@FORMATS
@_OUT
@click.option("--on", "on_text", default=None,
              help="Date for the action status, YYYY-MM-DD (default: today).")  # fmt: skip
@click.option("--config", "config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Read the audit from this config's register (with --year).")  # fmt: skip
@click.option("--year", type=click.IntRange(1000, 9999), default=None, help="The audit's year.")
def audit_report_cmd(
    audit_file: Path | None, formats: str, out_dir: Path, on_text: str | None,
    config: Path | None, year: int | None,
) -> None:  # fmt: skip
    """Render the internal audit report from an answered audit file, or the register."""
    if (audit_file is None) == (config is None):
        raise UsageProblem("give either AUDIT_FILE or --config with --year")
    if audit_file is not None:
        audit = _audit(audit_file)
        source = str(audit_file)
    else:
        if year is None:
            raise UsageProblem("--year: required with --config")
        settings, _host = load(config)  # type: ignore[arg-type]
        with _errors(), open_store(settings) as store:
            audit = store.audit(f"audit-{year}")
        source = f"audit-{year}"
    assert audit is not None
    on = _date(on_text, "--on") if on_text else date.today()
    unanswered = [entry.id for entry in audit.items if entry.conforming is None]
    if unanswered:
        click.echo(
            f"warning: {source}: {len(unanswered)} of {len(audit.items)} items not answered"
            f" ({', '.join(unanswered[:5])}{', ...' if len(unanswered) > 5 else ''});"
            " expected conforming = true or false in each [[items]]",
            err=True,
        )
    _write(audit_report(audit, on=on, generated=datetime.now(UTC)), formats, out_dir)


@quality.command("indicators")
@CONFIG
@click.option("--period", "period_text", required=True, help="2025-10, 2025-Q4 or 2025.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
@_AT
@STRICT
def indicators_cmd(
    config: Path, period_text: str, output: str, at_text: str | None, strict: bool
) -> None:
    """Evaluate the indicator system (built-in + [indicators.NAME]) for one period.

    "assessed" says whether the period is of the indicator's own assessment kind.
    """
    settings, host = load(config)
    period = parse_period(period_text)
    at = parse_at(at_text) or datetime.now(UTC)
    records = _records(settings, host, period)
    bundles = kpis_by_period(
        records, settings.projects, [period_text], at, host.calendar, host.kpis()
    )
    results = evaluate_indicators(
        indicator_system(settings.indicators.values()), bundles[period_text], period, host.kpis()
    )
    failed = _provisional(settings, host, records, [period_text], at, strict)
    if output == "json":
        data = [
            {"indicator": r.indicator.name, "kpi": r.indicator.formula, "scope": r.scope,
             "period": r.period, "value": r.value, "target": target_for(r.indicator, r.scope),
             "comparison": r.indicator.comparison, "status": r.status, "assessed": r.assessed}
            for r in results
        ]  # fmt: skip
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _indicator_table(results, period_text)
    if failed:
        click.get_current_context().exit(1)


def _indicator_table(results: Sequence[IndicatorResult], period_text: str) -> None:
    rows = [
        (r.indicator.name, r.scope, value_text(r.value, indicator_unit(r.indicator), "en"),
         f"{r.indicator.comparison} "
         f"{value_text(target_for(r.indicator, r.scope), indicator_unit(r.indicator), 'en')}",
         r.status, r.indicator.period, "yes" if r.assessed else "no")
        for r in results
    ]  # fmt: skip
    headers = ("indicator", "scope", "value", "target", "status", "period", "assessed")
    print_table(headers, rows, title=f"indicators {period_text}")


def _year_document_command(name: str, kind: str, summary: str) -> click.Command:
    """The command rendering a year's document of ``kind`` (annual report, review pack)."""

    @quality.command(name, help=summary)
    @stack(CONFIG, _YEAR, FORMATS, _OUT, LANGUAGE, _AUDIT, _IMPROVEMENTS, _AT, STRICT)
    def command(
        config: Path, year: int, formats: str, out_dir: Path, language: str,
        audit_file: Path | None, improvements_file: Path | None, at_text: str | None,
        strict: bool,
    ) -> None:  # fmt: skip
        report, failed = _year_report(
            kind, config, year, language, audit_file, improvements_file, at_text, strict
        )
        _write(report, formats, out_dir)
        if failed:
            click.get_current_context().exit(1)

    return command


annual_report_cmd = _year_document_command(
    "annual-report",
    "annual",
    "Render the annual quality report (组织级质量年报, seed 0403 §6.2.3).",
)
review_pack_cmd = _year_document_command(
    "review-pack", "review", "Render the management review input pack (seed 0403 §7.3.2)."
)


@quality.command("satisfaction-report")
@CONFIG
@click.option("--period", "period_text", required=True, help="2025-10, 2025-Q4 or 2025.")
@FORMATS
@_OUT
@LANGUAGE
def satisfaction_report_cmd(
    config: Path, period_text: str, formats: str, out_dir: Path, language: str
) -> None:
    """Render the customer satisfaction report (seed 0403 §6.2.5, §7.1) of a period."""
    settings, host = load(config)
    period = parse_period(period_text)
    records = _records(settings, host, period)
    analysis = analyse_satisfaction(
        [s for r in records.values() for s in r.surveys],
        [t for r in records.values() for t in r.tickets],
        period,
    )
    names = {pid: project.name for pid, project in settings.projects.items()}
    services = {sid: service.name for sid, service in settings.services.items()}
    report = satisfaction_report(
        analysis, generated=datetime.now(UTC), language=language, project_names=names,
        services=services,
    )  # fmt: skip
    _write(report, formats, out_dir)


# --------------------------------------------------------------------- helpers


def _year_report(
    kind: str, config: Path, year: int, language: str,
    audit_file: Path | None, improvements_file: Path | None, at_text: str | None, strict: bool,
) -> tuple[Report, bool]:  # fmt: skip
    settings, host = load(config)
    audit, improvements = _audit(audit_file), _improvements(improvements_file)
    at = parse_at(at_text) or datetime.now(UTC)
    records = _records(settings, host, Period.year(year))
    with _errors():
        report = build_year_document(
            kind, settings, host, records, year, at=at, language=language, audit=audit,
            improvements=improvements,
        )  # fmt: skip
    failed = _provisional(settings, host, records, year_labels(year), at, strict)
    return report, failed


def _provisional(
    settings: Config, host: PluginHost, records: dict[str, RecordSet],
    labels: list[str], at: datetime, strict: bool,
) -> bool:  # fmt: skip
    """One warning when figures rest on a provisional calendar year; True: --strict fails."""
    years: set[int] = set()
    names: list[str] = []
    for pid, project in settings.projects.items():
        names += calendar_names(project, settings.calendars)
        for label in labels:
            period = Period.parse(label, project.timezone)
            years.update(kpi_years(records[pid].tickets, project, period, at, host.calendar))
    return warn_provisional(sorted(years), names, strict, exit_now=False)


def _records(settings: Config, host: PluginHost, period: Period) -> dict[str, RecordSet]:
    return {pid: read_records(settings, pid, host, period) for pid in sorted(settings.projects)}


def _audit(path: Path | None) -> Audit | None:
    if path is None:
        return None
    try:
        return load_audit(path)
    except AuditFileError as exc:
        raise UsageProblem(str(exc)) from None


def _improvements(path: Path | None) -> list[ImprovementItem]:
    """``[[improvements]]`` of a TOML file, structured through the one converter."""
    if path is None:
        return []
    try:
        data = read_toml(path, "improvements file")
    except ConfigError as exc:
        raise UsageProblem("\n".join(exc.errors)) from None
    errors: list[str] = []
    items = structure_or_errors(
        data.get("improvements", []), list[ImprovementItem], "improvements", errors,
        prefix=f"{path}: ",
    )  # fmt: skip
    extra = sorted(set(data) - {"improvements"})
    if extra:
        errors.append(f"{path}: unknown key(s) {', '.join(extra)} (expected: improvements)")
    if items is None or errors:
        raise UsageProblem("\n".join(errors))
    return items


def _write(report: Report, formats: str, out_dir: Path) -> None:
    from itsskit.report.output import render

    try:
        written = render(report, formats, out_dir)
    except (KeyError, ValueError) as exc:
        raise UsageProblem(f"--format: {exc.args[0] if exc.args else exc}") from None
    for path in written.values():
        click.echo(f"wrote {path}")


def _date(text: str, option: str = "--on") -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageProblem(f"{option}: {text!r} is not a YYYY-MM-DD date") from None


@contextmanager
def _errors() -> Iterator[None]:
    """Register errors (a step the rules refuse, an unknown item) as one line, exit 2."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        yield
    except (ImprovementError, ReviewFileError) as exc:
        raise UsageProblem(str(exc)) from None
    except SQLAlchemyError as exc:
        raise Failure(
            f"register database: {type(exc).__name__}: {str(exc).splitlines()[0]}"
        ) from None


def _db(settings: Config) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


# ----------------------------------------------------------- the register


@quality.group("item", context_settings=HELP_OPTIONS)
def item() -> None:
    """The one improvement register: report-review items, audit actions, review decisions,
    indicator misses. An item closes only after a verification finds it effective."""


_ITEM_ID = click.argument("item_id")
_BY = click.option("--by", required=True, help="Who does this step.")
_NOTE = click.option("--note", default="", help="A note for the history.")


@item.command("add")
@CONFIG
@click.option("--source", type=click.Choice(SOURCES), default="other", show_default=True)
@click.option("--description", required=True, help="What is to be improved.")
@click.option("--owner", default="")
@click.option("--due", "due_text", default=None, help="YYYY-MM-DD.")
@click.option("--ref", default="", help="What raised it (a finding, report, review, indicator).")
@click.option("--cause", default="", help="The cause analysis.")
@click.option("--action", default="", help="The measure.")
@click.option("--kind", type=click.Choice(["improvement", "corrective", "preventive"]),
              default="improvement", show_default=True)  # fmt: skip
@click.option("--id", "item_id", default="", help="The item's id (default: numbered by source).")
@_BY
def item_add(
    config: Path, source: str, description: str, owner: str, due_text: str | None, ref: str,
    cause: str, action: str, kind: str, item_id: str, by: str,
) -> None:  # fmt: skip
    """Add an item to the improvement register."""
    settings, _host = load(config)
    due = _date(due_text, "--due") if due_text else None
    with _errors(), open_store(settings) as store:
        added = store.add_item(source=source, description=description, by=by, owner=owner, due=due,
                               kind=kind, ref=ref, cause=cause, action=action, item_id=item_id)  # fmt: skip
    click.echo(f"added {added.id}")


@item.command("update")
@CONFIG
@_ITEM_ID
@click.option("--description", default=None)
@click.option("--owner", default=None)
@click.option("--due", "due_text", default=None, help="YYYY-MM-DD.")
@click.option("--cause", default=None)
@click.option("--action", default=None)
@_BY
@_NOTE
def item_update(
    config: Path, item_id: str, description: str | None, owner: str | None, due_text: str | None,
    cause: str | None, action: str | None, by: str, note: str,
) -> None:  # fmt: skip
    """Change an item's description, owner, due date, cause or measure."""
    settings, _host = load(config)
    changes: dict[str, Any] = {k: v for k, v in (("description", description), ("owner", owner),
                               ("cause", cause), ("action", action)) if v is not None}  # fmt: skip
    if due_text is not None:
        changes["due"] = _date(due_text, "--due")
    if not changes:
        raise UsageProblem(
            "nothing to change: give --description, --owner, --due, --cause or --action"
        )
    with _errors(), open_store(settings) as store:
        store.update_item(item_id, by=by, note=note, **changes)
    click.echo(f"updated {item_id}")


def _item_step(name: str, step: Callable[..., object], outcome: str, summary: str) -> click.Command:
    """The command taking an item one ``step`` on (done, close): by whom, with a note."""

    @item.command(name, help=summary)
    @stack(CONFIG, _ITEM_ID, _BY, _NOTE)
    def command(config: Path, item_id: str, by: str, note: str) -> None:
        settings, _host = load(config)
        with _errors(), open_store(settings) as store:
            step(store, item_id, by=by, note=note)
        click.echo(f"{item_id}: {outcome}")

    return command


item_done = _item_step(
    "done", ImprovementRegister.mark_done, "done, awaiting verification",
    "Report an item carried out (open -> done); it then awaits verification.",
)  # fmt: skip
item_close = _item_step(
    "close", ImprovementRegister.close_item, "closed",
    "Close an item whose last verification found it effective.",
)  # fmt: skip


@item.command("verify")
@CONFIG
@_ITEM_ID
@_BY
@click.option("--evidence", required=True, help="What the verification looked at.")
@click.option("--effective/--ineffective", required=True,
              help="Did the action work? Ineffective reopens the item.")  # fmt: skip
@click.option("--on", "on_text", default=None, help="Day of the verification (default: today).")
@_NOTE
def item_verify(
    config: Path, item_id: str, by: str, evidence: str, effective: bool, on_text: str | None,
    note: str,
) -> None:  # fmt: skip
    """Record a verification of a done item: effective -> verified, ineffective -> reopened."""
    settings, _host = load(config)
    on = _date(on_text, "--on") if on_text else None
    with _errors(), open_store(settings) as store:
        changed = store.verify_item(
            item_id, by=by, evidence=evidence, effective=effective, on=on, note=note
        )
    click.echo(
        f"{item_id}: {'verified effective' if effective else 'ineffective, reopened'} ({changed.status})"
    )


@item.command("list")
@CONFIG
@click.option("--open", "open_only", is_flag=True, help="Only items not closed.")
@click.option("--overdue", is_flag=True, help="Only items overdue on --on.")
@click.option("--owner", default=None)
@click.option("--source", type=click.Choice(SOURCES), default=None)
@click.option("--on", "on_text", default=None, help="Day the status is shown for (default: today).")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
def item_list(
    config: Path, open_only: bool, overdue: bool, owner: str | None, source: str | None,
    on_text: str | None, output: str,
) -> None:  # fmt: skip
    """List register items: all, open, overdue, by owner or by source."""
    settings, _host = load(config)
    on = _date(on_text, "--on") if on_text else date.today()
    with _errors(), open_store(settings) as store:
        found = store.items(source=source, owner=owner, open_only=open_only, overdue=overdue, on=on)
    if output == "json":
        click.echo(json.dumps([item_json(i, on) for i in found], ensure_ascii=False, indent=2))
        return
    rows = [(i.id, i.source, shown_status(i, on), i.owner, i.due.isoformat() if i.due else "",
             i.ref, i.description) for i in found]  # fmt: skip
    print_table(("id", "source", "status", "owner", "due", "ref", "description"), rows,
                title=f"improvement register on {on}")  # fmt: skip


@item.command("show")
@CONFIG
@_ITEM_ID
def item_show(config: Path, item_id: str) -> None:
    """One item with its verifications and full history, as JSON."""
    settings, _host = load(config)
    with _errors(), open_store(settings) as store:
        found = store.get(item_id)
    click.echo(json.dumps(item_json(found, date.today()), ensure_ascii=False, indent=2))


@item.command("import")
@CONFIG
@click.argument("improvements_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_BY
def item_import(config: Path, improvements_file: Path, by: str) -> None:
    """Import a 0.1.0 improvements TOML file ([[improvements]]); items with `done` come in closed."""
    settings, _host = load(config)
    with _errors():
        added = import_improvements(settings, _improvements(improvements_file), by=by)
    click.echo(f"imported {len(added)} item(s)" + (f": {', '.join(added)}" if added else ""))


# ------------------------------------------------------- management review


@quality.command("review-record")
@CONFIG
@_YEAR
@click.argument("review_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@FORMATS
@_OUT
@LANGUAGE
@_AT
def review_record_cmd(
    config: Path, year: int, review_file: Path, formats: str, out_dir: Path, language: str,
    at_text: str | None,
) -> None:  # fmt: skip
    """Record the management review (seed 0403 §7.3.2) and render it with its input pack.

    REVIEW_FILE (TOML): held = YYYY-MM-DD, chair, attendees = [...], and
    [[decisions]] text, owner, due. Each decision becomes an improvement item.
    """
    settings, host = load(config)
    at = parse_at(at_text) or datetime.now(UTC)
    records = _records(settings, host, Period.year(year))
    with _errors():
        try:
            written = record_review(settings, host, records, year, review_file, out_dir, at=at,
                                    formats=formats, language=language)  # fmt: skip
        except (KeyError, ValueError) as exc:
            if isinstance(exc, (ImprovementError, ReviewFileError)):
                raise
            raise UsageProblem(f"--format: {exc.args[0] if exc.args else exc}") from None
    for path in written.values():
        click.echo(f"wrote {path}")


# --------------------------------------------------------------- callbacks


@quality.command("callbacks")
@CONFIG
@_AT
@click.option("--days", type=click.IntRange(1, 3660), default=30, show_default=True,
              help="Look at incidents resolved in this many days before --at.")  # fmt: skip
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
def callbacks_cmd(config: Path, at_text: str | None, days: int, output: str) -> None:
    """Incidents whose satisfaction callback (within 7 x 24 h of resolution) is due or overdue."""
    settings, host = load(config)
    at = parse_at(at_text) or datetime.now(UTC)
    start = at - timedelta(days=days)
    window = Period(start=start, end=at, kind="custom", label=f"{start.date()}..{at.date()}")
    records = _records(settings, host, window)
    rows = callbacks_due(records, at, days=days)
    if output == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    columns = ("ticket", "project", "service", "resolved", "due", "status", "hours_left")
    print_table(columns, [tuple(row[c] for c in columns) for row in rows],
                title=f"callbacks due or overdue at {at.isoformat()}")  # fmt: skip

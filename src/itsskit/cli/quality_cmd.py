"""``itsskit quality``: indicators, annual quality report, satisfaction, internal audit, review."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from itsskit.cli import (
    HELP_OPTIONS,
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
from itsskit.config import Config, ConfigError, read_toml, structure_or_errors
from itsskit.models import ImprovementItem, RecordSet, Report
from itsskit.periods import FIRST_YEAR, LAST_YEAR, Period
from itsskit.plugins import PluginHost
from itsskit.provisional import calendar_names, kpi_years
from itsskit.quality import (
    Audit,
    AuditFileError,
    IndicatorResult,
    analyse_satisfaction,
    annual_report,
    audit_report,
    audit_toml,
    complaints,
    evaluate_indicators,
    generate_checklist,
    indicator_system,
    kpis_by_period,
    load_audit,
    review_pack,
    satisfaction_report,
    year_labels,
)
from itsskit.quality.common import value_text
from itsskit.quality.indicators import indicator_unit

__all__ = ["quality"]

_FORMAT = click.option(
    "--format", "formats", default="docx,html", show_default=True,
    help="Comma-separated renderers: docx, html, markdown (md), json.",
)  # fmt: skip
_OUT = click.option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
    help="Folder to write the files into (created if missing).",
)  # fmt: skip
_LANGUAGE = click.option(
    "--language", type=click.Choice(["zh-CN", "en"]), default="zh-CN", show_default=True
)
_AT = click.option(
    "--at", "at_text", default=None,
    help="Evaluation instant, ISO 8601 with offset. Default: now.",
)  # fmt: skip
_STRICT = click.option(
    "--strict", is_flag=True, help="Exit 1 when figures rest on a provisional calendar year."
)
_YEAR = click.option(
    "--year", type=click.IntRange(FIRST_YEAR, LAST_YEAR), required=True, help="The year."
)
_CONFIG = click.argument("config", type=click.Path(exists=True, dir_okay=False, path_type=Path))
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
@_YEAR
@click.option("--scheduled", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Audit date, YYYY-MM-DD (default: 15 October of the year).")  # fmt: skip
@_LANGUAGE
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def checklist(
    year: int, scheduled: datetime | None, language: str, out_file: Path, force: bool
) -> None:
    """Write the internal audit checklist (seed 0403 §8) as a TOML file to answer."""
    check_output_file(out_file, "--out")
    if out_file.exists() and not force:
        raise UsageProblem(f"{out_file} exists (answers would be lost); use --force to replace it")
    items = generate_checklist(
        year, scheduled=scheduled.date() if scheduled else None, language=language
    )
    with atomic_write(out_file) as handle:
        handle.write(audit_toml(Audit.from_checklist(items, language)))
    click.echo(f"wrote {out_file} ({len(items.items)} items, scheduled {items.scheduled})")


@quality.command("audit-report")
@click.argument("audit_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_FORMAT
@_OUT
@click.option("--on", "on_text", default=None,
              help="Date for the action status, YYYY-MM-DD (default: today).")  # fmt: skip
def audit_report_cmd(audit_file: Path, formats: str, out_dir: Path, on_text: str | None) -> None:
    """Render the internal audit report from an answered audit file."""
    audit = _audit(audit_file)
    assert audit is not None
    on = _date(on_text) if on_text else date.today()
    unanswered = [entry.id for entry in audit.items if entry.conforming is None]
    if unanswered:
        click.echo(
            f"warning: {audit_file}: {len(unanswered)} of {len(audit.items)} items not answered"
            f" ({', '.join(unanswered[:5])}{', ...' if len(unanswered) > 5 else ''});"
            " expected conforming = true or false in each [[items]]",
            err=True,
        )
    _write(audit_report(audit, on=on, generated=datetime.now(UTC)), formats, out_dir)


@quality.command("indicators")
@_CONFIG
@click.option("--period", "period_text", required=True, help="2025-10, 2025-Q4 or 2025.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
@_AT
@_STRICT
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
             "period": r.period, "value": r.value, "target": r.indicator.target,
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
         f"{value_text(r.indicator.target, indicator_unit(r.indicator), 'en')}",
         r.status, r.indicator.period, "yes" if r.assessed else "no")
        for r in results
    ]  # fmt: skip
    headers = ("indicator", "scope", "value", "target", "status", "period", "assessed")
    print_table(headers, rows, title=f"indicators {period_text}")


def _year_document(command: Callable[..., None]) -> Callable[..., None]:
    """The options of a year's document (the annual report, the review pack)."""
    options = (_CONFIG, _YEAR, _FORMAT, _OUT,
               _LANGUAGE, _AUDIT, _IMPROVEMENTS, _AT, _STRICT)  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


@quality.command("annual-report")
@_year_document
def annual_report_cmd(
    config: Path, year: int, formats: str, out_dir: Path, language: str,
    audit_file: Path | None, improvements_file: Path | None, at_text: str | None, strict: bool,
) -> None:  # fmt: skip
    """Render the annual quality report (组织级质量年报, seed 0403 §6.2.3)."""
    report, failed = _year_report(
        "annual", config, year, language, audit_file, improvements_file, at_text, strict
    )
    _write(report, formats, out_dir)
    if failed:
        click.get_current_context().exit(1)


@quality.command("review-pack")
@_year_document
def review_pack_cmd(
    config: Path, year: int, formats: str, out_dir: Path, language: str,
    audit_file: Path | None, improvements_file: Path | None, at_text: str | None, strict: bool,
) -> None:  # fmt: skip
    """Render the management review input pack (seed 0403 §7.3.2)."""
    report, failed = _year_report(
        "review", config, year, language, audit_file, improvements_file, at_text, strict
    )
    _write(report, formats, out_dir)
    if failed:
        click.get_current_context().exit(1)


@quality.command("satisfaction-report")
@_CONFIG
@click.option("--period", "period_text", required=True, help="2025-10, 2025-Q4 or 2025.")
@_FORMAT
@_OUT
@_LANGUAGE
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
    report = satisfaction_report(
        analysis, generated=datetime.now(UTC), language=language, project_names=names
    )
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
    kpis = kpis_by_period(
        records, settings.projects, year_labels(year), at, host.calendar, host.kpis()
    )
    tickets = [t for r in records.values() for t in r.tickets]
    satisfaction = analyse_satisfaction(
        [s for r in records.values() for s in r.surveys], tickets, Period.year(year)
    )
    common: dict[str, Any] = {
        "generated": datetime.now(UTC), "language": language,
        "project_names": {pid: p.name for pid, p in settings.projects.items()},
        "satisfaction": satisfaction, "audit": audit, "improvements": improvements,
    }  # fmt: skip
    indicators = indicator_system(settings.indicators.values())
    failed = _provisional(settings, host, records, year_labels(year), at, strict)
    if kind == "annual":
        return annual_report(indicators, kpis, year, **common), failed
    found = complaints(tickets, Period.year(year))
    return review_pack(indicators, kpis, year, complaint_tickets=found, **common), failed


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


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageProblem(f"--on: {text!r} is not a YYYY-MM-DD date") from None

"""``itsskit report``: build and render service reports."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import click

from itsskit.cli import (
    HELP_OPTIONS,
    Failure,
    UsageProblem,
    check_formats,
    load,
    parse_at,
    parse_period,
    reported_errors,
    warn_provisional,
    warn_without_sources,
)
from itsskit.cli.options import CONFIG
from itsskit.config import ConfigError
from itsskit.models import LANGUAGES, ReportSpec
from itsskit.provisional import calendar_names
from itsskit.records import SourceError
from itsskit.report.notes import NotesError
from itsskit.report.sandbox import ReportTemplateError
from itsskit.services.reports import make_report


@click.group(context_settings=HELP_OPTIONS)
def report() -> None:
    """Service reports (SPEC §5): build them from a configuration file."""


@report.command()
@CONFIG
@click.option("--project", "project_id", help="Build every report row of this project.")
@click.option(
    "--report",
    "report_ids",
    multiple=True,
    help="Report id (repeatable); default: all of --project.",
)
@click.option("--period", required=True, help="Period: 2025-10, 2025-Q4 or 2025.")
@click.option(
    "--format",
    "formats",
    default="docx,html",
    show_default=True,
    help="Comma-separated: docx,html,pdf,markdown,json.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
)
@click.option(
    "--at",
    "at_text",
    help="When the report is made, ISO 8601 (default: now): its report date; data are "
    "evaluated as of then, capped at the period end.",
)
@click.option(
    "--language", type=click.Choice(LANGUAGES), help="Override the report rows' language."
)
@click.option(
    "--template",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Your own template file.",
)
@click.option(
    "--strict", is_flag=True, help="Exit 1 when figures rest on a provisional calendar year."
)
def build(
    config: Path,
    project_id: str | None,
    report_ids: tuple[str, ...],
    period: str,
    formats: str,
    out_dir: Path,
    at_text: str | None,
    language: str | None,
    template: Path | None,
    strict: bool,
) -> None:
    """Build the reports of CONFIG for PERIOD and write one file per format into OUT.

    Files are named <report-id>_<period>.<suffix>. Exit 2 on a usage or
    configuration error, 1 when a report cannot be built. Figures resting on a
    year without the official holiday schedule get one warning (exit 1 with --strict).
    """
    settings, host = load(config)
    chosen = _chosen_reports(settings.reports, project_id, report_ids)
    names = check_formats(host, formats)
    provisional: list[int] = []
    for report_id in chosen:
        spec = settings.reports[report_id]
        timezone = settings.projects[spec.project].timezone
        parsed = parse_period(period, timezone)
        at = parse_at(at_text, timezone)
        warn_without_sources(settings, spec.project)
        with reported_errors():
            try:
                made = make_report(
                    settings, report_id, parsed, host=host, formats=names, out_dir=out_dir,
                    at=at, language=language, template=template,
                )  # fmt: skip
            except NotesError as exc:
                raise UsageProblem(str(exc)) from None
            except ReportTemplateError as exc:
                raise Failure(str(exc)) from None
            except (ConfigError, SourceError):
                raise  # reported_errors() words these
            except Exception as exc:  # noqa: BLE001 - one clear line per failed report
                raise Failure(f"report {report_id}: {type(exc).__name__}: {exc}") from exc
        for name, path in made.files.items():
            click.echo(f"{report_id}\t{name}\t{path}")
        provisional += made.provisional_years
    projects = {settings.reports[rid].project for rid in chosen}
    calendars = [
        n for p in projects for n in calendar_names(settings.projects[p], settings.calendars)
    ]
    warn_provisional(sorted(set(provisional)), calendars, strict)


def _chosen_reports(
    known: Mapping[str, ReportSpec], project_id: str | None, report_ids: tuple[str, ...]
) -> list[str]:
    if report_ids:
        unknown = [rid for rid in report_ids if rid not in known]
        if unknown:
            raise UsageProblem(
                f"unknown report {', '.join(unknown)} (known: {', '.join(sorted(known)) or 'none'})"
            )
        if project_id and any(known[rid].project != project_id for rid in report_ids):
            raise UsageProblem(f"--report names a report of another project than {project_id!r}")
        return list(report_ids)
    if not project_id:
        raise UsageProblem("give --project NAME (all its reports) or --report ID")
    chosen = sorted(rid for rid, spec in known.items() if spec.project == project_id)
    if not chosen:
        raise UsageProblem(f"project {project_id!r} has no [reports.*] row in the configuration")
    return chosen


from itsskit.cli.lifecycle_cmd import mount  # noqa: E402  (lifecycle commands live in their own module)

mount(report)
from itsskit.cli.plan_cmd import mount as mount_plan  # noqa: E402  (due and remind)

mount_plan(report)

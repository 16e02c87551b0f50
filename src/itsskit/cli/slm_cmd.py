"""``itsskit slm``: service level management documents (seed 0601) from the configuration.

Each command parses its arguments, calls one function of :mod:`itsskit.slm.service`
and maps its errors to exit codes (2: bad input, 1: a source or file failed).
"""

from __future__ import annotations

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
    check_output_file,
    describe_finding,
    load,
    parse_at,
    reported_errors,
    warn_provisional,
)
from itsskit.cli.options import AT, CONFIG, FORMATS, LANGUAGE, STRICT, out_dir, stack
from itsskit.config import Config
from itsskit.plugins import PluginHost
from itsskit.provisional import calendar_names

__all__ = ["slm"]

_PROVIDER = click.option(
    "--provider", default="",
    help="The service provider's name (party B); without it the documents show a prompt.",
)  # fmt: skip
#: The options of every SLM document: renderers, folder, language, provider.
_DOCUMENT = stack(FORMATS, out_dir(required=False), LANGUAGE, _PROVIDER)
_PROJECT = click.option(
    "--project", "project_id", required=True, help="Project id ([projects.NAME])."
)


@contextmanager
def _errors() -> Iterator[None]:
    """Bad input (unknown key, malformed file) exits 2; an unreadable source or file exits 1."""
    from itsskit.files import UnwritableFile
    from itsskit.report.notes import NotesError
    from itsskit.slm import SlmError

    with reported_errors():
        try:
            yield
        except (SlmError, NotesError) as exc:
            raise UsageProblem(str(exc)) from None
        except UnwritableFile as exc:
            raise Failure(str(exc)) from None


def _run(config: Path | tuple[Config, PluginHost], formats: str, write: Callable[..., Any],
         *args: Any, **kwargs: Any) -> Any:  # fmt: skip
    """Load the config, check ``--format``, then ``write(settings, *args, host=host, **kwargs)``."""
    settings, host = load(config) if isinstance(config, Path) else config
    check_formats(host, formats)
    with _errors():
        return write(settings, *args, formats=formats, host=host, **kwargs)


def _echo_files(files: dict[str, Path]) -> None:
    for name, path in files.items():
        click.echo(f"{name}: {path}")


@click.group("slm", context_settings=HELP_OPTIONS)
def slm() -> None:
    """Service level management (seed 0601): catalogue, SLA, SLA changes, yearly review."""


@slm.command("catalogue")
@CONFIG
@_DOCUMENT
def catalogue_cmd(config: Path, formats: str, out_dir: Path, language: str, provider: str) -> None:
    """Render the service catalogue (《运维服务目录》): every service, its owner, service
    hours, the SLAs covering it with their targets, and the projects using it."""
    from itsskit.slm import write_catalogue

    _echo_files(_run(config, formats, write_catalogue, out_dir, language=language,
                     provider=provider))  # fmt: skip


@slm.command("agreement")
@CONFIG
@_PROJECT
@click.option("--version", "version", default=None,
              help="SLA version or [slas.NAME] (default: the version in force today).")  # fmt: skip
@_DOCUMENT
def agreement_cmd(
    config: Path, project_id: str, version: str | None, formats: str, out_dir: Path,
    language: str, provider: str,
) -> None:  # fmt: skip
    """Render a project's service level agreement with every §5.2.3 content from the
    configuration; what it lacks is shown as a 【待填写：…】 prompt."""
    from itsskit.slm import write_agreement

    _echo_files(_run(config, formats, write_agreement, project_id, out_dir, version=version,
                     language=language, provider=provider))  # fmt: skip


@slm.command("diff")
@CONFIG
@_PROJECT
@click.option("--from", "before", default=None,
              help="Earlier SLA version or [slas.NAME] (default: the one before --to).")  # fmt: skip
@click.option("--to", "after", default=None,
              help="Later SLA version or [slas.NAME] (default: the latest).")  # fmt: skip
@_DOCUMENT
def diff_cmd(
    config: Path, project_id: str, before: str | None, after: str | None, formats: str,
    out_dir: Path, language: str, provider: str,
) -> None:  # fmt: skip
    """Render the change record between two versions of a project's SLA (targets, hours,
    terms), to put the change through change management."""
    from itsskit.slm import write_sla_change

    _echo_files(_run(config, formats, write_sla_change, project_id, out_dir, before=before,
                     after=after, language=language, provider=provider))  # fmt: skip


@slm.command("review")
@CONFIG
@_PROJECT
@click.option("--year", type=click.IntRange(1000, 9999), required=True, help="The year reviewed.")
@AT
@click.option("--review-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None,
              help="Needs and proposals (default: <notes_dir>/review-<year>.toml).")  # fmt: skip
@click.option("--improvements-out", type=click.Path(dir_okay=False, path_type=Path),
              default=None,
              help="Also write the proposals as an [[improvements]] TOML file.")  # fmt: skip
@FORMATS
@out_dir(required=False)
@LANGUAGE
@STRICT
def review_cmd(
    config: Path, project_id: str, year: int, at_text: str | None, review_file: Path | None,
    improvements_out: Path | None, formats: str, out_dir: Path, language: str, strict: bool,
) -> None:  # fmt: skip
    """Render the yearly SLA review: each target against what was achieved month by month,
    breaches and their causes, satisfaction, changed needs and proposed changes."""
    from itsskit.slm import write_review

    if improvements_out is not None:
        check_output_file(improvements_out, "--improvements-out")
    settings, host = load(config)
    timezone = settings.projects[project_id].timezone if project_id in settings.projects else None
    at = parse_at(at_text, timezone)
    result = _run((settings, host), formats, write_review, project_id, year, out_dir, at=at,
                  review_file=review_file, improvements_out=improvements_out,
                  language=language)  # fmt: skip
    for finding in result.findings:
        click.echo(f"finding: {describe_finding(finding)}", err=True)
    _echo_files(result.files)
    names = calendar_names(settings.projects[project_id], settings.calendars)
    warn_provisional(result.provisional_years, names, strict)

"""The ``itsskit`` command.

Exit codes: 0 ok, 1 findings or failures (data-quality findings, broken
plugins, an unreadable source), 2 usage or configuration error.

Commands are loaded lazily from :data:`COMMANDS`, so adding a command module is
one line there, and a broken command module cannot break ``--help`` of the others.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # the rest of the library loads when a command runs, not for --help
    from itsskit.config import Config
    from itsskit.models import DataQualityFinding, Project, RecordSet
    from itsskit.periods import Period
    from itsskit.plugins import PluginHost

__all__ = [
    "COMMANDS",
    "EXIT_FINDINGS",
    "EXIT_OK",
    "EXIT_USAGE",
    "HELP_OPTIONS",
    "Failure",
    "UsageProblem",
    "atomic_write",
    "check_formats",
    "check_output_file",
    "describe_finding",
    "parse_at",
    "parse_period",
    "load",
    "main",
    "print_table",
    "progress",
    "project_of",
    "read_records",
    "reported_errors",
    "warn_provisional",
    "warn_without_sources",
]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
#: Set to show the traceback of an unexpected error.
DEBUG_ENV = "ITSSKIT_DEBUG"

#: Command name -> "module:attribute" of its click command or group.
COMMANDS: dict[str, str] = {
    "plugins": "itsskit.cli.plugins_cmd:plugins",
    "sources": "itsskit.cli.sources_cmd:sources",
    "sla": "itsskit.cli.sla_cmd:sla",
    "kpi": "itsskit.cli.kpi_cmd:kpi",
    "report": "itsskit.cli.report_cmd:report",
    "quality": "itsskit.cli.quality_cmd:quality",
    "calendar": "itsskit.cli.calendar_cmd:calendar",
    "slm": "itsskit.cli.slm_cmd:slm",
    "convert": "itsskit.cli.convert_cmd:convert",
}
#: The one-line help of each command in ``itsskit --help`` (so listing the commands
#: imports none of them; a test checks each against its command's own help).
SHORT_HELP: dict[str, str] = {
    "calendar": "Business calendars: holidays, make-up working days and where they come from.",
    "convert": "Write source NAME of CONFIG (CSV, JSON Lines, Excel, ServiceNow ...) as Parquet.",
    "kpi": "Compute the KPIs of a period from the records the config's sources name.",
    "plugins": "List plugins: name, version, hooks and origin; then failures (exit 1 if any).",
    "quality": "Quality management (seed 0403): indicators, annual report, surveys, audit, review.",
    "report": "Service reports (SPEC §5): build them from a configuration file.",
    "sla": "SLA measurement in business time.",
    "slm": "Service level management (seed 0601): catalogue, SLA, SLA changes, yearly review.",
    "sources": "Data sources named in a configuration file.",
}


class UsageProblem(click.ClickException):
    """A configuration or usage error: printed as ``Error: ...``, exit code 2."""

    exit_code = EXIT_USAGE


class Failure(click.ClickException):
    """The work could not be done (an unreadable source ...): exit code 1."""

    exit_code = EXIT_FINDINGS


def _short_help(name: str, limit: int) -> str:
    """The command's line of :data:`SHORT_HELP`, shortened as click shortens help."""
    return click.Command(name, help=SHORT_HELP.get(name, "")).get_short_help_str(limit)


class _LazyGroup(click.Group):
    """A group whose subcommands are imported from :data:`COMMANDS` when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *super().list_commands(ctx)})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands with :data:`SHORT_HELP`, importing none of them."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max((len(name) for name in names), default=0)
        rows = [(n, _short_help(n, limit)) for n in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        module_name, _, attribute = COMMANDS[cmd_name].partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{COMMANDS[cmd_name]} is not a click command")
        return command

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; an unexpected error is one line, never a traceback.

        ``ITSSKIT_DEBUG=1`` shows the traceback instead.
        """
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if os.environ.get(DEBUG_ENV):
                raise
            detail = " ".join(f"{type(exc).__name__}: {exc}".split())
            raise Failure(
                f"unexpected error: {detail[:500]} (set {DEBUG_ENV}=1 for the traceback)"
            ) from None


#: ``-h`` and ``--help`` on every command, however it is reached.
HELP_OPTIONS: dict[str, Any] = {"help_option_names": ["-h", "--help"]}


@click.group("itsskit", cls=_LazyGroup, context_settings=HELP_OPTIONS)
@click.version_option(package_name="itsskit", prog_name="itsskit")
def main() -> None:
    """itsskit: SLA measurement, KPIs and service reports under ITSS (GB/T 28827).

    Exit codes: 0 ok, 1 findings or failures, 2 usage or configuration error.
    """


# -------------------------------------------------------------- shared helpers


def load(config_path: str | Path) -> tuple[Config, PluginHost]:
    """The plugin host and the checked configuration; config errors exit with code 2.

    Plugins that failed to load are reported on stderr as warnings.
    """
    from itsskit.config import ConfigError, load_config
    from itsskit.plugins import PluginHost

    host = PluginHost.create()
    for failure in host.failures:
        click.echo(f"warning: plugin {failure}", err=True)
    try:
        return load_config(config_path, host), host
    except ConfigError as exc:
        raise UsageProblem(str(exc)) from None


def project_of(config: Config, project_id: str) -> Project:
    """The ``--project`` of ``config``; an unknown one is a usage error listing the known ones."""
    try:
        return config.project(project_id)
    except KeyError as exc:
        raise UsageProblem(f"--project: {exc.args[0]}") from None


def parse_period(text: str, timezone: str | None = None) -> Period:
    """``--period`` (``2025-10``, ``2025-Q4``, ``2025``) in ``timezone``; a usage error if malformed."""
    from itsskit.periods import Period

    try:
        return Period.parse(text) if timezone is None else Period.parse(text, timezone)
    except ValueError as exc:
        raise UsageProblem(f"--period: {exc}") from None


def read_records(
    config: Config, project_id: str, host: PluginHost, period: Period | None = None
) -> RecordSet:
    """The project's records (:func:`itsskit.collect.collect`), its findings listed on stderr.

    ``period``, when given, is the span the sources are asked for.
    """
    window = None if period is None else (period.start, period.end)
    with reported_errors():
        from itsskit.collect import collect

        records = collect(config, project_id, host, window=window)
    for finding in records.findings:
        click.echo(f"finding: {describe_finding(finding)}", err=True)
    return records


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str = "") -> None:
    """A table on stdout: rich when stdout is a terminal, tab-separated lines otherwise."""
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(*headers, title=title or None)
        for row in rows:
            table.add_row(*(str(cell) for cell in row))
        Console().print(table)
        return
    if title:
        click.echo(f"# {title}")
    for row in (headers, *rows):
        click.echo("\t".join(str(cell) for cell in row))


def check_output_file(path: Path, option: str) -> None:
    """A usage error unless ``path`` can be a file: its folder exists and it is no folder."""
    if path.is_dir():
        raise UsageProblem(f"{option} {path}: is a folder; expected a file name")
    if not path.parent.is_dir():
        raise UsageProblem(f"{option} {path}: folder {path.parent} does not exist; create it first")


@contextmanager
def atomic_write(path: Path, *, newline: str | None = None) -> Iterator[IO[str]]:
    """:func:`itsskit.files.atomic_text`; a file that cannot be created is a clean error."""
    from itsskit.files import UnwritableFile, atomic_text

    try:
        with atomic_text(Path(path), newline=newline) as handle:
            yield handle
    except UnwritableFile as exc:
        raise Failure(str(exc)) from None


@contextmanager
def reported_errors() -> Iterator[None]:
    """A :class:`ConfigError` becomes exit code 2, an unreadable source or a failed plugin
    exit code 1."""
    from itsskit.config import ConfigError
    from itsskit.guard import PluginError
    from itsskit.records import SourceError

    try:
        yield
    except ConfigError as exc:
        raise UsageProblem(str(exc)) from None
    except (SourceError, PluginError) as exc:
        raise Failure(str(exc)) from None


def check_formats(host: PluginHost, formats: str) -> list[str]:
    """The renderer names of ``--format``; a usage error names an unknown one."""
    from itsskit.report.output import parse_formats  # the report machinery loads on use

    try:
        names = parse_formats(formats)
        for name in names:
            host.renderer_class(name)
    except (KeyError, ValueError) as exc:
        raise UsageProblem(f"--format: {exc.args[0] if exc.args else exc}") from None
    return names


def warn_without_sources(config: Config, project_id: str) -> None:
    """A warning on stderr when the project reads no records (``sources`` empty)."""
    if not config.projects[project_id].sources:
        click.echo(
            f"warning: {config.path}: projects.{project_id}.sources is empty: "
            "no records to measure; expected a list of [sources.NAME] names",
            err=True,
        )


def warn_provisional(
    years: Sequence[int], calendars: Sequence[str], strict: bool, exit_now: bool = True
) -> bool:
    """ONE warning on stderr when results rest on provisional calendar years.

    Returns whether ``--strict`` should fail; with ``exit_now`` it exits 1 itself.
    """
    if not years:
        return False
    from itsskit.provisional import describe

    click.echo(f"warning: {describe(years, calendars)}", err=True)
    if strict and exit_now:
        click.get_current_context().exit(EXIT_FINDINGS)
    return strict


def parse_at(text: str | None, timezone: str | None = None) -> datetime | None:
    """``--at`` as an aware datetime, None when not given (:func:`itsskit.times.parse_instant`).

    A time without a UTC offset is read in ``timezone`` (the project's); with
    no timezone to read it in, or outside the supported years, it is a usage error.
    """
    if text is None:
        return None
    from itsskit.times import parse_instant

    try:
        return parse_instant(text, timezone)
    except ValueError as exc:
        raise UsageProblem(f"--at {exc}") from None


class Progress:
    """What :func:`progress` yields: ``step()`` counts work, ``describe()`` names it."""

    def __init__(self, bar: Any = None, task: Any = None) -> None:
        self._bar, self._task, self._pending = bar, task, 0

    def step(self, count: int = 1) -> None:
        """Count ``count`` more units of work done (shown in batches, cheaply)."""
        self._pending += count
        if self._bar is not None and self._pending >= 1000:
            self.flush()

    def describe(self, text: str, completed: int | None = None) -> None:
        """Show ``text`` (and, when known, how many units are done)."""
        if self._bar is not None:
            self.flush()
            self._bar.update(self._task, description=text, completed=completed)

    def flush(self) -> None:
        """Show the work counted so far."""
        if self._bar is not None and self._pending:
            self._bar.update(self._task, advance=self._pending)
        self._pending = 0


@contextmanager
def progress(description: str, total: int | None = None) -> Iterator[Progress]:
    """A rich progress bar on stderr while it is a terminal; silent otherwise."""
    if not sys.stderr.isatty():
        yield Progress()
        return
    from rich.console import Console
    from rich.progress import Progress as Bar

    with Bar(console=Console(stderr=True), transient=True) as bar:
        shown = Progress(bar, bar.add_task(description, total=total))
        yield shown
        shown.flush()


def describe_finding(finding: DataQualityFinding) -> str:
    """``source, row N, record ID: reason`` (unknown parts left out)."""
    where = [finding.source] if finding.source else []
    if finding.row is not None:
        where.append(f"row {finding.row}")
    if finding.record_id:
        where.append(f"record {finding.record_id}")
    return f"{', '.join(where)}: {finding.reason}" if where else finding.reason

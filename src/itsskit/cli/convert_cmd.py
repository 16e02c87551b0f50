"""``itsskit convert``: a configured source as Parquet."""

from __future__ import annotations

from pathlib import Path

import click

from itsskit.cli import (
    EXIT_FINDINGS,
    EXIT_OK,
    HELP_OPTIONS,
    describe_finding,
    load,
    reported_errors,
)
from itsskit.services.convert import convert_source


@click.command(context_settings=HELP_OPTIONS)
@click.argument("config", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", "source_name", required=True, help="Source name ([sources.NAME]).")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder to create (must not exist, or be empty).",
)
@click.option("--strict", is_flag=True, help="Exit 1 when there are data-quality findings.")
def convert(config: Path, source_name: str, out: Path, strict: bool) -> None:
    """Write source NAME of CONFIG (CSV, JSON Lines, Excel, ServiceNow ...) as Parquet.

    Tickets and surveys become a dataset partitioned by project
    (OUT/project=<id>/part-0.parquet), outages and changes OUT/part-0.parquet;
    read them with plugin = "parquet", dataset = OUT. Rows that cannot be used are
    listed on stderr as findings and left out (exit 0 unless --strict).
    """
    settings, host = load(config)
    with reported_errors():
        result = convert_source(settings, source_name, out, host=host)
    for finding in result.findings:
        click.echo(f"finding: {describe_finding(finding)}", err=True)
    if result.findings:
        click.echo(f"{len(result.findings)} data-quality finding(s)", err=True)
    click.echo(
        f"{result.records} {result.kind} record(s) of source {result.source!r} written to "
        f"{result.out} ({len(result.files)} file(s)); read them with "
        f'plugin = "parquet", kind = "{result.kind}", dataset = "{result.out}"'
    )
    click.get_current_context().exit(EXIT_FINDINGS if strict and result.findings else EXIT_OK)

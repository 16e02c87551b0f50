"""``itsskit sources``: check the configured data sources."""

from __future__ import annotations

from pathlib import Path

import click

from itsskit.cli import (
    EXIT_FINDINGS,
    EXIT_OK,
    HELP_OPTIONS,
    describe_finding,
    load,
    print_table,
    progress,
    reported_errors,
)
from itsskit.cli.options import CONFIG
from itsskit.services.sources import check_sources


@click.group(context_settings=HELP_OPTIONS)
def sources() -> None:
    """Data sources named in a configuration file."""


@sources.command()
@CONFIG
def check(config: Path) -> None:
    """Read every source of CONFIG; print record counts and data-quality findings.

    Exit 1 if any record could not be used (a finding) or a source cannot be read.
    """
    settings, host = load(config)
    if not settings.sources:
        click.echo(f"warning: {settings.path}: no [sources.NAME] table, nothing to read", err=True)
    with reported_errors(), progress("records") as shown:

        def read_one(name: str) -> None:
            shown.describe(f"reading {name}")
            shown.step()

        counts = check_sources(settings, host=host, on_item=read_one)
    rows = [(c.name, c.plugin, c.kind, c.records, len(c.findings)) for c in counts]
    print_table(("source", "plugin", "kind", "records", "findings"), rows, title="sources")
    findings = [finding for count in counts for finding in count.findings]
    for finding in findings:
        click.echo(f"finding: {describe_finding(finding)}", err=True)
    if findings:
        click.echo(f"{len(findings)} data-quality finding(s)", err=True)
    click.get_current_context().exit(EXIT_FINDINGS if findings else EXIT_OK)

"""``itsskit sources``: check the configured data sources."""

from __future__ import annotations

from collections import Counter
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
from itsskit.collect import duplicate_finding, read_source
from itsskit.models import DataQualityFinding


@click.group(context_settings=HELP_OPTIONS)
def sources() -> None:
    """Data sources named in a configuration file."""


@sources.command()
@click.argument("config", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check(config: Path) -> None:
    """Read every source of CONFIG; print record counts and data-quality findings.

    Exit 1 if any record could not be used (a finding) or a source cannot be read.
    """
    settings, host = load(config)
    if not settings.sources:
        click.echo(f"warning: {settings.path}: no [sources.NAME] table, nothing to read", err=True)
    rows = []
    findings: list[DataQualityFinding] = []
    with reported_errors(), progress("records") as shown:
        for name, source in sorted(settings.sources.items()):
            shown.describe(f"reading {name}")
            counts: Counter[str] = Counter()
            ids: set[str] = set()
            for item in read_source(settings, name, host):
                shown.step()
                if not isinstance(item, DataQualityFinding) and item.id in ids:
                    item = duplicate_finding(item, name)
                if isinstance(item, DataQualityFinding):
                    findings.append(item)
                    counts["findings"] += 1
                else:
                    ids.add(item.id)
                    counts[source.kind] += 1
            rows.append((name, source.plugin, source.kind, counts[source.kind], counts["findings"]))
    print_table(("source", "plugin", "kind", "records", "findings"), rows, title="sources")
    for finding in findings:
        click.echo(f"finding: {describe_finding(finding)}", err=True)
    if findings:
        click.echo(f"{len(findings)} data-quality finding(s)", err=True)
    click.get_current_context().exit(EXIT_FINDINGS if findings else EXIT_OK)

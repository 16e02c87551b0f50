"""``itsskit plugins``: the registered plugins and the ones that failed."""

from __future__ import annotations

import click

from itsskit.cli import EXIT_FINDINGS, EXIT_OK, HELP_OPTIONS, print_table
from itsskit.plugins import PluginHost


@click.command(context_settings=HELP_OPTIONS)
def plugins() -> None:
    """List plugins: name, version, hooks and origin; then failures (exit 1 if any).

    Set ITSSKIT_DISABLE_PLUGINS=1 to load no external plugin, or to a
    comma-separated list of entry-point names to skip.
    """
    host = PluginHost.create()
    rows = [
        (info.name, info.version or "-", ", ".join(info.hooks) or "-", info.origin)
        for info in host.plugin_infos()
    ]
    print_table(("name", "version", "hooks", "origin"), rows, title="plugins")
    for failure in host.failures:
        click.echo(f"failed: {failure}", err=True)
    click.get_current_context().exit(EXIT_FINDINGS if host.failures else EXIT_OK)

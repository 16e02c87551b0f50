"""Read every configured source and count what it gives (``itsskit sources check``)."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from itsskit.collect import duplicate_finding, read_source
from itsskit.config import Config
from itsskit.models import DataQualityFinding
from itsskit.plugins import PluginHost

__all__ = ["SourceCount", "check_sources"]


@attrs.frozen(kw_only=True)
class SourceCount:
    """One source: its plugin and kind, how many records it gave, its findings."""

    name: str
    plugin: str
    kind: str
    records: int
    findings: tuple[DataQualityFinding, ...]


def check_sources(
    config: Config,
    *,
    host: PluginHost,
    on_item: Callable[[str], None] | None = None,
) -> list[SourceCount]:
    """Read every source of ``config`` (sorted by name) and count records and findings.

    A record whose id the same source already gave is a finding. ``on_item`` is
    called with the source's name for every item read (progress). Raises what
    :func:`itsskit.collect.read_source` raises for an unreadable source.
    """
    counts = []
    for name, source in sorted(config.sources.items()):
        records, ids, findings = 0, set[str](), list[DataQualityFinding]()
        for item in read_source(config, name, host):
            if on_item is not None:
                on_item(name)
            if not isinstance(item, DataQualityFinding) and item.id in ids:
                item = duplicate_finding(item, name)
            if isinstance(item, DataQualityFinding):
                findings.append(item)
            else:
                ids.add(item.id)
                records += 1
        counts.append(
            SourceCount(
                name=name,
                plugin=source.plugin,
                kind=source.kind,
                records=records,
                findings=tuple(findings),
            )
        )
    return counts

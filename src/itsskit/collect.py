"""Collecting a project's records from the sources its configuration names (SPEC §9).

Tickets and surveys whose ``project`` is another project are skipped; those
without one are assigned this project. Outages and changes count for the
services the project lists (all of them when it lists none). Findings from the
sources are kept, tagged with the source name.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import Any

import attrs

from itsskit.config import Config, ConfigError, source_options
from itsskit.contracts import Record, Source
from itsskit.models import (
    Change,
    DataQualityFinding,
    Outage,
    Project,
    RecordSet,
    ReportSubmission,
    SurveyResponse,
    Ticket,
)
from itsskit.plugins import PluginError, PluginHost
from itsskit.records import SourceError
from itsskit.report_plan import expected_submissions, with_expected

__all__ = [
    "SourceCache",
    "Window",
    "collect",
    "open_source",
    "read_source",
    "report_submissions",
    "stored_submissions",
]

#: The span ``[start, end)`` of time the caller needs records for (see
#: :attr:`itsskit.contracts.SourceContext.window`); None: everything.
Window = tuple[datetime, datetime] | None


def open_source(
    config: Config, source_name: str, host: PluginHost, *, window: Window = None
) -> Source:
    """The configured source ``source_name``, ready to ``read()``, told the ``window``.

    Raises :class:`ConfigError` for an unknown source or plugin, or bad options.
    """
    if source_name not in config.sources:
        known = ", ".join(sorted(config.sources)) or "none defined"
        raise ConfigError(
            [f"{config.path}: sources: unknown source {source_name!r} (known: {known})"]
        )
    source = config.sources[source_name]
    try:
        cls = host.source_class(source.kind, source.plugin)
    except KeyError as exc:
        raise ConfigError([f"{config.path}: sources.{source_name}.plugin: {exc.args[0]}"]) from None
    options = source_options(source, cls, config.path)
    context = attrs.evolve(config.source_context(source_name), window=window)
    label = f"source {source_name!r} (plugin {source.plugin!r})"
    return host.guard.call(label, lambda: cls(options, context))


def read_source(
    config: Config, source_name: str, host: PluginHost, *, window: Window = None
) -> Iterator[Record | DataQualityFinding]:
    """Stream a source's records and findings (findings tagged with the source name).

    A source that cannot be read, hangs past the plugin timeout, exits or yields
    something else than records and findings raises
    :class:`itsskit.records.SourceError` naming it.
    """
    source = open_source(config, source_name, host, window=window)
    plugin = config.sources[source_name].plugin
    try:
        for item in host.read(source):
            if isinstance(item, DataQualityFinding):
                item = _tagged(item, source_name)
            yield item
    except ConfigError:
        raise
    except PluginError as exc:  # names the source and its plugin
        raise SourceError(str(exc)) from None
    except SourceError as exc:
        if f"source {source_name!r}" in str(exc):
            raise
        raise SourceError(f"source {source_name!r} (plugin {plugin!r}): {exc}") from None
    except Exception as exc:  # noqa: BLE001 - any plugin failure becomes one clear error
        raise SourceError(f"source {source_name!r} (plugin {plugin!r}) failed: {exc}") from exc


class SourceCache:
    """Each source read once, however many projects name it (the cost of a command that
    covers many projects grows with the records, not records x projects).

    Lives for one call (e.g. :func:`itsskit.services.kpi_figures`): pass it to
    :func:`collect` for every project. Items are kept per source name and window.
    """

    def __init__(self, config: Config, host: PluginHost) -> None:
        self.config = config
        self.host = host
        self._items: dict[tuple[str, Window], _Split] = {}
        self._tables: dict[str, Any] = {}

    def items(
        self, source_name: str, window: Window = None, project_id: str | None = None
    ) -> Sequence[Record | DataQualityFinding]:
        """What :func:`read_source` yields for ``source_name``, read on the first call only.

        With ``project_id``: without the tickets and surveys of other projects
        (split once, so each project's share costs its own records only).
        """
        key = (source_name, window)
        if key not in self._items:
            items = list(read_source(self.config, source_name, self.host, window=window))
            self._items[key] = _Split.of(items)
        split = self._items[key]
        return split.items if project_id is None else split.of_project(project_id)

    def table(self, source_name: str) -> Any:
        """The source's tickets as one Arrow table when its plugin offers them as they are
        (a ``read_table()`` method returning a table), else None; read once."""
        if source_name not in self._tables:
            self._tables[source_name] = _read_table(self.config, source_name, self.host)
        return self._tables[source_name]


@attrs.frozen
class _Split:
    """A source's items, and the positions of those tied to one project."""

    items: list[Record | DataQualityFinding]
    shared: list[int]  # findings and records of every project (or of none)
    by_project: dict[str, list[int]]

    @classmethod
    def of(cls, items: list[Record | DataQualityFinding]) -> _Split:
        shared: list[int] = []
        by_project: dict[str, list[int]] = {}
        for position, item in enumerate(items):
            owner = item.project if isinstance(item, Ticket | SurveyResponse) else None
            (shared if owner is None else by_project.setdefault(owner, [])).append(position)
        return cls(items, shared, by_project)

    def of_project(self, project_id: str) -> list[Record | DataQualityFinding]:
        """The items in read order, less the records of other projects."""
        positions = heapq.merge(self.shared, self.by_project.get(project_id, []))
        return [self.items[position] for position in positions]


def _read_table(config: Config, source_name: str, host: PluginHost) -> Any:
    source = open_source(config, source_name, host)
    read_table = getattr(source, "read_table", None)
    if read_table is None:
        return None
    plugin = config.sources[source_name].plugin
    try:
        return read_table()
    except ConfigError:
        raise
    except SourceError as exc:
        raise SourceError(f"source {source_name!r} (plugin {plugin!r}): {exc}") from None
    except Exception as exc:  # noqa: BLE001 - any plugin failure becomes one clear error
        raise SourceError(f"source {source_name!r} (plugin {plugin!r}) failed: {exc}") from exc


def collect(
    config: Config,
    project_id: str,
    host: PluginHost,
    *,
    window: Window = None,
    cache: SourceCache | None = None,
    skip: Collection[str] = (),
) -> RecordSet:
    """Every record of project ``project_id``: from the sources it names, and its
    report submissions (on-time KPI): those in the report store, plus every report
    of its report list due in ``window`` that the store does not hold (never built
    or never saved: late once due, see :mod:`itsskit.report_plan`).

    ``window`` tells the sources which span of time is needed (monitoring
    sources query only it); records outside it may still be returned. With a
    ``cache``, a source another project already read is not read again. Sources
    named in ``skip`` are left out (the caller has their records as columns).

    A record whose id was already read (from any of the project's sources) is a
    data-quality finding; the first one is kept.
    """
    project = config.project(project_id)
    kept: dict[type, list[Any]] = {Ticket: [], Outage: [], Change: [], SurveyResponse: []}
    seen: set[tuple[type, str]] = set()
    findings: list[DataQualityFinding] = []
    for source_name in project.sources:
        if source_name in skip:
            continue
        items = (
            cache.items(source_name, window, project.id)
            if cache is not None
            else read_source(config, source_name, host, window=window)
        )
        for item in items:
            if isinstance(item, DataQualityFinding):
                findings.append(item)
                continue
            record = _for_project(item, project)
            if record is None:
                continue
            if (type(record), record.id) in seen:
                findings.append(duplicate_finding(record, source_name))
                continue
            seen.add((type(record), record.id))
            kept[type(record)].append(record)
    return RecordSet(
        tickets=tuple(kept[Ticket]),
        outages=tuple(kept[Outage]),
        changes=tuple(kept[Change]),
        surveys=tuple(kept[SurveyResponse]),
        submissions=report_submissions(config, project.id, window),
        findings=tuple(findings),
    )


def _for_project(record: Record, project: Project) -> Record | None:
    """The record as it counts for ``project``, or None when it is another project's.

    Tickets and surveys carry their project (none: this one); outages and
    changes count for the services the project lists (all, when it lists none).
    """
    if isinstance(record, Ticket | SurveyResponse):
        if record.project == project.id:
            return record
        return attrs.evolve(record, project=project.id) if record.project is None else None
    return record if _serves(project, record.service) else None


def report_submissions(
    config: Config, project_id: str, window: Window = None
) -> tuple[ReportSubmission, ...]:
    """The project's stored submissions and, for ``window``, its expected reports not stored."""
    stored = stored_submissions(config, project_id)
    if window is None:
        return stored
    specs = [spec for spec in config.reports.values() if spec.project == project_id]
    return with_expected(stored, expected_submissions(specs, config.projects, window))


def stored_submissions(
    config: Config, project_id: str | None = None, *, url: str | None = None
) -> tuple[ReportSubmission, ...]:
    """The report submissions in the report store (one project's, or all); none without a store.

    The store is ``url``, else ``[storage] url``; without either, ``itsskit.db``
    beside the configuration is read only when that file exists (reading creates nothing).
    """
    default = config.base_dir / "itsskit.db"
    if not url and not config.storage_url and not default.is_file():
        return ()
    from itsskit.storage import ReportStore  # SQLAlchemy is loaded only when there is a store

    with ReportStore.open(url or config.database_url) as store:
        subs = store.all_submissions()
    return tuple(sub for sub in subs if project_id is None or sub.project == project_id)


def duplicate_finding(record: Record, source_name: str) -> DataQualityFinding:
    """The finding for a record whose id was already read."""
    kind = type(record).__name__.lower()
    return DataQualityFinding(
        record_id=record.id,
        reason=f"duplicate {kind} id {record.id!r}: expected each id once; "
        "the first record is kept, this one is skipped",
        source=source_name,
    )


def _serves(project: Project, service: str) -> bool:
    return not project.services or service in project.services


def _tagged(finding: DataQualityFinding, source_name: str) -> DataQualityFinding:
    """The finding with the source name first (a file the source gave is kept beside it)."""
    if finding.source in ("", source_name):
        return attrs.evolve(finding, source=source_name)
    return attrs.evolve(finding, source=f"{source_name} ({finding.source})")

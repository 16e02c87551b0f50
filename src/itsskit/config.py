"""The TOML configuration file: calendars, SLAs, catalogue, sources, projects, reports.

Three optional single tables set up the report lifecycle: ``[storage] url``
(a SQLAlchemy URL; default ``sqlite:///<config dir>/itsskit.db``),
``[distribution] channels = ["smtp", "folder"]`` (or 0.1.0's single
``channel = "smtp"``) with each channel's ``[distribution.<plugin>]`` options, and
``[archive] store = "folder"`` (the default) with ``[archive.folder]`` options.
``[plugins] timeout = "60s"`` bounds every plugin call (see ``docs/plugins.md``).

:func:`load_config` reads the file (see ``docs/configuration.md``) into a frozen
:class:`Config`. Tables are structured with the one converter
(:data:`itsskit.converter.converter`, unknown keys are errors) and cross-references
are checked. Every problem is collected; :class:`ConfigError` lists them all,
each naming the file, the key path (``slas.gold.targets.resolution.P2``) and
what was expected.
"""

from __future__ import annotations

import json
import re
import tomllib
import typing
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
from cattrs.errors import BaseValidationError, ForbiddenExtraKeysError
from cattrs.v import format_exception, transform_error

from itsskit.contracts import (
    RECORD_KINDS,
    ArchiveStore,
    Channel,
    OptionError,
    Source,
    SourceContext,
)
from itsskit.converter import make_converter
from itsskit.durations import parse_duration
from itsskit.files import MAX_NAME_BYTES, is_safe_name
from itsskit.models import (
    DEFAULT_RESOLVED_STATUSES,
    LANGUAGES,
    SLA,
    CalendarSpec,
    Customer,
    Indicator,
    Project,
    ReportSpec,
    Service,
    Targets,
)
from itsskit.schedule_files import ScheduleFileError, read_schedule
from itsskit.schedules import YearSchedule
from itsskit.times import DEFAULT_TIMEZONE

if TYPE_CHECKING:
    from itsskit.plugins import PluginHost

__all__ = [
    "Config",
    "ConfigError",
    "PluginSetting",
    "SourceConfig",
    "load_config",
    "make_archive_store",
    "make_channel",
    "make_channels",
    "plugin_options",
    "source_options",
]

T = TypeVar("T")
TABLES = (
    "calendars", "slas", "services", "customers", "sources", "projects", "reports", "indicators",
    "renderers",
)  # fmt: skip
#: Single tables (not tables of tables): the report store, distribution and archive.
SETTINGS = ("storage", "distribution", "archive", "plugins")
HOST_KEYS = ("plugin", "kind")
PRIORITY_KEY = re.compile(r"^P[1-9]\d*$")
#: Tables whose ids name files and folders (report files, archive folders): safe names only.
FILE_NAME_IDS = ("projects", "reports", "services")


class ConfigError(Exception):
    """A configuration problem; ``errors`` holds one ``file: key.path: expectation`` line each."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@attrs.frozen(kw_only=True)
class SourceConfig:
    """A ``[sources.NAME]`` table: the plugin, the record kind and the plugin's options."""

    name: str
    plugin: str
    kind: str
    options: Mapping[str, Any] = attrs.field(factory=dict)

    @property
    def timezone(self) -> str:
        """The zone for naive times (the ``timezone`` option, default Asia/Shanghai)."""
        value = self.options.get("timezone")
        return value if isinstance(value, str) else DEFAULT_TIMEZONE

    def context(self, base_dir: Path) -> SourceContext:
        """What the host tells the source besides its options (paths relative to ``base_dir``)."""
        return SourceContext(
            name=self.name, kind=self.kind, base_dir=base_dir, timezone=self.timezone
        )


@attrs.frozen(kw_only=True)
class PluginSetting:
    """The plugin a ``[distribution]`` or ``[archive]`` table chooses, with its options table.

    ``table`` is ``distribution`` or ``archive``; ``options`` the raw
    ``[<table>.<plugin>]`` table (see :func:`plugin_options`).
    """

    table: str
    plugin: str
    options: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Config:
    """A loaded configuration file. Relative paths in it are relative to ``base_dir``."""

    path: Path
    base_dir: Path
    calendars: Mapping[str, CalendarSpec] = attrs.field(factory=dict)
    slas: Mapping[str, SLA] = attrs.field(factory=dict)
    services: Mapping[str, Service] = attrs.field(factory=dict)
    customers: Mapping[str, Customer] = attrs.field(factory=dict)
    sources: Mapping[str, SourceConfig] = attrs.field(factory=dict)
    projects: Mapping[str, Project] = attrs.field(factory=dict)
    reports: Mapping[str, ReportSpec] = attrs.field(factory=dict)
    indicators: Mapping[str, Indicator] = attrs.field(factory=dict)
    storage_url: str = ""
    #: ``[distribution] channels``: every channel a report is published through, in order.
    channels: tuple[PluginSetting, ...] = ()
    archive: PluginSetting = PluginSetting(table="archive", plugin="folder")
    #: ``[plugins] timeout`` in seconds; None: not configured (the host's default).
    plugin_timeout: float | None = None
    #: ``[renderers.FORMAT]``: each renderer's options (structured with its
    #: ``options_class`` when the config was loaded with a plugin host).
    renderers: Mapping[str, Any] = attrs.field(factory=dict)

    @property
    def distribution(self) -> PluginSetting | None:
        """The first distribution channel (0.1.0 had one); see :attr:`channels`."""
        return self.channels[0] if self.channels else None

    @property
    def database_url(self) -> str:
        """``[storage] url``, or the SQLite file ``itsskit.db`` beside the config file."""
        return self.storage_url or f"sqlite:///{self.base_dir / 'itsskit.db'}"

    def project(self, project_id: str) -> Project:
        """The project ``project_id``; ``KeyError`` lists the known ones."""
        try:
            return self.projects[project_id]
        except KeyError:
            raise KeyError(
                f"unknown project {project_id!r} (known: {_known(self.projects)})"
            ) from None

    def source_context(self, source_name: str) -> SourceContext:
        """What the host tells the source ``source_name`` besides its options."""
        return self.sources[source_name].context(self.base_dir)


# ------------------------------------------------------------- raw TOML tables


@attrs.frozen(kw_only=True)
class _RawTargets:
    response: dict[str, Any] = attrs.Factory(dict)
    resolution: dict[str, Any] = attrs.Factory(dict)
    turnaround: dict[str, Any] = attrs.Factory(dict)


@attrs.frozen(kw_only=True)
class _RawSLA:
    calendar: str
    version: str = "1"
    effective_from: date | None = None
    effective_to: date | None = None
    customer: str = ""
    services: tuple[str, ...] = ()
    targets: _RawTargets = attrs.Factory(_RawTargets)
    pause_statuses: tuple[str, ...] | None = None
    resolved_statuses: tuple[str, ...] = DEFAULT_RESOLVED_STATUSES
    response_pauses: bool = False
    priority_at: str = "resolution"
    availability: float | None = None
    max_failures: int | None = None
    max_failure_duration: Any = None
    report_period: str = "monthly"
    report_content: tuple[str, ...] = ()
    responsibilities: str = ""
    risks: str = ""
    interfaces: str = ""


@attrs.frozen(kw_only=True)
class _RawProject:
    name: str = ""
    customer: str = ""
    sla: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    manager: str = ""
    engineers: tuple[str, ...] = ()
    approver: str = ""
    timezone: str | None = None


@attrs.frozen(kw_only=True)
class _RawIndicator:
    kpi: str
    target: float
    comparison: str = ">="
    period: str = "monthly"
    owner: str = ""
    name: str = ""
    unit: str = ""
    targets: dict[str, float] = attrs.Factory(dict)


@attrs.frozen(kw_only=True)
class _RawStorage:
    url: str = ""


@attrs.frozen(kw_only=True)
class _RawPlugins:
    timeout: Any = None


# --------------------------------------------------------------------- loading


def load_config(path: str | Path, host: PluginHost | None = None) -> Config:
    """Read and check the configuration file at ``path``.

    With a ``host``, source plugins and calendar presets are checked too,
    each source's options are structured with its plugin's ``options_class``,
    and the host takes the ``[plugins] timeout`` and the ``[renderers.FORMAT]`` options.
    Raises :class:`ConfigError` listing every problem found.
    """
    path = Path(path).resolve()
    data = read_toml(path, "configuration file")
    loader = _Loader(path, host)
    config = loader.load(data)
    if loader.errors:
        raise ConfigError(loader.errors)
    if host is not None and config.plugin_timeout is not None:
        host.timeout = config.plugin_timeout
    if host is not None:
        for name, options in config.renderers.items():
            host.configure_renderer(name, options)
    return config


def plugin_options(setting: PluginSetting, options_class: type[T], config: Config) -> T:
    """Structure a distribution/archive setting's options (or raise :class:`ConfigError`).

    Relative paths in ``Path`` options are made absolute against the config file's folder.
    """
    errors: list[str] = []
    where = f"{setting.table}.{setting.plugin}"
    options = structure_or_errors(setting.options, options_class, where, errors)
    if options is None:
        raise ConfigError([f"{config.path}: {error}" for error in errors])
    return _resolve_paths(options, config.base_dir)


def make_channels(config: Config, host: PluginHost) -> tuple[Channel, ...]:
    """Every ``[distribution]`` channel with its options, in the configured order."""
    channels = []
    for setting in config.channels:
        try:
            cls = host.channel_class(setting.plugin)
        except KeyError as exc:
            raise ConfigError([f"{config.path}: distribution.channels: {exc.args[0]}"]) from None
        channels.append(host.channel(cls, plugin_options(setting, cls.options_class, config)))
    return tuple(channels)


def make_channel(config: Config, host: PluginHost) -> Channel | None:
    """The first ``[distribution]`` channel; None when none is configured.

    Kept from 0.1.0 (one channel); :func:`make_channels` gives all of them.
    """
    channels = make_channels(config, host)
    return channels[0] if channels else None


def make_archive_store(config: Config, host: PluginHost) -> ArchiveStore:
    """The ``[archive]`` store with its options (the ``folder`` store by default)."""
    setting = config.archive
    try:
        cls = host.store_class(setting.plugin)
    except KeyError as exc:
        raise ConfigError([f"{config.path}: archive.store: {exc.args[0]}"]) from None
    return host.store(cls, plugin_options(setting, cls.options_class, config))


def source_options(source: SourceConfig, cls: type[Source], config_path: Path) -> Any:
    """Structure a source's options with its plugin's ``options_class`` (or raise ConfigError)."""
    errors: list[str] = []
    options = structure_or_errors(
        source.options, cls.options_class, f"sources.{source.name}", errors
    )
    if errors:
        raise ConfigError([f"{config_path}: {error}" for error in errors])
    return options


@attrs.define
class _Loader:
    """Turns the parsed TOML document into a :class:`Config`, collecting errors."""

    path: Path
    host: PluginHost | None
    errors: list[str] = attrs.Factory(list)
    declared: dict[str, list[str]] = attrs.Factory(dict)  # table -> the names it defines

    def error(self, key: str, message: str) -> None:
        self.errors.append(f"{self.path}: {key}: {message}")

    def load(self, data: dict[str, Any]) -> Config:
        for key in data:
            if key not in TABLES + SETTINGS:
                self.error(key, f"unknown table (expected one of: {', '.join(TABLES + SETTINGS)})")
        tables = {name: self.tables(data, name) for name in TABLES}
        self.file_name_ids(tables)
        self.declared = {name: sorted(table) for name, table in tables.items()}
        calendars = self.each(tables, "calendars", self.calendar)
        slas = self.each(tables, "slas", lambda key, raw: self.sla(key, raw, calendars))
        services = self.each(tables, "services", self.named(Service))
        customers = self.each(tables, "customers", self.named(Customer))
        sources = self.each(tables, "sources", self.source)
        reports = self.each(tables, "reports", self.report)
        projects = self.each(
            tables, "projects", lambda key, raw: self.project(key, raw, slas, reports)
        )
        for report_id, report in reports.items():
            self.references(
                (report.project,), "projects", f"reports.{report_id}.project", "project"
            )
        return Config(
            path=self.path,
            base_dir=self.path.parent,
            calendars=calendars,
            slas=slas,
            services=services,
            customers=customers,
            sources=sources,
            projects=projects,
            reports=reports,
            indicators=self.each(tables, "indicators", self.indicator),
            storage_url=self.storage(data.get("storage", {})),
            channels=self.channels(data),
            archive=self.plugin_setting(data, "archive", "store", "folder")
            or PluginSetting(table="archive", plugin="folder"),
            plugin_timeout=self.plugins(data.get("plugins", {})),
            renderers=self.each(tables, "renderers", self.renderer),
        )

    def tables(self, data: Mapping[str, Any], name: str) -> dict[str, dict[str, Any]]:
        """The sub-tables of ``[name]``; anything that is not a table is an error."""
        value = data.get(name, {})
        if not isinstance(value, dict):
            self.error(name, "expected a table of tables ([" + name + ".NAME])")
            return {}
        tables: dict[str, dict[str, Any]] = {}
        for key, table in value.items():
            if isinstance(table, dict):
                tables[key] = table
            else:
                self.error(f"{name}.{key}", f"expected a table ([{name}.{key}])")
        return tables

    def file_name_ids(self, tables: Mapping[str, Mapping[str, Any]]) -> None:
        """Ids used in file names must be safe file names (:func:`itsskit.files.is_safe_name`)."""
        for name in FILE_NAME_IDS:
            for key in tables[name]:
                if not is_safe_name(key):
                    self.error(
                        f"{name}.{json.dumps(key, ensure_ascii=False)}",
                        "the id is used in file names: expected letters, digits, '_', '.', '-',"
                        f" '@' or '+' only, at most {MAX_NAME_BYTES} bytes, not starting or"
                        " ending with '.', not a reserved name such as CON or NUL",
                    )

    def each(
        self,
        tables: Mapping[str, dict[str, dict[str, Any]]],
        name: str,
        build: Callable[[str, dict[str, Any]], T | None],
    ) -> dict[str, T]:
        """``build(key, table)`` for every ``[name.KEY]``; a None result (an error) is left out."""
        built = {key: build(key, table) for key, table in tables[name].items()}
        return {key: value for key, value in built.items() if value is not None}

    def structure(self, data: Any, cls: type[T], key: str) -> T | None:
        return structure_or_errors(data, cls, key, self.errors, prefix=f"{self.path}: ")

    # ------------------------------------------------------------------- tables

    def calendar(self, key: str, raw: dict[str, Any]) -> CalendarSpec | None:
        raw = dict(raw)
        schedules = self.schedules(key, raw.pop("schedules", []))
        spec = self.structure(raw, CalendarSpec, f"calendars.{key}")
        if spec is None or schedules is None:
            return None
        spec = attrs.evolve(spec, schedules=schedules)
        if self.host is None:
            return spec
        try:
            self.host.calendar(spec)
        except KeyError as exc:
            self.error(f"calendars.{key}.preset", str(exc.args[0]))
            return None
        except ValueError as exc:
            self.error(f"calendars.{key}", str(exc))
            return None
        return spec

    def schedules(self, key: str, paths: Any) -> tuple[YearSchedule, ...] | None:
        """Read ``calendars.KEY.schedules`` (files relative to the config); None on errors."""
        where = f"calendars.{key}.schedules"
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            self.error(where, 'expected a list of file paths, e.g. ["holidays/2027.json"]')
            return None
        first_of: dict[int, int] = {}  # year -> index of its file
        schedules: list[YearSchedule] = []
        for index, text in enumerate(paths):
            try:
                schedule = read_schedule(self.path.parent / Path(text).expanduser())
            except ScheduleFileError as exc:
                self.error(f"{where}[{index}]", str(exc))
                continue
            if schedule.year in first_of:
                self.error(
                    f"{where}[{index}]",
                    f"a second schedule for {schedule.year} (the first is "
                    f"{where}[{first_of[schedule.year]}]); expected one file per year",
                )
                continue
            first_of[schedule.year] = index
            schedules.append(schedule)
        return tuple(schedules) if len(schedules) == len(paths) else None

    def sla(
        self, key: str, raw: dict[str, Any], calendars: Mapping[str, CalendarSpec]
    ) -> SLA | None:
        where = f"slas.{key}"
        spec = self.structure(raw, _RawSLA, where)
        if spec is None:
            return None
        self.references((spec.calendar,), "calendars", f"{where}.calendar", "calendar")
        calendar = calendars.get(spec.calendar)  # None: unknown, or reported under calendars
        targets = Targets(
            response=self.durations(spec.targets.response, f"{where}.targets.response"),
            resolution=self.durations(spec.targets.resolution, f"{where}.targets.resolution"),
            turnaround=self.durations(spec.targets.turnaround, f"{where}.targets.turnaround"),
        )
        max_failure_seconds = None
        if spec.max_failure_duration is not None:
            max_failure_seconds = self.duration(
                spec.max_failure_duration, f"{where}.max_failure_duration"
            )
        if not (targets.response or targets.resolution or targets.turnaround):
            self.error(
                f"{where}.targets",
                f"no targets: expected [{where}.targets.response], [{where}.targets.resolution]"
                ' and/or [...turnaround] mapping priorities to durations, e.g. P1 = "4h"',
            )
        if not self.sla_fields(spec, where) or calendar is None:
            return None
        fields = attrs.asdict(spec, recurse=False)
        del fields["calendar"], fields["targets"], fields["max_failure_duration"]
        try:
            return SLA(
                id=key,
                calendar=calendar,
                targets=targets,
                max_failure_seconds=max_failure_seconds,
                **fields,
            )
        except (TypeError, ValueError) as exc:
            self.error(where, str(exc))
            return None

    def sla_fields(self, spec: _RawSLA, where: str) -> bool:
        """Check the SLA's scalar fields; False (errors recorded) when one is wrong."""
        problems = []
        if spec.priority_at not in ("resolution", "opening"):
            problems.append(
                ("priority_at", f"expected 'resolution' or 'opening', got {spec.priority_at!r}")
            )
        if spec.availability is not None and not 0 <= spec.availability <= 1:
            problems.append(
                (
                    "availability",
                    f"expected a fraction in [0, 1] (0.995 for 99.5 %), got {spec.availability}",
                )
            )
        if spec.max_failures is not None and spec.max_failures < 0:
            problems.append(("max_failures", f"expected 0 or more, got {spec.max_failures}"))
        if spec.effective_from and spec.effective_to and spec.effective_to <= spec.effective_from:
            problems.append(
                (
                    "effective_to",
                    f"expected a date after effective_from {spec.effective_from}, "
                    f"got {spec.effective_to}",
                )
            )
        for key, message in problems:
            self.error(f"{where}.{key}", message)
        return not problems

    def durations(self, table: Mapping[str, Any], where: str) -> dict[str, int]:
        seconds = {}
        for priority, text in table.items():
            if not PRIORITY_KEY.match(priority):
                self.error(
                    f"{where}.{priority}",
                    f"unknown priority {priority!r}: expected P1, P2, ... (capital P and a number)",
                )
                continue
            seconds[priority] = self.duration(text, f"{where}.{priority}")
        return {priority: value for priority, value in seconds.items() if value is not None}

    def duration(self, text: Any, where: str) -> int | None:
        if not isinstance(text, str):
            self.error(
                where,
                f'expected a duration string like "15m", "4h" or "1h30m", got '
                f"{type(text).__name__} {text!r}",
            )
            return None
        try:
            return parse_duration(text)
        except ValueError as exc:
            self.error(where, f"bad duration {exc}")
            return None

    def named(self, cls: type[T]) -> Callable[[str, dict[str, Any]], T | None]:
        """A builder for catalogue tables whose key is the ``id`` and default ``name``."""
        table_name = {Service: "services", Customer: "customers"}[cls]

        def build(key: str, raw: dict[str, Any]) -> T | None:
            return self.structure({"name": key, **raw, "id": key}, cls, f"{table_name}.{key}")

        return build

    def source(self, key: str, raw: dict[str, Any]) -> SourceConfig | None:
        where = f"sources.{key}"
        plugin, kind = raw.get("plugin"), raw.get("kind")
        if not isinstance(plugin, str):
            self.error(
                f"{where}.plugin", 'required: the source plugin\'s name, e.g. plugin = "csv"'
            )
        if kind not in RECORD_KINDS:
            self.error(f"{where}.kind", f"expected one of {', '.join(RECORD_KINDS)}, got {kind!r}")
        if not isinstance(plugin, str) or not isinstance(kind, str) or kind not in RECORD_KINDS:
            return None
        options = {name: value for name, value in raw.items() if name not in HOST_KEYS}
        source = SourceConfig(name=key, plugin=plugin, kind=kind, options=options)
        valid = self.source_values(options, where)
        if self.host is not None:
            try:
                cls = self.host.source_class(kind, plugin)
            except KeyError as exc:
                self.error(f"{where}.plugin", str(exc.args[0]))
                return None
            structured = self.structure(options, cls.options_class, where)
            if structured is not None and valid:
                self.source_accepts(cls, structured, source)
        elif valid:
            self.path_exists(options, where)
        return source

    def path_exists(self, options: Mapping[str, Any], where: str) -> None:
        """Without a plugin host (no plugin to ask), check the common ``path`` option only."""
        if isinstance(options.get("path"), str):
            file = self.path.parent / Path(options["path"]).expanduser()
            if file.is_dir():
                self.error(f"{where}.path", f"is a folder, expected a file: {file}")
            elif not file.exists():
                self.error(f"{where}.path", f"file not found: {file}")

    def source_values(self, options: Mapping[str, Any], where: str) -> bool:
        """Check the option every source shares with the host: its timezone."""
        return not self.unknown_zone(options.get("timezone"), where)

    def source_accepts(self, cls: type[Source], options: Any, source: SourceConfig) -> None:
        """Build the source once, as a run would, and let it check its options (nothing is read).

        A plugin's own checks (files, encodings ...) live in its ``check()``; an
        :class:`OptionError` is reported under the option's key.
        """
        try:
            cls(options, source.context(self.path.parent)).check()
        except OptionError as exc:
            self.error(f"sources.{source.name}.{exc.option}", str(exc))
        except Exception as exc:  # noqa: BLE001 - a plugin refusing its options is a config error
            self.error(f"sources.{source.name}", str(exc) or type(exc).__name__)

    def unknown_zone(self, timezone: object, where: str) -> bool:
        """True (and an error under ``where.timezone``) for text that names no IANA timezone."""
        if not isinstance(timezone, str) or _is_zone(timezone):
            return False
        self.error(
            f"{where}.timezone",
            f"unknown timezone {timezone!r}: expected an IANA name like Asia/Shanghai",
        )
        return True

    def storage(self, raw: Any) -> str:
        """``[storage] url``; a relative SQLite path is made relative to the config file."""
        spec = self.structure(raw, _RawStorage, "storage")
        if spec is None or not spec.url:
            return ""
        if "://" not in spec.url:
            self.error(
                "storage.url",
                f"expected a SQLAlchemy URL like sqlite:///itsskit.db, got {spec.url!r}",
            )
            return ""
        if problem := _database_url_problem(spec.url):
            self.error("storage.url", problem)
            return ""
        prefix = "sqlite:///"
        rest = spec.url.removeprefix(prefix)
        if spec.url.startswith(prefix) and rest != ":memory:" and not Path(rest).is_absolute():
            return prefix + str(self.path.parent / rest)
        return spec.url

    def renderer(self, key: str, raw: dict[str, Any]) -> Any:
        """``[renderers.FORMAT]``: the options of one renderer (e.g. docx's time limit)."""
        if self.host is None:
            return raw
        try:
            cls = self.host.renderer_class(key)
        except KeyError as exc:
            self.error(f"renderers.{key}", str(exc.args[0]))
            return None
        return self.structure(raw, cls.options_class, f"renderers.{key}")

    def plugins(self, raw: Any) -> float | None:
        """``[plugins] timeout``: a duration such as ``"60s"`` or ``"2m"``."""
        spec = self.structure(raw, _RawPlugins, "plugins")
        if spec is None or spec.timeout is None:
            return None
        seconds = self.duration(spec.timeout, "plugins.timeout")
        return None if seconds is None else float(seconds)

    def channels(self, data: Mapping[str, Any]) -> tuple[PluginSetting, ...]:
        """``[distribution] channels = [...]`` (or ``channel = "..."``) and their options tables."""
        raw = data.get("distribution", {})
        if not isinstance(raw, dict) or "channels" not in raw:
            single = self.plugin_setting(data, "distribution", "channel", None)
            return (single,) if single is not None else ()
        names = raw["channels"]
        if "channel" in raw:
            self.error("distribution", "give channel or channels, not both")
            return ()
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            self.error("distribution.channels", f"expected a list of plugin names, got {names!r}")
            return ()
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            self.error("distribution.channels", f"{', '.join(twice)} named twice")
            return ()
        extra = sorted(key for key in raw if key != "channels" and key not in names)
        if extra:
            allowed = ", ".join(["channels", *names])
            self.error("distribution", f"unknown key(s) {', '.join(extra)} (allowed: {allowed})")
        settings = []
        for name in names:
            setting = self.plugin_setting(
                {"distribution": {"channel": name, **({name: raw[name]} if name in raw else {})}},
                "distribution", "channel", None, key_path="distribution.channels",
            )  # fmt: skip
            if setting is not None:
                settings.append(setting)
        return tuple(settings)

    def plugin_setting(
        self,
        data: Mapping[str, Any],
        table: str,
        key: str,
        default: str | None,
        *,
        key_path: str | None = None,
    ) -> PluginSetting | None:
        """``[table] key = "plugin"`` and its options table ``[table.plugin]``."""
        raw = data.get(table, {})
        if not isinstance(raw, dict):
            self.error(table, f"expected a table ([{table}])")
            return None
        plugin = raw.get(key, default)
        if plugin is None:
            if raw:
                self.error(f"{table}.{key}", f'required: the plugin\'s name, e.g. {key} = "smtp"')
            return None
        if not isinstance(plugin, str):
            self.error(f"{table}.{key}", f"expected a plugin name (a string), got {plugin!r}")
            return None
        extra = sorted(name for name in raw if name not in (key, plugin))
        if extra:
            self.error(table, f"unknown key(s) {', '.join(extra)} (allowed: {key}, {plugin})")
        options = raw.get(plugin, {})
        if not isinstance(options, dict):
            self.error(f"{table}.{plugin}", f"expected a table ([{table}.{plugin}])")
            return None
        setting = PluginSetting(table=table, plugin=plugin, options=options)
        if self.host is not None:
            lookup = self.host.channel_class if table == "distribution" else self.host.store_class
            try:
                cls = lookup(plugin)
            except KeyError as exc:
                self.error(key_path or f"{table}.{key}", str(exc.args[0]))
                return None
            self.structure(options, cls.options_class, f"{table}.{plugin}")
        return setting

    def indicator(self, key: str, raw: dict[str, Any]) -> Indicator | None:
        from itsskit.quality.indicators import make_indicator  # imports the KPI engine

        spec = self.structure(raw, _RawIndicator, f"indicators.{key}")
        if spec is None:
            return None
        try:
            catalogue = self.host.kpis() if self.host is not None else None
            known = self.declared.get("projects", [])
            unknown = sorted(set(spec.targets) - set(known))
            if unknown:
                self.error(f"indicators.{key}.targets", f"unknown project(s) {', '.join(unknown)}"
                           f" (known: {', '.join(known) or 'none'})")  # fmt: skip
            return make_indicator(
                key, kpi=spec.kpi, target=spec.target, comparison=spec.comparison,
                period=spec.period, owner=spec.owner, label=spec.name, unit_label=spec.unit,
                project_targets=spec.targets, catalogue=catalogue,
            )  # fmt: skip
        except ValueError as exc:
            self.error(f"indicators.{key}", str(exc))
            return None

    def report(self, key: str, raw: dict[str, Any]) -> ReportSpec | None:
        if "project" not in raw:
            self.error(
                f"reports.{key}.project", "required: the id of the project this report is for"
            )
            return None
        spec = self.structure({**raw, "id": key}, ReportSpec, f"reports.{key}")
        if spec is None:
            return None
        if spec.language not in LANGUAGES:
            self.error(
                f"reports.{key}.language",
                f"expected one of {', '.join(LANGUAGES)}, got {spec.language!r}",
            )
        if spec.due_days < 0:
            self.error(f"reports.{key}.due_days", f"expected 0 or more days, got {spec.due_days}")
        if spec.template not in ("", "default"):
            template = self.path.parent / Path(spec.template).expanduser()
            if not template.is_file():
                self.error(
                    f"reports.{key}.template",
                    f'expected "default" or an existing .docx/template file, not found: {template}',
                )
            spec = attrs.evolve(spec, template=str(template))
        return spec

    def project(
        self,
        key: str,
        raw: dict[str, Any],
        slas: Mapping[str, SLA],
        reports: Mapping[str, ReportSpec],
    ) -> Project | None:
        where = f"projects.{key}"
        if isinstance(raw.get("sla"), str):
            raw = {**raw, "sla": [raw["sla"]]}
        spec = self.structure(raw, _RawProject, where)
        if spec is None:
            return None
        if self.unknown_zone(spec.timezone, where):
            return None
        self.references(spec.sla, "slas", f"{where}.sla", "SLA")
        self.references(spec.services, "services", f"{where}.services", "service")
        self.references(spec.sources, "sources", f"{where}.sources", "source")
        versions = sorted(
            (slas[name] for name in spec.sla if name in slas),
            key=lambda sla: sla.effective_from or date.min,
        )
        timezone = spec.timezone or (
            versions[0].calendar.timezone if versions else DEFAULT_TIMEZONE
        )
        return Project(
            id=key,
            name=spec.name or key,
            customer=spec.customer,
            services=spec.services,
            slas=tuple(versions),
            sources=spec.sources,
            reports=tuple(sorted(rid for rid, report in reports.items() if report.project == key)),
            manager=spec.manager,
            engineers=spec.engineers,
            approver=spec.approver,
            timezone=timezone,
        )

    def references(self, names: tuple[str, ...], table: str, where: str, what: str) -> None:
        """Each of ``names`` must be defined in ``[table.NAME]``."""
        known = self.declared.get(table, [])
        for name in names:
            if name not in known:
                self.error(where, f"unknown {what} {name!r} (known: {_known(known)})")


# --------------------------------------------------------------------- helpers


def _strict_converter() -> Any:
    """The one converter's rules, with TOML scalars taken as they are (no str(list), int("2"))."""
    strict = make_converter()

    def text(value: Any, _type: type) -> str:
        if not isinstance(value, str):
            raise TypeError(f"expected a string, got {type(value).__name__} {value!r}")
        return value

    def integer(value: Any, _type: type) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"expected an integer, got {type(value).__name__} {value!r}")
        return value

    def number(value: Any, _type: type) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"expected a number, got {type(value).__name__} {value!r}")
        return float(value)

    strict.register_structure_hook(str, text)
    strict.register_structure_hook(int, integer)
    strict.register_structure_hook(float, number)
    return strict


#: Structures configuration tables: :data:`itsskit.converter.converter`'s rules, strict scalars.
_CONFIG_CONVERTER = _strict_converter()


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """The TOML file at ``path``; a :class:`ConfigError` names it and why it cannot be read.

    ``what`` names the kind of file in messages (``"configuration file"`` ...).
    """
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{path}: {what} not found"]) from None
    except IsADirectoryError:
        raise ConfigError([f"{path}: is a folder; expected a TOML {what}"]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            [f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason}); save it as UTF-8"]
        ) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot be read ({exc.strerror or exc})"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: invalid TOML: {exc}"]) from None


def structure_or_errors(
    data: Any, cls: type[T], key: str, errors: list[str], prefix: str = ""
) -> T | None:
    """Structure ``data`` as ``cls``; every failure goes to ``errors`` as ``key.path: why``."""
    try:
        return cast(T, _CONFIG_CONVERTER.structure(data, cls))
    except BaseValidationError as exc:
        for message in transform_error(exc, path="$", format_exception=_describe):
            description, _, path = message.rpartition(" @ ")
            errors.append(f"{prefix}{key}{_dotted(path)}: {description}")
    except (TypeError, ValueError, KeyError) as exc:
        errors.append(f"{prefix}{key}: {_describe(exc, cls)}")
    return None


def _describe(exc: BaseException, type_: Any) -> str:
    """cattrs' description of an error, with the unknown keys and the reason spelt out."""
    if isinstance(exc, ForbiddenExtraKeysError):
        allowed = (
            ", ".join(field.name for field in attrs.fields(exc.cl)) if attrs.has(exc.cl) else ""
        )
        return f"unknown key(s) {', '.join(sorted(exc.extra_fields))} (allowed: {allowed})"
    if isinstance(exc, KeyError):
        return "required key missing"
    if isinstance(exc, TypeError | ValueError) and str(exc).startswith("expected "):
        return str(exc)  # our own hooks already say what was expected and what was found
    description = format_exception(exc, type_)
    if isinstance(exc, (ValueError, TypeError)) and str(exc) and str(exc) not in description:
        description += f" ({exc})"
    return description


def _dotted(cattrs_path: str) -> str:
    """``$.targets['resolution']['P2']`` -> ``.targets.resolution.P2``."""
    path = cattrs_path.removeprefix("$")
    path = re.sub(r"\[(['\"])(.*?)\1\]", r".\2", path)
    return path


def _resolve_paths(options: T, base_dir: Path) -> T:
    """``options`` with each relative ``Path`` field made absolute against ``base_dir``."""
    cls: Any = type(options)
    if not attrs.has(cls):
        return options
    hints = typing.get_type_hints(cls)
    changes = {
        field.name: base_dir / value
        for field in attrs.fields(cls)
        if Path in (hints.get(field.name), *typing.get_args(hints.get(field.name)))
        and isinstance(value := getattr(options, field.name), Path)
        and not value.expanduser().is_absolute()
    }
    return attrs.evolve(cast(Any, options), **changes) if changes else options


def _database_url_problem(url: str) -> str | None:
    """Why SQLAlchemy cannot use ``url`` (never quoting it: it may hold a password), or None."""
    from sqlalchemy.engine import make_url  # SQLAlchemy loads only when a URL is configured

    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - ArgumentError, or ValueError for a bad port
        return "expected a SQLAlchemy URL like sqlite:///itsskit.db or postgresql://host/db"
    try:
        dialect = parsed.get_dialect()
    except Exception:  # noqa: BLE001 - NoSuchModuleError: no such dialect or driver
        return (
            f"unknown database driver {parsed.drivername!r}; expected a SQLAlchemy dialect "
            "such as sqlite, postgresql or mysql (with an installed driver)"
        )
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        return (
            f"database driver {parsed.drivername!r} needs the Python package "
            f"{exc.name or 'of its DBAPI'!r}, which is not installed"
        )
    return None


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _known(names: Iterable[str]) -> str:
    return ", ".join(sorted(names)) or "none defined"

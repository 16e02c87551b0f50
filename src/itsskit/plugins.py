"""The plugin host: a typed facade over pluggy.

:meth:`PluginHost.create` builds a fresh :class:`pluggy.PluginManager` (no
module-global state): the built-in modules of :data:`itsskit.builtin.BUILTIN_PLUGINS`
first, then the ``itsskit`` entry points one at a time, then any ``extra``
objects. Every registration hook is then called once *per plugin*, so a plugin
that fails to load or raises in a hook is recorded in :attr:`PluginHost.failures`
with its name and cause, and the others still work. The rest of itsskit calls
the typed methods below, never ``pm.hook``.

Set ``ITSSKIT_DISABLE_PLUGINS`` to ``1`` (or ``all``) to load no external
plugin, or to a comma-separated list of entry-point names to skip.

Calls into plugins go through the host too (:meth:`PluginHost.read`,
:meth:`~PluginHost.render`, :meth:`~PluginHost.channel`, :meth:`~PluginHost.store`,
:meth:`~PluginHost.section_builders`, :meth:`~PluginHost.calendar`): each runs
under the host's :class:`~itsskit.guard.Guard` (a deadline of
:attr:`PluginHost.timeout` seconds; ``sys.exit`` in a plugin is an error naming
it) and its result is checked against the contract, so a plugin that hangs,
exits or returns the wrong type is named with what was expected.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import pluggy

from itsskit import __version__, hookspecs
from itsskit.builtin import BUILTIN_PLUGINS
from itsskit.contracts import (
    RECORD_KINDS,
    ArchiveStore,
    CalendarPreset,
    Channel,
    Record,
    Registry,
    Renderer,
    SectionBuilder,
    Source,
    SourceRegistry,
)
from itsskit.guard import Guard, PluginError, PluginTimeout
from itsskit.kpis.catalogue import KpiCatalogue
from itsskit.models import (
    CalendarSpec,
    Change,
    DataQualityFinding,
    Outage,
    Report,
    Section,
    SurveyResponse,
    Ticket,
)

if TYPE_CHECKING:
    from itsskit.calendar import BusinessCalendar

__all__ = [
    "DEFAULT_TIMEOUT",
    "DISABLE_ENV",
    "ENTRY_POINT_GROUP",
    "PluginError",
    "PluginFailure",
    "PluginHost",
    "PluginInfo",
    "PluginTimeout",
]

ENTRY_POINT_GROUP = "itsskit"
DISABLE_ENV = "ITSSKIT_DISABLE_PLUGINS"

#: Source hook per record kind.
SOURCE_HOOKS: dict[str, str] = {
    "tickets": "register_ticket_sources",
    "outages": "register_outage_sources",
    "changes": "register_change_sources",
    "surveys": "register_survey_sources",
}
#: Source hooks of 0.1.0, one per record kind: still called, deprecated for
#: ``register_sources``.
DEPRECATED_HOOKS = frozenset(SOURCE_HOOKS.values())
#: What the registry of each hook holds (used in error messages).
REGISTRY_WHAT: dict[str, str] = {
    "register_ticket_sources": "ticket source",
    "register_outage_sources": "outage source",
    "register_change_sources": "change source",
    "register_survey_sources": "survey source",
    "register_renderers": "renderer",
    "register_sections": "report section",
    "register_channels": "distribution channel",
    "register_stores": "archive store",
    "register_calendars": "calendar preset",
}

#: Seconds a plugin call may take (a source: between two records) unless configured.
DEFAULT_TIMEOUT = 60.0
#: Modules of the built-in plugins: their sources are read in the calling thread (fast;
#: they read local files), every other plugin's under the deadline of a helper thread.
BUILTIN_PREFIX = "itsskit.builtin."
#: The record class each source kind yields.
RECORD_CLASSES: dict[str, type] = {
    "tickets": Ticket,
    "outages": Outage,
    "changes": Change,
    "surveys": SurveyResponse,
}

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class PluginFailure:
    """A plugin that could not be loaded, or whose hook raised."""

    name: str
    cause: str

    def __str__(self) -> str:
        return f"{self.name}: {self.cause}"


@attrs.frozen(kw_only=True)
class PluginInfo:
    """A registered plugin: name, version, the hooks it implements, where it came from.

    ``origin`` is ``builtin``, ``entry point: <distribution>`` or ``extra``.
    """

    name: str
    version: str
    hooks: tuple[str, ...]
    origin: str


@attrs.define
class _Loading:
    """What :meth:`PluginHost.create` learns while registering plugins."""

    pm: pluggy.PluginManager
    failures: list[PluginFailure] = attrs.Factory(list)
    origins: dict[str, tuple[str, str]] = attrs.Factory(dict)  # name -> (version, origin)

    def register(self, plugin: object, name: str, version: str, origin: str) -> bool:
        """Register one plugin; record a failure (and undo) instead of raising."""
        try:
            self.pm.register(plugin, name=name)
            _check_known_hooks(self.pm, plugin)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - any plugin error is recorded
            if self.pm.is_registered(plugin):
                self.pm.unregister(plugin)
            self.failures.append(PluginFailure(name=name, cause=_describe(exc)))
            return False
        self.origins[name] = (version, origin)
        return True


class PluginHost:
    """Registered plugins and the registries their hooks filled. Build with :meth:`create`."""

    def __init__(self, loading: _Loading, timeout: float | None = DEFAULT_TIMEOUT) -> None:
        self.guard = Guard(timeout)
        self._pm = loading.pm
        self._load_failures = tuple(loading.failures)
        self._origins = dict(loading.origins)
        self._calendar_cache: dict[CalendarSpec, BusinessCalendar] = {}
        self._renderer_options: dict[str, Any] = {}
        self._build_registries()

    # ----------------------------------------------------------------- creation

    @classmethod
    def create(
        cls,
        *,
        entry_points: bool = True,
        extra: Iterable[object] = (),
        timeout: float | None = DEFAULT_TIMEOUT,
    ) -> PluginHost:
        """A fresh host: built-ins, then entry points (unless disabled), then ``extra``.

        ``timeout``: seconds a plugin call may take (None: no limit); see :attr:`timeout`.
        """
        pm = pluggy.PluginManager("itsskit")
        pm.add_hookspecs(hookspecs)
        loading = _Loading(pm)
        _register_builtins(loading)
        if entry_points:
            _load_entry_points(loading, _disabled_names())
        for plugin in extra:
            loading.register(plugin, _plugin_name(plugin), "", "extra")
        pm.check_pending()
        return cls(loading, timeout)

    def register(self, plugin: object, name: str | None = None) -> str:
        """Register one more plugin (tests) and rebuild the registries; returns its name."""
        loading = _Loading(self._pm)
        chosen = name or _plugin_name(plugin)
        if not loading.register(plugin, chosen, "", "extra"):
            raise ValueError(f"plugin {loading.failures[0]}")
        self._origins.update(loading.origins)
        self._calendar_cache.clear()
        self._build_registries()
        return chosen

    def _build_registries(self) -> None:
        self._hook_failures: list[PluginFailure] = []
        self._registries: dict[str, Registry[Any]] = {
            hook: Registry(what) for hook, what in REGISTRY_WHAT.items()
        }
        by_kind = {kind: self._registries[hook] for kind, hook in SOURCE_HOOKS.items()}
        self._fill("register_sources", registry=SourceRegistry(by_kind))
        for hook, registry in self._registries.items():
            self._fill(hook, registry=registry)
        self._kpis = KpiCatalogue()
        self._fill("register_kpis", registry=self._kpis)

    def _fill(self, hook: str, **arguments: Any) -> dict[str, Any]:
        """Call each plugin's implementation of ``hook`` on its own; record who raised.

        Each implementation receives exactly the arguments it declares (hooks only
        ever gain parameters). A plugin's use of a deprecated hook is warned about.
        """
        for impl in getattr(self._pm.hook, hook).get_hookimpls():
            try:
                if impl.hookwrapper or impl.wrapper:
                    raise TypeError(f"{hook} is a registration hook; wrappers are not supported")
                if hook in DEPRECATED_HOOKS and impl.plugin_name not in BUILTIN_PLUGINS:
                    warnings.warn(
                        f"plugin {impl.plugin_name!r}: {hook} is deprecated; use "
                        "register_sources (the classes' kinds say which records they read)",
                        DeprecationWarning,
                        stacklevel=2,
                    )
                impl.function(**{name: arguments[name] for name in impl.argnames})
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - a plugin's error is recorded
                cause = f"{hook}: {_describe(exc)}"
                self._hook_failures.append(PluginFailure(name=impl.plugin_name, cause=cause))
        return arguments

    # ------------------------------------------------------------ typed queries

    @property
    def failures(self) -> tuple[PluginFailure, ...]:
        """Plugins that failed to load, then hook implementations that raised."""
        return self._load_failures + tuple(self._hook_failures)

    def sources(self, kind: str) -> Registry[Source]:
        """Source classes for records of ``kind`` (one of :data:`RECORD_KINDS`)."""
        if kind not in SOURCE_HOOKS:
            raise KeyError(f"unknown record kind {kind!r} (known: {', '.join(RECORD_KINDS)})")
        return self._registries[SOURCE_HOOKS[kind]]

    def source_class(self, kind: str, name: str) -> type[Source]:
        """The source class ``name`` for ``kind``; ``KeyError`` lists the known names."""
        return self.sources(kind).get(name)

    def renderers(self) -> Registry[Renderer]:
        """Renderer classes by format name."""
        return self._registries["register_renderers"]

    def renderer_class(self, name: str) -> type[Renderer]:
        """The renderer for format ``name``."""
        return self.renderers().get(name)

    def configure_renderer(self, name: str, options: Any) -> None:
        """Use ``options`` (an instance of its ``options_class``) for renderer ``name``."""
        self._renderer_options[name] = options

    def renderer(self, name: str) -> Renderer:
        """The renderer for format ``name``, with its configured options (``[renderers.NAME]``)."""
        cls = self.renderer_class(name)
        options = self._renderer_options.get(name)
        return cls(options) if options is not None else cls()

    def section_builders(self) -> list[SectionBuilder]:
        """One guarded instance of every registered section builder, sorted by (order, name).

        Its ``build`` runs under the guard and must return a Section or None.
        """
        builders: list[SectionBuilder] = []
        for name, cls in self._registries["register_sections"].items():
            label = f"section plugin {name!r}"
            builders.append(self.guard.call(label, _guarded_section(cls, label, self.guard)))
        return sorted(builders, key=lambda builder: (builder.order, builder.name))

    def channels(self) -> Registry[Channel]:
        """Distribution channel classes by name."""
        return self._registries["register_channels"]

    def channel_class(self, name: str) -> type[Channel]:
        """The distribution channel ``name``."""
        return self.channels().get(name)

    def stores(self) -> Registry[ArchiveStore]:
        """Archive store classes by name."""
        return self._registries["register_stores"]

    def store_class(self, name: str) -> type[ArchiveStore]:
        """The archive store ``name``."""
        return self.stores().get(name)

    def calendar_presets(self) -> Registry[CalendarPreset]:
        """Calendar presets by name (``china``, ``weekly``, ``always`` ...)."""
        return self._registries["register_calendars"]

    def calendar(self, spec: CalendarSpec) -> BusinessCalendar:
        """The business calendar for ``spec`` (built by its preset, cached per spec)."""
        from itsskit.calendar import BusinessCalendar

        if spec not in self._calendar_cache:
            preset = self.calendar_presets().get(spec.preset)
            label = f"calendar preset plugin {spec.preset!r}"
            built = self.guard.call(label, lambda: preset().build(spec))
            self._calendar_cache[spec] = _checked(built, BusinessCalendar, label, "build()")
        return self._calendar_cache[spec]

    def kpis(self) -> KpiCatalogue:
        """The KPI catalogue: the built-in KPIs, then the plugins' (sorted by name)."""
        return self._kpis

    # ------------------------------------------------------------ guarded calls

    @property
    def timeout(self) -> float | None:
        """Seconds a plugin call may take before it is stopped and named (None: no limit).

        A source's limit counts from its previous record. Set from the
        configuration's ``[plugins] timeout`` by :func:`itsskit.config.load_config`.
        """
        return self.guard.timeout

    @timeout.setter
    def timeout(self, seconds: float | None) -> None:
        self.guard.timeout = seconds

    def read(self, source: Source) -> Iterator[Record | DataQualityFinding]:
        """``source.read()`` under the guard: records of its kind and findings, checked.

        A built-in source's records are pulled in this thread with no deadline (it
        reads local files); any other source's under the deadline, counted from its
        previous record.
        """
        label = f"source {source.context.name!r} (plugin {source.name!r})"
        items = self.guard.call(label, source.read)
        if not isinstance(items, Iterable) or isinstance(items, str | bytes | Mapping):
            raise PluginError(
                f"{label}: read() returned {type(items).__name__}; "
                "expected an iterator of records and findings"
            )
        record_class = RECORD_CLASSES.get(source.context.kind, object)
        allowed = (record_class, DataQualityFinding)
        builtin = type(source).__module__.startswith(BUILTIN_PREFIX)
        for item in self.guard.iterate(label, iter(items), in_thread=not builtin):
            if not isinstance(item, allowed):
                expected = f"{record_class.__name__} records (kind {source.context.kind!r})"
                raise PluginError(
                    f"{label}: read() yielded {type(item).__name__}; expected {expected} or findings"
                )
            yield item

    def render(self, renderer: Renderer, report: Report, *, template: Path | None = None) -> bytes:
        """``renderer.render(...)`` under the guard; it must return bytes."""
        label = f"renderer plugin {renderer.name!r}"
        data = self.guard.call(label, lambda: renderer.render(report, template=template))
        return _checked(data, bytes, label, "render()")

    def channel(self, cls: type[Channel], options: Any) -> Channel:
        """An instance of channel ``cls`` (of a subclass) whose ``send`` runs under the guard."""
        label = f"distribution channel plugin {cls.name!r}"
        guarded = _guarded_channel(cls, label, self.guard)
        return self.guard.call(label, lambda: guarded(options))

    def store(self, cls: type[ArchiveStore], options: Any) -> ArchiveStore:
        """An instance of store ``cls`` (of a subclass) whose ``archive`` runs under the guard."""
        label = f"archive store plugin {cls.name!r}"
        guarded = _guarded_store(cls, label, self.guard)
        return self.guard.call(label, lambda: guarded(options))

    def plugin_infos(self) -> list[PluginInfo]:
        """Every registered plugin, sorted by name."""
        infos = []
        for name, plugin in self._pm.list_name_plugin():
            if plugin is None:  # blocked name
                continue
            callers = self._pm.get_hookcallers(plugin) or []
            version, origin = self._origins.get(name, ("", "extra"))
            hooks = tuple(sorted(caller.name for caller in callers))
            infos.append(PluginInfo(name=name, version=version, hooks=hooks, origin=origin))
        return sorted(infos, key=lambda info: info.name)


# ------------------------------------------------------------- guarded plugins


def _checked(value: Any, expected: type[T], label: str, call: str) -> T:
    """``value`` when it is an ``expected``; else a PluginError naming the plugin."""
    if not isinstance(value, expected):
        raise PluginError(
            f"{label}: {call} returned {type(value).__name__}; expected {expected.__name__}"
        )
    return value


def _guarded_channel(cls: type[Channel], label: str, guard: Guard) -> type[Channel]:
    """A subclass of ``cls`` whose ``send`` runs under ``guard``."""

    def send(
        self: Channel, report: Report, files: Mapping[str, Path], recipients: Sequence[str]
    ) -> None:
        guard.call(label, lambda: cls.send(self, report, files, recipients))

    return _subclass(cls, {"send": send})


def _guarded_store(cls: type[ArchiveStore], label: str, guard: Guard) -> type[ArchiveStore]:
    """A subclass of ``cls`` whose ``archive`` runs under ``guard`` and returns text."""

    def archive(self: ArchiveStore, report: Report, files: Mapping[str, Path]) -> str:
        where = guard.call(label, lambda: cls.archive(self, report, files))
        if isinstance(where, os.PathLike):
            return os.fspath(where)
        return _checked(where, str, label, "archive()")

    return _subclass(cls, {"archive": archive})


def _guarded_section(cls: type[SectionBuilder], label: str, guard: Guard) -> type[SectionBuilder]:
    """A subclass of ``cls`` whose ``build`` runs under ``guard`` and returns a Section or None."""

    def build(self: SectionBuilder, context: Any) -> Section | None:
        section = guard.call(label, lambda: cls.build(self, context))
        return None if section is None else _checked(section, Section, label, "build()")

    return _subclass(cls, {"build": build})


def _subclass(cls: type[T], methods: dict[str, Callable[..., Any]]) -> type[T]:
    """``cls`` with ``methods`` replaced: instances are still instances of ``cls``."""
    attributes: dict[str, Any] = {"__module__": cls.__module__, "__doc__": cls.__doc__}
    return type(cls.__name__, (cls,), {**attributes, **methods})


# --------------------------------------------------------------------- loading


def _register_builtins(loading: _Loading) -> None:
    for module_name in BUILTIN_PLUGINS:
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:  # noqa: BLE001 - a broken builtin must not stop the others
            loading.failures.append(PluginFailure(name=module_name, cause=_describe(exc)))
            continue
        loading.register(module, module_name, __version__, "builtin")


def _load_entry_points(loading: _Loading, disabled: frozenset[str] | None) -> None:
    """Load each ``itsskit`` entry point in its own try; ``None`` disables them all."""
    if disabled is None:
        return
    seen: dict[str, str] = {}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist_name, version = _distribution(ep)
        if ep.name in disabled:
            continue
        if ep.name in seen or loading.pm.has_plugin(ep.name):
            other = seen.get(ep.name, "a built-in plugin")
            cause = (
                f"entry point name {ep.name!r} of {dist_name} is already taken by {other}; "
                f"{dist_name}'s plugin was not loaded"
            )
            loading.failures.append(PluginFailure(name=ep.name, cause=cause))
            continue
        seen[ep.name] = dist_name
        try:
            plugin = ep.load()
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - one broken plugin must not stop the others
            cause = f"cannot load {ep.value} ({dist_name}): {_describe(exc)}"
            loading.failures.append(PluginFailure(name=ep.name, cause=cause))
            continue
        loading.register(plugin, ep.name, version, f"entry point: {dist_name}")


def _disabled_names() -> frozenset[str] | None:
    """Entry-point names to skip, from :data:`DISABLE_ENV`; ``None`` = skip all."""
    value = os.environ.get(DISABLE_ENV, "").strip()
    if value.lower() in {"1", "all", "true", "yes"}:
        return None
    return frozenset(name.strip() for name in value.split(",") if name.strip())


def _distribution(ep: importlib.metadata.EntryPoint) -> tuple[str, str]:
    dist = ep.dist
    if dist is None:
        return "an unknown distribution", ""
    return dist.metadata["Name"] or "an unknown distribution", dist.version or ""


def _check_known_hooks(pm: pluggy.PluginManager, plugin: object) -> None:
    """Like ``pm.check_pending()``, for one plugin: a misspelt hook name is an error."""
    for caller in pm.get_hookcallers(plugin) or []:
        if caller.has_spec():
            continue
        for impl in caller.get_hookimpls():
            if impl.plugin is plugin and not impl.optionalhook:
                raise pluggy.PluginValidationError(plugin, f"unknown hook {caller.name!r}")


def _plugin_name(plugin: object) -> str:
    name = getattr(plugin, "name", None) or getattr(plugin, "__name__", None)
    return name if isinstance(name, str) else type(plugin).__name__


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"

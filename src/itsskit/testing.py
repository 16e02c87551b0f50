"""A pytest plugin for plugin authors: a fresh plugin host and small fakes.

pytest loads it automatically wherever itsskit is installed (entry point
``pytest11``); ``-p no:itsskit`` turns it off. Fixtures:

``plugin_host``
    A fresh :class:`~itsskit.plugins.PluginHost` with the built-in plugins
    only (entry points are not loaded, so the test sees no other installed plugin).
``register_plugin``
    ``register_plugin(plugin)`` registers a plugin object (a module or an
    instance with ``@itsskit.hookimpl`` methods) on ``plugin_host`` and returns
    the host, whose registries now include the plugin's classes.

Fakes: :class:`FakeSource` (yields the records it is given), :class:`FakeRenderer`
(renders a report as a few lines of text) and :class:`FakePlugin` (registers both).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from itsskit.contracts import Record, Registry, Renderer, Source, SourceContext, SourceRegistry
from itsskit.hookspecs import hookimpl
from itsskit.models import DataQualityFinding, Report
from itsskit.plugins import PluginHost

__all__ = [
    "FakePlugin",
    "FakeRenderer",
    "FakeSource",
    "FakeSourceOptions",
    "plugin_host",
    "register_plugin",
    "source_context",
]


@attrs.frozen(kw_only=True)
class FakeSourceOptions:
    """Options of :class:`FakeSource`: the records (and findings) it yields."""

    records: tuple[Record | DataQualityFinding, ...] = ()


class FakeSource(Source):
    """A source of any kind that yields ``options.records`` in order."""

    name = "fake"
    options_class = FakeSourceOptions

    def read(self) -> Iterator[Record | DataQualityFinding]:
        yield from self.options.records


class FakeRenderer(Renderer):
    """Renders the report id, period and section titles as UTF-8 text."""

    name = "fake"
    suffix = ".txt"

    def render(self, report: Report, *, template: Path | None = None) -> bytes:
        lines = [f"{report.id} {report.period_label}"]
        lines += [section.title for section in report.sections]
        return ("\n".join(lines) + "\n").encode("utf-8")


class FakePlugin:
    """A plugin object registering :class:`FakeSource` for every kind and :class:`FakeRenderer`."""

    name = "itsskit-fake"

    @hookimpl
    def register_sources(self, registry: SourceRegistry) -> None:
        registry.add(FakeSource)

    @hookimpl
    def register_renderers(self, registry: Registry[Renderer]) -> None:
        registry.add(FakeRenderer)


def source_context(base_dir: Path, kind: str = "tickets", name: str = "test") -> SourceContext:
    """A :class:`SourceContext` for instantiating a source directly in a test."""
    return SourceContext(name=name, kind=kind, base_dir=base_dir)


@pytest.fixture
def plugin_host() -> PluginHost:
    """A fresh plugin host with the built-in plugins only."""
    return PluginHost.create(entry_points=False)


@pytest.fixture
def register_plugin(plugin_host: PluginHost) -> Callable[[Any], PluginHost]:
    """``register_plugin(plugin) -> host``: add a plugin to this test's fresh host."""

    def register(plugin: Any) -> PluginHost:
        plugin_host.register(plugin)
        return plugin_host

    return register

# ruff: noqa: F811 - pytest fixtures imported from itsskit.testing
"""The plugin host: builtins, entry points, failures recorded per plugin, typed queries."""

from __future__ import annotations

import importlib.metadata
import sys
import types
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import itsskit.plugins
from itsskit import hookimpl
from itsskit.contracts import Registry, Renderer, SectionBuilder, Source
from itsskit.models import CalendarSpec, DataQualityFinding, Report, Section, Ticket
from itsskit.plugins import DISABLE_ENV, PluginHost
from itsskit.testing import (  # noqa: F401 - fixtures
    FakePlugin,
    FakeRenderer,
    FakeSource,
    FakeSourceOptions,
    plugin_host,
    register_plugin,
    source_context,
)

SH = ZoneInfo("Asia/Shanghai")


class TextRenderer(Renderer):
    name = "text"
    suffix = ".txt"

    def render(self, report: Report, *, template: Path | None = None) -> bytes:
        return b""


class OtherTextRenderer(TextRenderer):
    """Claims the same name as TextRenderer."""


class GoodPlugin:
    name = "good"

    @hookimpl
    def register_renderers(self, registry: Registry[Renderer]) -> None:
        registry.add(TextRenderer)


class RaisingPlugin:
    name = "raising"

    @hookimpl
    def register_renderers(self, registry: Registry[Renderer]) -> None:
        raise RuntimeError("renderer setup exploded")

    @hookimpl
    def register_ticket_sources(self, registry: Registry[Source]) -> None:
        registry.add(FakeSource)


class DuplicatePlugin:
    name = "duplicate"

    @hookimpl
    def register_renderers(self, registry: Registry[Renderer]) -> None:
        registry.add(OtherTextRenderer)


class MisspeltHookPlugin:
    name = "misspelt"

    @hookimpl
    def register_renderer(self, registry: Registry[Renderer]) -> None:  # no such hook
        registry.add(TextRenderer)


def make_section(name: str, order: int) -> type[SectionBuilder]:
    def build(self: SectionBuilder, context: Any) -> Section | None:
        return None

    attributes = {"name": name, "order": order, "build": build}
    return type(f"Section_{name}", (SectionBuilder,), attributes)


# ------------------------------------------------------------------- builtins


def test_builtin_calendars_are_registered_and_build_calendars(plugin_host: PluginHost) -> None:
    assert {"always", "china", "weekly"} <= set(plugin_host.calendar_presets().names())
    always = plugin_host.calendar(CalendarSpec(preset="always"))
    day = datetime(2025, 10, 1, tzinfo=SH)  # National Day: a holiday, but 7x24 counts it
    assert always.business_seconds(day, datetime(2025, 10, 2, tzinfo=SH)) == 86_400
    china = plugin_host.calendar(CalendarSpec(preset="china"))
    assert china.business_seconds(day, datetime(2025, 10, 2, tzinfo=SH)) == 0
    weekly = plugin_host.calendar(CalendarSpec(preset="weekly", hours=("09:00-17:00",)))
    assert weekly.business_seconds(day, datetime(2025, 10, 2, tzinfo=SH)) == 8 * 3600


def test_calendar_is_cached_per_spec(plugin_host: PluginHost) -> None:
    spec = CalendarSpec(preset="weekly")
    assert plugin_host.calendar(spec) is plugin_host.calendar(CalendarSpec(preset="weekly"))
    assert plugin_host.calendar(spec) is not plugin_host.calendar(CalendarSpec(preset="china"))


def test_unknown_preset_lists_known(plugin_host: PluginHost) -> None:
    with pytest.raises(KeyError, match=r"unknown calendar preset 'mars' \(known: always, china"):
        plugin_host.calendar(CalendarSpec(preset="mars"))


def test_builtins_listed_with_origin_and_hooks(plugin_host: PluginHost) -> None:
    infos = {info.name: info for info in plugin_host.plugin_infos()}
    calendars = infos["itsskit.builtin.calendars"]
    assert calendars.origin == "builtin"
    assert calendars.hooks == ("register_calendars",)
    names = [info.name for info in plugin_host.plugin_infos()]
    assert names == sorted(names)


def test_a_builtin_that_cannot_be_imported_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    modules = ("itsskit.builtin.calendars", "itsskit.builtin.does_not_exist")
    monkeypatch.setattr(itsskit.plugins, "BUILTIN_PLUGINS", modules)
    host = PluginHost.create(entry_points=False)
    assert [failure.name for failure in host.failures] == ["itsskit.builtin.does_not_exist"]
    assert "ModuleNotFoundError" in host.failures[0].cause
    assert "china" in host.calendar_presets()


# ---------------------------------------------------------------- extra plugins


def test_extra_plugin_classes_reach_the_typed_queries() -> None:
    host = PluginHost.create(entry_points=False, extra=[FakePlugin()])
    for kind in ("tickets", "outages", "changes", "surveys"):
        assert host.source_class(kind, "fake") is FakeSource
    assert host.renderer_class("fake") is FakeRenderer
    info = next(info for info in host.plugin_infos() if info.name == "itsskit-fake")
    assert info.origin == "extra"
    assert info.hooks == ("register_renderers", "register_sources")


def test_a_raising_hook_is_recorded_and_the_others_still_register() -> None:
    host = PluginHost.create(entry_points=False, extra=[RaisingPlugin(), GoodPlugin()])
    assert [(f.name, f.cause) for f in host.failures if f.name == "raising"] == [
        ("raising", "register_renderers: RuntimeError: renderer setup exploded")
    ]
    assert host.renderer_class("text") is TextRenderer  # the other plugin's hook ran
    assert host.source_class("tickets", "fake") is FakeSource  # the raiser's other hook too


def test_two_classes_claiming_one_name_is_a_failure_naming_both() -> None:
    host = PluginHost.create(entry_points=False, extra=[GoodPlugin(), DuplicatePlugin()])
    (failure,) = [f for f in host.failures if f.name == "duplicate"]
    assert "renderer 'text' is claimed by both" in failure.cause
    assert "test_plugins.TextRenderer" in failure.cause
    assert "test_plugins.OtherTextRenderer" in failure.cause
    assert host.renderer_class("text") is TextRenderer  # the first one keeps the name


def test_a_misspelt_hook_is_a_failure_and_the_plugin_is_not_registered() -> None:
    host = PluginHost.create(entry_points=False, extra=[MisspeltHookPlugin(), GoodPlugin()])
    (failure,) = [f for f in host.failures if f.name == "misspelt"]
    assert "unknown hook 'register_renderer'" in failure.cause
    assert "misspelt" not in [info.name for info in host.plugin_infos()]
    assert "good" in [info.name for info in host.plugin_infos()]


def test_unknown_names_and_kinds_list_what_is_known(plugin_host: PluginHost) -> None:
    with pytest.raises(KeyError, match=r"unknown record kind 'tickts' \(known: tickets, outages"):
        plugin_host.source_class("tickts", "csv")
    with pytest.raises(KeyError, match=r"unknown renderer 'nope' \(known: "):
        plugin_host.renderer_class("nope")
    with pytest.raises(KeyError, match="unknown archive store 'nope'"):
        plugin_host.store_class("nope")
    with pytest.raises(KeyError, match="unknown distribution channel 'nope'"):
        plugin_host.channel_class("nope")


def test_section_builders_sorted_by_order_then_name() -> None:
    sections = [make_section("zeta", 10), make_section("alpha", 20), make_section("beta", 10)]

    class SectionsPlugin:
        @hookimpl
        def register_sections(self, registry: Registry[SectionBuilder]) -> None:
            for cls in sections:
                registry.add(cls)

    host = PluginHost.create(entry_points=False, extra=[SectionsPlugin()])
    built = [(builder.name, builder.order) for builder in host.section_builders()]
    extra = [pair for pair in built if pair[0] in {"zeta", "alpha", "beta"}]
    assert extra == [("beta", 10), ("zeta", 10), ("alpha", 20)]


def test_hooks_taking_no_arguments_are_called() -> None:
    called: list[str] = []

    class NoArgs:
        @hookimpl
        def register_calendars(self) -> None:
            called.append("yes")

    PluginHost.create(entry_points=False, extra=[NoArgs()])
    assert called == ["yes"]


# ---------------------------------------------------------- the testing plugin


def test_register_plugin_fixture_adds_to_a_fresh_host(register_plugin: Any) -> None:
    host = register_plugin(GoodPlugin())
    assert host.renderer_class("text") is TextRenderer


def test_each_test_gets_a_fresh_host(plugin_host: PluginHost) -> None:
    assert "text" not in plugin_host.renderers()  # registered by the previous test only


def test_fake_source_yields_its_records(tmp_path: Path) -> None:
    ticket = Ticket(id="T1", opened=datetime(2025, 1, 2, 9, tzinfo=SH))
    finding = DataQualityFinding(record_id="T2", reason="bad")
    source = FakeSource(FakeSourceOptions(records=(ticket, finding)), source_context(tmp_path))
    assert list(source.read()) == [ticket, finding]


# ------------------------------------------------------------------ entry points


def write_distribution(root: Path, name: str, entry_points: dict[str, str]) -> Path:
    """A minimal ``.dist-info`` folder declaring ``itsskit`` entry points."""
    info = root / f"{name.replace('-', '_')}-1.2.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.2\n")
    lines = "".join(f"{ep} = {target}\n" for ep, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[itsskit]\n{lines}")
    return info


@pytest.fixture
def fake_entry_points(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Two fake distributions: one good plugin, one broken, one taking a used name."""
    good = types.ModuleType("fake_itsskit_good")
    good.plugin = GoodPlugin()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_itsskit_good", good)
    first = write_distribution(
        tmp_path, "itsskit-good", {"good": "fake_itsskit_good:plugin", "broken": "no_such_mod:x"}
    )
    second = write_distribution(tmp_path, "itsskit-copycat", {"good": "fake_itsskit_good:plugin"})
    dists = [
        importlib.metadata.PathDistribution(first),
        importlib.metadata.PathDistribution(second),
    ]

    def entry_points(**selection: str) -> list[importlib.metadata.EntryPoint]:
        return [ep for dist in dists for ep in dist.entry_points.select(**selection)]

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    monkeypatch.delenv(DISABLE_ENV, raising=False)
    yield


@pytest.mark.usefixtures("fake_entry_points")
def test_entry_points_loaded_one_at_a_time_failures_recorded() -> None:
    host = PluginHost.create()
    infos = {info.name: info for info in host.plugin_infos()}
    assert infos["good"].origin == "entry point: itsskit-good"
    assert infos["good"].version == "1.2"
    assert infos["good"].hooks == ("register_renderers",)
    assert host.renderer_class("text") is TextRenderer
    failures = {failure.name: failure.cause for failure in host.failures}
    assert "ModuleNotFoundError" in failures["broken"]
    assert "no_such_mod:x (itsskit-good)" in failures["broken"]
    # a second plugin with a name already taken is reported, not silently skipped
    assert "'good' of itsskit-copycat is already taken by itsskit-good" in failures["good"]


@pytest.mark.usefixtures("fake_entry_points")
@pytest.mark.parametrize("value", ["1", "all"])
def test_disable_all_external_plugins(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(DISABLE_ENV, value)
    host = PluginHost.create()
    names = {info.name for info in host.plugin_infos()}
    assert "good" not in names
    assert "itsskit.builtin.calendars" in names
    assert not [f for f in host.failures if f.name in {"good", "broken"}]


@pytest.mark.usefixtures("fake_entry_points")
def test_disable_named_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DISABLE_ENV, "broken, other")
    host = PluginHost.create()
    assert "good" in {info.name for info in host.plugin_infos()}
    assert "broken" not in {failure.name for failure in host.failures}


@pytest.mark.usefixtures("fake_entry_points")
def test_entry_points_false_loads_none() -> None:
    host = PluginHost.create(entry_points=False)
    assert "good" not in {info.name for info in host.plugin_infos()}


def test_channel_and_store_plugins_reach_the_typed_queries(tmp_path: Path) -> None:
    from collections.abc import Mapping, Sequence

    from itsskit.contracts import ArchiveStore, Channel

    class Pigeon(Channel):
        name = "pigeon"

        def send(
            self, report: Report, files: Mapping[str, Path], recipients: Sequence[str]
        ) -> None:
            raise AssertionError("not called here")

    class Vault(ArchiveStore):
        name = "vault"

        def archive(self, report: Report, files: Mapping[str, Path]) -> str:
            return "vault://" + report.id

    class CarrierPlugin:
        @hookimpl
        def register_channels(self, registry: Registry[Channel]) -> None:
            registry.add(Pigeon)

        @hookimpl
        def register_stores(self, registry: Registry[ArchiveStore]) -> None:
            registry.add(Vault)

    host = PluginHost.create(entry_points=False, extra=[CarrierPlugin()])
    assert host.channel_class("pigeon") is Pigeon
    assert host.store_class("vault") is Vault
    assert host.channels().names() == ["folder", "pigeon", "smtp"]
    assert host.stores().names() == ["folder", "vault"]

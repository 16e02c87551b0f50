"""One source-registration hook honouring ``Source.kinds``; the 0.1.0 hooks still work."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from itsskit.contracts import Record, Registry, Source, SourceRegistry
from itsskit.hookspecs import hookimpl
from itsskit.models import DataQualityFinding
from itsskit.plugins import PluginHost


class OutageAndChangeSource(Source):
    name = "monitor"
    kinds = ("outages", "changes")

    def read(self) -> Iterator[Record | DataQualityFinding]:
        return iter(())


class NewStyle:
    name = "new-style"

    @hookimpl
    def register_sources(self, registry: SourceRegistry) -> None:
        registry.add(OutageAndChangeSource)


class OldStyle:
    name = "old-style"

    @hookimpl
    def register_ticket_sources(self, registry: Registry[Source]) -> None:
        registry.add(OutageAndChangeSource)


class PluginOf010:
    """A plugin written for 0.1.0: one hook per record kind."""

    name = "plugin-of-0.1.0"

    @hookimpl
    def register_ticket_sources(self, registry: Registry[Source]) -> None:
        registry.add(OutageAndChangeSource)

    @hookimpl
    def register_outage_sources(self, registry: Registry[Source]) -> None:
        registry.add(OutageAndChangeSource)

    @hookimpl
    def register_change_sources(self, registry: Registry[Source]) -> None:
        registry.add(OutageAndChangeSource)

    @hookimpl
    def register_survey_sources(self, registry: Registry[Source]) -> None:
        registry.add(OutageAndChangeSource)


class NoKinds(Source):
    name = "nothing"
    kinds = ()

    def read(self) -> Iterator[Record | DataQualityFinding]:
        return iter(())


class BadKinds:
    name = "bad-kinds"

    @hookimpl
    def register_sources(self, registry: SourceRegistry) -> None:
        registry.add(NoKinds)


def test_a_source_is_registered_for_exactly_its_kinds() -> None:
    host = PluginHost.create(entry_points=False, extra=[NewStyle()])
    assert host.source_class("outages", "monitor") is OutageAndChangeSource
    assert host.source_class("changes", "monitor") is OutageAndChangeSource
    for kind in ("tickets", "surveys"):
        with pytest.raises(KeyError, match="unknown"):
            host.source_class(kind, "monitor")
    builtin = {kind: host.sources(kind).names() for kind in ("tickets", "outages")}
    assert builtin["tickets"] == ["csv", "jsonl", "parquet", "servicenow-audit", "xlsx"]
    assert builtin["outages"] == ["csv", "jsonl", "monitor", "parquet", "xlsx"]


def test_the_deprecated_per_kind_hook_still_registers_and_warns_by_name() -> None:
    with pytest.warns(
        DeprecationWarning, match="'old-style': register_ticket_sources is deprecated"
    ):
        host = PluginHost.create(entry_points=False, extra=[OldStyle()])
    assert host.source_class("tickets", "monitor") is OutageAndChangeSource


def test_every_deprecated_hook_still_registers_for_its_kind() -> None:
    with pytest.warns(DeprecationWarning) as warned:
        host = PluginHost.create(entry_points=False, extra=[PluginOf010()])
    assert len(warned) == 4
    for kind in ("tickets", "outages", "changes", "surveys"):
        assert host.source_class(kind, "monitor") is OutageAndChangeSource


def test_a_source_without_kinds_is_a_failure_of_its_plugin() -> None:
    host = PluginHost.create(entry_points=False, extra=[BadKinds()])
    assert [f.name for f in host.failures] == ["bad-kinds"]
    assert "kinds must name record kinds" in host.failures[0].cause


def test_implementations_receive_exactly_the_arguments_they_declare() -> None:
    seen: list[object] = []

    class Minimal:
        name = "minimal"

        @hookimpl
        def register_sources(self) -> None:  # declares no parameter at all
            seen.append("called")

    PluginHost.create(entry_points=False, extra=[Minimal()])
    assert seen == ["called"]

"""Every itsskit hook, documented. This module is the plugin reference.

A plugin is a module or object with functions marked ``@itsskit.hookimpl`` whose
names match the functions below. Built-in plugins (``itsskit.builtin.*``) are
registered exactly like external ones, before the external ones that are found
through the ``itsskit`` entry-point group.

All hooks are *registration* hooks: they are called once when a
:class:`itsskit.plugins.PluginHost` is created, receive a
:class:`itsskit.contracts.Registry`, and return nothing. A plugin calls
``registry.add(TheClass)``; two classes claiming one name is an error that names
both. None is ``firstresult``: every plugin is called. A plugin that raises is
reported by name and cause (``PluginHost.failures``) and the others still run.

Hooks only ever gain parameters; an implementation may accept fewer than the
specification lists (pluggy passes only what it asks for). Hookimpl parameters
must not have default values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

from itsskit.contracts import (
    ArchiveStore,
    CalendarPreset,
    Channel,
    Registry,
    Renderer,
    SectionBuilder,
    Source,
    SourceRegistry,
)

if TYPE_CHECKING:
    from itsskit.kpis.catalogue import KpiCatalogue

__all__ = ["hookimpl", "hookspec"]

hookspec = pluggy.HookspecMarker("itsskit")
#: Mark a plugin function as an implementation of an itsskit hook.
hookimpl = pluggy.HookimplMarker("itsskit")


@hookspec
def register_sources(registry: SourceRegistry) -> None:
    """Register :class:`~itsskit.contracts.Source` classes, for the record kinds they read.

    :param registry: add classes with ``registry.add(cls)``; the class is filed
        under each kind of ``cls.kinds`` (``tickets``, ``outages``, ``changes``,
        ``surveys``), and ``cls.name`` is the value of ``plugin = "..."`` in a
        ``[sources.NAME]`` table of one of those kinds.

    Called once per plugin host. Returns nothing; not firstresult. Replaces the
    four per-kind hooks below, which still work and are deprecated.

    Example::

        class JiraSource(Source):
            name = "jira"
            kinds = ("tickets",)

        @itsskit.hookimpl
        def register_sources(registry):
            registry.add(JiraSource)
    """


@hookspec
def register_ticket_sources(registry: Registry[Source]) -> None:
    """Register :class:`~itsskit.contracts.Source` classes that read tickets.

    Deprecated: use :func:`register_sources` (``Source.kinds`` says the kinds).

    :param registry: add classes with ``registry.add(cls)``; ``cls.name`` is the
        value of ``plugin = "..."`` in a ``[sources.NAME]`` table with
        ``kind = "tickets"``.

    Called once per plugin host. Returns nothing; not firstresult.

    Example::

        @itsskit.hookimpl
        def register_ticket_sources(registry):
            registry.add(JiraSource)
    """


@hookspec
def register_outage_sources(registry: Registry[Source]) -> None:
    """Register :class:`~itsskit.contracts.Source` classes that read outages (monitoring).

    Deprecated: use :func:`register_sources` (``Source.kinds`` says the kinds).

    :param registry: add classes with ``registry.add(cls)``; used for
        ``[sources.NAME]`` tables with ``kind = "outages"``.

    Called once per plugin host. Returns nothing; not firstresult.
    """


@hookspec
def register_change_sources(registry: Registry[Source]) -> None:
    """Register :class:`~itsskit.contracts.Source` classes that read changes.

    Deprecated: use :func:`register_sources` (``Source.kinds`` says the kinds).

    Approved changes with a window are planned maintenance for availability.

    :param registry: add classes with ``registry.add(cls)``; used for
        ``[sources.NAME]`` tables with ``kind = "changes"``.

    Called once per plugin host. Returns nothing; not firstresult.
    """


@hookspec
def register_survey_sources(registry: Registry[Source]) -> None:
    """Register :class:`~itsskit.contracts.Source` classes that read survey answers.

    Deprecated: use :func:`register_sources` (``Source.kinds`` says the kinds).

    :param registry: add classes with ``registry.add(cls)``; used for
        ``[sources.NAME]`` tables with ``kind = "surveys"``.

    Called once per plugin host. Returns nothing; not firstresult.
    """


@hookspec
def register_renderers(registry: Registry[Renderer]) -> None:
    """Register :class:`~itsskit.contracts.Renderer` classes (report output formats).

    :param registry: add classes with ``registry.add(cls)``; ``cls.name`` is the
        format users ask for (``--format docx,html``).

    Called once per plugin host. Returns nothing; not firstresult.
    """


@hookspec
def register_sections(registry: Registry[SectionBuilder]) -> None:
    """Register :class:`~itsskit.contracts.SectionBuilder` classes: extra report sections.

    :param registry: add classes with ``registry.add(cls)``; each builder is
        asked for a section for every report built, placed by ``cls.order``.

    Called once per plugin host. Returns nothing; not firstresult.
    """


@hookspec
def register_channels(registry: Registry[Channel]) -> None:
    """Register :class:`~itsskit.contracts.Channel` classes that distribute reports.

    :param registry: add classes with ``registry.add(cls)``; ``cls.name`` is
        what a distribution setting names (``smtp``, ``folder`` ...).

    Called once per plugin host. Returns nothing; not firstresult.
    """


@hookspec
def register_stores(registry: Registry[ArchiveStore]) -> None:
    """Register :class:`~itsskit.contracts.ArchiveStore` classes that archive reports.

    :param registry: add classes with ``registry.add(cls)``; ``cls.name`` is
        what an archive setting names (``folder`` is built in).

    Called once per plugin host. Returns nothing; not firstresult.
    """


@hookspec
def register_calendars(registry: Registry[CalendarPreset]) -> None:
    """Register :class:`~itsskit.contracts.CalendarPreset` classes (holiday sets).

    :param registry: add classes with ``registry.add(cls)``; ``cls.name`` is the
        ``preset`` value of a ``[calendars.NAME]`` table (``china``, ``weekly``
        and ``always`` are built in).

    Called once per plugin host. Returns nothing; not firstresult.
    """


@hookspec
def register_kpis(registry: KpiCatalogue) -> None:
    """Register :class:`~itsskit.kpis.KpiDescriptor` objects: KPIs beyond the built-in ones.

    :param registry: add descriptors with ``registry.add(descriptor)``; a name
        claimed twice is an error. A registered KPI is computed in every project
        bundle (``itsskit kpi``, reports, indicators), pooled for the company as
        its ``pooling`` says, can be the ``kpi`` of an ``[indicators.NAME]``
        table, and is a row of the report's indicator table when its
        ``report_row`` says so. See ``docs/kpis.md`` ("Adding a KPI").

    Called once per plugin host. Returns nothing; not firstresult.

    Example::

        @itsskit.hookimpl
        def register_kpis(registry):
            registry.add(KpiDescriptor(name="first_time_fix", unit="ratio",
                                       compute=first_time_fix, labels={...}))
    """

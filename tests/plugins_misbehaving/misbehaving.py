"""Plugins that misbehave on purpose, for tests/test_plugin_isolation.py.

The test installs this module through a temporary ``.dist-info`` folder on
``PYTHONPATH`` (entry point ``misbehaving``), so batch worker processes load
it like any installed plugin. What each plugin does is chosen by the data:

- the ``misbehaving`` source by its ``mode`` option;
- the ``misbehaving`` section and renderer by the project id: a project named
  ``section-<mode>`` or ``render-<mode>`` gets that behaviour, any other a
  well-behaved result;
- the ``misbehaving`` channel and store by their ``mode`` option.

Modes: ``ok``, ``hang`` (sleeps an hour), ``spin`` (a busy Python loop),
``regex`` (a regular expression that holds the interpreter lock for ages),
``sys-exit``, ``os-exit``, ``kill`` (SIGKILL to itself), ``wrong-type``,
``wrong-kind`` (a source yielding outages as tickets), ``not-iterable``
(a source whose read returns a number), ``hang-later`` (a source that yields
one ticket, then hangs).
"""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import attrs

from itsskit import hookimpl
from itsskit.contracts import ArchiveStore, Channel, Registry, Renderer, SectionBuilder, Source
from itsskit.models import DataQualityFinding, Outage, Report, Section, Ticket

OPENED = datetime.fromisoformat("2025-10-09T10:00+08:00")


def misbehave(mode: str) -> None:
    """Do the bad thing ``mode`` names (return for the modes handled by the caller)."""
    if mode == "hang":
        time.sleep(3600)
    elif mode == "spin":
        while True:
            pass
    elif mode == "regex":  # catastrophic backtracking: holds the interpreter lock for ages
        re.match(r"(a+)+$", "a" * 64 + "b")
    elif mode == "sys-exit":
        sys.exit(3)
    elif mode == "os-exit":
        os._exit(7)
    elif mode == "kill":
        os.kill(os.getpid(), signal.SIGKILL)


@attrs.frozen(kw_only=True)
class ModeOptions:
    mode: str = "ok"


def _ticket(number: int) -> Ticket:
    return Ticket(
        id=f"M-{number}", priority="P1", opened=OPENED, first_response=OPENED, resolved=OPENED
    )


class MisbehavingSource(Source):
    name: ClassVar[str] = "misbehaving"
    options_class: ClassVar[type[Any]] = ModeOptions

    def read(self) -> Iterator[Ticket | DataQualityFinding]:
        mode = self.options.mode
        if mode == "not-iterable":
            return 5  # type: ignore[return-value]
        return self._items(mode)

    def _items(self, mode: str) -> Iterator[Any]:
        if mode == "hang-later":
            yield _ticket(1)
            time.sleep(3600)
        misbehave(mode)
        if mode == "wrong-type":
            yield "not a record"
        elif mode == "wrong-kind":
            yield Outage(id="O-1", service="erp", start=OPENED)
        else:
            yield _ticket(1)


def _mode_of(project: str, prefix: str) -> str:
    return project.removeprefix(prefix) if project.startswith(prefix) else "ok"


class MisbehavingSection(SectionBuilder):
    name: ClassVar[str] = "misbehaving"
    order: ClassVar[int] = 5000

    def build(self, context: Any) -> Section | None:
        mode = _mode_of(context.project.id, "section-")
        misbehave(mode)
        if mode == "wrong-type":
            return "a section"  # type: ignore[return-value]
        return Section(key="misbehaving", title="Misbehaving", paragraphs=("all well",))


class MisbehavingRenderer(Renderer):
    name: ClassVar[str] = "misbehaving"
    suffix: ClassVar[str] = ".txt"

    def render(self, report: Report, *, template: Path | None = None) -> bytes:
        mode = _mode_of(report.project, "render-")
        misbehave(mode)
        if mode == "wrong-type":
            return "text, not bytes"  # type: ignore[return-value]
        return f"report {report.id}".encode()


class MisbehavingChannel(Channel):
    name: ClassVar[str] = "misbehaving"
    options_class: ClassVar[type[Any]] = ModeOptions

    def send(self, report: Report, files: Mapping[str, Path], recipients: Sequence[str]) -> None:
        misbehave(self.options.mode)


class MisbehavingStore(ArchiveStore):
    name: ClassVar[str] = "misbehaving"
    options_class: ClassVar[type[Any]] = ModeOptions

    def archive(self, report: Report, files: Mapping[str, Path]) -> str:
        misbehave(self.options.mode)
        if self.options.mode == "wrong-type":
            return 42  # type: ignore[return-value]
        return "vault://misbehaving"


@hookimpl
def register_ticket_sources(registry: Registry[Source]) -> None:
    registry.add(MisbehavingSource)


@hookimpl
def register_sections(registry: Registry[SectionBuilder]) -> None:
    registry.add(MisbehavingSection)


@hookimpl
def register_renderers(registry: Registry[Renderer]) -> None:
    registry.add(MisbehavingRenderer)


@hookimpl
def register_channels(registry: Registry[Channel]) -> None:
    registry.add(MisbehavingChannel)


@hookimpl
def register_stores(registry: Registry[ArchiveStore]) -> None:
    registry.add(MisbehavingStore)

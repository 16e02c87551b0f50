"""The small interfaces plugins implement, and the registries they register into.

Each plugin class has a ``name`` (what users write in the TOML config) and an
``options_class``: a frozen attrs class structured from the user's config
table, so a misspelt key is an error. Hooks in :mod:`itsskit.hookspecs` hand
a :class:`Registry` to every plugin; plugins call ``registry.add(TheirClass)``.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import attrs

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
from itsskit.times import DEFAULT_TIMEZONE

if TYPE_CHECKING:
    from itsskit.calendar import BusinessCalendar

__all__ = [
    "ArchiveStore",
    "CalendarPreset",
    "Channel",
    "Configurable",
    "NoOptions",
    "OptionError",
    "Record",
    "RECORD_KINDS",
    "Registry",
    "Renderer",
    "SectionBuilder",
    "Source",
    "SourceContext",
    "SourceRegistry",
]

Record = Ticket | Outage | Change | SurveyResponse
RECORD_KINDS = ("tickets", "outages", "changes", "surveys")

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class NoOptions:
    """Options class of a plugin that takes none."""


class Configurable(abc.ABC):
    """A plugin class with a ``name`` and options: an instance of ``options_class``,
    structured from the user's ``[KIND.NAME]`` table (default: the class's defaults)."""

    name: ClassVar[str]
    options_class: ClassVar[type[Any]] = NoOptions

    def __init__(self, options: Any = None) -> None:
        self.options = options if options is not None else self.options_class()


class Registry(Generic[T]):
    """Named plugin classes of one kind (sources of tickets, renderers ...).

    Two classes claiming one name is an error that names both.
    """

    def __init__(self, what: str) -> None:
        self.what = what
        self._classes: dict[str, type[T]] = {}

    def add(self, cls: type[T]) -> None:
        """Register ``cls`` under ``cls.name``."""
        name: str = getattr(cls, "name", "")
        if not name:
            raise ValueError(f"{_qualname(cls)} has no 'name'; every {self.what} needs one")
        if name in self._classes and self._classes[name] is not cls:
            other = _qualname(self._classes[name])
            raise ValueError(
                f"{self.what} {name!r} is claimed by both {other} and {_qualname(cls)}"
            )
        self._classes[name] = cls

    def get(self, name: str) -> type[T]:
        """The class registered as ``name``; ``KeyError`` lists the known names."""
        try:
            return self._classes[name]
        except KeyError:
            known = ", ".join(sorted(self._classes)) or "none"
            raise KeyError(f"unknown {self.what} {name!r} (known: {known})") from None

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._classes)

    def items(self) -> list[tuple[str, type[T]]]:
        """``(name, class)`` pairs sorted by name."""
        return sorted(self._classes.items())

    def __contains__(self, name: object) -> bool:
        return name in self._classes

    def __len__(self) -> int:
        return len(self._classes)


class SourceRegistry:
    """Where ``register_sources`` puts source classes: each under every kind it reads.

    ``registry.add(JiraSource)`` files the class under each of ``JiraSource.kinds``
    (tickets, outages, changes, surveys); two classes claiming one name for one
    kind is an error that names both.
    """

    what = "source"

    def __init__(self, by_kind: dict[str, Registry[Source]]) -> None:
        self._by_kind = by_kind

    def add(self, cls: type[Source]) -> None:
        """Register ``cls`` under ``cls.name`` for each of ``cls.kinds``."""
        kinds = getattr(cls, "kinds", ())
        unknown = [kind for kind in kinds if kind not in self._by_kind]
        if not kinds or unknown:
            raise ValueError(
                f"{_qualname(cls)}.kinds must name record kinds among "
                f"{', '.join(self._by_kind)}; got {kinds!r}"
            )
        for kind in kinds:
            self._by_kind[kind].add(cls)


def _qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


# ------------------------------------------------------------------------ sources


@attrs.frozen(kw_only=True)
class SourceContext:
    """What the host tells a source besides its own options.

    ``name`` is the config table name (``[sources.NAME]``), ``kind`` one of
    :data:`RECORD_KINDS`, ``base_dir`` the folder relative paths are resolved
    against (the config file's), ``timezone`` the zone for naive times.
    ``window`` is the span ``[start, end)`` (aware datetimes) the host needs
    records for, e.g. the KPI period, or a report's period and the earlier
    periods its trends compare with; None when the host needs everything.
    File sources read everything anyway; a source that asks a server for a
    time range (monitoring) queries this span.
    """

    name: str
    kind: str
    base_dir: Path
    timezone: str = DEFAULT_TIMEZONE
    window: tuple[datetime, datetime] | None = None

    def resolve(self, path: str | Path) -> Path:
        """A path from the config, made absolute against :attr:`base_dir`."""
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else self.base_dir / candidate


class OptionError(ValueError):
    """A plugin's option that cannot work: ``option`` names its key (e.g. ``path``)."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


class Source(abc.ABC):
    """Reads records of one kind from a file or a system.

    ``read`` streams records; a record that cannot be used is yielded as a
    :class:`~itsskit.models.DataQualityFinding` (naming the row and the reason)
    and reading goes on. Only a source that cannot be read at all (missing
    file, refused login) raises, with a message naming the file or system.
    """

    name: ClassVar[str]
    kinds: ClassVar[tuple[str, ...]] = RECORD_KINDS
    options_class: ClassVar[type[Any]] = NoOptions

    def __init__(self, options: Any, context: SourceContext) -> None:
        self.options = options
        self.context = context

    def check(self) -> None:
        """Refuse options that cannot work, when the configuration is loaded.

        Raise :class:`OptionError` naming the option (a file that does not
        exist, an unknown encoding ...); nothing is read. The default accepts all.
        """
        return None

    @abc.abstractmethod
    def read(self) -> Iterator[Record | DataQualityFinding]:
        """Yield records of ``self.context.kind`` and findings, in file order."""


# ---------------------------------------------------------------------- renderers


class Renderer(Configurable):
    """Turns a built :class:`~itsskit.models.Report` into a file's bytes."""

    suffix: ClassVar[str]

    @abc.abstractmethod
    def render(self, report: Report, *, template: Path | None = None) -> bytes:
        """The rendered document; ``template`` replaces the shipped default."""


class SectionBuilder(abc.ABC):
    """Adds a section to reports. ``order`` places it among the built-in sections.

    ``phrases`` is the builder's own wording, by language then key (every
    language of :data:`itsskit.models.LANGUAGES`, the same keys; start them with
    the builder's name): ``context.texts("mybuilder.title")`` then finds them.
    """

    name: ClassVar[str]
    order: ClassVar[int] = 1000
    phrases: ClassVar[Mapping[str, Mapping[str, str]]] = {}

    @abc.abstractmethod
    def build(self, context: Any) -> Section | None:
        """The section for this report, or None to add nothing.

        ``context`` is the :class:`itsskit.report.ReportContext` of the report
        being built (project, spec, period, records, clocks and KPI results).
        """


# ------------------------------------------------------------ distribution/archive


class Channel(Configurable):
    """Delivers rendered report files to the report's distribution list."""

    @abc.abstractmethod
    def send(self, report: Report, files: Mapping[str, Path], recipients: Sequence[str]) -> None:
        """Deliver ``files`` (format -> path) to ``recipients``; raise on failure."""


class ArchiveStore(Configurable):
    """Keeps archived reports (a folder by default, a knowledge base by plugin)."""

    @abc.abstractmethod
    def archive(self, report: Report, files: Mapping[str, Path]) -> str:
        """Store the files; return where they went (a path or URL)."""


# ---------------------------------------------------------------------- calendars


class CalendarPreset(abc.ABC):
    """Builds a business calendar from a :class:`~itsskit.models.CalendarSpec`.

    ``name`` is the ``preset`` value in ``[calendars.NAME]`` (``china``,
    ``weekly``, ``always`` are built in); a holiday-set plugin adds another
    country's or company's calendar. ``spec.schedules`` holds the year schedules
    read from the config's ``schedules`` files; a preset that honours them passes
    ``book=ScheduleBook(files=spec.schedules)`` (:mod:`itsskit.schedules`) to
    :class:`~itsskit.calendar.BusinessCalendar`.
    """

    name: ClassVar[str]

    @abc.abstractmethod
    def build(self, spec: CalendarSpec) -> BusinessCalendar:
        """The calendar for ``spec``."""

"""Build a service report: collect records, compute figures, assemble sections (SPEC §5).

:func:`build_report` turns a report specification (a ``[reports.ID]`` row of
the configuration) and a period into a :class:`~itsskit.models.Report`:

1. collect the project's records through its data-source plugins;
2. evaluate the SLA clocks and compute the KPI bundle at the evaluation instant
   ``min(at, period.end)`` (``at`` defaults to now: a report of a finished
   period is "as of its end", one of the running period "as of now"), and the
   same bundle for each of the last 12 periods (the trends);
3. read the service manager's notes (``notes_dir/<period>.toml``);
4. run the built-in sections of :mod:`itsskit.report.sections` and the
   plugins' section builders in ``order`` (a builder that raises becomes a
   visible note in the report, the build goes on), then the data-quality appendix.

Section builders get a :class:`ReportContext`: everything computed for the report.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

import attrs

from itsskit.calendar import BusinessCalendar
from itsskit.clocks import Clock, evaluate
from itsskit.collect import collect
from itsskit.config import Config
from itsskit.contracts import SectionBuilder
from itsskit.converter import converter
from itsskit.kpis import KpiResult, period_sla, project_kpis
from itsskit.models import (
    SLA,
    CalendarSpec,
    DataQualityFinding,
    Project,
    RecordSet,
    Report,
    ReportSpec,
    Section,
    Service,
    Ticket,
)
from itsskit.periods import Period
from itsskit.plugins import PluginHost
from itsskit.provisional import clock_years, kpi_years, merge_years
from itsskit.report.notes import Notes, load_notes
from itsskit.report.sections import (
    BUILTIN_SECTIONS,
    basic_info,
    data_quality_section,
    section_figures,
)
from itsskit.report.texts import LANGUAGES, Texts

__all__ = ["HISTORY_PERIODS", "ReportContext", "build_report", "make_context", "ticket_window"]

#: How many periods (the current one included) the trend section looks back.
HISTORY_PERIODS = 12


@attrs.frozen(kw_only=True)
class ReportContext:
    """Everything computed for one report; what section builders (and plugins) read.

    ``at`` is the evaluation instant ``min(at, period.end)``. ``clocks`` are the
    SLA clocks (evaluated at ``at``) of the tickets that matter for the period:
    opened before its end and not finally resolved before its start.
    ``history`` holds the KPI bundles of the last :data:`HISTORY_PERIODS`
    periods, oldest first, ending with this one (:attr:`kpis`).
    ``findings`` are the data-quality findings of the sources and of the clocks.
    """

    config: Config
    host: PluginHost
    project: Project
    spec: ReportSpec
    period: Period
    at: datetime
    generated: datetime
    language: str = attrs.field(validator=attrs.validators.in_(LANGUAGES))
    records: RecordSet
    clocks: tuple[Clock, ...]
    findings: tuple[DataQualityFinding, ...]
    history: tuple[tuple[Period, Mapping[str, KpiResult]], ...]
    notes: Notes
    sla: SLA | None

    @functools.cached_property
    def texts(self) -> Texts:
        """The wording and number formats of the report's language, with the phrases
        of every registered section builder (:attr:`SectionBuilder.phrases`)."""
        texts = Texts(self.language)
        for builder in self.host.section_builders():
            try:
                texts = texts.extended(builder.phrases, f"section builder {builder.name!r}")
            except ValueError:  # its own section then fails, visibly, on the missing phrase
                continue
        return texts

    def kpi_label(self, name: str) -> str:
        """The display name of the KPI ``name`` in the report's language (the name if unknown)."""
        return self.host.kpis().label(name, self.language)

    @property
    def kpis(self) -> Mapping[str, KpiResult]:
        """The KPI bundle of the period (the last of :attr:`history`)."""
        return self.history[-1][1]

    @functools.cached_property
    def history_opened(self) -> tuple[int, ...]:
        """How many tickets were opened in each period of :attr:`history` (computed once)."""
        periods = [period for period, _ in self.history]
        starts = [period.start for period in periods]  # oldest first, not overlapping
        counts = [0] * len(periods)
        for ticket in self.records.tickets:
            if ticket.opened is None:
                continue
            index = bisect.bisect_right(starts, ticket.opened) - 1
            if index >= 0 and periods[index].contains(ticket.opened):
                counts[index] += 1
        return tuple(counts)

    @property
    def timezone(self) -> tzinfo | None:
        """The period's time zone (for showing local times)."""
        return self.period.start.tzinfo

    def service_name(self, service_id: str | None) -> str:
        """The catalogue name of a service (its id when not in the catalogue)."""
        if not service_id:
            return self.texts("work.unknown")
        service = self.config.services.get(service_id)
        return service.name if service else service_id

    def services(self) -> list[Service]:
        """The project's services, from the catalogue (ids not in it get a bare entry)."""
        return [
            self.config.services.get(sid) or Service(id=sid, name=sid)
            for sid in self.project.services
        ]

    @functools.cached_property
    def provisional_years(self) -> tuple[int, ...]:
        """Provisional holiday-schedule years the clocks and calendar-based KPIs rest on."""
        calendar_for = self.host.calendar
        tickets = self.records.tickets
        return merge_years(
            clock_years(self.clocks, self.project, self.at, calendar_for),
            kpi_years(tickets, self.project, self.period, self.at, calendar_for),
        )

    def calendar(self, spec: CalendarSpec | None = None) -> BusinessCalendar:
        """The calendar of ``spec`` (default: the period's SLA), cached by the plugin host."""
        if spec is None:
            spec = self.sla.calendar if self.sla else CalendarSpec()
        return self.host.calendar(spec)

    def opened(self) -> list[Ticket]:
        """Tickets opened in the period."""
        return [
            t
            for t in self.records.tickets
            if t.opened is not None and self.period.contains(t.opened)
        ]

    def resolved(self) -> list[Ticket]:
        """Tickets finally resolved in the period."""
        return [
            t
            for t in self.records.tickets
            if t.resolved is not None and self.period.contains(t.resolved)
        ]

    def closed(self) -> list[Ticket]:
        """Tickets closed in the period."""
        return [
            t
            for t in self.records.tickets
            if t.closed is not None and self.period.contains(t.closed)
        ]

    def backlog(self) -> list[Ticket]:
        """Tickets opened before the period's end (and ``at``) and not resolved by then."""
        end = self.at
        return [
            t
            for t in self.records.tickets
            if t.opened is not None and t.opened < end and (t.resolved is None or t.resolved >= end)
        ]

    def stopped_clocks(self) -> list[Clock]:
        """Clocks that stopped in the period (the ones in the attainment rates)."""
        return [c for c in self.clocks if c.stopped is not None and self.period.contains(c.stopped)]


def build_report(
    config: Config,
    report_id: str,
    period: Period | str,
    *,
    host: PluginHost | None = None,
    at: datetime | None = None,
    language: str | None = None,
) -> Report:
    """Build report ``report_id`` of ``config`` for ``period`` (``"2025-10"``, ``"2025-Q4"`` ...).

    ``at`` (aware) is when the report is made, default now: its report date,
    and the instant the data are evaluated (clocks and KPIs at
    ``min(at, period.end)``). ``language`` overrides the
    report specification's (``zh-CN`` or ``en``).
    """
    host = host or PluginHost.create()
    context = make_context(config, report_id, period, host=host, at=at, language=language)
    builders: list[tuple[int, Callable[[ReportContext], Section | None]]] = [*BUILTIN_SECTIONS]
    builders += [(builder.order, _guarded(builder)) for builder in host.section_builders()]
    builders.sort(key=lambda item: item[0])  # stable: built-ins first at equal order
    sections = [section for _, build in builders if (section := build(context)) is not None]
    sections.append(data_quality_section(context))
    return Report(
        id=context.spec.id,
        project=context.project.id,
        spec=context.spec,
        period_label=context.period.label,
        period_start=context.period.start,
        period_end=context.period.end,
        generated=context.generated,
        language=context.language,
        sections=tuple(sections),
        figures=figures(context, sections),
    )


def make_context(
    config: Config,
    report_id: str,
    period: Period | str,
    *,
    host: PluginHost,
    at: datetime | None = None,
    language: str | None = None,
) -> ReportContext:
    """Collect and compute everything a report of ``report_id`` for ``period`` needs."""
    spec = _report_spec(config, report_id)
    project = config.project(spec.project)
    if isinstance(period, str):
        period = Period.parse(period, project.timezone)
    if at is not None and (at.tzinfo is None or at.utcoffset() is None):
        raise ValueError(f"at must be timezone-aware, got naive {at.isoformat()}")
    generated = (at or datetime.now(UTC)).astimezone(period.start.tzinfo)
    instant = min(generated, period.end)
    window = (period.last(HISTORY_PERIODS)[0].start, period.end)  # the trends' periods too
    records = collect(config, project.id, host, window=window)
    relevant = [t for t in records.tickets if ticket_window(t, period)]
    evaluation = evaluate(relevant, project, instant, host.calendar)
    history = tuple(
        (past, _period_kpis(records, project, past, instant, host))
        for past in period.last(HISTORY_PERIODS)[:-1]
    ) + (
        (
            period,
            project_kpis(records, project, period, instant, host.calendar, catalogue=host.kpis()),
        ),
    )
    notes_dir = config.base_dir / spec.notes_dir if spec.notes_dir else None
    return ReportContext(
        config=config,
        host=host,
        project=project,
        spec=spec,
        period=period,
        at=instant,
        generated=generated,
        language=language or spec.language,
        records=records,
        clocks=evaluation.clocks,
        findings=records.findings + evaluation.findings,
        history=history,
        notes=load_notes(notes_dir, period.label),
        sla=period_sla(project, period),
    )


def ticket_window(ticket: Ticket, period: Period) -> bool:
    """True when a ticket can have a clock stopping in, or running at the end of, ``period``."""
    if ticket.opened is None:
        return True  # becomes a data-quality finding
    if ticket.opened >= period.end:
        return False
    stops = [when for when in (ticket.resolved, ticket.first_response) if when is not None]
    return ticket.resolved is None or any(when >= period.start for when in stops)


def _period_kpis(
    records: RecordSet, project: Project, period: Period, at: datetime, host: PluginHost
) -> dict[str, KpiResult]:
    """The KPI bundle of an earlier period, from only the tickets that matter for it (fast)."""
    tickets = tuple(t for t in records.tickets if ticket_window(t, period))
    return project_kpis(
        attrs.evolve(records, tickets=tickets),
        project,
        period,
        min(at, period.end),
        host.calendar,
        catalogue=host.kpis(),
    )


def figures(context: ReportContext, sections: list[Section]) -> dict[str, Any]:
    """``report.figures``: basic information and the KPI bundle, JSON-ready, for templates."""
    return {
        "basic": basic_info(context),
        "kpis": {name: converter.unstructure(result) for name, result in context.kpis.items()},
        **section_figures(context),
        "sections": [section.key for section in sections],
        "provisional_years": list(context.provisional_years),
    }


def _report_spec(config: Config, report_id: str) -> ReportSpec:
    try:
        return config.reports[report_id]
    except KeyError:
        known = ", ".join(sorted(config.reports)) or "none defined"
        raise KeyError(f"{config.path}: unknown report {report_id!r} (known: {known})") from None


def _guarded(builder: SectionBuilder) -> Callable[[ReportContext], Section | None]:
    """``builder.build``; an exception becomes a section saying the plugin failed."""

    def build(context: ReportContext) -> Section | None:
        try:
            return builder.build(context)
        except Exception as exc:  # noqa: BLE001 - one plugin must not stop the report
            texts = context.texts
            message = texts(
                "plugin.failed", name=builder.name, error=f"{type(exc).__name__}: {exc}"
            )
            return Section(
                key=f"plugin-error-{builder.name}",
                title=texts("title.plugin_error"),
                paragraphs=(message,),
            )

    return build

"""A project's KPIs from an Arrow ticket table: the built-in KPIs without a ``Ticket`` per row.

:class:`TicketSplit` splits a shared table by project once, in columns;
:func:`arrow_kpi_inputs` is :func:`itsskit.kpis.kpi_inputs` with the clocks
from :func:`~itsskit.columnar.tickets.evaluate_arrow`, and ``Ticket`` objects
only for the incidents whose callback the period's coverage lists;
:func:`arrow_kpi_years` is :func:`itsskit.provisional.kpi_years`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from itsskit.calendar import BusinessCalendar
from itsskit.clocks import MISSING, cached_calendars
from itsskit.columnar.tickets import evaluate_arrow
from itsskit.kpis.attainment import DEFAULT_ATTAINMENT_TARGET, evaluation_instant
from itsskit.kpis.availability import service_time
from itsskit.kpis.bundle import period_sla
from itsskit.kpis.catalogue import KpiInputs
from itsskit.kpis.results import DEFAULT_MARGIN, KpiResult, make_result, ratio
from itsskit.kpis.satisfaction import CALLBACK_WINDOW
from itsskit.models import CalendarSpec, Project, RecordSet, SurveyKind, SurveyResponse, TicketKind
from itsskit.periods import Period
from itsskit.provisional import merge_years
from itsskit.times import epoch_us

__all__ = [
    "TicketSplit",
    "arrow_kpi_inputs",
    "arrow_kpi_years",
    "callback_coverage_table",
    "project_tickets",
]

CalendarFor = Callable[[CalendarSpec], BusinessCalendar]


class TicketSplit:
    """A shared ticket table split by project once: each project's rows cost its own share.

    The table is reordered by project once (a stable sort, so file order within
    a project); a project's rows are then a slice of it, and those without a
    project another one, put back in file order.
    """

    def __init__(self, table: pa.Table) -> None:
        encoded = pc.dictionary_encode(table.column("project").combine_chunks())
        codes = np.asarray(pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False))
        self._names = {name: code for code, name in enumerate(encoded.dictionary.to_pylist())}
        self._order = np.argsort(codes, kind="stable")  # rows by project code, in file order
        self._bounds = np.searchsorted(codes[self._order], np.arange(-1, len(self._names) + 1))
        self._sorted = table.take(pa.array(self._order)).combine_chunks()

    def rows_of(self, project_id: str) -> pa.Table:
        """The rows of ``project_id`` and those without a project, in file order."""
        code = self._names.get(project_id)
        none = self._sorted.slice(0, int(self._bounds[1]))
        if code is None:
            return none
        start, end = int(self._bounds[code + 1]), int(self._bounds[code + 2])
        own = self._sorted.slice(start, end - start)
        if not len(none):
            return own
        rows = np.r_[np.arange(len(none)), np.arange(start, end)]
        return self._sorted.take(pa.array(rows[np.argsort(self._order[rows], kind="stable")]))


def project_tickets(splits: Sequence[TicketSplit], project_id: str) -> pa.Table | None:
    """The tickets of ``project_id`` (its own and those without a project) of the tables.

    None when an id occurs twice (the record path then names the duplicates).
    """
    parts = [split.rows_of(project_id) for split in splits]
    joined = pa.concat_tables(parts, promote_options="permissive") if parts else None
    if joined is None or pc.count_distinct(joined.column("id")).as_py() != len(joined):
        return None
    return joined


def arrow_kpi_inputs(
    tickets: pa.Table,
    records: RecordSet,
    project: Project,
    period: Period,
    at: datetime,
    calendar_for: CalendarFor | None = None,
    *,
    attainment_target: float = DEFAULT_ATTAINMENT_TARGET,
) -> KpiInputs:
    """:func:`itsskit.kpis.kpi_inputs` with the project's tickets as ``tickets`` (Arrow).

    ``records`` holds the other records (its tickets are not read); the
    measured tickets are ``ticket_table``, ``measured`` is empty.
    """
    calendar_for = cached_calendars(calendar_for)
    instant = evaluation_instant(period, at)
    table, findings = evaluate_arrow(tickets, project, instant, calendar_for)
    sla = period_sla(project, period)
    calendar = calendar_for(sla.calendar) if sla else BusinessCalendar.always(project.timezone)
    services = sorted(set(project.services) | {outage.service for outage in records.outages})
    unusable = {f.record_id for f in findings if f.record_id is not None}
    usable = pc.invert(
        pc.is_in(tickets.column("id"), value_set=pa.array(sorted(unusable), pa.string()))
    )
    return KpiInputs(
        records=records,
        project=project,
        period=period,
        at=at,
        instant=instant,
        clocks=table,
        excluded_tickets=len(findings),
        measured=(),
        sla=sla,
        calendar=calendar,
        service_times=tuple(
            service_time(service, records.outages, records.changes, calendar, period, instant)
            for service in services
        ),
        attainment_target=attainment_target,
        ticket_table=tickets.filter(usable),
    )


def callback_coverage_table(
    tickets: pa.Table, period: Period, surveys: Sequence[SurveyResponse]
) -> KpiResult:
    """:func:`itsskit.kpis.callback_coverage` of the tickets of an Arrow table."""
    resolved, callback = _us(tickets, "resolved"), _us(tickets, "callback")
    incident = pc.fill_null(pc.not_equal(tickets.column("kind"), TicketKind.REQUEST.value), True)
    in_period = (resolved >= epoch_us(period.start)) & (resolved < epoch_us(period.end))
    rows = np.flatnonzero(in_period & np.asarray(incident))
    resolved, callback = resolved[rows], callback[rows]
    window = int(CALLBACK_WINDOW.total_seconds()) * 1_000_000
    ok = (callback != MISSING) & (resolved <= callback) & (callback <= resolved + window)
    ids = tickets.column("id").take(pa.array(rows)).combine_chunks()
    answers = [s for s in surveys if s.kind == SurveyKind.CALLBACK and s.ticket is not None]
    if answers:
        where = pc.index_in(pa.array([s.ticket for s in answers], pa.string()), value_set=ids)
        position = np.asarray(pc.fill_null(where, -1).to_numpy(zero_copy_only=False), np.int64)
        at = np.array([epoch_us(s.answered) for s in answers], dtype=np.int64)
        hit = position >= 0
        position, at = position[hit], at[hit]
        inside = (resolved[position] <= at) & (at <= resolved[position] + window)
        np.logical_or.at(ok, position[inside], True)
    covered, total = int(ok.sum()), len(rows)
    return make_result(
        "callback_coverage",
        ratio(covered, total),
        target=None,
        margin=DEFAULT_MARGIN,
        numerator=covered,
        denominator=total,
        details={"missing": sorted(ids.filter(pa.array(~ok)).to_pylist())},
    )


def arrow_kpi_years(
    tickets: pa.Table, project: Project, period: Period, at: datetime, calendar_for: CalendarFor
) -> tuple[int, ...]:
    """:func:`itsskit.provisional.kpi_years` of the table's tickets."""
    instant_us = epoch_us(min(at, period.end))
    start_us = epoch_us(period.start)
    opened, resolved = _us(tickets, "opened"), _us(tickets, "resolved")
    stop = np.where(resolved == MISSING, instant_us, np.minimum(resolved, instant_us))
    counted = (opened != MISSING) & (opened < instant_us) & (stop >= start_us)
    starts = np.r_[start_us, opened[counted]]
    ends = np.r_[max(instant_us, start_us), np.maximum(stop, opened)[counted]]
    specs = list(dict.fromkeys(sla.calendar for sla in project.slas))
    return merge_years(
        *(
            calendar_for(spec).provisional_years_many(
                starts.view("datetime64[us]"), ends.view("datetime64[us]")
            )
            for spec in specs
        )
    )


def _us(table: pa.Table, name: str) -> npt.NDArray[np.int64]:
    column = table.column(name)
    as_us = pc.cast(pc.cast(column, pa.timestamp("us", tz=column.type.tz)), pa.int64())
    return np.asarray(pc.fill_null(as_us, MISSING).to_numpy(zero_copy_only=False), dtype=np.int64)

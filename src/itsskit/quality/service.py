"""The quality loop as library calls (SPEC §6): what ``itsskit quality`` runs, one function each.

Each function takes the loaded :class:`~itsskit.config.Config`, the plugin host
and, where figures are needed, the records of every project (as the CLI reads
them); it opens the register database the config names (``[storage] url``,
default ``itsskit.db`` beside the config) through
:class:`~itsskit.quality.store.QualityStore` and returns plain results.
Errors are :class:`~itsskit.improvements.ImprovementError` (a ValueError) with
one clear line.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

import attrs
from sqlalchemy import inspect, select

from itsskit.config import Config
from itsskit.improvement_store import now
from itsskit.improvements import (
    ImprovementError,
    RegisterItem,
    from_improvement_item,
    shown_status,
)
from itsskit.kpis import KpiResult, company_kpis
from itsskit.models import ImprovementItem, RecordSet, Report, Ticket
from itsskit.periods import Period
from itsskit.plugins import PluginHost
from itsskit.quality.annual import annual_report
from itsskit.quality.audit import Audit, generate_checklist
from itsskit.quality.indicators import (
    IndicatorResult,
    indicator_system,
    kpis_by_period,
    target_for,
    year_labels,
)
from itsskit.quality.prefill import prefill
from itsskit.quality.review import (
    complaints,
    load_review_file,
    review_pack,
    review_report,
)
from itsskit.quality.store import QualityStore
from itsskit.quality.surveys import analyse_satisfaction, callback_worklist
from itsskit.wording import Texts

__all__ = [
    "YearFigures",
    "answer_checkpoint",
    "build_year_document",
    "import_improvements",
    "open_store",
    "prepare_checklist",
    "record_review",
    "register_indicator_misses",
    "report_improvements",
    "sync_report_reviews",
    "year_figures",
]


def open_store(config: Config) -> QualityStore:
    """The quality store (improvement register, audits, reviews) of the config's database."""
    return QualityStore.open(config.database_url)


def register_exists(config: Config) -> bool:
    """Whether there is a register database to read: ``[storage] url`` is set, or the default
    ``itsskit.db`` beside the config exists. Documents only read it; they never create it."""
    return bool(config.storage_url) or (config.base_dir / "itsskit.db").is_file()


# -------------------------------------------------------------- the figures


@attrs.frozen(kw_only=True)
class YearFigures:
    """The KPI bundles of a year, its quarters and months (months without data left out)."""

    year: int
    kpis: Mapping[str, Mapping[str, Mapping[str, KpiResult]]]
    company: Mapping[str, KpiResult]


def months_with_data(records: RecordSet, year: int, timezone: str) -> set[str]:
    """The month labels of ``year`` in which the project has a new record.

    A new record is a ticket opened or an outage started in the month (late
    callbacks and resolutions of earlier tickets do not count); a month without
    any is "no data" (never availability 100 %).
    """
    instants = [
        *(ticket.opened for ticket in records.tickets if ticket.opened),
        *(outage.start for outage in records.outages),
    ]
    labels = set()
    for month in range(1, 13):
        period = Period.parse(f"{year}-{month:02d}", timezone)
        if any(period.contains(t) for t in instants):
            labels.add(period.label)
    return labels


def year_figures(
    config: Config, host: PluginHost, records: Mapping[str, RecordSet], year: int, at: datetime
) -> YearFigures:
    """KPIs of the year, quarters and months; a project's month without any record is no data.

    The year's company bundle is :func:`itsskit.kpis.company_kpis` of the
    project bundles, the same figures ``itsskit kpi --period YEAR`` shows.
    """
    kpis = kpis_by_period(
        records, config.projects, year_labels(year), at, host.calendar, host.kpis()
    )
    for pid, project in config.projects.items():
        with_data = months_with_data(records[pid], year, project.timezone)
        for label in year_labels(year)[5:]:
            if label not in with_data:
                kpis[label].pop(pid, None)
    company = company_kpis(kpis[str(year)], catalogue=host.kpis()) if kpis[str(year)] else {}
    return YearFigures(year=year, kpis=kpis, company=company)


# ----------------------------------------------------------------- the audit


def prepare_checklist(
    config: Config,
    host: PluginHost,
    records: Mapping[str, RecordSet],
    year: int,
    *,
    at: datetime,
    language: str = "zh-CN",
    scheduled: date | None = None,
) -> Audit:
    """Create (or refresh) the year's audit in the register, pre-filled from the data.

    Checkpoints the data can answer get the year's figures, the evidence and a
    proposed verdict (:func:`itsskit.quality.prefill.prefill`); answers already
    given by the auditor are kept.
    """
    figures = year_figures(config, host, records, year, at)
    fresh = Audit.from_checklist(
        generate_checklist(year, scheduled=scheduled, language=language), language
    )
    with open_store(config) as store:
        if store.has_audit(fresh.id):
            fresh = _keep_answers(fresh, store.audit(fresh.id))
        filled = prefill(
            fresh, period=str(year), company=figures.company, projects=figures.kpis[str(year)],
            indicators=indicator_system(config.indicators.values()), catalogue=host.kpis(),
            register=store.items(), on=min(at.date(), date(year, 12, 31)),
        )  # fmt: skip
        return store.save_audit(filled)


def _keep_answers(fresh: Audit, stored: Audit) -> Audit:
    answers = {e.id: e for e in stored.items}
    items = tuple(
        attrs.evolve(e, conforming=answers[e.id].conforming, evidence=answers[e.id].evidence,
                     severity=answers[e.id].severity) if e.id in answers else e
        for e in fresh.items
    )  # fmt: skip
    return attrs.evolve(fresh, items=items, held=stored.held, auditors=stored.auditors,
                        scope=stored.scope, scheduled=stored.scheduled)  # fmt: skip


def answer_checkpoint(
    config: Config,
    year: int,
    item: str,
    *,
    conforming: bool | None = None,
    evidence: str = "",
    severity: str | None = None,
    accept_proposed: bool = False,
) -> Audit:
    """Record the auditor's answer to checkpoint ``item`` of the year's audit.

    With ``accept_proposed`` the data's proposed verdict is taken as the answer
    (an error when the data proposed none).
    """
    with open_store(config) as store:
        audit = store.audit(f"audit-{year}")
        if accept_proposed:
            entry = next((e for e in audit.items if e.id == item), None)
            if entry is None or entry.proposed is None:
                raise ImprovementError(
                    f"audit-{year}: item {item!r} has no proposed verdict from the data"
                )
            conforming, evidence = entry.proposed, evidence or entry.data_evidence
        if conforming is None:
            raise ImprovementError("give the answer: conforming or nonconforming")
        return store.answer(
            f"audit-{year}", item, conforming=conforming, evidence=evidence, severity=severity
        )


# ---------------------------------------------------------------- the register


def import_improvements(config: Config, items: Sequence[ImprovementItem], *, by: str) -> list[str]:
    """Import 0.1.0 improvement items (a TOML file's ``[[improvements]]``); returns the new ids.

    Items already in the register (same id) are skipped.
    """
    added = []
    with open_store(config) as store:
        known = {item.id for item in store.items()}
        for legacy in items:
            if legacy.id in known:
                continue
            store.put(from_improvement_item(legacy, by=by, at=now()))
            added.append(legacy.id)
    return added


def sync_report_reviews(store: QualityStore) -> list[str]:
    """Copy the report-review items of the report store (same database) into the register.

    Items already copied (same id) are left as they are; returns the new ids.
    """
    from itsskit.storage import improvements_table, reports_table, reviews_table

    if not inspect(store.engine).has_table(improvements_table.name):
        return []
    query = (
        select(improvements_table, reports_table.c.report, reports_table.c.period)
        .join(reviews_table, reviews_table.c.id == improvements_table.c.review)
        .join(reports_table, reports_table.c.id == reviews_table.c.report_row)
    )
    with store.engine.connect() as conn:
        rows = list(conn.execute(query))
    known = {item.id for item in store.items(source="report-review")}
    added = []
    for row in rows:
        if row.item_id in known or not row.description.strip():
            continue
        legacy = ImprovementItem(
            id=row.item_id, description=row.description, owner=row.owner,
            due=date.fromisoformat(row.due) if row.due else None,
            done=date.fromisoformat(row.done) if row.done else None,
        )  # fmt: skip
        item = from_improvement_item(legacy, by="report-review", at=now(), source="report-review")
        try:
            store.put(attrs.evolve(item, ref=f"{row.report} {row.period}"))
        except ImprovementError:
            continue  # the same id taken by another source: keep the register's
        known.add(row.item_id)
        added.append(row.item_id)
    return added


def miss_ref(result: IndicatorResult) -> str:
    """The register ``ref`` of an indicator miss: ``indicator/scope/period``."""
    return f"{result.indicator.name}/{result.scope}/{result.period}"


def register_indicator_misses(
    store: QualityStore, results: Sequence[IndicatorResult], language: str
) -> list[str]:
    """An ``indicator`` item for each missed assessment not yet in the register; returns the new ids."""
    texts = Texts(language)
    known = {item.ref for item in store.items(source="indicator")}
    added = []
    for result in results:
        if not result.assessed or result.status != "missed" or miss_ref(result) in known:
            continue
        from itsskit.quality.annual import indicator_label, value_of

        item = store.add_item(
            source="indicator", by="itsskit", owner=result.indicator.owner, ref=miss_ref(result),
            description=texts(
                "q.imp.miss", indicator=indicator_label(result.indicator, language),
                scope=result.scope, period=result.period, value=value_of(result, language),
                target=value_of(attrs.evolve(result, value=target_for(result.indicator, result.scope)), language),
            ),
        )  # fmt: skip
        added.append(item.id)
    return added


# ------------------------------------------------------- the year's documents


def build_year_document(
    kind: str,
    config: Config,
    host: PluginHost,
    records: Mapping[str, RecordSet],
    year: int,
    *,
    at: datetime,
    language: str = "zh-CN",
    audit: Audit | None = None,
    improvements: Sequence[ImprovementItem] = (),
    generated: datetime | None = None,
) -> Report:
    """The annual quality report (``kind="annual"``) or the review pack (``"review"``).

    When the register database exists (:func:`register_exists`), indicator
    misses are registered as improvement items and the report-review items
    copied in first, so the documents read causes, measures and status from the
    one register; without it the documents show prompts and create nothing. ``audit``: a file's audit; default the year's stored
    audit, if any. ``improvements``: extra 0.1.0 items (from a file) shown too.
    """
    from itsskit.quality.annual import year_results

    if kind not in ("annual", "review"):
        raise ValueError(f'kind must be "annual" or "review", got {kind!r}')
    figures = year_figures(config, host, records, year, at)
    indicators = indicator_system(config.indicators.values())
    tickets = [t for r in records.values() for t in r.tickets]
    surveys = [s for r in records.values() for s in r.surveys]
    period = Period.year(year)
    services = {t.id: t.service or "" for t in tickets}
    satisfaction = analyse_satisfaction(surveys, tickets, period, services=services)
    register: list[RegisterItem] = []
    if register_exists(config):
        with open_store(config) as store:
            sync_report_reviews(store)
            results = year_results(indicators, figures.kpis, year)
            register_indicator_misses(store, [r for rs in results.values() for r in rs], language)
            register = store.items()
            if audit is None and store.has_audit(f"audit-{year}"):
                audit = store.audit(f"audit-{year}")
    legacy = [from_improvement_item(i, by="file", at=now()) for i in improvements]
    build = functools.partial(
        annual_report if kind == "annual" else review_pack,
        generated=generated or now(), language=language,
        project_names={pid: p.name for pid, p in config.projects.items()},
        satisfaction=satisfaction, audit=audit, register=[*register, *legacy],
        catalogue=host.kpis(),
    )  # fmt: skip
    if kind == "annual":
        return build(indicators, figures.kpis, year)
    return build(indicators, figures.kpis, year, complaint_tickets=complaints(tickets, period))


def record_review(
    config: Config,
    host: PluginHost,
    records: Mapping[str, RecordSet],
    year: int,
    review_file: Path,
    out_dir: Path,
    *,
    at: datetime,
    formats: str = "docx,html",
    language: str = "zh-CN",
    by: str = "",
) -> dict[str, Path]:
    """Record the year's management review from ``review_file`` and render it with its pack.

    The pack and the review report are rendered into ``out_dir``; the review,
    its decisions (each a ``management-review`` register item) and the files
    are stored in the register. Returns format -> path of every file written
    (keys ``pack.<format>`` and ``review.<format>``).
    """
    from itsskit.report.output import render

    pack = build_year_document("review", config, host, records, year, at=at, language=language)
    record = load_review_file(review_file, year, pack)
    with open_store(config) as store:
        stored = store.save_review(record, by=by or record.chair)
        statuses = {d.item: Texts(language)(f"q.imp.status.{shown_status(store.get(d.item), at.date())}")
                    for d in stored.decisions if d.item}  # fmt: skip
        report = review_report(stored, pack, generated=now(), language=language, statuses=statuses)
        written = {f"pack.{k}": v for k, v in render(pack, formats, out_dir).items()}
        written |= {f"review.{k}": v for k, v in render(report, formats, out_dir).items()}
        store.set_review_files(stored.id, {k: str(v) for k, v in written.items()})
    return written


# ------------------------------------------------------- service reports


def belongs_to(item: RegisterItem, project_id: str, report_id: str) -> bool:
    """Whether a register item concerns a project's service report.

    Report-review items of the report (``ref`` ``"<report id> <period>"``),
    indicator misses of the project (``ref`` ``"indicator/<project>/period"``),
    and items whose ``ref`` is the project id.
    """
    if item.source == "report-review":
        return item.ref.split(" ")[0] == report_id
    if item.source == "indicator":
        return item.ref.split("/")[1:2] == [project_id]
    return item.ref == project_id


def report_improvements(
    config: Config, project_id: str, report_id: str, period: Period
) -> list[RegisterItem]:
    """The register items a service report's improvement section shows.

    Items of the project or report (:func:`belongs_to`) still open at the end
    of ``period`` or closed during it. None when there is no register database
    yet (reading creates nothing).
    """
    if not register_exists(config):
        return []
    start, end = period.start.date(), period.end.date()
    with open_store(config) as store:
        found = store.items()
    return [
        item for item in found
        if belongs_to(item, project_id, report_id) and item.created < end
        and (item.closed_on is None or item.closed_on >= start)
    ]  # fmt: skip


# ------------------------------------------------------------------ callbacks


def callbacks_due(
    records: Mapping[str, RecordSet], at: datetime, *, days: int = 30
) -> list[dict[str, object]]:
    """Incidents resolved in the ``days`` before ``at`` still without a callback: due or overdue."""
    tickets: list[Ticket] = [t for r in records.values() for t in r.tickets]
    surveys = [s for r in records.values() for s in r.surveys]
    return callback_worklist(tickets, surveys, at, since=at - timedelta(days=days))

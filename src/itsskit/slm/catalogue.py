"""The service catalogue (《运维服务目录》, seed 0601 §5.2.1) built from the configuration.

Every ``[services.NAME]`` with its description, components and owner; the
service levels (SLAs) that cover it — the versions in force on the document's
date of the projects that use it, and any SLA listing it in ``services`` — with
their service hours and targets; and the customers and projects that use it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from itsskit.config import Config
from itsskit.models import SLA, Project, Report, Section, Service
from itsskit.slm.common import (
    METRICS,
    Table,
    availability_text,
    calendar_policy,
    customer_name,
    day_start,
    exact_duration,
    failure_duration_text,
    failures_text,
    hours_text,
    or_prompt,
    pause_rules,
    period_word,
    priorities,
    sla_label,
    slm_document,
    table,
    targets_table,
)
from itsskit.times import DEFAULT_TIMEZONE
from itsskit.wording import Texts

__all__ = ["build_catalogue", "current_sla", "service_tiers", "service_users", "sla_figures"]


def current_sla(project: Project, day: date) -> SLA | None:
    """The project's SLA version in force on ``day``; else its latest version (None: no SLA)."""
    matching = [sla for sla in project.slas if sla.is_effective(day)]
    if matching:
        return matching[-1]
    return project.slas[-1] if project.slas else None


def service_users(config: Config, service_id: str) -> list[Project]:
    """The projects that list ``service_id``, by id."""
    return [config.projects[pid] for pid in sorted(config.projects)
            if service_id in config.projects[pid].services]  # fmt: skip


def service_tiers(config: Config, service_id: str, day: date) -> list[SLA]:
    """The SLAs covering ``service_id`` on ``day``: its projects' versions, and SLAs listing it."""
    tiers: dict[tuple[str, str], SLA] = {}
    for project in service_users(config, service_id):
        sla = current_sla(project, day)
        if sla is not None:
            tiers[(sla.id, sla.version)] = sla
    for sla in config.slas.values():
        if service_id in sla.services:
            tiers[(sla.id, sla.version)] = sla
    return [tiers[key] for key in sorted(tiers)]


def build_catalogue(
    config: Config, *, generated: datetime, language: str = "zh-CN", provider: str = ""
) -> Report:
    """The service catalogue of ``config`` as of ``generated`` (its date picks the SLA versions)."""
    texts = Texts(language)
    day = generated.date()
    services = [config.services[sid] for sid in sorted(config.services)]
    used_slas = sorted(config.slas.values(), key=lambda sla: (sla.id, sla.version))
    sections = [
        _overview(config, services, day, texts),
        *(_service_section(config, service, day, texts) for service in services),
        _tiers_section(config, used_slas, texts),
    ]
    zone = generated.tzinfo
    timezone = getattr(zone, "key", DEFAULT_TIMEZONE)
    return slm_document(
        report_id="service-catalogue",
        title=texts("slm.cat.title"),
        label=day.isoformat(),
        start=day_start(day, timezone),
        end=day_start(day, timezone),
        generated=generated,
        texts=texts,
        sections=sections,
        purpose=texts("slm.cat.purpose"),
        audience=texts("slm.cat.audience"),
        department=or_prompt(provider, texts, texts("slm.provider")),
        basic={"project_name": texts("slm.cat.title"), "scope": [s.name for s in services]},
        figures={
            "services": [_service_figures(config, s, day) for s in services],
            "tiers": {sla.id: sla_figures(sla) for sla in used_slas},
        },
    )


def sla_figures(sla: SLA) -> dict[str, Any]:
    """An SLA version's measured terms as JSON-ready data (targets in business seconds)."""
    return {
        "id": sla.id,
        "version": sla.version,
        "effective_from": sla.effective_from.isoformat() if sla.effective_from else None,
        "effective_to": sla.effective_to.isoformat() if sla.effective_to else None,
        "calendar": {
            "preset": sla.calendar.preset,
            "timezone": sla.calendar.timezone,
            "hours": list(sla.calendar.hours),
            "weekdays": list(sla.calendar.weekdays),
        },
        "targets": {
            "response": dict(sla.targets.response),
            "resolution": dict(sla.targets.resolution),
            "turnaround": dict(sla.targets.turnaround),
        },
        "pause_statuses": None if sla.pause_statuses is None else list(sla.pause_statuses),
        "availability": sla.availability,
        "max_failures": sla.max_failures,
        "max_failure_seconds": sla.max_failure_seconds,
        "report_period": sla.report_period,
    }


def _service_figures(config: Config, service: Service, day: date) -> dict[str, Any]:
    return {
        "id": service.id,
        "name": service.name,
        "owner": service.owner,
        "components": list(service.components),
        "tiers": [sla.id for sla in service_tiers(config, service.id, day)],
        "projects": [project.id for project in service_users(config, service.id)],
    }


def _users_text(config: Config, service_id: str, texts: Texts) -> str:
    users = [
        texts("slm.cat.user", customer=customer_name(config, p), project=p.name or p.id)
        for p in service_users(config, service_id)
    ]
    return texts.join(users) if users else texts("slm.cat.unused")


def _tiers_text(tiers: list[SLA], texts: Texts) -> str:
    return texts.join([sla_label(sla, texts) for sla in tiers]) if tiers else texts("slm.none")


def _overview(config: Config, services: list[Service], day: date, texts: Texts) -> Section:
    if not services:
        return Section(
            key="overview", title=texts("slm.cat.s.overview"),
            paragraphs=(texts("slm.cat.no_services"),),
        )  # fmt: skip
    rows = [
        (
            service.id,
            service.name,
            or_prompt(service.owner, texts, texts("slm.owner")),
            _tiers_text(service_tiers(config, service.id, day), texts),
            _users_text(config, service.id, texts),
        )
        for service in services
    ]
    header = [texts(f"slm.{key}") for key in ("service_id", "service_name", "owner", "sla_tier")]
    return Section(
        key="overview",
        title=texts("slm.cat.s.overview"),
        paragraphs=(texts("slm.cat.intro", services=len(services), tiers=len(config.slas)),),
        tables=(table([*header, texts("slm.cat.users")], rows),),
    )


def _service_section(config: Config, service: Service, day: date, texts: Texts) -> Section:
    tiers = service_tiers(config, service.id, day)
    hours = [texts("slm.cat.tier_of", sla=sla_label(s, texts), hours=hours_text(s.calendar, texts))
             for s in tiers]  # fmt: skip
    pairs = [
        (texts("slm.service_id"), service.id),
        (texts("slm.description"), or_prompt(service.description, texts, texts("slm.description"))),
        (
            texts("slm.components"),
            texts.join(list(service.components))
            if service.components
            else or_prompt("", texts, texts("slm.components")),
        ),
        (texts("slm.owner"), or_prompt(service.owner, texts, texts("slm.owner"))),
        (texts("slm.hours"), texts.join(hours) if hours else texts("slm.none")),
        (texts("slm.sla_tier"), _tiers_text(tiers, texts)),
        (texts("slm.availability"), texts.join(
            [f"{s.id}: {availability_text(s, texts)}" for s in tiers]) or texts("slm.none")),
        (texts("slm.cat.users"), _users_text(config, service.id, texts)),
    ]  # fmt: skip
    tables: list[Table] = [table((texts("slm.item"), texts("slm.content")), pairs)]
    if tiers:
        tables.append(_tier_targets(tiers, texts))
    return Section(key=f"service-{service.id}", title=service.name, tables=tuple(tables))


def _tier_targets(tiers: list[SLA], texts: Texts) -> Table:
    """Every covering SLA's time limits, one row per SLA and priority."""
    header: tuple[str, ...] = ()
    rows: list[tuple[str, ...]] = []
    for sla in tiers:
        limits = _full_targets(sla, texts)
        header = (texts("slm.sla_tier"), *limits[0])
        rows.extend((sla.id, *row) for row in limits[1:])
    return (header, *rows)


def _full_targets(sla: SLA, texts: Texts) -> Table:
    """:func:`targets_table` with all three metrics as columns (so tiers line up)."""
    header = (texts("slm.priority"), *(texts(f"slm.metric.{m}") for m in METRICS))
    rows = []
    for priority in priorities(sla):
        cells = [priority]
        for metric in METRICS:
            limits = getattr(sla.targets, metric)
            cells.append(exact_duration(limits[priority], texts) if priority in limits
                         else texts("slm.not_measured"))  # fmt: skip
        rows.append(tuple(cells))
    return (header, *rows)


def _tiers_section(config: Config, slas: list[SLA], texts: Texts) -> Section:
    tables: list[Table] = []
    for sla in slas:
        projects = [p.name or p.id for p in config.projects.values() if sla in p.slas]
        pairs = [
            (texts("slm.hours"), hours_text(sla.calendar, texts)),
            (texts("slm.sla.s.hours"), " ".join(calendar_policy(sla.calendar, texts))),
            (texts("slm.availability"), availability_text(sla, texts)),
            (texts("slm.max_failures", period=_word(sla, texts)), failures_text(sla, texts)),
            (texts("slm.max_failure_duration"), failure_duration_text(sla, texts)),
            (texts("slm.sla.s.rules"), " ".join(pause_rules(sla, texts))),
            (texts("slm.cat.tier_projects"), texts.join(projects) or texts("slm.cat.unused")),
        ]
        tables.append(table((sla_label(sla, texts), texts("slm.content")), pairs))
        tables.append(targets_table(sla, texts))
    return Section(key="tiers", title=texts("slm.cat.s.tiers"), tables=tuple(tables))


def _word(sla: SLA, texts: Texts) -> str:
    return period_word(sla.report_period, texts)

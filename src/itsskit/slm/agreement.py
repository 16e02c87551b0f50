"""A project's service level agreement document (seed 0601 §5.2.3) from its configuration.

Every content §5.2.3 lists — parties, services, service hours and calendar,
targets per priority, pause rules, availability and failure targets, report
contents and period, duties, risks, interfaces, version and validity — is taken
from the very :class:`~itsskit.models.SLA` the clocks measure with; what the
configuration does not say is a visible prompt (【待填写：…】), never invented.
The document ends with signature blocks for both parties.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from itsskit.config import Config
from itsskit.kpis import DEFAULT_ATTAINMENT_TARGET
from itsskit.models import SLA, Project, Report, Section
from itsskit.slm.catalogue import sla_figures
from itsskit.slm.common import (
    availability_text,
    calendar_policy,
    customer_name,
    day_start,
    failure_duration_text,
    failures_text,
    hours_text,
    or_prompt,
    pause_rules,
    period_name,
    period_word,
    prompt,
    sla_label,
    slm_document,
    table,
    targets_table,
)
from itsskit.wording import Texts

__all__ = ["build_agreement", "validity_text"]


def build_agreement(
    config: Config,
    project: Project,
    sla: SLA,
    *,
    generated: datetime,
    language: str = "zh-CN",
    provider: str = "",
) -> Report:
    """The SLA document of ``project`` for its version ``sla``, as a renderable :class:`Report`."""
    texts = Texts(language)
    sections = [
        _parties(config, project, texts, provider),
        _scope(config, project, sla, texts),
        _hours(sla, texts),
        _targets(sla, texts),
        Section(
            key="rules", title=texts("slm.sla.s.rules"), paragraphs=tuple(pause_rules(sla, texts))
        ),  # fmt: skip
        _availability(sla, texts),
        _reports(config, project, sla, texts),
        _text_section("duties", sla.responsibilities, texts),
        _text_section("risks", sla.risks, texts),
        _text_section("interfaces", sla.interfaces, texts),
        _version(project, sla, texts),
        _signatures(config, project, texts, provider),
    ]
    start = sla.effective_from or generated.date()
    end = sla.effective_to or max(generated.date(), start) + timedelta(days=1)
    name = project.name or project.id
    return slm_document(
        report_id=f"sla-{project.id}",
        title=texts("slm.sla.title", project=name),
        label=sla.version,
        start=day_start(start, project.timezone),
        end=day_start(end, project.timezone),
        generated=generated,
        texts=texts,
        sections=sections,
        project=project.id,
        purpose=texts("slm.sla.purpose"),
        audience=customer_name(config, project),
        author=project.manager,
        department=or_prompt(provider, texts, texts("slm.provider")),
        basic={
            "customer": customer_name(config, project),
            "project_name": name,
            "scope": [_service_name(config, sid) for sid in _services(project, sla)],
        },
        figures={"sla": sla_figures(sla), "attainment_target": DEFAULT_ATTAINMENT_TARGET},
    )


def validity_text(sla: SLA, texts: Texts) -> str:
    """``2024-11-01 起长期有效`` / ``from 2024-11-01 until 2025-10-31``; a prompt without a start."""
    if sla.effective_from is None:
        return prompt(texts, texts("slm.effective_from"))
    start = texts.date(sla.effective_from)
    if sla.effective_to is None:
        return texts("slm.sla.validity_open", start=start)
    last = sla.effective_to - timedelta(days=1)
    return texts("slm.sla.validity", start=start, end=texts.date(last))


def _services(project: Project, sla: SLA) -> list[str]:
    return list(dict.fromkeys([*project.services, *sla.services]))


def _service_name(config: Config, service_id: str) -> str:
    service = config.services.get(service_id)
    return service.name if service else service_id


def _parties(config: Config, project: Project, texts: Texts, provider: str) -> Section:
    customer = config.customers.get(project.customer)
    contact = customer.contact if customer else ""
    pairs = [
        (texts("slm.sign.party_a"), or_prompt(customer_name(config, project), texts,
                                              texts("slm.customer"))),
        (texts("slm.contact"), or_prompt(contact, texts, texts("slm.contact"))),
        (texts("slm.sign.party_b"), or_prompt(provider, texts, texts("slm.provider"))),
        (texts("slm.project"), project.name or project.id),
        (texts("slm.manager"), or_prompt(project.manager, texts, texts("slm.manager"))),
        (texts("slm.engineers"), texts.join(list(project.engineers))
         or prompt(texts, texts("slm.engineers"))),
        (texts("slm.approver"), or_prompt(project.approver, texts, texts("slm.approver"))),
    ]  # fmt: skip
    return Section(
        key="parties",
        title=texts("slm.sla.s.parties"),
        paragraphs=(texts("slm.sla.intro", project=project.name or project.id),),
        tables=(table((texts("slm.item"), texts("slm.content")), pairs),),
    )


def _scope(config: Config, project: Project, sla: SLA, texts: Texts) -> Section:
    title = texts("slm.sla.s.scope")
    ids = _services(project, sla)
    if not ids:
        return Section(key="scope", title=title, paragraphs=(texts("slm.sla.no_services"),))
    rows = []
    for sid in ids:
        service = config.services.get(sid)
        description = service.description if service else ""
        components = texts.join(list(service.components)) if service else ""
        owner = service.owner if service else ""
        rows.append((
            sid,
            _service_name(config, sid),
            or_prompt(description, texts, texts("slm.description")),
            or_prompt(components, texts, texts("slm.components")),
            or_prompt(owner, texts, texts("slm.owner")),
        ))  # fmt: skip
    header = [texts(f"slm.{key}") for key in
              ("service_id", "service_name", "description", "components", "owner")]  # fmt: skip
    return Section(key="scope", title=title, tables=(table(header, rows),))


def _hours(sla: SLA, texts: Texts) -> Section:
    return Section(
        key="hours",
        title=texts("slm.sla.s.hours"),
        paragraphs=(hours_text(sla.calendar, texts), *calendar_policy(sla.calendar, texts)),
    )


def _targets(sla: SLA, texts: Texts) -> Section:
    attainment = texts(
        "slm.attainment_target",
        period=period_word(sla.report_period, texts),
        target=texts("slm.at_least", value=texts.target_percent(DEFAULT_ATTAINMENT_TARGET)),
    )
    return Section(
        key="targets",
        title=texts("slm.sla.s.targets"),
        paragraphs=(texts("slm.sla.targets_intro", hours=hours_text(sla.calendar, texts)),
                    attainment),
        tables=(targets_table(sla, texts),),
    )  # fmt: skip


def _availability(sla: SLA, texts: Texts) -> Section:
    pairs = [
        (texts("slm.availability"), availability_text(sla, texts)),
        (texts("slm.max_failures", period=period_word(sla.report_period, texts)),
         failures_text(sla, texts)),
        (texts("slm.max_failure_duration"), failure_duration_text(sla, texts)),
    ]  # fmt: skip
    return Section(
        key="availability",
        title=texts("slm.sla.s.availability"),
        paragraphs=(texts("slm.availability.definition"),),
        tables=(table((texts("slm.item"), texts("slm.content")), pairs),),
    )


def _reports(config: Config, project: Project, sla: SLA, texts: Texts) -> Section:
    content = texts.join(list(sla.report_content)) or prompt(texts, texts("slm.report.content"))
    pairs = [
        (texts("slm.report.period"), period_name(sla.report_period, texts)),
        (texts("slm.report.content"), content),
    ]
    tables = [table((texts("slm.item"), texts("slm.content")), pairs)]
    specs = [config.reports[rid] for rid in project.reports if rid in config.reports]
    rows = [
        (
            spec.title or spec.id,
            period_name(spec.period, texts),
            texts("slm.report.due_days", days=spec.due_days),
            or_prompt(spec.author, texts, texts("slm.report.author")),
            or_prompt(spec.approval, texts, texts("slm.report.approval")),
            texts.join(list(spec.distribution)) or prompt(texts, texts("slm.report.distribution")),
        )
        for spec in specs
    ]
    header = [texts(f"slm.report.{key}") for key in
              ("title", "period", "due", "author", "approval", "distribution")]  # fmt: skip
    if rows:
        tables.append(table(header, rows))
    return Section(
        key="report",
        title=texts("slm.sla.s.report"),
        paragraphs=() if rows else (texts("slm.report.none"),),
        tables=tuple(tables),
    )


def _text_section(key: str, value: str, texts: Texts) -> Section:
    """Duties, risks or interfaces: the agreed text, or the prompt to write it."""
    title = texts(f"slm.sla.s.{key}")
    return Section(key=key, title=title, paragraphs=(or_prompt(value, texts, title),))


def _version(project: Project, sla: SLA, texts: Texts) -> Section:
    def end(version: SLA) -> str:
        if version.effective_to is None:
            return texts("slm.open_end")
        return texts.date(version.effective_to - timedelta(days=1))

    def start(version: SLA) -> str:
        day: date | None = version.effective_from
        return texts.date(day) if day else prompt(texts, texts("slm.effective_from"))

    pairs = [
        (texts("slm.version"), sla_label(sla, texts)),
        (texts("slm.effective_from"), start(sla)),
        (texts("slm.effective_to"), end(sla)),
    ]
    history = [
        (version.version, version.id, start(version), end(version),
         texts("slm.sla.this_version") if version is sla else "")
        for version in project.slas
    ]  # fmt: skip
    header = [texts("slm.version"), texts("slm.sla_tier"), texts("slm.effective_from"),
              texts("slm.effective_to"), ""]  # fmt: skip
    return Section(
        key="version",
        title=texts("slm.sla.s.version"),
        paragraphs=(validity_text(sla, texts),),
        tables=(table((texts("slm.item"), texts("slm.content")), pairs), table(header, history)),
    )


def _signatures(config: Config, project: Project, texts: Texts, provider: str) -> Section:
    blank = texts("slm.sign.blank")
    rows = [
        (texts("slm.sign.name"),
         or_prompt(customer_name(config, project), texts, texts("slm.customer")),
         or_prompt(provider, texts, texts("slm.provider"))),
        (texts("slm.sign.representative"), blank, blank),
        (texts("slm.sign.date"), texts("slm.sign.blank_date"), texts("slm.sign.blank_date")),
        (texts("slm.sign.seal"), blank, blank),
    ]  # fmt: skip
    header = ("", texts("slm.sign.party_a"), texts("slm.sign.party_b"))
    return Section(
        key="signatures",
        title=texts("slm.sla.s.sign"),
        paragraphs=(texts("slm.sla.sign_intro"),),
        tables=(table(header, rows),),
    )

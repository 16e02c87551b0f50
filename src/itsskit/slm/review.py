"""The yearly SLA review of a project (seed 0601 §5.4.1, §5.4.2).

Each target against what was achieved month by month (the KPI bundle of
:func:`itsskit.kpis.project_kpis`, labelled by the KPI catalogue), the breaches
and their causes (the causes the service manager wrote in the monthly report
notes, :mod:`itsskit.report.notes`), satisfaction, the customer's changed needs
and the proposed target or service changes. The proposals are
:class:`~itsskit.models.ImprovementItem` records made by one function,
:func:`review_improvements`, so they feed the service improvement plan (export:
:func:`improvements_toml`, the format ``itsskit quality --improvements`` reads).

The review input file ``<notes_dir>/review-<year>.toml`` (all keys optional)::

    needs = ["……", "……"]            # the customer's changed needs
    [[proposals]]                    # proposed target or service changes
    description = "……"
    owner = "张伟"
    due = 2026-03-31
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs

from itsskit.config import Config
from itsskit.kpis import KpiCatalogue, KpiResult
from itsskit.models import ImprovementItem, Project, Report, ReportSpec, Section
from itsskit.periods import Period
from itsskit.report.notes import Notes
from itsskit.slm.common import (
    SlmError,
    Table,
    customer_name,
    exact_duration,
    prompt,
    sla_label,
    slm_document,
    table,
)
from itsskit.wording import Texts

__all__ = [
    "SATISFACTION_KPIS",
    "Proposal",
    "ReviewInput",
    "build_review",
    "improvements_toml",
    "load_review_input",
    "review_improvements",
    "review_input_path",
    "review_notes_dir",
]

#: The satisfaction KPIs of the catalogue the review shows month by month (seed 0403 §7.1).
SATISFACTION_KPIS = ("satisfaction_mean", "satisfied_share", "callback_coverage")
#: The attainment KPIs whose breached clocks the breach table counts.
_CLOCK_KPIS = ("response_attainment", "resolution_attainment", "turnaround_attainment")

MonthlyKpis = Mapping[str, Mapping[str, KpiResult]]


@attrs.frozen(kw_only=True)
class Proposal:
    """A proposed target or service change written for the review."""

    description: str
    owner: str = ""
    due: date | None = None


@attrs.frozen(kw_only=True)
class ReviewInput:
    """What the customer and manager wrote for the yearly review (``review-<year>.toml``)."""

    needs: tuple[str, ...] = ()
    proposals: tuple[Proposal, ...] = ()
    path: Path | None = None


def review_notes_dir(config: Config, project: Project, language: str) -> Path | None:
    """The notes folder of the project's report in ``language`` (else its first with notes)."""
    specs = [config.reports[rid] for rid in project.reports if rid in config.reports]
    with_notes = [spec for spec in specs if spec.notes_dir]
    chosen: list[ReportSpec] = [s for s in with_notes if s.language == language] or with_notes
    return config.base_dir / chosen[0].notes_dir if chosen else None


def review_input_path(notes_dir: Path, year: int) -> Path:
    """Where the review input of ``year`` lives: ``<notes_dir>/review-<year>.toml``."""
    return notes_dir / f"review-{year}.toml"


def load_review_input(path: Path | None) -> ReviewInput:
    """The review input file; empty when ``path`` is None or no file is there.

    A malformed file raises :class:`SlmError` naming the file and the key.
    """
    if path is None or not path.is_file():
        return ReviewInput(path=path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SlmError(f"{path}: invalid TOML: {exc}") from None
    unknown = sorted(set(data) - {"needs", "proposals"})
    if unknown:
        raise SlmError(f"{path}: {unknown[0]}: unknown key (expected needs, proposals)")
    return ReviewInput(
        needs=_texts(data.get("needs", []), path),
        proposals=tuple(
            _proposal(entry, index, path)
            for index, entry in enumerate(_list(data.get("proposals", []), "proposals", path))
        ),
        path=path,
    )


def _list(value: Any, key: str, path: Path) -> list[Any]:
    if not isinstance(value, list):
        raise SlmError(f"{path}: {key}: expected a list, got {type(value).__name__}")
    return value


def _texts(value: Any, path: Path) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else _list(value, "needs", path)
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise SlmError(f"{path}: needs[{index}]: expected a string, got {type(item).__name__}")
    return tuple(item.strip() for item in items if item.strip())


def _proposal(entry: Any, index: int, path: Path) -> Proposal:
    where = f"{path}: proposals[{index}]"
    if not isinstance(entry, dict):
        raise SlmError(f"{where}: expected a table ([[proposals]])")
    unknown = sorted(set(entry) - {"description", "owner", "due"})
    if unknown:
        raise SlmError(f"{where}.{unknown[0]}: unknown key (expected description, owner, due)")
    description, owner, due = entry.get("description"), entry.get("owner", ""), entry.get("due")
    if not isinstance(description, str) or not description.strip():
        raise SlmError(f"{where}.description: required: the proposed change, as text")
    if not isinstance(owner, str):
        raise SlmError(f"{where}.owner: expected a string, got {type(owner).__name__}")
    if due is not None and (not isinstance(due, date) or isinstance(due, datetime)):
        raise SlmError(f"{where}.due: expected a date like 2026-03-31, got {due!r}")
    return Proposal(description=description.strip(), owner=owner.strip(), due=due)


# ------------------------------------------------------------------ figures


def _targeted(catalogue: KpiCatalogue, monthly: MonthlyKpis) -> list[str]:
    """The KPIs with a target in some month and a value in some month, in report order."""
    results = [result for bundle in monthly.values() for result in bundle.values()]
    with_target = {r.name for r in results if r.target is not None}
    with_value = {r.name for r in results if r.value is not None}
    return [d.name for d in catalogue.in_report_order()
            if d.name in with_target and d.name in with_value]  # fmt: skip


def _missed(monthly: MonthlyKpis, name: str) -> list[str]:
    """The months (labels) in which KPI ``name`` missed its target."""
    return [month for month, bundle in monthly.items()
            if name in bundle and bundle[name].status == "missed"]  # fmt: skip


def value_text(result: KpiResult | None, texts: Texts) -> str:
    """A KPI value in its unit, as the reports write it; n/a when not applicable."""
    if result is None or result.value is None:
        return texts.na
    if result.unit == "ratio":
        return texts.percent(result.value)
    if result.unit == "seconds":
        return texts.duration(result.value)
    if result.unit == "count":
        return texts.count(result.value)
    return texts.score(result.value)


def target_text(result: KpiResult, texts: Texts) -> str:
    """``≥ 95%`` / ``≤ 2``/ ``≤ 2小时``; empty when the KPI has no target."""
    if result.target is None:
        return ""
    if result.unit == "ratio":
        value = texts.target_percent(result.target)
    elif result.unit == "seconds":
        value = exact_duration(round(result.target), texts)
    elif result.unit == "count":
        value = texts.count(result.target)
    else:
        value = texts.score(result.target)
    return texts("slm.at_least" if result.comparison == ">=" else "slm.at_most", value=value)


def _targets_of(monthly: MonthlyKpis, name: str, texts: Texts) -> str:
    shown = [target_text(b[name], texts) for b in monthly.values() if name in b]
    return " / ".join(dict.fromkeys(text for text in shown if text))


def review_improvements(
    project: Project,
    year: int,
    monthly: MonthlyKpis,
    catalogue: KpiCatalogue,
    review_input: ReviewInput,
    language: str = "zh-CN",
) -> tuple[ImprovementItem, ...]:
    """The review's proposed changes as improvement items for the service improvement plan.

    One item per KPI that missed its target in some month (owner: the project
    manager; the target change or measure to be agreed), then the proposals of
    the review input file as written. Ids are ``SLM-<project>-<year>-NN``.
    """
    texts = Texts(language)
    source = texts("slm.rev.source_text", year=year, project=project.name or project.id)
    proposals: list[tuple[str, str, date | None]] = []
    for name in _targeted(catalogue, monthly):
        months = _missed(monthly, name)
        if months:
            description = texts(
                "slm.rev.proposal_missed",
                indicator=catalogue.label(name, language),
                target=_targets_of(monthly, name, texts),
                count=len(months),
                months=texts.join(months),
            )
            proposals.append((description, project.manager, None))
    proposals.extend((p.description, p.owner, p.due) for p in review_input.proposals)
    return tuple(
        ImprovementItem(
            id=f"SLM-{project.id}-{year}-{number:02d}",
            description=description,
            source=source,
            owner=owner,
            due=due,
        )
        for number, (description, owner, due) in enumerate(proposals, start=1)
    )


def improvements_toml(items: Sequence[ImprovementItem]) -> str:
    """``[[improvements]]`` tables (id, description, source, owner, due, done) as TOML text."""
    blocks = []
    for item in items:
        lines = ["[[improvements]]"]
        for key in ("id", "description", "source", "owner"):
            lines.append(f"{key} = {json.dumps(getattr(item, key), ensure_ascii=False)}")
        lines.extend(f"{key} = {day.isoformat()}" for key in ("due", "done")
                     if (day := getattr(item, key)) is not None)  # fmt: skip
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n" if blocks else ""


# ----------------------------------------------------------------- document


@attrs.frozen(kw_only=True)
class _Review:
    """Everything a review section reads."""

    config: Config
    project: Project
    year: int
    monthly: MonthlyKpis
    year_kpis: Mapping[str, KpiResult]
    catalogue: KpiCatalogue
    notes: Mapping[str, Notes]
    review_input: ReviewInput
    input_file: str
    texts: Texts
    provisional_years: tuple[int, ...] = ()

    def label(self, name: str) -> str:
        return self.catalogue.label(name, self.texts.language)

    def month_names(self) -> list[str]:
        return [self.texts("slm.rev.month_label", month=int(m[-2:])) for m in self.monthly]


def build_review(
    config: Config,
    project: Project,
    year: int,
    *,
    monthly: MonthlyKpis,
    year_kpis: Mapping[str, KpiResult],
    catalogue: KpiCatalogue,
    notes: Mapping[str, Notes],
    review_input: ReviewInput,
    generated: datetime,
    language: str = "zh-CN",
    provisional_years: Sequence[int] = (),
) -> Report:
    """The yearly SLA review of ``project`` from its monthly KPI bundles (``YYYY-MM`` -> KPIs).

    ``year_kpis`` is the bundle of the whole year; ``notes`` the monthly report
    notes (their ``causes``); ``review_input`` the needs and proposals file;
    ``provisional_years`` the calendar years the figures rest on provisionally.
    """
    texts = Texts(language)
    input_file = str(review_input.path or f"review-{year}.toml")
    review = _Review(config=config, project=project, year=year, monthly=monthly,
                     year_kpis=year_kpis, catalogue=catalogue, notes=notes,
                     review_input=review_input, input_file=input_file, texts=texts,
                     provisional_years=tuple(provisional_years))  # fmt: skip
    items = review_improvements(project, year, monthly, catalogue, review_input, language)
    period = Period.year(year, project.timezone)
    name = project.name or project.id
    return slm_document(
        report_id=f"sla-review-{project.id}",
        title=texts("slm.rev.title", year=year, project=name),
        label=str(year),
        start=period.start,
        end=period.end,
        generated=generated,
        texts=texts,
        sections=[
            _overview(review),
            _targets(review),
            _breaches(review),
            _satisfaction(review),
            _needs(review),
            _proposals(items, texts),
        ],  # fmt: skip
        project=project.id,
        purpose=texts("slm.rev.purpose"),
        audience=texts("slm.rev.audience"),
        author=project.manager,
        basic={"customer": customer_name(config, project), "project_name": name},
        figures={
            "months": {month: _bundle_json(bundle) for month, bundle in monthly.items()},
            "year": _bundle_json(year_kpis),
            "provisional_years": list(provisional_years),
            "improvements": [attrs.asdict(item) | _dates(item) for item in items],
        },
    )


def _dates(item: ImprovementItem) -> dict[str, str | None]:
    return {key: (day.isoformat() if (day := getattr(item, key)) else None)
            for key in ("due", "done")}  # fmt: skip


def _bundle_json(bundle: Mapping[str, KpiResult]) -> dict[str, Any]:
    return {
        name: {"value": r.value, "target": r.target, "status": r.status,
               "numerator": r.numerator, "denominator": r.denominator, "unit": r.unit}
        for name, r in bundle.items()
    }  # fmt: skip


def _overview(review: _Review) -> Section:
    texts, project, year = review.texts, review.project, review.year
    first, last = date(year, 1, 1), date(year + 1, 1, 1)
    in_force = [sla for sla in project.slas
                if (sla.effective_from or date.min) < last and (sla.effective_to or date.max) > first]  # fmt: skip
    spans = [
        texts("slm.rev.version_span", version=sla_label(sla, texts),
              start=texts.date(max(sla.effective_from or first, first)),
              end=texts.date(min(sla.effective_to or last, last) - timedelta(days=1)))
        for sla in in_force
    ]  # fmt: skip
    pairs = [
        (texts("slm.project"), project.name or project.id),
        (texts("slm.customer"), customer_name(review.config, project)),
        (texts("slm.manager"), project.manager),
        (texts("slm.rev.versions"), texts.join(spans) or texts("slm.none")),
    ]
    targeted = _targeted(review.catalogue, review.monthly)
    measured = sum(
        1 for b in review.monthly.values() if any(r.value is not None for r in b.values())
    )
    summary = texts("slm.rev.summary", year=year, months=measured, targets=len(targeted),
                    missed=sum(1 for name in targeted if _missed(review.monthly, name)))  # fmt: skip
    return Section(
        key="overview",
        title=texts("slm.rev.s.overview"),
        paragraphs=(summary, *_mid_changes(review, in_force), *_provisional(review)),
        tables=(table((texts("slm.item"), texts("slm.content")), pairs),),
    )


def _provisional(review: _Review) -> list[str]:
    years = review.provisional_years
    if not years:
        return []
    return [review.texts("slm.rev.provisional", years=review.texts.join([str(y) for y in years]))]


def _mid_changes(review: _Review, in_force: list[Any]) -> list[str]:
    """A sentence for each version that took effect within the year, not on a month's first day."""
    texts, sentences = review.texts, []
    for before, after in zip(in_force, in_force[1:], strict=False):
        start = after.effective_from
        if start is not None and start.year == review.year and start.day != 1:
            sentences.append(texts("slm.rev.mid_change", month=f"{start:%Y-%m}",
                                   date=texts.date(start), to=sla_label(after, texts),
                                   before=sla_label(before, texts)))  # fmt: skip
    return sentences


def _cell(result: KpiResult | None, texts: Texts) -> str:
    text = value_text(result, texts)
    return f"{text} *" if result is not None and result.status == "missed" else text


def _targets(review: _Review) -> Section:
    texts, monthly = review.texts, review.monthly
    rows = [
        (review.label(name), _targets_of(monthly, name, texts),
         *(_cell(bundle.get(name), texts) for bundle in monthly.values()),
         value_text(review.year_kpis.get(name), texts), str(len(_missed(monthly, name))))
        for name in _targeted(review.catalogue, monthly)
    ]  # fmt: skip
    header = [texts("slm.rev.indicator"), texts("slm.rev.target"), *review.month_names(),
              texts("slm.rev.year"), texts("slm.rev.missed_months")]  # fmt: skip
    return Section(key="targets", title=texts("slm.rev.s.targets"),
                   paragraphs=(texts("slm.rev.legend", na=texts.na),),
                   tables=(table(header, rows),))  # fmt: skip


def _breached_clocks(bundle: Mapping[str, KpiResult]) -> int:
    return round(sum((r.denominator or 0) - (r.numerator or 0)
                     for name in _CLOCK_KPIS if (r := bundle.get(name)) is not None))  # fmt: skip


def _breaches(review: _Review) -> Section:
    texts, targeted = review.texts, _targeted(review.catalogue, review.monthly)
    per_month = []
    missed_rows = []
    for month, bundle in review.monthly.items():
        missed = [name for name in targeted if name in bundle and bundle[name].status == "missed"]
        open_breaches = bundle.get("open_breaches")
        per_month.append((month, str(_breached_clocks(bundle)), value_text(open_breaches, texts),
                          texts.join([review.label(n) for n in missed]) or texts("slm.none")))  # fmt: skip
        causes = review.notes[month].causes if month in review.notes else {}
        notes_file = str(review.notes[month].path or f"{month}.toml") if month in review.notes \
            else f"{month}.toml"  # fmt: skip
        for name in missed:
            cause = causes.get(name)
            missed_rows.append((
                month, review.label(name), value_text(bundle[name], texts),
                target_text(bundle[name], texts),
                cause.cause if cause and cause.cause else prompt(
                    texts, texts("slm.rev.cause_prompt", file=notes_file)),
                cause.suggestion if cause and cause.suggestion else prompt(
                    texts, texts("slm.rev.measure_prompt")),
            ))  # fmt: skip
    header = [texts("slm.rev.month"), texts("slm.rev.breached_clocks"),
              texts("slm.rev.open_breaches"), texts("slm.rev.missed_indicators")]  # fmt: skip
    tables: list[Table] = [table(header, per_month)]
    if missed_rows:
        detail = [texts("slm.rev.month"), texts("slm.rev.indicator"), texts("slm.rev.achieved"),
                  texts("slm.rev.target"), texts("slm.rev.cause"), texts("slm.rev.measure")]  # fmt: skip
        tables.append(table(detail, missed_rows))
    return Section(key="breaches", title=texts("slm.rev.s.breaches"),
                   paragraphs=() if missed_rows else (texts("slm.rev.no_missed"),),
                   tables=tuple(tables))  # fmt: skip


def _satisfaction(review: _Review) -> Section:
    texts = review.texts
    names = [name for name in SATISFACTION_KPIS if name in review.catalogue]
    rows = [
        (review.label(name), *(value_text(b.get(name), texts) for b in review.monthly.values()),
         value_text(review.year_kpis.get(name), texts))
        for name in names
    ]  # fmt: skip
    header = [texts("slm.rev.indicator"), *review.month_names(), texts("slm.rev.year")]
    return Section(key="satisfaction", title=texts("slm.rev.s.satisfaction"),
                   paragraphs=(texts("slm.rev.satisfaction_intro"),),
                   tables=(table(header, rows),))  # fmt: skip


def _needs(review: _Review) -> Section:
    texts, needs = review.texts, review.review_input.needs
    paragraphs = tuple(f"{n}. {need}" for n, need in enumerate(needs, start=1)) or (
        prompt(texts, texts("slm.rev.needs_prompt", file=review.input_file)),)  # fmt: skip
    return Section(key="needs", title=texts("slm.rev.s.needs"), paragraphs=paragraphs)


def _proposals(items: Sequence[ImprovementItem], texts: Texts) -> Section:
    title = texts("slm.rev.s.proposals")
    if not items:
        return Section(key="proposals", title=title, paragraphs=(texts("slm.rev.proposals_none"),))
    rows = [(i.id, i.description, i.source, i.owner, texts.date(i.due) if i.due else "")
            for i in items]  # fmt: skip
    header = [texts(f"slm.rev.{key}") for key in ("id", "proposal", "source")]
    return Section(key="proposals", title=title,
                   paragraphs=(texts("slm.rev.proposals_intro"),),
                   tables=(table([*header, texts("slm.owner"), texts("slm.rev.due")], rows),))  # fmt: skip

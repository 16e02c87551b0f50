"""The service level management services: one function per document, for the CLI and the API.

Each ``*_document`` function loads what it needs (configuration, records) and
returns the document as a :class:`~itsskit.models.Report`; each ``write_*``
function also renders it with the renderer plugins into a folder, and is what
``itsskit slm ...`` calls. ``config`` is a path to the TOML file or a loaded
:class:`~itsskit.config.Config`.

Errors: :class:`~itsskit.slm.common.SlmError` (an unknown project or SLA
version, a malformed review file), :class:`~itsskit.config.ConfigError`,
:class:`~itsskit.report.notes.NotesError`, and
:class:`~itsskit.records.SourceError` when a source cannot be read; each
message is one line naming the key or file.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs

from itsskit.config import Config, load_config
from itsskit.models import SLA, DataQualityFinding, ImprovementItem, Project, Report
from itsskit.plugins import PluginHost
from itsskit.slm.agreement import build_agreement
from itsskit.slm.catalogue import build_catalogue, current_sla
from itsskit.slm.changes import build_change_record
from itsskit.slm.common import SlmError, find_version
from itsskit.slm.review import (
    build_review,
    improvements_toml,
    load_review_input,
    review_improvements,
    review_input_path,
    review_notes_dir,
)
from itsskit.times import DEFAULT_TIMEZONE

__all__ = [
    "ReviewResult",
    "agreement_document",
    "catalogue_document",
    "review_document",
    "sla_change_document",
    "write_agreement",
    "write_catalogue",
    "write_review",
    "write_sla_change",
]

ConfigLike = str | Path | Config
Formats = str | Iterable[str]


@attrs.frozen(kw_only=True)
class ReviewResult:
    """A built yearly review: the document, its proposed improvements and the data findings."""

    report: Report
    improvements: tuple[ImprovementItem, ...]
    findings: tuple[DataQualityFinding, ...] = ()
    provisional_years: tuple[int, ...] = ()
    files: dict[str, Path] = attrs.field(factory=dict)


def _setup(config: ConfigLike, host: PluginHost | None) -> tuple[Config, PluginHost]:
    host = host or PluginHost.create()
    if isinstance(config, Config):
        return config, host
    return load_config(config, host), host


def _project(config: Config, project_id: str) -> Project:
    try:
        return config.project(project_id)
    except KeyError as exc:
        raise SlmError(f"{config.path}: projects: {exc.args[0]}") from None


def _now(generated: datetime | None, timezone: str) -> datetime:
    return (generated or datetime.now(UTC)).astimezone(ZoneInfo(timezone))


def _zone(config: Config) -> str:
    projects = [config.projects[pid] for pid in sorted(config.projects)]
    return projects[0].timezone if projects else DEFAULT_TIMEZONE


def _render(report: Report, formats: Formats, out_dir: str | Path, host: PluginHost
            ) -> dict[str, Path]:  # fmt: skip
    from itsskit.report.output import render  # the renderers load on use

    return render(report, formats, out_dir, host=host)


# -------------------------------------------------------------- catalogue


def catalogue_document(
    config: ConfigLike,
    *,
    language: str = "zh-CN",
    provider: str = "",
    generated: datetime | None = None,
    host: PluginHost | None = None,
) -> Report:
    """The service catalogue (《运维服务目录》, seed 0601 §5.2.1) of ``config``.

    The SLA versions shown are those in force on the date of ``generated`` (default now).
    """
    settings, _ = _setup(config, host)
    now = _now(generated, _zone(settings))
    return build_catalogue(settings, generated=now, language=language, provider=provider)


def write_catalogue(
    config: ConfigLike,
    out_dir: str | Path,
    *,
    formats: Formats = "docx,html",
    language: str = "zh-CN",
    provider: str = "",
    generated: datetime | None = None,
    host: PluginHost | None = None,
) -> dict[str, Path]:
    """Render the service catalogue into ``out_dir``; returns format -> file."""
    settings, host = _setup(config, host)
    report = catalogue_document(settings, language=language, provider=provider,
                                generated=generated, host=host)  # fmt: skip
    return _render(report, formats, out_dir, host)


# -------------------------------------------------------------- agreement


def _version(config: Config, project: Project, version: str | None, day: datetime) -> SLA:
    if version is not None:
        return find_version(project, version)
    sla = current_sla(project, day.date())
    if sla is None:
        raise SlmError(
            f"{config.path}: projects.{project.id}.sla: no SLA; expected the name of an "
            "[slas.NAME] table (several for several versions)"
        )
    return sla


def agreement_document(
    config: ConfigLike,
    project_id: str,
    *,
    version: str | None = None,
    language: str = "zh-CN",
    provider: str = "",
    generated: datetime | None = None,
    host: PluginHost | None = None,
) -> Report:
    """The SLA document (seed 0601 §5.2.3) of project ``project_id``.

    ``version`` is a version (``"2024"``) or ``[slas.NAME]`` of the project's
    SLA; default: the version in force on the date of ``generated`` (else the latest).
    """
    settings, _ = _setup(config, host)
    project = _project(settings, project_id)
    now = _now(generated, project.timezone)
    sla = _version(settings, project, version, now)
    return build_agreement(settings, project, sla, generated=now, language=language,
                           provider=provider)  # fmt: skip


def write_agreement(
    config: ConfigLike,
    project_id: str,
    out_dir: str | Path,
    *,
    version: str | None = None,
    formats: Formats = "docx,html",
    language: str = "zh-CN",
    provider: str = "",
    generated: datetime | None = None,
    host: PluginHost | None = None,
) -> dict[str, Path]:
    """Render the SLA document of ``project_id`` into ``out_dir``; returns format -> file."""
    settings, host = _setup(config, host)
    report = agreement_document(settings, project_id, version=version, language=language,
                                provider=provider, generated=generated, host=host)  # fmt: skip
    return _render(report, formats, out_dir, host)


# ---------------------------------------------------------- change record


def _pair(config: Config, project: Project, before: str | None, after: str | None
          ) -> tuple[SLA, SLA]:  # fmt: skip
    """The two versions to compare: ``after`` default the latest, ``before`` the one preceding it."""
    versions = list(project.slas)
    if len(versions) < 2 and (before is None or after is None):
        names = ", ".join(f"{sla.id} (version {sla.version})" for sla in versions) or "none"
        raise SlmError(
            f"{config.path}: projects.{project.id}.sla: one SLA version ({names}); a change "
            "record compares two: add the new version as [slas.NAME] and list it in "
            f"projects.{project.id}.sla, or give --from and --to"
        )
    new = find_version(project, after) if after is not None else versions[-1]
    if before is not None:
        return find_version(project, before), new
    earlier = versions[: versions.index(new)]
    if not earlier:
        raise SlmError(
            f"{config.path}: projects.{project.id}.sla: {new.id} (version {new.version}) is the "
            "first version; give --from"
        )
    return earlier[-1], new


def sla_change_document(
    config: ConfigLike,
    project_id: str,
    *,
    before: str | None = None,
    after: str | None = None,
    language: str = "zh-CN",
    provider: str = "",
    generated: datetime | None = None,
    host: PluginHost | None = None,
) -> Report:
    """The change record between two SLA versions of ``project_id`` (seed 0601 §5.4.3).

    ``before``/``after`` name versions as :func:`agreement_document` does;
    default: the latest version and the one before it.
    """
    settings, _ = _setup(config, host)
    project = _project(settings, project_id)
    old, new = _pair(settings, project, before, after)
    now = _now(generated, project.timezone)
    return build_change_record(settings, project, old, new, generated=now, language=language,
                               provider=provider)  # fmt: skip


def write_sla_change(
    config: ConfigLike,
    project_id: str,
    out_dir: str | Path,
    *,
    before: str | None = None,
    after: str | None = None,
    formats: Formats = "docx,html",
    language: str = "zh-CN",
    provider: str = "",
    generated: datetime | None = None,
    host: PluginHost | None = None,
) -> dict[str, Path]:
    """Render the SLA change record into ``out_dir``; returns format -> file."""
    settings, host = _setup(config, host)
    report = sla_change_document(settings, project_id, before=before, after=after,
                                 language=language, provider=provider, generated=generated,
                                 host=host)  # fmt: skip
    return _render(report, formats, out_dir, host)


# ---------------------------------------------------------------- review


def review_document(
    config: ConfigLike,
    project_id: str,
    year: int,
    *,
    at: datetime | None = None,
    review_file: str | Path | None = None,
    language: str = "zh-CN",
    generated: datetime | None = None,
    host: PluginHost | None = None,
) -> ReviewResult:
    """The yearly SLA review of ``project_id`` (seed 0601 §5.4.1-5.4.2) and its proposals.

    The project's records are read from its sources; each month's figures are
    :func:`itsskit.kpis.project_kpis` evaluated at ``at`` (default now), the
    same as ``itsskit kpi --project P --period YYYY-MM --at AT``. Causes come from
    the monthly notes of the project's report in ``language``; needs and
    proposals from ``review_file`` (default ``<notes_dir>/review-<year>.toml``).
    """
    from itsskit.collect import collect
    from itsskit.kpis import project_kpis
    from itsskit.periods import Period
    from itsskit.provisional import kpi_years
    from itsskit.report.notes import load_notes

    settings, host = _setup(config, host)
    project = _project(settings, project_id)
    notes_dir = review_notes_dir(settings, project, language)
    if review_file is not None and not Path(review_file).is_file():
        raise SlmError(f"{review_file}: review file not found")
    path = Path(review_file) if review_file else (
        review_input_path(notes_dir, year) if notes_dir else None)  # fmt: skip
    review_input = load_review_input(path)
    year_period = Period.year(year, project.timezone)
    instant = at or datetime.now(UTC)
    records = collect(settings, project_id, host, window=(year_period.start, year_period.end))
    catalogue = host.kpis()
    months = list(year_period.months())
    monthly = {
        month.label: project_kpis(records, project, month, instant, host.calendar,
                                  catalogue=catalogue)
        for month in months
    }  # fmt: skip
    year_kpis = project_kpis(records, project, year_period, instant, host.calendar,
                             catalogue=catalogue)  # fmt: skip
    notes = {month.label: load_notes(notes_dir, month.label) for month in months}
    provisional = kpi_years(records.tickets, project, year_period, instant, host.calendar)
    report = build_review(
        settings, project, year, monthly=monthly, year_kpis=year_kpis, catalogue=catalogue,
        notes=notes, review_input=review_input, generated=_now(generated, project.timezone),
        language=language, provisional_years=provisional,
    )  # fmt: skip
    items = review_improvements(project, year, monthly, catalogue, review_input, language)
    return ReviewResult(report=report, improvements=items, findings=records.findings,
                        provisional_years=provisional)  # fmt: skip


def write_review(
    config: ConfigLike,
    project_id: str,
    year: int,
    out_dir: str | Path,
    *,
    at: datetime | None = None,
    review_file: str | Path | None = None,
    improvements_out: str | Path | None = None,
    formats: Formats = "docx,html",
    language: str = "zh-CN",
    generated: datetime | None = None,
    host: PluginHost | None = None,
) -> ReviewResult:
    """Render the yearly review into ``out_dir``; with ``improvements_out``, also write its
    proposals as an improvements file (``[[improvements]]``, read by ``itsskit quality``)."""
    from itsskit.files import write_atomic

    settings, host = _setup(config, host)
    result = review_document(settings, project_id, year, at=at, review_file=review_file,
                             language=language, generated=generated, host=host)  # fmt: skip
    files = _render(result.report, formats, out_dir, host)
    if improvements_out is not None:
        target = Path(improvements_out)
        files["improvements"] = write_atomic(
            target, improvements_toml(result.improvements).encode("utf-8")
        )
    return attrs.evolve(result, files=files)

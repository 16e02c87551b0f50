"""Build and render service reports (``itsskit report build``, the batch, submit --rebuild)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

import attrs

from itsskit.config import Config
from itsskit.models import Report
from itsskit.periods import Period
from itsskit.plugins import PluginHost

__all__ = ["MadeReport", "make_report"]


@attrs.frozen(kw_only=True)
class MadeReport:
    """A built report and the files it was rendered to (format -> path)."""

    report_id: str
    report: Report
    files: Mapping[str, Path]

    @property
    def provisional_years(self) -> tuple[int, ...]:
        """Years without an official holiday schedule that its figures rest on."""
        return tuple(self.report.figures.get("provisional_years", ()))


def make_report(
    config: Config,
    report_id: str,
    period: Period | str,
    *,
    host: PluginHost,
    formats: str | Iterable[str] = ("docx", "html"),
    out_dir: str | Path = ".",
    at: datetime | None = None,
    language: str | None = None,
    template: Path | None = None,
) -> MadeReport:
    """Build report ``report_id`` of ``config`` for ``period`` and render it into ``out_dir``.

    :func:`itsskit.report.build_report` then :func:`itsskit.report.render`
    (files named ``<report-id>_<period>.<suffix>``, written atomically). Raises
    what they raise: ``KeyError`` for an unknown report or format,
    :class:`~itsskit.report.notes.NotesError` for bad notes,
    :class:`~itsskit.report.sandbox.ReportTemplateError` for a failing template,
    :class:`~itsskit.records.SourceError` for an unreadable source.
    """
    from itsskit.report.builder import build_report  # the report machinery loads on use
    from itsskit.report.output import render

    report = build_report(config, report_id, period, host=host, at=at, language=language)
    files = render(report, formats, out_dir, host=host, template=template)
    return MadeReport(report_id=report_id, report=report, files=files)

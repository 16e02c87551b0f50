"""Render a built report into files: one per format, written atomically.

File names are ``<report-id>_<period>.<suffix>`` (``dianchi-monthly_2025-10.docx``).
Each file is written to a temporary file in the output folder and renamed over
the target, so a reader never sees half a report and a failed render leaves
the previous file in place.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from itsskit.files import safe_name, write_atomic
from itsskit.models import Report
from itsskit.plugins import PluginHost

if TYPE_CHECKING:
    from itsskit.report.sandbox import TemplateLimits

__all__ = ["output_name", "parse_formats", "render"]

#: Short names accepted for the built-in renderers.
ALIASES = {"md": "markdown", "htm": "html", "word": "docx"}


def parse_formats(formats: str | Iterable[str]) -> list[str]:
    """``"docx,html"`` or ``["docx", "md"]`` -> renderer names, deduplicated, in order."""
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    names = [ALIASES.get(item.strip().lower(), item.strip().lower()) for item in items]
    chosen = list(dict.fromkeys(name for name in names if name))
    if not chosen:
        raise ValueError("no output format given (expected e.g. docx,html,markdown,json)")
    return chosen


def output_name(report: Report, suffix: str) -> str:
    """``<report-id>_<period>`` plus ``suffix``, safe as a file name (:func:`safe_name`)."""
    return safe_name(f"{report.id}_{report.period_label}") + suffix


def render(
    report: Report,
    formats: str | Iterable[str],
    out_dir: str | Path,
    *,
    host: PluginHost | None = None,
    template: Path | None = None,
    limits: TemplateLimits | None = None,
) -> dict[str, Path]:
    """Render ``report`` in each of ``formats`` into ``out_dir``; returns format -> path.

    ``template`` replaces the shipped template of the template-based formats
    (docx, HTML, Markdown: give one format when you give a template). Unknown
    formats raise ``KeyError`` listing the known ones, before anything is written.
    Each renderer has the host's configured options (``[renderers.FORMAT]``);
    ``limits`` (time and size of one template render) override them for every
    renderer whose options are :class:`~itsskit.report.sandbox.TemplateLimits`
    (docx, HTML, Markdown).
    """
    from itsskit.report.sandbox import TemplateLimits  # Jinja loads when a report is rendered

    host = host or PluginHost.create()
    names = parse_formats(formats)
    renderers = {name: host.renderer_class(name) for name in names}
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, cls in renderers.items():
        override = limits is not None and cls.options_class is TemplateLimits
        renderer = cls(limits) if override else host.renderer(name)
        data = host.render(renderer, report, template=template if name != "json" else None)
        written[name] = write_atomic(folder / output_name(report, cls.suffix), data)
    return written

"""Built-in renderers: ``docx``, ``html``, ``markdown`` and ``json``.

docx, HTML and Markdown render a template (shipped in ``itsskit/templates`` or
the user's own) over :func:`itsskit.report.context.report_context` (plain data
only), always in :class:`itsskit.report.sandbox.TemplateSandbox` with the
renderer's :class:`~itsskit.report.sandbox.TemplateLimits` as its options. The
docx renderer draws tables and charts itself and hands the template their XML
as strings: nothing in a context can be called. JSON is the report itself
through the one converter.
"""

from __future__ import annotations

import io
import json
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docxtpl import DocxTemplate
from markupsafe import Markup

from itsskit.contracts import Registry, Renderer
from itsskit.converter import converter
from itsskit.hookspecs import hookimpl
from itsskit.models import Report
from itsskit.report.context import check_language, report_context
from itsskit.report.sandbox import (
    ReportTemplateError,
    TemplateFailure,
    TemplateLimits,
    TemplateSandbox,
    template_error,
)

__all__ = ["DocxRenderer", "HtmlRenderer", "JsonRenderer", "MarkdownRenderer"]

CHART_WIDTH = Mm(150)
TEXT_WIDTH_MM = 160  # A4 less the template's 2.5 cm margins
CJK_CHAR_MM = 3.7  # a 10.5 pt em
LATIN_CHAR_MM = 2.5  # generous: Word has Calibri, LibreOffice often falls back to DejaVu Sans
CELL_PADDING_MM = 4.0  # Word's default 0.19 cm on each side, and a little air
HEADER_FILL = "D9E2F3"
ABNORMAL_RGB = RGBColor(0xC0, 0x00, 0x00)
#: Characters XML 1.0 cannot hold (a ticket title with a NUL or a vertical tab).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def shipped_template(name: str) -> Path:
    """Path of a template shipped in ``itsskit/templates``."""
    return Path(str(files("itsskit") / "templates" / name))


def chosen_template(report: Report, template: Path | None, default: str) -> Path:
    """``template`` if given, else the spec's template path, else the shipped ``default``."""
    if template is None and report.spec.template not in ("", "default"):
        template = Path(report.spec.template)
    if template is None:
        return shipped_template(default)
    if not template.is_file():
        raise FileNotFoundError(f"report template {template} does not exist")
    return template


class DocxRenderer(Renderer):
    """Word document through docxtpl; the shipped template follows ``report.language``."""

    name = "docx"
    suffix = ".docx"
    options_class = TemplateLimits
    options: TemplateLimits

    def render(self, report: Report, *, template: Path | None = None) -> bytes:
        language = check_language(report.language)
        path = chosen_template(report, template, f"report_{language}.docx")
        document = _word_template(path)
        context = xml_safe(report_context(report))
        for section, source in zip(context["sections"], report.sections, strict=True):
            for table in section["tables"]:
                table["grid"] = _grid_xml(document, table)
            for chart, png in zip(section["charts"], source.charts.values(), strict=True):
                chart["image"] = _image_xml(document, png)
        sandbox = TemplateSandbox(autoescape=True, limits=self.options)
        buffer = io.BytesIO()
        try:
            document.render(context, sandbox, autoescape=True)
            document.save(buffer)
        except (TemplateFailure, jinja2.TemplateError) as exc:
            raise template_error("docx", path, exc) from None
        except Exception as exc:  # noqa: BLE001 - docxtpl failing on what the template wrote
            raise ReportTemplateError(
                f"docx template {path}: the rendered document is not valid Word XML"
                f" ({type(exc).__name__}: {' '.join(str(exc).split())}); put table.grid in a"
                " paragraph of its own ({{p table.grid }}) and chart.image in the body, whole"
            ) from None
        return buffer.getvalue()


class HtmlRenderer(Renderer):
    """One self-contained, printable, phone-friendly HTML file (charts inline)."""

    name = "html"
    suffix = ".html"
    options_class = TemplateLimits
    options: TemplateLimits

    def render(self, report: Report, *, template: Path | None = None) -> bytes:
        path = chosen_template(report, template, "report.html.j2")
        sandbox = TemplateSandbox(autoescape=True, limits=self.options)
        return _render_text("html", path, sandbox, report_context(report)).encode("utf-8")


class MarkdownRenderer(Renderer):
    """Markdown with pipe tables; charts embedded as PNG data URIs.

    Every value from the data is written with ``<`` and ``>`` as entities, so
    HTML in the data stays text in any Markdown viewer.
    """

    name = "markdown"
    suffix = ".md"
    options_class = TemplateLimits
    options: TemplateLimits

    def render(self, report: Report, *, template: Path | None = None) -> bytes:
        path = chosen_template(report, template, "report.md.j2")
        sandbox = TemplateSandbox(autoescape=False, limits=self.options, finalize=md_text)
        sandbox.add_filter("md_cell", md_cell)
        return _render_text("markdown", path, sandbox, report_context(report)).encode("utf-8")


class JsonRenderer(Renderer):
    """The :class:`~itsskit.models.Report` as JSON (charts base64); loads back equal."""

    name = "json"
    suffix = ".json"

    def render(self, report: Report, *, template: Path | None = None) -> bytes:
        if template is not None:
            raise ValueError(f"the json renderer takes no template (got {template})")
        text = json.dumps(converter.unstructure(report), ensure_ascii=False, indent=2)
        return (text + "\n").encode("utf-8")


@hookimpl
def register_renderers(registry: Registry[Renderer]) -> None:
    """Register the four built-in renderers."""
    for renderer in (DocxRenderer, HtmlRenderer, JsonRenderer, MarkdownRenderer):
        registry.add(renderer)


# ----------------------------------------------------------------------- helpers


def _word_template(path: Path) -> DocxTemplate:
    """``path`` opened as a docx template; a file that is no Word document is named."""
    document = DocxTemplate(str(path))
    try:
        document.get_docx()
    except Exception as exc:  # noqa: BLE001 - python-docx has several ways to say "not a docx"
        raise ReportTemplateError(
            f"docx template {path}: not a Word (.docx) document ({type(exc).__name__}: {exc})"
        ) from None
    return document


def xml_safe(value: Any) -> Any:
    """Plain data with the characters XML cannot hold (NUL, most C0 controls) as U+FFFD."""
    if isinstance(value, str):
        return _XML_INVALID.sub("\ufffd", value)
    if isinstance(value, list):
        return [xml_safe(item) for item in value]
    if isinstance(value, dict):
        return {key: xml_safe(item) for key, item in value.items()}
    return value


def md_text(value: Any) -> Any:
    """A value as Markdown text: ``<`` and ``>`` as entities (HTML in data stays inert) and
    ``](`` escaped, so data cannot make a link or an image (``[x](javascript:...)``)."""
    if isinstance(value, Markup):  # already made safe (md_cell) or marked safe by the template
        return value
    return str(value).replace("<", "&lt;").replace(">", "&gt;").replace("](", "]\\(")


def md_cell(value: Any) -> Markup:
    """Text safe inside a Markdown pipe-table cell (``\\``, ``|`` escaped, no HTML)."""
    text = str(md_text(str(value))).replace("\\", "\\\\").replace("|", "\\|")
    return Markup(text.replace("\n", "<br>"))


def _render_text(kind: str, path: Path, sandbox: TemplateSandbox, context: dict[str, Any]) -> str:
    try:
        return sandbox.from_string(path.read_text(encoding="utf-8")).render(context)
    except (TemplateFailure, jinja2.TemplateError) as exc:
        raise template_error(kind, path, exc) from None
    except UnicodeDecodeError as exc:
        raise ReportTemplateError(
            f"{kind} template {path}: not UTF-8 text ({exc.reason})"
        ) from None


def _image_xml(document: DocxTemplate, png: bytes) -> Markup:
    """A chart as an inline picture run (what docxtpl's InlineImage would write), as XML."""
    inline = document.get_docx().part.new_pic_inline(io.BytesIO(png), CHART_WIDTH, None)
    return Markup(
        f'</w:t></w:r><w:r><w:drawing>{inline.xml}</w:drawing></w:r><w:r><w:t xml:space="preserve">'
    )


def _grid_xml(document: DocxTemplate, table: dict[str, Any]) -> Markup:
    """The table drawn by :func:`_grid`, as the body XML docxtpl puts in place of ``{{p ...}}``."""
    return Markup(str(_grid(document, table)))  # a Subdoc prints as its body XML


def _grid(document: DocxTemplate, table: dict[str, Any]) -> Any:
    """A bordered table with a shaded header row; abnormal cells in red."""
    subdoc = document.new_subdoc()
    header = table["header"]
    grid = subdoc.add_table(rows=1 + len(table["rows"]), cols=len(header))
    _borders(grid._tbl)
    for cell, text in zip(grid.rows[0].cells, header, strict=True):
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        _shade(cell._tc, HEADER_FILL)
    _repeat_header(grid.rows[0]._tr)
    for row, cells in zip(grid.rows[1:], table["rows"], strict=True):
        for cell, value in zip(row.cells, cells, strict=False):
            run = cell.paragraphs[0].add_run(value["text"])
            if value["abnormal"]:
                run.bold = True
                run.font.color.rgb = ABNORMAL_RGB
    grid.autofit = False
    widths = column_widths_mm(header, [[cell["text"] for cell in row] for row in table["rows"]])
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = Mm(width)
    for row in grid.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.paragraphs[0].paragraph_format.space_after = Pt(0)
            cell.width = Mm(width)
    return subdoc


def column_widths_mm(header: list[str], rows: list[list[str]]) -> list[float]:
    """Column widths that fill the text width, giving short columns room not to wrap.

    Each column's natural width is its longest cell on one line (the header may
    wrap between words). Columns that fit in an equal share of what is left keep
    their natural width; the wide ones share the rest in proportion to theirs.
    """
    natural = [
        CELL_PADDING_MM
        + max(
            max((_text_mm(word) for word in header[col].split()), default=0.0),
            max((_text_mm(row[col]) for row in rows if col < len(row)), default=0.0),
        )
        for col in range(len(header))
    ]
    widths = [0.0] * len(natural)
    remaining, wide = float(TEXT_WIDTH_MM), set(range(len(natural)))
    while wide:
        share = remaining / len(wide)
        narrow = {col for col in wide if natural[col] <= share}
        if not narrow:
            total = sum(natural[col] for col in wide)
            for col in wide:
                widths[col] = remaining * natural[col] / total
            return widths
        for col in narrow:
            widths[col] = natural[col]
            remaining -= natural[col]
        wide -= narrow
    return [TEXT_WIDTH_MM * width / sum(widths) for width in widths]  # all fit: stretch


def _text_mm(text: str) -> float:
    """Approximate width of ``text`` in the body font (CJK a full em, Latin about half)."""
    return sum(CJK_CHAR_MM if ord(char) > 0x2E7F else LATIN_CHAR_MM for char in str(text))


def _borders(tbl: Any) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), "4")
        line.set(qn("w:space"), "0")
        line.set(qn("w:color"), "808080")
        borders.append(line)
    tbl.tblPr.append(borders)


def _shade(tc: Any, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tc.get_or_add_tcPr().append(shading)


def _repeat_header(tr: Any) -> None:
    flag = OxmlElement("w:tblHeader")
    tr.get_or_add_trPr().append(flag)

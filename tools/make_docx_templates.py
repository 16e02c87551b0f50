"""Build the shipped docx report templates (zh-CN and en) with python-docx.

The templates are docxtpl templates: Jinja tags over the context documented in
``docs/reports.md``. Run ``python tools/make_docx_templates.py`` after changing
this file and commit the two rebuilt ``src/itsskit/templates/report_*.docx``.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import BaseStyle
from docx.text.paragraph import Paragraph

TEMPLATES = Path(__file__).resolve().parents[1] / "src/itsskit/templates"

# Latin font, east-asian font, footer words: per language.
LOOK = {
    "zh-CN": {
        "body": ("Times New Roman", "宋体"),
        "heading": ("Arial", "黑体"),
        "page": ("第 ", " 页，共 ", " 页"),
    },
    "en": {
        "body": ("Calibri", "宋体"),
        "heading": ("Calibri", "黑体"),
        "page": ("Page ", " of ", ""),
    },
}
DARK = RGBColor(0x1F, 0x3A, 0x5F)


def build(language: str) -> DocumentObject:
    """The template document for ``language``."""
    doc = Document()
    _page_setup(doc)
    _styles(doc, language)
    _footer(doc, language)
    _cover(doc)
    _contents(doc)
    _sections(doc)
    return doc


def _page_setup(doc: DocumentObject) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.5)


def _set_fonts(style: BaseStyle, latin: str, east_asian: str) -> None:
    """Name both fonts explicitly; drop theme fonts, which would override them."""
    style.font.name = latin  # type: ignore[attr-defined]
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), latin)
    fonts.set(qn("w:eastAsia"), east_asian)


def _styles(doc: DocumentObject, language: str) -> None:
    body, heading = LOOK[language]["body"], LOOK[language]["heading"]
    normal = doc.styles["Normal"]
    _set_fonts(normal, *body)
    normal.font.size = Pt(10.5)  # type: ignore[attr-defined]
    normal.paragraph_format.line_spacing = 1.3  # type: ignore[attr-defined]
    normal.paragraph_format.space_after = Pt(4)  # type: ignore[attr-defined]
    for name, size in (("Title", 26), ("Heading 1", 16), ("Heading 2", 13)):
        style = doc.styles[name]
        _set_fonts(style, *heading)
        style.font.size = Pt(size)  # type: ignore[attr-defined]
        style.font.bold = True  # type: ignore[attr-defined]
        style.font.color.rgb = DARK  # type: ignore[attr-defined]
    doc.styles["Heading 1"].paragraph_format.space_before = Pt(18)  # type: ignore[attr-defined]
    doc.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER  # type: ignore[attr-defined]
    caption = doc.styles["Caption"]
    _set_fonts(caption, *body)
    caption.font.color.rgb = RGBColor(0x55, 0x55, 0x55)  # type: ignore[attr-defined]
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER  # type: ignore[attr-defined]


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A simple field (PAGE, NUMPAGES) Word and LibreOffice show without updating."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _footer(doc: DocumentObject, language: str) -> None:
    before, between, after = LOOK[language]["page"]
    section = doc.sections[0]
    header = section.header.paragraphs[0]
    header.text = "{{ report.title }}"
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header.runs[0].font.size = Pt(9)
    header.runs[0].font.color.rgb = RGBColor(0x77, 0x77, 0x77)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(before)
    _field(footer, "PAGE")
    footer.add_run(between)
    _field(footer, "NUMPAGES")
    if after:
        footer.add_run(after)


def _page_break(doc: DocumentObject) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _label_value_table(doc: DocumentObject, rows: str) -> None:
    """A two-column grid table looping over ``rows`` ({label, value} items)."""
    table = doc.add_table(rows=3, cols=2)
    table.style = doc.styles["Table Grid"]
    table.cell(0, 0).merge(table.cell(0, 1)).text = f"{{%tr for row in {rows} %}}"
    table.cell(1, 0).text = "{{ row.label }}"
    table.cell(1, 1).text = "{{ row.value }}"
    table.cell(2, 0).merge(table.cell(2, 1)).text = "{%tr endfor %}"
    table.autofit = False
    for column, width in zip(table.columns, (Cm(4), Cm(12)), strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width
    _shade(table.cell(1, 0), "E8EEF5")
    table.cell(1, 0).paragraphs[0].runs[0].bold = True


def _shade(cell: object, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)  # type: ignore[attr-defined]


def _cover(doc: DocumentObject) -> None:
    for _ in range(6):
        doc.add_paragraph()
    doc.add_paragraph("{{ report.title }}", style="Title")
    subtitle = doc.add_paragraph("{{ report.period_label }}")
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.runs[0].font.size = Pt(16)
    for _ in range(4):
        doc.add_paragraph()
    _label_value_table(doc, "cover")
    _page_break(doc)


def _contents(doc: DocumentObject) -> None:
    title = doc.add_paragraph("{{ labels.contents }}")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.runs[0].font.size = Pt(16)
    title.runs[0].bold = True
    doc.add_paragraph("{%p for section in sections %}")
    doc.add_paragraph("{{ section.title }}")
    doc.add_paragraph("{%p endfor %}")
    _page_break(doc)


def _sections(doc: DocumentObject) -> None:
    doc.add_paragraph("{%p for section in sections %}")
    doc.add_paragraph("{{ section.title }}", style="Heading 1")
    doc.add_paragraph("{%p if section.empty %}")
    doc.add_paragraph().add_run("{{ section.missing }}").italic = True
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p for text in section.paragraphs %}")
    doc.add_paragraph("{{ text }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p for table in section.tables %}")
    doc.add_paragraph("{{p table.grid }}")
    doc.add_paragraph()
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p for chart in section.charts %}")
    doc.add_paragraph("{{ chart.image }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p endfor %}")


def main() -> None:
    for language in LOOK:
        target = TEMPLATES / f"report_{language}.docx"
        doc = build(language)
        doc.core_properties.title = "itsskit report template"
        doc.core_properties.author = "itsskit"
        doc.save(str(target))
        print(target)


if __name__ == "__main__":
    main()

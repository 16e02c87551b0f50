"""The four built-in renderers: same numbers everywhere, sandboxed templates, layout."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from docx import Document

from itsskit.builtin.renderers import (
    DocxRenderer,
    HtmlRenderer,
    JsonRenderer,
    MarkdownRenderer,
    md_cell,
    register_renderers,
)
from itsskit.contracts import Registry, Renderer
from itsskit.converter import converter
from itsskit.models import Report, ReportSpec, Section
from itsskit.report import charts
from itsskit.report.context import ReportTemplateError, is_abnormal, report_context

CST = timezone(timedelta(hours=8))
CHROMIUM = Path("/usr/bin/chromium")


def sample_report(language: str = "zh-CN") -> Report:
    """A small report with known figures, built by hand."""
    zh = language == "zh-CN"
    normal, abnormal = ("正常", "异常") if zh else ("Normal", "Abnormal")
    kpi_table = (
        ("指标", "约定标准", "实际值", "状态", "备注")
        if zh
        else ("Indicator", "Target", "Actual", "Status", "Remarks"),
        ("SLA 达成率" if zh else "SLA attainment", "≥ 95.00%", "96.43%", normal, ""),
        (
            "系统可用性" if zh else "Availability",
            "≥ 99.50%",
            "99.21%",
            abnormal,
            "邮件服务 | 两次中断" if zh else "Mail | two outages",
        ),
        ("服务报告及时交付率" if zh else "Report on-time rate", "≥ 95.00%", "100.00%", normal, ""),
    )
    volume = (
        ("月份", "工单数", "已关闭") if zh else ("Month", "Tickets", "Closed"),
        ("2025-09", "87", "85"),
        ("2025-10", "131", "128"),
    )
    months = ["2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10"]
    return Report(
        id="alpha-monthly-2025-10",
        project="alpha",
        spec=ReportSpec(
            id="alpha-monthly",
            project="alpha",
            title="滇池物流 IT 运维服务月度报告" if zh else "Dianchi Logistics IT service report",
            department="运维部" if zh else "Operations",
            author="李娜" if zh else "Li Na",
            audience="客户信息中心" if zh else "Customer IT centre",
            purpose="向客户报告服务级别达成情况" if zh else "Report service levels",
            distribution=("cio@dianchi.example.cn",),
            language=language,
        ),
        period_label="2025年10月" if zh else "October 2025",
        period_start=datetime(2025, 10, 1, tzinfo=CST),
        period_end=datetime(2025, 11, 1, tzinfo=CST),
        generated=datetime(2025, 11, 3, 9, 30, tzinfo=CST),
        language=language,
        sections=(
            Section(
                key="kpis",
                title="服务级别达成情况" if zh else "Service levels",
                paragraphs=(
                    "本月共 131 张工单，SLA 达成率 96.43%。"
                    if zh
                    else "131 tickets this month; SLA attainment 96.43%.",
                ),
                tables=(kpi_table,),
                charts={
                    "SLA 达成率趋势" if zh else "SLA attainment": charts.attainment_trend(
                        months, [0.97, 0.955, None, 0.91, 0.96, 0.9643], 0.95, language
                    )
                },
            ),
            Section(
                key="workload",
                title="工作量" if zh else "Workload",
                tables=(volume,),
                charts={
                    "工单量" if zh else "Volume": charts.volume_trend(
                        months, [120, 98, 143, 110, 87, 131], language
                    )
                },
            ),
            Section(
                key="satisfaction",
                title="满意度分析" if zh else "Satisfaction",
                missing="本期无满意度调查数据。" if zh else "No survey answers this period.",
            ),
        ),
        figures={
            "basic": {
                "customer": "滇池物流有限公司" if zh else "Dianchi Logistics Ltd",
                "project_name": "滇池物流 IT 运维服务项目" if zh else "Dianchi IT operations",
                "services": ["ERP 系统", "邮件服务"] if zh else ["ERP", "Mail"],
            },
            "sla_attainment": {
                "value": 0.9643,
                "target": 0.95,
                "numerator": 27,
                "denominator": 28,
                "status": "normal",
                "unit": "ratio",
            },
        },
        version=2,
    )


def cell_texts(report: Report) -> list[str]:
    """Every text a reader must find: section titles, paragraphs, table cells."""
    texts = []
    for section in report.sections:
        texts.append(section.title)
        texts.extend(section.paragraphs)
        texts.extend(text for table in section.tables for row in table for text in row if text)
        if section.missing:
            texts.append(section.missing)
    return texts


def docx_texts(data: bytes) -> tuple[list[str], list[str], list[str]]:
    """(Heading 1 texts, table cell texts, italic run texts) of a docx document."""
    doc = Document(io.BytesIO(data))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    italics = [run.text for p in doc.paragraphs for run in p.runs if run.italic]
    return headings, cells, italics


# ------------------------------------------------------------------ registration


def test_register_renderers_adds_four_names() -> None:
    registry: Registry[Renderer] = Registry("renderer")
    register_renderers(registry)
    assert registry.names() == ["docx", "html", "json", "markdown"]
    assert [cls.suffix for _, cls in registry.items()] == [".docx", ".html", ".json", ".md"]


# -------------------------------------------------------------- same numbers


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_docx_carries_every_heading_and_cell(language: str) -> None:
    report = sample_report(language)
    headings, cells, italics = docx_texts(DocxRenderer().render(report))
    assert headings == [section.title for section in report.sections]
    for section in report.sections:
        for table in section.tables:
            for row in table:
                for text in row:
                    assert text in cells, text
    assert report.sections[2].missing in italics
    doc = Document(io.BytesIO(DocxRenderer().render(report)))
    assert len(doc.inline_shapes) == 2  # the two charts
    assert doc.sections[0].page_width.cm == pytest.approx(21.0, abs=0.01)
    assert doc.sections[0].page_height.cm == pytest.approx(29.7, abs=0.01)


def test_docx_cover_contents_and_footer_page_field() -> None:
    report = sample_report()
    doc = Document(io.BytesIO(DocxRenderer().render(report)))
    body = [p.text for p in doc.paragraphs]
    assert body[body.index("目录") + 1 : body.index("目录") + 4] == [
        "服务级别达成情况",
        "工作量",
        "满意度分析",
    ]
    cover = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    assert cover["客户"] == "滇池物流有限公司"
    assert cover["服务期间"] == "2025年10月（2025-10-01 至 2025-10-31）"
    assert cover["报告日期"] == "2025-11-03"
    assert cover["版本"] == "V2"
    footer_xml = doc.sections[0].footer._element.xml
    assert 'w:instr="PAGE"' in footer_xml
    assert doc.sections[0].header.paragraphs[0].text == report.spec.title


def test_docx_abnormal_cell_is_red_and_header_shaded() -> None:
    doc = Document(io.BytesIO(DocxRenderer().render(sample_report())))
    kpi = next(t for t in doc.tables if t.rows[0].cells[0].text == "指标")
    red = [
        cell.text
        for row in kpi.rows
        for cell in row.cells
        for run in cell.paragraphs[0].runs
        if run.font.color.rgb is not None
    ]
    assert red == ["异常"]
    assert 'w:fill="D9E2F3"' in kpi.rows[0].cells[0]._tc.xml
    assert 'w:fill="D9E2F3"' not in kpi.rows[1].cells[0]._tc.xml


def test_html_carries_every_text_escaped_and_inline() -> None:
    report = sample_report()
    html = HtmlRenderer().render(report).decode("utf-8")
    for text in cell_texts(report):
        assert text.replace("≥", "≥") in html, text
    assert '<html lang="zh-CN">' in html
    assert html.count('src="data:image/png;base64,') == 2
    assert re.search(r'(src|href)="(https?:)?//', html) is None  # nothing external
    assert '<td class="abnormal">异常</td>' in html
    assert html.count('class="abnormal"') == 1
    assert '<meta name="viewport"' in html and "@media print" in html
    for number, section in enumerate(report.sections, 1):
        assert f'href="#s{number}-{section.key}"' in html
        assert f'id="s{number}-{section.key}"' in html


def test_html_escapes_markup_in_data() -> None:
    report = sample_report("en")
    evil = Section(key="x", title="<script>alert(1)</script>", paragraphs=("a & b",))
    html = HtmlRenderer().render(_with_sections(report, evil)).decode("utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "a &amp; b" in html


def test_markdown_carries_every_text_with_pipes_escaped() -> None:
    report = sample_report()
    md = MarkdownRenderer().render(report).decode("utf-8")
    for text in cell_texts(report):
        assert md_cell(text) in md, text
    assert "邮件服务 \\| 两次中断" in md
    assert "| 系统可用性 | ≥ 99.50% | 99.21% | **异常** | 邮件服务 \\| 两次中断 |" in md
    assert md.count("](data:image/png;base64,") == 2
    assert "## 满意度分析" in md and "*本期无满意度调查数据。*" in md


def test_markdown_table_rows_have_header_width() -> None:
    md = MarkdownRenderer().render(sample_report("en")).decode("utf-8")
    lines = [line for line in md.splitlines() if line.startswith("| Indicator")]
    assert lines == ["| Indicator | Target | Actual | Status | Remarks | "]
    assert "|---|---|---|---|---|" in md


def test_json_round_trips_to_an_equal_report() -> None:
    report = sample_report()
    data = JsonRenderer().render(report)
    text = data.decode("utf-8")
    assert "滇池物流有限公司" in text  # ensure_ascii=False
    assert converter.structure(json.loads(data), Report) == report
    for value in cell_texts(report):
        assert value in text


def test_json_takes_no_template(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="takes no template"):
        JsonRenderer().render(sample_report(), template=tmp_path / "x.j2")


# -------------------------------------------------------------- context and sandbox


def test_context_cover_and_abnormal_helper() -> None:
    context = report_context(sample_report("en"))
    assert context["report"]["period_end"] == "2025-10-31"
    assert context["report"]["period_text"] == "2025-10-01 to 2025-10-31"
    assert context["info"][1] == {"label": "Scope", "value": "ERP, Mail"}
    assert context["figures"]["sla_attainment"]["numerator"] == 27
    rows = context["sections"][0]["tables"][0]["rows"]
    assert [cell["abnormal"] for cell in rows[1]] == [False, False, False, True, False]
    assert context["sections"][2]["empty"] is True
    json.dumps(context)  # plain data
    assert is_abnormal(" 异常 ", "zh-CN") and not is_abnormal("Abnormal", "zh-CN")


def test_unknown_language_is_a_clear_error() -> None:
    report = _with_language(sample_report("en"), "fr")
    with pytest.raises(ValueError, match="unknown report language 'fr'"):
        HtmlRenderer().render(report)


@pytest.mark.parametrize(
    "probe", ["{{ ''.__class__.__mro__ }}", "{{ report.__class__.__init__.__globals__ }}"]
)
def test_html_template_cannot_reach_python_internals(tmp_path: Path, probe: str) -> None:
    template = tmp_path / "evil.html.j2"
    template.write_text(probe, encoding="utf-8")
    with pytest.raises(ReportTemplateError, match=r"evil\.html\.j2.*unsafe"):
        HtmlRenderer().render(sample_report(), template=template)


def test_docx_template_cannot_reach_python_internals(tmp_path: Path) -> None:
    doc = Document()
    doc.add_paragraph("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    template = tmp_path / "evil.docx"
    doc.save(str(template))
    with pytest.raises(ReportTemplateError, match=r"evil\.docx.*unsafe"):
        DocxRenderer().render(sample_report(), template=template)


def test_user_docx_template_uses_plain_context(tmp_path: Path) -> None:
    doc = Document()
    doc.add_paragraph("{{ basic.customer }} / {{ figures.sla_attainment.value }}")
    table = doc.add_table(rows=3, cols=1)
    table.cell(0, 0).text = "{%tr for row in sections[0].tables[0].rows %}"
    table.cell(1, 0).text = "{{ row[0].text }}={{ row[2].text }}"
    table.cell(2, 0).text = "{%tr endfor %}"
    template = tmp_path / "mine.docx"
    doc.save(str(template))
    out = Document(io.BytesIO(DocxRenderer().render(sample_report(), template=template)))
    assert out.paragraphs[0].text == "滇池物流有限公司 / 0.9643"
    assert [row.cells[0].text for row in out.tables[0].rows] == [
        "SLA 达成率=96.43%",
        "系统可用性=99.21%",
        "服务报告及时交付率=100.00%",
    ]


def test_spec_template_path_is_used_and_missing_one_named(tmp_path: Path) -> None:
    template = tmp_path / "mine.md.j2"
    template.write_text("# {{ report.title }}", encoding="utf-8")
    report = sample_report()
    spec = converter.unstructure(report.spec) | {"template": str(template)}
    data = converter.unstructure(report) | {"spec": spec}
    assert MarkdownRenderer().render(converter.structure(data, Report)) == (
        "# 滇池物流 IT 运维服务月度报告".encode()
    )
    with pytest.raises(FileNotFoundError, match="nope.md.j2"):
        MarkdownRenderer().render(report, template=tmp_path / "nope.md.j2")


def test_unknown_key_in_template_is_an_error(tmp_path: Path) -> None:
    template = tmp_path / "typo.html.j2"
    template.write_text("{{ report.titel }}", encoding="utf-8")
    with pytest.raises(ReportTemplateError, match="titel"):
        HtmlRenderer().render(sample_report(), template=template)


# ------------------------------------------------------------------ screenshots


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)"
)
@pytest.mark.parametrize("width", [390, 1280])
def test_html_screenshot_is_not_blank(tmp_path: Path, width: int) -> None:
    from matplotlib.image import imread

    page = tmp_path / "report.html"
    page.write_bytes(HtmlRenderer().render(sample_report()))
    shot = tmp_path / "shot.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                str(CHROMIUM),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                f"--screenshot={shot}",
                f"--window-size={width},900",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    pixels = imread(str(shot))
    assert pixels.shape[1] == width
    assert pixels.std() > 0.05  # not one flat colour


def _with_sections(report: Report, *sections: Section) -> Report:
    data = converter.unstructure(report) | {"sections": converter.unstructure(sections)}
    return converter.structure(data, Report)


def _with_language(report: Report, language: str) -> Report:
    return converter.structure(converter.unstructure(report) | {"language": language}, Report)


def test_generated_time_is_shown_in_its_own_timezone() -> None:
    report = sample_report()
    utc = converter.unstructure(report) | {
        "generated": datetime(2025, 11, 3, 1, 30, tzinfo=UTC).isoformat()
    }
    context = report_context(converter.structure(utc, Report))
    assert context["report"]["generated_date"] == "2025-11-03"
    assert shutil.which("true") is not None


def test_docx_column_widths_keep_short_columns_whole_and_fill_the_text_width() -> None:
    from itsskit.builtin.renderers import TEXT_WIDTH_MM, column_widths_mm

    header = ["Indicator", "Actual", "Status", "Remarks"]
    rows = [["Request fulfilment attainment", "93.92%", "Abnormal", "x " * 60]]
    widths = column_widths_mm(header, rows)
    assert sum(widths) == pytest.approx(TEXT_WIDTH_MM)
    # "93.92%" is 6 Latin characters: 4 mm padding + 6 x 2.5 mm; "Abnormal" 4 + 8 x 2.5 mm
    assert widths[1:3] == pytest.approx([19.0, 24.0])
    # then "Indicator" (4 + 29 x 2.5 = 76.5 mm) and "Remarks" (304 mm) are both wider
    # than an equal share of the 117 mm left: they share it in proportion
    assert widths[0] == pytest.approx(117 * 76.5 / (76.5 + 304))
    assert widths[3] == pytest.approx(117 * 304 / (76.5 + 304))
    # everything fits: each column's natural width, stretched to fill the line
    small = column_widths_mm(["工单", "优先级"], [["DC-INC-0022", "P1"]])
    natural = [4 + 11 * 2.5, 4 + 3 * 3.7]
    assert small == pytest.approx([160 * n / sum(natural) for n in natural])

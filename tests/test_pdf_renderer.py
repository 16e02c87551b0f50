"""The ``pdf`` renderer (issue 13 item 6): Chinese text and charts print, nothing leaks in.

Text is read back from the PDF with pypdf; pages are drawn with poppler's
``pdftoppm`` (Debian ``poppler-utils``, installed by ``.ci/setup-pdf.sh``) and
must not be blank.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from matplotlib.image import imread
from pypdf import PdfReader

from itsskit.builtin.pdf import INSTALL_HINT, PdfRenderer, PdfUnavailable
from itsskit.cli import main
from itsskit.plugins import PluginHost
from test_renderers import sample_report

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo" / "itsskit.toml"
PDFTOPPM = shutil.which("pdftoppm")


def pdf_text(pdf: bytes) -> str:
    """Every page's text, whitespace removed (PDF text extraction splits lines freely)."""
    reader = PdfReader(io.BytesIO(pdf))
    return "".join("".join((page.extract_text() or "").split()) for page in reader.pages)


def image_sizes(pdf: bytes) -> list[tuple[int, int]]:
    """(width, height) of every distinct raster image in the PDF (pages share resources)."""
    seen = {
        (image.image.size, hash(image.data))
        for page in PdfReader(io.BytesIO(pdf)).pages
        for image in page.images
        if image.image is not None
    }
    return [size for size, _ in seen]


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG header."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def inked_share(pdf_path: Path, page: int, tmp_path: Path) -> float:
    """The share of non-white pixels of ``page`` drawn at 40 dpi by pdftoppm."""
    if PDFTOPPM is None:
        pytest.skip("needs pdftoppm (apt-get install poppler-utils; .ci/setup-pdf.sh does)")
    prefix = tmp_path / f"page{page}"
    subprocess.run(
        [PDFTOPPM, "-r", "40", "-f", str(page), "-l", str(page), "-png", "-singlefile",
         str(pdf_path), str(prefix)],
        check=True, timeout=60,
    )  # fmt: skip
    pixels = imread(str(prefix) + ".png")[..., :3]
    return float((pixels.min(axis=2) < 0.9).mean())


def test_a_chinese_report_prints_its_title_sections_figures_and_charts(tmp_path: Path) -> None:
    report = sample_report("zh-CN")
    pdf = PdfRenderer().render(report)
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for expected in ("滇池物流IT运维服务月度报告", "服务级别达成情况", "工作量", "满意度分析",
                     "96.43%", "99.21%", "本期无满意度调查数据。", "V2"):  # fmt: skip
        assert expected in text
    charts = [png for section in report.sections for png in section.charts.values()]
    assert len(charts) == 2
    assert sorted(image_sizes(pdf)) == sorted(png_size(png) for png in charts)
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    assert inked_share(path, 1, tmp_path) > 0.01  # the cover is not blank


def test_an_english_report_prints_too() -> None:
    text = pdf_text(PdfRenderer().render(sample_report("en")))
    assert "DianchiLogisticsITservicereport" in text
    assert "Servicelevels" in text and "96.43%" in text


def test_every_page_is_a4_and_numbered() -> None:
    pdf = PdfRenderer().render(sample_report("zh-CN"))
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
        assert f"{number}/{len(pages)}" in "".join((page.extract_text() or "").split())


def test_the_shipped_cjk_font_is_embedded() -> None:
    pdf = PdfRenderer().render(sample_report("zh-CN"))
    fonts = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts and all("itsskit-CJK" in name for name in fonts)


def test_a_template_cannot_pull_a_local_file_into_the_pdf(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(sample_report().sections[0].charts["SLA 达成率趋势"])
    style = tmp_path / "secret.css"
    style.write_text("body::after { content: 'LEAKED-CSS'; }", encoding="utf-8")
    template = tmp_path / "t.html.j2"
    template.write_text(
        f'<html><head><link rel="stylesheet" href="{style.as_uri()}"></head>'
        f'<body><h1>{{{{ report.title }}}}</h1><img src="{secret.as_uri()}">'
        f'<img src="{secret}"></body></html>',
        encoding="utf-8",
    )
    pdf = PdfRenderer().render(sample_report(), template=template)
    assert "滇池物流IT运维服务月度报告" in pdf_text(pdf)
    assert "LEAKED" not in pdf_text(pdf)
    assert image_sizes(pdf) == []


def test_without_weasyprint_the_renderer_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint -> ImportError
    with pytest.raises(PdfUnavailable) as caught:
        PdfRenderer().render(sample_report())
    message = str(caught.value)
    assert message.startswith(INSTALL_HINT)
    assert "\n" not in message and "pip install 'itsskit[pdf]'" in message


def test_pdf_is_a_registered_renderer() -> None:
    host = PluginHost.create(entry_points=False)
    assert host.renderer_class("pdf") is PdfRenderer


def test_report_build_writes_the_demo_report_as_pdf(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["report", "build", str(DEMO), "--report", "dianchi-monthly", "--period", "2025-10",
         "--format", "pdf", "--out", str(tmp_path), "--at", "2025-11-03T10:00+08:00"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    path = tmp_path / "dianchi-monthly_2025-10.pdf"
    assert result.stdout.split() == ["dianchi-monthly", "pdf", str(path)]
    text = pdf_text(path.read_bytes())
    assert "滇池物流IT运维服务月度报告" in text
    assert "一、报告基本信息" in text and "二、服务结果综述" in text
    # The October figures of the demo, as the HTML and docx show them.
    assert "SLA达成率为95.38%（目标95%）" in text
    assert len(image_sizes(path.read_bytes())) >= 4  # the trend and volume charts
    assert inked_share(path, 8, tmp_path) > 0.05  # a page with a chart


def test_report_build_without_weasyprint_fails_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    result = CliRunner().invoke(
        main,
        ["report", "build", str(DEMO), "--report", "dianchi-monthly", "--period", "2025-10",
         "--format", "pdf", "--out", str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    (line,) = result.stderr.strip().splitlines()
    assert INSTALL_HINT in line
    assert not list(tmp_path.glob("*.pdf"))


def test_slm_catalogue_renders_as_pdf(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["slm", "catalogue", str(DEMO), "--format", "pdf", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    (path,) = tmp_path.glob("service-catalogue_*.pdf")
    text = pdf_text(path.read_bytes())
    assert "ERP系统" in text and "仓储管理系统" in text

"""Charts: PNG output, Chinese glyphs from the shipped font, no global state touched."""

from __future__ import annotations

import contextlib
import io
import warnings

import matplotlib
import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager
from matplotlib.image import imread

from itsskit.report import charts
from itsskit.report.fonts import cjk_font_path, register_cjk_font

MONTHS_ZH = ["5月", "6月", "7月", "8月", "9月", "10月"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def gb2312_hanzi() -> list[str]:
    """Level-1 and level-2 hanzi of GB 2312 (rows 0xB0-0xF7), decoded independently."""
    chars = []
    for row in range(0xB0, 0xF8):
        for cell in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.append(bytes((row, cell)).decode("gb2312"))
    return chars


def test_font_file_is_shipped_small_with_licence() -> None:
    path = cjk_font_path()
    assert path.is_file()
    assert path.stat().st_size < 4_000_000
    assert (path.parent / "OFL.txt").read_text(encoding="utf-8").count("SIL OPEN FONT LICENSE") == 1


def test_font_covers_all_gb2312_hanzi_and_punctuation() -> None:
    hanzi = gb2312_hanzi()
    assert len(hanzi) == 6763
    cmap = TTFont(str(cjk_font_path()))["cmap"].getBestCmap()
    wanted = (
        hanzi + list("，。、：；（）《》【】“”％—…０９ＡＺ") + [chr(c) for c in range(0x20, 0x7F)]
    )
    missing = [char for char in wanted if ord(char) not in cmap]
    assert missing == []


def test_register_returns_family_that_findfont_resolves() -> None:
    family = register_cjk_font()
    assert family == "Noto Sans CJK SC itsskit"
    assert register_cjk_font() == family  # once
    found = font_manager.findfont(
        font_manager.FontProperties(family=family), fallback_to_default=False
    )
    assert found == str(cjk_font_path())


@pytest.mark.parametrize(
    "draw",
    [
        lambda: charts.volume_trend(
            MONTHS_ZH, [120, 98, 143, 110, 87, 131], "zh-CN", title="工单量（件）"
        ),
        lambda: charts.attainment_trend(
            MONTHS_ZH, [0.97, None, 0.91, 0.96, 0.99, 1.0], 0.95, "zh-CN"
        ),
        lambda: charts.priority_mix({"紧急": 3, "高": 17, "中": 60, "低": 45}, "zh-CN"),
        lambda: charts.availability_by_service(
            ["ERP 系统", "邮件服务"], [0.9995, 0.99], 0.995, "zh-CN"
        ),
        lambda: charts.availability_by_service(["ERP"], [0.98], None, "en"),
    ],
)
def test_chinese_chart_renders_without_missing_glyphs(draw) -> None:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" would raise here
        png = draw()
    assert png.startswith(PNG_MAGIC)
    pixels = imread(io.BytesIO(png))
    assert pixels.shape[1] == round(charts.WIDTH_IN * charts.DPI)
    assert pixels.std() > 0.05


def test_default_font_would_miss_chinese_glyphs() -> None:
    """The check above can fail: DejaVu Sans alone warns about missing hanzi."""
    from matplotlib.figure import Figure

    fig = Figure()
    fig.text(0.5, 0.5, "工单", fontfamily="DejaVu Sans")
    with pytest.warns(UserWarning, match="missing from font"):
        fig.savefig(io.BytesIO(), format="png")


def test_chinese_text_is_drawn_with_real_width() -> None:
    """Two hanzi drawn with the shipped font are as wide as two em squares, not boxes."""
    from matplotlib.figure import Figure

    fig = Figure(dpi=100)
    text = fig.text(0, 0, "工单", fontfamily=register_cjk_font(), fontsize=20)
    fig.canvas.draw()
    width = text.get_window_extent().width
    assert width == pytest.approx(2 * 20 * 100 / 72, rel=0.1)


def test_charts_leave_matplotlib_rc_alone() -> None:
    before = dict(matplotlib.rcParams)
    charts.volume_trend(["a"], [1], "en")
    assert dict(matplotlib.rcParams) == before


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="2 labels but 1 values"):
        charts.volume_trend(["a", "b"], [1], "zh-CN")
    with pytest.raises(ValueError, match="unknown chart language 'de'"):
        charts.priority_mix({"P1": 1}, "de")

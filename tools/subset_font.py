"""Build the CJK font shipped for chart labels: Noto Sans CJK SC, subset to GB 2312.

Source: Debian's ``fonts-noto-cjk`` (``apt-get install fonts-noto-cjk``), SIL OFL 1.1.
The subset covers ASCII, Latin-1, general punctuation, CJK symbols and
punctuation, full-width forms and every character of GB 2312 (decoded code point
by code point), so the font stays small (about 3 MB) and matplotlib can use it
on a machine without any CJK font.

Usage: ``python tools/subset_font.py [SOURCE.ttc]``
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FAMILY = "Noto Sans CJK SC"
# A family name of its own, so matplotlib never confuses it with an installed Noto.
SHIPPED_FAMILY = "Noto Sans CJK SC itsskit"
SHIPPED_POSTSCRIPT = "NotoSansCJKsc-itsskit-Regular"
TARGET = Path(__file__).resolve().parents[1] / "src/itsskit/data/fonts/NotoSansCJKsc-Subset.otf"
EXTRA_RANGES = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement (×, ÷, °, ·)
    (0x2000, 0x206F),  # general punctuation (— ‘ ’ “ ” … ‰)
    (0x2190, 0x21FF),  # arrows
    (0x2212, 0x2212),  # minus sign
    (0x2460, 0x24FF),  # enclosed numbers ① ②
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。《》【】)
    (0xFF00, 0xFFEF),  # full-width forms (，：（）％)
)


def gb2312_characters() -> set[str]:
    """Every character GB 2312 encodes (rows 0xA1-0xF7, cells 0xA1-0xFE)."""
    chars: set[str] = set()
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def wanted_codepoints() -> list[int]:
    """GB 2312 plus the extra ranges, sorted."""
    points = {ord(char) for char in gb2312_characters()}
    for low, high in EXTRA_RANGES:
        points.update(range(low, high + 1))
    return sorted(points)


def font_number(source: Path, family: str) -> int:
    """Index of ``family`` in the collection ``source``."""
    for index, font in enumerate(TTCollection(str(source)).fonts):
        if font["name"].getDebugName(1) == family:
            return index
    raise SystemExit(f"{source}: no font named {family!r} in the collection")


def rename(font: TTFont) -> None:
    """Give the subset its own family and PostScript names (name table and CFF)."""
    names = {
        1: SHIPPED_FAMILY,
        3: f"{SHIPPED_POSTSCRIPT};subset",
        4: f"{SHIPPED_FAMILY} Regular",
        6: SHIPPED_POSTSCRIPT,
        16: SHIPPED_FAMILY,
        17: "Regular",
    }
    table = font["name"]
    for record in table.names:
        if record.nameID in names:
            record.string = names[record.nameID]
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [SHIPPED_POSTSCRIPT]
        top = cff.topDictIndex[0]
        top.FamilyName, top.FullName = SHIPPED_FAMILY, f"{SHIPPED_FAMILY} Regular"


def main(argv: list[str]) -> None:
    source = Path(argv[0]) if argv else SOURCE
    options = subset.Options()
    options.font_number = font_number(source, FAMILY)
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.hinting = False
    options.desubroutinize = False
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted_codepoints())
    subsetter.subset(font)
    rename(font)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    subset.save_font(font, str(TARGET), options)
    print(f"{TARGET}: {TARGET.stat().st_size / 1e6:.2f} MB, {len(font.getGlyphOrder())} glyphs")


if __name__ == "__main__":
    main(sys.argv[1:])

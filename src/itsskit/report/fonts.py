"""The CJK font shipped for chart labels (a GB 2312 subset of Noto Sans CJK SC, SIL OFL 1.1).

A fresh machine has no Chinese font; matplotlib would draw empty boxes. The
package carries its own, registered with matplotlib's font manager on first use.
"""

from __future__ import annotations

import functools
from importlib.resources import files
from pathlib import Path

__all__ = ["cjk_font_path", "register_cjk_font"]

FONT_FILE = "NotoSansCJKsc-Subset.otf"


def cjk_font_path() -> Path:
    """Path of the shipped CJK font file (its licence, ``OFL.txt``, lies beside it)."""
    return Path(str(files("itsskit") / "data" / "fonts" / FONT_FILE))


@functools.cache
def register_cjk_font() -> str:
    """Add the shipped font to matplotlib's font manager once; return its family name."""
    path = cjk_font_path()
    from matplotlib import font_manager  # loads with the first chart

    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()

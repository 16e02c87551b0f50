"""Built-in renderer ``pdf``: the HTML report printed to A4 by WeasyPrint.

The HTML renderer's output (the shipped template or the user's, in the same
sandbox, with the same limits) is laid out by WeasyPrint with the CJK font
shipped in ``itsskit/data/fonts``, so Chinese text prints on a machine without
Chinese fonts; charts are the HTML's inline PNGs. WeasyPrint fetches nothing
but ``data:`` URLs and that font: a template cannot make the PDF read a local
file or the network.

WeasyPrint (``pip install 'itsskit[pdf]'``) needs Pango; where either is
missing the renderer raises :class:`PdfUnavailable`, one line naming what to
install. Why WeasyPrint (measured against headless Chromium): ``docs/reports.md``.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from itsskit.builtin.renderers import HtmlRenderer
from itsskit.contracts import Registry, Renderer
from itsskit.hookspecs import hookimpl
from itsskit.models import Report
from itsskit.report.sandbox import TemplateLimits

__all__ = ["INSTALL_HINT", "PdfRenderer", "PdfUnavailable"]

INSTALL_HINT = (
    "the pdf renderer needs WeasyPrint and Pango: pip install 'itsskit[pdf]'"
    " (Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0)"
)
FONT_FILE = "NotoSansCJKsc-Subset.otf"
FONT_FAMILY = "itsskit CJK"


class PdfUnavailable(RuntimeError):
    """The PDF converter (WeasyPrint or its Pango library) is not installed."""


class PdfRenderer(Renderer):
    """A4 PDF of the HTML report (WeasyPrint, shipped CJK font, page numbers)."""

    name = "pdf"
    suffix = ".pdf"
    options_class = TemplateLimits
    options: TemplateLimits

    def render(self, report: Report, *, template: Path | None = None) -> bytes:
        weasyprint = _weasyprint()
        html = HtmlRenderer(self.options).render(report, template=template).decode("utf-8")
        fetcher = _fetcher_class(weasyprint)()
        fonts = weasyprint.text.fonts.FontConfiguration()
        page = weasyprint.CSS(string=print_css(), font_config=fonts, url_fetcher=fetcher)
        document = weasyprint.HTML(string=html, url_fetcher=fetcher, base_url=None)
        pdf: bytes = document.write_pdf(stylesheets=[page], font_config=fonts)
        return pdf


@hookimpl
def register_renderers(registry: Registry[Renderer]) -> None:
    """Register the ``pdf`` renderer."""
    registry.add(PdfRenderer)


def font_path() -> Path:
    """The shipped CJK font (GB 2312 subset of Noto Sans CJK SC, SIL OFL 1.1)."""
    return Path(str(files("itsskit") / "data" / "fonts" / FONT_FILE))


def print_css() -> str:
    """A4 pages with page numbers, every text in the shipped CJK font first."""
    return f"""
@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{font_path().as_uri()}"); }}
@page {{ size: A4; margin: 18mm 16mm 20mm;
  @bottom-center {{ content: counter(page) " / " counter(pages);
    font-family: "{FONT_FAMILY}", sans-serif; font-size: 9pt; color: #5f6b7a; }} }}
html, body, h1, h2, h3, p, th, td, li, a, figcaption {{
  font-family: "{FONT_FAMILY}", sans-serif !important; }}
"""


def _weasyprint() -> Any:
    """The ``weasyprint`` module, or :class:`PdfUnavailable` saying what to install."""
    try:
        import weasyprint
        import weasyprint.text.fonts
    except (ImportError, OSError) as exc:  # OSError: Pango's shared library is missing
        raise PdfUnavailable(f"{INSTALL_HINT}; {type(exc).__name__}: {exc}") from None
    return weasyprint


def _fetcher_class(weasyprint: Any) -> type[Any]:
    """A WeasyPrint URL fetcher allowing ``data:`` URLs and the shipped font only."""
    allowed_font = font_path().as_uri()

    class BoxedFetcher(weasyprint.urls.URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:") or url == allowed_font:
                return super().fetch(url, headers)
            raise ValueError(f"the pdf renderer loads no outside resource ({url[:80]})")

    return BoxedFetcher

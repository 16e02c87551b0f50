"""Report charts drawn with matplotlib, returned as PNG bytes.

Each function builds its own :class:`matplotlib.figure.Figure` (no pyplot, no
global state), labels it in ``language`` ("zh-CN" or "en") with the shipped CJK
font, and returns a PNG sized for an A4 page width (16 cm at 150 dpi).
Ratios (attainment, availability) are fractions in [0, 1], shown as percents.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from itsskit.report.fonts import register_cjk_font
from itsskit.wording import LANGUAGES, TEXTS

if TYPE_CHECKING:  # matplotlib loads when a chart is drawn, not on import
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

__all__ = [
    "attainment_trend",
    "availability_by_service",
    "indicator_trend",
    "priority_mix",
    "volume_trend",
]

DPI = 150
WIDTH_IN = 6.3  # 16 cm, the text width of an A4 page with 2.5 cm margins
BLUE = "#2f6db5"
RED = "#c0392b"
GREY = "#7f8c8d"


def volume_trend(
    labels: Sequence[str], values: Sequence[int], language: str = "zh-CN", *, title: str = ""
) -> bytes:
    """Bar chart of ticket counts per period (e.g. the last six months)."""
    texts = _texts(language)
    _require_same_length(labels, values)
    fig, ax = _figure(3.2)
    _count_bars(ax, labels, values, 0.6, texts["count"])
    return _finish(fig, ax, title or texts["volume"])


def attainment_trend(
    labels: Sequence[str],
    values: Sequence[float | None],
    target: float | None,
    language: str = "zh-CN",
    *,
    title: str = "",
) -> bytes:
    """Line of a ratio per period with its target as a dashed line; None is a gap."""
    texts = _texts(language)
    _require_same_length(labels, values)
    points = [math.nan if value is None else value for value in values]
    fig, ax = _figure(3.2)
    ax.plot(range(len(points)), points, color=BLUE, marker="o", label=texts["actual"])
    known = [value for value in points if not math.isnan(value)]
    if target is not None:
        ax.axhline(
            target,
            color=RED,
            linestyle="--",
            linewidth=1.2,
            label=f"{texts['target']} {target:.1%}",
        )
        known.append(target)
    _category_ticks(ax, labels, "x")
    _percent_limits(ax, known, "y")
    _legend(fig)
    return _finish(fig, ax, title or texts["attainment"])


def priority_mix(counts: Mapping[str, int], language: str = "zh-CN", *, title: str = "") -> bytes:
    """Bar chart of ticket counts by priority, in the mapping's order."""
    texts = _texts(language)
    fig, ax = _figure(3.0)
    _count_bars(ax, list(counts), list(counts.values()), 0.5, texts["count"])
    return _finish(fig, ax, title or texts["priorities"])


def availability_by_service(
    names: Sequence[str],
    values: Sequence[float],
    target: float | None,
    language: str = "zh-CN",
    *,
    title: str = "",
) -> bytes:
    """Horizontal bars of availability per service, red below ``target``."""
    texts = _texts(language)
    _require_same_length(names, values)
    fig, ax = _figure(max(2.2, 0.9 + 0.45 * len(names)))
    colors = [RED if target is not None and value < target else BLUE for value in values]
    positions = range(len(values))
    bars = ax.barh(positions, values, color=colors, height=0.5)
    ax.bar_label(
        bars,
        labels=[f"{value:.2%}" for value in values],
        fontfamily=register_cjk_font(),
        fontsize=8,
        padding=3,
    )
    known = list(values)
    if target is not None:
        ax.axvline(
            target,
            color=GREY,
            linestyle="--",
            linewidth=1.2,
            label=f"{texts['target']} {target:.2%}",
        )
        _legend(fig)
        known.append(target)
    _category_ticks(ax, names, "y")
    ax.invert_yaxis()
    _percent_limits(ax, known, "x")
    return _finish(fig, ax, title or texts["availability"])


def indicator_trend(
    labels: Sequence[str],
    values: Sequence[float | None],
    target: float | None,
    unit: str,
    language: str = "zh-CN",
    *,
    title: str = "",
) -> bytes:
    """An indicator per period against its target; None (no data) is a gap.

    Ratios are drawn as :func:`attainment_trend`; scores, counts and seconds
    (shown in hours) on a plain axis from zero.
    """
    if unit == "ratio":
        return attainment_trend(labels, values, target, language, title=title)
    texts = _texts(language)
    _require_same_length(labels, values)
    scale = 3600.0 if unit == "seconds" else 1.0
    points = [math.nan if value is None else value / scale for value in values]
    fig, ax = _figure(3.2)
    ax.plot(range(len(points)), points, color=BLUE, marker="o", label=texts["actual"])
    if target is not None:
        ax.axhline(target / scale, color=RED, linestyle="--", linewidth=1.2,
                   label=f"{texts['target']} {target / scale:g}")  # fmt: skip
    _category_ticks(ax, labels, "x")
    ax.set_ylim(bottom=0)
    if unit == "seconds":
        ax.set_ylabel(texts["hours"], fontfamily=register_cjk_font())
    _legend(fig)
    return _finish(fig, ax, title or texts["indicator"])


# ----------------------------------------------------------------------- helpers


def _texts(language: str) -> Mapping[str, str]:
    """The chart phrases of ``language``, keyed without their ``plot.`` prefix."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown chart language {language!r} (known: zh-CN, en)")
    phrases = TEXTS[language]
    return {key[len("plot.") :]: phrases[key] for key in phrases if key.startswith("plot.")}


def _require_same_length(labels: Sequence[object], values: Sequence[object]) -> None:
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels but {len(values)} values; they must pair up")


def _integer_locator() -> MaxNLocator:
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def _figure(height_in: float) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelfontfamily=register_cjk_font(), labelsize=8)
    return fig, ax


def _count_bars(
    ax: Axes, labels: Sequence[str], counts: Sequence[int], width: float, axis_label: str
) -> None:
    """Labelled vertical bars of whole counts, one per category."""
    bars = ax.bar(range(len(counts)), counts, color=BLUE, width=width)
    ax.bar_label(bars, fontfamily=register_cjk_font(), fontsize=8)
    _category_ticks(ax, labels, "x")
    ax.yaxis.set_major_locator(_integer_locator())
    ax.set_ylabel(axis_label, fontfamily=register_cjk_font())


def _category_ticks(ax: Axes, labels: Sequence[str], axis: str) -> None:
    family = register_cjk_font()
    if axis == "x":
        ax.set_xticks(range(len(labels)), labels, fontfamily=family)
    else:
        ax.set_yticks(range(len(labels)), labels, fontfamily=family)


def _percent_limits(ax: Axes, known: Sequence[float], axis: str) -> None:
    """Percent ticks, from a little below the lowest value up to 100 %."""
    low = min(known, default=0.0)
    bottom = max(0.0, low - max(0.02, (1.0 - low) * 0.5))
    span = 1.0 - bottom
    decimals = 2 if span < 0.05 else 1 if span < 0.5 else 0
    from matplotlib.ticker import FuncFormatter

    formatter = FuncFormatter(lambda v, _pos: "" if v > 1.0 + 1e-9 else f"{v:.{decimals}%}")
    if axis == "x":
        ax.set_xlim(bottom, 1.0 + span * 0.15)  # room for the value labels
        ax.xaxis.set_major_formatter(formatter)
    else:
        ax.set_ylim(bottom, 1.0 + span * 0.05)
        ax.yaxis.set_major_formatter(formatter)


def _legend(fig: Figure) -> None:
    """Legend above the plot, right-aligned, where it never hides data."""
    fig.legend(
        loc="outside upper right",
        ncols=2,
        frameon=False,
        prop={"family": register_cjk_font(), "size": 8},
    )


def _finish(fig: Figure, ax: Axes, title: str) -> bytes:
    ax.set_title(title, fontfamily=register_cjk_font(), fontsize=11)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()

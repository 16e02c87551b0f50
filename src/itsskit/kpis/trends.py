"""Trends of a KPI over periods (SPEC §4 "Trends"): change and least-squares slope.

Seed 001 asks reviews to analyse trends (依据报告内容进行趋势分析); seed 0601 §5.3
to summarise "实现要求的程度、趋势".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from itsskit.kpis.results import KpiResult

__all__ = ["Trend", "change", "slope", "trend", "values_of"]

Value = KpiResult | float | None


def _value(item: Value) -> float | None:
    return item.value if isinstance(item, KpiResult) else item


def change(current: Value, previous: Value) -> float | None:
    """``current − previous``; None when either is not applicable."""
    now, before = _value(current), _value(previous)
    return None if now is None or before is None else now - before


def slope(values: Sequence[Value]) -> float | None:
    """Least-squares slope per period of ``values`` (oldest first).

    Period ``i`` sits at x = i; not-applicable values are skipped (their
    periods keep their place). None with fewer than 2 values.
    """
    points = [(x, y) for x, item in enumerate(values) if (y := _value(item)) is not None]
    if len(points) < 2:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in points)
    variance = sum((x - mean_x) ** 2 for x, _ in points)
    return covariance / variance


@attrs.frozen(kw_only=True)
class Trend:
    """Change against the previous period and slope over the last N periods."""

    name: str
    values: tuple[float | None, ...]
    change: float | None
    slope: float | None


def values_of(name: str, bundles: Sequence[Mapping[str, KpiResult]]) -> list[float | None]:
    """The values of KPI ``name`` in each bundle (None when missing or not applicable)."""
    return [bundle[name].value if name in bundle else None for bundle in bundles]


def trend(name: str, bundles: Sequence[Mapping[str, KpiResult]]) -> Trend:
    """Trend of KPI ``name`` over bundles of consecutive periods, oldest first."""
    values = values_of(name, bundles)
    previous = values[-2] if len(values) >= 2 else None
    current = values[-1] if values else None
    return Trend(
        name=name, values=tuple(values), change=change(current, previous), slope=slope(values)
    )

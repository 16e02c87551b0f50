"""The KPI result record and its status against a target (SPEC §4, "Trends").

Every KPI function returns a :class:`KpiResult`. ``value`` is ``None`` when the
KPI is *not applicable* (a rate or mean over an empty set): it is never 0 or
100 %. Where it makes sense ``value == numerator / denominator``, so results of
several projects pool as ``Σ numerator / Σ denominator``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs

from itsskit.durations import format_duration
from itsskit.models import deep_frozen

__all__ = [
    "DEFAULT_MARGIN",
    "Comparison",
    "KpiResult",
    "Status",
    "Unit",
    "format_percent",
    "format_value",
    "make_result",
    "ratio",
    "ratio_result",
    "status_for",
]

Comparison = Literal[">=", "<="]
Status = Literal["met", "at_risk", "missed", "not_applicable", "no_target"]
Unit = Literal["ratio", "seconds", "count", "score"]

#: Default at-risk margin (absolute) for ratio KPIs: 0.02 = 2 percentage points.
DEFAULT_MARGIN = 0.02


def _optional_float(value: float | None) -> float | None:
    return None if value is None else float(value)


def _plain_mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    frozen: Mapping[str, Any] = deep_frozen(value or {})
    return frozen


@attrs.frozen(kw_only=True)
class KpiResult:
    """One KPI figure for one period, ready for reports and JSON.

    ``details`` holds JSON-ready data only (str, int, float, None, lists and
    dicts), e.g. a per-priority breakdown or the list of open breaches.
    """

    name: str
    value: float | None = attrs.field(converter=_optional_float)
    target: float | None = attrs.field(default=None, converter=_optional_float)
    comparison: Comparison = attrs.field(default=">=", validator=attrs.validators.in_((">=", "<=")))
    status: Status = attrs.field(
        default="no_target",
        validator=attrs.validators.in_(("met", "at_risk", "missed", "not_applicable", "no_target")),
    )
    numerator: float | None = attrs.field(default=None, converter=_optional_float)
    denominator: float | None = attrs.field(default=None, converter=_optional_float)
    unit: Unit = attrs.field(
        default="ratio", validator=attrs.validators.in_(("ratio", "seconds", "count", "score"))
    )
    details: Mapping[str, Any] = attrs.field(factory=dict, converter=_plain_mapping)

    @property
    def applicable(self) -> bool:
        """False when the KPI has no value for the period (empty set)."""
        return self.value is not None


def ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator``, or None (not applicable) when the denominator is 0."""
    return numerator / denominator if denominator else None


def ratio_result(name: str, numerator: float, denominator: float, **options: Any) -> KpiResult:
    """:func:`make_result` for a KPI that is ``numerator / denominator`` (None when it is 0)."""
    return make_result(
        name, ratio(numerator, denominator), numerator=numerator, denominator=denominator, **options
    )


def status_for(
    value: float | None,
    target: float | None,
    comparison: Comparison = ">=",
    margin: float = 0.0,
) -> Status:
    """The status of ``value`` against ``target``.

    For ``>=``: missed when ``value < target``; at risk when
    ``target <= value < target + margin``; met otherwise. ``<=`` mirrors it
    (at risk when ``target - margin < value <= target``). A margin of 0 never
    gives "at risk". No value: ``not_applicable``; no target: ``no_target``.
    """
    if value is None:
        return "not_applicable"
    if target is None:
        return "no_target"
    if comparison == ">=":
        if value < target:
            return "missed"
        return "at_risk" if value < target + margin else "met"
    if value > target:
        return "missed"
    return "at_risk" if value > target - margin else "met"


def make_result(
    name: str,
    value: float | None,
    *,
    unit: Unit = "ratio",
    target: float | None = None,
    comparison: Comparison = ">=",
    margin: float = 0.0,
    numerator: float | None = None,
    denominator: float | None = None,
    details: Mapping[str, Any] | None = None,
) -> KpiResult:
    """Build a :class:`KpiResult`, deriving its status from value, target and margin."""
    return KpiResult(
        name=name,
        value=value,
        target=target,
        comparison=comparison,
        status=status_for(value, target, comparison, margin),
        numerator=numerator,
        denominator=denominator,
        unit=unit,
        details=details,
    )


def format_percent(fraction: float) -> str:
    """A fraction as a percent with two decimals, the one percent format: ``0.955 -> "95.50%"``."""
    return f"{fraction * 100:.2f}%"


def format_value(result: KpiResult, not_applicable: str = "n/a") -> str:
    """Plain text for a value: ratios as % (:func:`format_percent`), seconds as ``1h30m``, ``n/a`` when None."""
    if result.value is None:
        return not_applicable
    if result.unit == "ratio":
        return format_percent(result.value)
    if result.unit == "seconds":
        return format_duration(round(result.value))
    if result.unit == "count":
        return f"{result.value:g}"
    return f"{result.value:.2f}"

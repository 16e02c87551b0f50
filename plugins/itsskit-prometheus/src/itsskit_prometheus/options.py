"""The options of a ``[sources.NAME]`` table with ``plugin = "prometheus"``.

Structured by itsskit's strict converter, so a misspelt key is an error naming it.
Durations are Prometheus-style text: ``"30s"``, ``"1m"``, ``"1h30m"``, ``"7d"``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import attrs
from itsskit.models import aware

__all__ = ["PrometheusOptions", "QueryOptions", "parse_span"]

_SPAN_PART = re.compile(r"(\d+)([wdhms])")
_SPAN_UNITS = {"w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1}


def parse_span(text: str) -> int:
    """Whole seconds in a duration such as ``"1m"``, ``"1h30m"`` or ``"7d"`` (units w d h m s).

    Raises ``ValueError`` naming the text and what was expected.
    """
    compact = text.strip()
    parts = _SPAN_PART.findall(compact)
    units = [unit for _, unit in parts]
    if not compact or _SPAN_PART.sub("", compact) or units != sorted(set(units), key="wdhms".index):
        raise ValueError(
            f'{text!r}: expected a duration like "30s", "1m", "1h30m" or "7d" '
            "(units w, d, h, m, s, each once, largest first)"
        )
    return sum(int(number) * _SPAN_UNITS[unit] for number, unit in parts)


def _span(minimum: int) -> Any:
    def check(_instance: object, attribute: attrs.Attribute[Any], text: str) -> None:
        try:
            seconds = parse_span(text)
        except ValueError as error:
            raise ValueError(f"{attribute.name} {error}") from None
        if seconds < minimum:
            raise ValueError(f"{attribute.name} {text!r} must be at least {minimum}s")

    return check


def _url(_instance: object, attribute: attrs.Attribute[Any], text: str) -> None:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{attribute.name} must be a URL like http://127.0.0.1:9090, got {text!r}")
    if parts.username or parts.password:
        raise ValueError(
            f"{attribute.name} must not hold credentials; use username/password_env or token_env"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"{attribute.name} must not have a query or fragment, got {text!r}")


def _at_least(minimum: float) -> Any:
    def check(_instance: object, attribute: attrs.Attribute[Any], number: float) -> None:
        if number < minimum:
            raise ValueError(f"{attribute.name} must be >= {minimum}, got {number}")

    return check


_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


def _label_template(_instance: object, attribute: attrs.Attribute[Any], text: str) -> None:
    """Only ``{label_name}`` fields: no positions, attributes, conversions or format specs."""
    expected = (
        f'{attribute.name} must hold label names in braces, like "{{alertname}} on {{instance}}"'
    )
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError as error:
        raise ValueError(f"{expected}: {error}") from None
    for _, field, spec, conversion in fields:
        if field is not None and (not _LABEL_NAME.fullmatch(field) or spec or conversion):
            raise ValueError(f"{expected}, got {text!r}")


@attrs.frozen(kw_only=True)
class QueryOptions:
    """One ``[sources.NAME.queries.QUERY]`` table: an expression and the service it measures.

    Every sample ``expr`` returns is *firing* (as in an alerting rule), so write
    ``up{job="erp"} == 0``, not ``up{job="erp"}``. The service is ``service``
    for every series, or the value of the series' ``service_label``, renamed
    through ``service_map`` when one is given (a value missing from a non-empty
    map is a data-quality finding). ``cause`` is a template of label names
    (``"{alertname} on {instance}"``; a missing label is empty); by default the
    ``alertname`` label, else the series itself. With ``planned = true`` every
    outage of this query is planned maintenance.
    """

    expr: str = attrs.field(validator=attrs.validators.min_len(1))
    service: str = ""
    service_label: str = ""
    service_map: Mapping[str, str] = attrs.field(factory=dict)
    cause: str = attrs.field(default="", validator=_label_template)
    planned: bool = False

    def __attrs_post_init__(self) -> None:
        if bool(self.service) == bool(self.service_label):
            raise ValueError(
                "set exactly one of service (a fixed service id) and service_label "
                "(the label whose value names the service)"
            )
        if self.service_map and not self.service_label:
            raise ValueError("service_map needs service_label")


def _some_queries(
    _instance: object, attribute: attrs.Attribute[Any], queries: Mapping[str, QueryOptions]
) -> None:
    if not queries:
        raise ValueError(
            f"{attribute.name}: expected at least one [sources.NAME.{attribute.name}.QUERY] table"
        )


@attrs.frozen(kw_only=True)
class PrometheusOptions:
    """Options of a ``[sources.NAME]`` table with ``plugin = "prometheus"``.

    The range read is the host's window (the KPI or report period) widened by
    ``lookback`` before it; when the host gives no window, ``[start, end)``
    (default: the 30 days before now). Secrets are never in the config:
    ``password_env`` / ``token_env`` name the environment variables holding them.
    """

    url: str = attrs.field(validator=_url)
    queries: Mapping[str, QueryOptions] = attrs.field(validator=_some_queries)
    step: str = attrs.field(default="1m", validator=_span(1))
    lookback: str = attrs.field(default="7d", validator=_span(0))
    start: datetime | None = attrs.field(default=None, validator=aware)
    end: datetime | None = attrs.field(default=None, validator=aware)
    planned_label: str = "planned"
    planned_values: tuple[str, ...] = ("true",)
    max_points: int = attrs.field(default=11_000, validator=_at_least(2))
    auth: str = attrs.field(
        default="none", validator=attrs.validators.in_(("none", "basic", "bearer"))
    )
    username: str = ""
    password_env: str = "PROMETHEUS_PASSWORD"
    token_env: str = "PROMETHEUS_TOKEN"
    ca_file: str = ""
    insecure: bool = False
    timeout: float = attrs.field(default=30.0, validator=_at_least(0.001))
    max_retries: int = attrs.field(default=3, validator=_at_least(0))
    backoff: float = attrs.field(default=0.5, validator=_at_least(0))

    def __attrs_post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError(f"end {self.end.isoformat()} must be after start")
        if self.auth == "basic" and not self.username:
            raise ValueError("auth = 'basic' needs username (and the password in $password_env)")

    @property
    def step_seconds(self) -> int:
        """The step in seconds."""
        return parse_span(self.step)

    @property
    def lookback_seconds(self) -> int:
        """The lookback in seconds."""
        return parse_span(self.lookback)

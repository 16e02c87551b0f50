"""Options of a ``[sources.NAME]`` table with ``plugin = "redmine"``.

Structured by the host from the user's TOML with ``forbid_extra_keys``, so a
misspelt key is a config error naming it. Status, tracker and priority names
are Redmine's (as its API reports them), compared without regard to case.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
from itsskit.models import TicketKind

__all__ = ["DEFAULT_PRIORITIES", "ProjectScope", "RedmineOptions", "parse_instant"]

#: Redmine's default priorities (``redmine:load_default_data``) on P1-P4.
DEFAULT_PRIORITIES: Mapping[str, str] = {
    "Immediate": "P1",
    "Urgent": "P1",
    "High": "P2",
    "Normal": "P3",
    "Low": "P4",
}
WINDOW_FIELDS = ("updated_on", "created_on")
KINDS = tuple(kind.value for kind in TicketKind)


def _url(_instance: object, attribute: attrs.Attribute[Any], text: str) -> None:
    if not text.startswith(("https://", "http://")):
        raise ValueError(
            f"{attribute.name} must be a URL like https://redmine.example.com, got {text!r}"
        )


def _zone(_instance: object, attribute: attrs.Attribute[Any], name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{attribute.name} {name!r} is not an IANA time zone") from None


def _instant(_instance: object, attribute: attrs.Attribute[Any], text: str) -> None:
    if text:
        parse_instant(text, ZoneInfo("UTC"), what=attribute.name)


def _page_size(_instance: object, attribute: attrs.Attribute[Any], number: int) -> None:
    if not 1 <= number <= 100:
        raise ValueError(f"{attribute.name} must be 1..100 (Redmine's limit), got {number}")


def _non_negative(_instance: object, attribute: attrs.Attribute[Any], number: float) -> None:
    if number < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {number}")


def _positive(_instance: object, attribute: attrs.Attribute[Any], number: float) -> None:
    if number <= 0:
        raise ValueError(f"{attribute.name} must be > 0, got {number}")


def _kinds(_instance: object, attribute: attrs.Attribute[Any], trackers: Mapping[str, str]) -> None:
    for tracker, kind in trackers.items():
        if kind not in KINDS:
            raise ValueError(
                f"{attribute.name}.{tracker} must be one of {', '.join(KINDS)}, got {kind!r}"
            )


def _priorities(
    _instance: object, attribute: attrs.Attribute[Any], priorities: Mapping[str, str]
) -> None:
    for name, code in priorities.items():
        if not (code[:1] == "P" and code[1:].isdigit() and code != "P0"):
            raise ValueError(f"{attribute.name}.{name} must be P1, P2 ..., got {code!r}")


def parse_instant(text: str, zone: ZoneInfo, *, what: str) -> datetime:
    """``2025-10-01`` (midnight) or an ISO 8601 time; naive times are in ``zone``."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{what} must be a date or time like 2025-10-01 or 2025-10-01T09:00:00+08:00, "
            f"got {text!r}"
        ) from None
    if len(text) == 10:
        parsed = datetime.combine(date.fromisoformat(text), datetime.min.time())
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)


@attrs.frozen(kw_only=True)
class ProjectScope:
    """A ``[sources.NAME.projects.IDENTIFIER]`` table: one Redmine project's issues.

    ``project``/``service`` are the itsskit ids its tickets get; ``filters`` are
    more ``/issues.json`` parameters (``tracker_id``, ``query_id``,
    ``subproject_id = "!*"``, ``cf_5 = "x"`` ...), over the source's own.
    """

    project: str | None = None
    service: str | None = None
    filters: dict[str, str] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class RedmineOptions:
    """Everything a Redmine source can be told; secrets come from the environment."""

    url: str = attrs.field(validator=_url)
    api_key_env: str = "REDMINE_API_KEY"
    projects: dict[str, ProjectScope] = attrs.field(factory=dict)
    filters: dict[str, str] = attrs.field(factory=dict)
    window: str = attrs.field(default="updated_on", validator=attrs.validators.in_(WINDOW_FIELDS))
    since: str = attrs.field(default="", validator=_instant)
    until: str = attrs.field(default="", validator=_instant)
    trackers: dict[str, str] = attrs.field(factory=dict, validator=_kinds)
    priorities: dict[str, str] = attrs.field(
        factory=lambda: dict(DEFAULT_PRIORITIES), validator=_priorities
    )
    resolved_statuses: tuple[str, ...] = ("Resolved", "Closed", "Rejected")
    first_response_statuses: tuple[str, ...] = ()
    statuses: dict[str, str] = attrs.field(factory=dict)
    service_field: str = ""
    major_field: str = ""
    id_prefix: str = ""
    timezone: str = attrs.field(default="Asia/Shanghai", validator=_zone)
    page_size: int = attrs.field(default=100, validator=_page_size)
    max_retries: int = attrs.field(default=5, validator=_non_negative)
    backoff: float = attrs.field(default=0.5, validator=_non_negative)
    max_retry_after: int = attrs.field(default=120, validator=_non_negative)
    timeout: float = attrs.field(default=30, validator=_positive)

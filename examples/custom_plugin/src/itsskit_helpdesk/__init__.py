"""An itsskit plugin: tickets from a helpdesk's JSON export (``plugin = "helpdesk-json"``).

The export looks like::

    {"tickets": [{"number": "HD-1", "urgency": "high", "created": "2025-11-03 09:00",
                  "first_reply": "2025-11-03 09:10", "solved": "2025-11-03 11:00",
                  "status_log": [{"at": "2025-11-03 09:30", "status": "Waiting on customer"}]}]}

Urgencies map to priorities (urgent P1, high P2, normal P3, low P4); times
without an offset are in the source's ``timezone``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import attrs

import itsskit
from itsskit.contracts import Record, Registry, Source
from itsskit.models import DataQualityFinding, StatusChange, Ticket
from itsskit.records import SourceError

__all__ = ["HelpdeskOptions", "HelpdeskSource", "register_ticket_sources"]

PRIORITIES = {"urgent": "P1", "high": "P2", "normal": "P3", "low": "P4"}


@attrs.frozen(kw_only=True)
class HelpdeskOptions:
    """The ``[sources.NAME]`` keys this source accepts (a misspelt key is a config error)."""

    path: str
    timezone: str = "Asia/Shanghai"


class HelpdeskSource(Source):
    """Reads ``{"tickets": [...]}`` exported by the helpdesk."""

    name = "helpdesk-json"
    kinds = ("tickets",)
    options_class = HelpdeskOptions
    options: HelpdeskOptions

    def read(self) -> Iterator[Record | DataQualityFinding]:
        path = self.context.resolve(self.options.path)
        try:
            export = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SourceError(f"helpdesk export {path}: cannot be read ({exc})") from None
        zone = ZoneInfo(self.options.timezone)
        for number, item in enumerate(export.get("tickets", []), start=1):
            try:
                yield _ticket(item, zone)
            except (KeyError, TypeError, ValueError) as exc:
                reason = f"expected a ticket with number, urgency and created: {exc!r}"
                ticket_id = item.get("number") if isinstance(item, Mapping) else None
                yield DataQualityFinding(record_id=ticket_id, reason=reason, row=number)


def _ticket(item: Mapping[str, Any], zone: ZoneInfo) -> Ticket:
    return Ticket(
        id=str(item["number"]),
        priority=PRIORITIES[item["urgency"]],
        opened=_time(item["created"], zone),
        first_response=_optional_time(item.get("first_reply"), zone),
        resolved=_optional_time(item.get("solved"), zone),
        history=tuple(
            StatusChange(at=_time(entry["at"], zone), status=entry["status"])
            for entry in item.get("status_log", [])
        ),
    )


def _time(text: str, zone: ZoneInfo) -> datetime:
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _optional_time(text: str | None, zone: ZoneInfo) -> datetime | None:
    return _time(text, zone) if text else None


@itsskit.hookimpl
def register_ticket_sources(registry: Registry[Source]) -> None:
    """Make ``plugin = "helpdesk-json"`` available for ``kind = "tickets"``."""
    registry.add(HelpdeskSource)

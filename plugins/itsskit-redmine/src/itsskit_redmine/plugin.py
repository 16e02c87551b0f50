"""The ``redmine`` ticket source and its registration hook.

Configure it in the itsskit TOML file::

    [sources.redmine]
    plugin = "redmine"
    kind = "tickets"
    url = "https://redmine.example.com"
    api_key_env = "REDMINE_API_KEY"
    since = "2025-10-01"

    [sources.redmine.projects.erp-support]
    project = "dianchi"
    service = "erp"
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from itsskit.contracts import Source, SourceContext, SourceRegistry
from itsskit.hookspecs import hookimpl
from itsskit.models import DataQualityFinding, Ticket

from itsskit_redmine.client import Json, RedmineClient, RedmineError, RequestFailed
from itsskit_redmine.convert import Lookups, RecordError, to_ticket
from itsskit_redmine.options import ProjectScope, RedmineOptions, parse_instant

__all__ = ["RedmineSource", "register_sources"]

#: How Redmine's filters take a time.
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
#: Per-issue replies that make one issue a finding rather than stop the source.
ISSUE_GONE = (403, 404)


class RedmineSource(Source):
    """Issues of a Redmine server, with their journals, as tickets."""

    name: ClassVar[str] = "redmine"
    kinds: ClassVar[tuple[str, ...]] = ("tickets",)
    options_class: ClassVar[type[Any]] = RedmineOptions

    def __init__(self, options: RedmineOptions, context: SourceContext) -> None:
        super().__init__(options, context)
        self.zone = ZoneInfo(options.timezone)

    def read(self) -> Iterator[Ticket | DataQualityFinding]:
        """Yield one ticket (or finding) per issue, project by project, in id order."""
        seen: set[str] = set()
        row = 0
        with self.connect() as client:
            if self.options.api_key_env:
                client.get("/users/current.json")  # a wrong key would read as anonymous
            lookups = self._lookups(client)
            for identifier, scope in self.scopes():
                for page in client.pages(
                    "/issues.json",
                    "issues",
                    self.list_params(identifier, scope),
                    page_size=self.options.page_size,
                ):
                    for summary in page:
                        row += 1
                        key = str(summary.get("id"))
                        if key in seen or not self._wanted(summary):
                            continue
                        seen.add(key)
                        yield self._issue(client, summary, lookups, scope, row)

    def connect(self) -> RedmineClient:
        """A client for the server with the API key and the configured retries."""
        options = self.options
        return RedmineClient(
            options.url,
            self._api_key(),
            max_retries=options.max_retries,
            backoff=options.backoff,
            max_retry_after=options.max_retry_after,
            timeout=options.timeout,
        )

    def scopes(self) -> list[tuple[str | None, ProjectScope]]:
        """``(project identifier, scope)`` pairs; all projects when none is configured."""
        if not self.options.projects:
            return [(None, ProjectScope())]
        return sorted(self.options.projects.items())

    def list_params(self, identifier: str | None, scope: ProjectScope) -> dict[str, str]:
        """``/issues.json`` parameters: every status, the window, the filters, by id."""
        params = {"status_id": "*", "sort": "id", **self.options.filters, **scope.filters}
        if identifier is not None:
            params["project_id"] = identifier
        window = self._window()
        if window:
            params[self.options.window] = window
        return params

    def _window(self) -> str:
        """``><from|to``, ``>=from`` or ``<=to`` in UTC, as Redmine's filters take them."""
        since = self._utc(self.options.since, "since")
        until = self._utc(self.options.until, "until")
        if since and until:
            return f"><{since}|{until}"
        return f">={since}" if since else (f"<={until}" if until else "")

    def _utc(self, text: str, option: str) -> str:
        """A window bound as ``YYYY-MM-DDTHH:MM:SSZ`` (``""`` stays ``""``)."""
        if not text:
            return ""
        return parse_instant(text, self.zone, what=option).astimezone(UTC).strftime(TIME_FORMAT)

    def _wanted(self, summary: Json) -> bool:
        """False for issues of trackers the ``trackers`` option leaves out."""
        trackers = self.options.trackers
        if not trackers:
            return True
        tracker = summary.get("tracker")
        name = str(tracker.get("name", "")) if isinstance(tracker, dict) else ""
        return name.strip().casefold() in {t.strip().casefold() for t in trackers}

    def _issue(
        self, client: RedmineClient, summary: Json, lookups: Lookups, scope: ProjectScope, row: int
    ) -> Ticket | DataQualityFinding:
        record_id = f"{self.options.id_prefix}{summary.get('id')}"
        label = f"redmine issue #{summary.get('id')}"
        try:
            reply = client.get(f"/issues/{summary.get('id')}.json", {"include": "journals"})
        except RequestFailed as error:
            if error.status not in ISSUE_GONE:
                raise
            return self._finding(record_id, f"{label}: {error}", row)
        issue = reply.get("issue")
        if not isinstance(issue, dict):
            return self._finding(record_id, f"{label}: reply has no 'issue' object", row)
        try:
            return to_ticket(issue, lookups, self.options, scope, self.zone)
        except (RecordError, ValueError) as error:
            return self._finding(record_id, f"{label}: {error}", row)

    def _lookups(self, client: RedmineClient) -> Lookups:
        statuses = client.get("/issue_statuses.json").get("issue_statuses")
        priorities = client.get("/enumerations/issue_priorities.json").get("issue_priorities")
        if not isinstance(statuses, list) or not isinstance(priorities, list):
            raise RedmineError(
                f"redmine {self.options.url}: /issue_statuses.json or "
                "/enumerations/issue_priorities.json did not list statuses and priorities"
            )
        try:
            return Lookups.from_api(statuses, priorities)
        except (KeyError, TypeError):
            raise RedmineError(
                f"redmine {self.options.url}: a status or priority has no id or name"
            ) from None

    def _api_key(self) -> str:
        variable = self.options.api_key_env
        if not variable:
            return ""  # anonymous: a public Redmine
        key = os.environ.get(variable, "")
        if not key:
            raise RedmineError(
                f"redmine source {self.context.name!r}: environment variable {variable!r} "
                "(option 'api_key_env') is not set; it must hold the API key"
            )
        return key

    def _finding(self, record_id: str, reason: str, row: int) -> DataQualityFinding:
        return DataQualityFinding(
            record_id=record_id, reason=reason, source=self.context.name, row=row
        )


@hookimpl
def register_sources(registry: SourceRegistry) -> None:
    """Register :class:`RedmineSource` as ``plugin = "redmine"``."""
    registry.add(RedmineSource)

"""The ``jira`` ticket source and its registration hook.

Configure it in the itsskit TOML file::

    [sources.jsm]
    plugin = "jira"
    kind = "tickets"
    url = "https://example.atlassian.net"
    deployment = "cloud"                  # or "datacenter"
    projects = ["ITSM"]
    jql = "created >= 2024-01-01"
    email = "reader@example.com"
    token_env = "JIRA_API_TOKEN"          # the NAME of the variable, never the token
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
from itsskit.contracts import Source, SourceContext, SourceRegistry
from itsskit.hookspecs import hookimpl
from itsskit.models import DataQualityFinding, Ticket, TicketKind

from itsskit_jira.client import JiraClient, JiraError, Json, basic_auth, bearer_auth
from itsskit_jira.convert import (
    DEFAULT_PRIORITIES,
    Comment,
    RecordError,
    Rules,
    comment_from,
    field_changes,
    first_agent_comment,
    request_type_of,
    to_ticket,
    user_ids,
)

__all__ = ["JiraOptions", "JiraSource", "register_sources"]

#: System fields every search asks for.
SYSTEM_FIELDS = (
    "status",
    "priority",
    "created",
    "resolutiondate",
    "resolution",
    "issuetype",
    "reporter",
    "project",
)
#: Schema types (``schema.custom``) of the JSM fields found without configuration.
REQUEST_TYPE_SCHEMA = "com.atlassian.servicedesk:vp-origin"
SLA_SCHEMA = "com.atlassian.servicedesk:sd-sla-field"
REQUEST_TYPE_NAMES = ("Customer Request Type", "Request Type")
SLOT_TARGETS = ("service", "category", "channel")


def _url(_instance: object, attribute: attrs.Attribute[Any], text: str) -> None:
    if not text.startswith(("https://", "http://")):
        raise ValueError(
            f"{attribute.name} must be a URL like https://example.atlassian.net, got {text!r}"
        )


def _zone(_instance: object, attribute: attrs.Attribute[Any], name: str) -> None:
    if not name:
        return
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{attribute.name} {name!r} is not an IANA time zone") from None


def _positive(_instance: object, attribute: attrs.Attribute[Any], number: float) -> None:
    if number <= 0:
        raise ValueError(f"{attribute.name} must be > 0, got {number}")


def _non_negative(_instance: object, attribute: attrs.Attribute[Any], number: float) -> None:
    if number < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {number}")


def _kinds(_instance: object, attribute: attrs.Attribute[Any], kinds: Mapping[str, str]) -> None:
    allowed = [kind.value for kind in TicketKind]
    for name, kind in kinds.items():
        if kind not in allowed:
            raise ValueError(f"{attribute.name}.{name} must be one of {allowed}, got {kind!r}")


def _codes(_instance: object, attribute: attrs.Attribute[Any], codes: Mapping[str, str]) -> None:
    for name, code in codes.items():
        if not code.strip():
            raise ValueError(f"{attribute.name}.{name} must name an itsskit priority like 'P1'")


def _bounded(instance: JiraOptions) -> None:
    if not (instance.jql.strip() or instance.projects):
        raise ValueError("jql or projects is required (Jira Cloud refuses unbounded searches)")


@attrs.frozen(kw_only=True)
class JiraOptions:
    """Options of a ``[sources.NAME]`` table with ``plugin = "jira"``.

    Secrets are never in the config: ``token_env`` names the environment
    variable holding the API token (Cloud) or personal access token (Data Center).
    """

    url: str = attrs.field(validator=_url)
    deployment: str = attrs.field(
        default="cloud", validator=attrs.validators.in_(("cloud", "datacenter"))
    )
    jql: str = ""
    projects: tuple[str, ...] = ()
    auth: str = attrs.field(default="", validator=attrs.validators.in_(("", "basic", "bearer")))
    email: str = ""
    token_env: str = "JIRA_API_TOKEN"
    page_size: int = attrs.field(default=100, validator=_positive)
    timezone: str = attrs.field(default="", validator=_zone)
    priorities: dict[str, str] = attrs.field(factory=dict, validator=_codes)
    statuses: dict[str, str] = attrs.field(factory=dict)
    kinds: dict[str, str] = attrs.field(factory=dict, validator=_kinds)
    fields: dict[str, str] = attrs.field(factory=dict)
    request_type_field: str = ""
    sla_fields: tuple[str, ...] | None = None
    first_response: str = attrs.field(
        default="servicedesk",
        validator=attrs.validators.in_(("servicedesk", "comments", "field", "none")),
    )
    first_response_field: str = ""
    agents: tuple[str, ...] = ()
    ignored_accounts: tuple[str, ...] = ()
    project: str = ""
    service: str = ""
    max_retries: int = attrs.field(default=5, validator=_non_negative)
    backoff: float = attrs.field(default=0.5, validator=_non_negative)
    max_retry_after: float = attrs.field(default=120, validator=_non_negative)
    timeout: float = attrs.field(default=30, validator=_positive)

    def __attrs_post_init__(self) -> None:
        _bounded(self)
        if self.first_response == "field" and not self.first_response_field:
            raise ValueError("first_response = 'field' needs first_response_field (a field name)")

    @property
    def auth_scheme(self) -> str:
        """``basic`` (Cloud e-mail + API token) or ``bearer`` (Data Center PAT)."""
        return self.auth or ("basic" if self.deployment == "cloud" else "bearer")

    def search_jql(self) -> str:
        """The JQL searched: the projects and ``jql`` together, oldest first."""
        parts = []
        if self.projects:
            keys = ", ".join(f'"{key}"' for key in self.projects)
            parts.append(f"project in ({keys})")
        query = self.jql.strip()
        order = ""
        lowered = query.casefold()
        if " order by " in f" {lowered}":
            at = f" {lowered}".index(" order by ")
            query, order = query[:at].strip(), query[at:].strip()
        if query:
            parts.append(f"({query})" if self.projects else query)
        return f"{' AND '.join(parts)} {order or 'ORDER BY created ASC'}"


class JiraSource(Source):
    """Jira Service Management requests with changelog and comments, as tickets."""

    name: ClassVar[str] = "jira"
    kinds: ClassVar[tuple[str, ...]] = ("tickets",)
    options_class: ClassVar[type[Any]] = JiraOptions

    def __init__(self, options: JiraOptions, context: SourceContext) -> None:
        super().__init__(options, context)
        self.zone = ZoneInfo(options.timezone or context.timezone)

    def read(self) -> Iterator[Ticket | DataQualityFinding]:
        """Yield tickets page by page; unusable issues and changelog entries are findings."""
        options = self.options
        row = 0
        with self.connect() as client:
            rules = self.rules(client.fields())
            search = (
                client.search_cloud if options.deployment == "cloud" else client.search_datacenter
            )
            for page in search(options.search_jql(), self.wanted_fields(rules), options.page_size):
                for issue in page:
                    row += 1
                    yield from self._convert(client, issue, rules, row)

    def connect(self) -> JiraClient:
        """A client for the site with the configured auth and retries."""
        options = self.options
        token = os.environ.get(options.token_env, "")
        if not token:
            raise JiraError(
                f"jira source {self.context.name!r}: environment variable "
                f"{options.token_env!r} (option 'token_env') is not set"
            )
        if options.auth_scheme == "basic":
            if not options.email:
                raise JiraError(
                    f"jira source {self.context.name!r}: option 'email' is required for basic "
                    "auth (Cloud: the account of the API token; Data Center: the user name)"
                )
            authorization = basic_auth(options.email, token)
            hint = f"email {options.email!r} and the API token in ${options.token_env}"
        else:
            authorization = bearer_auth(token)
            hint = f"the personal access token in ${options.token_env}"
        return JiraClient(
            options.url,
            authorization=authorization,
            api="3" if options.deployment == "cloud" else "2",
            auth_hint=hint,
            timeout=options.timeout,
            max_retries=options.max_retries,
            backoff=options.backoff,
            max_retry_after=options.max_retry_after,
        )

    # ---------------------------------------------------------------- field names

    def rules(self, catalogue: list[Json]) -> Rules:
        """The conversion rules, with configured field names resolved to field ids."""
        options = self.options
        known = [f for f in catalogue if isinstance(f, Mapping) and f.get("id")]

        def find(name: str, option: str) -> str:
            return self._field_id(known, name, option)

        request_type = (
            find(options.request_type_field, "request_type_field")
            if options.request_type_field
            else _by_schema(known, REQUEST_TYPE_SCHEMA, REQUEST_TYPE_NAMES)
        )
        if options.sla_fields is None:
            sla = {
                str(f["id"]): str(f.get("name", f["id"])) for f in known if _schema(f) == SLA_SCHEMA
            }
        else:
            sla = {find(name, "sla_fields"): name for name in options.sla_fields}
        return Rules(
            zone=self.zone,
            names={str(f["id"]): str(f.get("name", f["id"])) for f in known},
            sla_by_shape=options.sla_fields is None,
            priorities={**DEFAULT_PRIORITIES, **options.priorities},
            statuses=options.statuses,
            kinds=options.kinds,
            mapped={
                target: find(name, f"fields.{target}") for target, name in options.fields.items()
            },
            request_type_field=request_type,
            sla_fields=sla,
            first_response_field=(
                find(options.first_response_field, "first_response_field")
                if options.first_response_field
                else None
            ),
            project=options.project or None,
            service=options.service or None,
        )

    def _field_id(self, known: list[Mapping[str, Any]], name: str, option: str) -> str:
        if any(f["id"] == name for f in known):
            return name
        matches = [
            str(f["id"]) for f in known if str(f.get("name", "")).casefold() == name.casefold()
        ]
        if len(matches) == 1:
            return matches[0]
        where = f"jira source {self.context.name!r}: option {option}: field {name!r}"
        if matches:
            raise JiraError(f"{where} is ambiguous ({', '.join(matches)}); give the field id")
        raise JiraError(f"{where} not found in GET /rest/api/{{2,3}}/field of {self.options.url}")

    def wanted_fields(self, rules: Rules) -> list[str]:
        """The ``fields`` parameter of the search (all fields when the site listed none)."""
        if not rules.names:
            return ["*all"]
        wanted = list(SYSTEM_FIELDS) + list(rules.mapped.values()) + list(rules.sla_fields)
        wanted += [f for f in (rules.request_type_field, rules.first_response_field) if f]
        if self.options.first_response == "comments":
            wanted.append("comment")
        return list(dict.fromkeys(wanted))

    # ------------------------------------------------------------------- issues

    def _convert(
        self, client: JiraClient, issue: Json, rules: Rules, row: int
    ) -> Iterator[Ticket | DataQualityFinding]:
        if not isinstance(issue, Mapping):
            yield self._finding(None, f"search result #{row} is not an issue object", row)
            return
        key = str(issue.get("key") or issue.get("id") or "") or None
        label = f"issue {key or '?'}"
        changes, problems = field_changes(self._histories(client, issue), rules.zone)
        first, comment_problems = self._first_response(client, issue, rules)
        request_type = request_type_of(issue, rules)
        if not request_type and self.options.kinds and issue.get("key"):
            request_type = client.request_type(str(issue["key"]))
        for problem in problems + comment_problems:
            yield self._finding(key, f"{label}: {problem}", row)
        try:
            ticket, minor = to_ticket(issue, changes, first, request_type, rules)
        except (RecordError, ValueError) as error:
            yield self._finding(key, f"{label}: {error}", row)
            return
        for problem in minor:
            yield self._finding(key, f"{label}: {problem}", row)
        yield ticket

    def _histories(self, client: JiraClient, issue: Mapping[str, Any]) -> list[Json]:
        """The embedded changelog; every page of it when the search truncated or left it out."""
        changelog = issue.get("changelog")
        key = issue.get("key")
        if not isinstance(changelog, Mapping):
            return client.changelog(str(key), self.options.page_size) if key else []
        histories = changelog.get("histories") or []
        total = changelog.get("total")
        if isinstance(total, int) and total > len(histories) and key:
            return client.changelog(str(key), self.options.page_size)
        return list(histories)

    def _first_response(
        self, client: JiraClient, issue: Mapping[str, Any], rules: Rules
    ) -> tuple[datetime | None, list[str]]:
        """The first public agent comment (or None) and the comments that were skipped."""
        mode = self.options.first_response
        fields = issue.get("fields")
        if mode in ("none", "field") or not isinstance(fields, Mapping) or not issue.get("key"):
            return None, []
        if mode == "servicedesk":
            raw: list[Json] = list(
                client.request_comments(str(issue["key"]), self.options.page_size)
            )
        else:
            embedded = fields.get("comment")
            raw = list(embedded.get("comments") or []) if isinstance(embedded, Mapping) else []
        comments: list[Comment] = []
        problems: list[str] = []
        for item in raw:
            try:
                comments.append(comment_from(item, rules.zone))
            except RecordError as error:
                problems.append(f"comment skipped: {error}")
        first = first_agent_comment(
            comments,
            reporter=user_ids(fields.get("reporter")),
            agents=frozenset(self.options.agents),
            ignored=frozenset(self.options.ignored_accounts),
        )
        return first, problems

    def _finding(self, record_id: str | None, reason: str, row: int) -> DataQualityFinding:
        return DataQualityFinding(
            record_id=record_id, reason=reason, source=self.context.name, row=row
        )


def _schema(field: Mapping[str, Any]) -> str:
    schema = field.get("schema")
    return str(schema.get("custom", "")) if isinstance(schema, Mapping) else ""


def _by_schema(known: list[Mapping[str, Any]], schema: str, names: tuple[str, ...]) -> str | None:
    for field in known:
        if _schema(field) == schema:
            return str(field["id"])
    wanted = {name.casefold() for name in names}
    return next((str(f["id"]) for f in known if str(f.get("name", "")).casefold() in wanted), None)


@hookimpl
def register_sources(registry: SourceRegistry) -> None:
    """Register :class:`JiraSource` as ``plugin = "jira"``."""
    registry.add(JiraSource)

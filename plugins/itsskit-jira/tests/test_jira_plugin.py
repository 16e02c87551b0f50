"""Discovery through the entry point, and the options class as the host structures it."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import pytest
from cattrs import ClassValidationError, transform_error
from itsskit.config import ConfigError, load_config
from itsskit.converter import converter
from itsskit.plugins import PluginHost

import itsskit_jira.plugin
from itsskit_jira import JiraOptions, JiraSource


def test_entry_point_is_installed() -> None:
    (ep,) = [ep for ep in entry_points(group="itsskit") if ep.name == "jira"]
    assert ep.value == "itsskit_jira.plugin"
    assert ep.load() is itsskit_jira.plugin


def test_plugin_host_finds_the_source() -> None:
    host = PluginHost.create()
    assert host.source_class("tickets", "jira") is JiraSource
    assert not [f for f in host.failures if f.name == "jira"]


def test_options_from_a_config_table() -> None:
    table = {
        "url": "https://example.atlassian.net",
        "projects": ["ITSM", "OPS"],
        "email": "reader@example.com",
        "priorities": {"Critical": "P1"},
        "kinds": {"Request new hardware": "request"},
        "fields": {"tier": "Customer Tier"},
        "sla_fields": ["Time to first response"],
    }
    options = converter.structure(table, JiraOptions)
    assert options.projects == ("ITSM", "OPS")
    assert options.sla_fields == ("Time to first response",)
    assert options.priorities == {"Critical": "P1"}
    assert (options.deployment, options.auth_scheme, options.page_size) == ("cloud", "basic", 100)
    assert (options.first_response, options.token_env) == ("servicedesk", "JIRA_API_TOKEN")
    assert options.search_jql() == 'project in ("ITSM", "OPS") ORDER BY created ASC'


def test_datacenter_defaults_to_a_bearer_token() -> None:
    options = JiraOptions(
        url="https://jira.example.cn", deployment="datacenter", jql="project = SD"
    )
    assert options.auth_scheme == "bearer"
    assert options.search_jql() == "project = SD ORDER BY created ASC"


def test_jql_keeps_its_own_order() -> None:
    options = JiraOptions(
        url="https://x.atlassian.net", projects=["ITSM"], jql="resolved >= -30d order by key DESC"
    )
    assert options.search_jql() == 'project in ("ITSM") AND (resolved >= -30d) order by key DESC'


def test_misspelt_option_is_an_error() -> None:
    with pytest.raises(ClassValidationError) as caught:
        converter.structure(
            {"url": "https://x.atlassian.net", "jql": "project = A", "pagesize": 3}, JiraOptions
        )
    assert "extra fields found (pagesize)" in " ".join(transform_error(caught.value))


@pytest.mark.parametrize(
    ("option", "bad", "message"),
    [
        ("url", "example.atlassian.net", "must be a URL"),
        ("deployment", "server", "'deployment' must be in"),
        ("timezone", "Mars/Base", "not an IANA time zone"),
        ("auth", "kerberos", "'auth' must be in"),
        ("first_response", "email", "'first_response' must be in"),
        ("page_size", 0, "page_size must be > 0"),
        ("max_retries", -1, "max_retries must be >= 0"),
        ("kinds", {"Get IT help": "problem"}, r"kinds.Get IT help must be one of"),
        ("priorities", {"High": " "}, "priorities.High must name an itsskit priority"),
    ],
)
def test_bad_options_are_named(option: str, bad: object, message: str) -> None:
    settings = {"url": "https://x.atlassian.net", "jql": "project = A", option: bad}
    with pytest.raises(ValueError, match=message):
        JiraOptions(**settings)  # type: ignore[arg-type]


def test_an_unbounded_search_is_refused() -> None:
    with pytest.raises(ValueError, match="jql or projects is required"):
        JiraOptions(url="https://x.atlassian.net")
    with pytest.raises(ValueError, match="needs first_response_field"):
        JiraOptions(url="https://x.atlassian.net", jql="project = A", first_response="field")


def test_config_errors_name_the_key(tmp_path: Path) -> None:
    path = tmp_path / "itsskit.toml"
    path.write_text(
        '[sources.jsm]\nplugin = "jira"\nkind = "tickets"\nurl = "https://x.atlassian.net"\n'
        'projects = ["ITSM"]\npagesize = 3\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, PluginHost.create())
    assert "sources.jsm" in str(caught.value) and "pagesize" in str(caught.value)

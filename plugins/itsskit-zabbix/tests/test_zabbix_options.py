"""Discovery through the entry point, and the options as the host structures them."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
from itsskit.config import structure_or_errors
from itsskit.contracts import SourceContext
from itsskit.plugins import PluginHost

import itsskit_zabbix.plugin
from itsskit_zabbix import ServiceRule, ZabbixError, ZabbixOptions, ZabbixSource
from itsskit_zabbix.client import api_url, redact, version_tuple

TABLE: dict[str, Any] = {
    "url": "https://zabbix.example.com",
    "token_env": "ZABBIX_TOKEN",
    "services": {"erp": {"host_groups": ["ERP servers"], "triggers": ["12345"]}},
}


def structure(**changes: Any) -> tuple[ZabbixOptions | None, list[str]]:
    errors: list[str] = []
    options = structure_or_errors({**TABLE, **changes}, ZabbixOptions, "sources.zbx", errors)
    return options, errors


def test_entry_point_is_installed() -> None:
    (ep,) = [ep for ep in entry_points(group="itsskit") if ep.name == "zabbix"]
    assert ep.value == "itsskit_zabbix.plugin"
    assert ep.load() is itsskit_zabbix.plugin


def test_plugin_host_finds_the_outage_source() -> None:
    host = PluginHost.create()
    assert host.source_class("outages", "zabbix") is ZabbixSource
    assert "zabbix" not in host.sources("tickets")
    assert not [f for f in host.failures if f.name == "zabbix"]


def test_options_from_a_config_table() -> None:
    options, errors = structure()
    assert errors == []
    assert options is not None
    assert options.services == {
        "erp": ServiceRule(host_groups=("ERP servers",), triggers=("12345",))
    }
    assert (options.min_severity, options.lookback_days, options.chunk_days) == ("average", 92, 7)
    assert (options.page_size, options.maintenance, options.timezone) == (
        1000,
        True,
        "Asia/Shanghai",
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"min_severty": "high"}, "sources.zbx: unknown key(s) min_severty"),
        ({"services": {"erp": {"host_group": ["ERP"]}}},
         "sources.zbx.services.erp: unknown key(s) host_group"),
        ({"services": {"erp": {}}}, "at least one of hosts, host_groups, triggers"),
        ({"services": {}}, "services must map at least one service"),
        ({"min_severity": "critical"}, "'min_severity' must be in"),
        ({"url": "zabbix.example.com"}, "url must be a URL"),
        ({"since": "1 Oct 2025"}, "since '1 Oct 2025' is not an ISO 8601 date"),
        ({"timezone": "Mars/Base"}, "timezone 'Mars/Base' is not an IANA time zone"),
        ({"chunk_days": 0}, "chunk_days must be > 0"),
        ({"services": {"erp": {"hosts": "erp-app-01"}}}, "sources.zbx.services.erp.hosts"),
    ],
)  # fmt: skip
def test_bad_options_are_named(changes: dict[str, Any], message: str) -> None:
    options, errors = structure(**changes)
    assert options is None
    assert any(message in error for error in errors), errors


def test_api_url() -> None:
    assert api_url("https://z.example.com/") == "https://z.example.com/api_jsonrpc.php"
    assert api_url("https://z.example.com/zabbix/api_jsonrpc.php") == (
        "https://z.example.com/zabbix/api_jsonrpc.php"
    )


def test_redact_replaces_every_secret_longest_first() -> None:
    text = "login abc failed for token abcdef (abc)"
    assert redact(text, ["abc", "abcdef", ""]) == "login *** failed for token *** (***)"


def read_with(**changes: Any) -> None:
    options, errors = structure(**{"url": "http://127.0.0.1:9", **changes})
    assert options is not None, errors
    context = SourceContext(name="zbx", kind="outages", base_dir=Path("."))
    list(ZabbixSource(options, context).read())


def test_an_empty_range_is_refused_before_any_request() -> None:
    with pytest.raises(ZabbixError, match="since '2025-11-01' must be before until '2025-10-01'"):
        read_with(since="2025-11-01", until="2025-10-01")


def test_no_token_and_no_user_is_refused_before_any_request() -> None:
    with pytest.raises(ZabbixError, match="set token_env .* or username"):
        read_with(token_env="")


def test_version_tuple() -> None:
    assert version_tuple("6.0.14") == (6, 0)
    assert version_tuple("7.4.0rc1") == (7, 4)
    with pytest.raises(ValueError, match="not a Zabbix version: 'seven'"):
        version_tuple("seven")

"""Discovery through the entry point, and the options class as the host structures it."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest
from cattrs import ClassValidationError, transform_error
from itsskit.converter import converter
from itsskit.plugins import PluginHost

import itsskit_servicenow.plugin
from itsskit_servicenow import ServiceNowOptions, ServiceNowSource


def test_entry_point_is_installed() -> None:
    (ep,) = [ep for ep in entry_points(group="itsskit") if ep.name == "servicenow"]
    assert ep.value == "itsskit_servicenow.plugin"
    assert ep.load() is itsskit_servicenow.plugin


def test_plugin_host_finds_the_source() -> None:
    host = PluginHost.create()
    assert host.source_class("tickets", "servicenow") is ServiceNowSource
    assert not [f for f in host.failures if f.name == "servicenow"]


def test_options_from_a_config_table() -> None:
    table = {
        "instance": "https://dev1234.service-now.com",
        "query": "opened_at>=2025-10-01 00:00:00",
        "username": "reader",
        "auth": "oauth",
        "client_id": "abc",
        "extra_fields": ["u_customer", "business_service"],
    }
    options = converter.structure(table, ServiceNowOptions)
    assert options.extra_fields == ("u_customer", "business_service")
    assert (options.page_size, options.history, options.timezone) == (1000, "sys_audit", "UTC")
    assert (options.max_retries, options.backoff, options.timeout) == (5, 0.5, 30)


def test_misspelt_option_is_an_error() -> None:
    with pytest.raises(ClassValidationError) as caught:
        converter.structure(
            {"instance": "https://x.service-now.com", "pagesize": 3}, ServiceNowOptions
        )
    assert "extra fields found (pagesize)" in " ".join(transform_error(caught.value))


@pytest.mark.parametrize(
    ("option", "bad", "message"),
    [
        ("instance", "dev1234.service-now.com", "must be a URL"),
        ("timezone", "Mars/Base", "not an IANA time zone"),
        ("auth", "kerberos", "'auth' must be in"),
        ("history", "audit", "'history' must be in"),
        ("page_size", 0, "page_size must be > 0"),
        ("max_retries", -1, "max_retries must be >= 0"),
    ],
)
def test_bad_options_are_named(option: str, bad: object, message: str) -> None:
    settings = {"instance": "https://x.service-now.com", option: bad}
    with pytest.raises(ValueError, match=message):
        ServiceNowOptions(**settings)  # type: ignore[arg-type]

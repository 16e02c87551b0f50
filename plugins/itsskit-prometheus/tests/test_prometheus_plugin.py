"""Discovery through the entry point, and the options as the host structures them."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import pytest
from itsskit.collect import open_source
from itsskit.config import ConfigError, load_config
from itsskit.plugins import PluginHost

import itsskit_prometheus.plugin
from itsskit_prometheus import PrometheusOptions, PrometheusSource, QueryOptions
from prometheus_history import utc

SOURCE = """
[sources.monitoring]
plugin = "prometheus"
kind = "outages"
url = "http://127.0.0.1:9090"
{options}

[sources.monitoring.queries.erp]
expr = 'up{{job="erp"}} == 0'
{query}
"""


def structured(tmp_path: Path, options: str = "", query: str = 'service = "erp"') -> object:
    path = tmp_path / "itsskit.toml"
    path.write_text(SOURCE.format(options=options, query=query), encoding="utf-8")
    host = PluginHost.create()
    return open_source(load_config(path, host), "monitoring", host).options


def config_error(tmp_path: Path, options: str = "", query: str = 'service = "erp"') -> str:
    with pytest.raises(ConfigError) as caught:
        structured(tmp_path, options, query)
    return str(caught.value)


def test_entry_point_is_installed() -> None:
    (ep,) = [ep for ep in entry_points(group="itsskit") if ep.name == "prometheus"]
    assert ep.value == "itsskit_prometheus.plugin"
    assert ep.load() is itsskit_prometheus.plugin


def test_plugin_host_finds_the_outage_source() -> None:
    host = PluginHost.create()
    assert host.source_class("outages", "prometheus") is PrometheusSource
    assert not [f for f in host.failures if f.name == "prometheus"]
    with pytest.raises(KeyError):
        host.source_class("tickets", "prometheus")


def test_defaults(tmp_path: Path) -> None:
    options = structured(tmp_path)
    assert options == PrometheusOptions(
        url="http://127.0.0.1:9090",
        queries={"erp": QueryOptions(expr='up{job="erp"} == 0', service="erp")},
    )
    assert isinstance(options, PrometheusOptions)
    assert (options.step_seconds, options.lookback_seconds) == (60, 604_800)
    assert (options.max_points, options.auth, options.insecure) == (11_000, "none", False)
    assert (options.planned_label, options.planned_values) == ("planned", ("true",))


def test_every_option_from_a_config_table(tmp_path: Path) -> None:
    options = structured(
        tmp_path,
        'step = "5m"\nlookback = "2h"\nstart = 2025-11-01T00:00:00+08:00\n'
        'auth = "basic"\nusername = "reader"\nca_file = "ca.pem"\nmax_points = 500\n'
        'planned_label = "maintenance"\nplanned_values = ["yes", "1"]\ntimeout = 10\n'
        "max_retries = 0\nbackoff = 1.5",
        'service_label = "job"\nservice_map = { erp-prod = "erp" }\ncause = "{job}"\n'
        "planned = true",
    )
    assert isinstance(options, PrometheusOptions)
    assert (options.step_seconds, options.lookback_seconds) == (300, 7_200)
    assert options.start == utc("2025-10-31T16:00")
    assert options.queries["erp"] == QueryOptions(
        expr='up{job="erp"} == 0',
        service_label="job",
        service_map={"erp-prod": "erp"},
        cause="{job}",
        planned=True,
    )


@pytest.mark.parametrize(
    ("options", "query", "message"),
    [
        ('setp = "1m"', 'service = "erp"', "sources.monitoring: unknown key(s) setp"),
        ("", 'service_lable = "job"', "queries.erp: unknown key(s) service_lable"),
        ('step = "1 minute"', 'service = "erp"', "step '1 minute': expected a duration"),
        ('step = "0s"', 'service = "erp"', "step '0s' must be at least 1s"),
        ("step = 60", 'service = "erp"', "expected a string"),
        ('auth = "token"', 'service = "erp"', "'auth' must be in"),
        ('auth = "basic"', 'service = "erp"', "auth = 'basic' needs username"),
        ("max_points = 1", 'service = "erp"', "max_points must be >= 2"),
        ("start = 2025-11-01T00:00:00", 'service = "erp"', "sources.monitoring.start"),
        ("", 'service = "erp"\nservice_label = "job"', "set exactly one of service"),
        ("", "", "set exactly one of service"),
        ("", 'service = "erp"\nservice_map = { a = "b" }', "service_map needs service_label"),
    ],
)  # fmt: skip
def test_bad_options_are_named(tmp_path: Path, options: str, query: str, message: str) -> None:
    assert message in config_error(tmp_path, options, query)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("127.0.0.1:9090", "url must be a URL like http://127.0.0.1:9090"),
        ("http://reader:pa55@127.0.0.1:9090", "url must not hold credentials"),
        ("http://127.0.0.1:9090/?x=1", "url must not have a query"),
    ],
)
def test_bad_urls_are_named(tmp_path: Path, url: str, message: str) -> None:
    text = SOURCE.format(options="", query='service = "erp"').replace("http://127.0.0.1:9090", url)
    path = tmp_path / "itsskit.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, PluginHost.create())
    assert message in str(caught.value)
    assert "pa55" not in str(caught.value)


def test_a_source_without_queries_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "itsskit.toml"
    path.write_text(
        '[sources.monitoring]\nplugin = "prometheus"\nkind = "outages"\n'
        'url = "http://127.0.0.1:9090"\nqueries = {}\n',
        encoding="utf-8",
    )
    host = PluginHost.create()
    with pytest.raises(ConfigError, match=r"queries: expected at least one"):
        open_source(load_config(path, host), "monitoring", host)


@pytest.mark.parametrize(
    "template", ["{job.__class__}", "{0}", "{job!r}", "{job:>9}", "{job", "{}"]
)
def test_a_cause_template_holds_label_names_only(tmp_path: Path, template: str) -> None:
    message = config_error(tmp_path, query=f'service = "erp"\ncause = "{template}"')
    assert "cause must hold label names in braces" in message


def test_a_cause_template_takes_labels_and_leaves_missing_ones_empty() -> None:
    query = QueryOptions(expr="up == 0", service="erp", cause="{job} on {instance}{region} {{x}}")
    labels = {"job": "erp", "instance": "erp-1"}
    assert itsskit_prometheus.plugin._cause(query, labels, "up{}") == "erp on erp-1 {x}"

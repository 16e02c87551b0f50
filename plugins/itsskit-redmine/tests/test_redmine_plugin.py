"""Discovery through the entry point, and the options as the host structures them."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import pytest
from itsskit.config import ConfigError, load_config
from itsskit.contracts import SourceContext
from itsskit.converter import converter
from itsskit.plugins import PluginHost

import itsskit_redmine.plugin
from itsskit_redmine import ProjectScope, RedmineOptions, RedmineSource
from itsskit_redmine.options import DEFAULT_PRIORITIES

TESTS = Path(__file__).parent
EXAMPLE = TESTS.parents[2] / "examples" / "redmine" / "itsskit.toml"


def test_entry_point_is_installed() -> None:
    (ep,) = [ep for ep in entry_points(group="itsskit") if ep.name == "redmine"]
    assert ep.value == "itsskit_redmine.plugin"
    assert ep.load() is itsskit_redmine.plugin


def test_plugin_host_finds_the_source() -> None:
    host = PluginHost.create()
    assert host.source_class("tickets", "redmine") is RedmineSource
    assert not [f for f in host.failures if f.name == "redmine"]


def test_tested_config_loads_and_the_example_is_it() -> None:
    config = load_config(TESTS / "data" / "itsskit.toml", PluginHost.create())
    assert config.sources["redmine"].plugin == "redmine"
    assert EXAMPLE.read_text(encoding="utf-8") == (TESTS / "data" / "itsskit.toml").read_text(
        encoding="utf-8"
    )


def test_options_from_a_config_table() -> None:
    options = converter.structure(
        {
            "url": "https://redmine.example.com",
            "projects": {"erp-support": {"project": "dianchi", "filters": {"tracker_id": "1"}}},
            "trackers": {"Support": "request"},
            "first_response_statuses": ["In Progress"],
        },
        RedmineOptions,
    )
    assert options.projects == {
        "erp-support": ProjectScope(project="dianchi", filters={"tracker_id": "1"})
    }
    assert options.first_response_statuses == ("In Progress",)
    assert options.priorities == DEFAULT_PRIORITIES
    assert (options.api_key_env, options.window, options.page_size) == (
        "REDMINE_API_KEY",
        "updated_on",
        100,
    )


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ('api_keyenv = "X"', "sources.rm: unknown key(s) api_keyenv"),
        ('projects.erp = { projekt = "x" }', "sources.rm.projects.erp: unknown key(s) projekt"),
    ],
)
def test_misspelt_keys_are_config_errors(tmp_path: Path, extra: str, expected: str) -> None:
    path = tmp_path / "itsskit.toml"
    path.write_text(
        f'[sources.rm]\nplugin = "redmine"\nkind = "tickets"\nurl = "http://r.test"\n{extra}\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, PluginHost.create())
    (line,) = caught.value.errors
    assert line.startswith(f"{path}: {expected}"), line


@pytest.mark.parametrize(
    ("option", "bad", "message"),
    [
        ("url", "redmine.example.com", "must be a URL"),
        ("timezone", "Mars/Base", "not an IANA time zone"),
        ("window", "closed_on", "'window' must be in"),
        ("since", "last monday", "since must be a date or time"),
        ("trackers", {"Bug": "problem"}, "trackers.Bug must be one of incident, request"),
        ("priorities", {"Urgent": "1"}, "priorities.Urgent must be P1, P2"),
        ("page_size", 101, "page_size must be 1..100"),
        ("max_retries", -1, "max_retries must be >= 0"),
    ],
)
def test_bad_options_are_named(option: str, bad: object, message: str) -> None:
    settings = {"url": "http://redmine.test", option: bad}
    with pytest.raises(ValueError, match=message):
        RedmineOptions(**settings)  # type: ignore[arg-type]


def test_source_window_parameters() -> None:
    options = RedmineOptions(
        url="http://r.test", since="2025-10-01", until="2025-10-31T18:00:00+08:00"
    )
    source = RedmineSource(options, SourceContext(name="rm", kind="tickets", base_dir=Path()))
    params = source.list_params("erp", ProjectScope(filters={"tracker_id": "1|3"}))
    assert params == {
        "status_id": "*",
        "sort": "id",
        "tracker_id": "1|3",
        "project_id": "erp",
        "updated_on": "><2025-09-30T16:00:00Z|2025-10-31T10:00:00Z",
    }

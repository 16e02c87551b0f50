"""Loading the TOML configuration: values, references and error messages."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest

from itsskit import hookimpl
from itsskit.config import Config, ConfigError, load_config
from itsskit.contracts import Registry, Source
from itsskit.plugins import PluginHost
from itsskit.testing import FakeSource

VALID = """
[calendars.office]
preset = "china"
timezone = "Asia/Shanghai"
hours = ["09:00-12:00", "13:30-18:00"]
holidays = [2025-12-31, "2025-12-30"]
workdays = [2025-12-27]

[calendars.ops]
preset = "always"
timezone = "Europe/Berlin"

[slas.gold-2025]
calendar = "office"
version = "2025"
effective_from = 2025-01-01
effective_to = 2026-01-01
pause_statuses = ["Awaiting User Info", "Awaiting Vendor"]
priority_at = "opening"
availability = 0.995
max_failures = 2
max_failure_duration = "4h"
[slas.gold-2025.targets.response]
P1 = "15m"
P2 = "30m"
[slas.gold-2025.targets.resolution]
P1 = "4h"
P2 = "1h30m"
[slas.gold-2025.targets.turnaround]
P3 = "8h"

[slas.gold-2024]
calendar = "ops"
effective_to = 2025-01-01
[slas.gold-2024.targets.resolution]
P1 = "2h"

[services.erp]
name = "ERP 系统"
owner = "王强"

[services.mail]

[customers.dianchi]
name = "滇池物流有限公司"

[sources.tickets]
plugin = "fake"
kind = "tickets"
path = "data/tickets.csv"
label = "main desk"

[projects.alpha]
name = "滇池物流 IT 运维服务项目"
customer = "滇池物流有限公司"
sla = ["gold-2025", "gold-2024"]
services = ["erp"]
sources = ["tickets"]
manager = "张伟"
engineers = ["李娜", "王强"]

[projects.beta]
sla = "gold-2025"
timezone = "Asia/Tokyo"

[reports.alpha-monthly]
project = "alpha"
title = "月度报告"
distribution = ["cio@dianchi.example.cn"]
due_days = 5
"""


@attrs.frozen(kw_only=True)
class LabelOptions:
    path: str
    label: str = ""


class LabelSource(FakeSource):
    name = "fake"
    options_class = LabelOptions


class LabelPlugin:
    @hookimpl
    def register_ticket_sources(self, registry: Registry[Source]) -> None:
        registry.add(LabelSource)


@pytest.fixture
def host() -> PluginHost:
    return PluginHost.create(entry_points=False, extra=[LabelPlugin()])


def write(tmp_path: Path, text: str, data_file: bool = True) -> Path:
    if data_file:
        (tmp_path / "data").mkdir(exist_ok=True)
        (tmp_path / "data" / "tickets.csv").write_text("id\n", encoding="utf-8")
    path = tmp_path / "itsskit.toml"
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(path: Path, host: PluginHost | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path, host)
    return str(caught.value)


def test_valid_config_loads_every_table(tmp_path: Path, host: PluginHost) -> None:
    path = write(tmp_path, VALID)
    config = load_config(path, host)
    assert isinstance(config, Config)
    assert config.path == path.resolve()
    assert config.base_dir == tmp_path.resolve()

    office = config.calendars["office"]
    assert office.holidays == (date(2025, 12, 31), date(2025, 12, 30))
    assert office.workdays == (date(2025, 12, 27),)
    assert office.hours == ("09:00-12:00", "13:30-18:00")

    gold = config.slas["gold-2025"]
    assert gold.id == "gold-2025" and gold.version == "2025"
    assert gold.calendar == office
    assert dict(gold.targets.response) == {"P1": 900, "P2": 1800}
    assert dict(gold.targets.resolution) == {"P1": 4 * 3600, "P2": 5400}
    assert dict(gold.targets.turnaround) == {"P3": 8 * 3600}
    assert gold.max_failure_seconds == 4 * 3600 and gold.max_failures == 2
    assert gold.availability == 0.995 and gold.priority_at == "opening"
    assert gold.pause_statuses == ("Awaiting User Info", "Awaiting Vendor")
    assert gold.effective_from == date(2025, 1, 1) and gold.effective_to == date(2026, 1, 1)
    assert config.slas["gold-2024"].version == "1"

    assert config.services["erp"].name == "ERP 系统" and config.services["erp"].owner == "王强"
    assert config.services["mail"].name == "mail"  # the key is the default name
    assert config.customers["dianchi"].name == "滇池物流有限公司"

    source = config.sources["tickets"]
    assert (source.plugin, source.kind) == ("fake", "tickets")
    assert dict(source.options) == {"path": "data/tickets.csv", "label": "main desk"}
    context = config.source_context("tickets")
    assert context.base_dir == tmp_path.resolve()
    assert context.resolve("data/tickets.csv") == tmp_path.resolve() / "data" / "tickets.csv"

    alpha = config.project("alpha")
    # versions sorted by effective date; the timezone is the first version's calendar's
    assert [sla.id for sla in alpha.slas] == ["gold-2024", "gold-2025"]
    assert alpha.timezone == "Europe/Berlin"
    assert alpha.engineers == ("李娜", "王强")
    assert alpha.reports == ("alpha-monthly",)
    assert config.project("beta").timezone == "Asia/Tokyo"  # explicit wins
    assert config.reports["alpha-monthly"].distribution == ("cio@dianchi.example.cn",)


def test_project_lookup_lists_known(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID))
    with pytest.raises(KeyError, match=r"unknown project 'gamma' \(known: alpha, beta\)"):
        config.project("gamma")


def test_without_host_plugins_are_not_checked(tmp_path: Path) -> None:
    text = VALID.replace('plugin = "fake"', 'plugin = "unheard-of"')
    assert load_config(write(tmp_path, text)).sources["tickets"].plugin == "unheard-of"


# ------------------------------------------------------------------------ errors

# (replace this, with that) -> (key path, expectation) in the message
CASES: list[tuple[str, str, str, str]] = [
    ('P2 = "1h30m"', 'P2 = "1d"', "slas.gold-2025.targets.resolution.P2", "bad duration '1d'"),
    (
        'calendar = "office"',
        'calendar = "offise"',
        "slas.gold-2025.calendar",
        "unknown calendar 'offise' (known: office, ops)",
    ),
    (
        'version = "2025"',
        'version = "2025"\ncolour = "gold"',
        "slas.gold-2025",
        "unknown key(s) colour",
    ),
    (
        "max_failures = 2",
        'max_failures = "two"',
        "slas.gold-2025.max_failures",
        "expected an integer, got str 'two'",
    ),
    (
        "availability = 0.995",
        "availability = 99.5",
        "slas.gold-2025.availability",
        "expected a fraction in [0, 1]",
    ),
    (
        'priority_at = "opening"',
        'priority_at = "closing"',
        "slas.gold-2025.priority_at",
        "expected 'resolution' or 'opening', got 'closing'",
    ),
    (
        "holidays = [2025-12-31,",
        'holidays = ["2025-13-31",',
        "calendars.office.holidays[0]",
        "date",
    ),
    (
        'services = ["erp"]',
        'services = ["erp", "crm"]',
        "projects.alpha.services",
        "unknown service 'crm' (known: erp, mail)",
    ),
    (
        'sla = "gold-2025"',
        'sla = "platinum"',
        "projects.beta.sla",
        "unknown SLA 'platinum' (known: gold-2024, gold-2025)",
    ),
    (
        'sources = ["tickets"]',
        'sources = ["tickets", "events"]',
        "projects.alpha.sources",
        "unknown source 'events' (known: tickets)",
    ),
    (
        'project = "alpha"',
        'project = "omega"',
        "reports.alpha-monthly.project",
        "unknown project 'omega' (known: alpha, beta)",
    ),
    ('kind = "tickets"', 'kind = "tickes"', "sources.tickets.kind", "expected one of tickets"),
    (
        'path = "data/tickets.csv"',
        'path = "data/missing.csv"',
        "sources.tickets.path",
        "file not found",
    ),
    ("[services.mail]", "[servises.mail]", "servises", "unknown table"),
    ("due_days = 5", "due_day = 5", "reports.alpha-monthly", "unknown key(s) due_day"),
    ('engineers = ["李娜", "王强"]', 'engineers = "李娜"', "projects.alpha.engineers", ""),
]


@pytest.mark.parametrize(("old", "new", "key", "expected"), CASES)
def test_errors_name_file_key_and_expectation(
    tmp_path: Path, old: str, new: str, key: str, expected: str
) -> None:
    assert old in VALID
    path = write(tmp_path, VALID.replace(old, new, 1))
    message = errors_of(path)
    line = next((line for line in message.splitlines() if f": {key}: " in line), None)
    assert line is not None, message
    assert line.startswith(f"{path.resolve()}: {key}: ")
    assert expected in line


def test_unknown_plugin_needs_a_host(tmp_path: Path, host: PluginHost) -> None:
    path = write(tmp_path, VALID.replace('plugin = "fake"', 'plugin = "jira"'))
    message = errors_of(path, host)
    assert (
        f"{path.resolve()}: sources.tickets.plugin: unknown ticket source 'jira' (known: "
        in message
    )
    assert "fake" in message


def test_misspelt_plugin_option_is_an_error(tmp_path: Path, host: PluginHost) -> None:
    path = write(tmp_path, VALID.replace('label = "main desk"', 'lable = "main desk"'))
    message = errors_of(path, host)
    assert (
        f"{path.resolve()}: sources.tickets: unknown key(s) lable (allowed: path, label)" in message
    )


def test_unknown_calendar_preset_with_host(tmp_path: Path, host: PluginHost) -> None:
    path = write(tmp_path, VALID.replace('preset = "always"', 'preset = "mars"'))
    message = errors_of(path, host)
    assert (
        f"{path.resolve()}: calendars.ops.preset: unknown calendar preset 'mars' (known:" in message
    )


def test_bad_hours_with_host(tmp_path: Path, host: PluginHost) -> None:
    path = write(tmp_path, VALID.replace('"13:30-18:00"]', '"13:30-1800"]'))
    message = errors_of(path, host)
    assert f"{path.resolve()}: calendars.office: " in message
    assert "13:30-1800" in message


def test_toml_syntax_error_gives_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace('name = "ERP 系统"', 'name = "ERP 系统'))
    message = errors_of(path)
    assert message.startswith(f"{path.resolve()}: invalid TOML: ")
    line = VALID.splitlines().index('name = "ERP 系统"') + 1
    assert f"line {line}" in message


def test_missing_config_file(tmp_path: Path) -> None:
    message = errors_of(tmp_path / "nope.toml")
    assert message == f"{(tmp_path / 'nope.toml').resolve()}: configuration file not found"


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = VALID.replace('P2 = "1h30m"', 'P2 = "1d"').replace('project = "alpha"', 'project = "x"')
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    keys = [error.split(": ")[1] for error in caught.value.errors]
    assert keys == ["slas.gold-2025.targets.resolution.P2", "reports.alpha-monthly.project"]


def test_a_table_that_is_not_a_table(tmp_path: Path) -> None:
    message = errors_of(write(tmp_path, 'slas = "gold"\n'))
    assert ": slas: expected a table of tables" in message


def test_source_without_plugin(tmp_path: Path) -> None:
    text: Any = VALID.replace('plugin = "fake"\n', "")
    message = errors_of(write(tmp_path, text))
    assert ": sources.tickets.plugin: required" in message

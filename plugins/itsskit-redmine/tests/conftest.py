"""Session fixtures: a real Redmine (Debian's package) and the scripted scenario in it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from redmine_scenario import Scenario, build_scenario
from redmine_server import RedmineServer, RedmineUnavailable, start_redmine

#: Seconds spent by the session fixtures, shown in the terminal summary.
TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="session")
def redmine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedmineServer]:
    """A Redmine server on loopback for the whole session (stopped at the end)."""
    try:
        server = start_redmine(tmp_path_factory.mktemp("redmine"))
    except RedmineUnavailable as reason:
        pytest.skip(f"no Redmine server: {reason}")
    TIMINGS.update(server.timings)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def scenario(redmine: RedmineServer) -> Scenario:
    """Projects, users, custom fields and issues of ``redmine_scenario.PLANS``, once."""
    built = build_scenario(redmine)
    TIMINGS["scenario_seconds"] = redmine.timings["scenario_seconds"]
    return built


@pytest.fixture
def api_key(redmine: RedmineServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """The admin's API key, in ``$REDMINE_API_KEY`` for the test."""
    monkeypatch.setenv("REDMINE_API_KEY", redmine.api_key)
    return redmine.api_key


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How long the Redmine fixture took (prepare, boot, scenario), when it ran."""
    if TIMINGS:
        shown = ", ".join(
            f"{name.removesuffix('_seconds')} {s:.1f} s" for name, s in TIMINGS.items()
        )
        terminalreporter.write_line(f"redmine fixture: {shown}")

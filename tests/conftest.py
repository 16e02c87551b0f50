"""Shared test configuration: hypothesis profiles, register databases.

``ci`` (the default) keeps property tests quick; set ``HYPOTHESIS_PROFILE=thorough``
for a long run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from pg_server import PgServer, find_bindir, running_server

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# ------------------------------------------------------ register databases (issue 13)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A throwaway PostgreSQL cluster on loopback for the whole session (tests/pg_server.py)."""
    bindir = find_bindir()
    if bindir is None:
        pytest.skip(
            "needs PostgreSQL's server (apt-get install postgresql; .ci/setup-postgresql.sh)"
        )
    with running_server(bindir) as server:
        yield server


@pytest.fixture
def postgresql_url(pg_server: PgServer) -> str:
    """The SQLAlchemy URL of a new, empty database on the session's PostgreSQL server."""
    return pg_server.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def register_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty register database: an SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'register.db'}"
    url: str = request.getfixturevalue("postgresql_url")
    return url

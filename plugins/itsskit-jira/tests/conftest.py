"""The ``jira`` fixture: a fake Jira Service Management site on loopback (jira_fake.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jira_fake import FakeJira, serving


@pytest.fixture
def jira() -> Iterator[FakeJira]:
    """A running fake Cloud site holding the issues of jira_data.py."""
    with serving(FakeJira()) as fake:
        yield fake

"""itsskit-jira: Jira Service Management requests as itsskit tickets.

Installed, it registers the ticket source ``jira`` through the ``itsskit``
entry-point group; see :mod:`itsskit_jira.plugin` for its options.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from itsskit_jira.client import JiraError
from itsskit_jira.plugin import JiraOptions, JiraSource

try:
    __version__ = version("itsskit-jira")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["JiraError", "JiraOptions", "JiraSource", "__version__"]

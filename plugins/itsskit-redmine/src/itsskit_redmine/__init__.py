"""itsskit-redmine: issues from the Redmine REST API as itsskit tickets.

Installed, it registers the ticket source ``redmine`` through the ``itsskit``
entry-point group; see :mod:`itsskit_redmine.options` for its options.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from itsskit_redmine.client import RedmineClient, RedmineError
from itsskit_redmine.options import ProjectScope, RedmineOptions
from itsskit_redmine.plugin import RedmineSource

try:
    __version__ = version("itsskit-redmine")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "ProjectScope",
    "RedmineClient",
    "RedmineError",
    "RedmineOptions",
    "RedmineSource",
    "__version__",
]

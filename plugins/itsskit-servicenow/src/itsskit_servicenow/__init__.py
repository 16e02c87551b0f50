"""itsskit-servicenow: incidents from the ServiceNow Table API as itsskit tickets.

Installed, it registers the ticket source ``servicenow`` through the ``itsskit``
entry-point group; see :mod:`itsskit_servicenow.plugin` for its options.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from itsskit_servicenow.client import ServiceNowError
from itsskit_servicenow.plugin import ServiceNowOptions, ServiceNowSource

try:
    __version__ = version("itsskit-servicenow")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["ServiceNowError", "ServiceNowOptions", "ServiceNowSource", "__version__"]

"""itsskit-zabbix: Zabbix problems and maintenance periods as itsskit outages.

Installed, it registers the outage source ``zabbix`` through the ``itsskit``
entry-point group; see :mod:`itsskit_zabbix.plugin` for its options.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from itsskit_zabbix.client import ZabbixClient, ZabbixError
from itsskit_zabbix.plugin import ServiceRule, ZabbixOptions, ZabbixSource

try:
    __version__ = version("itsskit-zabbix")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "ServiceRule",
    "ZabbixClient",
    "ZabbixError",
    "ZabbixOptions",
    "ZabbixSource",
    "__version__",
]

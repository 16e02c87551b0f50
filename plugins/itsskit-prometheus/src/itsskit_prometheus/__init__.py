"""itsskit-prometheus: outages from the Prometheus HTTP API (``query_range``).

Installed, it registers the outage source ``prometheus`` through the ``itsskit``
entry-point group; see :mod:`itsskit_prometheus.plugin` and the README for its options.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from itsskit_prometheus.client import PrometheusError
from itsskit_prometheus.options import PrometheusOptions, QueryOptions
from itsskit_prometheus.plugin import PrometheusSource

try:
    __version__ = version("itsskit-prometheus")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "PrometheusError",
    "PrometheusOptions",
    "PrometheusSource",
    "QueryOptions",
    "__version__",
]

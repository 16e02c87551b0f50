"""itsskit: IT service management under ITSS (GB/T 28827) and ISO/IEC 20000.

Measure SLAs in business time (with Chinese statutory holidays and make-up
working days), compute the KPIs of the ITSS process documents, and produce the
periodic service reports customers expect. See ``docs/`` for the guides.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from itsskit.hookspecs import hookimpl

try:
    __version__ = version("itsskit")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__", "hookimpl"]

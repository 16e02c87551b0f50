"""itsskit: IT service management under ITSS (GB/T 28827) and ISO/IEC 20000.

Measure SLAs in business time (with Chinese statutory holidays and make-up
working days), compute the KPIs of the ITSS process documents, and produce the
periodic service reports customers expect. See ``docs/`` for the guides.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:  # first, so that modules importing __version__ find it
    __version__ = version("itsskit")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

from itsskit.calendar import BusinessCalendar
from itsskit.clocks import Clock, ClockTable, Evaluation, evaluate, evaluate_table, evaluate_ticket
from itsskit.collect import collect
from itsskit.config import Config, ConfigError, load_config
from itsskit.converter import converter
from itsskit.hookspecs import hookimpl
from itsskit.kpis import KpiResult, company_kpis, project_kpis
from itsskit.periods import Period
from itsskit.plugins import PluginHost
from itsskit.report import build_report, render

__all__ = [
    "BusinessCalendar",
    "Clock",
    "ClockTable",
    "Config",
    "ConfigError",
    "Evaluation",
    "KpiResult",
    "Period",
    "PluginHost",
    "__version__",
    "build_report",
    "collect",
    "company_kpis",
    "converter",
    "evaluate",
    "evaluate_table",
    "evaluate_ticket",
    "hookimpl",
    "load_config",
    "project_kpis",
    "render",
]

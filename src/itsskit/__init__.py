"""itsskit: IT service management under ITSS (GB/T 28827) and ISO/IEC 20000.

Measure SLAs in business time (with Chinese statutory holidays and make-up
working days), compute the KPIs of the ITSS process documents, and produce the
periodic service reports customers expect. See ``docs/`` for the guides.

``import itsskit`` is light: the names below are imported from their modules on
first use (PEP 562), so a script or ``itsskit --help`` loads no plotting, Office
or SQL library it does not need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from itsskit.calendar import (
        BusinessCalendar as BusinessCalendar,
    )
    from itsskit.clocks import (
        Clock as Clock,
    )
    from itsskit.clocks import (
        ClockTable as ClockTable,
    )
    from itsskit.clocks import (
        Evaluation as Evaluation,
    )
    from itsskit.clocks import (
        evaluate as evaluate,
    )
    from itsskit.clocks import (
        evaluate_table as evaluate_table,
    )
    from itsskit.clocks import (
        evaluate_ticket as evaluate_ticket,
    )
    from itsskit.collect import (
        collect as collect,
    )
    from itsskit.config import (
        Config as Config,
    )
    from itsskit.config import (
        ConfigError as ConfigError,
    )
    from itsskit.config import (
        load_config as load_config,
    )
    from itsskit.converter import (
        converter as converter,
    )
    from itsskit.hookspecs import (
        hookimpl as hookimpl,
    )
    from itsskit.kpis import (
        KpiResult as KpiResult,
    )
    from itsskit.kpis import (
        company_kpis as company_kpis,
    )
    from itsskit.kpis import (
        project_kpis as project_kpis,
    )
    from itsskit.periods import (
        Period as Period,
    )
    from itsskit.plugins import (
        PluginHost as PluginHost,
    )
    from itsskit.report import (
        build_report as build_report,
    )
    from itsskit.report import (
        render as render,
    )

    __version__: str

#: Public name -> the module it comes from.
_EXPORTS: dict[str, str] = {
    "BusinessCalendar": "itsskit.calendar",
    "Clock": "itsskit.clocks",
    "ClockTable": "itsskit.clocks",
    "Evaluation": "itsskit.clocks",
    "evaluate": "itsskit.clocks",
    "evaluate_table": "itsskit.clocks",
    "evaluate_ticket": "itsskit.clocks",
    "collect": "itsskit.collect",
    "Config": "itsskit.config",
    "ConfigError": "itsskit.config",
    "load_config": "itsskit.config",
    "converter": "itsskit.converter",
    "hookimpl": "itsskit.hookspecs",
    "KpiResult": "itsskit.kpis",
    "company_kpis": "itsskit.kpis",
    "project_kpis": "itsskit.kpis",
    "Period": "itsskit.periods",
    "PluginHost": "itsskit.plugins",
    "build_report": "itsskit.report",
    "render": "itsskit.report",
}

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


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use, then keep it here."""
    if name == "__version__":
        value: Any = _version()
    elif name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    else:
        raise AttributeError(f"module 'itsskit' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("itsskit")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"

"""Built-in KPIs: the seeds' KPIs of :data:`itsskit.kpis.BUILTIN_KPIS`, registered like a plugin's."""

from __future__ import annotations

from itsskit.hookspecs import hookimpl
from itsskit.kpis.catalogue import BUILTIN_KPIS, KpiCatalogue


@hookimpl
def register_kpis(registry: KpiCatalogue) -> None:
    """Add every built-in KPI descriptor, in display order."""
    for descriptor in BUILTIN_KPIS:
        registry.add(descriptor)

"""Built-in plugins: plain modules with ``@hookimpl`` functions.

The plugin host registers every module named in :data:`BUILTIN_PLUGINS`, in
this order, before the external plugins found through the ``itsskit``
entry-point group; they use exactly the hooks third parties use.
"""

from __future__ import annotations

__all__ = ["BUILTIN_PLUGINS"]

BUILTIN_PLUGINS: tuple[str, ...] = (
    "itsskit.builtin.calendars",
    "itsskit.builtin.file_sources",
    "itsskit.builtin.servicenow_audit",
    "itsskit.builtin.parquet_source",
    "itsskit.builtin.renderers",
    "itsskit.builtin.pdf",
    "itsskit.builtin.channels",
    "itsskit.builtin.stores",
    "itsskit.builtin.kpis",
)

"""Library services: what the command line does, as documented, typed functions.

Each ``itsskit`` command parses its arguments, calls one function here and maps
its errors to exit codes; Python users call the same functions, so the API can do
everything the CLI can by the same code path.

* :func:`kpi_figures` — the KPIs of a period, per project and for the company
  (``itsskit kpi``);
* :func:`make_report` — build and render one service report (``itsskit report
  build``, the batch);
* :func:`sla_clocks` — every SLA clock of a project (``itsskit sla evaluate``), and
  :func:`write_clocks`, their CSV;
* :func:`check_sources` — read every source, count records and findings
  (``itsskit sources check``);
* :func:`convert_source` — a configured source as Parquet (``itsskit convert``);
* :func:`calendar_named` and :func:`calendar_year` — a calendar's year of
  holidays and make-up days (``itsskit calendar show``).
"""

from __future__ import annotations

from itsskit.services.calendars import calendar_named, calendar_year
from itsskit.services.convert import Conversion, convert_source
from itsskit.services.kpis import KpiFigure, KpiFigures, kpi_figures
from itsskit.services.reports import MadeReport, make_report
from itsskit.services.sla import SlaClocks, sla_clocks, write_clocks
from itsskit.services.sources import SourceCount, check_sources

__all__ = [
    "Conversion",
    "KpiFigure",
    "KpiFigures",
    "MadeReport",
    "SlaClocks",
    "SourceCount",
    "calendar_named",
    "calendar_year",
    "check_sources",
    "convert_source",
    "kpi_figures",
    "make_report",
    "sla_clocks",
    "write_clocks",
]

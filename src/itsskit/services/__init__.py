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
* :func:`report_plan` — the reports due, overdue, on time or late (``itsskit report
  due``), and :func:`remind_authors`, each author's digest (``itsskit report remind``);
* :func:`convert_source` — a configured source as Parquet (``itsskit convert``);
* :func:`calendar_named` and :func:`calendar_year` — a calendar's year of
  holidays and make-up days (``itsskit calendar show``);
* :func:`submit_report`, :func:`approve_report`, :func:`return_report`,
  :func:`publish_report`, :func:`review_report`, :func:`archive_report` and
  :func:`batch_reports` — the report lifecycle (``itsskit report submit`` ...
  ``batch``) on a register from :func:`open_register`, for a report from
  :func:`report_target`; :func:`report_state`, what ``itsskit report show`` shows.
"""

from __future__ import annotations

from itsskit.services.calendars import calendar_named, calendar_year
from itsskit.services.convert import Conversion, convert_source
from itsskit.services.kpis import KpiFigure, KpiFigures, kpi_figures
from itsskit.services.lifecycle import (
    BadRequest,
    ChannelState,
    ReportState,
    ReportTarget,
    Step,
    StepFailed,
    StepResult,
    approve_report,
    archive_report,
    batch_reports,
    open_register,
    publish_report,
    report_state,
    report_target,
    return_report,
    review_report,
    submit_report,
)
from itsskit.services.plan import Reminder, ReportPlan, remind_authors, report_plan
from itsskit.services.reports import MadeReport, make_report
from itsskit.services.sla import SlaClocks, sla_clocks, write_clocks
from itsskit.services.sources import SourceCount, check_sources

__all__ = [
    "BadRequest",
    "ChannelState",
    "Conversion",
    "KpiFigure",
    "KpiFigures",
    "MadeReport",
    "Reminder",
    "ReportPlan",
    "ReportState",
    "ReportTarget",
    "SlaClocks",
    "SourceCount",
    "Step",
    "StepFailed",
    "StepResult",
    "approve_report",
    "archive_report",
    "batch_reports",
    "calendar_named",
    "calendar_year",
    "check_sources",
    "convert_source",
    "kpi_figures",
    "make_report",
    "remind_authors",
    "report_plan",
    "open_register",
    "publish_report",
    "report_state",
    "report_target",
    "return_report",
    "review_report",
    "sla_clocks",
    "submit_report",
    "write_clocks",
]

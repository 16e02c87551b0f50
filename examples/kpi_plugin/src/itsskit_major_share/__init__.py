"""An itsskit plugin that adds one KPI: the share of major incidents (重大事件占比).

Seed 001 asks a service report for the major incidents "and their share". This
plugin computes it for every project and period: incidents opened in the period
that are flagged major / incidents opened in the period. Once installed, the KPI
shows in ``itsskit kpi``, can be the ``kpi`` of an ``[indicators.NAME]`` table,
and is a row of the report's indicator table whenever it has data.
"""

from __future__ import annotations

import itsskit
from itsskit.kpis import KpiCatalogue, KpiDescriptor, KpiInputs, KpiResult, make_result, ratio
from itsskit.models import TicketKind

__all__ = ["MAJOR_INCIDENT_SHARE", "major_incident_share", "register_kpis"]


def major_incident_share(inputs: KpiInputs) -> KpiResult:
    """Major incidents opened in the period / incidents opened in the period."""
    incidents = [
        ticket
        for ticket in inputs.records.tickets
        if ticket.kind is TicketKind.INCIDENT
        and ticket.opened is not None
        and inputs.period.contains(ticket.opened)
    ]
    major = sum(1 for ticket in incidents if ticket.major)
    return make_result(
        "major_incident_share",
        ratio(major, len(incidents)),
        numerator=major,
        denominator=len(incidents),
    )


MAJOR_INCIDENT_SHARE = KpiDescriptor(
    name="major_incident_share",
    unit="ratio",
    comparison="<=",
    pooling="ratio",
    compute=major_incident_share,
    labels={"zh-CN": "重大事件占比", "en": "Major incident share"},
    report_row="with_data",
    description="Major incidents opened in the period / incidents opened in the period.",
)


@itsskit.hookimpl
def register_kpis(registry: KpiCatalogue) -> None:
    """Add the major-incident share to every plugin host."""
    registry.add(MAJOR_INCIDENT_SHARE)

"""Audit checkpoints the data can answer (SPEC §6, seed 0403 §8): figures, evidence, a verdict.

:data:`DATA_CHECKPOINTS` names, for each checkpoint the records can speak to,
the KPIs that answer it (8.3.2 SLA attainment and open breaches, 8.3.3 report
on-time rate, 8.3.4 incidents resolved as agreed, 8.3.9 availability and
outages, 8.1.3 / 8.5.3 satisfaction and callbacks); 8.0.6 and 8.0.7 are
answered from the improvement register (actions tracked and closed).
:func:`prefill` writes into each such entry the company figures of the year
(exactly :func:`itsskit.kpis.company_kpis`, as ``itsskit kpi`` shows them), the
evidence in words (which KPI, period, numbers, per project where a project
misses its target) and a proposed verdict: nonconforming when a figure misses
its indicator target, conforming when every targeted figure meets it, none when
the data cannot say. The auditor's own answer (``conforming``) is left alone.
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import attrs

from itsskit.improvements import RegisterItem, is_overdue
from itsskit.kpis import KpiResult, format_value, status_for
from itsskit.kpis.catalogue import KpiCatalogue
from itsskit.models import Indicator
from itsskit.quality.audit import Audit, AuditEntry
from itsskit.quality.common import kpi_label
from itsskit.quality.indicators import target_for
from itsskit.wording import Texts

__all__ = ["DATA_CHECKPOINTS", "REGISTER_CHECKPOINTS", "prefill"]

#: Checkpoint id -> the KPIs whose figures answer it.
DATA_CHECKPOINTS: Mapping[str, tuple[str, ...]] = {
    "8.1.3": ("satisfaction_mean", "satisfied_share", "callback_coverage"),
    "8.3.1": ("response_attainment", "resolution_attainment", "turnaround_attainment"),
    "8.3.2": ("sla_attainment", "open_breaches"),
    "8.3.3": ("report_on_time",),
    "8.3.4": ("response_attainment", "resolution_attainment", "satisfied_share"),
    "8.3.9": ("availability", "failure_count", "downtime_seconds", "longest_failure_seconds"),
    "8.5.3": ("satisfaction_mean", "satisfied_share"),
}

#: Checkpoint id -> the register source it is answered from (None: every source).
REGISTER_CHECKPOINTS: Mapping[str, str | None] = {"8.0.6": "audit", "8.0.7": None}


def prefill(
    audit: Audit,
    *,
    period: str,
    company: Mapping[str, KpiResult],
    projects: Mapping[str, Mapping[str, KpiResult]],
    indicators: Sequence[Indicator],
    catalogue: KpiCatalogue,
    register: Sequence[RegisterItem] = (),
    on: date,
) -> Audit:
    """``audit`` with every data-answerable entry pre-filled from the figures of ``period``.

    ``company`` is the company bundle, ``projects`` each project's; ``register``
    the improvement items (for 8.0.6 / 8.0.7), their status taken on ``on``.
    """
    texts = Texts(audit.language)
    entries = []
    for entry in audit.items:
        if entry.id in DATA_CHECKPOINTS:
            entry = _from_kpis(entry, DATA_CHECKPOINTS[entry.id], period, company, projects,
                               indicators, catalogue, texts)  # fmt: skip
        elif entry.id in REGISTER_CHECKPOINTS:
            entry = _from_register(entry, REGISTER_CHECKPOINTS[entry.id], register, on, texts)
        entries.append(entry)
    return attrs.evolve(audit, items=tuple(entries))


def _from_kpis(
    entry: AuditEntry,
    names: Sequence[str],
    period: str,
    company: Mapping[str, KpiResult],
    projects: Mapping[str, Mapping[str, KpiResult]],
    indicators: Sequence[Indicator],
    catalogue: KpiCatalogue,
    texts: Texts,
) -> AuditEntry:
    lines, verdicts, figures = [], [], {}
    for name in names:
        result = company.get(name)
        if result is None:
            continue
        label = kpi_label(name, texts.language, catalogue)
        if result.value is not None:
            figures[name] = result.value
        indicator = next((i for i in indicators if i.formula == name), None)
        verdict, line = _judge(label, result, indicator, None, period, texts)
        lines.append(line)
        verdicts.append(verdict)
        for pid in sorted(projects):
            mine = projects[pid].get(name)
            if indicator is None or mine is None or mine.value is None:
                continue
            project_verdict, project_line = _judge(label, mine, indicator, pid, period, texts)
            if project_verdict is False:
                lines.append(project_line)
                verdicts.append(False)
    separator = "；" if texts.language == "zh-CN" else "; "
    return attrs.evolve(
        entry, proposed=_overall(verdicts), data_evidence=separator.join(lines), figures=figures
    )


def _judge(
    label: str,
    result: KpiResult,
    indicator: Indicator | None,
    scope: str | None,
    period: str,
    texts: Texts,
) -> tuple[bool | None, str]:
    """A figure's verdict against its indicator's target (for ``scope``) and its evidence line."""
    value = format_value(result) if result.value is not None else texts("q.na")
    counts = ""
    if result.unit == "ratio" and result.denominator:
        counts = texts(
            "q.prefill.counts", num=_number(result.numerator), den=_number(result.denominator)
        )
    where = scope or texts("q.company")
    if indicator is None or result.value is None:
        return None, texts("q.prefill.figure", kpi=label, period=period, scope=where, value=value,
                           counts=counts)  # fmt: skip
    target = target_for(indicator, scope)
    status = status_for(result.value, target, indicator.comparison)  # type: ignore[arg-type]
    shown_target = format_value(KpiResult(name="", value=target, unit=result.unit))
    met = status != "missed"
    return met, texts(
        "q.prefill.judged", kpi=label, period=period, scope=where, value=value, counts=counts,
        comparison="≥" if indicator.comparison == ">=" else "≤", target=shown_target,
        status=texts("q.status.met" if met else "q.status.missed"),
    )  # fmt: skip


def _number(value: float | None) -> str:
    return (
        "" if value is None else f"{value:g}" if not float(value).is_integer() else str(int(value))
    )


def _overall(verdicts: Sequence[bool | None]) -> bool | None:
    if False in verdicts:
        return False
    return True if True in verdicts else None


def _from_register(
    entry: AuditEntry, source: str | None, register: Sequence[RegisterItem], on: date, texts: Texts
) -> AuditEntry:
    items = [item for item in register if source is None or item.source == source]
    closed = sum(item.status == "closed" for item in items)
    overdue = sum(is_overdue(item, on) for item in items)
    evidence = texts("q.prefill.register", total=len(items), closed=closed,
                     open=len(items) - closed, overdue=overdue, on=on.isoformat())  # fmt: skip
    proposed = None if not items else overdue == 0
    return attrs.evolve(
        entry, proposed=proposed, data_evidence=evidence,
        figures={"items": float(len(items)), "closed": float(closed), "overdue": float(overdue)},
    )  # fmt: skip

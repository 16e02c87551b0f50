"""Public API usage, checked by ``mypy --strict`` (not run by pytest).

A change to a public signature that breaks this file breaks users' typed code:
the file is part of CI (``.ci/run`` runs mypy on it), as structlog's
``tests/typing`` is.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import assert_type
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

import itsskit
from itsskit import (
    BusinessCalendar,
    Config,
    Evaluation,
    KpiResult,
    Period,
    PluginHost,
    build_report,
    collect,
    company_kpis,
    evaluate,
    load_config,
    project_kpis,
    render,
)
from itsskit.calendar import DayFact
from itsskit.contracts import Registry, SectionBuilder
from itsskit.kpis import KpiCatalogue, KpiDescriptor, KpiInputs, make_result, ratio
from itsskit.models import RecordSet, Report, Section
from itsskit.wording import Texts

tz = ZoneInfo("Asia/Shanghai")
start = datetime(2025, 9, 26, 17, tzinfo=tz)

cal = BusinessCalendar.china()
assert_type(cal, BusinessCalendar)
assert_type(cal.business_seconds(start, start + timedelta(days=2)), int)
assert_type(cal.add_business_seconds(start, 3600), datetime)
assert_type(cal.day(date(2027, 1, 1)), DayFact)
assert_type(cal.provisional_years(date(2027, 1, 1), date(2027, 12, 31)), tuple[int, ...])
starts: npt.NDArray[np.datetime64] = np.array(["2025-10-09T09:00"], dtype="datetime64[us]")
seconds = cal.business_seconds_many(starts, starts)
assert_type(BusinessCalendar.always("UTC"), BusinessCalendar)

period = Period.parse("2025-10", "Asia/Shanghai")
assert_type(period, Period)
assert_type(period.contains(start), bool)

host = PluginHost.create()
assert_type(host, PluginHost)
assert_type(host.kpis(), KpiCatalogue)
config = load_config(Path("itsskit.toml"), host)
assert_type(config, Config)
records = collect(config, "dianchi", host)
assert_type(records, RecordSet)

evaluation = evaluate(records.tickets, config.project("dianchi"), start, host.calendar)
assert_type(evaluation, Evaluation)

bundle = project_kpis(
    records, config.project("dianchi"), period, start, host.calendar, catalogue=host.kpis()
)
assert_type(bundle, dict[str, KpiResult])
assert_type(company_kpis({"dianchi": bundle}, catalogue=host.kpis()), dict[str, KpiResult])
assert_type(bundle["availability"].value, float | None)

report = build_report(config, "dianchi-monthly", "2025-10", host=host, at=start)
assert_type(report, Report)
assert_type(render(report, "docx,html", Path("out"), host=host), dict[str, Path])
assert_type(itsskit.__version__, str)


def share(inputs: KpiInputs) -> KpiResult:
    """A plugin KPI: typed inputs in, a KpiResult out."""
    tickets = inputs.records.tickets
    return make_result("share", ratio(len(tickets), 10), numerator=len(tickets), denominator=10)


descriptor = KpiDescriptor(
    name="share", unit="ratio", compute=share, labels={"zh-CN": "占比", "en": "Share"}
)


@itsskit.hookimpl
def register_kpis(registry: KpiCatalogue) -> None:
    registry.add(descriptor)


class Greeting(SectionBuilder):
    name = "greeting"
    phrases = {"zh-CN": {"greeting.title": "致辞"}, "en": {"greeting.title": "Greeting"}}

    def build(self, context: object) -> Section | None:
        return Section(key="greeting", title=Texts("en")("greeting.title"))


@itsskit.hookimpl
def register_sections(registry: Registry[SectionBuilder]) -> None:
    registry.add(Greeting)


assert_type(Texts("zh-CN").percent(0.955), str)

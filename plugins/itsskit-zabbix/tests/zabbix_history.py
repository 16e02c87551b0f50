"""The known monitoring history the tests load into the real Zabbix server.

Times are local (Asia/Shanghai). Each trapper item gets a healthy value before
the period and then the values below, in order; a trigger fires on value 0
(``last(...)=0``) and recovers on 1, so Zabbix stamps each problem and recovery
event with the value's own clock (checked: events of trapper values sent with
``zabbix_sender -T`` carry the values' timestamps, not the time of processing).

=========  ==========  ==========================  ========  =====================
host       group       trigger                     severity  problems
=========  ==========  ==========================  ========  =====================
erp-app-01 ERP servers ERP web down                high      09-30 23:00-10-01 01:00
                                                             10-08 10:00-10:30
                                                             10-20 13:00-14:30
crm-web-01 CRM servers CRM web down                average   10-15 09:00-09:20
                                                             10-31 23:00-(open)
crm-web-01 CRM servers CRM slow                    warning   10-10 12:00-12:30
other-01   Other       Portal login page down      high      10-25 08:00-08:45
other-01   Other       Other disk full             disaster  10-12 00:00-05:00
=========  ==========  ==========================  ========  =====================

A one-time maintenance of the group "ERP servers" runs 10-20 14:00-16:00.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Shanghai")


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=ZONE)


def clock(moment: datetime) -> int:
    return int(moment.timestamp())


GROUPS = ("ERP servers", "CRM servers", "Other")
# host -> group
HOSTS = {"erp-app-01": "ERP servers", "crm-web-01": "CRM servers", "other-01": "Other"}
# (host, item key, trigger name, severity number, [(start, end or None)])
TRIGGERS = [
    ("erp-app-01", "web.ok", "ERP web down", 4, [
        (local(9, 30, 23), local(10, 1, 1)),
        (local(10, 8, 10), local(10, 8, 10, 30)),
        (local(10, 20, 13), local(10, 20, 14, 30)),
    ]),
    ("crm-web-01", "web.ok", "CRM web down", 3, [
        (local(10, 15, 9), local(10, 15, 9, 20)),
        (local(10, 31, 23), None),
    ]),
    ("crm-web-01", "resp.ok", "CRM slow", 2, [(local(10, 10, 12), local(10, 10, 12, 30))]),
    ("other-01", "portal.ok", "Portal login page down", 4, [
        (local(10, 25, 8), local(10, 25, 8, 45)),
    ]),
    ("other-01", "disk.ok", "Other disk full", 5, [(local(10, 12, 0), local(10, 12, 5))]),
]  # fmt: skip
HEALTHY_AT = local(9, 30, 20)
MAINTENANCE = (local(10, 20, 14), local(10, 20, 16))

# The source's mapping in the tests' configs.
SERVICES = {
    "erp": {"host_groups": ["ERP servers"]},
    "crm": {"hosts": ["crm-web-01"]},
    "portal": {"triggers": ["Portal login page down"]},
}


def values() -> list[tuple[str, str, int, str]]:
    """Every trapper value, in time order per item: ``(host, key, clock, value)``."""
    lines = []
    for host, key, _name, _severity, problems in TRIGGERS:
        lines.append((host, key, clock(HEALTHY_AT), "1"))
        for start, end in problems:
            lines.append((host, key, clock(start), "0"))
            if end is not None:
                lines.append((host, key, clock(end), "1"))
    return lines


def event_count() -> int:
    """Problem and recovery events the values must produce."""
    return sum(len(p) + sum(end is not None for _, end in p) for *_, p in TRIGGERS)


def recurring(now: datetime) -> dict[str, dict[str, Any]]:
    """Recurring maintenances around ``now`` (host name -> maintenance.create params).

    Each period starts at local midnight of a day and lasts two days, so whether it is in
    force now depends only on the recurrence rule: which week (counted from the week of
    ``active_since``), which weekday, which day or week of the month.
    """
    today = now.astimezone(ZONE).replace(hour=0, minute=0, second=0, microsecond=0)
    monday = today - timedelta(days=today.weekday())
    weekday, week_of_month = 1 << today.weekday(), (today.day - 1) // 7 + 1
    two_days = {"start_time": 0, "period": 2 * 86400}

    def periodic(since: datetime, **period: int) -> dict[str, Any]:
        return {
            "active_since": clock(since),
            "active_till": clock(today + timedelta(days=30)),
            "timeperiods": [{**two_days, **period}],
        }

    month = 1 << (today.month - 1)
    return {
        # every second week on today's weekday: this is week 2 (in force) or week 1 (not)
        "mnt-week-2": periodic(monday - timedelta(days=14), timeperiod_type=3, every=2,
                               dayofweek=weekday),
        "mnt-week-1": periodic(monday - timedelta(days=7), timeperiod_type=3, every=2,
                               dayofweek=weekday),
        "mnt-every-3-days": periodic(today - timedelta(days=3), timeperiod_type=2, every=3),
        "mnt-every-3-days-off": periodic(today - timedelta(days=5), timeperiod_type=2, every=3),
        "mnt-month-day": periodic(today - timedelta(days=40), timeperiod_type=4, month=month,
                                  day=today.day),
        "mnt-month-week": periodic(today - timedelta(days=40), timeperiod_type=4, month=month,
                                   dayofweek=weekday, every=week_of_month),
        "mnt-month-other-week": periodic(today - timedelta(days=40), timeperiod_type=4,
                                         month=month, dayofweek=weekday,
                                         every=week_of_month % 4 + 1),
    }  # fmt: skip

# ruff: noqa: E501  (long lines of Chinese/English prose data)
"""Generate the shipped demo data set (fictitious, deterministic).

A fictitious provider, 云岭数智运维服务有限公司, runs two IT operations contracts
for twelve months (2024-11-01 .. 2025-10-31, Asia/Shanghai).  The script writes
``itsskit.toml``, ``data/*.csv`` (the interchange columns of SPEC §9) and the
service manager's monthly notes ``notes/<report>/<YYYY-MM>.toml``.

Standard library only; the same seed always gives byte-identical files::

    python examples/demo/generate.py [OUT_DIR]
"""

from __future__ import annotations

import csv
import io
import json
import random
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

SEED = 20251031
TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
START = datetime(2024, 11, 1, tzinfo=TZ)
END = datetime(2025, 11, 1, tzinfo=TZ)  # data extracted at this instant
CALLBACKS_END = END + timedelta(days=7)  # callback records are taken a week later
MONTHS = [(2024, 11), (2024, 12)] + [(2025, m) for m in range(1, 11)]

# PRC statutory holidays and make-up working days in (and just around) the data.
HOLIDAYS = frozenset(
    [date(2025, 1, 1)]
    + [date(2025, 1, 28) + timedelta(days=i) for i in range(8)]
    + [date(2025, 4, 4), date(2025, 4, 5), date(2025, 4, 6)]
    + [date(2025, 5, 1) + timedelta(days=i) for i in range(5)]
    + [date(2025, 5, 31), date(2025, 6, 1), date(2025, 6, 2)]
    + [date(2025, 10, 1) + timedelta(days=i) for i in range(8)]
)
WORKDAYS = frozenset(
    [date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11)]
)
OFFICE_HOURS = ((time(9, 0), time(12, 0)), (time(13, 30), time(18, 0)))

TICKET_COLUMNS = [
    "id", "project", "service", "kind", "priority", "opened", "first_response", "resolved",
    "closed", "major", "category", "channel", "callback", "security", "opening_priority",
    "satisfaction", "title",
]  # fmt: skip
EVENT_COLUMNS = ["ticket_id", "time", "status"]
OUTAGE_COLUMNS = ["id", "service", "start", "end", "planned", "cause"]
CHANGE_COLUMNS = ["id", "service", "type", "approved", "window_start", "window_end", "title"]
SURVEY_COLUMNS = ["id", "project", "ticket", "answered", "score", "kind", "comment"]

H = 3600
M = 60


# ------------------------------------------------------------------ calendars


def is_working_day(d: date) -> bool:
    """China working-day rule (Mon-Fri, minus holidays, plus make-up days)."""
    if d in HOLIDAYS:
        return False
    return d in WORKDAYS or d.weekday() < 5


def office_windows(d: date) -> list[tuple[datetime, datetime]]:
    """The office-hours windows of one local date."""
    if not is_working_day(d):
        return []
    return [(datetime.combine(d, a, TZ), datetime.combine(d, b, TZ)) for a, b in OFFICE_HOURS]


@dataclass(frozen=True)
class Calendar:
    """Service hours: 7x24 (``always``) or the China office calendar."""

    always: bool

    def add(self, start: datetime, seconds: float) -> datetime:
        """The instant ``seconds`` of service time after ``start``."""
        seconds = int(seconds)
        if self.always or seconds <= 0:
            return start + timedelta(seconds=seconds)
        day = start.date()
        while True:
            for a, b in office_windows(day):
                if b <= start:
                    continue
                s = max(a, start)
                cap = int((b - s).total_seconds())
                if seconds <= cap:
                    return s + timedelta(seconds=seconds)
                seconds -= cap
            day += timedelta(days=1)

    def between(self, start: datetime, end: datetime) -> int:
        """Seconds of service time in ``[start, end)``."""
        if end <= start:
            return 0
        if self.always:
            return int((end - start).total_seconds())
        total, day = 0, start.date()
        while day <= end.date():
            for a, b in office_windows(day):
                lo, hi = max(a, start), min(b, end)
                if hi > lo:
                    total += int((hi - lo).total_seconds())
            day += timedelta(days=1)
        return total


# ------------------------------------------------------------------ catalogue


@dataclass(frozen=True)
class Sla:
    name: str
    calendar: Calendar
    response: dict[str, int]
    resolution: dict[str, int]
    turnaround: dict[str, int]
    availability: float
    max_failures: int
    max_failure_s: int


GOLD = Sla(
    "gold",
    Calendar(always=True),
    {"P1": 15 * M, "P2": 30 * M, "P3": 2 * H, "P4": 4 * H},
    {"P1": 4 * H, "P2": 8 * H, "P3": 24 * H, "P4": 72 * H},
    {},
    0.999,
    2,
    2 * H,
)
SILVER = Sla(
    "silver",
    Calendar(always=False),
    {"P1": 30 * M, "P2": 1 * H, "P3": 4 * H, "P4": 8 * H},
    {"P1": 4 * H, "P2": 8 * H, "P3": 16 * H, "P4": 40 * H},
    {"P3": 16 * H, "P4": 40 * H},
    0.995,
    3,
    4 * H,
)


@dataclass(frozen=True)
class ProjectDef:
    key: str
    prefix: str
    sla: Sla
    services: dict[str, list[str]]  # service id -> its ticket categories
    volume: tuple[int, int]  # tickets per month


PROJECTS = [
    ProjectDef(
        "dianchi",
        "DC",
        GOLD,
        {
            "erp": ["应用", "数据库", "服务器", "账号权限"],
            "wms": ["应用", "终端", "网络", "数据库"],
            "office-net": ["网络", "终端", "安全", "账号权限"],
        },
        (140, 210),
    ),
    ProjectDef(
        "chuncheng",
        "CC",
        SILVER,
        {
            "billing": ["应用", "数据库", "账号权限", "服务器"],
            "scada": ["网络", "服务器", "安全", "应用"],
            "portal": ["应用", "安全", "服务器", "终端"],
        },
        (120, 180),
    ),
]

INCIDENT_TITLES = {
    "网络": [
        "核心交换机端口闪断",
        "分支机构 VPN 隧道中断",
        "无线 AP 掉线",
        "出口带宽占满导致访问缓慢",
        "DNS 解析超时",
        "防火墙会话数告警",
    ],
    "服务器": [
        "服务器 CPU 使用率持续超过 90%",
        "磁盘空间不足告警",
        "虚拟机宕机自动迁移",
        "服务器内存告警",
        "RAID 卡电池告警",
        "NTP 时间不同步",
    ],
    "数据库": [
        "数据库连接池耗尽",
        "慢查询导致页面超时",
        "主备同步延迟告警",
        "表空间使用率告警",
        "数据库锁等待超时",
        "归档日志空间不足",
    ],
    "应用": [
        "应用登录报 500 错误",
        "报表导出失败",
        "接口调用超时",
        "批处理作业未按时完成",
        "页面加载缓慢",
        "打印模板错位",
    ],
    "账号权限": ["账号被锁定无法登录", "单点登录跳转失败", "权限变更未生效", "口令过期无法登录"],
    "终端": [
        "办公电脑蓝屏",
        "打印机无法打印",
        "扫码枪无法连接",
        "终端无法获取 IP 地址",
        "邮件客户端无法收信",
    ],
    "安全": ["终端病毒告警", "WAF 拦截异常访问", "弱口令扫描告警", "可疑外联告警"],
}
REQUEST_TITLES = {
    "网络": ["新增网络端口开通", "访客无线网络申请", "防火墙策略开通申请"],
    "服务器": ["新建测试服务器申请", "服务器扩容申请", "定时任务配置申请"],
    "数据库": ["数据提取申请", "数据库账号申请", "历史数据归档申请"],
    "应用": ["报表需求调整", "业务参数配置变更", "新员工系统培训"],
    "账号权限": ["新员工账号开通", "离职人员账号注销", "角色权限调整申请", "口令重置申请"],
    "终端": ["新电脑领用与安装", "软件安装申请", "打印机添加申请", "电脑搬迁"],
    "安全": ["安全基线核查申请", "USB 端口解禁申请", "漏洞扫描申请"],
}
MAJOR_TITLES = {  # service -> (title, root cause, English title, English root cause) choices
    "erp": [
        (
            "ERP 数据库主节点故障导致全系统不可用",
            "数据库主节点存储多路径故障",
            "ERP unavailable after a database primary failure",
            "a storage multipath fault on the database primary",
        ),
        (
            "ERP 应用集群全部节点无响应",
            "中间件线程池耗尽",
            "all ERP application nodes unresponsive",
            "middleware thread pool exhaustion",
        ),
    ],
    "wms": [
        (
            "WMS 出入库作业中断",
            "应用服务器 JVM 内存溢出",
            "WMS inbound/outbound operations stopped",
            "a JVM out-of-memory error on the application server",
        )
    ],
    "office-net": [
        (
            "总部办公网络中断",
            "核心交换机主控板故障",
            "headquarters office network down",
            "a failed supervisor card in the core switch",
        ),
        (
            "分拨中心 SD-WAN 大面积断连",
            "运营商骨干链路故障",
            "SD-WAN links to the distribution centres down",
            "a carrier backbone fault",
        ),
    ],
    "billing": [
        (
            "营收系统缴费功能不可用",
            "第三方支付接口证书过期",
            "bill payment unavailable in the billing system",
            "an expired certificate on the payment gateway interface",
        ),
        (
            "营收系统数据库响应缓慢导致业务中断",
            "统计报表大查询占满数据库资源",
            "billing system stalled by a slow database",
            "a large reporting query exhausting database resources",
        ),
    ],
    "scada": [
        (
            "SCADA 监控平台数据采集中断",
            "采集前置机网卡故障",
            "SCADA data collection interrupted",
            "a failed network card in the front-end collector",
        )
    ],
    "portal": [
        (
            "门户网站无法访问",
            "CDN 回源配置错误",
            "web portal unreachable",
            "a wrong CDN origin configuration",
        )
    ],
}
OUTAGE_CAUSES = [
    "应用进程异常退出",
    "网络链路抖动",
    "数据库连接数耗尽",
    "存储 I/O 延迟过高",
    "负载均衡健康检查失败",
    "中间件线程池耗尽",
    "电力闪断后设备重启",
    "证书配置错误",
]
CHANGE_TITLES = [
    "操作系统安全补丁更新",
    "数据库版本小版本升级",
    "应用版本发布",
    "防火墙策略调整",
    "存储扩容",
    "备份策略调整",
    "中间件参数优化",
    "交换机固件升级",
    "SSL 证书更换",
    "负载均衡配置调整",
]
CHANNELS = {
    "incident": (["监控告警", "电话", "服务台门户", "微信", "邮件"], [30, 30, 20, 12, 8]),
    "request": (["服务台门户", "邮件", "微信", "电话"], [50, 20, 15, 15]),
}
COMMENTS = {
    5: ["响应很及时", "工程师很专业", "处理效率高", "", ""],
    4: ["整体满意", "", ""],
    3: ["处理时间偏长", "希望提前告知进展"],
    2: ["多次催办才处理"],
    1: ["问题反复出现"],
}
PAUSES = ("Awaiting User Info", "Awaiting Vendor")


# ------------------------------------------------------------------ records


@dataclass
class Ticket:
    id: str
    project: str
    service: str
    kind: str
    priority: str
    opened: datetime
    category: str
    channel: str
    title: str
    major: bool = False
    root: tuple[str, str, str, str] = ("", "", "", "")
    security: bool = False
    opening_priority: str = ""
    events: list[tuple[datetime, str]] = field(default_factory=list)
    callback: datetime | None = None
    satisfaction: int | None = None
    response_s: int = 0  # business seconds, as drawn
    resolution_s: int = 0

    def first(self, status: str) -> datetime | None:
        return next((t for t, s in self.events if s == status), None)

    @property
    def resolved(self) -> datetime | None:
        last = self.events[-1][1]
        if last not in ("Resolved", "Closed"):
            return None
        return [t for t, s in self.events if s == "Resolved"][-1]


def fmt(t: datetime | None) -> str:
    return "" if t is None else t.strftime("%Y-%m-%dT%H:%M:%S+08:00")


def month_days(year: int, month: int) -> list[date]:
    d, out = date(year, month, 1), []
    while d.month == month:
        out.append(d)
        d += timedelta(days=1)
    return out


def month_start(year: int, month: int) -> datetime:
    return datetime(year, month, 1, tzinfo=TZ)


def next_month(year: int, month: int) -> datetime:
    return datetime(year + month // 12, month % 12 + 1, 1, tzinfo=TZ)


def breach_rate(year: int, month: int, project: str) -> float:
    """Chance that a clock overruns: higher around holidays and the flood season."""
    rate = {(2025, 1): 0.03, (2025, 2): 0.045, (2025, 10): 0.04, (2025, 9): 0.025}.get(
        (year, month), 0.01
    )
    if project == "chuncheng" and (year, month) in ((2025, 7), (2025, 8)):
        rate = 0.035
    return rate


def draw_opened(rng: random.Random, year: int, month: int) -> datetime:
    """An opening instant: mostly in working hours, some off-hours."""
    days = month_days(year, month)
    day = rng.choices(days, [1.0 if is_working_day(d) else 0.25 for d in days])[0]
    if is_working_day(day) and rng.random() < 0.85:
        a, b = rng.choice(office_windows(day))
        return a + timedelta(seconds=rng.randrange(int((b - a).total_seconds())))
    base = datetime.combine(day, time(0), TZ)
    return base + timedelta(seconds=rng.randrange(7 * H, 23 * H))


def draw_share(rng: random.Random, breach: float) -> float:
    """Elapsed time as a share of its target."""
    if rng.random() < breach:
        return rng.uniform(1.05, 2.5)
    return rng.triangular(0.05, 0.97, 0.3)


def build_history(rng: random.Random, t: Ticket, sla: Sla, stuck: bool) -> None:
    """Status history New -> In Progress -> (pause) -> Resolved (-> reopen) -> Closed."""
    cal = sla.calendar
    breach = breach_rate(t.opened.year, t.opened.month, t.project)
    response_target = sla.response[t.priority]
    targets = sla.turnaround if t.kind == "request" and sla.turnaround else sla.resolution
    resolution_target = targets[t.priority]
    r = max(60, int(draw_share(rng, breach) * response_target))
    total = (
        int(draw_share(rng, breach) * resolution_target) if not stuck else 40 * resolution_target
    )
    total = max(total, r + 10 * M)
    t.response_s, t.resolution_s = r, total
    ev = [(t.opened, "New")]
    now = cal.add(t.opened, r)
    ev.append((now, "In Progress"))
    work = total - r
    reopen = rng.random() < 0.01
    c = int(work * rng.uniform(0.1, 0.3)) if reopen else 0
    work -= c
    if rng.random() < 0.15:
        a = int(work * rng.uniform(0.1, 0.6))
        work -= a
        now = cal.add(now, a)
        status = rng.choices(PAUSES, [60, 40])[0]
        ev.append((now, status))
        wall = rng.randint(30 * M, 24 * H) if status == PAUSES[0] else rng.randint(2 * H, 72 * H)
        now += timedelta(seconds=wall)
        ev.append((now, "In Progress"))
    now = cal.add(now, max(work, 60))
    if reopen:
        ev.append((now, "Resolved"))
        now += timedelta(seconds=rng.randint(2 * H, 48 * H))
        ev.append((now, "In Progress"))
        now = cal.add(now, max(c, 60))
    ev.append((now, "Resolved"))
    ev.append((now + timedelta(seconds=rng.randint(24 * H, 72 * H)), "Closed"))
    t.events = [(at.replace(microsecond=0), s) for at, s in ev if at < END]


def make_ticket(
    rng: random.Random, p: ProjectDef, seq: int, year: int, month: int, major: bool = False
) -> Ticket:
    service = rng.choice(list(p.services))
    if major:
        kind, priority = "incident", rng.choices(["P1", "P2"], [80, 20])[0]
        root = rng.choice(MAJOR_TITLES[service])
        title = root[0]
        category = {"office-net": "网络", "scada": "网络"}.get(service, "应用")
    else:
        kind = rng.choices(["incident", "request"], [60, 40])[0]
        weights = [1, 8, 45, 46] if kind == "incident" else [0, 0, 40, 60]
        priority = rng.choices(["P1", "P2", "P3", "P4"], weights)[0]
        category = rng.choice(p.services[service])
        titles = INCIDENT_TITLES if kind == "incident" else REQUEST_TITLES
        title = rng.choice(titles[category])
        root = ("", "", "", "")
    names, weights = CHANNELS[kind]
    channel = "监控告警" if major else rng.choices(names, weights)[0]
    opened = draw_opened(rng, year, month)
    if major:  # major incidents strike any time
        opened = month_start(year, month) + timedelta(
            seconds=rng.randrange(
                int((next_month(year, month) - month_start(year, month)).total_seconds())
            )
        )
    code = "INC" if kind == "incident" else "REQ"
    t = Ticket(
        id=f"{p.prefix}-{code}-{year}{month:02d}-{seq:04d}",
        project=p.key,
        service=service,
        kind=kind,
        priority=priority,
        opened=opened.replace(microsecond=0),
        category=category,
        channel=channel,
        title=title,
        major=major,
        root=root if major else ("", "", "", ""),
        security=kind == "incident" and category == "安全" and rng.random() < 0.08,
    )
    if kind == "incident" and priority in ("P2", "P3") and rng.random() < 0.04:
        t.opening_priority = {"P2": "P3", "P3": "P4"}[priority]
    return t


def make_tickets(rng: random.Random, p: ProjectDef) -> list[Ticket]:
    tickets: list[Ticket] = []
    for year, month in MONTHS:
        n = rng.randint(*p.volume)
        if (year, month) == (2025, 2):
            n = int(n * 0.75)  # Spring Festival
        majors = rng.choices([0, 1, 2], [50, 40, 10])[0]
        if (year, month) in ((2025, 9), (2025, 10)):
            majors = max(majors, 1)
        month_tickets = [make_ticket(rng, p, 0, year, month, major=i < majors) for i in range(n)]
        month_tickets.sort(key=lambda t: t.opened)
        for seq, t in enumerate(month_tickets, 1):
            t.id = t.id[:-4] + f"{seq:04d}"
            stuck = (
                (year, month) == (2025, 10) and 10 <= t.opened.day <= 25 and rng.random() < 0.015
            )
            build_history(rng, t, p.sla, stuck)
            add_callback(rng, t)
        tickets.extend(month_tickets)
    return tickets


def add_callback(rng: random.Random, t: Ticket) -> None:
    resolved = t.resolved
    if t.kind != "incident" or resolved is None or rng.random() > 0.95:
        return
    days = rng.uniform(8, 12) if rng.random() < 0.04 else rng.uniform(1, 6)
    at = resolved + timedelta(days=days)
    at = datetime.combine(at.date(), time(rng.randint(9, 17), rng.randrange(60)), TZ)
    if at < CALLBACKS_END:
        t.callback = at
        t.satisfaction = rng.choices([5, 4, 3, 2, 1], [55, 33, 9, 2, 1])[0]


# ------------------------------------------------------------------ outages and changes


def weekend_night(rng: random.Random, year: int, month: int) -> datetime:
    days = [d for d in month_days(year, month) if d.weekday() >= 5 and not is_working_day(d)]
    day = rng.choice(days)
    return datetime.combine(day, time(rng.choice([21, 22, 23])), TZ)


def make_outages(
    rng: random.Random, p: ProjectDef, tickets: list[Ticket]
) -> list[tuple[str, datetime, datetime, bool, str]]:
    """Unplanned outages (incl. those of major incidents) and a few planned ones."""
    out: list[tuple[str, datetime, datetime, bool, str]] = []
    for t in tickets:
        if t.major and t.resolved is not None:
            restored = min(t.resolved, t.opened + timedelta(minutes=rng.randint(40, 180)))
            out.append((t.service, t.opened, restored, False, t.root[1]))
    for year, month in MONTHS:
        lo, hi = month_start(year, month), next_month(year, month)
        for _ in range(rng.randint(1, 4)):
            service = rng.choice(list(p.services))
            start = lo + timedelta(seconds=rng.randrange(int((hi - lo).total_seconds())))
            minutes = rng.choices(
                [rng.randint(2, 15), rng.randint(15, 45), rng.randint(45, 120)], [75, 22, 3]
            )[0]
            cause = rng.choice(OUTAGE_CAUSES)
            out.append((service, start, start + timedelta(minutes=minutes), False, cause))
            if rng.random() < 0.15:  # a second alarm overlapping the first
                s2 = start + timedelta(minutes=rng.randint(0, minutes))
                out.append((service, s2, s2 + timedelta(minutes=rng.randint(5, 40)), False, cause))
        if month in (12, 3, 6, 9):
            start = weekend_night(rng, year, month)
            for service in p.services:
                out.append(
                    (
                        service,
                        start,
                        start + timedelta(hours=4),
                        True,
                        "机房 UPS 季度维护（计划停机）",
                    )
                )
    return [
        (s, a.replace(microsecond=0), b.replace(microsecond=0), pl, c) for s, a, b, pl, c in out
    ]


def make_changes(
    rng: random.Random, p: ProjectDef
) -> list[tuple[str, str, bool, datetime, datetime, str]]:
    out = []
    for year, month in MONTHS:
        for _ in range(rng.randint(3, 7)):
            service = rng.choice(list(p.services))
            kind = rng.choices(["standard", "normal", "emergency"], [45, 45, 10])[0]
            if kind == "emergency":
                days = month_days(year, month)
                start = datetime.combine(rng.choice(days), time(rng.randint(0, 23)), TZ)
                length = rng.randint(1, 4) * 30 * M
            elif rng.random() < 0.8:
                start = weekend_night(rng, year, month)
                length = rng.randint(1, 4) * H
            else:
                days = [d for d in month_days(year, month) if is_working_day(d)]
                start = datetime.combine(rng.choice(days), time(20), TZ)
                length = rng.randint(1, 2) * H
            approved = rng.random() > 0.05
            title = rng.choice(CHANGE_TITLES)
            out.append((service, kind, approved, start, start + timedelta(seconds=length), title))
    return sorted(out, key=lambda c: c[3])


# ------------------------------------------------------------------ surveys


def make_surveys(
    rng: random.Random, projects: list[ProjectDef], tickets: list[Ticket]
) -> list[list[str]]:
    rows: list[tuple[datetime, str, str, int, str, str]] = []
    for t in tickets:
        if t.callback is not None and t.satisfaction is not None and rng.random() < 0.9:
            comment = rng.choice(COMMENTS[t.satisfaction])
            rows.append((t.callback, t.project, t.id, t.satisfaction, "callback", comment))
    for p in projects:
        for year, month in [(2024, 12), (2025, 3), (2025, 6), (2025, 9)]:
            kinds = ["project"] + (["annual"] if (year, month) == (2025, 9) else [])
            for kind in kinds:
                for _ in range(rng.randint(8, 12) if kind == "project" else rng.randint(18, 24)):
                    day = rng.choice([d for d in month_days(year, month)[15:] if is_working_day(d)])
                    at = datetime.combine(day, time(rng.randint(9, 17), rng.randrange(60)), TZ)
                    score = rng.choices([5, 4, 3, 2], [45, 42, 11, 2])[0]
                    rows.append((at, p.key, "", score, kind, rng.choice(COMMENTS[score])))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return [
        [f"SV-{i:05d}", pr, tk, fmt(at), str(score), kind, comment]
        for i, (at, pr, tk, score, kind, comment) in enumerate(rows, 1)
    ]


# ------------------------------------------------------------------ monthly figures for the notes


def merge(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def subtract(
    pieces: list[tuple[datetime, datetime]], holes: list[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    for ha, hb in holes:
        pieces = [
            part
            for a, b in pieces
            for part in ((a, min(b, ha)), (max(a, hb), b))
            if part[1] > part[0]
        ]
    return pieces


@dataclass
class MonthFigures:
    """Rough figures the manager reads off the dashboard before writing notes."""

    attainment: float | None
    response: float | None
    resolution: float | None
    availability: float
    worst_service: str
    failures: int
    longest_failure_s: int
    longest_service: str
    majors: list[Ticket]
    security: list[Ticket]
    changes: int


def figures(
    p: ProjectDef,
    year: int,
    month: int,
    tickets: list[Ticket],
    outages: list[tuple[str, datetime, datetime, bool, str]],
    changes: list[tuple[str, str, bool, datetime, datetime, str]],
) -> MonthFigures:
    lo, hi = month_start(year, month), next_month(year, month)
    sla, cal = p.sla, p.sla.calendar
    resp = [t for t in tickets if (fr := t.first("In Progress")) is not None and lo <= fr < hi]
    done = [t for t in tickets if (r := t.resolved) is not None and lo <= r < hi]

    def res_target(t: Ticket) -> int:
        table = sla.turnaround if t.kind == "request" and sla.turnaround else sla.resolution
        return table[t.priority]

    def rate(ok: list[bool]) -> float | None:
        return sum(ok) / len(ok) if ok else None

    resp_ok = [t.response_s <= sla.response[t.priority] for t in resp]
    res_ok = [t.resolution_s <= res_target(t) for t in done]
    all_ok = [
        t.response_s <= sla.response[t.priority] and t.resolution_s <= res_target(t) for t in done
    ]
    worst, worst_av, agreed_sum, down_sum = "", 2.0, 0, 0
    failures, longest, longest_service = 0, 0, ""
    for service in p.services:
        planned = merge(
            [(a, b) for s, a, b, pl, _ in outages if s == service and pl]
            + [(a, b) for s, _, ok, a, b, _ in changes if s == service and ok]
        )
        window = subtract([(lo, hi)], planned)
        down = subtract(
            [
                (max(a, lo), min(b, hi))
                for a, b in merge((a, b) for s, a, b, pl, _ in outages if s == service and not pl)
                if b > lo and a < hi
            ],
            planned,
        )
        agreed = sum(cal.between(a, b) for a, b in window)
        lost = sum(cal.between(a, b) for a, b in down)
        spells = [cal.between(a, b) for a, b in down if cal.between(a, b) > 0]
        failures += len(spells)
        if spells and max(spells) > longest:
            longest, longest_service = max(spells), service
        agreed_sum, down_sum = agreed_sum + agreed, down_sum + lost
        if (agreed - lost) / agreed < worst_av:
            worst, worst_av = service, (agreed - lost) / agreed
    month_tickets = [t for t in tickets if lo <= t.opened < hi]
    return MonthFigures(
        attainment=rate(all_ok),
        response=rate(resp_ok),
        resolution=rate(res_ok),
        availability=(agreed_sum - down_sum) / agreed_sum,
        worst_service=worst,
        failures=failures,
        longest_failure_s=longest,
        longest_service=longest_service or worst,
        majors=[t for t in month_tickets if t.major],
        security=[t for t in month_tickets if t.security],
        changes=sum(1 for c in changes if lo <= c[3] < hi and c[2]),
    )


# ------------------------------------------------------------------ manager's notes

SERVICE_NAMES = {
    "erp": ("ERP 系统", "ERP system"),
    "wms": ("仓储管理系统", "warehouse management system"),
    "office-net": ("办公网络", "office network"),
    "billing": ("营收系统", "billing system"),
    "scada": ("SCADA 监控平台", "SCADA monitoring platform"),
    "portal": ("门户网站", "web portal"),
}
ROUTINE_WORK = [
    (
        "完成核心设备日常巡检 {n} 次，巡检记录已归档。",
        "Carried out {n} routine inspections of core equipment; records archived.",
    ),
    (
        "完成月度数据备份恢复演练，抽检 3 套备份均可正常恢复。",
        "Ran the monthly backup restore drill; 3 sampled backups restored correctly.",
    ),
    (
        "按变更流程实施已批准变更 {c} 项，均在维护窗口内完成。",
        "Implemented {c} approved changes, all within their maintenance windows.",
    ),
    (
        "完成服务器操作系统安全补丁评估与分批更新。",
        "Assessed and rolled out operating system security patches in batches.",
    ),
    (
        "梳理监控告警阈值，清理无效告警规则 12 条。",
        "Reviewed monitoring thresholds and removed 12 noisy alert rules.",
    ),
    (
        "完成账号权限季度核查，注销离职人员账号。",
        "Completed the quarterly access review and disabled leavers' accounts.",
    ),
    (
        "更新运维知识库文章 8 篇，覆盖常见终端和账号问题。",
        "Updated 8 knowledge base articles on common endpoint and account issues.",
    ),
    (
        "完成机房环境（温湿度、UPS、空调）月度检查。",
        "Completed the monthly machine room check (temperature, UPS, air conditioning).",
    ),
]
SEASONAL_WORK = {
    (2025, 1): (
        "制定春节保障方案，节前完成重点系统专项巡检和备件核查。",
        "Prepared the Spring Festival support plan; ran pre-holiday checks of key systems and spare parts.",
    ),
    (2025, 2): (
        "春节期间（1 月 28 日至 2 月 4 日）安排 7×24 值班，节后完成全面复检。",
        "Staffed 7x24 on-call during the Spring Festival (28 Jan - 4 Feb) and re-checked all systems afterwards.",
    ),
    (2025, 6): (
        "完成年中容量评估，提交存储和带宽扩容建议。",
        "Completed the mid-year capacity review and proposed storage and bandwidth upgrades.",
    ),
    (2025, 7): (
        "启动汛期保障，SCADA 采集链路加密巡检。",
        "Started flood-season support with more frequent checks of SCADA links.",
    ),
    (2025, 9): (
        "开展年度客户满意度调查，制定国庆保障方案。",
        "Ran the annual customer satisfaction survey and prepared the National Day support plan.",
    ),
    (2025, 10): (
        "国庆中秋假期（10 月 1 日至 8 日）安排值班保障，节后完成复检。",
        "Staffed on-call over the National Day / Mid-autumn holiday (1-8 Oct) and re-checked systems afterwards.",
    ),
}
CAUSES = {
    "holiday": (
        "节假日期间值班人手有限，部分工单需等待节后由二线工程师处理，响应和解决时间超出约定。",
        "完善节假日值班表，二线工程师远程待命；节前对常见问题编写处置手册，一线可直接处理。",
        "Few engineers were on duty over the holiday; some tickets waited for second-line engineers "
        "after the break, so response and resolution times overran.",
        "Strengthen the holiday rota with second-line engineers on remote standby, and give the first "
        "line runbooks for common issues before the holiday.",
    ),
    "flood": (
        "汛期 SCADA 采集点告警量激增，工程师集中处置现场链路故障，其他工单处理时间被挤占。",
        "汛期临时增派 1 名工程师驻场；对采集链路告警设置合并规则，减少重复工单。",
        "Flood-season alarms from SCADA collection points surged; engineers were busy with field link "
        "faults and other tickets waited.",
        "Add one on-site engineer during the flood season and merge duplicate link alarms into one ticket.",
    ),
    "default": (
        "本月部分工单涉及厂商备件和外部接口，等待时间较长，个别工单未及时挂起，导致超时。",
        "规范工单挂起操作，等待厂商或用户时及时变更状态；每日晨会跟踪临近超时工单。",
        "Some tickets depended on vendor parts or external interfaces and were not put on hold in time, "
        "so they overran.",
        "Put tickets on hold as soon as they wait for a vendor or the user, and review tickets close to "
        "their deadline at the daily stand-up.",
    ),
    "overall": (
        "项目 SLA 达成率按“工单所有时限均达标”统计，受部分工单超时影响低于 95% 的目标。",
        "按优先级和服务分析超时工单分布，对集中出现超时的类别安排专项改进。",
        "Project SLA attainment counts a ticket only when all its clocks are met; individual "
        "overruns pulled it below the 95% target.",
        "Analyse overruns by priority and service and start targeted improvements where they cluster.",
    ),
    "failures": (
        "本月{svc}等服务发生多次非计划中断，主要由硬件老化和网络设备故障引起，故障次数超过协议上限。",
        "对故障设备开展专项排查并提前更换老化部件，将同类故障纳入问题管理，跟踪根本原因整改。",
        "Several unplanned outages of the {svc_en} and other services, mostly ageing hardware and "
        "network faults, exceeded the agreed maximum number of failures.",
        "Inspect the failing devices, replace ageing parts early and track the root causes as problems.",
    ),
    "longest": (
        "最长一次中断发生在{svc}，故障定位和备件到场耗时较长，单次故障时长超过协议上限。",
        "完善故障定位手册和备件储备，对关键设备实行双机热备，缩短单次故障恢复时间。",
        "The longest outage, on the {svc_en}, took long to diagnose and to get spare parts on site, "
        "exceeding the agreed maximum duration of a single failure.",
        "Improve the diagnosis runbook and spare-part stock, and run critical devices as hot standby "
        "pairs to shorten recovery.",
    ),
    "availability": (
        "{svc}发生非计划中断，累计停机时间超出可用性目标允许范围。",
        "落实故障复盘整改措施，完善主备切换演练，缩短故障恢复时间。",
        "Unplanned outages of the {svc_en} exceeded the downtime the availability target allows.",
        "Carry out the post-incident actions and rehearse failover to shorten recovery time.",
    ),
}


def cause_kind(p: ProjectDef, year: int, month: int) -> str:
    if (year, month) in ((2025, 1), (2025, 2), (2025, 9), (2025, 10)):
        return "holiday"
    if p.key == "chuncheng" and month in (7, 8):
        return "flood"
    return "default"


def notes(p: ProjectDef, year: int, month: int, f: MonthFigures, en: bool) -> dict[str, object]:
    """The manager's texts for one report and month (zh-CN, or English with ``en``)."""
    lang = 1 if en else 0
    rng = random.Random(f"{SEED}-{p.key}-{year}-{month}")  # same picks in both languages
    work = [w[lang].format(n=rng.randint(4, 8), c=f.changes) for w in rng.sample(ROUTINE_WORK, 4)]
    if (year, month) in SEASONAL_WORK:
        work.append(SEASONAL_WORK[(year, month)][lang])
    causes: dict[str, dict[str, str]] = {}
    kind = CAUSES[cause_kind(p, year, month)]
    for key, value in (
        ("response_attainment", f.response),
        ("resolution_attainment", f.resolution),
    ):
        if value is not None and value < 0.95:
            causes[key] = {"cause": kind[2 * lang], "suggestion": kind[2 * lang + 1]}
    if f.attainment is not None and f.attainment < 0.95:
        overall = CAUSES["overall"]
        causes["sla_attainment"] = {"cause": overall[2 * lang], "suggestion": overall[2 * lang + 1]}
    for key, text, service, missed in (
        ("availability", "availability", f.worst_service, f.availability < p.sla.availability),
        ("failure_count", "failures", f.worst_service, f.failures > p.sla.max_failures),
        ("longest_failure_seconds", "longest", f.longest_service,
         f.longest_failure_s > p.sla.max_failure_s),
    ):  # fmt: skip
        if missed:
            svc_zh, svc_en = SERVICE_NAMES[service]
            cause = CAUSES[text]
            causes[key] = {
                "cause": cause[2 * lang].format(svc=svc_zh, svc_en=svc_en),
                "suggestion": cause[2 * lang + 1],
            }
    reviews = {}
    for t in f.majors:
        svc_zh, svc_en = SERVICE_NAMES[t.service]
        title, root, title_en, root_en = t.root
        at = t.opened.strftime("%m-%d %H:%M")
        reviews[t.id] = (
            f"{at}: {title_en}. Root cause: {root_en}. The on-duty engineer opened the major "
            "incident procedure within 10 minutes of the monitoring alarm and informed the customer's "
            "IT centre. Service was restored by switching to the standby; a "
            "post-incident review was held with the customer and the preventive actions are tracked "
            "in the problem record."
            if en
            else f"{at} 发生“{title}”。根本原因：{root}。处置过程：值班工程师收到监控告警后 "
            "10 分钟内启动重大事件流程，通知客户信息中心，切换至备用节点恢复业务。"
            "后续措施：已组织复盘会，完成配置核查，并将预防措施纳入问题管理跟踪。"
        )
    if f.security:
        ids = "、".join(t.id for t in f.security) if not en else ", ".join(t.id for t in f.security)
        security = (
            f"{len(f.security)} security incident(s) this month ({ids}); all contained, affected "
            "endpoints cleaned and re-scanned, no data leakage found."
            if en
            else f"本月发生信息安全事件 {len(f.security)} 起（{ids}），均已处置完毕，"
            "受影响终端已完成查杀和复扫，未发现数据泄露。"
        )
    else:
        security = "No security incidents this month." if en else "本月未发生信息安全事件。"
    ok = not causes
    if en:
        summary = (
            "Service ran smoothly this month and all agreed service levels were met."
            if ok
            else "Service was stable overall; some indicators missed their targets, see the cause "
            "analysis below."
        )
        improvements = [
            "Put on-hold tickets back in progress within one working hour of the reply.",
            "Added a dashboard of tickets approaching their deadline for the service desk.",
        ]
        plan = [
            "Continue routine inspections and patching.",
            "Follow up the open improvement items from the last review meeting.",
            "Prepare next month's change calendar with the customer.",
        ]
    else:
        summary = (
            "本月服务运行平稳，各项服务级别指标均达到协议要求。"
            if ok
            else "本月服务总体平稳，部分指标未达到协议要求，原因分析与改进措施见下文。"
        )
        improvements = [
            "挂起工单在用户回复后 1 个工作小时内恢复处理。",
            "服务台新增临近超时工单看板，每日晨会跟踪。",
        ]
        plan = [
            "继续开展日常巡检和补丁更新。",
            "跟踪上次服务回顾会议遗留的改进项。",
            "与客户确认下月变更计划和维护窗口。",
        ]
    if causes:
        improvements.append(causes[next(iter(causes))]["suggestion"])
    return {
        "summary": summary,
        "main_work": work,
        "improvements": improvements,
        "next_plan": plan,
        "security_notes": security,
        "causes": causes,
        "major_reviews": reviews,
    }


def toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def to_toml(doc: dict[str, object]) -> str:
    """Serialise the notes (strings, string lists, tables of strings/tables)."""
    head, tail = [], []
    for key, value in doc.items():
        if isinstance(value, str):
            head.append(f"{key} = {toml_str(value)}")
        elif isinstance(value, list):
            items = "".join(f"    {toml_str(v)},\n" for v in value)
            head.append(f"{key} = [\n{items}]")
        elif isinstance(value, dict):
            tail.append(f"\n[{key}]")
            for k, v in value.items():
                if isinstance(v, dict):
                    inner = ", ".join(f"{ik} = {toml_str(iv)}" for ik, iv in v.items())
                    tail.append(f"{toml_str(k)} = {{ {inner} }}")
                else:
                    tail.append(f"{toml_str(k)} = {toml_str(v)}")
    return "\n".join(head + tail) + "\n"


# ------------------------------------------------------------------ configuration

CONFIG = """\
# itsskit demo configuration (generated by generate.py; fictitious data).
# Provider: 云岭数智运维服务有限公司 (Yunling Digital Operations Services Co., Ltd.)

[calendars.office]
preset = "china"
timezone = "Asia/Shanghai"
hours = ["09:00-12:00", "13:30-18:00"]

[calendars.always]
preset = "always"
timezone = "Asia/Shanghai"

# 金牌 SLA：7×24 业务关键服务
[slas.gold]
calendar = "always"
version = "2024"
effective_from = 2024-11-01
pause_statuses = ["Awaiting User Info", "Awaiting Vendor"]
resolved_statuses = ["Resolved", "Closed"]
priority_at = "resolution"
availability = 0.999
max_failures = 2
max_failure_duration = "2h"
report_period = "monthly"
report_content = ["服务级别达成情况", "事件与服务请求统计", "重大事件回顾", "可用性与故障", "满意度", "改进计划"]
responsibilities = "乙方提供 7×24 小时远程与现场支持并按月提交服务报告；甲方指定接口人，及时确认工单并提供必要的访问权限。"
risks = "核心系统硬件老化可能导致故障增加：乙方每季度巡检并提出更换建议；重大变更须在维护窗口内实施。"
interfaces = "服务台热线 400-800-1234、服务台门户、服务邮箱；重大事件由项目经理张伟直接通报甲方信息中心。"

[slas.gold.targets.response]
P1 = "15m"
P2 = "30m"
P3 = "2h"
P4 = "4h"

[slas.gold.targets.resolution]
P1 = "4h"
P2 = "8h"
P3 = "24h"
P4 = "72h"

# 银牌 SLA：工作时间服务（法定节假日与调休按国务院通知）
[slas.silver]
calendar = "office"
version = "2024"
effective_from = 2024-11-01
pause_statuses = ["Awaiting User Info", "Awaiting Vendor"]
resolved_statuses = ["Resolved", "Closed"]
priority_at = "resolution"
availability = 0.995
max_failures = 3
max_failure_duration = "4h"
report_period = "monthly"
report_content = ["服务级别达成情况", "事件与服务请求统计", "可用性与故障", "满意度", "改进计划"]
responsibilities = "乙方在工作日 09:00–12:00、13:30–18:00 提供支持并按月提交服务报告；甲方及时确认工单、提供现场配合。"
risks = "SCADA 平台依赖厂商支持：乙方与厂商签订支持合同，故障时启动应急预案。"
interfaces = "服务台热线 400-800-1234、服务台门户；项目经理赵敏为统一对接人。"

[slas.silver.targets.response]
P1 = "30m"
P2 = "1h"
P3 = "4h"
P4 = "8h"

[slas.silver.targets.resolution]
P1 = "4h"
P2 = "8h"
P3 = "16h"
P4 = "40h"

[slas.silver.targets.turnaround]
P3 = "16h"
P4 = "40h"

[services.erp]
name = "ERP 系统"
description = "财务、采购、销售一体化企业资源计划系统"
components = ["应用服务器集群", "Oracle 数据库", "负载均衡"]
owner = "李娜"

[services.wms]
name = "仓储管理系统"
description = "仓库出入库、库位和盘点管理，连接手持扫码终端"
components = ["WMS 应用", "MySQL 数据库", "手持终端接入网关"]
owner = "王强"

[services.office-net]
name = "办公网络"
description = "总部及 6 个分拨中心的有线、无线和 VPN 网络"
components = ["核心交换机", "防火墙", "无线控制器", "SD-WAN"]
owner = "刘洋"

[services.billing]
name = "营收系统"
description = "水费抄表、计费、缴费和票据管理"
components = ["营收应用", "PostgreSQL 数据库", "第三方支付接口"]
owner = "孙浩"

[services.scada]
name = "SCADA 监控平台"
description = "水厂和管网运行数据采集与监控"
components = ["采集前置机", "实时数据库", "监控工作站"]
owner = "吴磊"

[services.portal]
name = "门户网站"
description = "对外信息公开和网上营业厅"
components = ["Web 服务器", "内容管理系统", "CDN"]
owner = "周婷"

[sources.tickets]
plugin = "csv"
kind = "tickets"
path = "data/tickets.csv"
events = "data/ticket_events.csv"
timezone = "Asia/Shanghai"

[sources.outages]
plugin = "csv"
kind = "outages"
path = "data/outages.csv"
timezone = "Asia/Shanghai"

[sources.changes]
plugin = "csv"
kind = "changes"
path = "data/changes.csv"
timezone = "Asia/Shanghai"

[sources.surveys]
plugin = "csv"
kind = "surveys"
path = "data/surveys.csv"
timezone = "Asia/Shanghai"

[projects.dianchi]
name = "滇池物流 IT 运维服务项目"
customer = "滇池物流有限公司"
sla = "gold"
services = ["erp", "wms", "office-net"]
sources = ["tickets", "outages", "changes", "surveys"]
manager = "张伟"
engineers = ["李娜", "王强", "刘洋"]
approver = "陈静"

[projects.chuncheng]
name = "春城水务 IT 运维服务项目"
customer = "春城水务集团"
sla = "silver"
services = ["billing", "scada", "portal"]
sources = ["tickets", "outages", "changes", "surveys"]
manager = "赵敏"
engineers = ["孙浩", "周婷", "吴磊"]
approver = "郑建国"

[reports.dianchi-monthly]
project = "dianchi"
title = "滇池物流 IT 运维服务月度报告"
department = "云岭数智运维服务有限公司 运维服务部"
template = "default"
requirements = "每月第 5 个自然日前提交；包含 SLA 达成、事件分析、可用性、满意度和改进计划"
period = "monthly"
data_sources = ["ITSM 工单系统", "Zabbix 监控系统", "变更管理台账", "满意度回访记录"]
collection_method = "系统导出 CSV，服务台复核"
collector = "王强"
author = "李娜"
approval = "项目经理张伟审核，客户方陈静确认后发布"
distribution = ["cio@dianchi.example.cn", "itops@dianchi.example.cn", "zhangwei@yunling.example.cn"]
audience = "滇池物流有限公司信息中心"
purpose = "向客户报告本月 IT 运维服务的服务级别达成情况、重大事件和改进计划"
language = "zh-CN"
due_days = 5
notes_dir = "notes/dianchi"

[reports.chuncheng-monthly]
project = "chuncheng"
title = "春城水务 IT 运维服务月度报告"
department = "云岭数智运维服务有限公司 运维服务部"
template = "default"
requirements = "每月第 5 个自然日前提交；包含 SLA 达成、事件分析、可用性、满意度和改进计划"
period = "monthly"
data_sources = ["ITSM 工单系统", "Zabbix 监控系统", "变更管理台账", "满意度回访记录"]
collection_method = "系统导出 CSV，服务台复核"
collector = "周婷"
author = "孙浩"
approval = "项目经理赵敏审核，客户方郑建国确认后发布"
distribution = ["xxzx@chuncheng-water.example.cn", "zhaomin@yunling.example.cn"]
audience = "春城水务集团信息中心"
purpose = "向客户报告本月 IT 运维服务的服务级别达成情况、重大事件和改进计划"
language = "zh-CN"
due_days = 5
notes_dir = "notes/chuncheng"

[reports.chuncheng-monthly-en]
project = "chuncheng"
title = "Chuncheng Water IT Operations Monthly Service Report"
department = "Yunling Digital Operations Services, Operations Department"
template = "default"
requirements = "Due by the 5th calendar day of the following month; SLA attainment, incidents, availability, satisfaction and improvements"
period = "monthly"
data_sources = ["ITSM ticketing system", "Zabbix monitoring", "Change register", "Callback records"]
collection_method = "CSV export from the systems, checked by the service desk"
collector = "周婷"
author = "孙浩"
approval = "Reviewed by the project manager (赵敏), confirmed by the customer (郑建国)"
distribution = ["partner-liaison@chuncheng-water.example.cn"]
audience = "Chuncheng Water Group, foreign partner liaison office"
purpose = "Report this month's service level attainment, major incidents and improvement plan"
language = "en"
due_days = 5
notes_dir = "notes/chuncheng-en"
"""


# ------------------------------------------------------------------ writing


def csv_text(header: list[str], rows: Iterable[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def flag(value: bool) -> str:
    return "true" if value else "false"


def ticket_rows(tickets: list[Ticket]) -> Iterator[list[str]]:
    for t in tickets:
        yield [
            t.id, t.project, t.service, t.kind, t.priority, fmt(t.opened),
            fmt(t.first("In Progress")), fmt(t.resolved), fmt(t.first("Closed")), flag(t.major),
            t.category, t.channel, fmt(t.callback), flag(t.security), t.opening_priority,
            "" if t.satisfaction is None else str(t.satisfaction), t.title,
        ]  # fmt: skip


def generate(out_dir: Path) -> dict[str, str]:
    """Build every file of the data set: relative path -> text."""
    rng = random.Random(SEED)
    files: dict[str, str] = {"itsskit.toml": CONFIG}
    tickets: list[Ticket] = []
    outage_rows: list[tuple[str, datetime, datetime, bool, str]] = []
    change_rows: list[tuple[str, str, bool, datetime, datetime, str]] = []
    per_project = {}
    for p in PROJECTS:
        pt = make_tickets(rng, p)
        po = make_outages(rng, p, pt)
        pc = make_changes(rng, p)
        per_project[p.key] = (pt, po, pc)
        tickets += pt
        outage_rows += po
        change_rows += pc
    tickets.sort(key=lambda t: (t.opened, t.id))
    surveys = make_surveys(rng, PROJECTS, tickets)
    outage_rows.sort(key=lambda o: (o[1], o[0], o[2]))
    change_rows.sort(key=lambda c: (c[3], c[0], c[5]))
    files["data/tickets.csv"] = csv_text(TICKET_COLUMNS, ticket_rows(tickets))
    files["data/ticket_events.csv"] = csv_text(
        EVENT_COLUMNS, ([t.id, fmt(at), s] for t in tickets for at, s in t.events)
    )
    files["data/outages.csv"] = csv_text(
        OUTAGE_COLUMNS,
        (
            [f"OUT-{i:04d}", s, fmt(a), fmt(b), flag(pl), c]
            for i, (s, a, b, pl, c) in enumerate(outage_rows, 1)
        ),
    )
    files["data/changes.csv"] = csv_text(
        CHANGE_COLUMNS,
        (
            [f"CHG-{a:%Y%m}-{i:04d}", s, k, flag(ok), fmt(a), fmt(b), title]
            for i, (s, k, ok, a, b, title) in enumerate(change_rows, 1)
        ),
    )
    files["data/surveys.csv"] = csv_text(SURVEY_COLUMNS, surveys)
    for p in PROJECTS:
        pt, po, pc = per_project[p.key]
        for year, month in MONTHS:
            f = figures(p, year, month, pt, po, pc)
            files[f"notes/{p.key}/{year}-{month:02d}.toml"] = to_toml(
                notes(p, year, month, f, en=False)
            )
            if p.key == "chuncheng":
                doc = notes(p, year, month, f, en=True)
                files[f"notes/chuncheng-en/{year}-{month:02d}.toml"] = to_toml(doc)
    return files


def write(out_dir: Path) -> list[Path]:
    """Write the data set under ``out_dir``; return the paths written."""
    written = []
    for rel, text in generate(out_dir).items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    for p in write(target):
        print(p.relative_to(target), p.stat().st_size)

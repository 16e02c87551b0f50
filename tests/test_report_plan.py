"""The report plan (issue 13 item 3): due times, never-built reports late, the due list, reminders.

Due times and counts are worked out by hand in the comments; the register is an
SQLite file and a real PostgreSQL database (``register_url``); reminders go to a
real aiosmtpd server on loopback.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from itsskit.cli import main
from itsskit.collect import collect
from itsskit.config import load_config
from itsskit.kpis import report_on_time
from itsskit.models import SLA, Project, Report, ReportSpec, ReportSubmission, Section
from itsskit.periods import Period
from itsskit.plugins import PluginHost
from itsskit.report_plan import (
    PlanState,
    expected_submissions,
    plan_items,
    report_periods,
    with_expected,
)
from itsskit.storage import ReportStore

Q4 = Period.parse("2025-Q4", "Asia/Shanghai")
ALPHA = Project(id="alpha", timezone="Asia/Shanghai")


def t(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}+08:00")


def spec(period: str = "monthly", due_days: int = 5, rid: str = "alpha-monthly") -> ReportSpec:
    return ReportSpec(id=rid, project="alpha", period=period, due_days=due_days, author="李娜")


# ------------------------------------------------------------------ due times


def test_monthly_reports_due_in_a_quarter_by_hand() -> None:
    # Due 5 days after each month on the Shanghai clock: Sep -> 10-06, Oct -> 11-06, Nov -> 12-06.
    subs = expected_submissions([spec()], {"alpha": ALPHA}, (Q4.start, Q4.end))
    assert [(s.period, s.due, s.submitted) for s in subs] == [
        ("2025-09", t("2025-10-06T00:00"), None),
        ("2025-10", t("2025-11-06T00:00"), None),
        ("2025-11", t("2025-12-06T00:00"), None),
    ]


def test_quarterly_and_yearly_rows_and_a_late_due_day() -> None:
    # Q3 is due 2025-10-11 (in Q4); Q4 is due 2026-01-11 (not). A yearly row due 40 days
    # after 2024 ends falls due 2025-02-10: not in Q4 2025.
    window = (Q4.start, Q4.end)
    assert [p.label for p in report_periods(spec("quarterly", 10), ALPHA, window)] == ["2025-Q3"]
    assert report_periods(spec("yearly", 40), ALPHA, window) == []
    year = Period.parse("2025")
    assert [p.label for p in report_periods(spec("yearly", 40), ALPHA, (year.start, year.end))] == [
        "2024"
    ]
    # 40 days after September is 2025-11-10: Jul? no (09-09), Aug (10-10), Sep (11-10), Oct (12-10).
    assert [p.label for p in report_periods(spec("monthly", 40), ALPHA, window)] == [
        "2025-08", "2025-09", "2025-10",
    ]  # fmt: skip


def test_a_row_without_a_schedule_expects_nothing() -> None:
    assert report_periods(spec("每月"), ALPHA, (Q4.start, Q4.end)) == []


def test_reports_are_expected_only_while_the_contract_runs() -> None:
    sla = SLA(id="gold", effective_from=date(2025, 10, 15), effective_to=date(2025, 11, 1))
    project = Project(id="alpha", timezone="Asia/Shanghai", slas=(sla,))
    # September ends before the contract starts; November starts as it ends (exclusive).
    assert [p.label for p in report_periods(spec(), project, (Q4.start, Q4.end))] == ["2025-10"]


# ------------------------------------------------------------- the on-time KPI


def test_a_never_built_report_is_late_after_its_due_time_and_not_before() -> None:
    subs = with_expected([], expected_submissions([spec()], {"alpha": ALPHA}, (Q4.start, Q4.end)))
    at_due = report_on_time(subs, Q4, t("2025-11-06T00:00"))  # Sep late; Oct due right now
    assert (at_due.numerator, at_due.denominator) == (0, 1)
    after = report_on_time(subs, Q4, t("2025-11-06T00:00:01"))  # Oct is late too
    assert (after.numerator, after.denominator) == (0, 2)
    before = report_on_time(subs, Q4, t("2025-10-05T23:59"))  # nothing due yet: not applicable
    assert (before.denominator, before.value) == (0, None)


def test_a_stored_submission_replaces_the_expected_row() -> None:
    stored = [ReportSubmission(report="alpha-monthly", project="alpha", period="2025-10",
                               due=t("2025-11-06T00:00"), submitted=t("2025-11-05T10:00"))]  # fmt: skip
    expected = expected_submissions([spec()], {"alpha": ALPHA}, (Q4.start, Q4.end))
    subs = with_expected(stored, expected)
    assert sorted(s.period for s in subs) == ["2025-09", "2025-10", "2025-11"]
    result = report_on_time(subs + tuple(expected), Q4, t("2025-12-31T00:00"))  # duplicates too
    assert (result.numerator, result.denominator) == (1, 3)  # Oct on time; Sep and Nov never


@given(
    due_days=st.lists(st.integers(0, 45), min_size=1, max_size=3),
    kinds=st.lists(st.sampled_from(["monthly", "quarterly"]), min_size=3, max_size=3),
    offsets=st.lists(st.one_of(st.none(), st.integers(-20 * 86400, 20 * 86400)), max_size=12),
    at_offset=st.integers(0, 200 * 86400),
)
def test_on_time_and_late_counts_add_up_over_the_months_of_a_quarter(
    due_days: list[int], kinds: list[str], offsets: list[int | None], at_offset: int
) -> None:
    specs = [
        spec(kind, days, f"r{i}")
        for i, (kind, days) in enumerate(zip(kinds, due_days, strict=False))
    ]
    year = Period.parse("2025")
    everything = expected_submissions(specs, {"alpha": ALPHA}, (year.start, year.end))
    stored = [  # some reports were submitted, some early, some late, others never built
        ReportSubmission(
            report=s.report,
            project=s.project,
            period=s.period,
            due=s.due,
            submitted=s.due + timedelta(seconds=offset),
        )  # fmt: skip
        for s, offset in zip(everything, offsets, strict=False)
        if offset is not None
    ]
    at = Q4.start + timedelta(seconds=at_offset)

    def counts(period: Period) -> tuple[int, int]:
        window = (period.start, period.end)
        subs = with_expected(
            [s for s in stored if period.contains(s.due)],
            expected_submissions(specs, {"alpha": ALPHA}, window),
        )
        result = report_on_time(subs, period, at)
        return result.numerator or 0, result.denominator or 0

    months = [counts(month) for month in Q4.months()]
    assert counts(Q4) == (sum(m[0] for m in months), sum(m[1] for m in months))


# ----------------------------------------------------- config, register and CLI


CONFIG = """
[calendars.office]
preset = "always"
[slas.gold]
calendar = "office"
effective_from = 2025-08-01
[slas.gold.targets.response]
P1 = "15m"
[projects.alpha]
customer = "Alpha"
sla = "gold"
[projects.beta]
customer = "Beta"
sla = "gold"
[reports.alpha-monthly]
project = "alpha"
author = "李娜"
due_days = 5
[reports.beta-quarterly]
project = "beta"
period = "quarterly"
author = "孙浩 <sunhao@example.cn>"
due_days = 10
[storage]
url = "{url}"
"""


def write_config(folder: Path, url: str, extra: str = "") -> Path:
    path = folder / "itsskit.toml"
    path.write_text(CONFIG.format(url=url) + extra, encoding="utf-8")
    return path


def store_september(url: str, folder: Path, submitted: datetime) -> None:
    """alpha-monthly 2025-09 built, saved and submitted at ``submitted``."""
    sep = Period.parse("2025-09", "Asia/Shanghai")
    report = Report(
        id="alpha-monthly", project="alpha", spec=spec(), period_label="2025-09",
        period_start=sep.start, period_end=sep.end, generated=t("2025-10-02T09:00"),
        sections=(Section(key="s", title="概述"),),
    )  # fmt: skip
    path = folder / "alpha-monthly_2025-09.html"
    path.write_text("<p>九月</p>", encoding="utf-8")
    with ReportStore.open(url) as store:
        store.save(report, {"html": path}, by="李娜", at=t("2025-10-02T09:00"),
                   timezone="Asia/Shanghai")  # fmt: skip
        store.submit("alpha-monthly", "2025-09", by="李娜", at=submitted)


def test_collect_counts_the_never_built_october_report_late(
    register_url: str, tmp_path: Path
) -> None:
    config_path = write_config(tmp_path, register_url)
    store_september(register_url, tmp_path, t("2025-10-05T18:00"))  # due 10-06: on time
    host = PluginHost.create(entry_points=False)
    config = load_config(config_path, host)
    records = collect(config, "alpha", host, window=(Q4.start, Q4.end))
    assert [(s.period, s.submitted) for s in records.submissions] == [
        ("2025-09", t("2025-10-05T18:00")), ("2025-10", None), ("2025-11", None),
    ]  # fmt: skip
    # On 2025-11-10: Sep on time, Oct (due 11-06) never built -> late, Nov not yet due.
    result = report_on_time(records.submissions, Q4, t("2025-11-10T00:00"))
    assert (result.numerator, result.denominator, result.value) == (1, 2, 0.5)
    assert result.details["late"] == [
        {"report": "alpha-monthly", "period": "2025-10", "due": "2025-11-06T00:00:00+08:00",
         "submitted": ""},
    ]  # fmt: skip


def test_report_due_lists_every_report_by_project_and_author(
    register_url: str, tmp_path: Path
) -> None:
    config_path = write_config(tmp_path, register_url)
    store_september(register_url, tmp_path, t("2025-10-07T09:00"))  # a day late
    result = CliRunner().invoke(
        main, ["report", "due", str(config_path), "--at", "2025-11-10T00:00+08:00",
               "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["period"] == "2025-Q4"
    assert [(r["project"], r["report"], r["period"], r["author"], r["due"], r["state"])
            for r in data["reports"]] == [
        ("alpha", "alpha-monthly", "2025-09", "李娜", "2025-10-06T00:00:00+08:00", "late"),
        # beta's Q3 report: due 10 days after 2025-10-01
        ("beta", "beta-quarterly", "2025-Q3", "孙浩 <sunhao@example.cn>",
         "2025-10-11T00:00:00+08:00", "overdue"),
        ("alpha", "alpha-monthly", "2025-10", "李娜", "2025-11-06T00:00:00+08:00", "overdue"),
        ("alpha", "alpha-monthly", "2025-11", "李娜", "2025-12-06T00:00:00+08:00", "due"),
    ]  # fmt: skip
    assert data["counts"] == {"on_time": 0, "late": 1, "overdue": 2, "due": 1}
    mine = CliRunner().invoke(
        main, ["report", "due", str(config_path), "--at", "2025-11-10T00:00+08:00", "--by", "李娜",
               "--period", "2025-11", "--language", "en"],
    )  # fmt: skip
    assert mine.exit_code == 0, mine.output
    lines = mine.stdout.splitlines()
    assert lines[0] == "# Report plan (2025-11, as of 2025-11-10 00:00)"
    assert lines[2].split("\t") == [
        "alpha", "alpha-monthly", "2025-10", "李娜", "2025-11-06 00:00", "", "overdue, not submitted",
    ]  # fmt: skip
    assert lines[-1] == "on time 0, submitted late 0, overdue 1, due 0"


def test_plan_items_keep_a_stored_report_whose_row_left_the_list() -> None:
    gone = ReportSubmission(report="old", project="alpha", period="2025-10",
                            due=t("2025-11-06T00:00"), submitted=None)  # fmt: skip
    items = plan_items({}, {"alpha": ALPHA}, [gone], (Q4.start, Q4.end), t("2025-12-01T00:00"))
    assert [(i.report, i.author, i.state) for i in items] == [("old", "", PlanState.OVERDUE)]


# ------------------------------------------------------------------ reminders


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_remind_sends_one_digest_per_author_through_smtp(
    smtp_server: tuple[Inbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp_server
    url = f"sqlite:///{tmp_path / 'register.db'}"
    distribution = (
        f'[distribution]\nchannel = "smtp"\n[distribution.smtp]\nhost = "127.0.0.1"\n'
        f'port = {port}\nsender = "reports@yunling.example.cn"\n'
    )
    config_path = write_config(tmp_path, url, distribution)
    store_september(url, tmp_path, t("2025-10-05T18:00"))  # submitted: no reminder for it
    result = CliRunner().invoke(
        main, ["report", "remind", str(config_path), "--within", "3",
               "--at", "2025-12-04T09:00+08:00", "--address", "李娜=lina@yunling.example.cn"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    # 李娜: Aug (the contract's first month, due 09-06) and Oct (due 11-06) overdue, Nov due
    # 12-06 (within 3 days of 12-04); Sep submitted. 孙浩: Q3 overdue (Q2 ended before the contract).
    assert result.stdout.splitlines() == [
        "孙浩 <sunhao@example.cn>\tsunhao@example.cn\tbeta-quarterly/2025-Q3\tsent",
        "李娜\tlina@yunling.example.cn\talpha-monthly/2025-08,alpha-monthly/2025-10,"
        "alpha-monthly/2025-11\tsent",
    ]
    assert sorted(tuple(e.rcpt_tos) for e in inbox.envelopes) == [
        ("lina@yunling.example.cn",), ("sunhao@example.cn",),
    ]  # fmt: skip
    lina = next(e for e in inbox.envelopes if e.rcpt_tos == ["lina@yunling.example.cn"])
    message = message_from_bytes(lina.content, policy=policy.default)
    assert "服务报告待办提醒：李娜" in str(message["Subject"])
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content().splitlines() == [
        "李娜，您好：以下服务报告已逾期或将在 3 天内到期，请尽快提交。",
        "alpha-monthly（alpha，2025-08）：应于 2025-09-06 00:00 前提交，已逾期未提交",
        "alpha-monthly（alpha，2025-10）：应于 2025-11-06 00:00 前提交，已逾期未提交",
        "alpha-monthly（alpha，2025-11）：应于 2025-12-06 00:00 前提交，待提交",
    ]


def test_remind_without_an_address_or_a_channel_says_so(
    smtp_server: tuple[Inbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp_server
    url = f"sqlite:///{tmp_path / 'register.db'}"
    no_channel = write_config(tmp_path, url)
    result = CliRunner().invoke(main, ["report", "remind", str(no_channel), "--within", "3"])
    assert result.exit_code == 2
    assert "distribution: no channel configured" in result.stderr
    distribution = (
        f'[distribution]\nchannel = "smtp"\n[distribution.smtp]\nhost = "127.0.0.1"\n'
        f'port = {port}\nsender = "reports@yunling.example.cn"\n'
    )
    config_path = write_config(tmp_path, url, distribution)
    result = CliRunner().invoke(
        main, ["report", "remind", str(config_path), "--within", "0",
               "--at", "2025-11-10T00:00+08:00"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert (
        "李娜\t\talpha-monthly/2025-08,alpha-monthly/2025-09,alpha-monthly/2025-10\tnot sent: no e-mail address for author 李娜"
        in result.stdout
    )
    assert [e.rcpt_tos for e in inbox.envelopes] == [["sunhao@example.cn"]]  # the other one went


def test_report_due_with_an_unreadable_register_or_period_is_one_line(tmp_path: Path) -> None:
    config_path = write_config(tmp_path, f"sqlite:///{tmp_path / 'register.db'}")
    runner = CliRunner()
    bad_db = runner.invoke(
        main, ["report", "due", str(config_path), "--db", "postgresql+psycopg://x@127.0.0.1:1/no"]
    )
    assert bad_db.exit_code == 2
    (line,) = bad_db.stderr.strip().splitlines()
    assert line.startswith("Error: --db: cannot read the report register (OperationalError:")
    bad_period = runner.invoke(main, ["report", "due", str(config_path), "--period", "2025-13"])
    assert bad_period.exit_code == 2
    assert bad_period.stderr.strip() == "Error: --period: period '2025-13': month must be 01..12"

"""The report plan and its reminders (``itsskit report due`` / ``itsskit report remind``).

The worklist comes from :mod:`itsskit.report_plan` (the report list, the
project contracts) and the register's submissions, read only.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path

import attrs

from itsskit.collect import stored_submissions
from itsskit.config import Config, ConfigError, make_channel
from itsskit.contracts import Channel
from itsskit.models import Report, ReportSpec, Section
from itsskit.periods import Period
from itsskit.plugins import PluginHost
from itsskit.report_plan import PlanItem, PlanState, by_author, plan_items
from itsskit.times import DEFAULT_TIMEZONE
from itsskit.wording import Texts

__all__ = ["REMIND_LOOKBACK", "Reminder", "ReportPlan", "remind_authors", "report_plan"]

#: How far back ``remind`` looks for reports still overdue.
REMIND_LOOKBACK = timedelta(days=366)
_NAMED_ADDRESS = re.compile(r"<([^<>@\s]+@[^<>\s]+)>\s*$")


@attrs.frozen(kw_only=True)
class ReportPlan:
    """The reports due in ``period`` and their state at ``at``."""

    period: Period
    at: datetime
    items: tuple[PlanItem, ...]

    def count(self, state: PlanState) -> int:
        """How many items are in ``state``."""
        return sum(item.state == state for item in self.items)


@attrs.frozen(kw_only=True)
class Reminder:
    """One author's digest: what it listed, where it went, and why not when it did not."""

    author: str
    address: str
    items: tuple[PlanItem, ...]
    error: str = ""

    @property
    def sent(self) -> bool:
        """True when the channel took the message."""
        return not self.error


def report_plan(
    config: Config,
    *,
    at: datetime,
    period: Period | str | None = None,
    author: str | None = None,
    db: str | None = None,
) -> ReportPlan:
    """Every report due in ``period`` (default: the quarter of ``at``, the on-time KPI's).

    A ``period`` label (``2025-10``, ``2025-Q4``, ``2025``) is read in the projects'
    timezone (a ``ValueError`` when malformed). ``author`` keeps that author's
    reports only; ``db`` reads another register than ``[storage] url``.
    Never-built reports are in it (see :mod:`itsskit.report_plan`).
    """
    zone = _timezone(config)
    if not isinstance(period, Period):
        period = Period.parse(period or _quarter_label(at, zone), zone)
    items = plan_items(
        config.reports, config.projects, stored_submissions(config, url=db),
        (period.start, period.end), at,
    )  # fmt: skip
    if author is not None:
        items = [item for item in items if item.author == author]
    return ReportPlan(period=period, at=at, items=tuple(items))


def remind_authors(
    config: Config,
    *,
    host: PluginHost,
    at: datetime,
    within_days: int,
    addresses: Mapping[str, str] | None = None,
    language: str = "zh-CN",
    db: str | None = None,
) -> list[Reminder]:
    """Send each author one digest of their reports overdue or due within ``within_days``.

    Through the configured ``[distribution]`` channel; ``addresses`` maps an
    author to an e-mail address (an author written ``李娜 <lina@example.cn>``
    carries their own). Each author's message is sent on its own: a failure
    (no address, the channel raising) is in that author's :class:`Reminder`.
    Raises :class:`~itsskit.config.ConfigError` when no channel is configured.
    """
    if within_days < 0:
        raise ValueError(f"within_days must be 0 or more, got {within_days}")
    channel = make_channel(config, host)
    if channel is None:
        raise ConfigError(
            [f"{config.path}: distribution: no channel configured; reminders are sent through it"]
        )
    window = (at - REMIND_LOOKBACK, at + timedelta(days=within_days))
    stored = stored_submissions(config, url=db)
    items = plan_items(config.reports, config.projects, stored, window, at)
    waiting = [item for item in items if item.state in (PlanState.OVERDUE, PlanState.DUE)]
    texts = Texts(language)
    reminders = []
    for author, mine in by_author(waiting).items():
        address = _address(author, addresses or {})
        error = "" if address else f"no e-mail address for author {author or '(none)'}"
        if address:
            error = _send(channel, texts, author, address, mine, at, within_days)
        reminders.append(Reminder(author=author, address=address, items=tuple(mine), error=error))
    return reminders


def digest_lines(texts: Texts, author: str, items: list[PlanItem], within_days: int) -> list[str]:
    """The reminder's text: a greeting, then one line per report."""
    lines = [texts("remind.intro", author=author, days=within_days)]
    for item in items:
        lines.append(
            texts(
                "remind.line", report=item.report, project=item.project, period=item.period,
                due=item.due.strftime("%Y-%m-%d %H:%M"), state=texts(f"due.state.{item.state}"),
            )
        )  # fmt: skip
    return lines


def _send(
    channel: Channel,
    texts: Texts,
    author: str,
    address: str,
    items: list[PlanItem],
    at: datetime,
    within_days: int,
) -> str:
    """Send one digest; '' when sent, else the channel's one-line reason."""
    lines = digest_lines(texts, author, items, within_days)
    report = _digest_report(texts, author, lines, at)
    with tempfile.TemporaryDirectory(prefix="itsskit-remind-") as folder:
        path = Path(folder) / f"reminder_{at:%Y-%m-%d}.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            channel.send(report, {"txt": path}, [address])
        except Exception as exc:  # noqa: BLE001 - one author's failure is theirs alone
            return f"{type(exc).__name__}: {' '.join(str(exc).split())}"
    return ""


def _digest_report(texts: Texts, author: str, lines: list[str], at: datetime) -> Report:
    """The digest as the :class:`Report` a channel sends (its text attached)."""
    title = texts("remind.title", author=author)
    spec = ReportSpec(id="reminder", project="", title=title, language=texts.language)
    return Report(
        id="reminder", project="", spec=spec,
        period_label=texts("remind.as_of", date=f"{at:%Y-%m-%d}"),
        period_start=at, period_end=at, generated=at, language=texts.language,
        sections=(Section(key="reminder", title=title, paragraphs=tuple(lines)),),
    )  # fmt: skip


def _address(author: str, addresses: Mapping[str, str]) -> str:
    if author in addresses:
        return addresses[author]
    match = _NAMED_ADDRESS.search(author)
    return match[1] if match else ""


def _timezone(config: Config) -> str:
    """The projects' common timezone, else the default (Asia/Shanghai)."""
    zones = {project.timezone for project in config.projects.values()}
    return zones.pop() if len(zones) == 1 else DEFAULT_TIMEZONE


def _quarter_label(at: datetime, timezone: str) -> str:
    from zoneinfo import ZoneInfo

    local = at.astimezone(ZoneInfo(timezone))
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"

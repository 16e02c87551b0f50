"""``itsskit report due`` and ``itsskit report remind``: the report plan (seeds 0602 §6, 001 §8).

Exit codes: 0 done; 1 some reminder could not be sent; 2 a usage or
configuration error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import click

from itsskit.cli import Failure, UsageProblem, load, parse_at, print_table
from itsskit.config import Config, ConfigError
from itsskit.models import LANGUAGES
from itsskit.report_plan import PlanItem, PlanState
from itsskit.services.plan import ReportPlan, remind_authors, report_plan
from itsskit.times import DEFAULT_TIMEZONE
from itsskit.wording import Texts

__all__ = ["due", "mount", "remind"]

_CONFIG = click.argument("config", type=click.Path(exists=True, dir_okay=False, path_type=Path))
_AT = click.option("--at", "at_text", help="The evaluation instant, ISO 8601 (default: now).")
_DB = click.option("--db", help="Database URL or SQLite file (default: [storage] url).")
_LANGUAGE = click.option(
    "--language", type=click.Choice(LANGUAGES), default="zh-CN", show_default=True
)


@click.command()
@_CONFIG
@_AT
@click.option("--period", "period_text", help="Reports due in: 2025-10, 2025-Q4 or 2025 "
              "(default: the quarter of --at, the on-time KPI's period).")  # fmt: skip
@click.option("--by", "author", help="Only this author's reports.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
@_DB
@_LANGUAGE
def due(
    config: Path, at_text: str | None, period_text: str | None, author: str | None, output: str,
    db: str | None, language: str,
) -> None:  # fmt: skip
    """Every report due in the period: on time, late, overdue or still due, by project and author.

    A report of the report list that was never built or never submitted is
    overdue once its due time has passed, and counts as late in the on-time KPI.
    """
    settings, _host = load(config)
    at = parse_at(at_text, DEFAULT_TIMEZONE) or datetime.now(UTC)
    with _register_errors(settings, db):
        try:
            plan = report_plan(settings, at=at, period=period_text, author=author, db=db)
        except ValueError as exc:
            raise UsageProblem(f"--period: {exc}") from None
    if output == "json":
        click.echo(json.dumps(_as_json(plan), ensure_ascii=False, indent=2))
        return
    texts = Texts(language)
    headers = [texts(f"due.{key}") for key in
               ("project", "report", "period", "author", "due", "submitted", "state")]  # fmt: skip
    rows = [_row(item, texts) for item in plan.items]
    title = texts("due.title", period=plan.period.label, at=f"{plan.at:%Y-%m-%d %H:%M}")
    print_table(headers, rows, title=title)
    counts = {state.value: plan.count(state) for state in PlanState}
    click.echo(texts("due.summary", **counts))


@click.command()
@_CONFIG
@click.option("--within", "within_days", type=click.IntRange(min=0), required=True,
              help="Remind of reports due within this many days (and every overdue one).")  # fmt: skip
@_AT
@click.option("--address", "address_texts", multiple=True, metavar="NAME=EMAIL",
              help="An author's e-mail address (repeatable).")  # fmt: skip
@_DB
@_LANGUAGE
def remind(
    config: Path, within_days: int, at_text: str | None, address_texts: tuple[str, ...],
    db: str | None, language: str,
) -> None:  # fmt: skip
    """Send each author one digest of their reports overdue or due within N days.

    Through the configured [distribution] channel. Prints one line per author:
    author, address, reports, sent or the reason it was not.
    """
    settings, host = load(config)
    at = parse_at(at_text, DEFAULT_TIMEZONE) or datetime.now(UTC)
    addresses = dict(_address(text) for text in address_texts)
    with _register_errors(settings, db):
        reminders = remind_authors(
            settings, host=host, at=at, within_days=within_days, addresses=addresses,
            language=language, db=db,
        )  # fmt: skip
    for reminder in reminders:
        outcome = "sent" if reminder.sent else f"not sent: {reminder.error}"
        reports = ",".join(f"{item.report}/{item.period}" for item in reminder.items)
        click.echo(f"{reminder.author}\t{reminder.address}\t{reports}\t{outcome}")
    failed = [r.author for r in reminders if not r.sent]
    if failed:
        raise Failure(f"{len(failed)} reminder(s) not sent: {', '.join(failed)}")


def mount(group: click.Group) -> None:
    """Add ``due`` and ``remind`` to ``group`` (the ``itsskit report`` group)."""
    group.add_command(due)
    group.add_command(remind)


@contextmanager
def _register_errors(config: Config, db: str | None) -> Iterator[None]:
    """A configuration error, or a register that cannot be read, as one line (exit 2)."""
    from sqlalchemy.exc import SQLAlchemyError  # the register's library, loaded on use

    where = "--db" if db else f"{config.path}: storage.url"
    try:
        yield
    except ConfigError as exc:
        raise UsageProblem(str(exc)) from None
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise UsageProblem(
            f"{where}: cannot read the report register ({type(exc).__name__}: {reason})"
        ) from None


def _row(item: PlanItem, texts: Texts) -> list[str]:
    submitted = f"{item.submitted:%Y-%m-%d %H:%M}" if item.submitted else ""
    return [item.project, item.report, item.period, item.author or texts("due.none"),
            f"{item.due:%Y-%m-%d %H:%M}", submitted, texts(f"due.state.{item.state}")]  # fmt: skip


def _as_json(plan: ReportPlan) -> dict[str, object]:
    return {
        "period": plan.period.label,
        "at": plan.at.isoformat(),
        "counts": {state.value: plan.count(state) for state in PlanState},
        "reports": [
            {
                "project": item.project,
                "report": item.report,
                "period": item.period,
                "author": item.author,
                "due": item.due.isoformat(),
                "submitted": item.submitted.isoformat() if item.submitted else None,
                "state": item.state.value,
            }  # fmt: skip
            for item in plan.items
        ],
    }


def _address(text: str) -> tuple[str, str]:
    name, sep, address = text.partition("=")
    if not sep or not name.strip() or "@" not in address:
        raise UsageProblem(f"--address {text!r}: expected NAME=EMAIL, e.g. 李娜=lina@example.cn")
    return name.strip(), address.strip()

"""The report store: built reports, their versions and lifecycle, on SQLAlchemy 2.x.

:meth:`ReportStore.open` takes a SQLAlchemy URL (any database in production)
or a file path (an embedded SQLite database, the default
``<config dir>/itsskit.db``). One row per report version holds the
:class:`~itsskit.models.Report` as JSON (through the one converter); beside it
the lifecycle steps (who, when, from, to, note), the rendered files (format,
path, SHA-256), deliveries (distribution and archive), review minutes with
their improvement items, and the report submissions that feed the on-time KPI
(:func:`itsskit.kpis.report_on_time`).

Every change is one transaction. A step with an outside effect (sending the
report, archiving it) runs the effect inside the transaction before anything
is written: when the effect fails, nothing is recorded and the state is
unchanged. Files are written (atomically, by the renderer or the archive
store) before the row that names them commits.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import attrs
from sqlalchemy import (
    Column,
    Connection,
    CursorResult,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    Row,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.engine import make_url

from itsskit.contracts import ArchiveStore, Channel
from itsskit.converter import converter
from itsskit.lifecycle import (
    LifecycleError,
    LifecycleStep,
    check_decider,
    check_transition,
    due_time,
)
from itsskit.models import ImprovementItem, Report, ReportStatus, ReportSubmission, Transition
from itsskit.periods import Period

__all__ = [
    "Delivery",
    "ReportStore",
    "ReportSummary",
    "Review",
    "StoredFile",
    "StoredReport",
    "database_url",
    "sha256_of",
]

S = ReportStatus

# ------------------------------------------------------------------------ schema

metadata = MetaData()

reports_table = Table(
    "reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("report", String(200), nullable=False),
    Column("project", String(200), nullable=False),
    Column("period", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("title", Text, nullable=False),
    Column("data", Text, nullable=False),
    UniqueConstraint("report", "period", "version"),
)
transitions_table = Table(
    "transitions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("report_row", ForeignKey("reports.id"), nullable=False),
    Column("from_status", String(20)),
    Column("to_status", String(20), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", String(40), nullable=False),
    Column("note", Text, nullable=False),
)
files_table = Table(
    "files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("report_row", ForeignKey("reports.id"), nullable=False),
    Column("format", String(50), nullable=False),
    Column("path", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
)
deliveries_table = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("report_row", ForeignKey("reports.id"), nullable=False),
    Column("action", String(20), nullable=False),  # "published" or "archived"
    Column("plugin", String(100), nullable=False),
    Column("target", Text, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", String(40), nullable=False),
)
reviews_table = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("report_row", ForeignKey("reports.id"), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("held", String(40), nullable=False),
    Column("minutes", Text, nullable=False),
)
improvements_table = Table(
    "improvement_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("review", ForeignKey("reviews.id"), nullable=False),
    Column("item_id", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("owner", String(200), nullable=False),
    Column("due", String(10)),
    Column("done", String(10)),
)
submissions_table = Table(
    "submissions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("report", String(200), nullable=False),
    Column("project", String(200), nullable=False),
    Column("period", String(64), nullable=False),
    Column("due", String(40), nullable=False),
    Column("submitted", String(40)),
    UniqueConstraint("report", "period"),
)

# ----------------------------------------------------------------------- results


@attrs.frozen(kw_only=True)
class StoredFile:
    """A rendered file of a report version and the SHA-256 it had when stored."""

    format: str
    path: Path
    sha256: str


@attrs.frozen(kw_only=True)
class Delivery:
    """Where a version went: ``published`` through a channel, or ``archived`` to a store."""

    action: str
    plugin: str
    target: str
    by: str
    at: datetime


@attrs.frozen(kw_only=True)
class Review:
    """The review meeting of a published report (seed 001 step 7)."""

    by: str
    held: datetime
    minutes: str
    items: tuple[ImprovementItem, ...] = ()


@attrs.frozen(kw_only=True)
class ReportSummary:
    """One line of :meth:`ReportStore.reports`: the latest version of a report and period."""

    report: str
    project: str
    period: str
    version: int
    status: ReportStatus
    title: str


@attrs.frozen(kw_only=True)
class StoredReport:
    """A stored report version with everything recorded about it.

    ``report.status``, ``report.version`` and ``report.history`` come from the
    store; ``steps`` are the same steps with their ``from`` state.
    """

    report: Report
    files: Mapping[str, StoredFile]
    steps: tuple[LifecycleStep, ...]
    deliveries: tuple[Delivery, ...] = ()
    review: Review | None = None

    @property
    def name(self) -> str:
        """``<report> <period> v<version>``, as used in messages."""
        return describe(self.report.id, self.report.period_label, self.report.version)

    @property
    def status(self) -> ReportStatus:
        """The version's lifecycle state."""
        return self.report.status


def describe(report_id: str, period: str, version: int | None = None) -> str:
    """How messages name a report: ``dianchi-monthly 2025-10 v2``."""
    return f"{report_id} {period}" + (f" v{version}" if version is not None else "")


def sha256_of(path: Path) -> str:
    """The hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def database_url(url_or_path: str | Path) -> str:
    """A SQLAlchemy URL: given as is, or ``sqlite:///<absolute path>`` for a file path."""
    text = str(url_or_path)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def _when(at: datetime | None) -> datetime:
    """The time of a step: ``at``, which must be timezone-aware, or now."""
    if at is None:
        return datetime.now(UTC)
    if at.tzinfo is None:
        raise ValueError(f"the time of a lifecycle step must be timezone-aware, got {at}")
    return at


# ------------------------------------------------------------------------- store


class ReportStore:
    """Reports and their lifecycle in a SQL database. Open with :meth:`open`; close after use.

    A report is named by its report id (the ``[reports.ID]`` row) and period
    label; each resubmission after a return is a new version, and every
    version is kept. Steps raise :class:`~itsskit.lifecycle.LifecycleError`
    naming the report, its state and the allowed next states.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        metadata.create_all(engine)

    @classmethod
    def open(cls, url_or_path: str | Path) -> ReportStore:
        """Open (and create when new) the store at a SQLAlchemy URL or a SQLite file path."""
        url = make_url(database_url(url_or_path))
        sqlite = url.get_backend_name() == "sqlite"
        if sqlite and url.database not in (None, "", ":memory:"):
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        if sqlite:
            event.listen(engine, "connect", _sqlite_foreign_keys)
        try:
            return cls(engine)
        except BaseException:
            engine.dispose()
            raise

    @property
    def url(self) -> str:
        """The database URL (password hidden)."""
        return self._engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()

    def __enter__(self) -> ReportStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ queries

    def has(self, report_id: str, period: str) -> bool:
        """True when some version of the report for ``period`` is stored."""
        with self._engine.connect() as conn:
            return _latest_row(conn, report_id, period) is not None

    def get(self, report_id: str, period: str, version: int | None = None) -> StoredReport:
        """A stored version (default the latest); :class:`LifecycleError` when there is none."""
        with self._engine.connect() as conn:
            return _load(conn, _row(conn, report_id, period, version))

    def versions(self, report_id: str, period: str) -> list[StoredReport]:
        """Every stored version, oldest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(reports_table)
                .where(reports_table.c.report == report_id, reports_table.c.period == period)
                .order_by(reports_table.c.version)
            ).all()
            return [_load(conn, row) for row in rows]

    def history(self, report_id: str, period: str) -> list[LifecycleStep]:
        """Every step of every version, in the order they happened."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(transitions_table, reports_table.c.version)
                .join(reports_table, transitions_table.c.report_row == reports_table.c.id)
                .where(reports_table.c.report == report_id, reports_table.c.period == period)
                .order_by(transitions_table.c.id)
            ).all()
        return [_step(report_id, period, row.version, row) for row in rows]

    def reports(
        self,
        *,
        project: str | None = None,
        period: str | None = None,
        status: ReportStatus | str | None = None,
    ) -> list[ReportSummary]:
        """The latest version of every stored report, filtered, sorted by period then report."""
        r = reports_table.c
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(r.report, r.project, r.period, r.version, r.status, r.title).order_by(
                    r.version
                )
            ).all()
        latest = {(row.report, row.period): row for row in rows}
        summaries = [
            ReportSummary(
                report=row.report,
                project=row.project,
                period=row.period,
                version=row.version,
                status=S(row.status),
                title=row.title,
            )
            for row in latest.values()
            if (project is None or row.project == project)
            and (period is None or row.period == period)
            and (status is None or row.status == status)
        ]
        return sorted(summaries, key=lambda s: (s.period, s.report))

    def submissions(self, period: Period) -> list[ReportSubmission]:
        """The reports due in ``period``: when due and when first submitted (on-time KPI)."""
        return [sub for sub in self.all_submissions() if period.contains(sub.due)]

    def all_submissions(self) -> list[ReportSubmission]:
        """Every report that has fallen due or will: when due, when first submitted."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(submissions_table).order_by(submissions_table.c.id)).all()
        return [
            ReportSubmission(
                report=row.report,
                project=row.project,
                period=row.period,
                due=datetime.fromisoformat(row.due),
                submitted=datetime.fromisoformat(row.submitted) if row.submitted else None,
            )
            for row in rows
        ]

    # -------------------------------------------------------------------- steps

    def save(
        self,
        report: Report,
        files: Mapping[str, Path],
        *,
        by: str,
        at: datetime | None = None,
        timezone: str | None = None,
    ) -> StoredReport:
        """Store a built report as a draft with its rendered files.

        The first save creates version 1; saving again while the latest
        version is a draft replaces that draft (content and files). Any other
        state is an error: a returned report gets new content through
        :meth:`submit`. ``timezone`` (the project's) places the due time.
        """
        at = _when(at)
        hashes = _hashes(files)
        period = report.period_label
        with self._engine.begin() as conn:
            row = _latest_row(conn, report.id, period)
            if row is None:
                row_id = _insert_version(conn, report, 1, S.DRAFT)
                _insert_step(conn, row_id, None, S.DRAFT, by, at, "")
                due = due_time(report.period_end, report.spec.due_days, timezone)
                conn.execute(
                    insert(submissions_table).values(
                        report=report.id, project=report.project, period=period,
                        due=due.isoformat(), submitted=None,
                    )
                )  # fmt: skip
            elif row.status == S.DRAFT:
                row_id = row.id
                _update(conn, row, data=_dump(report), title=report.spec.title)
                conn.execute(delete(files_table).where(files_table.c.report_row == row_id))
            else:
                raise LifecycleError(
                    f"report {describe(report.id, period, row.version)} is {row.status}:"
                    " only a draft can be replaced"
                    + (" (resubmit it with the new content)" if row.status == S.RETURNED else "")
                )
            _insert_files(conn, row_id, files, hashes)
        return self.get(report.id, period)

    def submit(
        self,
        report_id: str,
        period: str,
        *,
        by: str,
        at: datetime | None = None,
        note: str = "",
        report: Report | None = None,
        files: Mapping[str, Path] | None = None,
    ) -> StoredReport:
        """Submit the draft, or resubmit a returned report as a new version.

        A resubmission takes the rebuilt ``report`` and ``files`` when given,
        else the returned version's content. The first submission of a report
        and period is its submitted time for the on-time KPI.
        """
        at = _when(at)
        hashes = _hashes(files or {})
        with self._engine.begin() as conn:
            row = _row(conn, report_id, period)
            name = describe(report_id, period, row.version)
            check_transition(name, S(row.status), S.SUBMITTED)
            if report is not None and (report.id, report.period_label) != (report_id, period):
                raise LifecycleError(
                    f"report {describe(report_id, period)}: the new content is "
                    f"{describe(report.id, report.period_label)}"
                )
            if row.status == S.RETURNED:
                content = report or _load_report(row.data)
                row_id = _insert_version(conn, content, row.version + 1, S.SUBMITTED)
                _insert_step(conn, row_id, S.RETURNED, S.SUBMITTED, by, at, note)
                if files is None:
                    _copy_files(conn, row.id, row_id)
                else:
                    _insert_files(conn, row_id, files, hashes)
            elif report is not None or files is not None:
                raise LifecycleError(
                    f"report {name} is a draft: save the new content first, then submit"
                )
            else:
                _move(conn, row, S.SUBMITTED, by, at, note)
            conn.execute(
                update(submissions_table)
                .where(
                    submissions_table.c.report == report_id,
                    submissions_table.c.period == period,
                    submissions_table.c.submitted.is_(None),
                )
                .values(submitted=at.isoformat())
            )
        return self.get(report_id, period)

    def approve(
        self,
        report_id: str,
        period: str,
        *,
        by: str,
        approver: str = "",
        at: datetime | None = None,
        note: str = "",
    ) -> StoredReport:
        """Approve the submitted version (by ``approver`` when the project names one)."""
        return self._decide(report_id, period, S.APPROVED, by, approver, _when(at), note)

    def rework(
        self,
        report_id: str,
        period: str,
        *,
        by: str,
        approver: str = "",
        at: datetime | None = None,
        note: str = "",
    ) -> StoredReport:
        """Return the submitted version to its author for rework (``itsskit report return``)."""
        return self._decide(report_id, period, S.RETURNED, by, approver, _when(at), note)

    def publish(
        self,
        report_id: str,
        period: str,
        *,
        by: str,
        channel: Channel | None = None,
        at: datetime | None = None,
        note: str = "",
    ) -> StoredReport:
        """Publish the approved version: send its files to the distribution list.

        Without a ``channel`` the publication is only recorded (posted
        elsewhere). The files must be unchanged since they were stored. If the
        channel raises, nothing is recorded and the report stays approved.
        """
        at = _when(at)

        def send(conn: Connection, row_id: int, stored: StoredReport) -> None:
            if channel is None:
                return
            recipients = stored.report.spec.distribution
            if not recipients:
                raise LifecycleError(
                    f"report {stored.name}: its distribution list is empty "
                    f"(set distribution = [...] in [reports.{report_id}])"
                )
            channel.send(stored.report, _checked_files(stored), recipients)
            _insert_delivery(conn, row_id, "published", channel.name, ", ".join(recipients), by, at)

        return self._transition(report_id, period, S.PUBLISHED, by, at, note, send)

    def review(
        self,
        report_id: str,
        period: str,
        *,
        by: str,
        minutes: str,
        items: Iterable[ImprovementItem | str] = (),
        at: datetime | None = None,
        note: str = "",
    ) -> StoredReport:
        """Record the review meeting of the published version: minutes and improvement items.

        A plain string item becomes an :class:`ImprovementItem`; items without
        an id get ``<report>-<period>-v<version>-<n>``.
        """
        if not minutes.strip():
            raise LifecycleError(f"report {describe(report_id, period)}: the minutes are empty")
        at = _when(at)

        def record(conn: Connection, row_id: int, stored: StoredReport) -> None:
            review_id = _new_id(
                conn.execute(
                    insert(reviews_table).values(
                        report_row=row_id, actor=by, held=at.isoformat(), minutes=minutes
                    )
                )
            )
            for number, entry in enumerate(items, start=1):
                item = _improvement(entry, stored, number)
                conn.execute(
                    insert(improvements_table).values(
                        review=review_id, item_id=item.id, description=item.description,
                        source=item.source, owner=item.owner, due=_iso(item.due), done=_iso(item.done),
                    )
                )  # fmt: skip

        return self._transition(report_id, period, S.REVIEWED, by, at, note, record)

    def archive(
        self,
        report_id: str,
        period: str,
        *,
        by: str,
        store: ArchiveStore,
        at: datetime | None = None,
        note: str = "",
    ) -> StoredReport:
        """Archive the reviewed version: its files and the review minutes go to ``store``.

        If the store raises, nothing is recorded and the report stays reviewed.
        """
        at = _when(at)

        def put(conn: Connection, row_id: int, stored: StoredReport) -> None:
            files = _checked_files(stored)
            with tempfile.TemporaryDirectory(prefix="itsskit-archive-") as folder:
                if stored.review is not None:
                    minutes = Path(folder) / "minutes.txt"
                    minutes.write_text(_minutes_text(stored.review), encoding="utf-8")
                    files["minutes"] = minutes
                location = store.archive(stored.report, files)
            _insert_delivery(conn, row_id, "archived", store.name, location, by, at)

        return self._transition(report_id, period, S.ARCHIVED, by, at, note, put)

    # ----------------------------------------------------------------- internals

    def _decide(
        self,
        report_id: str,
        period: str,
        target: ReportStatus,
        by: str,
        approver: str,
        at: datetime,
        note: str,
    ) -> StoredReport:
        def check(_conn: Connection, _row_id: int, stored: StoredReport) -> None:
            submitted = [s for s in stored.steps if s.to_status == S.SUBMITTED]
            submitter = submitted[-1].by if submitted else ""
            check_decider(stored.name, by, approver=approver, submitter=submitter)

        return self._transition(report_id, period, target, by, at, note, check)

    def _transition(
        self,
        report_id: str,
        period: str,
        target: ReportStatus,
        by: str,
        at: datetime,
        note: str,
        effect: Callable[[Connection, int, StoredReport], None],
    ) -> StoredReport:
        """Check ``latest -> target``, run ``effect``, then record the step: all or nothing.

        ``effect(conn, row id, stored version)`` may raise to refuse the step.
        """
        with self._engine.begin() as conn:
            row = _row(conn, report_id, period)
            check_transition(describe(report_id, period, row.version), S(row.status), target)
            effect(conn, row.id, _load(conn, row))
            _move(conn, row, target, by, at, note)
        return self.get(report_id, period)


# -------------------------------------------------------------------------- rows


def _row(conn: Connection, report_id: str, period: str, version: int | None = None) -> Row[Any]:
    """The row of a version (default the latest); :class:`LifecycleError` when not stored."""
    if version is None:
        row = _latest_row(conn, report_id, period)
    else:
        row = conn.execute(
            select(reports_table).where(
                reports_table.c.report == report_id,
                reports_table.c.period == period,
                reports_table.c.version == version,
            )
        ).first()
    if row is None:
        raise LifecycleError(
            f"report {describe(report_id, period, version)} is not stored "
            "(build it first: itsskit report batch, or ReportStore.save)"
        )
    return row


def _latest_row(conn: Connection, report_id: str, period: str) -> Row[Any] | None:
    return conn.execute(
        select(reports_table)
        .where(reports_table.c.report == report_id, reports_table.c.period == period)
        .order_by(reports_table.c.version.desc())
        .limit(1)
    ).first()


def _load(conn: Connection, row: Row[Any]) -> StoredReport:
    """The version in ``row`` with its steps, files, deliveries and review."""
    steps = tuple(
        _step(row.report, row.period, row.version, step)
        for step in conn.execute(
            select(transitions_table)
            .where(transitions_table.c.report_row == row.id)
            .order_by(transitions_table.c.id)
        )
    )
    files = {
        f.format: StoredFile(format=f.format, path=Path(f.path), sha256=f.sha256)
        for f in conn.execute(
            select(files_table).where(files_table.c.report_row == row.id).order_by(files_table.c.id)
        )
    }
    deliveries = tuple(
        Delivery(
            action=d.action, plugin=d.plugin, target=d.target, by=d.actor,
            at=datetime.fromisoformat(d.at),
        )
        for d in conn.execute(
            select(deliveries_table)
            .where(deliveries_table.c.report_row == row.id)
            .order_by(deliveries_table.c.id)
        )
    )  # fmt: skip
    history = tuple(Transition(status=s.to_status, at=s.at, by=s.by, note=s.note) for s in steps)
    report = attrs.evolve(
        _load_report(row.data), status=S(row.status), version=row.version, history=history
    )
    return StoredReport(
        report=report,
        files=files,
        steps=steps,
        deliveries=deliveries,
        review=_review(conn, row.id),
    )


def _review(conn: Connection, row_id: int) -> Review | None:
    review = conn.execute(
        select(reviews_table)
        .where(reviews_table.c.report_row == row_id)
        .order_by(reviews_table.c.id.desc())
    ).first()
    if review is None:
        return None
    items = tuple(
        ImprovementItem(
            id=i.item_id, description=i.description, source=i.source,
            owner=i.owner, due=_date(i.due), done=_date(i.done),
        )
        for i in conn.execute(
            select(improvements_table)
            .where(improvements_table.c.review == review.id)
            .order_by(improvements_table.c.id)
        )
    )  # fmt: skip
    return Review(
        by=review.actor,
        held=datetime.fromisoformat(review.held),
        minutes=review.minutes,
        items=items,
    )


def _insert_version(conn: Connection, report: Report, version: int, status: ReportStatus) -> int:
    result = conn.execute(
        insert(reports_table).values(
            report=report.id, project=report.project, period=report.period_label,
            version=version, status=status, title=report.spec.title, data=_dump(report),
        )
    )  # fmt: skip
    return _new_id(result)


def _update(conn: Connection, row: Row[Any], **values: Any) -> None:
    """Change the version's row, unless its state changed since ``row`` was read."""
    changed = conn.execute(
        update(reports_table)
        .where(reports_table.c.id == row.id, reports_table.c.status == row.status)
        .values(**values)
    )
    if changed.rowcount != 1:
        name = describe(row.report, row.period, row.version)
        raise LifecycleError(f"report {name} was changed by someone else meanwhile; try again")


def _move(
    conn: Connection, row: Row[Any], target: ReportStatus, by: str, at: datetime, note: str
) -> None:
    """Move the version in ``row`` to ``target`` and record the step."""
    _update(conn, row, status=target)
    _insert_step(conn, row.id, S(row.status), target, by, at, note)


def _insert_step(
    conn: Connection,
    row_id: int,
    from_status: ReportStatus | None,
    to_status: ReportStatus,
    by: str,
    at: datetime,
    note: str,
) -> None:
    conn.execute(
        insert(transitions_table).values(
            report_row=row_id, from_status=from_status, to_status=to_status,
            actor=by, at=at.isoformat(), note=note,
        )
    )  # fmt: skip


def _insert_files(
    conn: Connection, row_id: int, files: Mapping[str, Path], hashes: Mapping[str, str]
) -> None:
    for fmt, path in files.items():
        conn.execute(
            insert(files_table).values(
                report_row=row_id, format=fmt, path=str(Path(path).resolve()), sha256=hashes[fmt]
            )
        )


def _copy_files(conn: Connection, from_row: int, to_row: int) -> None:
    for f in conn.execute(select(files_table).where(files_table.c.report_row == from_row)).all():
        conn.execute(
            insert(files_table).values(
                report_row=to_row, format=f.format, path=f.path, sha256=f.sha256
            )
        )


def _insert_delivery(
    conn: Connection, row_id: int, action: str, plugin: str, target: str, by: str, at: datetime
) -> None:
    conn.execute(
        insert(deliveries_table).values(
            report_row=row_id, action=action, plugin=plugin, target=target,
            actor=by, at=at.isoformat(),
        )
    )  # fmt: skip


def _new_id(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("the database returned no id for the new row")
    return int(key[0])


def _sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# ----------------------------------------------------------------------- helpers


def _dump(report: Report) -> str:
    return json.dumps(converter.unstructure(report), ensure_ascii=False)


def _load_report(data: str) -> Report:
    return converter.structure(json.loads(data), Report)


def _step(report_id: str, period: str, version: int, row: Row[Any]) -> LifecycleStep:
    return LifecycleStep(
        report=report_id,
        period=period,
        version=version,
        from_status=S(row.from_status) if row.from_status else None,
        to_status=S(row.to_status),
        by=row.actor,
        at=datetime.fromisoformat(row.at),
        note=row.note,
    )


def _hashes(files: Mapping[str, Path]) -> dict[str, str]:
    """SHA-256 of each file, read before any row is written (a missing file is an error)."""
    hashes = {}
    for fmt, path in files.items():
        if not Path(path).is_file():
            raise FileNotFoundError(f"rendered {fmt} file not found: {path}")
        hashes[fmt] = sha256_of(Path(path))
    return hashes


def _checked_files(stored: StoredReport) -> dict[str, Path]:
    """The version's files, each still present and unchanged since it was stored."""
    files = {}
    for fmt, stored_file in stored.files.items():
        path = stored_file.path
        if not path.is_file():
            raise LifecycleError(f"report {stored.name}: its {fmt} file {path} is missing")
        if sha256_of(path) != stored_file.sha256:
            raise LifecycleError(
                f"report {stored.name}: its {fmt} file {path} changed after it was stored"
                " (resubmit the report to send new content)"
            )
        files[fmt] = path
    return files


def _improvement(item: ImprovementItem | str, stored: StoredReport, number: int) -> ImprovementItem:
    """``item`` as an improvement item; a string or an empty id gets a numbered id."""
    if isinstance(item, str):
        item = ImprovementItem(id="", description=item)
    report = stored.report
    return attrs.evolve(
        item,
        id=item.id or f"{report.id}-{report.period_label}-v{report.version}-{number}",
        source=item.source or f"review of {stored.name}",
    )


def _minutes_text(review: Review) -> str:
    lines = [f"{review.held.isoformat()}  {review.by}", "", review.minutes.rstrip(), ""]
    for item in review.items:
        extra = ", ".join(part for part in (item.owner, _iso(item.due) or "") if part)
        lines.append(f"- [{item.id}] {item.description}" + (f" ({extra})" if extra else ""))
    return "\n".join(lines) + "\n"


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None

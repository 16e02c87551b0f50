"""The report store: built reports, their versions and lifecycle, on SQLAlchemy 2.x.

:meth:`ReportStore.open` takes a SQLAlchemy URL (any database in production)
or a file path (an embedded SQLite database, the default
``<config dir>/itsskit.db``). One row per report version holds the
:class:`~itsskit.models.Report` as JSON (through the one converter); beside it
the lifecycle steps (who, when, from, to, note), the rendered files (format,
path, SHA-256), deliveries (distribution and archive) and their outbox, review
minutes with their improvement items, and the report submissions that feed
the on-time KPI (:func:`itsskit.kpis.report_on_time`).

Crash safety (a kill at any instant leaves the old version with its old files
or the new one with its new files):

- Every change is one transaction; on SQLite a writer takes the database
  lock when it begins (``BEGIN IMMEDIATE``), so two writers queue instead of
  failing, and a lock held too long (the busy timeout, ``?timeout=`` in the
  URL, default 5 s) is :class:`StoreBusy`, one clear line.
- New files are rendered into a *staging folder* (:meth:`ReportStore.staging`)
  inside their final folder, the rows naming their final paths commit, then
  the files are renamed into place. A kill after the commit is finished by the
  next process that opens the store: it moves a staged file into place when
  the register says that content belongs there, and removes the rest.
- A step with an outside effect (sending, archiving) first claims it in the
  outbox (committed), then performs it, then records the outcome and the new
  state in one transaction. A claim whose process is gone is *interrupted*:
  the next run says so and does the step again (or records it as done,
  ``record_only``); a claim whose process still runs refuses a second sender.
- A stored file found missing or changed (:class:`StaleFiles`) is re-rendered
  from the stored content by :meth:`ReportStore.repair`; a changed file is
  kept beside it, so no approved report becomes unpublishable.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Self, TypeVar

import attrs
from sqlalchemy import (
    Column,
    Connection,
    CursorResult,
    Engine,
    ForeignKey,
    Index,
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
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from itsskit.contracts import ArchiveStore, Channel
from itsskit.converter import converter
from itsskit.files import discard, owner, owner_alive, staging_path
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
    "EngineStore",
    "NotRecorded",
    "OutboxEntry",
    "RepairedFile",
    "ReportStore",
    "ReportSummary",
    "Review",
    "StaleFiles",
    "StoreBusy",
    "StoredFile",
    "StoredReport",
    "database_url",
    "open_engine",
    "sha256_of",
]

S = ReportStatus
T = TypeVar("T")

#: Outbox states: claimed before the effect, then sent, failed or (its process gone) interrupted.
CLAIMED, SENT, FAILED, INTERRUPTED = "claimed", "sent", "failed", "interrupted"
#: The pysqlite busy timeout when the URL gives none (seconds).
DEFAULT_BUSY_TIMEOUT = 5.0

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
#: Added after 0.1.0 (created beside the old tables when a 0.1.0 register is opened).
outbox_table = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("report_row", ForeignKey("reports.id"), nullable=False),
    Column("action", String(20), nullable=False),  # "published" or "archived"
    Column("plugin", String(100), nullable=False),
    Column("target", Text, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("owner", String(300), nullable=False),  # the claiming process (files.owner)
    Column("state", String(20), nullable=False),
    Column("claimed", String(40), nullable=False),  # real time, UTC
    Column("finished", String(40)),
    Column("detail", Text, nullable=False),
    Index("ix_outbox_report_row", "report_row"),
)
staging_table = Table(
    "staging",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("path", Text, nullable=False, unique=True),  # a staging folder
    Column("owner", String(300), nullable=False),
    Column("since", String(40), nullable=False),  # real time, UTC
    Column("switching", Integer, nullable=False),  # 1: committed, files being moved
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
class OutboxEntry:
    """One attempt to publish or archive a version, claimed before it was made.

    ``state``: ``claimed`` (under way), ``sent``, ``failed`` (``detail`` says
    why) or ``interrupted`` (its process stopped before recording the outcome:
    the effect may or may not have happened).
    """

    action: str
    plugin: str
    target: str
    by: str
    state: str
    claimed: datetime
    finished: datetime | None = None
    detail: str = ""


@attrs.frozen(kw_only=True)
class RepairedFile:
    """A file :meth:`ReportStore.repair` re-rendered; ``kept``: the changed file, kept aside."""

    format: str
    path: Path
    kept: Path | None = None


class StoreBusy(LifecycleError):
    """The database stayed locked by another process longer than the busy timeout."""


class StaleFiles(LifecycleError):
    """Files of a version are missing or changed since stored; :meth:`ReportStore.repair` fixes them."""

    def __init__(self, message: str, files: Sequence[StoredFile]) -> None:
        super().__init__(message)
        self.files = tuple(files)


class NotRecorded(LifecycleError):
    """The effect (sending, archiving) happened but recording it failed; the claim stays."""


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
    outbox: tuple[OutboxEntry, ...] = ()

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


def open_engine(url_or_path: str | Path) -> Engine:
    """An engine on a SQLAlchemy URL or a SQLite file path (its folder created when missing)."""
    url = make_url(database_url(url_or_path))
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url)


def _when(at: datetime | None) -> datetime:
    """The time of a step: ``at``, which must be timezone-aware, or now."""
    if at is None:
        return datetime.now(UTC)
    if at.tzinfo is None:
        raise ValueError(f"the time of a lifecycle step must be timezone-aware, got {at}")
    return at


# ------------------------------------------------------------------------- store

#: ``render(report, formats, folder)`` -> format -> path: how :meth:`ReportStore.repair` renders.
Render = Callable[[Report, Sequence[str], Path], Mapping[str, Path]]
#: ``effect(stored version, its checked files)`` -> where it went: a channel send or an archive.
Effect = Callable[["StoredReport", dict[str, Path]], str]


@attrs.frozen(kw_only=True)
class _Claim:
    """An outbox row claimed for an effect, with the version it is for."""

    id: int
    row_id: int
    stored: StoredReport
    files: dict[str, Path]


class EngineStore:
    """A store owning a SQLAlchemy engine. Open with :meth:`open`; close after use (or ``with``)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @classmethod
    def open(cls, url_or_path: str | Path) -> Self:
        """Open the store at a SQLAlchemy URL or a SQLite file path (created when missing)."""
        engine = cls._engine_on(url_or_path)
        try:
            return cls(engine)
        except BaseException:
            engine.dispose()
            raise

    @staticmethod
    def _engine_on(url_or_path: str | Path) -> Engine:
        return open_engine(url_or_path)

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class ReportStore(EngineStore):
    """Reports and their lifecycle in a SQL database. Open with :meth:`open`; close after use.

    A report is named by its report id (the ``[reports.ID]`` row) and period
    label; each resubmission after a return is a new version, and every
    version is kept. Steps raise :class:`~itsskit.lifecycle.LifecycleError`
    naming the report, its state and the allowed next states.
    """

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self._timeout = float(engine.url.query.get("timeout", DEFAULT_BUSY_TIMEOUT))  # type: ignore[arg-type]
        self._create_tables()
        self._recover()

    @classmethod
    def open(cls, url_or_path: str | Path) -> Self:
        """Open (and create when new) the store at a SQLAlchemy URL or a SQLite file path.

        Staged files left by a process killed after its commit are moved into
        place, and its staging folders removed.
        """
        return super().open(url_or_path)

    @staticmethod
    def _engine_on(url_or_path: str | Path) -> Engine:
        engine = open_engine(url_or_path)
        if engine.url.get_backend_name() == "sqlite":
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)
        return engine

    @property
    def url(self) -> str:
        """The database URL (password hidden)."""
        return self._engine.url.render_as_string(hide_password=True)

    # -------------------------------------------------------------- connections

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._clear_busy(), self._engine.connect() as conn:
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction; on SQLite it holds the write lock from its start."""
        with self._clear_busy(), self._engine.connect() as conn:
            conn.execution_options(itsskit_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def _clear_busy(self) -> Iterator[None]:
        """A database locked past the busy timeout is :class:`StoreBusy`, one clear line;
        a row another process inserted meanwhile is a :class:`LifecycleError`."""
        try:
            yield
        except IntegrityError as exc:
            reason = str(exc.orig).splitlines()[0]
            raise LifecycleError(
                f"the report store {self.url} refused the change: another process made the"
                f" same one meanwhile ({reason}); nothing was changed, try again"
            ) from None
        except OperationalError as exc:
            if "locked" not in str(exc.orig) and "busy" not in str(exc.orig):
                raise
            raise StoreBusy(self._busy_message()) from None

    def _busy_message(self) -> str:
        return (
            f"the report store {self.url} is locked by another process: gave up after"
            f" waiting {self._timeout:g} s (the busy timeout, ?timeout= in the URL); try again"
        )

    def _create_tables(self) -> None:
        """Create the missing tables; two processes creating them at once both succeed."""
        try:
            with self._write() as conn:
                metadata.create_all(conn)
        except DBAPIError:  # another database's concurrent CREATE won the race
            with self._write() as conn:
                metadata.create_all(conn)

    # ------------------------------------------------------------------ queries

    def has(self, report_id: str, period: str) -> bool:
        """True when some version of the report for ``period`` is stored."""
        with self._read() as conn:
            return _latest_row(conn, report_id, period) is not None

    def get(self, report_id: str, period: str, version: int | None = None) -> StoredReport:
        """A stored version (default the latest); :class:`LifecycleError` when there is none."""
        with self._read() as conn:
            return _load(conn, _row(conn, report_id, period, version))

    def versions(self, report_id: str, period: str) -> list[StoredReport]:
        """Every stored version, oldest first."""
        with self._read() as conn:
            rows = conn.execute(
                select(reports_table)
                .where(reports_table.c.report == report_id, reports_table.c.period == period)
                .order_by(reports_table.c.version)
            ).all()
            return [_load(conn, row) for row in rows]

    def history(self, report_id: str, period: str) -> list[LifecycleStep]:
        """Every step of every version, in the order they happened."""
        with self._read() as conn:
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
        with self._read() as conn:
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
        with self._read() as conn:
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

    # ---------------------------------------------------------------- staging

    def staging(self, folder: Path) -> Path:
        """A new staging folder inside ``folder`` (created) to render a version's files into.

        Pass it to :meth:`save` or :meth:`submit` with the files rendered in
        it: once the version commits they move into ``folder`` and the staging
        folder is gone. When the files are not stored (an error), remove it
        with :meth:`drop_staging`. Leftovers of killed runs in ``folder`` are
        removed first.
        """
        self._recover()
        stage = staging_path(Path(folder)).resolve()
        with self._write() as conn:  # recorded before it exists: a kill leaves nothing unknown
            conn.execute(
                insert(staging_table).values(
                    path=str(stage), owner=owner(), since=_now().isoformat(), switching=0
                )
            )
        try:
            stage.mkdir()
        except OSError:
            self.drop_staging(stage)
            raise
        return stage

    def drop_staging(self, stage: Path) -> None:
        """Remove a staging folder and its record (nothing when already dropped)."""
        discard(stage)
        where = staging_table.c.path == str(Path(stage).resolve())
        with self._read() as conn:
            if conn.execute(select(staging_table.c.id).where(where)).first() is None:
                return
        with self._write() as conn:
            conn.execute(delete(staging_table).where(where))

    @contextmanager
    def staged(self, folder: Path) -> Iterator[Path]:
        """:meth:`staging` as a context: the staging folder is dropped when the block ends."""
        stage = self.staging(folder)
        try:
            yield stage
        finally:
            self.drop_staging(stage)

    # -------------------------------------------------------------------- steps

    def save(
        self,
        report: Report,
        files: Mapping[str, Path],
        *,
        by: str,
        at: datetime | None = None,
        timezone: str | None = None,
        staging: Path | None = None,
    ) -> StoredReport:
        """Store a built report as a draft with its rendered files.

        The first save creates version 1; saving again while the latest
        version is a draft replaces that draft (content and files). Any other
        state is an error: a returned report gets new content through
        :meth:`submit`. ``timezone`` (the project's) places the due time.
        With ``staging`` (from :meth:`staging`) the files are in it and move
        into its folder once committed; without, they are already in place.
        """
        at = _when(at)
        hashes = _hashes(files)
        period = report.period_label

        def store(conn: Connection) -> None:
            row = _latest_row(conn, report.id, period, lock=True)
            if row is None:
                row_id = _create(conn, report, by, at, timezone)
            elif row.status == S.DRAFT:
                row_id = _replace_draft(conn, row, report)
            else:
                raise LifecycleError(
                    f"report {describe(report.id, period, row.version)} is {row.status}:"
                    " only a draft can be replaced"
                    + (" (resubmit it with the new content)" if row.status == S.RETURNED else "")
                )
            _record_files(conn, row_id, files, hashes, staging)

        self._commit(store, staging)
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
        staging: Path | None = None,
        timezone: str | None = None,
    ) -> StoredReport:
        """Submit the draft, or resubmit a returned report as a new version.

        With new content (``report`` and its ``files``, staged as for
        :meth:`save`) a report not stored yet is stored and submitted, a
        draft's content is replaced and submitted, a returned report gets a
        new version with it — each in one transaction. A resubmission without
        new content takes the returned version's. The first submission of a
        report and period is its submitted time for the on-time KPI.
        """
        at = _when(at)
        hashes = _hashes(files or {})
        if report is not None and (report.id, report.period_label) != (report_id, period):
            raise LifecycleError(
                f"report {describe(report_id, period)}: the new content is "
                f"{describe(report.id, report.period_label)}"
            )

        def store(conn: Connection) -> None:
            row = _latest_row(conn, report_id, period, lock=True)
            if row is None and report is not None:
                row_id = _create(conn, report, by, at, timezone)
                row = conn.execute(select(reports_table).where(reports_table.c.id == row_id)).one()
            row = row if row is not None else _row(conn, report_id, period)
            check_transition(describe(report_id, period, row.version), S(row.status), S.SUBMITTED)
            if row.status == S.RETURNED:
                content = report or _load_report(row.data)
                row_id = _insert_version(conn, content, row.version + 1, S.SUBMITTED)
                _insert_step(conn, row_id, S.RETURNED, S.SUBMITTED, by, at, note)
            else:
                row_id = _replace_draft(conn, row, report) if report is not None else row.id
                _move(conn, row, S.SUBMITTED, by, at, note)
            if files is not None:
                _record_files(conn, row_id, files, hashes, staging)
            elif row.status == S.RETURNED:
                _copy_files(conn, row.id, row_id)
            _mark_submitted(conn, report_id, period, at)

        self._commit(store, staging)
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
        channels: Sequence[Channel] = (),
        at: datetime | None = None,
        note: str = "",
        record_only: bool = False,
    ) -> StoredReport:
        """Publish the approved version: send its files to the distribution list.

        Every channel (``channel`` and ``channels``) sends to the whole list,
        each delivery claimed in the outbox, sent and recorded on its own: one
        channel failing neither stops nor undoes the others. The version
        becomes published once **every** channel has delivered it; until then
        it stays approved and publishing again sends only through the channels
        that have not delivered yet, never twice through one that did.

        Without any channel the publication is only recorded (posted
        elsewhere). The files must be unchanged since they were stored
        (:class:`StaleFiles`). A second publisher meanwhile is refused. A
        channel that raises is recorded as failed; once every channel was
        tried, its exception is raised (an :class:`ExceptionGroup` when
        several failed). ``record_only`` records the interrupted deliveries
        (see :class:`OutboxEntry`) as sent without sending them again.
        """
        at = _when(at)
        chosen = ([channel] if channel is not None else []) + list(channels)
        _check_channel_names(chosen)
        if not chosen and not record_only:
            return self._transition(report_id, period, S.PUBLISHED, by, at, note, _no_effect)
        required = frozenset(c.name for c in chosen)

        def recipients(stored: StoredReport) -> str:
            if not stored.report.spec.distribution:
                raise LifecycleError(
                    f"report {stored.name}: its distribution list is empty "
                    f"(set distribution = [...] in [reports.{report_id}])"
                )
            return ", ".join(stored.report.spec.distribution)

        if record_only:
            return self._deliver(
                report_id, period, S.PUBLISHED, "", recipients, _never, by, at, note,
                record_only=True, required=required,
            )  # fmt: skip
        failures: list[Exception] = []
        for each in chosen:

            def send(stored: StoredReport, files: dict[str, Path], each: Channel = each) -> str:
                each.send(stored.report, files, stored.report.spec.distribution)
                return recipients(stored)

            try:
                stored = self._deliver(
                    report_id, period, S.PUBLISHED, each.name, recipients, send, by, at, note,
                    record_only=False, required=required,
                )  # fmt: skip
            except LifecycleError:
                raise
            except Exception as exc:  # noqa: BLE001 - isolated: the other channels still send
                failures.append(exc)
                continue
            if stored.status == S.PUBLISHED:  # the last channel missing has delivered
                break
        if len(failures) == 1:
            raise failures[0]
        if failures:
            raise ExceptionGroup(f"{len(failures)} channels failed", failures)
        return self.get(report_id, period)

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
        record_only: bool = False,
    ) -> StoredReport:
        """Archive the reviewed version: its files and the review minutes go to ``store``.

        Claimed in the outbox first, like :meth:`publish`. If the store raises,
        the attempt is recorded as failed and the report stays reviewed.
        """
        at = _when(at)

        def put(stored: StoredReport, files: dict[str, Path]) -> str:
            with self._scratch(files) as folder:
                if stored.review is not None:
                    minutes = folder / "minutes.txt"
                    minutes.write_text(_minutes_text(stored.review), encoding="utf-8")
                    files = {**files, "minutes": minutes}
                return store.archive(stored.report, files)

        return self._deliver(
            report_id, period, S.ARCHIVED, store.name, lambda _s: store.name, put,
            by, at, note, record_only=record_only, required=frozenset({store.name}),
        )  # fmt: skip

    def repair(self, report_id: str, period: str, render: Render) -> list[RepairedFile]:
        """Re-render the latest version's missing or changed files from its stored content.

        ``render(report, formats, folder)`` renders into ``folder`` (e.g.
        :func:`itsskit.report.output.render`). The new files replace the stale
        ones through a staging folder and the register records their SHA-256;
        a changed file is first copied aside as ``<name>.changed-<UTC time><suffix>``.
        Returns what was repaired (nothing when every file is intact).
        """
        stored = self.get(report_id, period)
        stale = _stale(stored)
        by_folder: dict[Path, list[StoredFile]] = {}
        for stored_file in stale:
            by_folder.setdefault(stored_file.path.parent, []).append(stored_file)
        repaired: list[RepairedFile] = []
        for folder, group in by_folder.items():
            with self.staged(folder) as stage:
                repaired += self._rerender(stored, group, stage, render)
        return repaired

    # ----------------------------------------------------------------- internals

    def _rerender(
        self, stored: StoredReport, group: list[StoredFile], stage: Path, render: Render
    ) -> list[RepairedFile]:
        rendered = render(stored.report, [f.format for f in group], stage)
        hashes: dict[str, str] = {}
        repaired = []
        for stored_file in group:
            staged = stage / stored_file.path.name
            if Path(rendered[stored_file.format]) != staged:
                os.replace(rendered[stored_file.format], staged)
            hashes[stored_file.format] = sha256_of(staged)
            repaired.append(
                RepairedFile(
                    format=stored_file.format, path=stored_file.path, kept=_keep_aside(stored_file)
                )
            )

        def record(conn: Connection) -> None:
            for stored_file in group:
                conn.execute(
                    update(files_table)
                    .where(
                        files_table.c.path == str(stored_file.path),
                        files_table.c.sha256 == stored_file.sha256,
                    )
                    .values(sha256=hashes[stored_file.format])
                )

        self._commit(record, stage)
        return repaired

    def _commit(self, body: Callable[[Connection], None], staging: Path | None) -> None:
        """``body`` in one write transaction; then ``staging``'s files move into place.

        Waits (up to the busy timeout) while another live process is moving
        files into the same folder, so moves land in the order of the commits.
        """
        deadline = time.monotonic() + self._timeout
        while True:
            with self._write() as conn:
                if staging is None or not _switching_beside(conn, staging):
                    body(conn)
                    if staging is not None:
                        _mark_switching(conn, staging)
                    break
            if time.monotonic() >= deadline:
                raise StoreBusy(self._busy_message())
            time.sleep(0.05)
        if staging is not None:  # the staging folder is used up: its files are in place
            _move_into_place(staging)
            self.drop_staging(staging)

    def _recover(self) -> None:
        """Finish the moves of processes killed after their commit; drop their staging folders."""
        with self._read() as conn:
            rows = conn.execute(select(staging_table)).all()
        for row in rows:
            if owner_alive(row.owner, datetime.fromisoformat(row.since).timestamp()):
                continue
            with self._write() as conn:
                if conn.execute(
                    delete(staging_table).where(
                        staging_table.c.id == row.id, staging_table.c.owner == row.owner
                    )
                ).rowcount:
                    _roll_forward(conn, Path(row.path))
                    discard(Path(row.path))

    @contextmanager
    def _scratch(self, files: Mapping[str, Path]) -> Iterator[Path]:
        """A folder for extra files of a delivery: staged beside the report's files."""
        if not files:
            with tempfile.TemporaryDirectory(prefix="itsskit-") as folder:
                yield Path(folder)
            return
        with self.staged(next(iter(files.values())).parent) as stage:
            yield stage

    def _deliver(
        self,
        report_id: str,
        period: str,
        target: ReportStatus,
        plugin: str,
        where: Callable[[StoredReport], str],
        effect: Effect,
        by: str,
        at: datetime,
        note: str,
        *,
        record_only: bool,
        required: frozenset[str],
    ) -> StoredReport:
        """Claim one effect in the outbox, perform it, record the outcome.

        The version moves to ``target`` in the transaction that records the
        last of the ``required`` plugins' effects (the channels of a publish).
        """
        claim = self._claim(
            report_id, period, target, plugin, where, by, at, note, record_only, required
        )
        if claim is None:
            return self.get(report_id, period)
        try:
            place = effect(claim.stored, claim.files)
        except Exception as exc:
            self._fail_claim(claim.id, exc)
            raise
        try:
            self._record(claim, target, place, by, at, note, required)
        except Exception as exc:  # noqa: BLE001 - whatever it was, say what happened
            _ABANDONED.add((self.url, claim.id))
            raise NotRecorded(
                f"report {claim.stored.name}: {target} via {plugin} to {place}, but recording it"
                f" failed ({type(exc).__name__}: {exc}); the delivery stays claimed in the outbox:"
                " run the step again with --record-only (record_only=True) to record it"
                " without repeating it"
            ) from None
        return self.get(report_id, period)

    def _claim(
        self,
        report_id: str,
        period: str,
        target: ReportStatus,
        plugin: str,
        where: Callable[[StoredReport], str],
        by: str,
        at: datetime,
        note: str,
        record_only: bool,
        required: frozenset[str],
    ) -> _Claim | None:
        """Check the step, settle earlier claims and claim this one.

        None when there is nothing to perform: recorded only, or ``plugin``
        already delivered this version (then the step completes once every
        ``required`` plugin has).
        """
        with self._write() as conn:
            row = _row(conn, report_id, period, lock=True)
            name = describe(report_id, period, row.version)
            check_transition(name, S(row.status), target)
            _interrupt_dead_claims(conn, row.id, str(target), name, self.url)
            if record_only:
                _record_interrupted(conn, row, target, name, by, at, note, required)
                return None
            done = _delivered(conn, row.id, str(target))
            if plugin in done:
                if required <= done:
                    _move(conn, row, target, by, at, note)
                return None
            stored = _load(conn, row)
            files = _checked_files(stored)
            claim_id = _new_id(
                conn.execute(
                    insert(outbox_table).values(
                        report_row=row.id, action=str(target), plugin=plugin,
                        target=where(stored), actor=by, owner=owner(), state=CLAIMED,
                        claimed=_now().isoformat(), finished=None, detail="",
                    )
                )
            )  # fmt: skip
        return _Claim(id=claim_id, row_id=row.id, stored=stored, files=files)

    def _fail_claim(self, claim_id: int, exc: Exception) -> None:
        """Record a failed effect; if even that fails, the claim is found interrupted later."""
        try:
            with self._write() as conn:
                _finish_claim(conn, claim_id, FAILED, _reason(exc))
        except Exception:  # noqa: BLE001 - the effect's own error is the one to report
            _ABANDONED.add((self.url, claim_id))

    def _record(
        self,
        claim: _Claim,
        target: ReportStatus,
        place: str,
        by: str,
        at: datetime,
        note: str,
        required: frozenset[str],
    ) -> None:
        with self._write() as conn:
            current = conn.execute(select(outbox_table).where(outbox_table.c.id == claim.id)).one()
            if current.state != CLAIMED or current.owner != owner():
                raise LifecycleError(f"its outbox claim was taken over ({current.state})")
            _finish_claim(conn, claim.id, SENT, "", target=place)
            row = conn.execute(
                select(reports_table).where(reports_table.c.id == claim.row_id)
            ).one()
            _insert_delivery(conn, row.id, str(target), current.plugin, place, by, at)
            if required <= _delivered(conn, row.id, str(target)):
                _move(conn, row, target, by, at, note)

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

        ``effect(conn, row id, stored version)`` writes rows only (no outside
        effect: those go through :meth:`_deliver`); it may raise to refuse the step.
        """
        with self._write() as conn:
            row = _row(conn, report_id, period, lock=True)
            check_transition(describe(report_id, period, row.version), S(row.status), target)
            effect(conn, row.id, _load(conn, row))
            _move(conn, row, target, by, at, note)
        return self.get(report_id, period)


def _no_effect(_conn: Connection, _row_id: int, _stored: StoredReport) -> None:
    """A step recorded without anything else."""


def _never(_stored: StoredReport, _files: dict[str, Path]) -> str:
    """The effect of a record-only step: never performed."""
    raise AssertionError("a record-only step performs nothing")


def _check_channel_names(channels: Sequence[Channel]) -> None:
    """Each channel delivers once per version: two channels may not share a name."""
    names = [c.name for c in channels]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"two channels named {', '.join(twice)}: each channel needs its own name")


# -------------------------------------------------------------------------- rows


def _row(
    conn: Connection,
    report_id: str,
    period: str,
    version: int | None = None,
    *,
    lock: bool = False,
) -> Row[Any]:
    """The row of a version (default the latest, ``lock``-ed as in :func:`_latest_row`);
    :class:`LifecycleError` when not stored."""
    if version is None:
        row = _latest_row(conn, report_id, period, lock=lock)
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


def _latest_row(
    conn: Connection, report_id: str, period: str, *, lock: bool = False
) -> Row[Any] | None:
    """The latest version's row; ``lock``: locked until the transaction ends (FOR UPDATE,
    for servers; SQLite's writer already holds the whole database)."""
    query = (
        select(reports_table)
        .where(reports_table.c.report == report_id, reports_table.c.period == period)
        .order_by(reports_table.c.version.desc())
        .limit(1)
    )
    return conn.execute(query.with_for_update() if lock else query).first()


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
    outbox = tuple(
        OutboxEntry(
            action=o.action, plugin=o.plugin, target=o.target, by=o.actor, state=o.state,
            claimed=datetime.fromisoformat(o.claimed), finished=_time(o.finished), detail=o.detail,
        )
        for o in conn.execute(
            select(outbox_table)
            .where(outbox_table.c.report_row == row.id)
            .order_by(outbox_table.c.id)
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
        outbox=outbox,
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


def _create(conn: Connection, report: Report, by: str, at: datetime, timezone: str | None) -> int:
    """Version 1 of a report as a draft, and its submission row (when it is due)."""
    row_id = _insert_version(conn, report, 1, S.DRAFT)
    _insert_step(conn, row_id, None, S.DRAFT, by, at, "")
    due = due_time(report.period_end, report.spec.due_days, timezone)
    conn.execute(
        insert(submissions_table).values(
            report=report.id, project=report.project, period=report.period_label,
            due=due.isoformat(), submitted=None,
        )
    )  # fmt: skip
    return row_id


def _replace_draft(conn: Connection, row: Row[Any], report: Report) -> int:
    """The draft in ``row`` gets ``report`` as its content and loses its files."""
    _update(conn, row, data=_dump(report), title=report.spec.title)
    conn.execute(delete(files_table).where(files_table.c.report_row == row.id))
    return int(row.id)


def _mark_submitted(conn: Connection, report_id: str, period: str, at: datetime) -> None:
    """The first submission of a report and period is its submitted time."""
    conn.execute(
        update(submissions_table)
        .where(
            submissions_table.c.report == report_id,
            submissions_table.c.period == period,
            submissions_table.c.submitted.is_(None),
        )
        .values(submitted=at.isoformat())
    )


def _record_files(
    conn: Connection,
    row_id: int,
    files: Mapping[str, Path],
    hashes: Mapping[str, str],
    staging: Path | None,
) -> None:
    """Rows for the version's files, at their final paths (staged files: the staging's folder)."""
    for fmt, path in files.items():
        final = _final_path(Path(path), staging)
        if staging is not None:
            _refuse_overwrite(conn, row_id, fmt, final, hashes[fmt])
        conn.execute(
            insert(files_table).values(
                report_row=row_id, format=fmt, path=str(final), sha256=hashes[fmt]
            )
        )


def _final_path(path: Path, staging: Path | None) -> Path:
    if staging is None:
        return path.resolve()
    staging = staging.resolve()
    if path.resolve().parent != staging:
        raise ValueError(f"{path}: a staged file must be in the staging folder {staging}")
    return staging.parent / path.name


def _refuse_overwrite(conn: Connection, row_id: int, fmt: str, final: Path, sha: str) -> None:
    """A staged file never replaces a file another stored version still names."""
    other = conn.execute(
        select(reports_table.c.report, reports_table.c.period, reports_table.c.version)
        .join(files_table, files_table.c.report_row == reports_table.c.id)
        .where(
            files_table.c.path == str(final),
            files_table.c.report_row != row_id,
            files_table.c.sha256 != sha,
        )
    ).first()
    if other is not None:
        raise LifecycleError(
            f"the {fmt} file {final} is the file of report"
            f" {describe(other.report, other.period, other.version)}: it is not overwritten"
            " (write the new files to another folder, e.g. --out)"
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


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on; transactions begun by :func:`_sqlite_begin`, not by pysqlite."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    """A writer takes the lock at once (waiting up to the busy timeout), a reader does not."""
    immediate = conn.get_execution_options().get("itsskit_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# ---------------------------------------------------------------- staged files


def _switching_beside(conn: Connection, staging: Path) -> bool:
    """True when another live process is moving committed files into ``staging``'s folder."""
    folder = str(staging.resolve().parent)
    mine = str(staging.resolve())
    for row in conn.execute(select(staging_table).where(staging_table.c.switching == 1)):
        beside = row.path != mine and str(Path(row.path).parent) == folder
        if beside and owner_alive(row.owner, datetime.fromisoformat(row.since).timestamp()):
            return True
    return False


def _mark_switching(conn: Connection, staging: Path) -> None:
    """Record (in the committing transaction) that ``staging``'s files are to move into place."""
    path = str(staging.resolve())
    marked = conn.execute(
        update(staging_table)
        .where(staging_table.c.path == path)
        .values(switching=1, owner=owner(), since=_now().isoformat())
    )
    if not marked.rowcount:  # a staging folder made without ReportStore.staging
        conn.execute(
            insert(staging_table).values(
                path=path, owner=owner(), since=_now().isoformat(), switching=1
            )
        )


def _staged_files(staging: Path) -> list[Path]:
    """The files in a staging folder (not temporary files, not folders)."""
    try:
        return sorted(p for p in staging.iterdir() if p.is_file() and not p.name.startswith("."))
    except OSError:
        return []


def _move_into_place(staging: Path) -> None:
    """Rename each staged file over its final path (the staging folder's parent)."""
    for staged in _staged_files(staging):
        os.replace(staged, staging.parent / staged.name)


def _roll_forward(conn: Connection, staging: Path) -> None:
    """Move a staged file into place when the register names that content there."""
    for staged in _staged_files(staging):
        final = staging.parent / staged.name
        sha = sha256_of(staged)
        wanted = conn.execute(
            select(files_table.c.id).where(
                files_table.c.path == str(final), files_table.c.sha256 == sha
            )
        ).first()
        if wanted is not None and not (final.is_file() and sha256_of(final) == sha):
            os.replace(staged, final)


# ---------------------------------------------------------------------- outbox


#: (store URL, outbox id) of the claims this process gave up on (their outcome not recorded).
_ABANDONED: set[tuple[str, int]] = set()


def _interrupt_dead_claims(conn: Connection, row_id: int, action: str, name: str, url: str) -> None:
    """Claims whose process is gone (or gave up on them) become interrupted; a claim still
    being worked on refuses a second one."""
    claims = conn.execute(
        select(outbox_table).where(
            outbox_table.c.report_row == row_id,
            outbox_table.c.action == action,
            outbox_table.c.state == CLAIMED,
        )
    ).all()
    for claim in claims:
        abandoned = (url, claim.id) in _ABANDONED
        if not abandoned and owner_alive(
            claim.owner, datetime.fromisoformat(claim.claimed).timestamp()
        ):
            raise LifecycleError(
                f"report {name} is being {action} via {claim.plugin} by another process"
                f" ({claim.owner}, since {claim.claimed}); wait for it to finish"
            )
        _finish_claim(
            conn, claim.id, INTERRUPTED, "its process stopped before the outcome was recorded"
        )


def _delivered(conn: Connection, row_id: int, action: str) -> frozenset[str]:
    """The plugins whose ``action`` (published, archived) of this version was recorded as sent."""
    return frozenset(
        conn.execute(
            select(outbox_table.c.plugin).where(
                outbox_table.c.report_row == row_id,
                outbox_table.c.action == action,
                outbox_table.c.state == SENT,
            )
        ).scalars()
    )


def _record_interrupted(
    conn: Connection,
    row: Row[Any],
    target: ReportStatus,
    name: str,
    by: str,
    at: datetime,
    note: str,
    required: frozenset[str],
) -> None:
    """Record each plugin's last interrupted delivery as done, without repeating it.

    The step completes once every ``required`` plugin (when empty: every plugin
    with an attempt in the outbox) has delivered.
    """
    action = str(target)
    entries = conn.execute(
        select(outbox_table)
        .where(outbox_table.c.report_row == row.id, outbox_table.c.action == action)
        .order_by(outbox_table.c.id)
    ).all()
    done = _delivered(conn, row.id, action)
    last = {e.plugin: e for e in entries if e.state == INTERRUPTED and e.plugin not in done}
    if required:
        last = {plugin: e for plugin, e in last.items() if plugin in required}
    if not last:
        raise LifecycleError(
            f"report {name}: no interrupted {target} step to record"
            " (record-only records one whose outcome was never recorded)"
        )
    for plugin, entry in sorted(last.items()):
        conn.execute(
            insert(outbox_table).values(
                report_row=row.id, action=action, plugin=plugin, target=entry.target,
                actor=by, owner=owner(), state=SENT, claimed=_now().isoformat(),
                finished=_now().isoformat(),
                detail=f"the interrupted attempt recorded as done by {by}",
            )
        )  # fmt: skip
        _insert_delivery(conn, row.id, action, plugin, entry.target, by, at)
    if (required or {e.plugin for e in entries}) <= _delivered(conn, row.id, action):
        _move(conn, row, target, by, at, note)


def _finish_claim(
    conn: Connection, claim_id: int, state: str, detail: str, *, target: str | None = None
) -> None:
    values: dict[str, Any] = {"state": state, "finished": _now().isoformat(), "detail": detail}
    if target is not None:
        values["target"] = target
    conn.execute(update(outbox_table).where(outbox_table.c.id == claim_id).values(**values))


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


def _stale(stored: StoredReport) -> list[StoredFile]:
    """The version's files that are missing or changed since they were stored."""
    return [
        f for f in stored.files.values() if not f.path.is_file() or sha256_of(f.path) != f.sha256
    ]


def _checked_files(stored: StoredReport) -> dict[str, Path]:
    """The version's files, each still present and unchanged since it was stored."""
    stale = _stale(stored)
    if stale:
        problems = "; ".join(
            f"its {f.format} file {f.path} "
            + ("is missing" if not f.path.is_file() else "changed after it was stored")
            for f in stale
        )
        raise StaleFiles(
            f"report {stored.name}: {problems} (re-run the step from the command line,"
            " or ReportStore.repair, to re-render it from the stored content)",
            stale,
        )
    return {fmt: f.path for fmt, f in stored.files.items()}


def _keep_aside(stored_file: StoredFile) -> Path | None:
    """A copy of a changed file beside it (``<name>.changed-<UTC time><suffix>``), or None."""
    path = stored_file.path
    if not path.is_file():
        return None
    stamp = _now().strftime("%Y%m%dT%H%M%S")
    kept = path.with_name(f"{path.stem}.changed-{stamp}{path.suffix}")
    shutil.copy2(path, kept)
    return kept


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


def _reason(exc: BaseException) -> str:
    """An error as stored in the outbox: its type and first line, at most 300 characters."""
    first = (str(exc).splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}"[:300]


def _now() -> datetime:
    return datetime.now(UTC)


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None

"""The report store on a real SQLite file: lifecycle, versions, atomicity, submissions.

Every check that matters reads the database through a second, fresh
:class:`ReportStore` on the same file, so what is asserted is what was committed.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import attrs
import pytest

from itsskit.builtin.stores import FolderStore, FolderStoreOptions
from itsskit.contracts import Channel
from itsskit.kpis import report_on_time
from itsskit.lifecycle import LifecycleError
from itsskit.models import ImprovementItem, Report, ReportSpec, ReportStatus, Section
from itsskit.periods import Period
from itsskit.storage import ReportStore, database_url

S = ReportStatus
T0 = datetime.fromisoformat("2025-11-03T09:00+08:00")


def make_report(
    report_id: str = "alpha-monthly", period: str = "2025-10", text: str = "v1"
) -> Report:
    p = Period.parse(period, "Asia/Shanghai")
    spec = ReportSpec(
        id=report_id,
        project="alpha",
        title="滇池物流 IT 运维服务月度报告",
        distribution=("cio@dianchi.example.cn", "itops@dianchi.example.cn"),
        due_days=5,
    )
    return Report(
        id=report_id,
        project="alpha",
        spec=spec,
        period_label=p.label,
        period_start=p.start,
        period_end=p.end,
        generated=T0,
        sections=(
            Section(key="summary", title="概述", paragraphs=(text,), charts={"c": b"\x89PNG"}),
        ),
        figures={"sla": {"rate": 0.97, "met": 97}},
    )


def write_files(folder: Path, report: Report, content: str) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for fmt, suffix in (("docx", ".docx"), ("html", ".html")):
        path = folder / f"{report.id}_{report.period_label}{suffix}"
        path.write_bytes(f"{fmt}:{content}".encode())
        files[fmt] = path
    return files


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store" / "itsskit.db"


@pytest.fixture
def store(db: Path) -> ReportStore:
    with ReportStore.open(db) as opened:
        yield opened  # type: ignore[misc]


def reopen(db: Path) -> ReportStore:
    return ReportStore.open(f"sqlite:///{db}")


class Recorder(Channel):
    name = "recorder"

    def __init__(self, fail: bool = False) -> None:
        super().__init__()
        self.fail = fail
        self.sent: list[tuple[str, dict[str, bytes], tuple[str, ...]]] = []

    def send(self, report: Report, files: Mapping[str, Path], recipients: Sequence[str]) -> None:
        if self.fail:
            raise ConnectionRefusedError("smtp server down")
        blobs = {fmt: Path(path).read_bytes() for fmt, path in files.items()}
        self.sent.append((report.id, blobs, tuple(recipients)))


def advance_to_approved(store: ReportStore, tmp_path: Path) -> Report:
    report = make_report()
    store.save(report, write_files(tmp_path / "out", report, "v1"), by="李娜", at=T0)
    store.submit("alpha-monthly", "2025-10", by="李娜", at=T0 + timedelta(hours=1))
    store.approve(
        "alpha-monthly", "2025-10", by="陈静", approver="陈静", at=T0 + timedelta(hours=2)
    )
    return report


def test_database_url() -> None:
    assert database_url("postgresql+psycopg://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert database_url("/tmp/x.db") == "sqlite:////tmp/x.db"


def test_full_lifecycle_is_persisted(store: ReportStore, db: Path, tmp_path: Path) -> None:
    report = advance_to_approved(store, tmp_path)
    channel = Recorder()
    store.publish(
        "alpha-monthly", "2025-10", by="张伟", channel=channel, at=T0 + timedelta(hours=3)
    )
    assert channel.sent == [
        ("alpha-monthly", {"docx": b"docx:v1", "html": b"html:v1"}, report.spec.distribution)
    ]
    item = ImprovementItem(id="", description="缩短 P2 响应时间", owner="王强")
    store.review(
        "alpha-monthly", "2025-10", by="张伟", minutes="会议纪要：SLA 达成。", items=[item, "补充回访"],
        at=T0 + timedelta(days=2),
    )  # fmt: skip
    archive_root = tmp_path / "archive"
    store.archive(
        "alpha-monthly", "2025-10", by="李娜",
        store=FolderStore(FolderStoreOptions(root=archive_root)), at=T0 + timedelta(days=3),
    )  # fmt: skip

    with reopen(db) as other:
        stored = other.get("alpha-monthly", "2025-10")
        steps = other.history("alpha-monthly", "2025-10")
    assert stored.status == S.ARCHIVED
    assert [(s.from_status, s.to_status, s.by) for s in steps] == [
        (None, S.DRAFT, "李娜"),
        (S.DRAFT, S.SUBMITTED, "李娜"),
        (S.SUBMITTED, S.APPROVED, "陈静"),
        (S.APPROVED, S.PUBLISHED, "张伟"),
        (S.PUBLISHED, S.REVIEWED, "张伟"),
        (S.REVIEWED, S.ARCHIVED, "李娜"),
    ]
    assert steps[3].at == T0 + timedelta(hours=3)
    assert [t.status for t in stored.report.history] == [s.to_status for s in steps]
    # content round trip: equal to what was saved, apart from the lifecycle fields
    assert attrs.evolve(stored.report, status=S.DRAFT, history=()) == report
    assert stored.files["docx"].sha256 == hashlib.sha256(b"docx:v1").hexdigest()
    assert stored.review is not None
    assert stored.review.minutes == "会议纪要：SLA 达成。"
    assert [(i.id, i.description, i.owner) for i in stored.review.items] == [
        ("alpha-monthly-2025-10-v1-1", "缩短 P2 响应时间", "王强"),
        ("alpha-monthly-2025-10-v1-2", "补充回访", ""),
    ]
    assert [(d.action, d.plugin) for d in stored.deliveries] == [
        ("published", "recorder"),
        ("archived", "folder"),
    ]
    manifest = Path(stored.deliveries[1].target)
    assert manifest == archive_root / "alpha" / "2025-10" / "alpha-monthly_v1.manifest.json"
    assert (manifest.parent / "alpha-monthly_v1.docx").read_bytes() == b"docx:v1"
    assert "补充回访" in (manifest.parent / "alpha-monthly_v1.txt").read_text(encoding="utf-8")


def test_illegal_transition_names_report_state_and_next(store: ReportStore, tmp_path: Path) -> None:
    report = make_report()
    store.save(report, write_files(tmp_path, report, "v1"), by="李娜", at=T0)
    with pytest.raises(LifecycleError) as info:
        store.approve("alpha-monthly", "2025-10", by="陈静")
    assert str(info.value) == (
        "report alpha-monthly 2025-10 v1 is draft: it cannot become approved"
        " (allowed next: submitted)"
    )
    with pytest.raises(LifecycleError, match="alpha-monthly 2025-09 is not stored"):
        store.submit("alpha-monthly", "2025-09", by="李娜")


def test_return_and_resubmit_makes_a_new_version(
    store: ReportStore, db: Path, tmp_path: Path
) -> None:
    report = make_report()
    store.save(report, write_files(tmp_path / "v1", report, "v1"), by="李娜", at=T0)
    store.submit("alpha-monthly", "2025-10", by="李娜", at=T0 + timedelta(hours=1))
    store.rework("alpha-monthly", "2025-10", by="陈静", approver="陈静", note="补充事件分析")
    with pytest.raises(LifecycleError, match="only a draft can be replaced"):
        store.save(report, write_files(tmp_path / "v1", report, "v1"), by="李娜")
    rebuilt = make_report(text="v2 with analysis")
    later = T0 + timedelta(days=2)
    store.submit(
        "alpha-monthly", "2025-10", by="李娜", at=later, report=rebuilt,
        files=write_files(tmp_path / "v2", rebuilt, "v2"),
    )  # fmt: skip
    with reopen(db) as other:
        versions = other.versions("alpha-monthly", "2025-10")
        steps = other.history("alpha-monthly", "2025-10")
        submissions = other.submissions(Period.parse("2025-11", "Asia/Shanghai"))
    assert [(v.report.version, v.status) for v in versions] == [(1, S.RETURNED), (2, S.SUBMITTED)]
    assert versions[0].report.sections[0].paragraphs == ("v1",)
    assert versions[1].report.sections[0].paragraphs == ("v2 with analysis",)
    assert versions[1].files["docx"].path == (tmp_path / "v2" / "alpha-monthly_2025-10.docx")
    assert [(s.version, s.to_status) for s in steps][-2:] == [(1, S.RETURNED), (2, S.SUBMITTED)]
    assert steps[2].note == "补充事件分析"
    # the on-time KPI counts the FIRST submission; due = 2025-11-01 + 5 days, Shanghai
    assert len(submissions) == 1
    assert submissions[0].due == datetime.fromisoformat("2025-11-06T00:00+08:00")
    assert submissions[0].submitted == T0 + timedelta(hours=1)


def test_resubmit_without_new_content_copies_the_returned_version(
    store: ReportStore, tmp_path: Path
) -> None:
    report = make_report()
    files = write_files(tmp_path, report, "v1")
    store.save(report, files, by="李娜", at=T0)
    store.submit("alpha-monthly", "2025-10", by="李娜")
    store.rework("alpha-monthly", "2025-10", by="陈静")
    stored = store.submit("alpha-monthly", "2025-10", by="李娜")
    assert stored.report.version == 2
    assert {f: s.path for f, s in stored.files.items()} == {
        f: p.resolve() for f, p in files.items()
    }


def test_decisions_are_the_approvers(store: ReportStore, tmp_path: Path) -> None:
    report = make_report()
    store.save(report, write_files(tmp_path, report, "v1"), by="李娜", at=T0)
    store.submit("alpha-monthly", "2025-10", by="李娜")
    with pytest.raises(LifecycleError, match="only the project's approver 陈静"):
        store.approve("alpha-monthly", "2025-10", by="王强", approver="陈静")
    with pytest.raises(LifecycleError, match="李娜 submitted this version"):
        store.approve("alpha-monthly", "2025-10", by="李娜")
    assert store.get("alpha-monthly", "2025-10").status == S.SUBMITTED


def test_failing_channel_leaves_everything_unchanged(
    store: ReportStore, db: Path, tmp_path: Path
) -> None:
    advance_to_approved(store, tmp_path)
    with pytest.raises(ConnectionRefusedError):
        store.publish("alpha-monthly", "2025-10", by="张伟", channel=Recorder(fail=True))
    with reopen(db) as other:
        stored = other.get("alpha-monthly", "2025-10")
        assert stored.status == S.APPROVED
        assert len(other.history("alpha-monthly", "2025-10")) == 3
    assert stored.deliveries == ()
    # and straight from SQLite: no half-written rows anywhere
    with sqlite3.connect(db) as raw:
        assert raw.execute("select count(*) from deliveries").fetchone() == (0,)
        assert raw.execute("select status from reports").fetchall() == [("approved",)]
    raw.close()


def test_failing_archive_store_leaves_the_report_reviewed(
    store: ReportStore, db: Path, tmp_path: Path
) -> None:
    advance_to_approved(store, tmp_path)
    store.publish("alpha-monthly", "2025-10", by="张伟")
    store.review("alpha-monthly", "2025-10", by="张伟", minutes="ok")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the archive root should be")
    with pytest.raises(OSError):
        store.archive(
            "alpha-monthly", "2025-10", by="李娜",
            store=FolderStore(FolderStoreOptions(root=blocked)),
        )  # fmt: skip
    with reopen(db) as other:
        assert other.get("alpha-monthly", "2025-10").status == S.REVIEWED


def test_a_naive_time_is_refused_before_anything_is_sent(
    store: ReportStore, tmp_path: Path
) -> None:
    advance_to_approved(store, tmp_path)
    channel = Recorder()
    with pytest.raises(ValueError, match="must be timezone-aware"):
        store.publish(
            "alpha-monthly", "2025-10", by="张伟", channel=channel, at=datetime(2025, 11, 5)
        )
    assert channel.sent == []
    assert store.get("alpha-monthly", "2025-10").status == S.APPROVED


def test_open_makes_the_folder_of_a_sqlite_url_with_a_driver(tmp_path: Path) -> None:
    db = tmp_path / "new" / "folder" / "x.db"
    with ReportStore.open(f"sqlite+pysqlite:///{db}") as opened:
        assert not opened.has("alpha-monthly", "2025-10")
    assert db.is_file()


def test_publish_refuses_files_changed_after_storing(store: ReportStore, tmp_path: Path) -> None:
    report = advance_to_approved(store, tmp_path)
    (tmp_path / "out" / f"{report.id}_2025-10.html").write_text("edited by hand")
    channel = Recorder()
    with pytest.raises(LifecycleError, match="html file .* changed after it was stored"):
        store.publish("alpha-monthly", "2025-10", by="张伟", channel=channel)
    assert channel.sent == []
    assert store.get("alpha-monthly", "2025-10").status == S.APPROVED


def test_publish_needs_a_distribution_list_when_sending(store: ReportStore, tmp_path: Path) -> None:
    report = make_report()
    report = attrs.evolve(report, spec=attrs.evolve(report.spec, distribution=()))
    store.save(report, write_files(tmp_path, report, "v1"), by="李娜", at=T0)
    store.submit("alpha-monthly", "2025-10", by="李娜")
    store.approve("alpha-monthly", "2025-10", by="陈静")
    with pytest.raises(
        LifecycleError, match=r"distribution list is empty .*\[reports.alpha-monthly\]"
    ):
        store.publish("alpha-monthly", "2025-10", by="张伟", channel=Recorder())


def test_a_draft_is_replaced_in_place(store: ReportStore, tmp_path: Path) -> None:
    first = make_report()
    store.save(first, write_files(tmp_path / "a", first, "a"), by="batch", at=T0)
    second = make_report(text="rebuilt")
    stored = store.save(second, write_files(tmp_path / "b", second, "b"), by="batch", at=T0)
    assert stored.report.version == 1
    assert stored.report.sections[0].paragraphs == ("rebuilt",)
    assert stored.files["docx"].path.parent == (tmp_path / "b").resolve()
    assert len(store.versions("alpha-monthly", "2025-10")) == 1


def test_save_with_a_missing_file_writes_nothing(store: ReportStore, tmp_path: Path) -> None:
    report = make_report()
    with pytest.raises(FileNotFoundError, match="rendered docx file not found"):
        store.save(report, {"docx": tmp_path / "nope.docx"}, by="李娜")
    assert not store.has("alpha-monthly", "2025-10")


def test_reports_lists_the_latest_versions(store: ReportStore, tmp_path: Path) -> None:
    for rid, period in (
        ("alpha-monthly", "2025-10"),
        ("alpha-monthly", "2025-09"),
        ("beta", "2025-10"),
    ):
        report = make_report(rid, period)
        store.save(report, write_files(tmp_path / rid / period, report, "x"), by="b", at=T0)
    store.submit("beta", "2025-10", by="李娜")
    assert [(r.report, r.period, r.status) for r in store.reports()] == [
        ("alpha-monthly", "2025-09", S.DRAFT),
        ("alpha-monthly", "2025-10", S.DRAFT),
        ("beta", "2025-10", S.SUBMITTED),
    ]
    assert [r.report for r in store.reports(status="submitted")] == ["beta"]
    assert [r.period for r in store.reports(period="2025-09")] == ["2025-09"]


def test_submissions_feed_the_on_time_kpi(store: ReportStore, tmp_path: Path) -> None:
    # Q4 2025 reports due: 2025-09 (due 10-06), 2025-10 (due 11-06), 2025-11 (due 12-06).
    for period, submitted in (
        ("2025-09", "2025-10-05T18:00+08:00"),
        ("2025-10", "2025-11-07T09:00+08:00"),
        ("2025-11", None),
    ):
        report = make_report(period=period)
        store.save(report, write_files(tmp_path / period, report, "x"), by="b", at=T0)
        if submitted:
            store.submit("alpha-monthly", period, by="李娜", at=datetime.fromisoformat(submitted))
    q4 = Period.parse("2025-Q4", "Asia/Shanghai")
    subs = store.submissions(q4)
    assert [(s.period, s.due.isoformat()) for s in subs] == [
        ("2025-09", "2025-10-06T00:00:00+08:00"),
        ("2025-10", "2025-11-06T00:00:00+08:00"),
        ("2025-11", "2025-12-06T00:00:00+08:00"),
    ]
    # evaluated on 2025-12-10: 09 on time, 10 late, 11 never submitted and overdue -> 1/3
    result = report_on_time(subs, q4, datetime.fromisoformat("2025-12-10T00:00+08:00"))
    assert (result.numerator, result.denominator) == (1, 3)


def test_collected_records_carry_the_stored_submissions_for_the_on_time_kpi(
    tmp_path: Path,
) -> None:
    """Submissions recorded by the lifecycle reach the on-time KPI through collect()."""
    from itsskit.collect import collect
    from itsskit.config import load_config
    from itsskit.kpis import report_on_time
    from itsskit.plugins import PluginHost

    config_path = tmp_path / "itsskit.toml"
    config_path.write_text(
        "[calendars.office]\npreset = 'always'\n"
        "[slas.gold]\ncalendar = 'office'\n[slas.gold.targets.response]\nP1 = '15m'\n"
        "[projects.alpha]\ncustomer = 'Alpha'\nsla = 'gold'\n"
        "[projects.beta]\ncustomer = 'Beta'\nsla = 'gold'\n",
        encoding="utf-8",
    )
    host = PluginHost.create(entry_points=False)
    config = load_config(config_path, host)
    assert collect(config, "alpha", host).submissions == ()  # no store yet: none, and
    assert not (tmp_path / "itsskit.db").exists()  # reading made no database
    report = make_report()  # project alpha, 2025-10, due 5 days after the month
    with ReportStore.open(config.database_url) as store:
        store.save(report, write_files(tmp_path / "out", report, "v1"), by="李娜", at=T0)
        store.submit(report.id, "2025-10", by="李娜", at=T0)
    subs = collect(config, "alpha", host).submissions
    due = datetime.fromisoformat("2025-11-06T00:00+08:00")
    assert [(s.report, s.due, s.submitted) for s in subs] == [("alpha-monthly", due, T0)]
    assert collect(config, "beta", host).submissions == ()
    at = datetime.fromisoformat("2026-01-01T00:00+08:00")
    assert report_on_time(subs, Period.parse("2025-Q4"), at=at).value == 1.0

"""The register's main flow on SQLite and on a real PostgreSQL server (issue 13 item 8).

submit -> return -> resubmit -> approve -> publish -> review -> archive through the
public API of :mod:`itsskit.storage`, every check read back through a second, fresh
:class:`ReportStore` on the same URL, so what is asserted is what was committed.
The PostgreSQL server is a throwaway cluster started by ``tests/pg_server.py``.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from itsskit.builtin.channels import FolderChannel, FolderOptions
from itsskit.builtin.stores import FolderStore, FolderStoreOptions
from itsskit.kpis import report_on_time
from itsskit.lifecycle import LifecycleError
from itsskit.models import Report, ReportSpec, ReportStatus, Section
from itsskit.periods import Period
from itsskit.storage import ReportStore

S = ReportStatus
OCT = Period.parse("2025-10", "Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(f"2025-{text}+08:00")


def october_report(text: str) -> Report:
    spec = ReportSpec(
        id="dianchi-monthly", project="dianchi", title="滇池物流 IT 运维服务月度报告",
        author="李娜", distribution=("cio@dianchi.example.cn",), due_days=5,
    )  # fmt: skip
    return Report(
        id="dianchi-monthly", project="dianchi", spec=spec, period_label=OCT.label,
        period_start=OCT.start, period_end=OCT.end, generated=at("11-03T09:00"),
        sections=(Section(key="summary", title="服务结果综述", paragraphs=(text,)),),
    )  # fmt: skip


def rendered(folder: Path, text: str) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "dianchi-monthly_2025-10.html"
    path.write_text(f"<p>{text}</p>", encoding="utf-8")
    return {"html": path}


def test_the_register_main_flow(register_url: str, tmp_path: Path) -> None:
    channel = FolderChannel(FolderOptions(root=tmp_path / "sent"))
    archive = FolderStore(FolderStoreOptions(root=tmp_path / "archive"))
    with ReportStore.open(register_url) as store:
        store.save(october_report("初稿"), rendered(tmp_path / "v1", "初稿"), by="李娜",
                   at=at("11-03T09:00"), timezone="Asia/Shanghai")  # fmt: skip
        store.submit("dianchi-monthly", "2025-10", by="李娜", at=at("11-04T10:00"))
        store.rework("dianchi-monthly", "2025-10", by="陈静", approver="陈静",
                     at=at("11-04T15:00"), note="补充重大事件回顾")  # fmt: skip
        store.submit("dianchi-monthly", "2025-10", by="李娜", at=at("11-05T11:00"),
                     report=october_report("第二稿"),
                     files=rendered(tmp_path / "v2", "第二稿"))  # fmt: skip
        try:
            store.approve("dianchi-monthly", "2025-10", by="王强", approver="陈静")
        except LifecycleError as exc:
            assert "only the project's approver 陈静" in str(exc)
        else:
            raise AssertionError("a non-approver approved")
        store.approve("dianchi-monthly", "2025-10", by="陈静", approver="陈静",
                      at=at("11-05T16:00"))  # fmt: skip
        store.publish("dianchi-monthly", "2025-10", by="张伟", channel=channel,
                      at=at("11-06T09:00"))  # fmt: skip
        store.review("dianchi-monthly", "2025-10", by="张伟", minutes="客户认可",
                     items=["缩短 P2 响应时间"], at=at("11-10T14:00"))  # fmt: skip
        store.archive("dianchi-monthly", "2025-10", by="李娜", store=archive,
                      at=at("11-11T10:00"))  # fmt: skip

    with ReportStore.open(register_url) as fresh:
        latest = fresh.get("dianchi-monthly", "2025-10")
        first = fresh.get("dianchi-monthly", "2025-10", version=1)
        subs = fresh.submissions(Period.parse("2025-Q4", "Asia/Shanghai"))
    assert (latest.status, latest.report.version) == (S.ARCHIVED, 2)
    assert latest.report.sections[0].paragraphs == ("第二稿",)
    assert (first.status, first.report.sections[0].paragraphs) == (S.RETURNED, ("初稿",))
    assert [(s.from_status, s.to_status, s.by) for s in first.steps] == [
        (None, S.DRAFT, "李娜"), (S.DRAFT, S.SUBMITTED, "李娜"), (S.SUBMITTED, S.RETURNED, "陈静"),
    ]  # fmt: skip
    assert [(s.to_status, s.by, s.at) for s in latest.steps] == [
        (S.SUBMITTED, "李娜", at("11-05T11:00")),
        (S.APPROVED, "陈静", at("11-05T16:00")),
        (S.PUBLISHED, "张伟", at("11-06T09:00")),
        (S.REVIEWED, "张伟", at("11-10T14:00")),
        (S.ARCHIVED, "李娜", at("11-11T10:00")),
    ]
    assert [(d.action, d.plugin) for d in latest.deliveries] == [
        ("published", "folder"), ("archived", "folder"),
    ]  # fmt: skip
    assert latest.review is not None and latest.review.minutes == "客户认可"
    assert [item.description for item in latest.review.items] == ["缩短 P2 响应时间"]
    sent = tmp_path / "sent" / "cio@dianchi.example.cn" / "dianchi-monthly_2025-10.html"
    assert sent.read_text(encoding="utf-8") == "<p>第二稿</p>"
    manifests = list((tmp_path / "archive").rglob("*.manifest.json"))
    assert len(manifests) == 1
    assert json.loads(manifests[0].read_text(encoding="utf-8"))  # a readable manifest
    # Due 5 days after October on the project's clock; first submitted 11-04 10:00: on time.
    assert [(s.report, s.due, s.submitted) for s in subs] == [
        ("dianchi-monthly", at("11-06T00:00"), at("11-04T10:00"))
    ]
    assert report_on_time(subs, Period.parse("2025-Q4"), at("12-31T00:00")).value == 1.0


def test_two_stores_on_one_database_see_each_others_steps(
    register_url: str, tmp_path: Path
) -> None:
    with ReportStore.open(register_url) as one, ReportStore.open(register_url) as two:
        one.save(
            october_report("初稿"), rendered(tmp_path, "初稿"), by="李娜", at=at("11-03T09:00")
        )
        two.submit("dianchi-monthly", "2025-10", by="李娜", at=at("11-04T10:00"))
        assert one.get("dianchi-monthly", "2025-10").status == S.SUBMITTED
        assert [r.report for r in one.reports(status="submitted")] == ["dianchi-monthly"]

"""The lifecycle services (``itsskit.services``): the Python API takes a report through
every step by the code path the CLI uses, with the same errors."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from itsskit import PluginHost, load_config
from itsskit.lifecycle import LifecycleError
from itsskit.models import ReportStatus
from itsskit.services import (
    BadRequest,
    Step,
    approve_report,
    archive_report,
    batch_reports,
    open_register,
    publish_report,
    report_state,
    report_target,
    return_report,
    review_report,
    submit_report,
)
from itsskit.services.lifecycle import parse_item
from test_adversarial_storage import RECIPIENT, write_project

AT = datetime.fromisoformat("2025-11-03T09:00+08:00")


def test_the_whole_process_through_the_services(tmp_path: Path) -> None:
    config_path = write_project(tmp_path / "p")  # the folder channel
    host = PluginHost.create()
    config = load_config(config_path, host)
    with open_register(config) as store:
        t = report_target(config, host, store, "alpha-monthly", "2025-10")
        first = submit_report(t, Step(by="李娜", at=AT), formats="md,json")
        assert (first.stored.status, first.stored.report.version) == ("submitted", 1)
        with pytest.raises(LifecycleError, match="only the project's approver 陈静"):
            approve_report(t, Step(by="王五"))
        return_report(t, Step(by="陈静", note="补充事件分析"))
        second = submit_report(t, Step(by="李娜", at=AT), formats=("md",))
        assert second.stored.report.version == 2
        assert second.stored.files["markdown"].path.parent.name == "v2"  # beside v1's files
        approve_report(t, Step(by="陈静"))
        published = publish_report(t, Step(by="张伟"))
        assert [(d.plugin, d.target) for d in published.stored.deliveries] == [
            ("folder", RECIPIENT)
        ]
        sent = config_path.parent / "outbox" / RECIPIENT / "alpha-monthly_2025-10.md"
        assert sent.read_bytes() == second.stored.files["markdown"].path.read_bytes()
        review_report(t, Step(by="张伟"), minutes="评审通过", items=[parse_item("缩短响应 | 王强")])
        archived = archive_report(t, Step(by="李娜")).stored
        assert archived.status == ReportStatus.ARCHIVED
        state = report_state(t)
        assert [(c.channel, c.state) for c in state.channels] == [("folder", "sent")]
        assert state.next == ()
        assert report_state(t, version=1).status == ReportStatus.RETURNED
        history = [(st.version, st.to_status, st.by) for st in store.history(t.report_id, t.period)]
    assert history == [
        (1, "draft", "李娜"), (1, "submitted", "李娜"), (1, "returned", "陈静"), (2, "submitted", "李娜"),
        (2, "approved", "陈静"), (2, "published", "张伟"), (2, "reviewed", "张伟"),
        (2, "archived", "李娜"),
    ]  # fmt: skip


def test_submit_rebuild_builds_the_stored_draft_anew(tmp_path: Path) -> None:
    config_path = write_project(tmp_path / "p")
    host = PluginHost.create()
    config = load_config(config_path, host)
    with open_register(config) as store:
        result = batch_reports(
            config, "2025-10", store=store, host=host, out_dir=tmp_path / "out",
            formats=("json",), jobs=1, at=AT,
        )  # fmt: skip
        assert result.ok
        t = report_target(config, host, store, "alpha-monthly", "2025-10")
        drafted = store.get("alpha-monthly", "2025-10").report.generated
        later = datetime.fromisoformat("2025-11-04T10:00+08:00")
        rebuilt = submit_report(t, Step(by="李娜", at=later), rebuild=True, formats="json")
    assert drafted == AT and rebuilt.stored.report.generated == later
    assert rebuilt.stored.status == ReportStatus.SUBMITTED


@pytest.mark.parametrize(
    ("report", "period", "message"),
    [
        ("nope", "2025-10", "unknown report 'nope' (known: alpha-monthly)"),
        ("alpha-monthly", "2025-13", "2025-13"),
    ],
)
def test_a_bad_request_is_one_clear_error(
    tmp_path: Path, report: str, period: str, message: str
) -> None:
    config_path = write_project(tmp_path / "p")
    host = PluginHost.create()
    config = load_config(config_path, host)
    with open_register(config) as store, pytest.raises(BadRequest, match=re.escape(message)):
        report_target(config, host, store, report, period)


def test_a_register_that_will_not_open_is_a_bad_request(tmp_path: Path) -> None:
    config_path = write_project(tmp_path / "p")
    config = load_config(config_path, PluginHost.create())
    with pytest.raises(BadRequest, match="is a folder; expected a SQLite database file"):
        open_register(config, str(tmp_path))
    with pytest.raises(BadRequest, match=r"postgresql://u:\*\*\*@h/db: cannot open"):
        open_register(config, "postgresql://u:secret@h/db")

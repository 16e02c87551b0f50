"""The report lifecycle services as users call them, checked by ``mypy --strict``."""

from __future__ import annotations

from pathlib import Path
from typing import assert_type

from itsskit import PluginHost, load_config
from itsskit.config import make_channels
from itsskit.contracts import Channel
from itsskit.services import (
    Step,
    StepResult,
    approve_report,
    archive_report,
    open_register,
    publish_report,
    report_target,
    review_report,
    submit_report,
)
from itsskit.storage import StoredReport


def whole_process(config_path: Path) -> StoredReport:
    host = PluginHost.create()
    config = load_config(config_path, host)
    assert_type(make_channels(config, host), tuple[Channel, ...])
    with open_register(config) as store:
        target = report_target(config, host, store, "dianchi-monthly", "2025-10")
        submitted = submit_report(target, Step(by="李娜"), rebuild=True, formats="docx,html")
        assert_type(submitted, StepResult)
        approve_report(target, Step(by="陈静", note="同意"))
        published = publish_report(target, Step(by="张伟"))
        assert_type(published.warnings, tuple[str, ...])
        review_report(target, Step(by="张伟"), minutes="评审通过", items=["缩短 P2 响应时间"])
        return archive_report(target, Step(by="李娜")).stored

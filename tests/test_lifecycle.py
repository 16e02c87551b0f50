"""The lifecycle rules: allowed steps, who decides, when a report is due."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itsskit.lifecycle import (
    ALLOWED,
    LifecycleError,
    check_decider,
    check_transition,
    due_time,
    next_states,
)
from itsskit.models import ReportStatus as S
from itsskit.periods import Period

# The procedure of seed 001 steps 4-8, written out edge by edge.
EDGES = {
    ("draft", "submitted"),
    ("submitted", "approved"),
    ("submitted", "returned"),
    ("returned", "submitted"),
    ("approved", "published"),
    ("published", "reviewed"),
    ("reviewed", "archived"),
}


def test_allowed_is_exactly_the_procedure() -> None:
    edges = {(str(a), str(b)) for a, targets in ALLOWED.items() for b in targets}
    assert edges == EDGES
    assert set(ALLOWED) == set(S)
    assert next_states(S.ARCHIVED) == ()


@given(st.sampled_from(list(S)), st.sampled_from(list(S)))
def test_check_transition_raises_exactly_off_the_procedure(current: S, target: S) -> None:
    if (str(current), str(target)) in EDGES:
        check_transition("r 2025-10 v1", current, target)
    else:
        with pytest.raises(LifecycleError):
            check_transition("r 2025-10 v1", current, target)


def test_error_names_report_state_and_allowed_next() -> None:
    with pytest.raises(LifecycleError) as info:
        check_transition("dianchi-monthly 2025-10 v1", S.DRAFT, S.APPROVED)
    message = str(info.value)
    assert "dianchi-monthly 2025-10 v1" in message
    assert "is draft" in message
    assert "allowed next: submitted" in message
    with pytest.raises(LifecycleError, match="none, it is final"):
        check_transition("x 2025-10 v1", S.ARCHIVED, S.DRAFT)


def test_decider_rules() -> None:
    check_decider("r", "陈静", approver="陈静", submitter="李娜")
    check_decider("r", "王强", approver="", submitter="李娜")  # no approver named: anyone else
    with pytest.raises(LifecycleError, match="only the project's approver 陈静 may"):
        check_decider("r", "王强", approver="陈静", submitter="李娜")
    with pytest.raises(LifecycleError, match="李娜 submitted this version"):
        check_decider("r", "李娜", approver="", submitter="李娜")
    with pytest.raises(LifecycleError, match="by is empty"):
        check_decider("r", " ")


def test_due_time_counts_calendar_days_on_the_local_wall_clock() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    end = datetime(2025, 11, 1, tzinfo=shanghai)
    assert due_time(end, 5) == datetime(2025, 11, 6, tzinfo=shanghai)
    # Berlin springs forward on 2025-03-30: 30 days after 1 March 00:00 is 31 March
    # 00:00 local (+02:00), which is 30 x 24 h - 1 h later.
    berlin = ZoneInfo("Europe/Berlin")
    feb_end = datetime(2025, 3, 1, tzinfo=berlin)
    due = due_time(feb_end, 30)
    assert due.isoformat() == "2025-03-31T00:00:00+02:00"
    assert (due.astimezone(UTC) - feb_end.astimezone(UTC)).total_seconds() == 30 * 86400 - 3600
    # A fixed-offset end is placed in the project's zone when one is given.
    fixed = datetime.fromisoformat("2025-03-01T00:00+01:00")
    assert due_time(fixed, 30, "Europe/Berlin").isoformat() == "2025-03-31T00:00:00+02:00"
    # Period bounds are pendulum datetimes: the result is a plain aware datetime.
    period_end = Period.parse("2025-10", "Asia/Shanghai").end
    for zone in (None, "Asia/Shanghai"):
        due = due_time(period_end, 5, zone)
        assert type(due) is datetime
        assert due.isoformat() == "2025-11-06T00:00:00+08:00"

"""Models: invariants, and an exact JSON round trip of every model through the converter."""

from __future__ import annotations

import json
import pickle
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone

import attrs
import pytest
from cattrs import ClassValidationError, transform_error
from hypothesis import given
from hypothesis import strategies as st

from itsskit import models
from itsskit.converter import converter
from itsskit.schedules import ScheduledDay

ZONES = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5))])
aware_datetimes = st.builds(
    lambda naive, tz: naive.replace(tzinfo=tz),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    ZONES,
)
text = st.text(max_size=12)
priorities = st.sampled_from(["P1", "P2", "P3", "P4"])
seconds_maps = st.dictionaries(priorities, st.integers(1, 10**7), max_size=4)


def _strategy(cls: type) -> st.SearchStrategy[object]:
    """A hypothesis strategy for any model class, field by field."""
    overrides: dict[str, st.SearchStrategy[object]] = {
        "satisfaction": st.none() | st.integers(1, 5),
        "score": st.integers(1, 5),
        "availability": st.none() | st.floats(0, 1),
        "priority_at": st.sampled_from(["resolution", "opening"]),
        "comparison": st.sampled_from([">=", "<="]),
        "max_failures": st.none() | st.integers(0, 100),
        "max_failure_seconds": st.none() | st.integers(0, 10**6),
        "charts": st.dictionaries(text, st.binary(max_size=20), max_size=2),
        "attributes": st.dictionaries(text, text, max_size=3),
        "inputs": st.dictionaries(text, text, max_size=3),
        "project_targets": st.dictionaries(
            text, st.floats(allow_nan=False, allow_infinity=False), max_size=2
        ),
        "figures": st.dictionaries(text, st.integers() | text | st.none(), max_size=3),
        "response": seconds_maps,
        "resolution": seconds_maps,
        "turnaround": seconds_maps,
        "days": st.deferred(  # a year schedule lists each date once
            lambda: st.lists(_strategy(ScheduledDay), max_size=2, unique_by=lambda d: d.date)
        ).map(tuple),
    }
    fields = {}
    for field in attrs.fields(cls):
        if field.name in overrides:
            fields[field.name] = overrides[field.name]
        else:
            fields[field.name] = _for_type(field.type)
    return st.builds(cls, **fields)


def _for_type(tp: object) -> st.SearchStrategy[object]:
    import typing

    resolved = tp
    origin = typing.get_origin(resolved)
    args = typing.get_args(resolved)
    if resolved is datetime:
        return aware_datetimes
    if resolved is date:
        return st.dates()
    if resolved is str:
        return text
    if resolved is bool:
        return st.booleans()
    if resolved is int:
        return st.integers(-(10**9), 10**9)
    if resolved is float:
        return st.floats(allow_nan=False, allow_infinity=False)
    if resolved is bytes:
        return st.binary(max_size=20)
    if isinstance(resolved, type) and issubclass(resolved, models.enum.Enum):
        return st.sampled_from(list(resolved))
    if isinstance(resolved, type) and attrs.has(resolved):
        return _strategy(resolved)
    if origin is tuple:
        return st.lists(_for_type(args[0]), max_size=2).map(tuple)
    if origin in (typing.Union, __import__("types").UnionType):
        return st.one_of([_for_type(arg) for arg in args])
    if resolved is type(None):
        return st.none()
    raise NotImplementedError(f"no strategy for {tp!r}")


MODEL_CLASSES = [
    getattr(models, name)
    for name in models.__all__
    if isinstance(getattr(models, name), type) and attrs.has(getattr(models, name))
]


@pytest.fixture(scope="module", autouse=True)
def _resolve_types() -> None:
    for cls in MODEL_CLASSES:
        attrs.resolve_types(cls)


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda cls: cls.__name__)
def test_json_round_trip_is_exact(cls: type) -> None:
    @given(_strategy(cls))
    def check(instance: object) -> None:
        data = json.loads(json.dumps(converter.unstructure(instance)))
        back = converter.structure(data, cls)
        assert back == instance
        for field in attrs.fields(cls):
            assert type(getattr(back, field.name)) is type(getattr(instance, field.name)) or (
                isinstance(getattr(instance, field.name), datetime)
                and isinstance(getattr(back, field.name), datetime)
            )

    check()


def test_every_public_model_is_covered() -> None:
    assert {cls.__name__ for cls in MODEL_CLASSES} >= {"Ticket", "SLA", "Report", "Project"}


def test_naive_datetime_is_refused_with_the_field_name() -> None:
    with pytest.raises(ValueError, match="opened must be timezone-aware"):
        models.Ticket(id="T1", opened=datetime(2025, 1, 1, 9))


def test_unknown_key_is_an_error() -> None:
    with pytest.raises(ClassValidationError) as caught:
        converter.structure({"id": "c", "name": "n", "bogus": 1}, models.Customer)
    assert any("bogus" in message for message in transform_error(caught.value))


def test_score_and_targets_are_validated() -> None:
    with pytest.raises(ValueError, match="score must be 1..5"):
        models.SurveyResponse(id="s", answered=datetime(2025, 1, 1, tzinfo=UTC), score=6)
    with pytest.raises(ValueError, match="response.P1 must be > 0"):
        models.Targets(response={"P1": 0})


def test_sla_version_in_force_is_chosen_by_opened_date() -> None:
    old = models.SLA(id="gold", version="2024", effective_to=date(2025, 1, 1))
    new = models.SLA(id="gold", version="2025", effective_from=date(2025, 1, 1))
    project = models.Project(id="p", slas=(old, new))
    shanghai = timezone(timedelta(hours=8))
    assert project.sla_for(datetime(2024, 12, 31, 23, 59, tzinfo=shanghai)) is old
    assert project.sla_for(datetime(2025, 1, 1, 0, 0, tzinfo=shanghai)) is new


def test_booleans_are_not_guessed_from_text() -> None:
    with pytest.raises(ClassValidationError) as caught:
        converter.structure({"id": "c", "service": "s", "approved": "yes"}, models.Change)
    assert transform_error(caught.value) == ["invalid value for type, expected bool @ $.approved"]


@pytest.mark.parametrize(
    ("status", "paused"),
    [
        ("Awaiting User Info", True),
        ("awaiting vendor", True),
        ("Pending Approval", True),
        ("On Hold", True),
        ("on-hold", True),
        ("挂起", True),
        ("等待用户确认", True),
        ("In Progress", False),
        ("Waiting for Customer", False),  # not "named like awaiting/pending/on hold"
        ("Resolved", False),
    ],
)
def test_default_pause_rule_matches_statuses_named_like_awaiting_pending_on_hold(
    status: str, paused: bool
) -> None:
    assert models.SLA(id="s").is_paused(status) is paused


def test_configured_pause_statuses_replace_the_default_rule() -> None:
    sla = models.SLA(id="s", pause_statuses=(" Awaiting Vendor ",))
    assert sla.is_paused("awaiting vendor")
    assert not sla.is_paused("Awaiting User Info")
    assert not models.SLA(id="s", pause_statuses=()).is_paused("On Hold")
    assert sla.is_resolved_status("CLOSED") and not sla.is_resolved_status("Active")


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda cls: cls.__name__)
def test_models_are_hashable_and_their_mappings_read_only(cls: type) -> None:
    @given(_strategy(cls))
    def check(instance: object) -> None:
        back = converter.structure(json.loads(json.dumps(converter.unstructure(instance))), cls)
        assert hash(back) == hash(instance)
        assert pickle.loads(pickle.dumps(instance)) == instance
        for field in attrs.fields(cls):
            value = getattr(instance, field.name)
            if isinstance(value, Mapping):
                with pytest.raises(TypeError, match="read-only"):
                    value["x"] = 1  # type: ignore[index]
                with pytest.raises(TypeError, match="read-only"):
                    value.update({})  # type: ignore[attr-defined]

    check()


@given(st.deferred(lambda: _strategy(models.Report)))
def test_nested_figures_are_frozen_but_still_plain_json(report: models.Report) -> None:
    report = attrs.evolve(report, figures={"rows": [{"a": 1}, {"a": [2, 3]}], "n": 1})
    rows = report.figures["rows"]
    assert rows == [{"a": 1}, {"a": [2, 3]}]
    with pytest.raises(TypeError, match="read-only"):
        rows.append({})
    with pytest.raises(TypeError, match="read-only"):
        rows[1]["a"] = 4
    assert json.loads(json.dumps(report.figures)) == {"rows": [{"a": 1}, {"a": [2, 3]}], "n": 1}
    assert hash(report) == hash(attrs.evolve(report))

"""The pure part: the grid, its chunks, runs stitched across chunks, durations."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itsskit_prometheus.options import parse_span
from itsskit_prometheus.outages import Grid, Labels, Run, RunStitcher, grid_for, series_text

A: Labels = (("job", "a"),)
B: Labels = (("job", "b"),)


def test_the_grid_is_aligned_to_the_step_and_ends_before_the_end() -> None:
    assert grid_for(125, 300, 60) == Grid(first=120, step=60, count=3)  # 120, 180, 240
    assert grid_for(120, 301, 60) == Grid(first=120, step=60, count=4)  # ... and 300
    assert grid_for(120, 121, 60) == Grid(first=120, step=60, count=1)
    assert grid_for(120, 120, 60) is None
    assert grid_for(121, 180, 60) == Grid(first=120, step=60, count=1)


def test_chunks_cover_the_grid_once_with_at_most_max_points() -> None:
    grid = Grid(first=0, step=10, count=7)
    assert list(grid.chunks(3)) == [(0, 20), (30, 50), (60, 60)]
    assert list(grid.chunks(7)) == [(0, 60)]
    assert list(grid.chunks(11_000)) == [(0, 60)]
    assert grid.last == 60


def test_a_run_crossing_a_chunk_boundary_is_one_run() -> None:
    stitcher = RunStitcher(step=10)
    assert stitcher.add(20, [(A, [10, 20]), (B, [0])]) == [Run(labels=B, first=0, last=0)]
    assert stitcher.add(50, [(A, [30, 40])]) == [Run(labels=A, first=10, last=40)]
    assert stitcher.add(80, [(A, [80])]) == []
    assert stitcher.finish() == [Run(labels=A, first=80, last=80)]


def test_a_gap_of_one_sample_splits_a_run() -> None:
    stitcher = RunStitcher(step=10)
    done = stitcher.add(100, [(A, [0, 10, 30, 40, 50])])
    assert done == [Run(labels=A, first=0, last=10), Run(labels=A, first=30, last=50)]
    assert stitcher.finish() == []


def reference_runs(firing: dict[Labels, set[int]], step: int) -> list[Run]:
    """Runs found by walking every instant of every series (the obvious way)."""
    runs = []
    for labels, instants in firing.items():
        ordered = sorted(instants)
        start = previous = None
        for instant in ordered:
            if previous is not None and instant == previous + step:
                previous = instant
                continue
            if start is not None and previous is not None:
                runs.append(Run(labels=labels, first=start, last=previous))
            start = previous = instant
        if start is not None and previous is not None:
            runs.append(Run(labels=labels, first=start, last=previous))
    return sorted(runs, key=lambda run: (run.labels, run.first))


@given(
    count=st.integers(min_value=1, max_value=80),
    max_points=st.integers(min_value=1, max_value=90),
    firing_a=st.sets(st.integers(min_value=0, max_value=79)),
    firing_b=st.sets(st.integers(min_value=0, max_value=79)),
)
def test_runs_do_not_depend_on_the_chunking(
    count: int, max_points: int, firing_a: set[int], firing_b: set[int]
) -> None:
    step = 15
    grid = Grid(first=1_000, step=step, count=count)
    firing = {
        labels: {grid.first + index * step for index in indexes if index < count}
        for labels, indexes in ((A, firing_a), (B, firing_b))
    }
    stitcher = RunStitcher(step)
    runs: list[Run] = []
    for first, last in grid.chunks(max_points):
        chunk = [(labels, [t for t in ts if first <= t <= last]) for labels, ts in firing.items()]
        runs += stitcher.add(last, [(labels, ts) for labels, ts in chunk if ts])
    runs += stitcher.finish()
    assert sorted(runs, key=lambda run: (run.labels, run.first)) == reference_runs(firing, step)


def test_series_text_is_promql_notation() -> None:
    labels: Labels = (("__name__", "up"), ("instance", "erp-1"), ("job", 'a"b'))
    assert series_text(labels) == 'up{instance="erp-1",job="a\\"b"}'
    assert series_text((("job", "erp"),)) == '{job="erp"}'


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("1m", 60), ("1h30m", 5_400), ("7d", 604_800), ("1w2d", 777_600), ("0s", 0)],
)
def test_spans(text: str, seconds: int) -> None:
    assert parse_span(text) == seconds


@pytest.mark.parametrize("text", ["", "60", "1m1h", "5ms", "1.5h", "1m 1m", "-1m"])
def test_bad_spans_say_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match='expected a duration like "30s"'):
        parse_span(text)

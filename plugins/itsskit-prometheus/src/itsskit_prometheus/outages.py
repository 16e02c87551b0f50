"""From firing samples to outage spans: the pure part of the source (no I/O).

The range is read on a **grid**: instants ``first + k * step``, aligned to
multiples of ``step`` since the Unix epoch, so the same instant is asked for
whatever the window. A sample returned at a grid instant ``t`` means the
expression fired at ``t``, and the service counts as down over ``[t, t + step)``.
A **run** of firing samples at consecutive grid instants ``t_i .. t_j`` of one
series is one outage ``[t_i, t_j + step)``: it starts at its first firing sample
and ends at the first grid instant after it that is not firing. An outage is
therefore known only to step precision: each of its ends is the first grid
instant at or after the real change, so at most one step late.

Prometheus answers at most 11,000 points per series and request, so the grid
is read in **chunks** of at most ``max_points`` instants; :class:`RunStitcher`
joins runs across chunk boundaries, so the outages do not depend on the chunking.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import attrs

__all__ = ["Grid", "Labels", "Run", "RunStitcher", "grid_for", "series_text"]

Labels = tuple[tuple[str, str], ...]  # a series' labels, sorted by name


@attrs.frozen(kw_only=True)
class Grid:
    """``count`` instants ``first, first + step, ...`` in Unix seconds."""

    first: int
    step: int
    count: int

    @property
    def last(self) -> int:
        """The last instant of the grid."""
        return self.first + (self.count - 1) * self.step

    def chunks(self, max_points: int) -> Iterator[tuple[int, int]]:
        """``(first, last)`` instants of consecutive requests of at most ``max_points`` points."""
        for index in range(0, self.count, max_points):
            points = min(max_points, self.count - index)
            start = self.first + index * self.step
            yield start, start + (points - 1) * self.step


def grid_for(start: int, end: int, step: int) -> Grid | None:
    """The grid instants ``t`` with ``start - step < t < end`` aligned to ``step``.

    The first instant is ``start`` rounded down to a multiple of ``step`` (so
    the sample covering ``start`` is read); the last is the last one before
    ``end``. None when there is no such instant.
    """
    first = start - start % step
    if first >= end:
        return None
    count = (end - 1 - first) // step + 1
    return Grid(first=first, step=step, count=count)


@attrs.frozen(kw_only=True)
class Run:
    """Consecutive firing samples of one series: grid instants ``first .. last``."""

    labels: Labels
    first: int
    last: int


@attrs.define
class RunStitcher:
    """Turns the firing samples of successive chunks, in time order, into runs.

    Feed each chunk with :meth:`add`; it returns the runs that are complete (they
    cannot go on in a later chunk); :meth:`finish` returns the ones still open.
    """

    step: int
    _open: dict[Labels, Run] = attrs.field(factory=dict)

    def add(self, chunk_last: int, samples: Iterable[tuple[Labels, Iterable[int]]]) -> list[Run]:
        """Add the firing instants of each series of a chunk ending at ``chunk_last``."""
        done: list[Run] = []
        for labels, instants in samples:
            for instant in sorted(instants):
                run = self._open.get(labels)
                if run is not None and instant == run.last + self.step:
                    self._open[labels] = attrs.evolve(run, last=instant)
                    continue
                if run is not None:
                    done.append(run)
                self._open[labels] = Run(labels=labels, first=instant, last=instant)
        for labels, run in list(self._open.items()):
            if run.last < chunk_last:
                done.append(self._open.pop(labels))
        return done

    def finish(self) -> list[Run]:
        """The runs still open at the end of the grid (firing at its last instant)."""
        runs = list(self._open.values())
        self._open.clear()
        return runs


def series_text(labels: Labels) -> str:
    """The series in PromQL notation: ``up{instance="erp-1",job="erp"}``."""
    name = dict(labels).get("__name__", "")
    inner = ",".join(f'{key}="{_escaped(value)}"' for key, value in labels if key != "__name__")
    return f"{name}{{{inner}}}"


def _escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")

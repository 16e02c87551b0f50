"""SLA clocks (SPEC §3): response, resolution and turnaround, per ticket and vectorised.

Pure functions of tickets, SLA versions, business calendars and an evaluation
instant. Impossible data becomes :class:`~itsskit.models.DataQualityFinding`\\ s,
never exceptions.
"""

from __future__ import annotations

from datetime import datetime

import attrs
import numpy as np
import numpy.typing as npt

from itsskit.models import ClockStatus, Metric

__all__ = ["Clock", "ClockTable"]

#: ``stopped_us`` value of a clock still running at the evaluation instant.
RUNNING = np.iinfo(np.int64).min
METRIC_CODES: tuple[Metric, ...] = (Metric.RESPONSE, Metric.RESOLUTION, Metric.TURNAROUND)
STATUS_CODES: tuple[ClockStatus, ...] = (ClockStatus.MET, ClockStatus.BREACHED, ClockStatus.IN_PROGRESS)


@attrs.frozen(kw_only=True)
class Clock:
    """One SLA clock of one ticket, evaluated at an instant.

    ``elapsed_seconds`` is business time in the SLA's calendar, pauses (and
    time resolved before a reopen) excluded. ``stopped`` is None while the
    clock runs. ``status`` is ``breached`` as soon as elapsed > target, running
    or not.
    """

    ticket_id: str
    project: str | None
    service: str | None
    metric: Metric
    priority: str
    target_seconds: int
    elapsed_seconds: int
    paused_seconds: int
    started: datetime
    stopped: datetime | None
    deadline: datetime | None
    status: ClockStatus
    major: bool = False

    @property
    def running(self) -> bool:
        """True while the clock has not stopped."""
        return self.stopped is None

    @property
    def remaining_seconds(self) -> int:
        """Target minus elapsed; negative once breached."""
        return self.target_seconds - self.elapsed_seconds

    @property
    def percent_used(self) -> float:
        """Elapsed time as a share of the target (1.0 = exactly on target)."""
        return self.elapsed_seconds / self.target_seconds


@attrs.frozen(kw_only=True, eq=False)
class ClockTable:
    """Many clocks as numpy columns, for KPIs over 100,000s of tickets.

    Row ``i`` is one clock. ``metric``/``status`` index :data:`METRIC_CODES` /
    :data:`STATUS_CODES`; ``priority``/``project`` index :attr:`priorities` /
    :attr:`projects`; ``ticket`` indexes :attr:`ticket_ids`. ``stopped_us`` is
    the stop instant in UTC epoch microseconds, :data:`RUNNING` while running.
    """

    ticket_ids: list[str]
    priorities: list[str]
    projects: list[str]
    ticket: npt.NDArray[np.int64]
    metric: npt.NDArray[np.int8]
    priority: npt.NDArray[np.int16]
    project: npt.NDArray[np.int32]
    target: npt.NDArray[np.int64]
    elapsed: npt.NDArray[np.int64]
    stopped_us: npt.NDArray[np.int64]
    status: npt.NDArray[np.int8]
    major: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return int(self.ticket.shape[0])

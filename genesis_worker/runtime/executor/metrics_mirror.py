"""Task metrics across the process boundary: the executor sends a snapshot of each task's
:class:`TaskMetrics` every :data:`SNAPSHOT_INTERVAL_S`; the worker keeps a mirror registered in its
:class:`WorkerMetrics`, so ``GET /metrics`` and ``/genesis/metrics`` show the same series whatever process
runs the task. Monotonic timestamps (state durations, metric windows) are the host's ``CLOCK_MONOTONIC``,
the same in both processes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

from genesis_worker.metrics.task_metrics import ErrorCounts, TaskMetrics

SNAPSHOT_INTERVAL_S = 1.0

_READERS = frozenset({"lag_reader", "error_reader", "extra", "partition_reader", "active_reader"})
_PLAIN = tuple(f.name for f in fields(TaskMetrics) if f.name not in _READERS)


def snapshot(m: TaskMetrics) -> dict[str, Any]:
    """What the worker needs of ``m``: its plain fields and the current values of its readers."""
    snap: dict[str, Any] = {name: getattr(m, name) for name in _PLAIN}
    snap["_lag"] = m.lag()
    snap["_errors"] = m.error_counts()
    snap["_extras"] = m.extras()
    snap["_partitions"] = m.read(m.partition_reader)
    snap["_active"] = m.read(m.active_reader)
    return snap


@dataclass
class MirroredMetrics:
    """The worker's copy of a remote task's metrics: :attr:`metrics` is what the registry holds."""

    metrics: TaskMetrics
    lag: dict[tuple[str, int], int] = field(default_factory=dict)
    errors: ErrorCounts = field(default_factory=ErrorCounts)
    extras: dict[str, float] = field(default_factory=dict)
    partitions: float = math.nan
    active: float = math.nan

    @classmethod
    def create(cls, connector: str, task: int, kind: str) -> MirroredMetrics:
        mirror = cls(TaskMetrics(connector, task, "sink" if kind == "sink" else "source"))
        m = mirror.metrics
        m.lag_reader = lambda: mirror.lag
        m.error_reader = lambda: mirror.errors
        m.extra = lambda: mirror.extras
        m.partition_reader = lambda: mirror.partitions  # type: ignore[assignment]
        m.active_reader = lambda: mirror.active  # type: ignore[assignment]
        return mirror

    def apply(self, snap: dict[str, Any]) -> None:
        for name in _PLAIN:
            if name in snap:
                setattr(self.metrics, name, snap[name])
        self.lag = snap.get("_lag", {})
        self.errors = snap.get("_errors", ErrorCounts())
        self.extras = snap.get("_extras", {})
        self.partitions = snap.get("_partitions", math.nan)
        self.active = snap.get("_active", math.nan)

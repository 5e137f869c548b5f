"""What the lag monitor keeps per pipeline: a sink's partition windows and Burrow statuses
(:class:`SinkLag`), a source's produce figures (:class:`SourceLag`), and each pipeline's last hour of
points for the console's charts (:class:`Series`)."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from genesis_worker.genesis.lag.evaluator import Status, group_status
from genesis_worker.genesis.lag.sampler import TP, GroupOffsets
from genesis_worker.genesis.lag.window import PartitionWindow

SERIES_SPAN_MS = 3_600_000


@dataclass(frozen=True, slots=True)
class Point:
    t: int
    records_per_sec: float
    lag: int | None
    status: str | None

    def to_json(self) -> dict[str, Any]:
        return {"t": self.t, "records_per_sec": self.records_per_sec, "lag": self.lag, "status": self.status}


class Series:
    """A ring of points, one per sample, covering the last hour."""

    def __init__(self, interval_ms: int) -> None:
        self.points: deque[Point] = deque(maxlen=max(1, math.ceil(SERIES_SPAN_MS / interval_ms)))

    def add(self, point: Point) -> None:
        self.points.append(point)

    def since(self, t_ms: int) -> list[Point]:
        return [p for p in self.points if p.t >= t_ms]


class SinkLag:
    """A sink's consumer group, its partition windows and their evaluation at the last sample."""

    def __init__(self, group: str, window_size: int, min_samples: int = 1) -> None:
        self.group = group
        self.window_size = window_size
        self.min_samples = min_samples
        self.windows: dict[TP, PartitionWindow] = {}
        self.statuses: dict[TP, Status] = {}
        self.found = False
        self.evaluated_at: int | None = None
        self._last: tuple[int, dict[TP, int]] | None = None

    def observe(self, offsets: GroupOffsets, end_offsets: dict[TP, int], now_ms: int) -> float | None:
        """One sample of the group; returns the records consumed per second since the previous sample (from
        the committed offsets: the whole group's, on any worker), None on the first."""
        self.found = bool(offsets.committed)
        for tp in [tp for tp in self.windows if tp not in offsets.committed]:
            del self.windows[tp]  # offsets deleted (reset) or topic gone
        for tp, committed in offsets.committed.items():
            end = end_offsets.get(tp)
            if end is not None:
                self.windows.setdefault(tp, PartitionWindow(self.window_size)).observe(
                    committed, end, tp in offsets.owned, now_ms
                )
        self.statuses = {tp: w.status(now_ms, self.min_samples) for tp, w in self.windows.items()}
        self.evaluated_at = now_ms
        rate = None
        if self._last is not None and now_ms > self._last[0]:
            before = self._last[1]
            moved = sum(max(0, c - before[tp]) for tp, c in offsets.committed.items() if tp in before)
            rate = moved * 1000.0 / (now_ms - self._last[0])
        self._last = (now_ms, dict(offsets.committed))
        return rate

    @property
    def status(self) -> Status:
        """Burrow's group status: NOTFOUND without committed offsets, else the worst partition's (at most ERR)."""
        return group_status(self.statuses.values()) if self.found else Status.NOTFOUND

    @property
    def total_lag(self) -> int:
        return sum(w.current_lag for w in self.windows.values())

    def to_json(self, name: str) -> dict[str, Any]:
        return {
            "connector": name,
            "type": "sink",
            "group": self.group,
            "status": self.status.name,
            "total_lag": self.total_lag,
            "evaluated_at": self.evaluated_at,
            "partitions": [
                self.windows[tp].to_json(tp[0], tp[1], self.statuses.get(tp, Status.OK)) for tp in sorted(self.windows)
            ],
        }


class SourceLag:
    """A source's figures from its tasks' (``cluster_view.local_task_figures``, gathered from the workers
    that run them): records produced per second (acknowledged by Kafka), the age of its last offset commit
    and the records produced but not yet acknowledged."""

    def __init__(self) -> None:
        self.records_per_sec: float | None = None
        self.last_commit_ms: int | None = None
        self.pending_records: int | None = None
        self._last: tuple[int, int] | None = None

    def observe(self, tasks: Iterable[Mapping[str, Any]], now_ms: int) -> float | None:
        """One sample; returns the records per second since the previous one (None without task figures)."""
        mine = list(tasks)
        if not mine:
            self.records_per_sec = self.pending_records = None
            self._last = None
            return None
        written = sum(int(t.get("records_written") or 0) for t in mine)
        commits = [int(t["last_commit_ms"]) for t in mine if isinstance(t.get("last_commit_ms"), int)]
        self.last_commit_ms = max(commits) if commits else self.last_commit_ms
        known = [int(t["pending_records"]) for t in mine if isinstance(t.get("pending_records"), int)]
        self.pending_records = sum(known) if known else None
        rate = None
        if self._last is not None and now_ms > self._last[0]:
            rate = max(0, written - self._last[1]) * 1000.0 / (now_ms - self._last[0])
        self.records_per_sec = rate
        self._last = (now_ms, written)
        return rate

    def to_json(self, name: str, now_ms: int) -> dict[str, Any]:
        age = None if self.last_commit_ms is None else max(0, now_ms - self.last_commit_ms)
        return {
            "connector": name,
            "type": "source",
            "records_per_sec": self.records_per_sec,
            "last_offset_commit_age_ms": age,
            "pending_records": self.pending_records,
        }

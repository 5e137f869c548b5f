"""Per-task counters, kept as plain integers on the hot path and read by the Prometheus collector at scrape
time, so counting a record costs one integer addition and never a lock or a registry call. Windowed
figures (batch sizes and times, commit times) take one append per batch or commit, never per record."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

# (topic, partition) -> records behind the end of the partition.
LagReader = Callable[[], dict[tuple[str, int], int]]

SAMPLE_S = 30.0
SAMPLES = 2
"""Java's metric window: ``metrics.num.samples`` (2) samples of ``metrics.sample.window.ms`` (30 s)."""


@dataclass(slots=True)
class ErrorCounts:
    """What the error handler counted for one task (Connect's ``task-error-metrics``)."""

    errors: int = 0
    """Records that failed (``total-record-errors``)."""
    retries: int = 0
    """Retried operations (``total-retries``)."""
    skipped: int = 0
    """Records skipped after a tolerated error (``total-records-skipped``)."""
    logged: int = 0
    """Errors written to the log (``total-errors-logged``)."""
    dlq_requests: int = 0
    """Writes to the dead letter queue attempted (``deadletterqueue-produce-requests``)."""
    dlq_sent: int = 0
    """Writes to the dead letter queue acknowledged."""
    dlq_failures: int = 0
    """Writes to the dead letter queue that failed (``deadletterqueue-produce-failures``)."""
    last_error_ms: int = 0
    """Epoch millis of the last error (``last-error-timestamp``), 0 if none."""


class Window:
    """Java's windowed ``Avg`` and ``Max`` (``SampledStat``): observations fall into samples of
    :data:`SAMPLE_S` seconds, the last :data:`SAMPLES` of them are measured (NaN while they hold nothing).
    Constant memory and time per observation."""

    __slots__ = ("_clock", "_samples")

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        # [start, count, total, max] per sample, oldest first
        self._samples: deque[list[float]] = deque(maxlen=SAMPLES)
        self._clock = clock

    def record(self, value: float) -> None:
        now = self._clock()
        samples = self._samples
        if not samples or now - samples[-1][0] >= SAMPLE_S:
            samples.append([now, 1, value, value])
            return
        current = samples[-1]
        current[1] += 1
        current[2] += value
        if value > current[3]:
            current[3] = value

    def _live(self) -> list[list[float]]:
        now = self._clock()
        return [s for s in self._samples if now - s[0] < SAMPLE_S * SAMPLES]

    def avg(self) -> float:
        live = self._live()
        count = sum(s[1] for s in live)
        return sum(s[2] for s in live) / count if count else math.nan

    def max(self) -> float:
        live = self._live()
        return max(s[3] for s in live) if live else math.nan


@dataclass(slots=True)
class TaskMetrics:
    """Counters of one running task. Names follow Connect's task metrics (``sink-record-read-total`` ...)."""

    connector: str
    task: int
    kind: Literal["sink", "source"]
    records_read: int = 0
    """sink: records consumed from Kafka (``sink-record-read-total``); source: records polled
    (``source-record-poll-total``)."""
    records_written: int = 0
    """sink: records handed to ``put`` (``sink-record-send-total``); source: records acknowledged by Kafka
    (``source-record-write-total``)."""
    records_skipped: int = 0
    """Dropped by a transform/predicate or skipped after a tolerated error (``total-records-skipped``)."""
    offset_commits: int = 0
    offset_commit_failures: int = 0
    last_commit_ms: int | None = None
    """Wall-clock time of the last successful offset commit (Genesis: a source's offset commit age)."""
    batches: int = 0
    batch_seconds: float = 0.0
    """Time spent in ``put``/``poll``, summed over batches."""
    last_record_ms: int | None = None
    started_ms: int = field(default_factory=lambda: int(time.time() * 1000))
    lag_reader: LagReader | None = None
    error_reader: Callable[[], ErrorCounts] | None = None
    """What the task's error handler counted (it keeps these counts itself)."""
    extra: Callable[[], dict[str, float]] | None = None
    """Connector-specific gauges (e.g. a lookup table's entries and bytes)."""
    partition_reader: Callable[[], int] | None = None
    """sink: partitions assigned to the task (``partition-count``)."""
    active_reader: Callable[[], int] | None = None
    """Records in flight: sink: consumed but not committed; source: produced but not acknowledged
    (``sink-record-active-count``/``source-record-active-count``)."""
    # windowed figures, one observation per batch or commit
    batch_sizes: Window = field(default_factory=Window)
    batch_times_ms: Window = field(default_factory=Window)
    active_counts: Window = field(default_factory=Window)
    commit_times_ms: Window = field(default_factory=Window)
    commit_outcomes: Window = field(default_factory=Window)
    # state durations for running-ratio / pause-ratio (Java's StateTracker)
    state: str = "unassigned"
    state_since: float = field(default_factory=time.monotonic)
    created: float = field(default_factory=time.monotonic)
    state_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def record_errors(self) -> int:
        """Failures seen by the error handler (``total-record-errors``)."""
        return self.error_reader().errors if self.error_reader is not None else 0

    @property
    def records_dlq(self) -> int:
        """Records written to the dead letter queue."""
        return self.error_reader().dlq_sent if self.error_reader is not None else 0

    def error_counts(self) -> ErrorCounts:
        return self.error_reader() if self.error_reader is not None else ErrorCounts()

    def record_batch(self, size: int, seconds: float) -> None:
        """One ``put`` (sink) or ``poll`` (source) of ``size`` records that took ``seconds``."""
        self.batches += 1
        self.batch_seconds += seconds
        self.batch_sizes.record(size)
        self.batch_times_ms.record(seconds * 1000)
        if self.active_reader is not None:
            self.active_counts.record(self.active_reader())

    def record_commit(self, seconds: float, ok: bool) -> None:
        """One offset commit attempt."""
        if ok:
            self.offset_commits += 1
            self.last_commit_ms = int(time.time() * 1000)
            self.commit_times_ms.record(seconds * 1000)
        else:
            self.offset_commit_failures += 1
        self.commit_outcomes.record(1.0 if ok else 0.0)

    def record_state(self, state: str) -> None:
        """The task's reported state changed (lower-case Connect state name)."""
        now = time.monotonic()
        self.state_seconds[self.state] = self.state_seconds.get(self.state, 0.0) + now - self.state_since
        self.state, self.state_since = state, now

    def state_ratio(self, state: str) -> float:
        """Fraction of the task's life spent in ``state`` (``running-ratio``, ``pause-ratio``)."""
        now = time.monotonic()
        spent = self.state_seconds.get(state, 0.0) + (now - self.state_since if self.state == state else 0.0)
        life = now - self.created
        return spent / life if life > 0 else 0.0

    def commit_success_ratio(self) -> tuple[float, float]:
        """(success, failure) fractions of the commits in the window (``offset-commit-*-percentage``)."""
        ok = self.commit_outcomes.avg()
        return (0.0, 0.0) if math.isnan(ok) else (ok, 1.0 - ok)

    def lag(self) -> dict[tuple[str, int], int]:
        """Consumer lag per partition for sink tasks (empty for sources or when unknown)."""
        if self.lag_reader is None:
            return {}
        try:
            return self.lag_reader()
        except Exception:
            return {}

    def extras(self) -> dict[str, float]:
        if self.extra is None:
            return {}
        try:
            return dict(self.extra())
        except Exception:
            return {}

    def read(self, reader: Callable[[], int] | None) -> float:
        """A gauge from a reader, NaN if the task has none or it fails."""
        if reader is None:
            return math.nan
        try:
            return float(reader())
        except Exception:
            return math.nan

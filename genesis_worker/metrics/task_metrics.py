"""Per-task counters, kept as plain integers on the hot path and read by the Prometheus collector at scrape
time, so counting a record costs one integer addition and never a lock or a registry call."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

# (topic, partition) -> records behind the end of the partition.
LagReader = Callable[[], dict[tuple[str, int], int]]


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
    batches: int = 0
    batch_seconds: float = 0.0
    """Time spent in ``put``/``poll`` plus conversion, summed over batches."""
    last_record_ms: int | None = None
    started_ms: int = field(default_factory=lambda: int(time.time() * 1000))
    lag_reader: LagReader | None = None
    error_reader: Callable[[], tuple[int, int]] | None = None
    """(failures seen by the error handler, records written to the dead letter queue): the error
    handler keeps these counts itself."""
    extra: Callable[[], dict[str, float]] | None = None
    """Connector-specific gauges (e.g. a lookup table's entries and bytes)."""

    @property
    def record_errors(self) -> int:
        """Failures seen by the error handler (``total-record-errors``)."""
        return self.error_reader()[0] if self.error_reader is not None else 0

    @property
    def records_dlq(self) -> int:
        """Records written to the dead letter queue (``deadletterqueue-produce-requests``)."""
        return self.error_reader()[1] if self.error_reader is not None else 0

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

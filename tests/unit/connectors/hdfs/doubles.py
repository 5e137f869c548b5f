"""A SinkTaskContext that records what a sink task asks of the runtime (offset seeks, timeouts, commit
requests, reported records); shared by the store-sink tests (HDFS, Cassandra, Couchbase)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from genesis_worker.api import ErrantRecordReporter, SinkRecord, SinkTaskContext, TopicPartition


class RecordingReporter(ErrantRecordReporter):
    def __init__(self) -> None:
        self.reported: list[tuple[SinkRecord, BaseException]] = []

    def report(self, record: SinkRecord, error: BaseException) -> asyncio.Future[None]:
        self.reported.append((record, error))
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        fut.set_result(None)
        return fut


class RecordingSinkContext(SinkTaskContext):
    def __init__(self, *, with_reporter: bool = True) -> None:
        self.offsets: dict[TopicPartition, int] = {}
        self.timeouts: list[int] = []
        self.commit_requests = 0
        self.reporter = RecordingReporter() if with_reporter else None

    def configs(self) -> dict[str, str]:
        return {}

    def offset(self, offsets: Mapping[TopicPartition, int]) -> None:
        self.offsets.update(offsets)

    def timeout(self, timeout_ms: int) -> None:
        self.timeouts.append(timeout_ms)

    def assignment(self) -> set[TopicPartition]:
        return set()

    def pause(self, *partitions: TopicPartition) -> None:
        pass

    def resume(self, *partitions: TopicPartition) -> None:
        pass

    def request_commit(self) -> None:
        self.commit_requests += 1

    @property
    def errant_record_reporter(self) -> ErrantRecordReporter | None:
        return self.reporter

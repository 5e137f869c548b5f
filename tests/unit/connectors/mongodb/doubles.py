"""Test doubles (not mocks of MongoDB): the framework side of a task, recorded for assertions.

``SinkContextDouble`` stands in for the runtime's SinkTaskContext (records ``timeout`` calls and reported
records); ``SourceContextDouble`` gives a source task an ``OffsetStorageReaderDouble`` backed by a dict,
which tests fill with the offsets a "previous worker" committed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping
from typing import Any

from genesis_worker.api import (
    ErrantRecordReporter,
    OffsetStorageReader,
    SinkRecord,
    SinkTaskContext,
    SourceRecord,
    SourceTaskContext,
    TopicPartition,
)
from genesis_worker.api.task import partition_key


class ReporterDouble(ErrantRecordReporter):
    def __init__(self) -> None:
        self.reported: list[tuple[SinkRecord, BaseException]] = []

    def report(self, record: SinkRecord, error: BaseException) -> asyncio.Future[None]:
        self.reported.append((record, error))
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        fut.set_result(None)
        return fut


class SinkContextDouble(SinkTaskContext):
    def __init__(self, props: dict[str, str] | None = None, *, with_reporter: bool = True) -> None:
        self.props = props or {}
        self.timeouts: list[int] = []
        self.reporter = ReporterDouble() if with_reporter else None

    def configs(self) -> dict[str, str]:
        return self.props

    def timeout(self, timeout_ms: int) -> None:
        self.timeouts.append(timeout_ms)

    def assignment(self) -> set[TopicPartition]:
        return set()

    def offset(self, offsets: Mapping[TopicPartition, int]) -> None:
        pass

    def pause(self, *partitions: TopicPartition) -> None:
        pass

    def resume(self, *partitions: TopicPartition) -> None:
        pass

    def request_commit(self) -> None:
        pass

    @property
    def errant_record_reporter(self) -> ErrantRecordReporter | None:
        return self.reporter


class OffsetStorageReaderDouble(OffsetStorageReader):
    def __init__(self) -> None:
        self.store: dict[Any, dict[str, Any]] = {}

    def commit(self, records: list[SourceRecord]) -> None:
        """What the runtime does once Kafka acknowledged the records: keep the latest offset per partition."""
        for r in records:
            self.store[partition_key(r.source_partition)] = dict(r.source_offset or {})

    async def offsets(self, partitions: Collection[Mapping[str, Any]]) -> dict[Any, dict[str, Any] | None]:
        return {partition_key(p): self.store.get(partition_key(p)) for p in partitions}


class SourceContextDouble(SourceTaskContext):
    def __init__(self, reader: OffsetStorageReaderDouble | None = None) -> None:
        self.reader = reader or OffsetStorageReaderDouble()

    def configs(self) -> dict[str, str]:
        return {}

    @property
    def offset_storage_reader(self) -> OffsetStorageReader:
        return self.reader


def sink_record(topic: str, offset: int, value: Any, key: Any = None, **kw: Any) -> SinkRecord:
    return SinkRecord(
        topic,
        kw.pop("partition", 0),
        kw.pop("key_schema", None),
        key,
        kw.pop("value_schema", None),
        value,
        offset,
        **kw,
    )

"""The records a sink task holds in flight, from put() to their commit, are bounded (issue 15 item 5).

The consumer here is an in-memory stand-in for librdkafka's (a mock: a real broker adds nothing to what is
tested, the worker loop's decision to commit before consuming more)."""

from __future__ import annotations

import asyncio
from typing import Any

from confluent_kafka import Message
from confluent_kafka import TopicPartition as KTopicPartition

from genesis_worker.api import SinkRecord, SinkTask
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import State
from genesis_worker.runtime.converters.bytearray import ByteArrayConverter
from genesis_worker.runtime.converters.header import SimpleHeaderConverter
from genesis_worker.runtime.errors import RetryWithToleranceOperator
from genesis_worker.runtime.sink_task import WorkerSinkTask
from genesis_worker.runtime.transformation_chain import TransformationChain


class _Consumer:
    """One partition of endless records; commits are recorded."""

    def __init__(self, _config: dict[str, Any]) -> None:
        self.next_offset = 0
        self.on_assign: Any = None
        self.assigned = False
        self.committed: list[int] = []

    def subscribe(self, topics: list[str], on_assign: Any, on_revoke: Any, on_lost: Any) -> None:
        self.topic, self.on_assign = topics[0], on_assign

    def assign(self, partitions: list[KTopicPartition]) -> None:
        self.assigned = True

    def _next(self) -> Message:
        msg = Message(topic=self.topic, partition=0, offset=self.next_offset, value=b"v", key=None)
        self.next_offset += 1
        return msg

    def poll(self, timeout: float) -> Message:
        if not self.assigned:
            self.on_assign(self, [KTopicPartition(self.topic, 0)])
        return self._next()

    def consume(self, n: int, timeout: float) -> list[Message]:
        return [self._next() for _ in range(n)]

    def commit(self, offsets: list[KTopicPartition], asynchronous: bool) -> None:
        self.committed.append(offsets[0].offset)

    def close(self) -> None:
        pass


class _BufferingSink(SinkTask):
    """Keeps every record it is given until flush() (like a batching store writer)."""

    def __init__(self) -> None:
        self.buffered = 0
        self.peak = 0
        self.flushes = 0

    async def start(self, props: dict[str, str]) -> None:
        pass

    async def put(self, records: list[SinkRecord]) -> None:
        self.buffered += len(records)
        self.peak = max(self.peak, self.buffered)
        await asyncio.sleep(0)

    async def flush(self, current_offsets: Any) -> None:
        self.buffered = 0
        self.flushes += 1

    async def stop(self) -> None:
        pass


class _KeepingSink(_BufferingSink):
    """Holds records back from every commit (it manages its own offsets)."""

    async def pre_commit(self, current_offsets: Any) -> dict[Any, int]:
        self.flushes += 1
        return {}


class _Listener:
    def on_task_state(self, task: ConnectorTaskId, state: State, trace: str | None = None) -> None:
        pass

    def on_topic_active(self, connector: str, topic: str) -> None:
        pass


async def _run(sink: SinkTask, **kw: int) -> WorkerSinkTask:
    task = WorkerSinkTask(
        ConnectorTaskId("bounded-sink", 0),
        sink,
        {"topics": "t"},
        {},
        ByteArrayConverter(),
        ByteArrayConverter(),
        SimpleHeaderConverter(),
        TransformationChain(),
        RetryWithToleranceOperator("bounded-sink", 0),
        _Listener(),
        max_poll_records=100,
        offset_flush_interval_ms=3_600_000,  # no periodic commit during the test
        consumer_factory=_Consumer,
        **kw,
    )
    run = asyncio.ensure_future(task.execute())
    for _ in range(200):
        await asyncio.sleep(0.01)
        if task.consumer is not None and task.consumer.next_offset >= 5_000:
            break
    task.stop()
    await asyncio.wait_for(run, 10)
    return task


async def test_records_put_and_not_committed_never_exceed_the_bound() -> None:
    sink = _BufferingSink()
    task = await _run(sink, max_inflight_records=1_000)
    assert sink.flushes >= 4 and task.early_commits >= 4
    assert sink.peak <= 1_000 + 100  # the bound plus the batch that crossed it


async def test_a_connector_keeping_its_records_is_not_waited_for() -> None:
    sink = _KeepingSink()
    task = await _run(sink, max_inflight_records=1_000)
    consumed = sink.buffered
    assert consumed >= 5_000  # consumption went on
    # one early commit a bound apart, not one per batch of 100 once past the bound
    assert 1 <= task.early_commits <= consumed // 1_000

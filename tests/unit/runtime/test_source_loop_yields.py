"""A source task that always has records must still let the rest of the event loop run (REST, status)."""

from __future__ import annotations

import asyncio
from typing import Any

from confluent_kafka import Message

from genesis_worker.api import SourceRecord, SourceTask
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import State
from genesis_worker.runtime.converters.bytearray import ByteArrayConverter
from genesis_worker.runtime.converters.header import SimpleHeaderConverter
from genesis_worker.runtime.errors import RetryWithToleranceOperator
from genesis_worker.runtime.source_task import WorkerSourceTask
from genesis_worker.runtime.transformation_chain import TransformationChain
from genesis_worker.storage.file_offsets import MemoryOffsetBackingStore

MAX_POLLS = 500


class _BusySource(SourceTask):
    """Returns a batch on every poll without ever awaiting anything (a file that is all ready)."""

    def __init__(self) -> None:
        self.polls = 0

    def version(self) -> str:
        return "1"

    async def start(self, props: dict[str, str]) -> None:
        pass

    async def poll(self) -> list[SourceRecord]:
        self.polls += 1
        if self.polls > MAX_POLLS:
            raise AssertionError("the source loop never yielded to the event loop")
        return [SourceRecord({"f": "x"}, {"pos": self.polls * 10 + i}, "t", value=b"v%d" % i) for i in range(10)]

    async def stop(self) -> None:
        pass


class _Producer:
    """Accepts every record and acknowledges it at once on the next poll."""

    def __init__(self) -> None:
        self.pending: list[Any] = []
        self.sent = 0

    def produce(self, topic: str, value: Any, key: Any, partition: int, on_delivery: Any, **kw: Any) -> None:
        self.pending.append((on_delivery, Message(topic=topic, partition=0, offset=self.sent, value=value)))
        self.sent += 1

    def poll(self, timeout: float = 0) -> int:
        pending, self.pending = self.pending, []
        for cb, msg in pending:
            cb(None, msg)
        return len(pending)


class _Listener:
    def on_task_state(self, task: ConnectorTaskId, state: State, trace: str | None = None) -> None:
        pass

    def on_topic_active(self, connector: str, topic: str) -> None:
        pass


async def test_busy_source_yields_between_batches() -> None:
    source = _BusySource()
    task = WorkerSourceTask(
        ConnectorTaskId("busy", 0),
        source,
        {},
        {},
        ByteArrayConverter(),
        ByteArrayConverter(),
        SimpleHeaderConverter(),
        TransformationChain(),
        RetryWithToleranceOperator("busy", 0),
        _Listener(),
        MemoryOffsetBackingStore(),
    )
    task.producer = _Producer()
    ticks = 0

    async def other_work() -> None:  # stands in for a REST request handled on the same loop
        nonlocal ticks
        for _ in range(3):
            await asyncio.sleep(0)
            ticks += 1
        task.stopping.set()

    other = asyncio.ensure_future(other_work())
    await asyncio.wait_for(task._loop(), 10)
    await other
    assert ticks == 3
    assert source.polls < 20  # it was interleaved with the other work, not run to exhaustion first
    assert task.producer.sent == 10 * source.polls

"""What a source task holds in flight (sent, not yet committed) and the bound on it (issue 14 item 7)."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from confluent_kafka import Message

from genesis_worker.api import SourceRecord, SourceTask
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import State
from genesis_worker.runtime.converters.bytearray import ByteArrayConverter
from genesis_worker.runtime.converters.header import SimpleHeaderConverter
from genesis_worker.runtime.errors import RetryWithToleranceOperator
from genesis_worker.runtime.source_offsets import HELD_RECORD_OVERHEAD_BYTES as O
from genesis_worker.runtime.source_offsets import SubmittedRecords
from genesis_worker.runtime.source_task import WorkerSourceTask
from genesis_worker.runtime.transformation_chain import TransformationChain
from genesis_worker.storage.file_offsets import MemoryOffsetBackingStore

# --- accounting ---------------------------------------------------------------------------------------


def test_held_records_and_bytes_from_send_to_commit() -> None:
    sub = SubmittedRecords()
    a = sub.submit({"f": "a"}, {"pos": 1}, 10)
    b = sub.submit({"f": "a"}, {"pos": 2}, 20)
    c = sub.submit({"f": "b"}, {"pos": 1}, 30)
    assert (sub.held_count, sub.pending_count, sub.held_bytes) == (3, 3, 3 * O + 60)

    sub.ack(b)  # acknowledged but behind an unacknowledged record: still held, its bytes released
    sub.ack(b)  # a second report changes nothing
    assert (sub.held_count, sub.pending_count, sub.held_bytes) == (3, 2, 3 * O + 40)
    assert sub.bytes_after_commit() == 2 * O + 40
    assert sub.committable() == {}
    assert sub.held_count == 3

    sub.ack(a)
    sub.ack(c)
    assert sub.bytes_after_commit() == 0
    out = sub.committable()
    assert [dict(o) for _, o in sorted(out.values(), key=lambda v: v[0]["f"])] == [{"pos": 2}, {"pos": 1}]
    assert (sub.held_count, sub.pending_count, sub.held_bytes) == (0, 0, 0)
    assert (sub.peak_count, sub.peak_bytes) == (3, 3 * O + 60)


# --- the bound in the task loop -------------------------------------------------------------------------


class _Source(SourceTask):
    """Batches of 3 records of one source partition, forever."""

    def __init__(self) -> None:
        self.polls = 0

    async def start(self, props: dict[str, str]) -> None:
        pass

    async def poll(self) -> list[SourceRecord]:
        self.polls += 1
        base = (self.polls - 1) * 3
        return [SourceRecord({"f": "x"}, {"pos": base + i}, "t", value=b"v" * 10) for i in range(3)]

    async def stop(self) -> None:
        pass


class _Producer:
    """Holds every record until the test acknowledges it (``ack(n)``: the ``n`` oldest)."""

    def __init__(self) -> None:
        self.unacked: list[Any] = []
        self.ready: list[Any] = []
        self.sent = 0

    def produce(self, topic: str, value: Any, key: Any, partition: int, on_delivery: Any, **kw: Any) -> None:
        self.unacked.append((on_delivery, Message(topic=topic, partition=0, offset=self.sent, value=value)))
        self.sent += 1

    def ack(self, n: int) -> None:
        self.ready.extend(self.unacked[:n])
        del self.unacked[:n]

    def poll(self, timeout: float = 0) -> int:
        ready, self.ready = self.ready, []
        for cb, msg in ready:
            cb(None, msg)
        return len(ready)


class _Listener:
    def on_task_state(self, task: ConnectorTaskId, state: State, trace: str | None = None) -> None:
        pass

    def on_topic_active(self, connector: str, topic: str) -> None:
        pass


def _task(source: SourceTask, store: MemoryOffsetBackingStore, **kw: int) -> WorkerSourceTask:
    task = WorkerSourceTask(
        ConnectorTaskId("bounded", 0),
        source,
        {},
        {},
        ByteArrayConverter(),
        ByteArrayConverter(),
        SimpleHeaderConverter(),
        TransformationChain(),
        RetryWithToleranceOperator("bounded", 0),
        _Listener(),
        store,
        offset_flush_interval_ms=3_600_000,
        **kw,
    )
    task.producer = _Producer()
    return task


async def _committed(store: MemoryOffsetBackingStore, task: WorkerSourceTask) -> int | None:
    key = await task.offset_keys.key_for({"f": "x"})
    raw = (await store.get([key])).get(key)
    if raw is None:
        return None
    return int(orjson.loads(raw)["pos"])


async def test_task_stops_polling_at_the_record_bound_and_commits_only_acked_offsets_early() -> None:
    source = _Source()
    store = MemoryOffsetBackingStore()
    task = _task(source, store, max_inflight_records=7)
    producer: _Producer = task.producer
    loop = asyncio.ensure_future(task._loop())
    try:
        await asyncio.sleep(0.05)
        # 7 records sent (the third batch waits for room after its first record), no more polls
        assert (producer.sent, task.submitted.held_count, source.polls) == (7, 7, 3)
        assert await _committed(store, task) is None

        producer.ack(4)  # records 0..3 acked: committing them early brings the task under the bound
        await asyncio.sleep(0.05)
        assert task.early_commits >= 1
        assert await _committed(store, task) == 3  # never an offset of a record not acknowledged
        assert task.submitted.peak_count == 7
        assert task.submitted.held_count <= 7
    finally:
        task.stopping.set()
        producer.ack(len(producer.unacked))
        await asyncio.wait_for(loop, 5)
    assert task.submitted.peak_count == 7


async def test_byte_bound_counts_unacknowledged_payloads_and_waits_for_acks() -> None:
    source = _Source()
    store = MemoryOffsetBackingStore()
    # room for 4 held records of 10 bytes each
    task = _task(source, store, max_inflight_bytes=4 * (O + 10))
    producer: _Producer = task.producer
    loop = asyncio.ensure_future(task._loop())
    try:
        await asyncio.sleep(0.05)
        assert producer.sent == 4 and source.polls == 2
        assert task.submitted.held_bytes == 4 * (O + 10)
        producer.ack(1)  # committing record 0 alone frees one slot
        await asyncio.sleep(0.05)
        assert producer.sent == 5
        assert await _committed(store, task) == 0
        assert task.submitted.peak_bytes <= 4 * (O + 10)
    finally:
        task.stopping.set()
        producer.ack(len(producer.unacked))
        await asyncio.wait_for(loop, 5)


async def test_a_record_larger_than_the_byte_bound_still_goes_when_nothing_is_held() -> None:
    source = _Source()
    task = _task(source, MemoryOffsetBackingStore(), max_inflight_bytes=1)
    producer: _Producer = task.producer
    loop = asyncio.ensure_future(task._loop())
    try:
        await asyncio.sleep(0.05)
        assert producer.sent == 1
        producer.ack(1)
        await asyncio.sleep(0.05)
        assert producer.sent == 2
    finally:
        task.stopping.set()
        producer.ack(len(producer.unacked))
        await asyncio.wait_for(loop, 5)


# --- the producer queue (issue 15 item 5) ----------------------------------------------------------------


class _QueueProducer(_Producer):
    """librdkafka's queue: ``produce`` raises BufferError while ``max_messages`` records are unacknowledged."""

    def __init__(self, max_messages: int) -> None:
        super().__init__()
        self.max_messages = max_messages

    def produce(self, topic: str, value: Any, key: Any, partition: int, on_delivery: Any, **kw: Any) -> None:
        if len(self.unacked) + len(self.ready) >= self.max_messages:
            raise BufferError("Local: Queue full")
        super().produce(topic, value, key, partition, on_delivery, **kw)


def test_the_producer_queue_is_bounded_in_records_and_bytes_unless_configured() -> None:
    task = _task(_Source(), MemoryOffsetBackingStore())
    assert task.producer_config["queue.buffering.max.messages"] == 20_000
    assert task.producer_config["queue.buffering.max.kbytes"] == 32 * 1024  # Java's buffer.memory, not 1 GiB
    own = WorkerSourceTask(
        ConnectorTaskId("bounded", 0),
        _Source(),
        {},
        {"queue.buffering.max.kbytes": 1024, "queue.buffering.max.messages": 50},  # producer.override.*
        ByteArrayConverter(),
        ByteArrayConverter(),
        SimpleHeaderConverter(),
        TransformationChain(),
        RetryWithToleranceOperator("bounded", 0),
        _Listener(),
        MemoryOffsetBackingStore(),
    )
    assert own.producer_config["queue.buffering.max.kbytes"] == 1024
    assert own.max_queued == 50


async def test_a_full_producer_queue_stops_polling_until_acknowledgements_make_room() -> None:
    source = _Source()
    task = _task(source, MemoryOffsetBackingStore())
    task.producer = producer = _QueueProducer(max_messages=5)
    task.max_queued = 5
    loop = asyncio.ensure_future(task._loop())
    try:
        await asyncio.sleep(0.05)
        # batch 1 (3) and two records of batch 2 queued; the third waits for room: no third poll
        assert (producer.sent, source.polls) == (5, 2)
        await asyncio.sleep(0.05)
        assert source.polls == 2
        producer.ack(5)
        await asyncio.sleep(0.05)
        assert producer.sent > 5 and source.polls > 2
        assert len(producer.unacked) <= 5
    finally:
        task.stopping.set()
        producer.max_messages = 1 << 30
        producer.ack(len(producer.unacked))
        await asyncio.wait_for(loop, 5)

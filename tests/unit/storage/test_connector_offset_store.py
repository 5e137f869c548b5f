"""ConnectorOffsetBackingStore (KIP-618) over in-memory stores: fallback reads, primary-then-secondary writes,
tombstones to the worker's store first, and the union of partitions."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import pytest

from genesis_worker.storage.connector_offset_store import ConnectorOffsetBackingStore
from genesis_worker.storage.file_offsets import MemoryOffsetBackingStore
from genesis_worker.storage.offset_keys import offset_key, offset_value

A = offset_key("c", {"file": "a"})
B = offset_key("c", {"file": "b"})
OTHER = offset_key("other", {"file": "a"})


class FailingStore(MemoryOffsetBackingStore):
    """A memory store whose writes fail (a worker topic that cannot be reached)."""

    def __init__(self) -> None:
        super().__init__()
        self.attempts: list[dict[bytes, bytes | None]] = []

    async def set(self, values: Mapping[bytes, bytes | None]) -> None:
        self.attempts.append(dict(values))
        raise RuntimeError("broker down")


class RecordingStore(MemoryOffsetBackingStore):
    def __init__(self, log: list[str], name: str) -> None:
        super().__init__()
        self.log, self.name = log, name
        self.started = self.stopped = 0

    async def start(self) -> None:
        self.started += 1

    async def stop(self) -> None:
        self.stopped += 1

    async def set(self, values: Mapping[bytes, bytes | None]) -> None:
        self.log.append(f"{self.name}:{','.join('T' if v is None else 'V' for v in values.values())}")
        await super().set(values)


def _v(position: int) -> bytes:
    value = offset_value({"position": position})
    assert value is not None
    return value


async def test_reads_prefer_the_connector_topic_and_fall_back_to_the_worker_topic() -> None:
    worker, own = MemoryOffsetBackingStore(), MemoryOffsetBackingStore()
    await worker.set({A: _v(1), B: _v(2)})
    await own.set({A: _v(10)})
    store = ConnectorOffsetBackingStore("own", worker_store=worker, connector_store=own)
    assert await store.get([A, B]) == {A: _v(10), B: _v(2)}


async def test_writes_go_to_the_connector_topic_then_are_copied_to_the_worker_topic() -> None:
    log: list[str] = []
    worker, own = RecordingStore(log, "worker"), RecordingStore(log, "own")
    store = ConnectorOffsetBackingStore("own", worker_store=worker, connector_store=own)
    await store.set({A: _v(5)})
    await asyncio.sleep(0)  # the copy runs in the background
    assert log == ["own:V", "worker:V"]
    assert own.data == worker.data == {A: _v(5)}


async def test_tombstones_reach_the_worker_topic_first() -> None:
    log: list[str] = []
    worker, own = RecordingStore(log, "worker"), RecordingStore(log, "own")
    await worker.set({A: _v(1), B: _v(2)})
    await own.set({A: _v(1), B: _v(2)})
    log.clear()
    store = ConnectorOffsetBackingStore("own", worker_store=worker, connector_store=own)
    await store.set({A: None, B: _v(3)})
    await asyncio.sleep(0)
    assert log == ["worker:T", "own:T,V", "worker:V"]
    assert await store.get([A, B]) == {B: _v(3)}  # no fallback to the tombstoned offset


async def test_a_failed_tombstone_write_to_the_worker_topic_fails_the_commit_and_writes_nothing() -> None:
    worker, own = FailingStore(), MemoryOffsetBackingStore()
    await own.set({A: _v(1)})
    store = ConnectorOffsetBackingStore("own", worker_store=worker, connector_store=own)
    with pytest.raises(RuntimeError):
        await store.set({A: None})
    assert own.data == {A: _v(1)}


async def test_a_failed_copy_to_the_worker_topic_is_only_logged(caplog: pytest.LogCaptureFixture) -> None:
    worker, own = FailingStore(), MemoryOffsetBackingStore()
    store = ConnectorOffsetBackingStore("own", worker_store=worker, connector_store=own)
    await store.set({A: _v(7)})
    await store.stop()  # waits for the background copy
    assert own.data == {A: _v(7)}
    assert worker.attempts == [{A: _v(7)}]
    assert "Failed to write offsets to secondary backing store" in caplog.text


async def test_only_the_connector_store_is_started_and_stopped() -> None:
    log: list[str] = []
    worker, own = RecordingStore(log, "worker"), RecordingStore(log, "own")
    store = ConnectorOffsetBackingStore("own", worker_store=worker, connector_store=own)
    await store.start()
    await store.stop()
    assert (own.started, own.stopped, worker.started, worker.stopped) == (1, 1, 0, 0)
    worker_only = ConnectorOffsetBackingStore("connect-offsets", worker_store=worker)
    await worker_only.start()
    await worker_only.stop()
    assert (worker.started, worker.stopped) == (0, 0)


async def test_a_single_store_reads_and_writes_alone() -> None:
    worker, own = MemoryOffsetBackingStore(), MemoryOffsetBackingStore()
    await worker.set({A: _v(1)})
    only_own = ConnectorOffsetBackingStore("own", connector_store=own)
    await only_own.set({B: _v(2)})
    assert own.data == {B: _v(2)} and worker.data == {A: _v(1)}
    assert await only_own.get([A, B]) == {B: _v(2)}
    only_worker = ConnectorOffsetBackingStore("connect-offsets", worker_store=worker)
    await only_worker.set({B: _v(3)})
    assert worker.data == {A: _v(1), B: _v(3)}
    with pytest.raises(ValueError):
        ConnectorOffsetBackingStore("none")


async def test_connector_partitions_are_the_union_of_both_stores() -> None:
    worker, own = MemoryOffsetBackingStore(), MemoryOffsetBackingStore()
    two = offset_key("c", {"file": "a", "host": "x"})
    other_order = next(k for k in (b'["c",{"host":"x","file":"a"}]', b'["c",{"file":"a","host":"x"}]') if k != two)
    await worker.set({other_order: _v(1), B: _v(2), OTHER: _v(3)})
    await own.set({two: _v(4)})
    store = ConnectorOffsetBackingStore("own", worker_store=worker, connector_store=own)
    assert sorted(await store.connector_partitions("c")) == sorted([two, B])  # one key per partition

"""CouchbaseSinkTask driven directly against the StandInCollection STAND-IN (no Couchbase Server can run
here): routing to collections, per-document order, the DLQ, tolerance, outages and ambiguous inserts."""

from __future__ import annotations

import pytest

from genesis_connectors.couchbase.task import CouchbaseSinkTask
from genesis_worker.api import DataException, RetriableException, SinkRecord
from tests.unit.connectors.couchbase.standin import StandInBucket, StandInCollection
from tests.unit.connectors.hdfs.doubles import RecordingSinkContext

BASE = {
    "topics": "profiles,clicks",
    "couchbase.seed.nodes": "cb1",
    "couchbase.bucket": "ads",
    "couchbase.username": "kafka",
    "couchbase.password": "secret",
    "couchbase.topic.to.collection": "clicks=ev.clicks",
    "couchbase.retry.backoff.ms": "150",
    "couchbase.max.concurrent.writes": "4",
}


async def start(
    **props: str,
) -> tuple[CouchbaseSinkTask, RecordingSinkContext, dict[tuple[str, str], StandInCollection]]:
    colls: dict[tuple[str, str], StandInCollection] = {}
    task = CouchbaseSinkTask(StandInBucket.factory(colls))
    ctx = RecordingSinkContext()
    task.initialize(ctx)
    await task.start({**BASE, **props})
    return task, ctx, colls


def rec(offset: int, key: str | None, value: object, topic: str = "profiles") -> SinkRecord:
    return SinkRecord(topic, 0, None, key, None, value, offset)


async def test_routing_order_tombstones_and_dlq() -> None:
    task, ctx, colls = await start(**{"errors.tolerance": "all"})
    batch = [rec(i, f"u{i % 3}", {"n": i}) for i in range(9)]
    batch[4] = rec(4, "u1", b"\x00 not json")
    batch.append(rec(9, "u2", None))  # tombstone: remove u2
    batch.append(rec(10, "c1", {"ad": 5}, topic="clicks"))
    await task.put(batch)
    assert colls[("_default", "_default")].docs == {"u0": {"n": 6}, "u1": {"n": 7}}  # the last record of a key wins
    assert colls[("ev", "clicks")].docs == {"c1": {"ad": 5}}
    assert ctx.reporter is not None
    assert [(r.kafka_offset, "not JSON" in str(e)) for r, e in ctx.reporter.reported] == [(4, True)]
    await task.stop()


async def test_insert_conflicts_go_to_the_dlq_or_fail_the_task() -> None:
    task, ctx, colls = await start(**{"couchbase.document.operation": "INSERT", "errors.tolerance": "all"})
    await task.put([rec(0, "a", {"v": 1}), rec(1, "a", {"v": 2}), rec(2, "b", {"v": 3})])
    assert colls[("_default", "_default")].docs == {"a": {"v": 1}, "b": {"v": 3}}
    assert ctx.reporter is not None
    assert [r.kafka_offset for r, _ in ctx.reporter.reported] == [1]
    strict, _, _ = await start(**{"couchbase.document.operation": "INSERT"})
    await strict.put([rec(0, "a", {"v": 1})])
    with pytest.raises(DataException, match="Writing document 'a' failed"):
        await strict.put([rec(1, "a", {"v": 2})])


async def test_outage_is_retriable_and_nothing_is_written_twice() -> None:
    task, ctx, colls = await start()
    await task.put([rec(0, "a", {"v": 0})])
    coll = colls[("_default", "_default")]
    coll.down = True
    batch = [rec(i, f"k{i}", {"v": i}) for i in range(1, 6)]
    with pytest.raises(RetriableException, match="not available"):
        await task.put(batch)
    assert ctx.timeouts == [150]
    assert coll.docs == {"a": {"v": 0}}
    coll.down = False
    calls_before = len(coll.calls)
    await task.put(batch)  # the runtime redelivers the same batch
    assert coll.docs == {"a": {"v": 0}, **{f"k{i}": {"v": i} for i in range(1, 6)}}
    assert len(coll.calls) - calls_before == 5
    await task.put([*batch, rec(6, "k6", {"v": 6})])  # a fresh batch after success writes again (upsert)
    assert coll.docs["k6"] == {"v": 6}
    await task.stop()


async def test_partial_batch_keeps_written_documents_and_ambiguous_insert_counts_as_written() -> None:
    task, ctx, colls = await start(**{"couchbase.document.operation": "INSERT", "errors.tolerance": "all"})
    await task.put([rec(0, "seed", 0)])
    coll = colls[("_default", "_default")]
    coll.ambiguous_after_write.add("x")  # the insert of x lands, but its answer times out
    batch = [rec(1, "x", {"v": 1}), rec(2, "y", {"v": 2}), rec(3, "x", {"v": 3})]
    with pytest.raises(RetriableException):
        await task.put(batch)
    assert coll.docs["y"] == {"v": 2} and coll.docs["x"] == {"v": 1}
    inserts_of_y = sum(1 for op, key, _ in coll.calls if key == "y")
    await task.put(batch)
    # y is not sent again; x@1 exists from the ambiguous attempt: written, not a DLQ record; x@3 really
    # conflicts with it (INSERT) and is reported
    assert sum(1 for op, key, _ in coll.calls if key == "y") == inserts_of_y
    assert ctx.reporter is not None
    assert [r.kafka_offset for r, _ in ctx.reporter.reported] == [3]
    await task.stop()


async def test_real_sdk_against_no_server_is_retriable() -> None:
    """The real Couchbase SDK (no stand-in) against a closed port: start survives, put asks for a retry."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    task = CouchbaseSinkTask()
    ctx = RecordingSinkContext()
    task.initialize(ctx)
    await task.start({**BASE, "couchbase.seed.nodes": f"127.0.0.1:{port}", "couchbase.bootstrap.timeout": "1s"})
    with pytest.raises(RetriableException, match="UnAmbiguousTimeoutException"):
        await task.put([rec(0, "a", {"v": 1})])
    assert ctx.timeouts == [150, 150]
    await task.stop()

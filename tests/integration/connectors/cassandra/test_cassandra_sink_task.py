"""CassandraSinkTask against a real Apache Cassandra 5.0 node: rows, batches, TTL/write time, tombstone
deletes, bad records to the DLQ (client-side and server-refused), a missing table, and an outage."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from cassandra.cluster import Cluster, Session

from genesis_connectors.cassandra.task import CassandraSinkTask
from genesis_worker.api import ConnectException, RetriableException, Schema, SchemaBuilder, SinkRecord, Struct
from tests.unit.connectors.hdfs.doubles import RecordingSinkContext

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

CLICK = SchemaBuilder.struct().field("ad", Schema.INT64_SCHEMA).field("country", Schema.OPTIONAL_STRING_SCHEMA).build()


@pytest.fixture(scope="module")
def cql(cassandra_server: Any) -> Iterator[Session]:
    cluster = Cluster(["127.0.0.1"], port=cassandra_server.port)
    session = cluster.connect()
    yield session
    cluster.shutdown()


@pytest.fixture
def keyspace(cql: Session) -> str:
    ks = "it_" + uuid.uuid4().hex[:8]
    cql.execute(f"CREATE KEYSPACE {ks} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}")
    cql.execute(f"CREATE TABLE {ks}.clicks (user_id text, n int, ad bigint, country text, PRIMARY KEY (user_id, n))")
    cql.execute(f"CREATE TABLE {ks}.events (id text, at timeuuid, v text, PRIMARY KEY (id, at))")
    return ks


def rec(offset: int, key: Any, value: Any, schema: Schema | None = None, topic: str = "clicks") -> SinkRecord:
    return SinkRecord(topic, 0, None, key, schema, value, offset)


async def start_task(server: Any, ks: str, **props: str) -> tuple[CassandraSinkTask, RecordingSinkContext]:
    task = CassandraSinkTask()
    ctx = RecordingSinkContext()
    task.initialize(ctx)
    await task.start(
        {
            "topics": "clicks",
            "contactPoints": server.contact_point,
            "loadBalancing.localDc": server.local_dc,
            f"topic.clicks.{ks}.clicks.mapping": "user_id=key, n=value.n, ad=value.ad, country=value.country",
            "maxNumberOfRecordsInBatch": "4",
            "retry.backoff.ms": "200",
            "queryExecutionTimeout": "5",
            "connectionTimeout": "2",
            **props,
        }
    )
    return task, ctx


def rows(cql: Session, query: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in cql.execute(query)]


async def test_rows_batches_and_dead_letter_queue(cassandra_server: Any, cql: Session, keyspace: str) -> None:
    task, ctx = await start_task(cassandra_server, keyspace, **{"errors.tolerance": "all"})
    batch = [rec(i, f"u{i % 3}", {"n": i, "ad": 100 + i, "country": "KR"}) for i in range(12)]
    batch[4] = rec(4, "u1", {"n": 4, "ad": "not-a-number", "country": "KR"})  # refused by the codec
    batch[7] = rec(7, "", {"n": 7, "ad": 1, "country": "KR"})  # refused by Cassandra: "Key may not be empty"
    batch[9] = rec(9, "u0", {"n": 9, "country": "JP"})  # value.ad missing from the record
    await task.put(batch)
    got = rows(cql, f"SELECT user_id, n, ad, country FROM {keyspace}.clicks")
    assert sorted(got) == sorted((f"u{i % 3}", i, 100 + i, "KR") for i in range(12) if i not in (4, 7, 9))
    assert ctx.reporter is not None
    reported = {r.kafka_offset: str(e) for r, e in ctx.reporter.reported}
    assert sorted(reported) == [4, 7, 9]
    assert "column ad of type bigint" in reported[4]
    assert "Key may not be empty" in reported[7]
    assert "Required field 'value.ad'" in reported[9]
    await task.stop()


async def test_struct_values_null_to_unset_ttl_and_deletes(cassandra_server: Any, cql: Session, keyspace: str) -> None:
    task, _ = await start_task(
        cassandra_server,
        keyspace,
        **{
            f"topic.clicks.{keyspace}.clicks.mapping": "user_id=key, n=value.n, ad=value.ad, country=value.country, "
            "__timestamp=value.at",
            f"topic.clicks.{keyspace}.clicks.ttl": "3600",
            f"topic.clicks.{keyspace}.clicks.timestampTimeUnit": "MILLISECONDS",
        },
    )
    schema = (
        SchemaBuilder.struct()
        .field("n", Schema.INT32_SCHEMA)
        .field("ad", Schema.OPTIONAL_INT64_SCHEMA)
        .field("country", Schema.OPTIONAL_STRING_SCHEMA)
        .field("at", Schema.INT64_SCHEMA)
        .build()
    )
    await task.put([rec(0, "a", Struct(schema).put("n", 1).put("ad", 5).put("country", "KR").put("at", 1_000_000))])
    # null country with nullToUnset=true keeps the stored value
    await task.put([rec(1, "a", Struct(schema).put("n", 1).put("ad", 6).put("at", 2_000_000))])
    assert rows(cql, f"SELECT ad, country, writetime(ad), ttl(ad) FROM {keyspace}.clicks WHERE user_id='a'")[0][:3] == (
        6,
        "KR",
        2_000_000_000,
    )
    ttl = rows(cql, f"SELECT ttl(ad) FROM {keyspace}.clicks WHERE user_id='a'")[0][0]
    assert 3500 < ttl <= 3600
    # all non-key columns null: a DELETE of the row (deletesEnabled=true)
    await task.put([rec(2, "a", {"n": 1, "ad": None, "country": None, "at": 3_000_000})])
    assert rows(cql, f"SELECT * FROM {keyspace}.clicks WHERE user_id='a'") == []
    await task.stop()


async def test_missing_table_fails_the_task(cassandra_server: Any, keyspace: str) -> None:
    with pytest.raises(ConnectException, match=r"Table .*nope does not exist"):
        await start_task(cassandra_server, keyspace, **{f"topic.clicks.{keyspace}.nope.mapping": "a=key"})
    with pytest.raises(ConnectException, match="primary key column"):
        await start_task(cassandra_server, keyspace, **{f"topic.clicks.{keyspace}.clicks.mapping": "user_id=key"})


async def test_outage_is_retriable_and_retries_write_the_same_rows(cassandra_server: Any, keyspace: str) -> None:
    task, ctx = await start_task(
        cassandra_server,
        keyspace,
        **{"topics": "events", f"topic.events.{keyspace}.events.mapping": "id=key, at=now(), v=value"},
    )
    await task.put([rec(0, "e", "first", topic="events")])
    batch = [rec(i, "e", f"v{i}", topic="events") for i in range(1, 9)]
    cassandra_server.stop()
    try:
        with pytest.raises(RetriableException):
            await task.put(batch)
        assert ctx.timeouts and ctx.timeouts[-1] == 200
    finally:
        cassandra_server.start()
    deadline = time.monotonic() + 60
    while True:  # what the worker does: redeliver the same batch after the timeout
        try:
            await task.put(batch)
            break
        except RetriableException:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)
    await task.stop()
    fresh = Cluster(["127.0.0.1"], port=cassandra_server.port)  # the module's session may still be reconnecting
    try:
        values = sorted(r[0] for r in rows(fresh.connect(), f"SELECT v FROM {keyspace}.events WHERE id='e'"))
    finally:
        fresh.shutdown()
    assert values == sorted(["first"] + [f"v{i}" for i in range(1, 9)])  # each record once

"""MongoSinkTask against a real MongoDB-protocol server (SecantusDB): strategies, tombstones, errors, outages.

The task is driven directly (start/put/flush) with a SinkContextDouble standing in for the runtime.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from bson import Binary, Decimal128, Int64, ObjectId
from pymongo import AsyncMongoClient

from genesis_connectors.mongodb.sink.task import MongoSinkTask, WriteError
from genesis_worker.api import ConnectException, DataException, RetriableException, SchemaBuilder, Struct
from genesis_worker.api.data import Schema, decimal_schema, timestamp_schema
from tests.unit.connectors.mongodb.doubles import SinkContextDouble, sink_record

pytestmark = pytest.mark.integration

STRATEGY = "com.mongodb.kafka.connect.sink.processor.id.strategy."
WRITE = "com.mongodb.kafka.connect.sink.writemodel.strategy."
PROC = "com.mongodb.kafka.connect.sink.processor."


def _uri(server: Any) -> str:
    return server.uri + "&serverSelectionTimeoutMS=1500"


@pytest.fixture
def db_name() -> str:
    return "sink_" + uuid.uuid4().hex[:10]


@pytest.fixture
async def mongo(mongo_server: Any):
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(_uri(mongo_server), tz_aware=True)
    yield client
    await client.close()


async def _task(server: Any, db: str, **props: str) -> tuple[MongoSinkTask, SinkContextDouble]:
    task = MongoSinkTask()
    ctx = SinkContextDouble()
    task.initialize(ctx)
    await task.start({"connection.uri": _uri(server), "topics": "t", "database": db, "collection": "c", **props})
    return task, ctx


async def _docs(mongo: AsyncMongoClient[dict[str, Any]], db: str, coll: str = "c") -> list[dict[str, Any]]:
    return await mongo[db][coll].find({}, sort=[("_id", 1)]).to_list()


async def test_default_bson_oid_replace_one(mongo_server: Any, mongo: Any, db_name: str) -> None:
    task, _ = await _task(mongo_server, db_name)
    await task.put([sink_record("t", i, {"n": i, "name": f"u{i}", "nested": {"x": [1, 2]}}) for i in range(5)])
    await task.flush({})
    docs = await _docs(mongo, db_name)
    assert sorted(d["n"] for d in docs) == [0, 1, 2, 3, 4]
    assert all(isinstance(d["_id"], ObjectId) for d in docs)
    # schemaless JSON integers arrive at the Java connector as Long: stored as int64
    raw = await mongo[db_name].command("find", "c", filter={"n": 1})
    assert raw["cursor"]["firstBatch"][0]["nested"] == {"x": [1, 2]}
    assert await mongo[db_name]["c"].count_documents({"n": {"$type": "long"}}) == 5
    await task.stop()


async def test_provided_in_value_is_idempotent(mongo_server: Any, mongo: Any, db_name: str) -> None:
    task, _ = await _task(mongo_server, db_name, **{"document.id.strategy": STRATEGY + "ProvidedInValueStrategy"})
    await task.put([sink_record("t", 0, {"_id": "a", "v": 1}), sink_record("t", 1, {"_id": "b", "v": 1})])
    await task.put([sink_record("t", 2, {"_id": "a", "v": 2})])
    assert await _docs(mongo, db_name) == [{"_id": "a", "v": 2}, {"_id": "b", "v": 1}]
    await task.stop()


async def test_provided_in_key_with_json_string_key(mongo_server: Any, mongo: Any, db_name: str) -> None:
    task, _ = await _task(mongo_server, db_name, **{"document.id.strategy": STRATEGY + "ProvidedInKeyStrategy"})
    await task.put(
        [sink_record("t", 0, '{"v": {"$numberLong": "7"}}', key='{"_id": {"$oid": "5f1b2c3d4e5f6a7b8c9d0e1f"}}')]
    )
    docs = await _docs(mongo, db_name)
    assert docs == [{"_id": ObjectId("5f1b2c3d4e5f6a7b8c9d0e1f"), "v": 7}]
    assert isinstance(docs[0]["v"], int)
    await task.stop()


async def test_partial_key_and_value_strategies(mongo_server: Any, mongo: Any, db_name: str) -> None:
    task, _ = await _task(
        mongo_server,
        db_name,
        **{
            "document.id.strategy": STRATEGY + "PartialKeyStrategy",
            "document.id.strategy.partial.key.projection.type": "AllowList",
            "document.id.strategy.partial.key.projection.list": "a",
        },
    )
    await task.put([sink_record("t", 0, {"v": 1}, key={"a": 1, "b": 2})])
    assert await _docs(mongo, db_name) == [{"_id": {"a": 1}, "v": 1}]
    await task.stop()

    task, _ = await _task(
        mongo_server,
        db_name,
        collection="c2",
        **{
            "document.id.strategy": STRATEGY + "PartialValueStrategy",
            "document.id.strategy.partial.value.projection.type": "BlockList",
            "document.id.strategy.partial.value.projection.list": "v",
        },
    )
    await task.put([sink_record("t", 0, {"k": "x", "v": 1})])
    assert await _docs(mongo, db_name, "c2") == [{"_id": {"k": "x"}, "k": "x", "v": 1}]
    await task.stop()


async def test_uuid_strategy_string_and_binary(mongo_server: Any, mongo: Any, db_name: str) -> None:
    task, _ = await _task(mongo_server, db_name, **{"document.id.strategy": STRATEGY + "UuidStrategy"})
    await task.put([sink_record("t", 0, {"v": 1})])
    (doc,) = await _docs(mongo, db_name)
    assert str(uuid.UUID(doc["_id"])) == doc["_id"]
    await task.stop()
    task, _ = await _task(
        mongo_server,
        db_name,
        collection="c2",
        **{"document.id.strategy": STRATEGY + "UuidStrategy", "document.id.strategy.uuid.format": "binary"},
    )
    await task.put([sink_record("t", 0, {"v": 1})])
    (doc,) = await _docs(mongo, db_name, "c2")
    assert isinstance(doc["_id"], Binary) and doc["_id"].subtype == 4
    await task.stop()


async def test_overwrite_existing(mongo_server: Any, mongo: Any, db_name: str) -> None:
    task, _ = await _task(mongo_server, db_name)
    await task.put([sink_record("t", 0, {"_id": 1, "v": 1})])
    assert (await _docs(mongo, db_name))[0]["_id"] == 1  # kept: overwrite.existing=false
    await task.stop()
    task, _ = await _task(mongo_server, db_name, collection="c2", **{"document.id.strategy.overwrite.existing": "true"})
    await task.put([sink_record("t", 0, {"_id": 1, "v": 1})])
    assert isinstance((await _docs(mongo, db_name, "c2"))[0]["_id"], ObjectId)
    await task.stop()


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        ("ReplaceOneDefaultStrategy", {"_id": 1, "b": 2}),
        ("UpdateOneDefaultStrategy", {"_id": 1, "a": 1, "b": 2}),
        ("InsertOneDefaultStrategy", None),
    ],
)
async def test_write_models(mongo_server: Any, mongo: Any, db_name: str, strategy: str, expected: Any) -> None:
    task, ctx = await _task(
        mongo_server,
        db_name,
        **{
            "document.id.strategy": STRATEGY + "ProvidedInValueStrategy",
            "writemodel.strategy": WRITE + strategy,
            "errors.tolerance": "all",
        },
    )
    await task.put([sink_record("t", 0, {"_id": 1, "a": 1})])
    await task.put([sink_record("t", 1, {"_id": 1, "b": 2})])
    docs = await _docs(mongo, db_name)
    if expected is None:  # InsertOne: the second insert of _id 1 is a duplicate key, reported
        assert docs == [{"_id": 1, "a": 1}]
        assert len(ctx.reporter.reported) == 1 and ctx.reporter.reported[0][0].kafka_offset == 1
        assert isinstance(ctx.reporter.reported[0][1], WriteError) and ctx.reporter.reported[0][1].code == 11000
    else:
        assert docs == [expected]
    await task.stop()


async def test_update_one_timestamps(mongo_server: Any, mongo: Any, db_name: str) -> None:
    task, _ = await _task(
        mongo_server,
        db_name,
        **{
            "document.id.strategy": STRATEGY + "ProvidedInValueStrategy",
            "writemodel.strategy": WRITE + "UpdateOneTimestampsStrategy",
        },
    )
    await task.put([sink_record("t", 0, {"_id": 1, "a": 1})])
    (first,) = await _docs(mongo, db_name)
    await asyncio.sleep(0.01)
    await task.put([sink_record("t", 1, {"_id": 1, "a": 2})])
    (doc,) = await _docs(mongo, db_name)
    assert doc["a"] == 2
    assert doc["_insertedTS"] == first["_insertedTS"]
    assert doc["_modifiedTS"] > first["_modifiedTS"]
    await task.stop()


async def test_replace_one_business_key(mongo_server: Any, mongo: Any, db_name: str) -> None:
    task, _ = await _task(
        mongo_server,
        db_name,
        **{
            "document.id.strategy": STRATEGY + "PartialValueStrategy",
            "document.id.strategy.partial.value.projection.type": "AllowList",
            "document.id.strategy.partial.value.projection.list": "user.id,day",
            "writemodel.strategy": WRITE + "ReplaceOneBusinessKeyStrategy",
        },
    )
    await task.put([sink_record("t", 0, {"user": {"id": 7}, "day": "mon", "clicks": 1})])
    await task.put([sink_record("t", 1, {"user": {"id": 7}, "day": "mon", "clicks": 5})])
    await task.put([sink_record("t", 2, {"user": {"id": 8}, "day": "mon", "clicks": 2})])
    docs = await mongo[db_name]["c"].find({}, {"_id": 0}, sort=[("user.id", 1)]).to_list()
    assert docs == [{"user": {"id": 7}, "day": "mon", "clicks": 5}, {"user": {"id": 8}, "day": "mon", "clicks": 2}]
    await task.stop()


async def test_tombstone_deletes_with_provided_in_key(mongo_server: Any, mongo: Any, db_name: str) -> None:
    task, _ = await _task(
        mongo_server,
        db_name,
        **{"document.id.strategy": STRATEGY + "ProvidedInKeyStrategy", "delete.on.null.values": "true"},
    )
    await task.put([sink_record("t", 0, {"v": 1}, key={"_id": "a"}), sink_record("t", 1, {"v": 2}, key={"_id": "b"})])
    await task.put([sink_record("t", 2, None, key={"_id": "a"})])
    assert await _docs(mongo, db_name) == [{"_id": "b", "v": 2}]
    await task.stop()


async def test_tombstone_without_delete_is_skipped(mongo_server: Any, mongo: Any, db_name: str) -> None:
    task, ctx = await _task(mongo_server, db_name, **{"document.id.strategy": STRATEGY + "ProvidedInKeyStrategy"})
    await task.put([sink_record("t", 0, {"v": 1}, key={"_id": "a"}), sink_record("t", 1, None, key={"_id": "a"})])
    assert await _docs(mongo, db_name) == [{"_id": "a", "v": 1}]
    assert ctx.reporter.reported == []
    await task.stop()


@pytest.mark.parametrize("ordered", ["true", "false"])
async def test_batch_with_duplicate_key_goes_to_dlq_rest_written(
    mongo_server: Any, mongo: Any, db_name: str, ordered: str
) -> None:
    task, ctx = await _task(
        mongo_server,
        db_name,
        **{
            "document.id.strategy": STRATEGY + "ProvidedInValueStrategy",
            "writemodel.strategy": WRITE + "InsertOneDefaultStrategy",
            "errors.tolerance": "all",
            "bulk.write.ordered": ordered,
        },
    )
    await mongo[db_name]["c"].insert_one({"_id": 3, "old": True})
    await task.put([sink_record("t", i, {"_id": i}) for i in range(6)])
    assert [d["_id"] for d in await _docs(mongo, db_name)] == [0, 1, 2, 3, 4, 5]
    assert [(r.kafka_offset, e.code) for r, e in ctx.reporter.reported] == [(3, 11000)]
    await task.stop()


async def test_validation_error_tolerance_none_fails(mongo_server: Any, mongo: Any, db_name: str) -> None:
    await mongo[db_name].create_collection("c", validator={"$jsonSchema": {"required": ["name"]}})
    task, ctx = await _task(mongo_server, db_name)
    with pytest.raises(DataException):
        await task.put([sink_record("t", 0, {"name": "ok"}), sink_record("t", 1, {"nope": 1})])
    assert ctx.reporter.reported == []
    await task.stop()
    task, ctx = await _task(mongo_server, db_name, **{"errors.tolerance": "all"})
    await task.put(
        [sink_record("t", 0, {"name": "ok"}), sink_record("t", 1, {"nope": 1}), sink_record("t", 2, {"name": "b"})]
    )
    assert sorted(d["name"] for d in await _docs(mongo, db_name)) == ["b", "ok", "ok"]
    assert [(r.kafka_offset, e.code) for r, e in ctx.reporter.reported] == [(1, 121)]
    await task.stop()


async def test_bad_record_conversion_reported(mongo_server: Any, mongo: Any, db_name: str) -> None:
    task, ctx = await _task(mongo_server, db_name, **{"errors.tolerance": "all"})
    await task.put([sink_record("t", 0, "not json"), sink_record("t", 1, {"ok": True})])
    assert [d["ok"] for d in await _docs(mongo, db_name)] == [True]
    assert ctx.reporter.reported[0][0].kafka_offset == 0
    assert isinstance(ctx.reporter.reported[0][1], DataException)
    await task.stop()


async def test_struct_with_logical_types(mongo_server: Any, mongo: Any, db_name: str) -> None:
    schema = (
        SchemaBuilder.struct()
        .field("id", Schema.INT32_SCHEMA)
        .field("big", Schema.INT64_SCHEMA)
        .field("price", decimal_schema(2).build())
        .field("at", timestamp_schema().build())
        .field("raw", Schema.OPTIONAL_BYTES_SCHEMA)
        .field("f", Schema.FLOAT32_SCHEMA)
        .build()
    )
    at = dt.datetime(2024, 5, 1, 12, 0, 0, 123000, tzinfo=dt.UTC)
    value = Struct(schema).put("id", 1).put("big", 5).put("price", Decimal("12.34")).put("at", at).put("f", 1.5)
    task, _ = await _task(mongo_server, db_name)
    await task.put([sink_record("t", 0, value, value_schema=schema)])
    (doc,) = await _docs(mongo, db_name)
    assert doc["price"] == Decimal128("12.34") and doc["at"] == at and doc["raw"] is None and doc["f"] == 1.5
    assert isinstance(doc["big"], Int64)
    assert await mongo[db_name]["c"].count_documents({"id": {"$type": "int"}, "big": {"$type": "long"}}) == 1
    await task.stop()


async def test_post_processors_projection_and_kafka_meta(mongo_server: Any, mongo: Any, db_name: str) -> None:
    task, _ = await _task(
        mongo_server,
        db_name,
        **{
            "post.processor.chain": f"{PROC}BlockListValueProjector,{PROC}KafkaMetaAdder",
            "value.projection.type": "BlockList",
            "value.projection.list": "secret,nested.pw",
            "document.id.strategy": STRATEGY + "ProvidedInValueStrategy",
        },
    )
    await task.put(
        [sink_record("t", 4, {"_id": 1, "secret": 1, "nested": {"pw": 1, "ok": 2}}, timestamp=1700000000000)]
    )
    (doc,) = await _docs(mongo, db_name)
    assert doc == {"_id": 1, "nested": {"ok": 2}, "topic-partition-offset": "t-0-4", "CREATE_TIME": 1700000000000}
    await task.stop()


async def test_field_namespace_mapper_and_topic_override(mongo_server: Any, mongo: Any, db_name: str) -> None:
    task, _ = await _task(
        mongo_server,
        db_name,
        topics="t,u",
        **{
            "namespace.mapper": "com.mongodb.kafka.connect.sink.namespace.mapping.FieldPathNamespaceMapper",
            "namespace.mapper.value.collection.field": "kind",
            "topic.override.u.namespace.mapper": "com.mongodb.kafka.connect.sink.namespace.mapping.DefaultNamespaceMapper",
            "topic.override.u.collection": "from_u",
        },
    )
    await task.put(
        [
            sink_record("t", 0, {"kind": "clicks", "n": 1}),
            sink_record("t", 1, {"kind": "views", "n": 2}),
            sink_record("t", 2, {"n": 3}),  # no field: falls back to the `collection` setting
            sink_record("u", 0, {"kind": "clicks", "n": 4}),
        ]
    )
    for coll, ns in (("clicks", [1]), ("views", [2]), ("c", [3]), ("from_u", [4])):
        assert [d["n"] for d in await _docs(mongo, db_name, coll)] == ns
    await task.stop()


async def test_bad_config_fails_start(mongo_server: Any, db_name: str) -> None:
    task = MongoSinkTask()
    task.initialize(SinkContextDouble())
    with pytest.raises(ConnectException, match="timeseries"):
        await task.start(
            {"connection.uri": _uri(mongo_server), "topics": "t", "database": db_name, "timeseries.timefield": "ts"}
        )


async def test_server_outage_retries_then_redelivers_without_duplicates(
    mongo_server: Any, mongo: Any, db_name: str
) -> None:
    """Stop the server mid-stream: put raises RetriableException (nothing acknowledged), the same batch is
    redelivered after the restart and lands exactly once, even with generated ObjectIds."""
    task, ctx = await _task(
        mongo_server,
        db_name,
        **{
            "max.num.retries": "1",
            "retries.defer.timeout": "200",
            "writemodel.strategy": WRITE + "InsertOneDefaultStrategy",
        },
    )
    await task.put([sink_record("t", i, {"n": i}) for i in range(10)])
    batch = [sink_record("t", i, {"n": i}) for i in range(10, 20)]
    mongo_server.stop()
    try:
        with pytest.raises(RetriableException):
            await task.put(batch)
        assert ctx.timeouts == [200]
    finally:
        mongo_server.start()
    await task.put(batch)  # the runtime redelivers the same batch
    await task.put([sink_record("t", i, {"n": i}) for i in range(20, 25)])
    ns = [d["n"] for d in await mongo[db_name]["c"].find({}, sort=[("n", 1)]).to_list()]
    assert ns == list(range(25))
    await task.stop()


async def test_unencodable_document_is_isolated(mongo_server: Any, mongo: Any, db_name: str) -> None:
    """A value an SMT or converter left in a type BSON cannot hold fails alone; its neighbours are written."""
    task, ctx = await _task(mongo_server, db_name, **{"errors.tolerance": "all"})
    await task.put(
        [sink_record("t", 0, {"n": 0}), sink_record("t", 1, {"n": 1, "bad": {1, 2}}), sink_record("t", 2, {"n": 2})]
    )
    assert sorted(d["n"] for d in await _docs(mongo, db_name)) == [0, 2]
    assert [(r.kafka_offset, type(e).__name__) for r, e in ctx.reporter.reported] == [(1, "DataException")]
    await task.stop()

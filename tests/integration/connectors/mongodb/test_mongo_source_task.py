"""MongoSourceTask against a real MongoDB-protocol server (SecantusDB) with change streams.

The task is driven directly (start/poll/stop); a SourceContextDouble's OffsetStorageReaderDouble plays the
offsets topic: tests "commit" the records they received, as the runtime would once Kafka acknowledged them.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import pytest
from bson import json_util
from pymongo import AsyncMongoClient

from genesis_connectors.mongodb.source.task import MongoSourceTask
from genesis_worker.api import ConnectException, Schema, SourceRecord, Struct
from tests.unit.connectors.mongodb.doubles import OffsetStorageReaderDouble, SourceContextDouble

pytestmark = pytest.mark.integration


def _uri(server: Any) -> str:
    return server.uri + "&serverSelectionTimeoutMS=2000"


@pytest.fixture
def db_name() -> str:
    return "src_" + uuid.uuid4().hex[:10]


@pytest.fixture
async def mongo(mongo_server: Any):
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(_uri(mongo_server), tz_aware=True)
    yield client
    await client.close()


async def _start(server: Any, reader: OffsetStorageReaderDouble | None = None, **props: str) -> MongoSourceTask:
    task = MongoSourceTask()
    task.initialize(SourceContextDouble(reader))
    await task.start({"connection.uri": _uri(server), "poll.await.time.ms": "200", **props})
    return task


async def _poll_until(task: MongoSourceTask, n: int, attempts: int = 30) -> list[SourceRecord]:
    out: list[SourceRecord] = []
    for _ in range(attempts):
        got = await task.poll()
        out.extend(got or [])
        if len(out) >= n:
            break
    return out


async def test_insert_update_delete_records_have_the_java_shape(mongo_server: Any, mongo: Any, db_name: str) -> None:
    task = await _start(mongo_server, database=db_name, collection="c")
    coll = mongo[db_name]["c"]
    await coll.insert_one({"_id": 1, "n": 1, "big": 2**40})
    await coll.update_one({"_id": 1}, {"$set": {"n": 2}})
    await coll.delete_one({"_id": 1})
    records = await _poll_until(task, 3)
    await task.stop()
    assert [r.topic for r in records] == [f"{db_name}.c"] * 3
    assert all(r.source_partition == {"ns": f"{_host_part(mongo_server)}/{db_name}.c"} for r in records)
    assert all(r.key_schema == Schema.STRING_SCHEMA and r.value_schema == Schema.STRING_SCHEMA for r in records)
    values = [json.loads(r.value) for r in records]
    assert [v["operationType"] for v in values] == ["insert", "update", "delete"]
    # key is {"_id": <resume token>}; the offset is that token's JSON
    for r, v in zip(records, values, strict=True):
        assert json.loads(r.key) == {"_id": v["_id"]}
        assert r.source_offset == {"_id": json.dumps(v["_id"])}
    # DefaultJson is the legacy strict mode: int64 as $numberLong, dates as $date millis
    assert values[0]["fullDocument"] == {"_id": 1, "n": 1, "big": {"$numberLong": str(2**40)}}
    assert isinstance(values[0]["wallTime"]["$date"], int)
    assert values[1]["updateDescription"]["updatedFields"] == {"n": 2}
    assert values[2]["documentKey"] == {"_id": 1}
    assert '"operationType": "insert", ' in records[0].value  # Java's separators


def _host_part(server: Any) -> str:
    return f"mongodb://127.0.0.1:{server.port}"


async def test_full_document_only_prefix_suffix_and_tombstones(mongo_server: Any, mongo: Any, db_name: str) -> None:
    task = await _start(
        mongo_server,
        database=db_name,
        **{
            "publish.full.document.only": "true",
            "publish.full.document.only.tombstone.on.delete": "true",
            "topic.prefix": "pre",
            "topic.suffix": "suf",
            "topic.namespace.map": json.dumps({f"{db_name}.special": "vip"}),
        },
    )
    await mongo[db_name]["c"].insert_one({"_id": "a", "v": 1})
    await mongo[db_name]["c"].update_one({"_id": "a"}, {"$set": {"v": 2}})
    await mongo[db_name]["special"].insert_one({"_id": "s"})
    # updateLookup reads the document when the event is read: poll before deleting it
    records = await _poll_until(task, 3)
    await mongo[db_name]["c"].delete_one({"_id": "a"})
    records += await _poll_until(task, 1)
    await task.stop()
    assert [(r.topic, r.value) for r in records] == [
        (f"pre.{db_name}.c.suf", '{"_id": "a", "v": 1}'),
        (f"pre.{db_name}.c.suf", '{"_id": "a", "v": 2}'),  # updateLookup is implied
        ("pre.vip.suf", '{"_id": "s"}'),
        (f"pre.{db_name}.c.suf", None),
    ]
    assert records[3].value_schema is None


async def test_schema_output(mongo_server: Any, mongo: Any, db_name: str) -> None:
    task = await _start(
        mongo_server,
        database=db_name,
        collection="c",
        **{"output.format.key": "schema", "output.format.value": "schema"},
    )
    await mongo[db_name]["c"].insert_one({"_id": 7, "x": 1.5})
    (record,) = await _poll_until(task, 1)
    await task.stop()
    assert isinstance(record.key, Struct) and record.key_schema.name == "keySchema"
    assert record.value_schema.name == "ChangeStream"
    v = record.value
    assert v.get("operationType") == "insert" and v.get("fullDocument") == '{"_id": 7, "x": 1.5}'
    assert v.get("ns").get("db") == db_name and v.get("documentKey") == '{"_id": 7}'
    assert isinstance(v.get("wallTime"), int)
    assert json.loads(record.key.get("_id")) == json.loads(v.get("_id"))


async def test_copy_existing_then_stream(mongo_server: Any, mongo: Any, db_name: str) -> None:
    coll = mongo[db_name]["c"]
    await coll.insert_many([{"_id": i} for i in range(5)])
    await mongo[db_name]["other"].insert_one({"_id": "skip"})
    reader = OffsetStorageReaderDouble()
    task = await _start(
        mongo_server,
        reader,
        database=db_name,
        **{
            "startup.mode": "copy_existing",
            "startup.mode.copy.existing.namespace.regex": f"{db_name}\\.c",
            "poll.max.batch.size": "3",
        },
    )
    await coll.insert_one({"_id": 100})  # after start: from the stream (and maybe also the copy, as in Java)
    records = await _poll_until(task, 7)
    await task.stop()
    copied = [r for r in records if r.source_offset.get("copy") == "true"]
    assert [json.loads(r.value)["fullDocument"]["_id"] for r in copied][:5] == [0, 1, 2, 3, 4]
    assert json.loads(copied[0].key) == {"_id": {"_id": 0, "copyingData": True}}
    assert copied[0].source_offset == {"_id": '{"_id": 0, "copyingData": true}', "copy": "true"}
    assert json.loads(copied[0].value)["operationType"] == "insert"
    streamed = [r for r in records if "copy" not in r.source_offset]
    assert [json.loads(r.value)["documentKey"]["_id"] for r in streamed] == [100]

    # stopped during a copy (last committed offset still has "copy"): the copy starts again, as in Java
    reader.commit(copied[:2])
    task = await _start(mongo_server, reader, database=db_name, collection="c", **{"startup.mode": "copy_existing"})
    again = await _poll_until(task, 6)
    await task.stop()
    assert sorted(json.loads(r.value)["documentKey"]["_id"] for r in again if r.source_offset.get("copy")) == [
        0,
        1,
        2,
        3,
        4,
        100,
    ]


async def test_resume_after_restart_no_gaps_no_repeats(mongo_server: Any, mongo: Any, db_name: str) -> None:
    reader = OffsetStorageReaderDouble()
    coll = mongo[db_name]["c"]
    task = await _start(mongo_server, reader, database=db_name, collection="c")
    await coll.insert_many([{"_id": i} for i in range(5)])
    first = await _poll_until(task, 5)
    reader.commit(first)  # Kafka acknowledged them; the runtime stored the offsets
    await task.stop()
    await coll.insert_many([{"_id": i} for i in range(5, 10)])  # while no task runs
    task = await _start(mongo_server, reader, database=db_name, collection="c")
    await coll.insert_one({"_id": 10})
    second = await _poll_until(task, 6)
    await task.stop()
    ids = [json.loads(r.value)["documentKey"]["_id"] for r in first + second]
    assert ids == list(range(11))


async def test_resumes_from_an_offset_written_by_the_java_connector(
    mongo_server: Any, mongo: Any, db_name: str
) -> None:
    coll = mongo[db_name]["c"]
    stream = await coll.watch()
    await coll.insert_many([{"_id": 1}, {"_id": 2}])
    seen = await stream.try_next()
    await stream.close()
    reader = OffsetStorageReaderDouble()
    # exactly what Java's MongoSourceTask stores: {"ns": "mongodb://<hosts>/<db>.<coll>"} -> {"_id": token.toJson()}
    reader.store[(("ns", f"mongodb://127.0.0.1:{mongo_server.port}/{db_name}.c"),)] = {
        "_id": json_util.dumps(seen["_id"])
    }
    task = await _start(mongo_server, reader, database=db_name, collection="c")
    records = await _poll_until(task, 1)
    await task.stop()
    assert [json.loads(r.value)["documentKey"]["_id"] for r in records] == [2]


async def test_invalid_resume_token(mongo_server: Any, mongo: Any, db_name: str, caplog: Any) -> None:
    reader = OffsetStorageReaderDouble()
    reader.store[(("ns", f"mongodb://127.0.0.1:{mongo_server.port}/{db_name}.c"),)] = {
        "_id": '{"_data": "8200000000000000002B0229296E04"}'
    }
    task = MongoSourceTask()
    task.initialize(SourceContextDouble(reader))
    with pytest.raises(ConnectException, match="ResumeToken not found"):
        await task.start({"connection.uri": _uri(mongo_server), "database": db_name, "collection": "c"})
    await task.stop()

    caplog.set_level(logging.WARNING)
    task = await _start(mongo_server, reader, database=db_name, collection="c", **{"errors.tolerance": "all"})
    await mongo[db_name]["c"].insert_one({"_id": "after"})
    records = await _poll_until(task, 1)
    await task.stop()
    assert [json.loads(r.value)["documentKey"]["_id"] for r in records] == ["after"]
    assert any("skipped" in m and "8200000000000000002B0229296E04" in m for m in caplog.messages)


async def test_heartbeats_carry_the_post_batch_resume_token(mongo_server: Any, mongo: Any, db_name: str) -> None:
    task = await _start(mongo_server, database=db_name, collection="c", **{"heartbeat.interval.ms": "1"})
    await mongo[db_name]["other"].insert_one({"_id": 1})  # moves the cluster time, not our namespace
    beats: list[SourceRecord] = []
    for _ in range(5):
        beats.extend(await task.poll() or [])
        if beats:
            break
    await task.stop()
    assert beats and beats[0].topic == "__mongodb_heartbeats"
    assert beats[0].source_offset["HEARTBEAT"] == "true"
    assert beats[0].key == beats[0].value == beats[0].source_offset["_id"]


async def test_watch_whole_database_and_startup_timestamp(mongo_server: Any, mongo: Any, db_name: str) -> None:
    hello = await mongo.admin.command("hello")
    start_secs = hello["operationTime"].time
    await mongo[db_name]["a"].insert_one({"_id": "before-start"})
    task = await _start(
        mongo_server,
        database=db_name,
        **{"startup.mode": "timestamp", "startup.mode.timestamp.start.at.operation.time": str(start_secs)},
    )
    await mongo[db_name]["b"].insert_one({"_id": "after"})
    records = await _poll_until(task, 2)
    await task.stop()
    assert [(r.topic, json.loads(r.value)["documentKey"]["_id"]) for r in records] == [
        (f"{db_name}.a", "before-start"),
        (f"{db_name}.b", "after"),
    ]


async def test_watch_whole_deployment_and_copy_pipeline(mongo_server: Any, mongo: Any, db_name: str) -> None:
    await mongo[db_name]["c"].insert_many([{"_id": 1, "keep": True}, {"_id": 2, "keep": False}])
    task = await _start(
        mongo_server,
        **{
            "startup.mode": "copy_existing",
            "startup.mode.copy.existing.namespace.regex": f"{db_name}\\..*",
            "startup.mode.copy.existing.pipeline": '[{"$match": {"keep": true}}]',
        },
    )
    assert task.partition == {"ns": f"mongodb://127.0.0.1:{mongo_server.port}/"}
    await mongo[db_name + "_other"]["x"].insert_one({"_id": "elsewhere"})
    records = await _poll_until(task, 2)
    await task.stop()
    assert [(r.topic, json.loads(r.value)["documentKey"]["_id"], r.source_offset.get("copy")) for r in records] == [
        (f"{db_name}.c", 1, "true"),
        (f"{db_name}_other.x", "elsewhere", None),
    ]


async def test_server_restart_mid_stream_resumes_from_last_event(mongo_server: Any, mongo: Any, db_name: str) -> None:
    task = await _start(mongo_server, database=db_name, collection="c")
    coll = mongo[db_name]["c"]
    await coll.insert_many([{"_id": i} for i in range(3)])
    first = await _poll_until(task, 3)
    mongo_server.stop()
    try:
        assert not await task.poll()  # the server is gone: nothing, and no failure
    finally:
        mongo_server.start()
    await coll.insert_many([{"_id": i} for i in range(3, 6)])
    second = await _poll_until(task, 3)
    await task.stop()
    assert [json.loads(r.value)["documentKey"]["_id"] for r in first + second] == list(range(6))

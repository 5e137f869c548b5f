"""The MongoDB connectors run by the real worker (StandaloneHerder -> Worker -> WorkerSinkTask /
WorkerSourceTask), posted with the Java connector's class names, against a real broker and SecantusDB."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka import TopicPartition as KTopicPartition
from pymongo import MongoClient

from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.herder.standalone import StandaloneHerder

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

JSON = "org.apache.kafka.connect.json.JsonConverter"
STRING = "org.apache.kafka.connect.storage.StringConverter"


def _uri(server: Any) -> str:
    return server.uri + "&serverSelectionTimeoutMS=2000"


def _produce(bootstrap: str, topic: str, values: list[Any]) -> None:
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    for v in values:
        p.produce(topic, json.dumps(v).encode())
    p.flush(30)


def _read(bootstrap: str, topic: str, expected: int, timeout: float = 30.0, settle: float = 1.0) -> list[Any]:
    c = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"r-{uuid.uuid4().hex}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    c.subscribe([topic])
    out: list[Any] = []
    deadline = time.monotonic() + timeout
    settle_until: float | None = None
    try:
        while time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is not None and not m.error():
                out.append(m)
            if len(out) >= expected:
                settle_until = settle_until or time.monotonic() + settle
                if time.monotonic() >= settle_until:
                    break
        return out
    finally:
        c.close()


def _committed(bootstrap: str, group: str, topic: str) -> int:
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        (tp,) = c.committed([KTopicPartition(topic, 0)], timeout=10)
        return tp.offset
    finally:
        c.close()


async def _wait(cond: Callable[[], bool], limit: float = 40.0, what: str = "condition") -> None:
    deadline = time.monotonic() + limit
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


@pytest.fixture
def make_herder(kafka: Any, tmp_path: Path) -> Callable[[], StandaloneHerder]:
    def make() -> StandaloneHerder:
        return StandaloneHerder(
            WorkerConfig(
                {
                    "bootstrap.servers": kafka.bootstrap,
                    "offset.storage.file.filename": str(tmp_path / "offsets"),
                    "key.converter": STRING,
                    "value.converter": JSON,
                    "value.converter.schemas.enable": "false",
                    "offset.flush.interval.ms": "300",
                },
                "standalone",
            )
        )

    return make


@pytest.fixture
async def herder(make_herder: Callable[[], StandaloneHerder]) -> AsyncIterator[StandaloneHerder]:
    h = make_herder()
    await h.start()
    try:
        yield h
    finally:
        await h.stop()


async def _running(h: StandaloneHerder, name: str) -> None:
    for _ in range(300):
        st = (await h.connector_status(name)).to_json()
        states = [t["state"] for t in st["tasks"]]
        if st["connector"]["state"] == "RUNNING" and states and all(s == "RUNNING" for s in states):
            return
        if "FAILED" in states or st["connector"]["state"] == "FAILED":
            raise AssertionError(f"failed: {st}")
        await asyncio.sleep(0.1)
    raise AssertionError(f"not running: {(await h.connector_status(name)).to_json()}")


async def test_sink_through_worker_with_dead_letter_queue(
    herder: Any, kafka: Any, mongo_server: Any, topic_name: str
) -> None:
    src = kafka.create_topic(topic_name, partitions=1)
    dlq = kafka.create_topic(topic_name + ".dlq", partitions=1)
    db = "e2e_" + uuid.uuid4().hex[:8]
    mongo: MongoClient[dict[str, Any]] = MongoClient(_uri(mongo_server))
    mongo[db]["clicks"].insert_one({"_id": 13, "pre": True})
    _produce(kafka.bootstrap, src, [{"_id": i, "user": f"u{i}"} for i in range(40)])
    name = "mongo-sink-" + topic_name
    await herder.put_connector_config(
        name,
        {
            "connector.class": "com.mongodb.kafka.connect.MongoSinkConnector",
            "tasks.max": "1",
            "topics": src,
            "connection.uri": _uri(mongo_server),
            "database": db,
            "collection": "clicks",
            "document.id.strategy": "com.mongodb.kafka.connect.sink.processor.id.strategy.ProvidedInValueStrategy",
            "writemodel.strategy": "com.mongodb.kafka.connect.sink.writemodel.strategy.InsertOneDefaultStrategy",
            "errors.tolerance": "all",
            "errors.deadletterqueue.topic.name": dlq,
            "errors.deadletterqueue.topic.replication.factor": "1",
            "errors.deadletterqueue.context.headers.enable": "true",
            "errors.log.enable": "true",
        },
        allow_replace=False,
    )
    await _running(herder, name)
    coll = mongo[db]["clicks"]
    await _wait(lambda: coll.count_documents({"user": {"$exists": True}}) == 39, what="39 documents")
    dead = await asyncio.to_thread(_read, kafka.bootstrap, dlq, 1, 60.0)
    assert [json.loads(m.value()) for m in dead] == [{"_id": 13, "user": "u13"}]
    headers = dict(dead[0].headers() or [])
    assert headers["__connect.errors.offset"] == b"13"
    assert coll.find_one({"_id": 13}) == {"_id": 13, "pre": True}
    mongo.close()


async def test_sink_through_worker_commits_what_was_written(
    herder: Any, kafka: Any, mongo_server: Any, topic_name: str
) -> None:
    src = kafka.create_topic(topic_name, partitions=1)
    db = "e2e_" + uuid.uuid4().hex[:8]
    _produce(kafka.bootstrap, src, [{"user": f"u{i}", "n": i} for i in range(50)])
    name = "mongo-sink-" + topic_name
    await herder.put_connector_config(
        name,
        {
            "connector.class": "com.mongodb.kafka.connect.MongoSinkConnector",
            "topics": src,
            "connection.uri": _uri(mongo_server),
            "database": db,
            "max.batch.size": "7",
        },
        allow_replace=False,
    )
    await _running(herder, name)
    mongo: MongoClient[dict[str, Any]] = MongoClient(_uri(mongo_server))
    coll = mongo[db][src]  # no `collection`: the topic name
    await _wait(lambda: coll.count_documents({}) == 50, what="50 documents")
    await _wait(lambda: _committed(kafka.bootstrap, f"connect-{name}", src) == 50, what="offsets committed")
    assert sorted(d["n"] for d in coll.find()) == list(range(50))
    mongo.close()


async def test_source_restart_resumes_without_gaps_or_repeats(
    make_herder: Callable[[], StandaloneHerder], kafka: Any, mongo_server: Any
) -> None:
    db = "e2e_" + uuid.uuid4().hex[:8]
    topic = f"{db}.events"
    kafka.create_topic(topic, partitions=1)
    mongo: MongoClient[dict[str, Any]] = MongoClient(_uri(mongo_server))
    coll = mongo[db]["events"]
    coll.insert_many([{"_id": i} for i in range(3)])  # existing: copied
    config = {
        "connector.class": "com.mongodb.kafka.connect.MongoSourceConnector",
        "connection.uri": _uri(mongo_server),
        "database": db,
        "collection": "events",
        "startup.mode": "copy_existing",
        "poll.await.time.ms": "200",
        "publish.full.document.only": "true",
        "value.converter": STRING,
    }

    h = make_herder()
    await h.start()
    try:
        await h.put_connector_config("mongo-src", config, allow_replace=False)
        await _running(h, "mongo-src")
        coll.insert_many([{"_id": i} for i in range(3, 8)])
        await asyncio.to_thread(_read, kafka.bootstrap, topic, 8, 30.0, 0.5)
        await asyncio.sleep(1.0)  # an offset flush interval
    finally:
        await h.stop()

    coll.insert_many([{"_id": i} for i in range(8, 12)])  # while the worker is down

    h = make_herder()
    await h.start()
    try:
        await h.put_connector_config("mongo-src", config, allow_replace=False)
        await _running(h, "mongo-src")
        coll.insert_one({"_id": 12})
        msgs = await asyncio.to_thread(_read, kafka.bootstrap, topic, 13, 30.0, 2.0)
    finally:
        await h.stop()
    mongo.close()
    ids = [json.loads(m.value())["_id"] for m in msgs]
    assert ids == list(range(13))


async def test_sink_survives_a_server_outage_without_loss_or_duplicates(
    herder: Any, kafka: Any, mongo_server: Any, topic_name: str
) -> None:
    """MongoDB goes down mid-stream: the task hands batches back (RetriableException), the worker redelivers
    them until the server is back; every record lands exactly once although ids are generated (BsonOid)."""
    src = kafka.create_topic(topic_name, partitions=1)
    db = "e2e_" + uuid.uuid4().hex[:8]
    name = "mongo-sink-" + topic_name
    await herder.put_connector_config(
        name,
        {
            "connector.class": "com.mongodb.kafka.connect.MongoSinkConnector",
            "topics": src,
            "connection.uri": _uri(mongo_server),
            "database": db,
            "collection": "c",
            "max.num.retries": "1",
            "retries.defer.timeout": "300",
        },
        allow_replace=False,
    )
    await _running(herder, name)
    mongo: MongoClient[dict[str, Any]] = MongoClient(_uri(mongo_server))
    coll = mongo[db]["c"]
    _produce(kafka.bootstrap, src, [{"n": i} for i in range(30)])
    await _wait(lambda: coll.count_documents({}) == 30, what="first 30 documents")
    mongo_server.stop()
    try:
        _produce(kafka.bootstrap, src, [{"n": i} for i in range(30, 60)])
        await asyncio.sleep(6)  # a few failed attempts and redeliveries while the server is down
        st = (await herder.connector_status(name)).to_json()
        assert [t["state"] for t in st["tasks"]] == ["RUNNING"]
    finally:
        mongo_server.start()
    await _wait(lambda: coll.count_documents({}) == 60, what="all 60 documents after the restart")
    await _wait(lambda: _committed(kafka.bootstrap, f"connect-{name}", src) == 60, what="offsets committed")
    assert sorted(d["n"] for d in coll.find()) == list(range(60))
    mongo.close()

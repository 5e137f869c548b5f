"""The test fixtures themselves work: brokers carry messages and survive restarts, stores store, and the
Java Kafka Connect reference worker starts against our broker."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest
from confluent_kafka import Consumer, Producer

from tests.fixtures.java_connect import JavaConnect
from tests.fixtures.kafka import KafkaBroker

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


def produce(bootstrap: str, topic: str, values: list[bytes]) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 0})
    for i, v in enumerate(values):
        producer.produce(topic, v, key=str(i).encode())
    assert producer.flush(30) == 0


def consume(bootstrap: str, topic: str, n: int, timeout: float = 30.0) -> list[bytes]:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"g-{uuid.uuid4().hex[:8]}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "session.timeout.ms": 10_000,
            "fetch.queue.backoff.ms": 20,
        }
    )
    got: list[bytes] = []
    try:
        consumer.subscribe([topic])
        deadline = time.monotonic() + timeout
        while len(got) < n and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None or msg.error():
                continue
            got.append(msg.value())
    finally:
        consumer.close()
    return got


def test_broker_produce_consume(kafka: Any, topic_name: str) -> None:
    kafka.create_topic(topic_name, partitions=3, config={"cleanup.policy": "compact"})
    md = kafka.admin().list_topics(topic_name, timeout=10).topics[topic_name]
    assert len(md.partitions) == 3
    values = [f"v{i}".encode() for i in range(10)]
    produce(kafka.bootstrap, topic_name, values)
    assert sorted(consume(kafka.bootstrap, topic_name, 10)) == sorted(values)


def test_topic_names_are_unique(topic_name: str) -> None:
    assert topic_name.startswith("t-test_topic_names_are_unique-")


def test_kafka_restart_and_kill_keep_data_and_ports(kafka_factory: Any, broker_kind: str) -> None:
    if broker_kind != "kafka":
        pytest.skip("tansu keeps everything in memory: nothing survives a restart by design")
    broker = kafka_factory()
    assert isinstance(broker, KafkaBroker)
    bootstrap = broker.bootstrap
    broker.create_topic("durable", partitions=2)
    produce(bootstrap, "durable", [b"a", b"b"])

    broker.restart()
    assert broker.bootstrap == bootstrap
    produce(bootstrap, "durable", [b"c"])

    broker.kill()
    assert not broker.running
    broker.start()
    assert broker.bootstrap == bootstrap
    assert sorted(consume(bootstrap, "durable", 3)) == [b"a", b"b", b"c"]
    assert broker.log_path.is_file() and "Kafka Server started" in broker.log_path.read_text()


def test_tansu_devbroker_starts_and_serves() -> None:
    from confluent_kafka.admin import AdminClient

    from genesis_worker.devbroker import start_tansu, stop_process

    process, bootstrap = start_tansu(None)
    try:
        md = AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=10)
        assert md.brokers
        produce(bootstrap, "quickstart", [b"hello"])
        assert consume(bootstrap, "quickstart", 1) == [b"hello"]
    finally:
        assert stop_process(process) is not None


def test_redis_set_get_and_restart(redis_server: Any) -> None:
    import redis

    client = redis.Redis.from_url(redis_server.url)
    client.set("k", "v")
    assert client.get("k") == b"v"
    port = redis_server.port
    redis_server.restart()
    assert redis_server.port == port
    client = redis.Redis.from_url(redis_server.url)
    assert client.get("k") is None  # no persistence, by design
    client.set("k2", "v2")
    assert client.get("k2") == b"v2"
    client.close()


async def test_mongo_insert_find_change_stream_restart(mongo_server: Any) -> None:
    from pymongo import AsyncMongoClient

    db_name = f"db_{uuid.uuid4().hex[:8]}"
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_server.uri)
    try:
        coll = client[db_name]["events"]
        async with await coll.watch(full_document="updateLookup") as stream:
            await coll.insert_one({"_id": 1, "kind": "click"})
            change = await asyncio.wait_for(stream.next(), 20)
        assert change["operationType"] == "insert"
        assert change["fullDocument"] == {"_id": 1, "kind": "click"}
        assert await coll.find_one({"_id": 1}) == {"_id": 1, "kind": "click"}
    finally:
        await client.close()

    port = mongo_server.port
    await asyncio.get_running_loop().run_in_executor(None, mongo_server.restart)
    assert mongo_server.port == port
    client = AsyncMongoClient(mongo_server.uri)
    try:
        assert await client[db_name]["events"].find_one({"_id": 1}) == {"_id": 1, "kind": "click"}
    finally:
        await client.close()


@pytest.fixture
def apache_kafka(kafka: Any, broker_kind: str) -> Any:
    if broker_kind != "kafka":
        pytest.skip("the Java Connect reference worker is run against Apache Kafka only")
    return kafka


def test_java_connect_distributed_lists_plugins(apache_kafka: Any, java_connect_factory: Any) -> None:
    kafka = apache_kafka
    worker: JavaConnect = java_connect_factory(kafka.bootstrap)
    root = worker.get("/")
    assert isinstance(root, dict) and root["version"].startswith("4.4")
    classes = {p["class"] for p in worker.get("/connector-plugins")}  # type: ignore[union-attr]
    assert "org.apache.kafka.connect.file.FileStreamSourceConnector" in classes
    assert "org.apache.kafka.connect.file.FileStreamSinkConnector" in classes
    topics = kafka.admin().list_topics(timeout=10).topics
    assert {worker.config_topic, worker.offset_topic, worker.status_topic} <= set(topics)
    worker.kill()
    assert not worker.running


def test_java_connect_standalone_runs_file_source(
    apache_kafka: Any, java_connect_factory: Any, topic_name: str, tmp_path: Any
) -> None:
    kafka = apache_kafka
    source = tmp_path / "in.txt"
    source.write_text("line one\nline two\n")
    worker: JavaConnect = java_connect_factory(
        kafka.bootstrap,
        mode="standalone",
        properties={"value.converter.schemas.enable": False},
        connectors=[
            {
                "name": "file-in",
                "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
                "file": source,
                "topic": topic_name,
            }
        ],
    )
    assert worker.get("/connectors") == ["file-in"]
    assert consume(kafka.bootstrap, topic_name, 2) == [b'"line one"', b'"line two"']

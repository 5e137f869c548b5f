"""The Couchbase sink run by the real worker (StandaloneHerder -> Worker -> WorkerSinkTask) against a real
Kafka broker, writing with the real Couchbase SDK into gocaves (Couchbase's mock cluster,
tests/fixtures/couchbase.py): document IDs from ``couchbase.document.id``, a named collection, durability,
the dead letter queue and committed offsets through the worker."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Consumer, KafkaException, Producer
from confluent_kafka import TopicPartition as KTopicPartition

from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.herder.standalone import StandaloneHerder
from tests.fixtures.couchbase import GocavesServer

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def _produce(bootstrap: str, topic: str, values: list[bytes | None]) -> None:
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    for v in values:
        p.produce(topic, v, key=b"k")
    p.flush(30)


def _read(bootstrap: str, topic: str, expected: int, timeout: float = 30.0) -> list[Any]:
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"r-{uuid.uuid4().hex}", "auto.offset.reset": "earliest"})
    c.subscribe([topic])
    out: list[Any] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and len(out) < expected:
            m = c.poll(0.2)
            if m is not None and not m.error():
                out.append(m)
        return out
    finally:
        c.close()


def _committed(bootstrap: str, group: str, topic: str) -> int:
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        (tp,) = c.committed([KTopicPartition(topic, 0)], timeout=10)
        return tp.offset
    except KafkaException:
        return -1
    finally:
        c.close()


async def _wait(cond: Callable[[], bool], limit: float = 40.0, what: str = "condition") -> None:
    deadline = time.monotonic() + limit
    while not await asyncio.to_thread(cond):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.3)


async def test_couchbase_sink_through_worker(
    kafka: Any, topic_name: str, tmp_path: Path, couchbase_server: GocavesServer, couchbase_cluster: Any
) -> None:
    scope = "inv" + uuid.uuid4().hex[:8]
    bucket = couchbase_cluster.bucket(couchbase_server.bucket)
    bucket.collections().create_scope(scope)
    bucket.collections().create_collection(scope, "users")
    src = kafka.create_topic(topic_name, partitions=1)
    dlq = kafka.create_topic(topic_name + ".dlq", partitions=1)
    values: list[bytes | None] = [json.dumps({"type": "user", "id": i % 5, "n": i}).encode() for i in range(20)]
    values[6] = json.dumps({"type": "user", "n": 6}).encode()  # no /id for the document ID: DLQ
    _produce(kafka.bootstrap, src, values)
    herder = StandaloneHerder(
        WorkerConfig(
            {
                "bootstrap.servers": kafka.bootstrap,
                "offset.storage.file.filename": str(tmp_path / "offsets"),
                "key.converter": "org.apache.kafka.connect.storage.StringConverter",
                "value.converter": "org.apache.kafka.connect.json.JsonConverter",
                "value.converter.schemas.enable": "false",
                "offset.flush.interval.ms": "300",
            },
            "standalone",
        )
    )
    name = "couchbase-sink-" + topic_name
    await herder.start()
    try:
        await herder.put_connector_config(
            name,
            {
                "connector.class": "com.couchbase.connect.kafka.CouchbaseSinkConnector",
                "topics": src,
                "couchbase.seed.nodes": ",".join(couchbase_server.seed_nodes),
                "couchbase.bucket": couchbase_server.bucket,
                "couchbase.username": couchbase_server.username,
                "couchbase.password": couchbase_server.password,
                "couchbase.default.collection": f"{scope}.users",
                "couchbase.document.id": "${/type}::${/id}",
                "couchbase.remove.document.id": "true",
                "couchbase.durability": "MAJORITY",
                "errors.tolerance": "all",
                "errors.deadletterqueue.topic.name": dlq,
                "errors.deadletterqueue.topic.replication.factor": "1",
                "errors.deadletterqueue.context.headers.enable": "true",
            },
            allow_replace=False,
        )
        await _wait(lambda: _committed(kafka.bootstrap, f"connect-{name}", src) == 20, 60, "offset 20 committed")
        dead = await asyncio.to_thread(_read, kafka.bootstrap, dlq, 1)
        assert [dict(m.headers() or [])["__connect.errors.offset"] for m in dead] == [b"6"]
        status = (await herder.connector_status(name)).to_json()
        assert status["tasks"][0]["state"] == "RUNNING"
    finally:
        await herder.stop()
    users = bucket.scope(scope).collection("users")
    docs = {f"user::{i}": users.get(f"user::{i}").value for i in range(5)}
    assert docs == {f"user::{i}": {"n": 15 + i} for i in range(5)}  # the last record of each id; id fields removed

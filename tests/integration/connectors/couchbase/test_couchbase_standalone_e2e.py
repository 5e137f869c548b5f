"""The Couchbase sink run by the real worker (StandaloneHerder -> Worker -> WorkerSinkTask) against a real
Kafka broker, writing into the StandInCollection STAND-IN (tests/unit/connectors/couchbase/standin.py;
no Couchbase Server can be installed here, so the SDK's bucket is replaced by the stand-in): document IDs
from ``couchbase.document.id``, the dead letter queue and committed offsets through the worker."""

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

import genesis_connectors.couchbase.task as couchbase_task
from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.herder.standalone import StandaloneHerder
from tests.unit.connectors.couchbase.standin import StandInBucket, StandInCollection

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


async def test_couchbase_sink_through_worker_with_standin(
    kafka: Any, topic_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    collections: dict[tuple[str, str], StandInCollection] = {}
    monkeypatch.setattr(couchbase_task, "CouchbaseBucket", lambda cfg: StandInBucket(collections, cfg))
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
                "couchbase.seed.nodes": "127.0.0.1",
                "couchbase.bucket": "ads",
                "couchbase.username": "u",
                "couchbase.password": "p",
                "couchbase.default.collection": "inv.users",
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
        status = await herder.connector_status(name)
        assert status["tasks"][0]["state"] == "RUNNING"
    finally:
        await herder.stop()
    docs = collections[("inv", "users")].docs
    assert docs == {f"user::{i}": {"n": 15 + i} for i in range(5)}  # the last record of each id; id fields removed
    assert {c[2]["durability"].level.name for c in collections[("inv", "users")].calls} == {"MAJORITY"}

"""The Cassandra sink run by the real worker (StandaloneHerder -> Worker -> WorkerSinkTask), posted with
the DataStax class name, against a real Kafka broker and a real Cassandra node: rows, the dead letter
queue, committed offsets, and the REST-visible lineage."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cassandra.cluster import Cluster
from confluent_kafka import Consumer, KafkaException, Producer
from confluent_kafka import TopicPartition as KTopicPartition

from genesis_connectors.cassandra.connector import CassandraSinkConnector
from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.herder.standalone import StandaloneHerder

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

JSON = "org.apache.kafka.connect.json.JsonConverter"
STRING = "org.apache.kafka.connect.storage.StringConverter"


def _produce(bootstrap: str, topic: str, items: list[tuple[str, Any]]) -> None:
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    for key, v in items:
        p.produce(topic, None if v is None else json.dumps(v).encode(), key=key.encode())
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
    except KafkaException:  # e.g. NOT_COORDINATOR while the group coordinator moves: ask again
        return -1
    finally:
        c.close()


async def _wait(cond: Callable[[], bool], limit: float = 40.0, what: str = "condition") -> None:
    deadline = time.monotonic() + limit
    while not await asyncio.to_thread(cond):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.3)


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


async def test_cassandra_sink_through_worker(
    kafka: Any, cassandra_server: Any, topic_name: str, tmp_path: Path
) -> None:
    src = kafka.create_topic(topic_name, partitions=1)
    dlq = kafka.create_topic(topic_name + ".dlq", partitions=1)
    ks = "e2e_" + uuid.uuid4().hex[:8]
    cluster = Cluster(["127.0.0.1"], port=cassandra_server.port)
    cql = cluster.connect()
    cql.execute(f"CREATE KEYSPACE {ks} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}")
    cql.execute(f"CREATE TABLE {ks}.clicks (user_id text, n int, ad bigint, PRIMARY KEY (user_id, n))")
    cql.execute(f"CREATE TABLE {ks}.last_ad (user_id text PRIMARY KEY, ad bigint)")

    items: list[tuple[str, Any]] = [(f"u{i % 4}", {"n": i, "ad": 1000 + i}) for i in range(30)]
    items[11] = ("u3", {"n": 11, "ad": "eleven"})  # not a bigint: dead letter queue
    _produce(kafka.bootstrap, src, items)

    herder = StandaloneHerder(
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
    name = "cassandra-sink-" + topic_name
    config = {
        "connector.class": "com.datastax.oss.kafka.sink.CassandraSinkConnector",
        "tasks.max": "1",
        "topics": src,
        "contactPoints": "127.0.0.1",
        "port": str(cassandra_server.port),
        "loadBalancing.localDc": cassandra_server.local_dc,
        f"topic.{src}.{ks}.clicks.mapping": "user_id=key, n=value.n, ad=value.ad",
        f"topic.{src}.{ks}.last_ad.mapping": "user_id=key, ad=value.ad",
        "errors.tolerance": "all",
        "errors.deadletterqueue.topic.name": dlq,
        "errors.deadletterqueue.topic.replication.factor": "1",
        "errors.deadletterqueue.context.headers.enable": "true",
    }
    await herder.start()
    try:
        await herder.put_connector_config(name, config, allow_replace=False)
        await _running(herder, name)
        await _wait(lambda: _committed(kafka.bootstrap, f"connect-{name}", src) == 30, 60, "offset 30 committed")
        dead = await asyncio.to_thread(_read, kafka.bootstrap, dlq, 2)
        # the bad record fails for both tables it maps to: reported once per table
        assert {dict(m.headers() or [])["__connect.errors.offset"] for m in dead} == {b"11"}
    finally:
        await herder.stop()
    got = sorted(tuple(r) for r in cql.execute(f"SELECT user_id, n, ad FROM {ks}.clicks"))
    assert got == sorted((f"u{i % 4}", i, 1000 + i) for i in range(30) if i != 11)
    last = dict(tuple(r) for r in cql.execute(f"SELECT user_id, ad FROM {ks}.last_ad"))  # type: ignore[misc]
    assert last == {"u0": 1028, "u1": 1029, "u2": 1026, "u3": 1027}
    lineage = CassandraSinkConnector().lineage(config)
    assert [(e.system, e.name) for e in lineage.outputs] == [
        ("cassandra", f"{ks}.clicks"),
        ("cassandra", f"{ks}.last_ad"),
    ]
    cluster.shutdown()

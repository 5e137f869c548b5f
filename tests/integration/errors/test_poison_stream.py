"""Issue 7's poison-record stream: 2,000 JSON records with 1% poison (bad JSON, wrong types, transform
failures) through JsonConverter -> Cast$Value -> the Kafka-to-Kafka sink, errors.tolerance=all with a dead
letter queue. Every good record comes out, every bad one is in the DLQ with its original bytes and key and
the error context headers, the counts match exactly, and the sink group commits to the end."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.herder.standalone import StandaloneHerder

pytestmark = pytest.mark.integration
N = 2000
BYTES = "org.apache.kafka.connect.converters.ByteArrayConverter"


def make_records() -> tuple[list[tuple[bytes, bytes]], dict[int, str]]:
    """(key, value) pairs and, for the poison ones, the stage that must fail."""
    records: list[tuple[bytes, bytes]] = []
    poison: dict[int, str] = {}
    for i in range(N):
        key = f"k{i}".encode()
        if i % 300 == 7:  # not JSON at all
            records.append((key, b'{"id": ' + str(i).encode() + b", broken"))
            poison[i] = "VALUE_CONVERTER"
        elif i % 300 == 41:  # wrong type: Cast cannot make an int32 of "abc"
            records.append((key, orjson.dumps({"id": i, "amount": "abc"})))
            poison[i] = "TRANSFORMATION"
        elif i % 400 == 99:  # not an object: Cast$Value needs a map without a schema
            records.append((key, orjson.dumps([i, "not", "an", "object"])))
            poison[i] = "TRANSFORMATION"
        else:
            records.append((key, orjson.dumps({"id": i, "amount": str(i % 50)})))
    return records, poison


def produce(bootstrap: str, topic: str, records: list[tuple[bytes, bytes]]) -> None:
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 10})
    for key, value in records:
        p.produce(topic, value, key, headers=[("origin", b"poison-test")])
    assert p.flush(60) == 0


def read_all(bootstrap: str, topic: str, expected: int, within_s: float = 60) -> list[Any]:
    c = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"r-{time.time_ns()}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    c.subscribe([topic])
    out: list[Any] = []
    deadline = time.monotonic() + within_s
    try:
        while len(out) < expected and time.monotonic() < deadline:
            for m in c.consume(500, 0.5):
                if m.error() is None:
                    out.append(m)
                elif m.error().code() not in (KafkaError._PARTITION_EOF, KafkaError.UNKNOWN_TOPIC_OR_PART):
                    raise AssertionError(m.error())  # (the topic appears when the first record is written)
        for m in c.consume(500, 1.0):  # nothing more may arrive
            if m.error() is None:
                out.append(m)
    finally:
        c.close()
    return out


@pytest.fixture
async def herder(kafka: Any, tmp_path: Path) -> AsyncIterator[StandaloneHerder]:
    h = StandaloneHerder(
        WorkerConfig(
            {
                "bootstrap.servers": kafka.bootstrap,
                "offset.storage.file.filename": str(tmp_path / "offsets"),
                "key.converter": BYTES,
                "value.converter": BYTES,
                "offset.flush.interval.ms": "200",
            },
            "standalone",
        )
    )
    await h.start()
    try:
        yield h
    finally:
        await h.stop()


async def test_one_percent_poison_all_good_out_all_bad_in_dlq(
    herder: StandaloneHerder, kafka: Any, topic_name: str
) -> None:
    source, target, dlq = topic_name, topic_name + "-out", topic_name + "-dlq"
    kafka.create_topic(source, partitions=2)
    records, poison = make_records()
    await asyncio.to_thread(produce, kafka.bootstrap, source, records)
    good = N - len(poison)
    assert 15 <= len(poison) <= 25  # about 1%

    await herder.put_connector_config(
        "poison",
        {
            "connector.class": "KafkaSinkConnector",
            "topics": source,
            "target.topic": target,
            "key.converter": BYTES,
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false",
            "transforms": "cast",
            "transforms.cast.type": "org.apache.kafka.connect.transforms.Cast$Value",
            "transforms.cast.spec": "amount:int32",
            "errors.tolerance": "all",
            "errors.deadletterqueue.topic.name": dlq,
            "errors.deadletterqueue.topic.replication.factor": "1",
            "errors.deadletterqueue.context.headers.enable": "true",
        },
        allow_replace=False,
    )

    out = await asyncio.to_thread(read_all, kafka.bootstrap, target, good)
    values = [orjson.loads(m.value()) for m in out]
    assert len(values) == good  # every good record once (a fresh run has nothing to replay)
    assert sorted(v["id"] for v in values) == sorted(i for i in range(N) if i not in poison)
    assert all(isinstance(v["amount"], int) and v["amount"] == v["id"] % 50 for v in values)  # the Cast applied

    dead = await asyncio.to_thread(read_all, kafka.bootstrap, dlq, len(poison))
    assert len(dead) == len(poison)
    by_key = {int(m.key()[1:]): m for m in dead}
    assert set(by_key) == set(poison)
    original = dict(enumerate(records))
    where = {
        int(m.key()[1:]): (m.partition(), m.offset())
        for m in await asyncio.to_thread(read_all, kafka.bootstrap, source, N)
    }
    for i, m in by_key.items():
        assert m.value() == original[i][1]  # the original bytes, untouched
        h = dict(m.headers())
        assert h["origin"] == b"poison-test"  # original headers kept
        assert h["__connect.errors.stage"] == poison[i].encode()
        assert h["__connect.errors.topic"] == source.encode()
        assert h["__connect.errors.connector.name"] == b"poison"
        assert h["__connect.errors.task.id"] == b"0"
        assert (int(h["__connect.errors.partition"]), int(h["__connect.errors.offset"])) == where[i]
        assert h["__connect.errors.exception.class.name"]
        expected_class = (
            b"org.apache.kafka.connect.json.JsonConverter"
            if poison[i] == "VALUE_CONVERTER"
            else b"org.apache.kafka.connect.transforms.Cast$Value"
        )
        assert h["__connect.errors.class.name"] == expected_class

    # the pipeline kept running and committed past the poison: the group reaches the end of both partitions
    async def committed_to_end() -> bool:
        def read() -> int:
            c = Consumer({"bootstrap.servers": kafka.bootstrap, "group.id": "connect-poison"})
            try:
                return sum(
                    tp.offset
                    for tp in c.committed([TopicPartition(source, 0), TopicPartition(source, 1)], timeout=10)
                    if tp.offset > 0
                )
            finally:
                c.close()

        return await asyncio.to_thread(read) == N

    deadline = time.monotonic() + 30
    while not await committed_to_end():
        assert time.monotonic() < deadline, "offsets not committed to the end"
        await asyncio.sleep(0.3)
    status = (await herder.connector_status("poison")).to_json()
    assert [t["state"] for t in status["tasks"]] == ["RUNNING"]
    summary = herder.metrics.summary() if herder.metrics is not None else {}
    conn = summary["connectors"]["poison"]
    assert conn["record_errors"] == len(poison) and conn["records_dlq"] == len(poison)

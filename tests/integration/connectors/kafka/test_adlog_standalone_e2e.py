"""The three ad-log connectors run by the real worker (StandaloneHerder -> Worker -> WorkerSinkTask),
configured by their Java-style class names exactly as a user would post them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis

from genesis_connectors.kafka.sampling import Sampler
from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.herder.standalone import StandaloneHerder
from tests.integration.connectors.kafka.adlog_harness import committed, produce, values, wait_output

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

BYTES = "org.apache.kafka.connect.converters.ByteArrayConverter"


@pytest.fixture
async def herder(kafka, tmp_path) -> AsyncIterator[StandaloneHerder]:
    config = WorkerConfig(
        {
            "bootstrap.servers": kafka.bootstrap,
            "offset.storage.file.filename": str(tmp_path / "offsets"),
            "key.converter": BYTES,
            "value.converter": BYTES,
            "offset.flush.interval.ms": "500",
        },
        "standalone",
    )
    h = StandaloneHerder(config)
    await h.start()
    try:
        yield h
    finally:
        await h.stop()


async def status(h: StandaloneHerder, name: str) -> dict[str, Any]:
    return (await h.connector_status(name)).to_json()


async def running(h: StandaloneHerder, name: str, tasks: int) -> None:
    for _ in range(300):
        st = await status(h, name)
        states = [t["state"] for t in st["tasks"]]
        if st["connector"]["state"] == "RUNNING" and states == ["RUNNING"] * tasks:
            return
        if "FAILED" in states:
            raise AssertionError(f"task failed: {st}")
        await asyncio.sleep(0.1)
    raise AssertionError(f"not running: {await status(h, name)}")


async def test_kafka_sink_through_worker(herder, kafka, topic_name) -> None:
    src = kafka.create_topic(topic_name, partitions=4)
    dst = kafka.create_topic(topic_name + ".out", partitions=1)
    users = [f"user-{i}" for i in range(200)]
    produce(
        kafka.bootstrap, src, [(u, {"user": u, "event": "click" if i % 2 else "view"}) for i, u in enumerate(users)]
    )
    name = "ks-" + topic_name
    created, info = await herder.put_connector_config(
        name,
        {
            "connector.class": "com.genesis.connect.kafka.KafkaSinkConnector",
            "tasks.max": "2",
            "topics": src,
            "target.topic": "${topic}.out",
            "target.bootstrap.servers": kafka.bootstrap,
            "filter.condition": 'value.event == "click"',
            "sample.percent": "50",
            "sample.mode": "hash",
            "inject.static.fields": "via=genesis",
        },
        allow_replace=False,
    )
    assert created and len(info.tasks) == 2
    await running(herder, name, 2)
    s = Sampler(50, "hash")
    expected = {u for i, u in enumerate(users) if i % 2 and s.keep_hash_bytes(u.encode())}
    msgs = await wait_output(kafka.bootstrap, dst, len(expected), settle=1.0)
    assert {m.key().decode() for m in msgs} == expected and len(msgs) == len(expected)
    assert all(v["via"] == "genesis" and v["event"] == "click" for v in values(msgs))
    for _ in range(100):
        if sum(max(o, 0) for o in committed(kafka.bootstrap, f"connect-{name}", src, 4).values()) == len(users):
            break
        await asyncio.sleep(0.1)
    assert sum(max(o, 0) for o in committed(kafka.bootstrap, f"connect-{name}", src, 4).values()) == len(users)


async def test_validation_through_herder_reports_position(herder) -> None:
    result = await herder.validate_connector_config(
        {
            "connector.class": "com.genesis.connect.kafka.KafkaSinkConnector",
            "name": "bad",
            "topics": "x",
            "target.topic": "y",
            "filter.condition": 'value.a == "b" and or',
        }
    )
    assert result["error_count"] == 1
    errors = next(c["value"]["errors"] for c in result["configs"] if c["value"]["name"] == "filter.condition")
    assert errors == [
        'Invalid value value.a == "b" and or for configuration filter.condition: '
        "expected a field, a literal or '(' but found 'or' at position 19"
    ]


async def test_feature_join_and_adlog_join_through_worker(herder, kafka, redis_server, topic_name) -> None:
    src = kafka.create_topic(topic_name, partitions=2)
    out_f = kafka.create_topic(topic_name + ".features", partitions=1)
    out_a = kafka.create_topic(topic_name + ".ads", partitions=1)
    lookup = kafka.create_topic(topic_name + ".meta", partitions=1, config={"cleanup.policy": "compact"})
    r = redis.Redis.from_url(redis_server.url)
    r.hset(f"{topic_name}:u1", mapping={"seg": "a"})
    r.hset(f"{topic_name}:u2", mapping={"seg": "b"})
    r.close()
    produce(kafka.bootstrap, lookup, [("ad1", {"campaign": "c1"}), ("ad2", {"campaign": "c2"})])
    logs = [(f"u{i % 3}", {"user_id": f"u{i % 3}", "ad_id": f"ad{i % 3}", "i": i}) for i in range(30)]
    produce(kafka.bootstrap, src, logs)
    common = {"topics": src, "target.bootstrap.servers": kafka.bootstrap, "tasks.max": "2"}
    await herder.put_connector_config(
        "fj-" + topic_name,
        {
            **common,
            "connector.class": "com.genesis.connect.kafka.ExtFeatureJoinKafkaSinkConnector",
            "target.topic": out_f,
            "redis.url": redis_server.url,
            "join.key.field": "user_id",
            "features.key.prefix": f"{topic_name}:",
            "on.miss": "drop",
        },
        allow_replace=False,
    )
    await herder.put_connector_config(
        "aj-" + topic_name,
        {
            **common,
            "connector.class": "connectors.kafka.AdLogJoinKafkaSinkConnector",  # the Python path from before the rename works too
            "target.topic": out_a,
            "lookup.bootstrap.servers": kafka.bootstrap,
            "lookup.topic": lookup,
            "lookup.key.field": "ad_id",
            "on.miss": "null",
            "lookup.fields": "campaign",
        },
        allow_replace=False,
    )
    await running(herder, "fj-" + topic_name, 2)
    await running(herder, "aj-" + topic_name, 2)
    f_msgs = values(await wait_output(kafka.bootstrap, out_f, 20, settle=1.0))
    a_msgs = values(await wait_output(kafka.bootstrap, out_a, 30, settle=1.0))
    assert sorted(v["i"] for v in f_msgs) == [i for i in range(30) if i % 3]
    assert all(v["features"] == {"seg": "a" if v["user_id"] == "u1" else "b"} for v in f_msgs)
    assert sorted(v["i"] for v in a_msgs) == list(range(30))
    assert all(v["campaign"] == {"ad0": None, "ad1": "c1", "ad2": "c2"}[v["ad_id"]] for v in a_msgs)


async def test_avro_values_through_worker(herder, kafka, topic_name) -> None:
    """Avro values (Confluent wire format) arrive as Structs: filter on their fields, inject, write JSON."""
    from genesis_worker.api import SchemaBuilder, Struct
    from genesis_worker.api.data import Schema
    from genesis_worker.runtime.converters.avro import AvroConverter
    from tests.fixtures.schema_registry_standin import SchemaRegistryStandIn

    schema = (
        SchemaBuilder.struct()
        .name("com.example.AdLog")
        .field("event", Schema.STRING_SCHEMA)
        .field("country", Schema.OPTIONAL_STRING_SCHEMA)
        .field("price", Schema.FLOAT64_SCHEMA)
        .build()
    )
    rows = [("click", "KR", 1.5), ("view", "KR", 2.0), ("click", None, 0.5), ("click", "JP", 3.0)]
    with SchemaRegistryStandIn() as registry:
        conv = AvroConverter()
        conv.configure({"schema.registry.url": registry.url}, False)
        src = kafka.create_topic(topic_name, partitions=1)
        dst = kafka.create_topic(topic_name + ".out", partitions=1)
        encoded = [
            conv.from_connect_data(src, schema, Struct(schema).put("event", e).put("country", c).put("price", p))
            for e, c, p in rows
        ]
        produce(kafka.bootstrap, src, [(f"k{i}", v) for i, v in enumerate(encoded)])
        name = "avro-" + topic_name
        await herder.put_connector_config(
            name,
            {
                "connector.class": "com.genesis.connect.kafka.KafkaSinkConnector",
                "topics": src,
                "target.topic": dst,
                "target.bootstrap.servers": kafka.bootstrap,
                "value.converter": "io.confluent.connect.avro.AvroConverter",
                "value.converter.schema.registry.url": registry.url,
                "filter.condition": 'value.event == "click" and value.country != null',
                "inject.static.fields": "format=avro",
            },
            allow_replace=False,
        )
        await running(herder, name, 1)
        msgs = await wait_output(kafka.bootstrap, dst, 2, settle=1.0)
    assert values(msgs) == [
        {"event": "click", "country": "KR", "price": 1.5, "format": "avro"},
        {"event": "click", "country": "JP", "price": 3.0, "format": "avro"},
    ]
    assert [m.key() for m in msgs] == [b"k0", b"k3"]

"""ExtFeatureJoinKafkaSinkConnector end to end: real broker, real redis-server, runtime's WorkerSinkTask."""

from __future__ import annotations

import asyncio

import pytest
import redis

from genesis_connectors.kafka import ExtFeatureJoinKafkaSinkTask
from tests.integration.connectors.kafka.adlog_harness import (
    RunningTask,
    committed,
    produce,
    values,
    wait_for,
    wait_output,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


def props(name: str, src: str, dst: str, kafka, redis_server, **extra: str) -> dict[str, str]:
    return {
        "name": name,
        "connector.class": "com.genesis.connect.kafka.ExtFeatureJoinKafkaSinkConnector",
        "topics": src,
        "target.topic": dst,
        "target.bootstrap.servers": kafka.bootstrap,
        "redis.url": redis_server.url,
        "join.key.field": "user_id",
        "features.key.prefix": f"{name}:",
        **extra,
    }


def seed(redis_server, prefix: str, features: dict[str, dict[str, str]]) -> None:
    r = redis.Redis.from_url(redis_server.url)
    try:
        for user, h in features.items():
            r.hset(prefix + user, mapping=h)
    finally:
        r.close()


INPUT = [
    ("a", {"user_id": "u1", "ad": 1}),
    ("b", {"user_id": "u2", "ad": 2}),
    ("c", {"user_id": "nobody", "ad": 3}),
    ("d", {"ad": 4}),  # no join key
    ("e", {"user_id": 7, "ad": 5}),  # number key -> "7"
    ("f", {"user_id": "u1", "ad": 6}),
]
FEATURES = {"u1": {"age": "31", "seg": "sports"}, "u2": {"age": "x", "ctr": "0.25"}, "7": {"vip": "true"}}


@pytest.mark.parametrize("mode", ["pass", "drop", "null", "fail"])
async def test_enrichment_hit_and_each_on_miss(kafka, redis_server, topic_name, mode) -> None:
    src = kafka.create_topic(topic_name, partitions=1)
    dst = kafka.create_topic(topic_name + ".out", partitions=1)
    name = f"fj-{mode}-{topic_name}"
    seed(redis_server, f"{name}:", FEATURES)
    produce(kafka.bootstrap, src, INPUT)
    p = props(name, src, dst, kafka, redis_server, **{"on.miss": mode, "features.value.type": "json"})
    task = ExtFeatureJoinKafkaSinkTask()
    rt = RunningTask(kafka.bootstrap, task, p)
    u1 = {"age": 31, "seg": "sports"}
    u2 = {"age": "x", "ctr": 0.25}
    hit7 = {"vip": True}
    async with rt:
        if mode == "fail":
            await wait_for(lambda: rt.done, 60, "task failure")
        else:
            expected = {"pass": 6, "drop": 4, "null": 6}[mode]
            msgs = await wait_output(kafka.bootstrap, dst, expected, settle=1.0)
            metrics = task.metrics()
    if mode == "fail":
        assert rt.status.last.value == "FAILED"
        assert "No features for join key 'nobody'" in rt.status.trace
        # the failing batch wrote nothing and nothing was committed
        assert (await wait_output(kafka.bootstrap, dst, 1, limit=2)) == []
        assert committed(kafka.bootstrap, f"connect-{name}", src, 1)[0] < 0
        return
    got = values(msgs)
    if mode == "pass":
        assert got == [
            {"user_id": "u1", "ad": 1, "features": u1},
            {"user_id": "u2", "ad": 2, "features": u2},
            {"user_id": "nobody", "ad": 3},
            {"ad": 4},
            {"user_id": 7, "ad": 5, "features": hit7},
            {"user_id": "u1", "ad": 6, "features": u1},
        ]
    elif mode == "drop":
        assert got == [
            {"user_id": "u1", "ad": 1, "features": u1},
            {"user_id": "u2", "ad": 2, "features": u2},
            {"user_id": 7, "ad": 5, "features": hit7},
            {"user_id": "u1", "ad": 6, "features": u1},
        ]
        assert metrics["dropped"] == 2
    else:
        assert got == [
            {"user_id": "u1", "ad": 1, "features": u1},
            {"user_id": "u2", "ad": 2, "features": u2},
            {"user_id": "nobody", "ad": 3, "features": None},
            {"ad": 4, "features": None},
            {"user_id": 7, "ad": 5, "features": hit7},
            {"user_id": "u1", "ad": 6, "features": u1},
        ]
    assert [m.key() for m in msgs] == [k.encode() for k, v in INPUT if mode != "drop" or k not in ("c", "d")]
    # one pipelined round trip for the first batch; u1 twice and misses looked up once
    assert metrics["redis_round_trips"] >= 1 and metrics["cache_entries"] == 4


async def test_redis_stopped_and_restarted_mid_stream_loses_nothing(kafka, redis_server, topic_name) -> None:
    src = kafka.create_topic(topic_name, partitions=2)
    dst = kafka.create_topic(topic_name + ".out", partitions=1)
    name = "fj-outage-" + topic_name
    users = {f"u{i}": {"n": str(i)} for i in range(40)}
    seed(redis_server, f"{name}:", users)
    p = props(name, src, dst, kafka, redis_server, **{
        "on.miss": "fail", "cache.max.entries": "0", "errors.retry.timeout": "-1",
        "errors.retry.delay.max.ms": "500", "redis.timeout.ms": "500",
    })  # fmt: skip
    task = ExtFeatureJoinKafkaSinkTask()
    rt = RunningTask(kafka.bootstrap, task, p)
    first = [(f"u{i}", {"user_id": f"u{i}", "i": i}) for i in range(20)]
    second = [(f"u{i}", {"user_id": f"u{i}", "i": i}) for i in range(20, 40)]
    try:
        async with rt:
            produce(kafka.bootstrap, src, first)
            await wait_output(kafka.bootstrap, dst, 20)
            await asyncio.to_thread(redis_server.stop)
            produce(kafka.bootstrap, src, second)
            await wait_for(lambda: task.redis_errors >= 2, 30, "retries while redis is down")
            assert rt.status.last.value == "RUNNING" and not rt.done
            await asyncio.to_thread(redis_server.start)
            seed(redis_server, f"{name}:", users)  # no persistence: the restarted server is empty
            msgs = await wait_output(kafka.bootstrap, dst, 40, limit=60, settle=1.0)
            assert rt.status.last.value == "RUNNING"
    finally:
        if not redis_server.running:
            redis_server.start()
    got = values(msgs)
    by_i = {v["i"]: v for v in got}
    assert sorted(by_i) == list(range(40))
    assert all(by_i[i]["features"] == {"n": str(i)} for i in range(40))


async def test_outage_longer_than_retry_timeout_fails_then_recovers(kafka, redis_server, topic_name) -> None:
    src = kafka.create_topic(topic_name, partitions=1)
    dst = kafka.create_topic(topic_name + ".out", partitions=1)
    name = "fj-fail-" + topic_name
    users = {f"u{i}": {"n": str(i)} for i in range(10)}
    p = props(name, src, dst, kafka, redis_server, **{
        "on.miss": "fail", "errors.retry.timeout": "1500", "errors.retry.delay.max.ms": "300",
        "redis.timeout.ms": "300",
    })  # fmt: skip
    produce(kafka.bootstrap, src, [(u, {"user_id": u}) for u in users])
    try:
        await asyncio.to_thread(redis_server.stop)
        rt = RunningTask(kafka.bootstrap, ExtFeatureJoinKafkaSinkTask(), p)
        async with rt:
            await wait_for(lambda: rt.done, 60, "task failure")
        assert rt.status.last.value == "FAILED"
        assert "Feature store unavailable" in rt.status.trace and "errors.retry.timeout=1500" in rt.status.trace
        assert committed(kafka.bootstrap, f"connect-{name}", src, 1)[0] < 0  # nothing committed
    finally:
        if not redis_server.running:
            redis_server.start()
    seed(redis_server, f"{name}:", users)
    async with RunningTask(kafka.bootstrap, ExtFeatureJoinKafkaSinkTask(), p):  # the restarted task
        msgs = await wait_output(kafka.bootstrap, dst, 10, settle=1.0)
        await wait_for(lambda: committed(kafka.bootstrap, f"connect-{name}", src, 1)[0] == 10, 30, "commit")
    assert sorted(v["user_id"] for v in values(msgs)) == sorted(users)
    assert all(v["features"] == users[v["user_id"]] for v in values(msgs))

"""Reliability report rows for the external stores a pipeline depends on, each killed (SIGKILL) and started
again on the same port mid-stream, with a genesis-worker process running the connector: Redis under the
feature-join Kafka sink, the MongoDB-wire server under the MongoDB sink. Each row asserts that no record is
lost and that records flow again within a bound."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from confluent_kafka import Consumer, TopicPartition
from pymongo import MongoClient

from tests.e2e.distributed.workers import GenesisWorker
from tests.e2e.reliability import report
from tests.fixtures.kafka import BrokerBase
from tests.fixtures.stores import MongoServer, RedisServer
from tests.integration.connectors.kafka.adlog_harness import produce, read_all
from tests.integration.distributed.harness import cluster_props

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(200)]

BATCH = 1000  # records sent before, during and after the outage
RECOVERY_BOUND_S = 60.0
OUTAGE_S = 2.0
BYTES = "org.apache.kafka.connect.converters.ByteArrayConverter"


def wait(cond: Callable[[], bool], limit: float, what: str) -> float:
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > limit:
            raise AssertionError(f"timed out after {limit}s waiting for {what}")
        time.sleep(0.2)
    return time.monotonic() - t0


def topic_size(bootstrap: str, topic: str) -> int:
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"size-{uuid.uuid4().hex}"})
    try:
        md = c.list_topics(topic, timeout=10).topics[topic]
        return sum(c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in md.partitions)
    finally:
        c.close()


def assert_task_running(worker: GenesisWorker) -> None:
    """The store outage was retried, not turned into a FAILED task."""
    st, body = worker.request("GET", "/connectors/reliability/status")
    assert st == 200 and [t["state"] for t in body["tasks"]] == ["RUNNING"], body


def run_outage(
    worker: GenesisWorker,
    config: dict[str, str],
    send: Callable[[range], None],
    delivered: Callable[[], int],
    server: RedisServer | MongoServer,
    after_restart: Callable[[], None],
) -> tuple[float, int]:
    """Create the connector, send three batches (before, during, after a SIGKILL of ``server``); return the
    seconds from the kill until ``delivered()`` grows again after the restart, and ``delivered()`` just
    before the restart."""
    st, body = worker.request("PUT", "/connectors/reliability/config", config)
    assert st == 201, body
    send(range(0, BATCH))
    wait(lambda: delivered() >= BATCH // 5, 60, "records flowing")
    server.kill()
    t0 = time.monotonic()
    send(range(BATCH, 2 * BATCH))
    time.sleep(OUTAGE_S)
    during = delivered()
    server.start()  # same port
    after_restart()
    before = delivered()
    send(range(2 * BATCH, 3 * BATCH))
    wait(lambda: delivered() > before, RECOVERY_BOUND_S, "records flowing after the restart")
    return time.monotonic() - t0, during


def test_redis_killed_under_feature_join(kafka: BrokerBase, redis_server: RedisServer) -> None:
    tag = uuid.uuid4().hex[:8]
    src = kafka.create_topic(f"rel-fj-{tag}", partitions=2)
    dst = kafka.create_topic(f"rel-fj-{tag}.out", partitions=1)
    prefix = f"rel-{tag}:"
    users = {f"u{i}": {"n": str(i)} for i in range(40)}

    def seed() -> None:
        r = redis.Redis.from_url(redis_server.url)
        try:
            for user, h in users.items():
                r.hset(prefix + user, mapping=h)
        finally:
            r.close()

    def send(ids: range) -> None:
        produce(kafka.bootstrap, src, [(f"k{i}", {"user_id": f"u{i % 40}", "i": i}) for i in ids])

    seed()
    worker = GenesisWorker(cluster_props(kafka.bootstrap))
    try:
        worker.start()
        recovery, during = run_outage(
            worker,
            {
                "connector.class": "com.genesis.connect.kafka.ExtFeatureJoinKafkaSinkConnector",
                "tasks.max": "1",
                "topics": src,
                "target.topic": dst,
                "target.bootstrap.servers": kafka.bootstrap,
                "redis.url": redis_server.url,
                "join.key.field": "user_id",
                "features.key.prefix": prefix,
                "on.miss": "fail",
                "cache.max.entries": "0",
                "errors.retry.timeout": "-1",
                "errors.retry.delay.max.ms": "500",
                "redis.timeout.ms": "500",
                "key.converter": BYTES,
                "value.converter": BYTES,
                "consumer.override.auto.offset.reset": "earliest",
            },
            send,
            lambda: topic_size(kafka.bootstrap, dst),
            redis_server,
            seed,  # no persistence: the restarted server is empty
        )
        sent = {f"k{i}" for i in range(3 * BATCH)}
        report.settle(lambda: topic_size(kafka.bootstrap, dst) >= len(sent), 90)
        keys = [m.key().decode() for m in read_all(kafka.bootstrap, dst, len(sent), timeout=60, settle=1.0)]
        assert_task_running(worker)
    finally:
        worker.close()
        if not redis_server.running:
            redis_server.start()
    received, duplicated, lost = report.count(sent, keys)
    row = report.add_fault(
        report.FaultRow(
            f"Redis SIGKILL under the feature-join sink, restarted after {OUTAGE_S:.0f} s",
            len(sent),
            received,
            duplicated,
            lost,
            recovery,
        )
    )
    assert during < 2 * BATCH, "the records sent while Redis was down were joined without it"
    assert row.lost == 0, row
    assert row.recovery_s < RECOVERY_BOUND_S, row


@pytest.fixture
def durable_mongo() -> Iterator[MongoServer]:
    """A MongoDB-wire server that syncs each commit, as mongod's journal does: an acknowledged write
    survives its SIGKILL (SecantusDB's default acknowledges before the write is on disk)."""
    server = MongoServer(sync_on_commit=True)
    try:
        server.start()
        yield server
    finally:
        server.close()


def test_mongo_server_killed_under_mongo_sink(kafka: BrokerBase, durable_mongo: MongoServer) -> None:
    mongo_server = durable_mongo
    tag = uuid.uuid4().hex[:8]
    src = kafka.create_topic(f"rel-mongo-{tag}", partitions=2)
    db = f"rel{tag}"

    def send(ids: range) -> None:
        produce(kafka.bootstrap, src, [(f"k{i}", {"k": f"k{i}"}) for i in ids])

    def docs() -> list[Any]:
        client: MongoClient[dict[str, Any]] = MongoClient(mongo_server.uri, serverSelectionTimeoutMS=2000)
        try:
            return list(client[db]["events"].find({}, {"k": 1}))
        finally:
            client.close()

    def delivered() -> int:
        try:
            return len(docs())
        except Exception:  # the server is down or starting
            return 0

    worker = GenesisWorker(cluster_props(kafka.bootstrap))
    try:
        worker.start()
        recovery, _ = run_outage(
            worker,
            {
                "connector.class": "com.mongodb.kafka.connect.MongoSinkConnector",
                "tasks.max": "1",
                "topics": src,
                "connection.uri": mongo_server.uri,
                "database": db,
                "collection": "events",
                "max.num.retries": "3",
                "retries.defer.timeout": "500",
                "key.converter": "org.apache.kafka.connect.storage.StringConverter",
                "value.converter": "org.apache.kafka.connect.json.JsonConverter",
                "value.converter.schemas.enable": "false",
                "consumer.override.auto.offset.reset": "earliest",
            },
            send,
            delivered,
            mongo_server,
            lambda: None,  # SecantusDB keeps its data on disk across restarts
        )
        sent = {f"k{i}" for i in range(3 * BATCH)}
        report.settle(lambda: sent <= {d["k"] for d in docs()}, 90)
        time.sleep(1.0)
        keys = [d["k"] for d in docs()]
        assert_task_running(worker)
    finally:
        worker.close()
    received, duplicated, lost = report.count(sent, keys)
    row = report.add_fault(
        report.FaultRow(
            f"MongoDB-wire server (sync on commit) SIGKILL under the MongoDB sink, restarted after {OUTAGE_S:.0f} s",
            len(sent),
            received,
            duplicated,
            lost,
            recovery,
        )
    )
    missing = sorted(int(k[1:]) for k in sent - set(keys))
    assert row.lost == 0, (row, f"missing records {missing[:3]}..{missing[-3:]}; outage batch {BATCH}..{2 * BATCH - 1}")
    assert row.recovery_s < RECOVERY_BOUND_S, row

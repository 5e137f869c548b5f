"""WorkerSinkTask against the real broker through an in-process StandaloneHerder: the README example
sink, at-least-once commits, DLQ records, failure isolation, pause/resume, and a throughput check."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import orjson
import pytest
from confluent_kafka import Consumer, ConsumerGroupTopicPartitions, KafkaError, Producer

from genesis_worker.api import SinkConnector, SinkRecord, SinkTask
from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.herder.standalone import StandaloneHerder
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import RestartRequest

pytestmark = pytest.mark.integration


class CountingSinkConnector(SinkConnector):
    """Pass-through sink used to measure the runtime's own cost."""

    def task_class(self) -> type[SinkTask]:
        return CountingSinkTask

    async def start(self, props: dict[str, str]) -> None:
        self.props = props

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        return [dict(self.props) for _ in range(max_tasks)]


COUNTS: dict[str, int] = {}


class CountingSinkTask(SinkTask):
    async def start(self, props: dict[str, str]) -> None:
        self.name = props["name"]

    async def put(self, records: list[SinkRecord]) -> None:
        COUNTS[self.name] = COUNTS.get(self.name, 0) + len(records)
        if any(r.value == b"explode" for r in records):
            raise RuntimeError("explode record")


def _produce(bootstrap: str, topic: str, values: list[bytes], keys: list[bytes] | None = None) -> None:
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20, "batch.num.messages": 10000})
    for i, v in enumerate(values):
        while True:
            try:
                p.produce(topic, v, keys[i] if keys else None, headers=[("src", b"test")])
                break
            except BufferError:
                p.poll(0.05)
    assert p.flush(60) == 0


def _read_all(bootstrap: str, topic: str) -> list[Any]:
    c = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"r-{time.time_ns()}",
            "auto.offset.reset": "earliest",
            "enable.partition.eof": True,
        }
    )
    c.subscribe([topic])
    out = []
    try:
        while True:
            msgs = c.consume(1000, 15)
            assert msgs, "reader got nothing"
            if any(m.error() and m.error().code() == KafkaError._PARTITION_EOF for m in msgs):
                out.extend(m for m in msgs if not m.error())
                return out
            out.extend(msgs)
    finally:
        c.close()


async def _until(pred, wait_s: float, what: str) -> None:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if pred():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
async def herder(kafka, tmp_path):
    h = StandaloneHerder(
        WorkerConfig(
            {
                "bootstrap.servers": kafka.bootstrap,
                "key.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
                "value.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
                "offset.storage.file.filename": str(tmp_path / "offsets"),
                "offset.flush.interval.ms": "500",
                "listeners": "http://127.0.0.1:18099",
                "consumer.session.timeout.ms": "6000",
            }
        )
    )
    await h.start()
    yield h
    await h.stop()


async def test_example_sink_writes_everything_and_commits(herder, kafka, topic_name, tmp_path):
    kafka.create_topic(topic_name, partitions=3)
    values = [orjson.dumps({"i": i}) for i in range(3000)]
    _produce(kafka.bootstrap, topic_name, values, [str(i).encode() for i in range(3000)])
    out = tmp_path / "out.jsonl"
    created, info = await herder.put_connector_config(
        "ex",
        {
            "connector.class": "examples.jsonl_sink.JsonLinesSinkConnector",
            "topics": topic_name,
            "path": str(out),
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false",
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
        },
        allow_replace=False,
    )
    assert created and info.type == "sink"
    await _until(lambda: out.exists() and len(out.read_bytes().splitlines()) >= 3000, 60, "3000 lines")
    rows = [orjson.loads(x) for x in out.read_bytes().splitlines()]
    assert sorted(r["value"]["i"] for r in rows) == list(range(3000))
    assert all(r["key"] == str(r["value"]["i"]) for r in rows)
    status = (await herder.connector_status("ex")).to_json()
    assert status["connector"]["state"] == "RUNNING" and status["tasks"][0]["state"] == "RUNNING"
    assert await herder.active_topics("ex") == [topic_name]
    await herder.stop_connector("ex")
    offsets = (await herder.connector_offsets("ex")).to_json()
    assert sum(o["offset"]["kafka_offset"] for o in offsets["offsets"]) == 3000


async def test_dlq_gets_original_bytes_and_failed_task_is_isolated(herder, kafka, topic_name):
    kafka.create_topic(topic_name, partitions=1)
    dlq = topic_name + "-dlq"
    _produce(kafka.bootstrap, topic_name, [b'{"ok":1}', b"{not json", b'{"ok":2}'])
    await herder.put_connector_config(
        "dlq-sink",
        {
            "connector.class": f"{__name__}.CountingSinkConnector",
            "topics": topic_name,
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false",
            "errors.tolerance": "all",
            "errors.log.enable": "true",
            "errors.deadletterqueue.topic.name": dlq,
            "errors.deadletterqueue.topic.replication.factor": "1",
            "errors.deadletterqueue.context.headers.enable": "true",
        },
        allow_replace=False,
    )
    # a second connector whose task fails must not affect the first
    _produce(kafka.bootstrap, topic_name + "-x", [b"explode"])
    await herder.put_connector_config(
        "failing",
        {"connector.class": f"{__name__}.CountingSinkConnector", "topics": topic_name + "-x"},
        allow_replace=False,
    )
    await _until(lambda: COUNTS.get("dlq-sink", 0) >= 2, 60, "2 good records")
    msgs = await asyncio.to_thread(_read_all, kafka.bootstrap, dlq)
    assert len(msgs) == 1
    m = msgs[0]
    assert m.value() == b"{not json"
    headers = dict(m.headers())
    assert headers["src"] == b"test"
    assert headers["__connect.errors.stage"] == b"VALUE_CONVERTER"
    assert headers["__connect.errors.offset"] == b"1"
    assert headers["__connect.errors.topic"] == topic_name.encode()
    assert headers["__connect.errors.class.name"] == b"org.apache.kafka.connect.json.JsonConverter"

    async def failed() -> bool:
        st = (await herder.task_status(ConnectorTaskId("failing", 0))).to_json()
        return st["state"] == "FAILED"

    deadline = time.monotonic() + 60
    while not await failed():
        assert time.monotonic() < deadline
        await asyncio.sleep(0.2)
    st = (await herder.task_status(ConnectorTaskId("failing", 0))).to_json()
    assert "explode record" in st["trace"]
    assert (await herder.task_status(ConnectorTaskId("dlq-sink", 0))).to_json()["state"] == "RUNNING"
    # restart with onlyFailed restarts just the failed task
    plan = await herder.restart_connector(RestartRequest("failing", True, True))
    assert plan is not None
    assert plan.to_json()["tasks"][0]["state"] == "RESTARTING" and plan.to_json()["connector"]["state"] == "RUNNING"


async def test_pause_resume_and_passthrough_throughput(herder, kafka, topic_name):
    n = 200_000
    kafka.create_topic(topic_name, partitions=1)
    await asyncio.to_thread(_produce, kafka.bootstrap, topic_name, [b"x" * 200] * n)
    await herder.put_connector_config(
        "pass",
        {
            "connector.class": f"{__name__}.CountingSinkConnector",
            "topics": topic_name,
            "consumer.override.max.poll.records": "5000",
        },
        allow_replace=False,
    )
    await _until(lambda: COUNTS.get("pass", 0) > 0, 60, "first records")
    start, first = time.monotonic(), COUNTS["pass"]
    await _until(lambda: COUNTS.get("pass", 0) >= n, 120, f"{n} records")
    elapsed = time.monotonic() - start
    rate = (n - first) / elapsed if elapsed > 0 else float("inf")
    print(f"\npass-through sink: {rate:,.0f} records/s ({n - first} records in {elapsed:.2f}s)")

    # raw confluent-kafka loop over the same topic for comparison
    def raw() -> float:
        c = Consumer(
            {
                "bootstrap.servers": kafka.bootstrap,
                "group.id": f"raw-{time.time_ns()}",
                "auto.offset.reset": "earliest",
                "fetch.queue.backoff.ms": 50,
            }
        )
        c.subscribe([topic_name])
        got, t0 = 0, None
        while got < n:
            msgs = c.consume(5000, 5)
            if msgs and t0 is None:
                t0, got = time.monotonic(), len(msgs)
                continue
            for m in msgs:
                m.value()
            got += len(msgs)
        c.close()
        return (n - 5000) / (time.monotonic() - (t0 or time.monotonic()))

    raw_rate = await asyncio.to_thread(raw)
    print(f"raw confluent-kafka consume loop: {raw_rate:,.0f} records/s; runtime/raw = {rate / raw_rate:.0%}")
    assert rate > 20_000

    await herder.pause_connector("pass")
    await asyncio.sleep(1.0)
    st = (await herder.connector_status("pass")).to_json()
    assert st["connector"]["state"] == "PAUSED" and st["tasks"][0]["state"] == "PAUSED"
    await asyncio.to_thread(_produce, kafka.bootstrap, topic_name, [b"y"] * 10)
    await asyncio.sleep(1.5)
    assert COUNTS["pass"] == n
    await herder.resume_connector("pass")
    await _until(lambda: COUNTS["pass"] == n + 10, 30, "records after resume")
    st = (await herder.connector_status("pass")).to_json()
    assert st["connector"]["state"] == "RUNNING"
    group = "connect-pass"
    await herder.stop_connector("pass")
    admin = kafka.admin()
    res = await asyncio.to_thread(
        lambda: admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)])[group].result(30)
    )
    assert [tp.offset for tp in res.topic_partitions] == [n + 10]


class ReportingSinkConnector(CountingSinkConnector):
    def task_class(self) -> type[SinkTask]:
        return ReportingSinkTask


class ReportingSinkTask(SinkTask):
    """Reports records it cannot write through the errant record reporter (KIP-610)."""

    async def start(self, props: dict[str, str]) -> None:
        self.name = props["name"]

    async def put(self, records: list[SinkRecord]) -> None:
        reporter = self.context.errant_record_reporter
        assert reporter is not None
        for r in records:
            if r.value == b"unwritable":
                await reporter.report(r, ValueError("store rejected the record"))
            else:
                COUNTS[self.name] = COUNTS.get(self.name, 0) + 1


async def test_errant_record_reporter_writes_original_record_to_dlq(herder, kafka, topic_name):
    kafka.create_topic(topic_name, partitions=1)
    dlq = topic_name + "-dlq"
    _produce(kafka.bootstrap, topic_name, [b"a", b"unwritable", b"b"])
    await herder.put_connector_config(
        "errant",
        {
            "connector.class": f"{__name__}.ReportingSinkConnector",
            "topics": topic_name,
            "errors.tolerance": "all",
            "errors.deadletterqueue.topic.name": dlq,
            "errors.deadletterqueue.topic.replication.factor": "1",
            "errors.deadletterqueue.context.headers.enable": "true",
        },
        allow_replace=False,
    )
    await _until(lambda: COUNTS.get("errant", 0) >= 2, 60, "2 written records")
    msgs = await asyncio.to_thread(_read_all, kafka.bootstrap, dlq)
    assert [m.value() for m in msgs] == [b"unwritable"]
    headers = dict(msgs[0].headers())
    assert headers["__connect.errors.stage"] == b"TASK_PUT"
    assert headers["__connect.errors.offset"] == b"1"
    assert headers["__connect.errors.exception.message"] == b"store rejected the record"
    await herder.stop_connector("errant")
    offsets = (await herder.connector_offsets("errant")).to_json()
    assert offsets["offsets"][0]["offset"]["kafka_offset"] == 3

"""WorkerSourceTask against the real broker: N records in, N out; offsets committed only for
acknowledged records and resumed after restart; offsets REST operations for sources; sink redelivery
after RetriableException."""

from __future__ import annotations

import asyncio
import time

import orjson
import pytest
from confluent_kafka import Consumer, KafkaError, Producer

from genesis_worker.api import RetriableException, SinkConnector, SinkRecord, SinkTask
from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.herder.standalone import StandaloneHerder
from genesis_worker.model.states import RestartRequest

pytestmark = pytest.mark.integration


def _read_all(bootstrap: str, topic: str) -> list:
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
            out.extend(m for m in msgs if not m.error())
            if any(m.error() and m.error().code() == KafkaError._PARTITION_EOF for m in msgs):
                return out
    finally:
        c.close()


async def _until(pred, wait_s: float, what: str) -> None:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if await pred():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
async def herder(kafka, tmp_path):
    h = StandaloneHerder(
        WorkerConfig(
            {
                "bootstrap.servers": kafka.bootstrap,
                "key.converter": "org.apache.kafka.connect.storage.StringConverter",
                "value.converter": "org.apache.kafka.connect.json.JsonConverter",
                "value.converter.schemas.enable": "false",
                "offset.storage.file.filename": str(tmp_path / "offsets"),
                "offset.flush.interval.ms": "300",
                "listeners": "http://127.0.0.1:18096",
                "consumer.session.timeout.ms": "6000",
            }
        )
    )
    await h.start()
    yield h
    await h.stop()


async def test_demo_source_n_in_n_out_and_resume(herder, kafka, topic_name):
    kafka.create_topic(topic_name, partitions=1)
    cfg = {
        "connector.class": "genesis.connectors.demo.AdLogDemoSourceConnector",
        "topic": topic_name,
        "events.per.second": "2000",
        "max.events": "500",
    }
    await herder.put_connector_config("demo", cfg, allow_replace=False)

    async def committed(n: int) -> bool:
        offs = (await herder.connector_offsets("demo")).to_json()["offsets"]
        return bool(offs) and offs[0]["offset"]["seq"] == n

    await _until(lambda: committed(500), 60, "seq 500 committed")
    assert (await herder.connector_offsets("demo")).to_json()["offsets"][0]["partition"] == {"generator": "adlog-demo"}
    # restart: the task resumes from the committed offset and has nothing more to send
    assert await herder.restart_connector(RestartRequest("demo", include_tasks=True)) is not None
    await herder.put_connector_config("demo", {**cfg, "max.events": "800"}, allow_replace=True)
    await _until(lambda: committed(800), 60, "seq 800 committed")
    msgs = await asyncio.to_thread(_read_all, kafka.bootstrap, topic_name)
    ids = [orjson.loads(m.value())["event_id"] for m in msgs]
    assert sorted(ids, key=lambda x: int(x.rsplit("-", 1)[1])) == [f"ev-42-{i}" for i in range(800)]
    assert len(ids) == len(set(ids)) == 800
    assert msgs[0].key().decode().startswith("u")
    assert await herder.active_topics("demo") == [topic_name]

    # offsets API: only when STOPPED; alter then reset
    with pytest.raises(Exception, match="STOPPED state"):
        await herder.reset_connector_offsets("demo")
    await herder.stop_connector("demo")
    st = (await herder.connector_status("demo")).to_json()
    assert st["connector"]["state"] == "STOPPED" and st["tasks"] == []
    msg = await herder.alter_connector_offsets(
        "demo", [{"partition": {"generator": "adlog-demo"}, "offset": {"seq": 10}}]
    )
    assert msg.message.startswith("The Connect framework-managed offsets for this connector have been altered")
    assert (await herder.connector_offsets("demo")).to_json()["offsets"] == [
        {"partition": {"generator": "adlog-demo"}, "offset": {"seq": 10}}
    ]
    await herder.reset_connector_offsets("demo")
    assert (await herder.connector_offsets("demo")).to_json()["offsets"] == []


DELIVERED: list[bytes] = []


class FlakySinkConnector(SinkConnector):
    def task_class(self) -> type[SinkTask]:
        return FlakySinkTask

    async def start(self, props: dict[str, str]) -> None:
        self.props = props

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        return [dict(self.props)]


class FlakySinkTask(SinkTask):
    async def start(self, props: dict[str, str]) -> None:
        self.failures = 2
        self.context.timeout(200)

    async def put(self, records: list[SinkRecord]) -> None:
        if records and self.failures:
            self.failures -= 1
            raise RetriableException("store busy")
        DELIVERED.extend(r.value for r in records)


async def test_sink_redelivers_same_batch_after_retriable(herder, kafka, topic_name):
    kafka.create_topic(topic_name, partitions=2)
    p = Producer({"bootstrap.servers": kafka.bootstrap})
    for i in range(1000):
        p.produce(topic_name, str(i).encode(), str(i).encode())
    p.flush(30)
    await herder.put_connector_config(
        "flaky",
        {
            "connector.class": f"{__name__}.FlakySinkConnector",
            "topics": topic_name,
            "value.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
        },
        allow_replace=False,
    )

    async def all_delivered() -> bool:
        return len(DELIVERED) >= 1000

    await _until(all_delivered, 60, "1000 records")
    assert sorted(int(v) for v in DELIVERED) == list(range(1000))
    await herder.stop_connector("flaky")
    offs = (await herder.connector_offsets("flaky")).to_json()["offsets"]
    assert sum(o["offset"]["kafka_offset"] for o in offs) == 1000


REWOUND: list[int] = []


class RewindSinkConnector(FlakySinkConnector):
    def task_class(self) -> type[SinkTask]:
        return RewindSinkTask


class RewindSinkTask(SinkTask):
    """Asks, once, to re-read partition 0 from offset 0 (SinkTaskContext.offset) and pauses partition 1."""

    async def start(self, props: dict[str, str]) -> None:
        self.rewound = False

    async def put(self, records: list[SinkRecord]) -> None:
        REWOUND.extend(r.kafka_offset for r in records if r.kafka_partition == 0)
        if not self.rewound and any(r.kafka_partition == 0 for r in records):
            self.rewound = True
            tp = next(r for r in records if r.kafka_partition == 0).original_topic_partition
            self.context.offset({tp: 0})
            paused = [p for p in self.context.assignment() if p.partition == 1]
            self.context.pause(*paused)


async def test_sink_context_rewind_and_pause(herder, kafka, topic_name):
    kafka.create_topic(topic_name, partitions=2)
    p = Producer({"bootstrap.servers": kafka.bootstrap})
    for i in range(100):
        p.produce(topic_name, b"v", partition=i % 2)
    p.flush(30)
    await herder.put_connector_config(
        "rewind",
        {
            "connector.class": f"{__name__}.RewindSinkConnector",
            "topics": topic_name,
            "value.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
        },
        allow_replace=False,
    )

    async def replayed() -> bool:
        return REWOUND.count(0) >= 2 and len(set(REWOUND)) == 50

    await _until(replayed, 60, "partition 0 replayed from offset 0")
    assert (await herder.connector_status("rewind")).to_json()["tasks"][0]["state"] == "RUNNING"
    await herder.stop_connector("rewind")
    offs = {
        o["partition"]["kafka_partition"]: o["offset"]["kafka_offset"]
        for o in (await herder.connector_offsets("rewind")).to_json()["offsets"]
    }
    assert offs[0] == 50


async def test_source_creates_missing_topic_with_group_settings(herder, kafka, topic_name):
    await herder.put_connector_config(
        "creator",
        {
            "connector.class": "genesis.connectors.demo.AdLogDemoSourceConnector",
            "topic": topic_name,
            "max.events": "10",
            "topic.creation.groups": "events",
            "topic.creation.default.replication.factor": "1",
            "topic.creation.default.partitions": "1",
            "topic.creation.events.include": "t-.*",
            "topic.creation.events.partitions": "3",
            "topic.creation.events.cleanup.policy": "compact",
        },
        allow_replace=False,
    )

    async def created() -> bool:
        md = await asyncio.to_thread(kafka.admin().list_topics, None, 10)  # no topic arg: no auto-create
        t = md.topics.get(topic_name)
        return t is not None and t.error is None and len(t.partitions) == 3

    await _until(created, 60, "topic created with 3 partitions")
    from confluent_kafka.admin import ConfigResource

    res = ConfigResource(ConfigResource.Type.TOPIC, topic_name)
    admin = kafka.admin()
    cfg = await asyncio.to_thread(lambda: admin.describe_configs([res])[res].result(30))
    assert cfg["cleanup.policy"].value == "compact"

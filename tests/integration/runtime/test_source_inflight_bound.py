"""A source task's in-flight records are bounded whatever the offset flush interval (issue 14 item 7).

A source that always has records and a 60 s flush interval: before the bound, every record sent stayed in
memory (its offset map) until the next flush, so memory grew with the interval (139 -> 355 MB under a
1M-line burst). With ``genesis.source.max.inflight.records`` / ``.bytes`` the task stops polling at the
bound, commits acknowledged offsets early, and every record still arrives once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from confluent_kafka import Consumer, KafkaError

from genesis_worker.api import SourceConnector, SourceRecord, SourceTask
from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.herder.standalone import StandaloneHerder
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.runtime.source_task import WorkerSourceTask
from tests.fixtures.kafka import BrokerBase
from tests.fixtures.net import free_ports

pytestmark = pytest.mark.integration

N = 200_000
BATCH = 5_000
MAX_RECORDS = 4_000
MAX_BYTES = 1_500_000
PAYLOAD = b"x" * 100


class BurstSourceConnector(SourceConnector):
    def task_class(self) -> type[SourceTask]:
        return BurstSourceTask

    async def start(self, props: dict[str, str]) -> None:
        self.props = props

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        return [dict(self.props)]


class BurstSourceTask(SourceTask):
    """``N`` records as fast as ``poll`` is called, then nothing (like a large ready file)."""

    async def start(self, props: dict[str, str]) -> None:
        self.topic = props["topic"]
        self.next = 0

    async def poll(self) -> list[SourceRecord] | None:
        if self.next >= N:
            await asyncio.sleep(0.05)
            return None
        start, self.next = self.next, min(self.next + BATCH, N)
        part = {"file": "burst"}
        return [
            SourceRecord(part, {"line": i}, self.topic, None, None, b"%d" % i, None, PAYLOAD)
            for i in range(start, self.next)
        ]


@pytest.fixture
async def herder(kafka: BrokerBase, tmp_path: Path) -> AsyncIterator[StandaloneHerder]:
    (port,) = free_ports(1)
    h = StandaloneHerder(
        WorkerConfig(
            {
                "bootstrap.servers": kafka.bootstrap,
                "key.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
                "value.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
                "offset.storage.file.filename": str(tmp_path / "offsets"),
                "offset.flush.interval.ms": "60000",
                "listeners": f"http://127.0.0.1:{port}",
            }
        )
    )
    await h.start()
    yield h
    await h.stop()


def _keys(bootstrap: str, topic: str) -> list[bytes]:
    c = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"r-{time.time_ns()}",
            "auto.offset.reset": "earliest",
            "enable.partition.eof": True,
        }
    )
    c.subscribe([topic])
    out: list[bytes] = []
    try:
        while True:
            msgs = c.consume(10_000, 15)
            assert msgs, "reader got nothing"
            out.extend(m.key() for m in msgs if not m.error())
            if any(m.error() and m.error().code() == KafkaError._PARTITION_EOF for m in msgs):
                return out
    finally:
        c.close()


async def test_source_stops_polling_at_the_inflight_bound_and_loses_nothing(
    herder: StandaloneHerder, kafka: BrokerBase, topic_name: str
) -> None:
    kafka.create_topic(topic_name, partitions=1)
    started = time.monotonic()
    await herder.put_connector_config(
        "burst",
        {
            "connector.class": f"{__name__}.BurstSourceConnector",
            "topic": topic_name,
            "genesis.source.max.inflight.records": str(MAX_RECORDS),
            "genesis.source.max.inflight.bytes": str(MAX_BYTES),
        },
        allow_replace=False,
    )
    runner = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        runner = herder.worker.task_runner(ConnectorTaskId("burst", 0))
        if isinstance(runner, WorkerSourceTask) and runner.metrics.records_written >= N:
            break
        await asyncio.sleep(0.2)
    assert isinstance(runner, WorkerSourceTask)
    took = time.monotonic() - started
    assert runner.metrics.records_written == N, f"{runner.metrics.records_written} of {N} written in {took:.0f}s"
    sub = runner.submitted
    print(
        f"{N} records in {took:.1f}s; peak in flight {sub.peak_count} records / {sub.peak_bytes} bytes "
        f"(bounds {MAX_RECORDS} / {MAX_BYTES}); {runner.early_commits} early offset commits"
    )
    assert sub.peak_count <= MAX_RECORDS
    assert sub.peak_bytes <= MAX_BYTES
    # held records are let go by early commits, not by the 60 s flush
    assert runner.early_commits >= N // MAX_RECORDS - 1
    assert took < 60
    offsets = (await herder.connector_offsets("burst")).to_json()["offsets"]
    assert offsets and offsets[0]["offset"]["line"] >= N - MAX_RECORDS

    keys = await asyncio.to_thread(_keys, kafka.bootstrap, topic_name)
    assert len(keys) == N
    assert sorted(int(k) for k in keys) == list(range(N))

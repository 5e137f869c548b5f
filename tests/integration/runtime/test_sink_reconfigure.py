"""A sink reconfigured right after it was created keeps delivering (issue 14 item 6), on Apache Kafka and on
tansu (the quickstart's broker).

The first task's consumer is still joining its group when the update stops it; the replacement task must
not wait for the old member's session to expire (45 s by default) before it gets the partitions.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from confluent_kafka import Producer

from genesis_worker.api import SinkConnector, SinkRecord, SinkTask
from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.herder.standalone import StandaloneHerder
from tests.fixtures.kafka import BrokerBase, TansuBroker
from tests.fixtures.net import free_ports

pytestmark = pytest.mark.integration

RECEIVED: dict[str, list[bytes]] = {}


class CollectingSinkConnector(SinkConnector):
    def task_class(self) -> type[SinkTask]:
        return CollectingSinkTask

    async def start(self, props: dict[str, str]) -> None:
        self.props = props

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        return [dict(self.props) for _ in range(max_tasks)]


class CollectingSinkTask(SinkTask):
    async def start(self, props: dict[str, str]) -> None:
        self.key = props["collect.key"]

    async def put(self, records: list[SinkRecord]) -> None:
        RECEIVED.setdefault(self.key, []).extend(r.value for r in records)


@pytest.fixture(params=["kafka", "tansu"])
def broker(request: pytest.FixtureRequest) -> Iterator[BrokerBase]:
    """The session's Kafka, or a tansu started for this test (whatever ``--broker`` says)."""
    if request.param == "kafka":
        yield request.getfixturevalue("kafka")
        return
    tansu = TansuBroker()
    try:
        tansu.start()
        yield tansu
    finally:
        tansu.close()


@pytest.fixture
async def herder(broker: BrokerBase, tmp_path: Any) -> AsyncIterator[StandaloneHerder]:
    (port,) = free_ports(1)
    # as the quickstart runs it: tansu holds a group's first JoinGroup for half the session timeout, so the
    # quickstart sets the sink consumers' session timeout to 10 s (a first assignment after 5 s instead of
    # 22.5 s); the graceful stop timeout is left at its default (5 s)
    h = StandaloneHerder(
        WorkerConfig(
            {
                "bootstrap.servers": broker.bootstrap,
                "key.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
                "value.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
                "offset.storage.file.filename": str(tmp_path / "offsets"),
                "offset.flush.interval.ms": "1000",
                "listeners": f"http://127.0.0.1:{port}",
                "consumer.session.timeout.ms": "10000",
            }
        )
    )
    await h.start()
    yield h
    await h.stop()


def _produce(bootstrap: str, topic: str, values: list[bytes]) -> None:
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    for v in values:
        p.produce(topic, v)
    assert p.flush(30) == 0


async def test_sink_updated_one_second_after_creation_delivers_at_once(
    herder: StandaloneHerder, broker: BrokerBase, topic_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    broker.create_topic(topic_name, partitions=2)
    await asyncio.to_thread(_produce, broker.bootstrap, topic_name, [b"before-%d" % i for i in range(50)])
    key = f"{broker.name}-{topic_name}"
    cfg = {
        "connector.class": f"{__name__}.CollectingSinkConnector",
        "topics": topic_name,
        "tasks.max": "1",
        "collect.key": key,
    }
    await herder.put_connector_config("reconf", cfg, allow_replace=False)
    await asyncio.sleep(1.0)
    updated_at = time.monotonic()
    await herder.put_connector_config(
        "reconf", {**cfg, "consumer.override.max.poll.records": "100"}, allow_replace=True
    )
    await asyncio.to_thread(_produce, broker.bootstrap, topic_name, [b"after-%d" % i for i in range(50)])

    deadline = updated_at + 15
    while time.monotonic() < deadline:
        if {b"after-%d" % i for i in range(50)} <= set(RECEIVED.get(key, [])):
            break
        await asyncio.sleep(0.2)
    got = set(RECEIVED.get(key, []))
    took = time.monotonic() - updated_at
    assert {b"after-%d" % i for i in range(50)} <= got, (
        f"{broker.name}: {len(got)} distinct records delivered {took:.1f}s after the update"
    )
    assert {b"before-%d" % i for i in range(50)} <= got
    assert "Graceful stop of task" not in caplog.text  # the old task's stop did not wait for its group
    print(f"{broker.name}: every record delivered {took:.1f}s after the update")

"""Kafka-topic stores against a real broker: write, re-read in a fresh instance, same snapshot."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from confluent_kafka import Producer

from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.session_key import SessionKey
from genesis_worker.model.states import RestartRequest, State, TargetState
from genesis_worker.model.status import ConnectorStatus, TaskStatus, TopicStatus
from genesis_worker.storage.kafka_config_store import (
    KafkaConfigStore,
    commit_record,
    connector_config_record,
    task_config_record,
)
from genesis_worker.storage.kafka_log import KafkaBasedLog, TopicConfigError, TopicSpec
from genesis_worker.storage.kafka_offset_store import KafkaOffsetStore
from genesis_worker.storage.kafka_status_store import KafkaStatusStore

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

T = ConnectorTaskId


def name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def test_config_store_roundtrip(kafka: Any) -> None:
    topic = name("configs")
    cfg = {"bootstrap.servers": kafka.bootstrap}
    store = KafkaConfigStore(topic, cfg, replication_factor=1)
    await store.start()
    assert store.snapshot().offset == -1
    await store.put_connector_config("c-1", {"connector.class": "X", "name": "c-1"}, TargetState.PAUSED)
    await store.put_task_configs("c-1", [{"task.class": "T", "n": "0"}, {"task.class": "T", "n": "1"}])
    await store.put_session_key(SessionKey(b"\x01" * 32, "HmacSHA256", 1730000000000))
    await store.put_restart_request(RestartRequest("c-1", include_tasks=True))
    await store.put_connector_config("gone", {"name": "gone"})
    await store.remove_connector_config("gone")
    snap = store.snapshot()
    assert snap.offset == 10  # target, connector, 2 tasks, commit, session key, restart, gone + 2 deletions
    assert snap.tasks("c-1") == [T("c-1", 0), T("c-1", 1)]
    assert snap.target_state("c-1") is TargetState.PAUSED
    await store.stop()

    # a second writer leaves an incomplete task set: ignored until a complete commit
    p = Producer({"bootstrap.servers": kafka.bootstrap})
    for k, v in (
        task_config_record(T("c-1", 0), {"task.class": "T", "n": "new"}),
        commit_record("c-1", 3),
        connector_config_record("other", {"name": "other"}),
    ):
        p.produce(topic, key=k, value=v)
    p.flush(10)

    again = KafkaConfigStore(topic, cfg, replication_factor=1)
    await again.start()
    snap2 = again.snapshot()
    assert snap2.offset == 13
    assert snap2.connector_configs == {"c-1": {"connector.class": "X", "name": "c-1"}, "other": {"name": "other"}}
    assert snap2.session_key == SessionKey(b"\x01" * 32, "HmacSHA256", 1730000000000)
    assert snap2.task_count("c-1") == 3 and snap2.tasks("c-1") == [] and "c-1" in snap2.inconsistent
    assert snap2.target_state("c-1") is TargetState.PAUSED
    await again.put_task_configs("c-1", [{"task.class": "T", "n": "0"}])
    assert again.snapshot().tasks("c-1") == [T("c-1", 0)]
    await again.stop()


async def test_config_topic_must_have_one_partition(kafka: Any) -> None:
    topic = kafka.create_topic(name("configs"), partitions=2, config={"cleanup.policy": "compact"})
    store = KafkaConfigStore(topic, {"bootstrap.servers": kafka.bootstrap}, replication_factor=1)
    with pytest.raises(TopicConfigError):
        await store.start()


async def test_existing_topic_must_be_compacted(kafka: Any) -> None:
    topic = kafka.create_topic(name("status"), partitions=1, config={"cleanup.policy": "delete"})
    log = KafkaBasedLog(topic, {"bootstrap.servers": kafka.bootstrap}, lambda r: None, spec=TopicSpec())
    with pytest.raises(TopicConfigError):
        await log.start()


async def test_offset_store_roundtrip(kafka: Any) -> None:
    topic = name("offsets")
    cfg = {"bootstrap.servers": kafka.bootstrap}
    store = KafkaOffsetStore(topic, cfg, partitions=5, replication_factor=1)
    await store.start()
    # a record written by "Java" with a non-HashMap member order
    java_key = b'["src",{"kafka_topic":"t","kafka_partition":1}]'
    await store.set({java_key: b'{"offset":5}'})
    await store.set_offsets("src", [({"kafka_partition": 1, "kafka_topic": "t"}, {"offset": 6})])
    await store.set_offsets("src", [({"file": "/a"}, {"position": 10}), ({"file": "/b"}, {"position": 3})])
    await store.set_offsets("src", [({"file": "/b"}, None)])
    assert await store.get_offset("src", {"kafka_topic": "t", "kafka_partition": 1}) == {"offset": 6}
    await store.stop()

    again = KafkaOffsetStore(topic, cfg, partitions=5, replication_factor=1)
    await again.start()
    assert await again.get([java_key]) == {java_key: b'{"offset":6}'}
    assert await again.get_offset("src", {"file": "/a"}) == {"position": 10}
    assert await again.get_offset("src", {"file": "/b"}) is None
    keys = await again.connector_partitions("src")
    assert sorted(keys) == sorted([java_key, b'["src",{"file":"/a"}]'])
    await again.reset("src")
    assert await again.connector_partitions("src") == []
    await again.stop()


async def test_status_store_roundtrip(kafka: Any) -> None:
    topic = name("status")
    cfg = {"bootstrap.servers": kafka.bootstrap}
    store = KafkaStatusStore(topic, cfg, partitions=3, replication_factor=1)
    await store.start()
    await store.put(ConnectorStatus("c", State.RUNNING, "h:8083", 3))
    await store.put(TaskStatus(T("c", 0), State.FAILED, "h:8083", 3, "trace\n\tat x"))
    await store.put(TaskStatus(T("c", 1), State.RUNNING, "h2:8083", 4))
    # a stale worker's safe write is skipped
    await store.read_to_end()
    await store.put_safe(TaskStatus(T("c", 1), State.UNASSIGNED, "h:8083", 3))
    await store.put_topic(TopicStatus("t1", "c", 0, 1730000000000))
    await store.stop()

    again = KafkaStatusStore(topic, cfg, partitions=3, replication_factor=1)
    await again.start()
    assert again.get("c") == ConnectorStatus("c", State.RUNNING, "h:8083", 3)
    assert [s.state for s in again.get_all("c")] == [State.FAILED, State.RUNNING]
    assert again.get_task(T("c", 0)).trace == "trace\n\tat x"  # type: ignore[union-attr]
    assert again.get_topic("c", "t1") == TopicStatus("t1", "c", 0, 1730000000000)
    await again.delete_connector("c")
    await again.delete_topic("c", "t1")
    await again.read_to_end()
    assert again.get("c") is None and again.get_all("c") == [] and again.get_all_topics("c") == []
    await again.stop()


async def test_read_through_applies_the_acknowledged_writes_and_what_came_before(kafka: Any) -> None:
    topic = f"log-{uuid.uuid4().hex[:8]}"
    seen: list[bytes | None] = []
    log = KafkaBasedLog(topic, {"bootstrap.servers": kafka.bootstrap}, lambda r: seen.append(r.value), spec=TopicSpec())
    await log.start()
    other = KafkaBasedLog(topic, {"bootstrap.servers": kafka.bootstrap}, lambda r: None, spec=TopicSpec())
    await other.start()
    try:
        await other.send(b"k", b"from-another-writer")
        written = await asyncio.gather(*(log.send_nowait(b"k", f"v{i}".encode()) for i in range(5)))
        await log.read_through(list(written))
        assert seen == [b"from-another-writer", b"v0", b"v1", b"v2", b"v3", b"v4"]
        assert log.positions == {0: written[-1].offset + 1}
        await other.send(b"k", b"late")  # another writer's record: ListOffsets alone finds it on Kafka
        await log.read_to_end(confirm_end=False)
        assert seen[-1] == b"late"
    finally:
        await other.stop()
        await log.stop()


async def test_a_log_whose_beginning_was_deleted_reads_from_its_start_and_logs_share_one_offsets_client(
    kafka: Any,
) -> None:
    """Logs are read from offset 0 (no logical-offset lookup at start); a topic whose first records were
    deleted is read from its log start instead. The end-offset client is shared by the logs of a worker."""
    from confluent_kafka import TopicPartition as KTopicPartition

    topic = kafka.create_topic(name("log-trimmed"), 1, {"cleanup.policy": "delete"})  # DeleteRecords needs it
    p = Producer({"bootstrap.servers": kafka.bootstrap})
    for i in range(3):
        p.produce(topic, key=f"k{i}".encode(), value=f"v{i}".encode())
    assert p.flush(30) == 0
    admin = kafka.admin()  # held: the futures fail when their client is gone
    for fut in admin.delete_records([KTopicPartition(topic, 0, 2)]).values():
        fut.result(30)
    seen: list[bytes | None] = []
    spec = TopicSpec(cleanup_policy="delete")
    log = KafkaBasedLog(topic, {"bootstrap.servers": kafka.bootstrap}, lambda r: seen.append(r.value), spec=spec)
    other = KafkaBasedLog(topic, {"bootstrap.servers": kafka.bootstrap}, lambda r: None, spec=spec)
    await asyncio.wait_for(asyncio.gather(log.start(), other.start()), 60)
    try:
        assert seen == [b"v2"]
        assert log._offsets_client is other._offsets_client
    finally:
        await log.stop()
        await other.stop()

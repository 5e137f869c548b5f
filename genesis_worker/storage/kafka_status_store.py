"""The status topic (Java ``KafkaStatusBackingStore``), internal-topics spec §6.

Usage::

    store = KafkaStatusStore("connect-status", {"bootstrap.servers": b}, partitions=5)
    await store.start()
    await store.put(ConnectorStatus("c", State.RUNNING, "10.0.0.1:8083", 7))
    store.get("c")
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import State
from genesis_worker.model.status import ConnectorStatus, TaskStatus, TopicStatus
from genesis_worker.storage.base import StatusBackingStore
from genesis_worker.storage.kafka_log import KafkaBasedLog, LogRecord, TopicSpec
from genesis_worker.storage.kafka_serde import java_json, loads

log = logging.getLogger(__name__)

CONNECTOR_PREFIX = "status-connector-"
TASK_PREFIX = "status-task-"
TOPIC_PREFIX = "status-topic-"


def status_key(status: ConnectorStatus | TaskStatus) -> bytes:
    if isinstance(status, ConnectorStatus):
        return f"{CONNECTOR_PREFIX}{status.connector}".encode()
    return f"{TASK_PREFIX}{status.id.connector}-{status.id.task}".encode()


def status_value(status: ConnectorStatus | TaskStatus) -> bytes | None:
    if status.state is State.DESTROYED:
        return None
    return java_json(
        {
            "state": status.state.value,
            "trace": status.trace,
            "worker_id": status.worker_id,
            "generation": status.generation,
            "version": status.version,  # Connect 4.4's STATUS_SCHEMA_V0 field, null when unknown
        }
    )


def topic_status_key(connector: str, topic: str) -> bytes:
    return f"{TOPIC_PREFIX}{topic}:connector-{connector}".encode()


def topic_status_value(status: TopicStatus) -> bytes:
    return java_json(
        {
            "topic": {
                "name": status.topic,
                "connector": status.connector,
                "task": status.task,
                "discoverTimestamp": status.discover_timestamp,
            }
        }
    )


def _parse_status(value: bytes) -> tuple[State, str | None, str, int, str | None] | None:
    try:
        d = loads(value)
        state = State(d["state"])
        trace, version = d.get("trace"), d.get("version")  # no version: written by Connect 3.x
        return (
            state,
            trace if isinstance(trace, str) else None,
            str(d["worker_id"]),
            int(d["generation"]),
            version if isinstance(version, str) else None,
        )
    except Exception:
        log.error("failed to parse status value %r", value[:200])
        return None


class StatusCache:
    """In-memory view of the status topic (pure, spec §6.3)."""

    def __init__(self) -> None:
        self.connectors: dict[str, ConnectorStatus] = {}
        self.tasks: dict[str, dict[int, TaskStatus]] = {}
        self.topics: dict[str, dict[str, TopicStatus]] = {}

    def apply(self, key_bytes: bytes | None, value: bytes | None) -> None:
        if key_bytes is None:
            return
        key = key_bytes.decode("utf-8", "replace")
        if key.startswith(CONNECTOR_PREFIX):
            name = key[len(CONNECTOR_PREFIX) :]
            if value is None:
                self.connectors.pop(name, None)
                return
            parsed = _parse_status(value)
            if parsed is not None:
                state, trace, worker, gen, version = parsed
                self.connectors[name] = ConnectorStatus(name, state, worker, gen, trace, version)
        elif key.startswith(TASK_PREFIX):
            name, sep, num = key[len(TASK_PREFIX) :].rpartition("-")
            try:
                task = ConnectorTaskId(name, int(num))
            except ValueError:
                log.warning("invalid task status key %s", key)
                return
            if not sep:
                return
            if value is None:
                self.tasks.get(name, {}).pop(task.task, None)
                return
            parsed = _parse_status(value)
            if parsed is None:
                return
            state, trace, worker, gen, version = parsed
            new = TaskStatus(task, state, worker, gen, trace, version)
            cur = self.tasks.get(name, {}).get(task.task)
            if (
                new.state is State.UNASSIGNED
                and cur is not None
                and cur.state is State.RUNNING
                and cur.generation >= new.generation
            ):
                log.debug("ignoring stale UNASSIGNED status for %s", task)
                return
            self.tasks.setdefault(name, {})[task.task] = new
        elif key.startswith(TOPIC_PREFIX):
            rest = key[len(TOPIC_PREFIX) :]
            topic, sep, tail = rest.partition(":")
            if not sep or not tail.startswith("connector-"):
                log.warning("invalid topic status key %s", key)
                return
            connector = tail[len("connector-") :]
            if value is None:
                self.topics.get(connector, {}).pop(topic, None)
                return
            try:
                d = loads(value)["topic"]
                ts = TopicStatus(str(d["name"]), str(d["connector"]), int(d["task"]), int(d["discoverTimestamp"]))
            except Exception:
                log.error("failed to parse topic status %s", key)
                return
            self.topics.setdefault(connector, {})[topic] = ts
        else:
            log.warning("discarding status record with unknown key %s", key)


class KafkaStatusStore(StatusBackingStore):
    def __init__(
        self,
        topic: str,
        client_config: Mapping[str, Any],
        *,
        partitions: int = 5,
        replication_factor: int = 3,
        topic_config: Mapping[str, str] | None = None,
        client_id: str | None = None,
    ) -> None:
        self.cache = StatusCache()
        self._log = KafkaBasedLog(
            topic,
            client_config,
            self._on_record,
            spec=TopicSpec(
                partitions=partitions,
                replication_factor=replication_factor,
                config=topic_config,
                config_key="status.storage.topic",
                purpose="connector and task statuses",
            ),
            producer_config={"retries": 0},
            client_id=client_id,
        )

    def _on_record(self, rec: LogRecord) -> None:
        self.cache.apply(rec.key, rec.value)

    async def start(self) -> None:
        await self._log.start()

    async def stop(self) -> None:
        await self.flush()
        await self._log.stop()

    async def read_to_end(self) -> None:
        await self._log.read_to_end()

    async def _send(self, key: bytes, value: bytes | None) -> None:
        for attempt in range(5):
            try:
                await self._log.send(key, value)
                return
            except Exception as exc:
                log.warning("status write %s failed (attempt %s): %s", key, attempt + 1, exc)
                await asyncio.sleep(0.1 * (attempt + 1))
        raise RuntimeError(f"could not write status {key!r}")

    async def put(self, status: ConnectorStatus | TaskStatus) -> None:
        await self._send(status_key(status), status_value(status))

    async def put_safe(self, status: ConnectorStatus | TaskStatus) -> None:
        cur: ConnectorStatus | TaskStatus | None
        cur = self.get(status.connector) if isinstance(status, ConnectorStatus) else self.get_task(status.id)
        if cur is not None and cur.worker_id != status.worker_id and cur.generation > status.generation:
            log.debug("skipping status write %s: newer status from %s", status, cur.worker_id)
            return
        await self.put(status)

    async def put_topic(self, status: TopicStatus) -> None:
        await self._send(topic_status_key(status.connector, status.topic), topic_status_value(status))

    async def delete_topic(self, connector: str, topic: str) -> None:
        await self._send(topic_status_key(connector, topic), None)

    async def delete_connector(self, connector: str, tasks: list[int] | None = None) -> None:
        """Leader clean-up of a removed connector: task tombstones first, then the connector's."""
        ids = tasks if tasks is not None else list(self.cache.tasks.get(connector, {}))
        for t in ids:
            await self._send(f"{TASK_PREFIX}{connector}-{t}".encode(), None)
        await self._send(f"{CONNECTOR_PREFIX}{connector}".encode(), None)

    def get(self, connector: str) -> ConnectorStatus | None:
        return self.cache.connectors.get(connector)

    def get_task(self, task: ConnectorTaskId) -> TaskStatus | None:
        return self.cache.tasks.get(task.connector, {}).get(task.task)

    def get_all(self, connector: str) -> list[TaskStatus]:
        return [s for _, s in sorted(self.cache.tasks.get(connector, {}).items())]

    def connectors(self) -> set[str]:
        return set(self.cache.connectors) | {c for c, t in self.cache.tasks.items() if t}

    def get_topic(self, connector: str, topic: str) -> TopicStatus | None:
        return self.cache.topics.get(connector, {}).get(topic)

    def get_all_topics(self, connector: str) -> list[TopicStatus]:
        return list(self.cache.topics.get(connector, {}).values())

    async def flush(self) -> None:
        await self._log.flush()

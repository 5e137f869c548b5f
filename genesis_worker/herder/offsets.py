"""KIP-875 connector offsets for both herders (Java ``AbstractHerder``/``Worker`` offset operations):
read, alter and reset a connector's offsets. A sink's offsets are its consumer group's; a source's are
in the worker's offset store, or in its own offsets topic with the worker's as fallback (``offsets.storage.topic``,
see ``runtime/source_offset_stores``). The herders check first that the connector is STOPPED::

    offsets = ConnectorOffsetsAdmin(worker, plugins, offset_store)
    await offsets.read("c", config)                                  # ConnectorOffsets
    await offsets.alter("c", config, [{"partition": {...}, "offset": {...}}])
    await offsets.reset("c", config)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

import orjson
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

from genesis_worker.api.errors import ConnectException
from genesis_worker.api.task import partition_key
from genesis_worker.herder.common import (
    alter_sink_group_offsets,
    connector_type,
    read_connector_offsets,
    until_group_empty,
)
from genesis_worker.herder.errors import BadRequestException
from genesis_worker.model.entities import ConnectorOffsets, JsonObj, Message
from genesis_worker.plugins.registry import PluginRegistry
from genesis_worker.runtime.source_offsets import OffsetKeys
from genesis_worker.runtime.worker import Worker
from genesis_worker.storage.base import OffsetBackingStore
from genesis_worker.storage.offset_keys import offset_value, validate_offset_map

ALTERED = "The offsets for this connector have been altered successfully"
ALTERED_FRAMEWORK = (
    "The Connect framework-managed offsets for this connector have been altered successfully. However, if this "
    "connector manages offsets externally, they will need to be manually altered in the system that the "
    "connector uses."
)
RESET = "The offsets for this connector have been reset successfully"
RESET_FRAMEWORK = (
    "The Connect framework-managed offsets for this connector have been reset successfully. However, if this "
    "connector manages offsets externally, they will need to be manually reset in the system that the "
    "connector uses."
)
NOT_STOPPED = (
    "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the "
    "specified connector by issuing a 'PUT' request to the '/connectors/{c}/stop' endpoint"
)


def sink_group_id(name: str, cfg: Mapping[str, Any]) -> str:
    """A sink connector's consumer group: ``consumer.override.group.id``, else ``connect-<name>``."""
    return str(cfg.get("consumer.override.group.id") or f"connect-{name}")


def not_stopped(name: str) -> BadRequestException:
    """The 400 answered when a connector's offsets are modified while it is not STOPPED."""
    return BadRequestException(NOT_STOPPED.replace("{c}", name))


def require_offsets(offsets: list[JsonObj]) -> None:
    if not offsets:
        raise BadRequestException("Partitions / offsets need to be provided for an alter offsets request")


def _clean(props: Mapping[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in props.items() if v is not None}


class ConnectorOffsetsAdmin:
    """Reads and modifies connector offsets (see the module doc)."""

    def __init__(self, worker: Worker, plugins: PluginRegistry, offset_store: OffsetBackingStore) -> None:
        self._worker = worker
        self._plugins = plugins
        self._offset_store = offset_store

    def _is_sink(self, cfg: Mapping[str, Any]) -> bool:
        return connector_type(self._plugins, cfg) == "sink"

    @staticmethod
    def _group(name: str, cfg: Mapping[str, Any]) -> str:
        return sink_group_id(name, cfg)

    def _admin_config(self, name: str, cfg: Mapping[str, Any]) -> dict[str, Any]:
        return self._worker.admin_config(f"connector-adminclient-{name}", _clean(cfg))

    def _admin(self, name: str, cfg: Mapping[str, Any]) -> AdminClient:
        return AdminClient(self._admin_config(name, cfg))

    @contextlib.asynccontextmanager
    async def _source_store(
        self, name: str, cfg: Mapping[str, Any], *, writable: bool
    ) -> AsyncIterator[OffsetBackingStore]:
        """The connector's offset store as its tasks see it (its own offsets topic, the worker's, or both), started."""
        store = self._worker.source_offset_store(name, _clean(cfg), writable=writable)
        await store.start()
        try:
            yield store
        finally:
            await store.stop()

    async def read(self, name: str, cfg: Mapping[str, Any]) -> ConnectorOffsets:
        if self._is_sink(cfg):
            return await read_connector_offsets(
                name,
                sink_group=self._group(name, cfg),
                admin=lambda: self._admin(name, cfg),
                offset_store=self._offset_store,
            )
        try:
            async with self._source_store(name, cfg, writable=False) as store:
                return await read_connector_offsets(name, sink_group=None, admin=lambda: None, offset_store=store)
        except ConnectException:
            raise
        except Exception as e:
            raise ConnectException(f"Failed to retrieve offsets for source connector {name}") from e

    async def alter(self, name: str, cfg: Mapping[str, Any], offsets: list[JsonObj]) -> Message:
        """Alter; the herder has checked the connector (:func:`not_stopped`) and the list (:func:`require_offsets`)."""
        connector: Any = self._worker.new_connector(str(cfg.get("connector.class", "")))
        if self._is_sink(cfg):
            parsed_sink = parse_sink_offsets(offsets)
            handled = await connector.alter_offsets(_clean(cfg), parsed_sink)
            await alter_sink_group_offsets(self._admin_config(name, cfg), name, self._group(name, cfg), parsed_sink)
        else:
            parsed = parse_source_offsets(offsets)
            handled = await connector.alter_offsets(_clean(cfg), {partition_key(p): o for p, o in parsed})
            async with self._source_store(name, cfg, writable=True) as store:
                keys = OffsetKeys(name, store)
                await store.set({await keys.key_for(p): offset_value(o) for p, o in parsed})
        return Message(ALTERED if handled else ALTERED_FRAMEWORK)

    async def reset(self, name: str, cfg: Mapping[str, Any]) -> Message:
        connector: Any = self._worker.new_connector(str(cfg.get("connector.class", "")))
        handled = await connector.alter_offsets(_clean(cfg), {})
        if self._is_sink(cfg):
            group = self._group(name, cfg)

            def run() -> None:
                try:
                    self._admin(name, cfg).delete_consumer_groups([group])[group].result(30)
                except KafkaException as e:
                    if "GROUP_ID_NOT_FOUND" not in str(e):
                        raise

            await until_group_empty(
                lambda: asyncio.get_running_loop().run_in_executor(None, run),
                (KafkaException,),
                f"Failed to reset consumer group offsets for connector {name} either because its tasks "
                "haven't stopped completely yet or the connector was resumed before the request to reset "
                "its offsets could be successfully completed. If the connector is in a stopped state, this "
                "operation can be safely retried. If it doesn't eventually succeed, the Connect cluster may "
                "need to be restarted to get rid of the zombie sink tasks.",
            )
        else:
            async with self._source_store(name, cfg, writable=True) as store:
                keys = await store.connector_partitions(name)
                await store.set(dict.fromkeys(keys))
        return Message(RESET if handled else RESET_FRAMEWORK)


def parse_source_offsets(offsets: list[JsonObj]) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """A source connector's (partition, offset) pairs, checked as Connect's ``OffsetUtils.validateFormat``."""
    parsed: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    for o in offsets:
        partition, offset = o.get("partition"), o.get("offset")
        if not isinstance(partition, dict):
            raise BadRequestException("The partition for a source connector offset cannot be null or missing")
        validate_offset_map("Partitions", partition)
        validate_offset_map("Offsets", offset)
        parsed.append(
            (orjson.loads(orjson.dumps(partition)), None if offset is None else orjson.loads(orjson.dumps(offset)))
        )
    return parsed


def parse_sink_offsets(offsets: list[JsonObj]) -> dict[tuple[str, int], int | None]:
    """A sink connector's ``(topic, partition) -> offset`` (None resets), with Connect's messages."""
    out: dict[tuple[str, int], int | None] = {}
    for o in offsets:
        partition = o.get("partition")
        if partition is None:
            raise BadRequestException("The partition for a sink connector offset cannot be null or missing")
        if "kafka_topic" not in partition or "kafka_partition" not in partition:
            raise BadRequestException(
                "The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'"
            )
        topic = partition["kafka_topic"]
        if not isinstance(topic, str):
            raise BadRequestException("Kafka topic names must be valid strings and may not be null")
        try:
            part = int(str(partition["kafka_partition"]))
        except ValueError:
            raise BadRequestException("Kafka partitions must be valid numbers and may not be null") from None
        offset = o.get("offset")
        if offset is None:
            out[(topic, part)] = None
            continue
        if "kafka_offset" not in offset:
            raise BadRequestException(
                "The offset for a sink connector should either be null or contain the key 'kafka_offset'"
            )
        try:
            out[(topic, part)] = int(str(offset["kafka_offset"]))
        except ValueError:
            raise BadRequestException("Kafka offsets must be valid numbers and may not be null") from None
    return out

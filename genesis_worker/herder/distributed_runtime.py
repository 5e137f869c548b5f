"""What the distributed herder asks of the runtime, on top of the runtime :class:`Worker`: start/stop of
connectors and tasks, task-config generation, validation, and the KIP-875 offset operations (source
offsets in the Kafka offsets topic, sink offsets in the connector's consumer group)::

    runtime = WorkerRuntime(worker_config, plugins, offset_store)
    herder = DistributedHerder(..., runtime=runtime, ...)
    runtime.bind(herder)          # the herder is the Worker's status listener
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import orjson
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

from genesis_worker.api.errors import ConnectException
from genesis_worker.api.task import partition_key
from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.herder.common import (
    alter_sink_group_offsets,
    connector_type,
    plugin_config,
    read_connector_offsets,
    validate_connector_config,
)
from genesis_worker.herder.errors import BadRequestException
from genesis_worker.herder.standalone import (
    _ALTERED,
    _ALTERED_FRAMEWORK,
    _RESET,
    _RESET_FRAMEWORK,
    _parse_sink_offsets,
)
from genesis_worker.model.entities import ConnectorOffsets, JsonObj, Message
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import TargetState
from genesis_worker.plugins.registry import PluginRegistry
from genesis_worker.runtime.source_offsets import OffsetKeys
from genesis_worker.runtime.worker import Worker, WorkerStatusListener
from genesis_worker.storage.base import OffsetBackingStore
from genesis_worker.storage.offset_keys import offset_value, validate_offset_map


def _clean(props: Mapping[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in props.items() if v is not None}


class WorkerRuntime:
    """The herder's view of the runtime Worker (see the module doc)."""

    def __init__(self, config: WorkerConfig, plugins: PluginRegistry, offset_store: OffsetBackingStore) -> None:
        self.config = config
        self.plugins = plugins
        self.offset_store = offset_store
        self._worker: Worker | None = None
        self._reconfigure: Any = None

    def bind(self, herder: Any, worker_id: str | None = None) -> None:
        """Create the Worker with ``herder`` as its status listener and reconfiguration target."""
        listener: WorkerStatusListener = herder
        self._worker = Worker(self.config, self.plugins, self.offset_store, listener, worker_id)
        self._reconfigure = herder.request_task_reconfiguration
        herder.metrics = self._worker.metrics

    @property
    def worker(self) -> Worker:
        if self._worker is None:
            raise RuntimeError("WorkerRuntime.bind() was not called")
        return self._worker

    # --- connectors and tasks ----------------------------------------------------------------------------

    async def start_connector(self, name: str, config: Mapping[str, Any], target: TargetState) -> bool:
        return await self.worker.start_connector(name, _clean(config), target, self._reconfigure)

    async def start_task(
        self,
        task: ConnectorTaskId,
        connector_config: Mapping[str, Any],
        task_config: Mapping[str, Any],
        target: TargetState,
        task_count: int,
    ) -> bool:
        return await self.worker.start_task(task, _clean(connector_config), _clean(task_config), target, task_count)

    async def stop_tasks(self, tasks: list[ConnectorTaskId]) -> None:
        await self.worker.stop_tasks(tasks)

    async def stop_connectors(self, names: list[str]) -> None:
        await asyncio.gather(*(self.worker.stop_connector(n) for n in names))

    async def set_target_state(self, name: str, target: TargetState) -> None:
        await self.worker.set_target_state(name, target)

    def is_running(self, name: str) -> bool:
        return self.worker.connector_running(name)

    async def connector_task_configs(self, name: str, config: Mapping[str, Any]) -> list[dict[str, str]]:
        return self.worker.connector_task_configs(name)

    async def stop(self) -> None:
        if self._worker is not None:
            await self._worker.stop()

    # --- validation and plugins ------------------------------------------------------------------------

    async def validate_connector_config(self, config: Mapping[str, Any]) -> JsonObj:
        return validate_connector_config(self.plugins, self.config, dict(config))

    def connector_plugin_config(self, plugin: str) -> list[JsonObj]:
        return plugin_config(self.plugins, plugin)

    # --- offsets (KIP-875) -----------------------------------------------------------------------------

    def _is_sink(self, cfg: Mapping[str, Any]) -> bool:
        return connector_type(self.plugins, cfg) == "sink"

    @staticmethod
    def _group(name: str, cfg: Mapping[str, Any]) -> str:
        return str(cfg.get("consumer.override.group.id") or f"connect-{name}")

    def _admin(self, name: str, cfg: Mapping[str, Any]) -> AdminClient:
        return AdminClient(self.worker.admin_config(f"connector-adminclient-{name}", _clean(cfg)))

    async def connector_offsets(self, name: str, cfg: Mapping[str, Any]) -> ConnectorOffsets:
        return await read_connector_offsets(
            name,
            sink_group=self._group(name, cfg) if self._is_sink(cfg) else None,
            admin=lambda: self._admin(name, cfg),
            offset_store=self.offset_store,
        )

    async def alter_connector_offsets(self, name: str, cfg: Mapping[str, Any], offsets: list[JsonObj]) -> Message:
        if not offsets:
            raise BadRequestException("Partitions / offsets need to be provided for an alter offsets request")
        connector: Any = self.worker.new_connector(str(cfg.get("connector.class", "")))
        if self._is_sink(cfg):
            parsed_sink = _parse_sink_offsets(offsets)
            handled = await connector.alter_offsets(_clean(cfg), parsed_sink)
            await self._alter_sink(name, cfg, parsed_sink)
        else:
            parsed: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
            for o in offsets:
                partition, offset = o.get("partition"), o.get("offset")
                if not isinstance(partition, dict):
                    raise BadRequestException("The partition for a source connector offset cannot be null or missing")
                validate_offset_map("Partitions", partition)
                validate_offset_map("Offsets", offset)
                parsed.append(
                    (
                        orjson.loads(orjson.dumps(partition)),
                        None if offset is None else orjson.loads(orjson.dumps(offset)),
                    )
                )
            handled = await connector.alter_offsets(_clean(cfg), {partition_key(p): o for p, o in parsed})
            keys = OffsetKeys(name, self.offset_store)
            await self.offset_store.set({await keys.key_for(p): offset_value(o) for p, o in parsed})
        return Message(_ALTERED if handled else _ALTERED_FRAMEWORK)

    async def _alter_sink(self, name: str, cfg: Mapping[str, Any], parsed: dict[tuple[str, int], int | None]) -> None:
        admin_conf = self.worker.admin_config(f"connector-adminclient-{name}", _clean(cfg))
        await alter_sink_group_offsets(admin_conf, name, self._group(name, cfg), parsed)

    async def reset_connector_offsets(self, name: str, cfg: Mapping[str, Any]) -> Message:
        connector: Any = self.worker.new_connector(str(cfg.get("connector.class", "")))
        handled = await connector.alter_offsets(_clean(cfg), {})
        if self._is_sink(cfg):
            group = self._group(name, cfg)

            def run() -> None:
                try:
                    self._admin(name, cfg).delete_consumer_groups([group])[group].result(30)
                except KafkaException as e:
                    if "GROUP_ID_NOT_FOUND" not in str(e):
                        raise

            try:
                await asyncio.get_running_loop().run_in_executor(None, run)
            except KafkaException as e:
                raise ConnectException(
                    f"Failed to reset consumer group offsets for connector {name} either because its tasks "
                    "haven't stopped completely yet or the connector was resumed before the request to reset "
                    "its offsets could be successfully completed. If the connector is in a stopped state, this "
                    "operation can be safely retried. If it doesn't eventually succeed, the Connect cluster may "
                    "need to be restarted to get rid of the zombie sink tasks."
                ) from e
        else:
            keys = await self.offset_store.connector_partitions(name)
            await self.offset_store.set(dict.fromkeys(keys))
        return Message(_RESET if handled else _RESET_FRAMEWORK)

"""What the distributed herder asks of the runtime (:class:`HerderRuntime`), and its implementation on
the runtime :class:`Worker` (:class:`WorkerRuntime`): start/stop of connectors and tasks, task-config
generation, config reloads (KIP-421), validation, and the KIP-875 offset operations::

    herder = DistributedHerder(..., runtime=lambda listener, reload: WorkerRuntime(worker_config, plugins, offsets, listener, None, reload))

The herder passes its status writer as ``listener`` (the Worker reports every state change to it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.herder.common import validate_connector_config
from genesis_worker.herder.offsets import ConnectorOffsetsAdmin
from genesis_worker.herder.policy import ConnectorConfigPolicy
from genesis_worker.metrics.registry import WorkerMetrics
from genesis_worker.model.entities import ConnectorOffsets, JsonObj, Message
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import TargetState
from genesis_worker.plugins.registry import PluginRegistry
from genesis_worker.runtime.worker import Worker, WorkerStatusListener
from genesis_worker.storage.base import OffsetBackingStore


class HerderRuntime(Protocol):
    """What the distributed herder needs from the runtime."""

    metrics: WorkerMetrics | None

    async def start_connector(
        self, name: str, config: Mapping[str, Any], target: TargetState, on_reconfigure: Callable[[str], None]
    ) -> bool: ...

    async def start_task(
        self,
        task: ConnectorTaskId,
        connector_config: Mapping[str, Any],
        task_config: Mapping[str, Any],
        target: TargetState,
        task_count: int,
    ) -> bool: ...

    async def stop_tasks(self, tasks: list[ConnectorTaskId]) -> None: ...

    async def stop_connectors(self, names: list[str]) -> None: ...

    async def set_target_state(self, name: str, target: TargetState) -> None: ...

    def is_running(self, name: str) -> bool: ...

    async def connector_task_configs(self, name: str, config: Mapping[str, Any]) -> list[dict[str, str]]: ...

    def resolved_connector_config(self, name: str) -> dict[str, str] | None:
        """The resolved config the connector runs with here (None when it does not run here)."""
        ...

    async def validate_connector_config(
        self, config: Mapping[str, Any], policies: Sequence[ConnectorConfigPolicy] = ()
    ) -> JsonObj: ...

    async def connector_offsets(self, name: str, cfg: Mapping[str, Any]) -> ConnectorOffsets: ...

    async def alter_connector_offsets(self, name: str, cfg: Mapping[str, Any], offsets: list[JsonObj]) -> Message: ...

    async def reset_connector_offsets(self, name: str, cfg: Mapping[str, Any]) -> Message: ...

    async def stop(self) -> None: ...


RuntimeFactory = Callable[[WorkerStatusListener, Callable[[str], None]], HerderRuntime]
"""(status listener, restart of a connector whose config-provider values expired) -> the runtime."""
"""Builds the runtime around the herder's status listener."""


def _clean(props: Mapping[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in props.items() if v is not None}


class WorkerRuntime:
    """The herder's view of the runtime Worker (see the module doc)."""

    def __init__(
        self,
        config: WorkerConfig,
        plugins: PluginRegistry,
        offset_store: OffsetBackingStore,
        listener: WorkerStatusListener,
        worker_id: str | None = None,
        on_config_reload: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config
        self.plugins = plugins
        self.worker = Worker(config, plugins, offset_store, listener, worker_id, on_config_reload)
        self.metrics: WorkerMetrics | None = self.worker.metrics
        self._offsets = ConnectorOffsetsAdmin(self.worker, plugins, offset_store)

    # --- connectors and tasks ----------------------------------------------------------------------------

    async def start_connector(
        self, name: str, config: Mapping[str, Any], target: TargetState, on_reconfigure: Callable[[str], None]
    ) -> bool:
        return await self.worker.start_connector(name, _clean(config), target, on_reconfigure)

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

    def resolved_connector_config(self, name: str) -> dict[str, str] | None:
        wc = self.worker.connectors.get(name)
        return None if wc is None else dict(wc.props)

    async def stop(self) -> None:
        await self.worker.stop()

    # --- validation and plugins ------------------------------------------------------------------------

    async def validate_connector_config(
        self, config: Mapping[str, Any], policies: Sequence[ConnectorConfigPolicy] = ()
    ) -> JsonObj:
        return validate_connector_config(self.plugins, self.config, dict(config), policies)

    # --- offsets (KIP-875) -----------------------------------------------------------------------------

    async def connector_offsets(self, name: str, cfg: Mapping[str, Any]) -> ConnectorOffsets:
        return await self._offsets.read(name, cfg)

    async def alter_connector_offsets(self, name: str, cfg: Mapping[str, Any], offsets: list[JsonObj]) -> Message:
        return await self._offsets.alter(name, cfg, offsets)

    async def reset_connector_offsets(self, name: str, cfg: Mapping[str, Any]) -> Message:
        return await self._offsets.reset(name, cfg)

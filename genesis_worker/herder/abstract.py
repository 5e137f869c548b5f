"""What the standalone and distributed herders share (Java ``AbstractHerder``): statuses read back
from the status store as REST entities, the plugin version shown in them (KIP-891), validation before
a config is written, KIP-477 config patches, the plugin config keys, and the restart of a connector whose
config-provider values expired (KIP-421)."""

from __future__ import annotations

import abc
import logging
from collections.abc import Mapping
from typing import Any

from genesis_worker.api.errors import NotFoundException
from genesis_worker.herder.background import BackgroundTasks
from genesis_worker.herder.base import Herder
from genesis_worker.herder.common import connector_type, plugin_config, plugin_version
from genesis_worker.herder.errors import BadRequestException
from genesis_worker.model.entities import ConnectorState, ConnectorStateInfo, JsonObj, TaskState, WorkerStatus
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import RestartRequest
from genesis_worker.plugins.registry import PluginRegistry
from genesis_worker.runtime.config_infos import invalid_config_message
from genesis_worker.storage.base import StatusBackingStore

log = logging.getLogger(__name__)

HEALTHY = WorkerStatus("healthy", "Worker has completed startup and is ready to handle requests.")
STARTING = "Worker is still starting up."


class AbstractHerder(Herder):
    """The shared half of a herder; subclasses say where connector configs and statuses are."""

    plugins: PluginRegistry
    _background: BackgroundTasks

    @property
    @abc.abstractmethod
    def _status_store(self) -> StatusBackingStore: ...

    @abc.abstractmethod
    def _connector_config(self, name: str) -> Mapping[str, Any] | None:
        """The connector's stored config (None if there is no such connector)."""

    def _connector_type(self, config: Mapping[str, Any] | None) -> str:
        return connector_type(self.plugins, config)

    def _version_of(self, connector: str) -> str | None:
        return plugin_version(self.plugins, self._connector_config(connector))

    # --- statuses ------------------------------------------------------------------------------------------

    async def connector_status(self, name: str) -> ConnectorStateInfo:
        st = self._status_store.get(name)
        if st is None:
            raise NotFoundException(f"No status found for connector {name}")
        config = self._connector_config(name)
        version = plugin_version(self.plugins, config)
        tasks = [
            TaskState(ts.id.task, ts.state, ts.worker_id, ts.trace, ts.version or version)
            for ts in sorted(self._status_store.get_all(name), key=lambda s: s.id.task)
        ]
        connector = ConnectorState(st.state, st.worker_id, st.trace, st.version or version)
        return ConnectorStateInfo(name, connector, tasks, self._connector_type(config))

    async def task_status(self, task: ConnectorTaskId) -> TaskState:
        st = self._status_store.get_task(task)
        if st is None:
            raise NotFoundException(f"No status found for task {task}")
        return TaskState(task.task, st.state, st.worker_id, st.trace, st.version or self._version_of(task.connector))

    # --- configs --------------------------------------------------------------------------------------------

    async def _validate_or_raise(self, config: dict[str, Any]) -> None:
        infos = await self.validate_connector_config(config)
        if int(infos.get("error_count", 0)):
            raise BadRequestException(invalid_config_message(infos))

    @staticmethod
    def _patched(current: Mapping[str, str], patch: Mapping[str, str | None]) -> dict[str, str]:
        """KIP-477: the config with ``patch`` applied (a None value removes the key)."""
        merged = dict(current)
        for k, v in patch.items():
            if v is None:
                merged.pop(k, None)
            else:
                merged[k] = v
        return merged

    def connector_plugin_config(self, plugin: str) -> list[JsonObj]:
        return plugin_config(self.plugins, plugin)

    # --- config reloads (KIP-421) ----------------------------------------------------------------------------

    def _restart_for_reload(self, name: str) -> None:
        """The runtime's callable for a connector of this worker whose provider values expired: restart it
        as ``POST /connectors/{c}/restart`` does (Java ``restartConnector(delayMs, ...)`` once due)."""
        self._background.spawn(self._restart_reloaded(name), f"config-reload-{name}")

    async def _restart_reloaded(self, name: str) -> None:
        try:
            await self.restart_connector(RestartRequest(name))
        except Exception as e:
            log.error("Unexpected error during connector restart of %s: %s", name, e)

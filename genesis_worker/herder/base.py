"""The Herder: the one interface the REST layer talks to (Connect's ``Herder``).

Standalone and distributed herders implement it. Methods return the typed entities of
:mod:`genesis_worker.model.entities` (Connect's ``rest.entities``); the REST layer alone turns them into
JSON. Validation answers (``ConfigInfos``) and plugin config keys stay JSON objects. Errors are raised as:

* :class:`~genesis_worker.api.errors.NotFoundException` -> 404
* :class:`~genesis_worker.api.errors.AlreadyExistsException` -> 409
* :class:`~genesis_worker.herder.errors.ConnectRestException` (and ``BadRequestException``) -> its status
* :class:`~genesis_worker.herder.errors.NotLeaderException` / ``NotAssignedException`` -> forwarded by REST
* :class:`~genesis_worker.herder.errors.RebalanceNeededException` -> 409
* anything else -> 500 with the message
"""

from __future__ import annotations

import abc
from typing import Any

from genesis_worker.herder.policy import ConnectorConfigPolicy
from genesis_worker.herder.restart_policy import AutoRestarter, AutoRestartListener
from genesis_worker.metrics.registry import WorkerMetrics
from genesis_worker.model.entities import (
    ConnectorInfo,
    ConnectorOffsets,
    ConnectorStateInfo,
    JsonObj,
    Message,
    TaskInfo,
    TaskState,
    WorkerStatus,
)
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.session_key import SessionKey
from genesis_worker.model.states import RestartRequest, TargetState
from genesis_worker.plugins.registry import PluginRegistry
from genesis_worker.storage.base import ConfigBackingStore


class Herder(abc.ABC):
    """What the REST API needs from a worker; see the module doc for the error contract."""

    plugins: PluginRegistry
    config_store: ConfigBackingStore
    """The config store this herder reads and writes; layers above subscribe to it (``add_listener``)."""
    metrics: WorkerMetrics | None = None
    """The worker's task metrics (set by herders that run tasks)."""
    config_policies: tuple[ConnectorConfigPolicy, ...] = ()
    restarts: AutoRestarter | None = None
    """The automatic restart policy in front of the status listener (set by herders that run tasks)."""

    def add_config_policy(self, policy: ConnectorConfigPolicy) -> None:
        """Validate every connector config with ``policy`` too (layers above register theirs before start)."""
        self.config_policies = (*self.config_policies, policy)

    def add_restart_listener(self, listener: AutoRestartListener) -> None:
        """Be told of each automatic restart this worker makes (``genesis.restart.enabled``)."""
        if self.restarts is not None:
            self.restarts.add_listener(listener)

    # --- lifecycle ----------------------------------------------------------------------------------
    @abc.abstractmethod
    async def start(self) -> None: ...

    @abc.abstractmethod
    async def stop(self) -> None: ...

    @abc.abstractmethod
    def kafka_cluster_id(self) -> str: ...

    @abc.abstractmethod
    def health(self) -> tuple[int, WorkerStatus]:
        """(HTTP status, WorkerStatus): 200 healthy, 503 starting, 500 unhealthy."""

    # --- connectors ---------------------------------------------------------------------------------
    @abc.abstractmethod
    async def connectors(self) -> list[str]: ...

    @abc.abstractmethod
    async def connector_info(self, name: str) -> ConnectorInfo: ...

    async def connector_info_local(self, name: str) -> ConnectorInfo:
        """ConnectorInfo from this worker's current view, never waiting on or refusing for a rebalance (what
        Connect's ``GET /connectors?expand=info`` uses, unlike ``GET /connectors/{name}``)."""
        return await self.connector_info(name)

    @abc.abstractmethod
    async def connector_config(self, name: str) -> dict[str, str]: ...

    @abc.abstractmethod
    async def put_connector_config(
        self, name: str, config: dict[str, str], *, allow_replace: bool, initial_state: TargetState | None = None
    ) -> tuple[bool, ConnectorInfo]:
        """Create or replace; returns (created, info). Raises AlreadyExists if not allow_replace."""

    @abc.abstractmethod
    async def patch_connector_config(self, name: str, patch: dict[str, str | None]) -> ConnectorInfo:
        """KIP-477: merge (None removes a key), validate, write; returns the new info."""

    @abc.abstractmethod
    async def delete_connector(self, name: str) -> None: ...

    @abc.abstractmethod
    async def connector_status(self, name: str) -> ConnectorStateInfo: ...

    @abc.abstractmethod
    async def task_status(self, task: ConnectorTaskId) -> TaskState: ...

    @abc.abstractmethod
    async def task_configs(self, name: str) -> list[TaskInfo]: ...

    @abc.abstractmethod
    async def restart_connector(self, request: RestartRequest) -> ConnectorStateInfo | None:
        """Plain restart (no flags) returns None (REST 204); with flags, the ConnectorStateInfo (202)."""

    @abc.abstractmethod
    async def restart_task(self, task: ConnectorTaskId) -> None: ...

    @abc.abstractmethod
    async def pause_connector(self, name: str) -> None: ...

    @abc.abstractmethod
    async def resume_connector(self, name: str) -> None: ...

    @abc.abstractmethod
    async def stop_connector(self, name: str) -> None: ...

    @abc.abstractmethod
    async def active_topics(self, name: str) -> list[str]: ...

    @abc.abstractmethod
    async def reset_active_topics(self, name: str) -> None: ...

    # --- offsets (KIP-875) ---------------------------------------------------------------------------
    @abc.abstractmethod
    async def connector_offsets(self, name: str) -> ConnectorOffsets: ...

    @abc.abstractmethod
    async def alter_connector_offsets(self, name: str, offsets: list[JsonObj]) -> Message: ...

    @abc.abstractmethod
    async def reset_connector_offsets(self, name: str) -> Message: ...

    # --- validation and plugins ------------------------------------------------------------------------
    @abc.abstractmethod
    async def validate_connector_config(self, config: dict[str, Any]) -> JsonObj:
        """ConfigInfos: name, error_count, groups, configs."""

    @abc.abstractmethod
    def connector_plugin_config(self, plugin: str) -> list[JsonObj]:
        """ConfigKeyInfo list for GET /connector-plugins/{plugin}/config."""

    # --- internal / cluster --------------------------------------------------------------------------
    async def put_task_configs(self, name: str, configs: list[dict[str, str]], signature: Any = None) -> None:
        """Internal endpoint POST /connectors/{c}/tasks (distributed only)."""
        raise NotImplementedError(
            "Kafka Connect in standalone mode does not support externally setting task configurations."
        )

    async def set_cluster_logger_level(self, namespace: str, level: str) -> None:
        """``scope=cluster`` logger change; standalone applies it locally."""
        raise NotImplementedError

    def rest_url(self) -> str | None:
        """This worker's advertised REST URL (ends with '/')."""
        return None

    async def fence_zombie_source_tasks(self, name: str, signature: Any = None) -> None:
        """Internal endpoint PUT /connectors/{c}/fence (KIP-618, distributed only)."""
        raise NotImplementedError("Kafka Connect in standalone mode does not support exactly-once source connectors.")

    # --- optional hooks the REST layer consults (safe defaults for standalone) --------------------------
    def requires_request_signature(self) -> bool:
        """True while the group runs protocol V2 (``sessioned``): internal requests must be signed."""
        return False

    def session_key(self) -> SessionKey | None:
        """The current session key for verifying internal requests; None until one was read."""
        return None

    async def catch_up(self) -> None:
        """Bring this worker's view of the config topic up to date (after a write another worker made
        on its behalf, e.g. a forwarded request), so a following read here sees it. Standalone: nothing."""
        return None

    def stage_summary(self) -> str | None:
        """What the worker is doing now (Java's ``Stage``), appended to "Request timed out. " messages:
        "The worker is currently <description>, which began at <instant>." or None if unknown."""
        return None

"""Interfaces of the three stores a worker keeps: connector configs, source offsets and statuses.

Standalone mode uses memory/file implementations; distributed mode the Kafka-topic ones
(``kafka_*.py``) in Connect's own record formats.
"""

from __future__ import annotations

import abc
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.session_key import SessionKey
from genesis_worker.model.states import RestartRequest, TargetState
from genesis_worker.model.status import ConnectorStatus, TaskStatus, TopicStatus


class OffsetBackingStore(abc.ABC):
    """Source offsets as raw key/value bytes: key = JSON ``["<connector>", {partition}]``, value =
    JSON offset map (``None`` = tombstone), exactly as Connect serialises them."""

    @abc.abstractmethod
    async def start(self) -> None: ...

    @abc.abstractmethod
    async def stop(self) -> None: ...

    @abc.abstractmethod
    async def get(self, keys: Collection[bytes]) -> dict[bytes, bytes | None]:
        """Current values of these keys (missing keys are absent from the result)."""

    @abc.abstractmethod
    async def set(self, values: Mapping[bytes, bytes | None]) -> None:
        """Durably write all values; returns once they are stored (raise on failure)."""

    @abc.abstractmethod
    async def connector_partitions(self, connector: str) -> list[bytes]:
        """Keys of every partition with a stored (non-tombstoned) offset for ``connector``."""


# ------------------------------------------------------------------------------------------------
# Config and status stores (added with the Kafka-topic implementations; memory/file ones implement
# the same interfaces).


@dataclass
class ClusterConfigState:
    """Snapshot of the config topic (Java ``ClusterConfigState``). ``offset`` is the config offset of
    the group protocol: last consumed record offset + 1, -1 before any record."""

    offset: int = -1
    session_key: SessionKey | None = None
    connector_configs: dict[str, dict[str, str | None]] = field(default_factory=dict)
    target_states: dict[str, TargetState] = field(default_factory=dict)
    task_configs: dict[ConnectorTaskId, dict[str, str | None]] = field(default_factory=dict)
    task_counts: dict[str, int] = field(default_factory=dict)
    task_count_records: dict[str, int] = field(default_factory=dict)
    task_config_generations: dict[str, int] = field(default_factory=dict)
    applied_connector_configs: dict[str, dict[str, str | None]] = field(default_factory=dict)
    connectors_pending_fencing: set[str] = field(default_factory=set)
    inconsistent: set[str] = field(default_factory=set)
    logger_levels: dict[str, str] = field(default_factory=dict)

    def connectors(self) -> list[str]:
        return list(self.connector_configs)

    def contains(self, connector: str) -> bool:
        return connector in self.connector_configs

    def target_state(self, connector: str) -> TargetState | None:
        if connector not in self.connector_configs:
            return None
        return self.target_states.get(connector, TargetState.STARTED)

    def task_count(self, connector: str) -> int:
        return self.task_counts.get(connector, 0)

    def tasks(self, connector: str) -> list[ConnectorTaskId]:
        """``0..count-1``, or empty while the connector's task configs are inconsistent."""
        if connector in self.inconsistent:
            return []
        return [ConnectorTaskId(connector, i) for i in range(self.task_counts.get(connector, 0))]

    def task_config(self, task: ConnectorTaskId) -> dict[str, str | None] | None:
        return self.task_configs.get(task)

    def assignable_task_counts(self) -> dict[str, int]:
        """Input of the group assignors: connector -> task count (0 when inconsistent)."""
        return {c: len(self.tasks(c)) for c in self.connector_configs}


class ConfigUpdateListener:
    """Notifications from a config store (Java ``ConfigBackingStore.UpdateListener``); no-op defaults."""

    def on_connector_config_update(self, connector: str) -> None: ...

    def on_connector_config_remove(self, connector: str) -> None: ...

    def on_task_config_update(self, tasks: list[ConnectorTaskId]) -> None: ...

    def on_connector_target_state_change(self, connector: str) -> None: ...

    def on_session_key_update(self, key: SessionKey) -> None: ...

    def on_restart_request(self, request: RestartRequest) -> None: ...

    def on_logger_level(self, namespace: str, level: str) -> None: ...


class ConfigBackingStore(abc.ABC):
    @abc.abstractmethod
    async def start(self) -> None: ...

    @abc.abstractmethod
    async def stop(self) -> None: ...

    @property
    @abc.abstractmethod
    def state(self) -> ClusterConfigState:
        """The live state (read-only by convention; :meth:`snapshot` gives a copy)."""

    @abc.abstractmethod
    def snapshot(self) -> ClusterConfigState:
        """A copy of the current state (safe to keep)."""

    @abc.abstractmethod
    def add_listener(self, listener: ConfigUpdateListener) -> None:
        """Notify ``listener`` of every update from now on, after the listeners added before it."""

    @abc.abstractmethod
    async def refresh(self) -> None:
        """Read the store to its end (Java ``refresh``)."""

    @abc.abstractmethod
    async def put_connector_config(
        self, connector: str, config: Mapping[str, str | None], target_state: TargetState | None = None
    ) -> None: ...

    @abc.abstractmethod
    async def remove_connector_config(self, connector: str) -> None: ...

    @abc.abstractmethod
    async def put_task_configs(self, connector: str, configs: list[Mapping[str, str | None]]) -> None: ...

    @abc.abstractmethod
    async def put_target_state(self, connector: str, state: TargetState) -> None: ...

    @abc.abstractmethod
    async def put_session_key(self, key: SessionKey) -> None: ...

    @abc.abstractmethod
    async def put_restart_request(self, request: RestartRequest) -> None: ...

    @abc.abstractmethod
    async def put_task_count_record(self, connector: str, task_count: int) -> None: ...

    @abc.abstractmethod
    async def put_logger_level(self, namespace: str, level: str) -> None: ...


class StatusBackingStore(abc.ABC):
    @abc.abstractmethod
    async def start(self) -> None: ...

    @abc.abstractmethod
    async def stop(self) -> None: ...

    @abc.abstractmethod
    async def put(self, status: ConnectorStatus | TaskStatus) -> None:
        """Write unconditionally (``DESTROYED`` = tombstone)."""

    @abc.abstractmethod
    async def put_safe(self, status: ConnectorStatus | TaskStatus) -> None:
        """Write unless the cached status was written by another worker with a newer generation."""

    @abc.abstractmethod
    async def put_topic(self, status: TopicStatus) -> None: ...

    @abc.abstractmethod
    def get(self, connector: str) -> ConnectorStatus | None: ...

    @abc.abstractmethod
    def get_task(self, task: ConnectorTaskId) -> TaskStatus | None: ...

    @abc.abstractmethod
    def get_all(self, connector: str) -> list[TaskStatus]: ...

    @abc.abstractmethod
    def connectors(self) -> set[str]: ...

    @abc.abstractmethod
    def get_topic(self, connector: str, topic: str) -> TopicStatus | None: ...

    @abc.abstractmethod
    def get_all_topics(self, connector: str) -> list[TopicStatus]: ...

    @abc.abstractmethod
    async def delete_topic(self, connector: str, topic: str) -> None: ...

    @abc.abstractmethod
    async def flush(self) -> None: ...

"""In-memory config and status stores for standalone mode (Java ``MemoryConfigBackingStore`` and
``MemoryStatusBackingStore``): same interfaces as the Kafka-topic stores, nothing persisted."""

from __future__ import annotations

import copy
from collections.abc import Mapping

from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.session_key import SessionKey
from genesis_worker.model.states import RestartRequest, State, TargetState
from genesis_worker.model.status import ConnectorStatus, TaskStatus, TopicStatus
from genesis_worker.storage.base import ClusterConfigState, ConfigBackingStore, ConfigUpdateListener, StatusBackingStore

__all__ = ["MemoryConfigBackingStore", "MemoryStatusBackingStore"]


class MemoryConfigBackingStore(ConfigBackingStore):
    """Connector configs, task configs and target states kept in a :class:`ClusterConfigState` (a new one,
    or ``state`` shared with another store)."""

    def __init__(self, state: ClusterConfigState | None = None) -> None:
        self._state = state if state is not None else ClusterConfigState()
        self._listeners: list[ConfigUpdateListener] = []

    @property
    def state(self) -> ClusterConfigState:
        return self._state

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def snapshot(self) -> ClusterConfigState:
        return copy.deepcopy(self.state)

    def add_listener(self, listener: ConfigUpdateListener) -> None:
        self._listeners.append(listener)

    async def refresh(self) -> None:
        return None

    def _bump(self) -> None:
        self.state.offset = max(self.state.offset, -1) + 1

    async def put_connector_config(
        self, connector: str, config: Mapping[str, str | None], target_state: TargetState | None = None
    ) -> None:
        if target_state is not None:
            self.state.target_states[connector] = target_state
        self.state.connector_configs[connector] = dict(config)
        self.state.applied_connector_configs[connector] = dict(config)
        self._bump()
        for listener in self._listeners:
            listener.on_connector_config_update(connector)

    async def remove_connector_config(self, connector: str) -> None:
        s = self.state
        s.connector_configs.pop(connector, None)
        s.applied_connector_configs.pop(connector, None)
        s.target_states.pop(connector, None)
        for task in [t for t in s.task_configs if t.connector == connector]:
            del s.task_configs[task]
        s.task_counts.pop(connector, None)
        self._bump()
        for listener in self._listeners:
            listener.on_connector_config_remove(connector)

    async def put_task_configs(self, connector: str, configs: list[Mapping[str, str | None]]) -> None:
        s = self.state
        old = [t for t in s.task_configs if t.connector == connector]
        for task in old:
            del s.task_configs[task]
        ids = [ConnectorTaskId(connector, i) for i in range(len(configs))]
        for task, cfg in zip(ids, configs, strict=True):
            s.task_configs[task] = dict(cfg)
        s.task_counts[connector] = len(configs)
        s.task_config_generations[connector] = s.task_config_generations.get(connector, 0) + 1
        self._bump()
        changed = sorted(set(ids) | set(old))
        for listener in self._listeners:
            listener.on_task_config_update(changed)

    async def put_target_state(self, connector: str, state: TargetState) -> None:
        self.state.target_states[connector] = state
        self._bump()
        for listener in self._listeners:
            listener.on_connector_target_state_change(connector)

    async def put_session_key(self, key: SessionKey) -> None:
        self.state.session_key = key

    async def put_restart_request(self, request: RestartRequest) -> None:
        for listener in self._listeners:
            listener.on_restart_request(request)

    async def put_task_count_record(self, connector: str, task_count: int) -> None:
        self.state.task_count_records[connector] = task_count

    async def put_logger_level(self, namespace: str, level: str) -> None:
        self.state.logger_levels[namespace] = level
        for listener in self._listeners:
            listener.on_logger_level(namespace, level)


class MemoryStatusBackingStore(StatusBackingStore):
    """Latest connector/task statuses and active topics, in memory."""

    def __init__(self) -> None:
        self._connectors: dict[str, ConnectorStatus] = {}
        self._tasks: dict[ConnectorTaskId, TaskStatus] = {}
        self._topics: dict[str, dict[str, TopicStatus]] = {}

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def put_now(self, status: ConnectorStatus | TaskStatus) -> None:
        """Synchronous :meth:`put` (the standalone herder calls it from status callbacks)."""
        if isinstance(status, ConnectorStatus):
            if status.state is State.DESTROYED:
                self._connectors.pop(status.connector, None)
            else:
                self._connectors[status.connector] = status
        else:
            if status.state is State.DESTROYED:
                self._tasks.pop(status.id, None)
            else:
                self._tasks[status.id] = status

    async def put(self, status: ConnectorStatus | TaskStatus) -> None:
        self.put_now(status)

    async def put_safe(self, status: ConnectorStatus | TaskStatus) -> None:
        self.put_now(status)

    def put_topic_now(self, status: TopicStatus) -> None:
        self._topics.setdefault(status.connector, {})[status.topic] = status

    async def put_topic(self, status: TopicStatus) -> None:
        self.put_topic_now(status)

    def get(self, connector: str) -> ConnectorStatus | None:
        return self._connectors.get(connector)

    def get_task(self, task: ConnectorTaskId) -> TaskStatus | None:
        return self._tasks.get(task)

    def get_all(self, connector: str) -> list[TaskStatus]:
        return sorted((s for t, s in self._tasks.items() if t.connector == connector), key=lambda s: s.id.task)

    def connectors(self) -> set[str]:
        return set(self._connectors) | {t.connector for t in self._tasks}

    def get_topic(self, connector: str, topic: str) -> TopicStatus | None:
        return self._topics.get(connector, {}).get(topic)

    def get_all_topics(self, connector: str) -> list[TopicStatus]:
        return list(self._topics.get(connector, {}).values())

    async def delete_topic(self, connector: str, topic: str) -> None:
        self._topics.get(connector, {}).pop(topic, None)

    async def flush(self) -> None:
        return None

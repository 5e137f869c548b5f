"""StandaloneHerder: one worker, configs and statuses in memory, source offsets in a file
(Java ``StandaloneHerder``). Implements the whole :class:`~genesis_worker.herder.base.Herder` ABC.

Example::

    herder = StandaloneHerder(WorkerConfig.from_file("worker.properties"))
    await herder.start()
    created, info = await herder.put_connector_config("c", props, allow_replace=False)
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import Any

from confluent_kafka.admin import AdminClient

from genesis_worker.api.errors import AlreadyExistsException, NotFoundException
from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.herder.abstract import HEALTHY, STARTING, AbstractHerder
from genesis_worker.herder.background import BackgroundTasks
from genesis_worker.herder.common import validate_connector_config
from genesis_worker.herder.errors import ConnectRestException
from genesis_worker.herder.offsets import ConnectorOffsetsAdmin, not_stopped, require_offsets
from genesis_worker.herder.restart_policy import AutoRestarter, RestartSettings
from genesis_worker.model.entities import (
    ConnectorInfo,
    ConnectorOffsets,
    ConnectorState,
    ConnectorStateInfo,
    JsonObj,
    Message,
    TaskInfo,
    TaskState,
    WorkerStatus,
)
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import RestartRequest, State, TargetState
from genesis_worker.model.status import ConnectorStatus, TaskStatus, TopicStatus
from genesis_worker.plugins.registry import PluginRegistry
from genesis_worker.runtime.worker import Worker
from genesis_worker.storage.base import OffsetBackingStore, StatusBackingStore
from genesis_worker.storage.file_offsets import FileOffsetBackingStore
from genesis_worker.storage.memory import MemoryConfigBackingStore, MemoryStatusBackingStore

log = logging.getLogger(__name__)


class StandaloneHerder(AbstractHerder):
    """The standalone-mode herder; also the worker's status listener."""

    def __init__(
        self,
        config: WorkerConfig,
        plugins: PluginRegistry | None = None,
        offset_store: OffsetBackingStore | None = None,
    ) -> None:
        self.config = config
        self.plugins = plugins or PluginRegistry.discover(config.get_list("plugin.path"))
        self.config_store = MemoryConfigBackingStore()
        self.status_store = MemoryStatusBackingStore()
        if offset_store is None:
            offset_store = FileOffsetBackingStore(str(config.get("offset.storage.file.filename")))
        self.offset_store = offset_store
        self.worker_id = config.worker_id
        self.restarts: AutoRestarter = AutoRestarter(
            self,
            RestartSettings.from_props(config.originals),
            connector_config=self._connector_config,
            restart=self._auto_restart,
        )
        self.worker = Worker(
            config, self.plugins, offset_store, self.restarts, self.worker_id, self._restart_for_reload
        )
        self.metrics = self.restarts.metrics = self.worker.metrics
        self._lock = asyncio.Lock()
        self._started = False
        self._cluster_id = ""
        self._background = BackgroundTasks()
        self._offsets = ConnectorOffsetsAdmin(self.worker, self.plugins, offset_store)
        self._applied: dict[str, dict[str, str]] = {}
        """The resolved connector config each connector's stored task configs were generated from."""

    # --- status listener ------------------------------------------------------------------------------

    def on_connector_state(self, connector: str, state: State, trace: str | None = None) -> None:
        version = self._version_of(connector)
        self.status_store.put_now(ConnectorStatus(connector, state, self.worker_id, 0, trace, version))

    def on_task_state(self, task: ConnectorTaskId, state: State, trace: str | None = None) -> None:
        version = self._version_of(task.connector)
        self.status_store.put_now(TaskStatus(task, state, self.worker_id, 0, trace, version))

    def on_topic_active(self, connector: str, topic: str) -> None:
        if self.config.get_bool("topic.tracking.enable") and self.status_store.get_topic(connector, topic) is None:
            self.status_store.put_topic_now(TopicStatus(topic, connector, 0, int(time.time() * 1000)))

    # --- lifecycle ---------------------------------------------------------------------------------------

    async def start(self) -> None:
        await self.offset_store.start()
        self._started = True
        loop = asyncio.get_running_loop()
        try:
            self._cluster_id = await loop.run_in_executor(None, self._fetch_cluster_id)
        except Exception as e:
            log.warning("Could not read the Kafka cluster id: %s", e)

    def _fetch_cluster_id(self) -> str:
        conf = dict(self._admin_conf())
        admin = AdminClient(conf)
        return str(admin.list_topics(timeout=10).cluster_id or "")

    def _admin_conf(self) -> dict[str, Any]:
        from genesis_worker.config.kafka_clients import translate

        props = self.config.worker_client_props()
        props["client.id"] = f"{self.worker_id}-admin"
        return translate(props, "admin").conf

    async def stop(self) -> None:
        await self._background.cancel_all()  # a reconfiguration or reload restart must not start anything now
        await self.restarts.close()
        async with self._lock:
            await self.worker.stop()
            await self.offset_store.stop()
            self._started = False

    def kafka_cluster_id(self) -> str:
        return self._cluster_id

    def health(self) -> tuple[int, WorkerStatus]:
        if self._started:
            return 200, HEALTHY
        return 503, WorkerStatus("starting", STARTING)

    def rest_url(self) -> str | None:
        return self.config.rest_url

    # --- helpers -------------------------------------------------------------------------------------------

    @property
    def _status_store(self) -> StatusBackingStore:
        return self.status_store

    def _connector_config(self, name: str) -> Mapping[str, Any] | None:
        return self.config_store.state.connector_configs.get(name)

    def _conf(self, name: str) -> dict[str, str]:
        cfg = self.config_store.state.connector_configs.get(name)
        if cfg is None:
            raise NotFoundException(f"Connector {name} not found")
        return {k: v for k, v in cfg.items() if v is not None}

    def _target(self, name: str) -> TargetState:
        return self.config_store.state.target_state(name) or TargetState.STARTED

    def _task_ids(self, name: str) -> list[ConnectorTaskId]:
        return [ConnectorTaskId(name, i) for i in range(self.config_store.state.task_count(name))]

    def _info(self, name: str) -> ConnectorInfo:
        cfg = self._conf(name)
        return ConnectorInfo(name, cfg, self._task_ids(name), self._connector_type(cfg))

    def _on_reconfigure(self, name: str) -> None:
        self._background.spawn(self._reconfigure(name), f"reconfigure-{name}")

    async def _reconfigure(self, name: str) -> None:
        async with self._lock:
            if name in self.config_store.state.connector_configs:
                await self._update_tasks(name)

    async def _start_connector(self, name: str) -> None:
        cfg = self._conf(name)
        await self.worker.start_connector(name, cfg, self._target(name), self._on_reconfigure)
        await self._update_tasks(name)

    async def _update_tasks(self, name: str) -> None:
        """Regenerate task configs if the connector runs; write and (re)start tasks if they changed, or if
        the connector's resolved config did (a config provider's value changed: Java's applied config)."""
        if not self.worker.connector_running(name):
            return
        resolved = dict(self.worker.connectors[name].props)
        try:
            new = self.worker.connector_task_configs(name)
        except Exception as e:
            wc = self.worker.connectors.get(name)
            if wc is not None:
                wc.fail(e)
            return
        state = self.config_store.state
        old = [state.task_configs.get(ConnectorTaskId(name, i)) for i in range(state.task_count(name))]
        running = self.worker.task_ids(name)
        applied = self._applied.setdefault(name, resolved)
        if old == new and len(running) == len(new) and applied == resolved:
            return
        await self.worker.stop_tasks(running)
        for t in running:
            if t.task >= len(new):
                self.status_store.put_now(TaskStatus(t, State.DESTROYED, self.worker_id, 0))
        await self.config_store.put_task_configs(name, list(new))
        self._applied[name] = resolved
        await self._start_tasks(name)

    async def _start_tasks(self, name: str) -> None:
        cfg = self._conf(name)
        count = self.config_store.state.task_count(name)
        for tid in self._task_ids(name):
            if tid in self.worker.tasks:
                continue
            tcfg = self.config_store.state.task_configs.get(tid) or {}
            await self.worker.start_task(
                tid, cfg, {k: v for k, v in tcfg.items() if v is not None}, self._target(name), count
            )

    async def _stop_connector_and_tasks(self, name: str) -> None:
        await self.worker.stop_tasks(self.worker.task_ids(name))
        await self.worker.stop_connector(name)

    # --- connectors ----------------------------------------------------------------------------------------

    async def connectors(self) -> list[str]:
        return list(self.config_store.state.connector_configs)

    async def connector_info(self, name: str) -> ConnectorInfo:
        return self._info(name)

    async def connector_config(self, name: str) -> dict[str, str]:
        return self._conf(name)

    async def put_connector_config(
        self, name: str, config: dict[str, str], *, allow_replace: bool, initial_state: TargetState | None = None
    ) -> tuple[bool, ConnectorInfo]:
        config = dict(config)
        config.setdefault("name", name)
        await self._validate_or_raise(config)
        async with self._lock:
            exists = name in self.config_store.state.connector_configs
            if exists and not allow_replace:
                raise AlreadyExistsException(f"Connector {name} already exists")
            if exists:
                await self._stop_connector_and_tasks(name)
            target = None if exists or initial_state is None else initial_state
            await self.config_store.put_connector_config(name, config, target)
            if self._target(name) is TargetState.STOPPED and not exists:
                await self.config_store.put_task_configs(name, [])
            await self._start_connector(name)
            return (not exists), self._info(name)

    async def patch_connector_config(self, name: str, patch: dict[str, str | None]) -> ConnectorInfo:
        merged = self._patched(self._conf(name), patch)
        _, info = await self.put_connector_config(name, merged, allow_replace=True)
        return info

    async def delete_connector(self, name: str) -> None:
        async with self._lock:
            self._conf(name)
            tasks = self._task_ids(name)
            await self._stop_connector_and_tasks(name)
            await self.config_store.remove_connector_config(name)
            self._applied.pop(name, None)
            for t in set(tasks) | {s.id for s in self.status_store.get_all(name)}:
                self.status_store.put_now(TaskStatus(t, State.DESTROYED, self.worker_id, 0))
            self.status_store.put_now(ConnectorStatus(name, State.DESTROYED, self.worker_id, 0))

    async def task_configs(self, name: str) -> list[TaskInfo]:
        self._conf(name)
        out = []
        for t in self._task_ids(name):
            cfg = self.config_store.state.task_configs.get(t) or {}
            out.append(TaskInfo(t, {k: v for k, v in cfg.items() if v is not None}))
        return out

    async def restart_connector(self, request: RestartRequest) -> ConnectorStateInfo | None:
        name = request.connector
        if name not in self.config_store.state.connector_configs:
            raise NotFoundException(f"Unknown connector: {name}")
        if not request.include_tasks and not request.only_failed:
            async with self._lock:
                await self.worker.stop_connector(name)
                await self.worker.start_connector(name, self._conf(name), self._target(name), self._on_reconfigure)
                await self._update_tasks(name)
            return None
        st = self.status_store.get(name)
        if st is None:
            raise NotFoundException(f"Status for connector {name} not found")
        restart_conn = not request.only_failed or st.state is State.FAILED
        tasks = self.status_store.get_all(name)
        restart_tasks = [
            t for t in tasks if request.include_tasks and (not request.only_failed or t.state is State.FAILED)
        ]
        version = self._version_of(name)
        plan = ConnectorStateInfo(
            name,
            ConnectorState(
                State.RESTARTING if restart_conn else st.state,
                st.worker_id,
                None if restart_conn else st.trace,
                version,
            ),
            [
                TaskState(
                    t.id.task,
                    State.RESTARTING if t in restart_tasks else t.state,
                    t.worker_id,
                    None if t in restart_tasks else t.trace,
                    version,
                )
                for t in tasks
            ],
            self._connector_type(self.config_store.state.connector_configs.get(name)),
        )
        async with self._lock:
            task_ids = [ConnectorTaskId(name, t.id.task) for t in restart_tasks]
            for tid in task_ids:
                self.on_task_state(tid, State.RESTARTING)
            if restart_conn:
                self.on_connector_state(name, State.RESTARTING)
            await self.worker.stop_tasks(task_ids)
            if restart_conn:
                await self.worker.stop_connector(name)
                await self.worker.start_connector(name, self._conf(name), self._target(name), self._on_reconfigure)
                await self._update_tasks(name)
            await self._start_tasks(name)
        return plan

    async def _auto_restart(self, name: str, task: ConnectorTaskId | None) -> bool:
        """The restart policy's restart of a FAILED connector or task (the restart endpoints' path)."""
        if name not in self.config_store.state.connector_configs:
            return False
        if task is None:
            if not self.restarts.failed(name, None):
                return False
            await self.restart_connector(RestartRequest(name, only_failed=True))
            return True
        async with self._lock:
            if not self.restarts.failed(name, task) or task not in self._task_ids(name):
                return False
            self.on_task_state(task, State.RESTARTING)
            await self.worker.stop_tasks([task])
            await self._start_tasks(name)
        return True

    async def restart_task(self, task: ConnectorTaskId) -> None:
        if task.connector not in self.config_store.state.connector_configs:
            raise NotFoundException(f"Unknown connector: {task.connector}")
        if task not in self._task_ids(task.connector):
            raise NotFoundException(f"Task {task} not found")
        async with self._lock:
            await self.worker.stop_tasks([task])
            cfg = self.config_store.state.task_configs.get(task) or {}
            ok = await self.worker.start_task(
                task,
                self._conf(task.connector),
                {k: v for k, v in cfg.items() if v is not None},
                self._target(task.connector),
                self.config_store.state.task_count(task.connector),
            )
        if not ok:
            raise ConnectRestException(500, f"Failed to start task: {task}")

    async def _set_target(self, name: str, target: TargetState) -> None:
        if name not in self.config_store.state.connector_configs:
            raise NotFoundException(f"Unknown connector {name}")
        async with self._lock:
            was = self._target(name)
            await self.config_store.put_target_state(name, target)
            await self.worker.set_target_state(name, target)
            if target is TargetState.STARTED and was is TargetState.STOPPED:
                await self._update_tasks(name)
            elif target is TargetState.STARTED:
                await self._start_tasks(name)

    async def pause_connector(self, name: str) -> None:
        await self._set_target(name, TargetState.PAUSED)

    async def resume_connector(self, name: str) -> None:
        await self._set_target(name, TargetState.STARTED)

    async def stop_connector(self, name: str) -> None:
        if name not in self.config_store.state.connector_configs:
            raise NotFoundException(f"Unknown connector {name}")
        async with self._lock:
            tasks = self.worker.task_ids(name)
            await self.worker.stop_tasks(tasks)
            for t in self._task_ids(name):
                self.status_store.put_now(TaskStatus(t, State.DESTROYED, self.worker_id, 0))
            await self.config_store.put_task_configs(name, [])
            await self.config_store.put_target_state(name, TargetState.STOPPED)
            await self.worker.set_target_state(name, TargetState.STOPPED)

    async def active_topics(self, name: str) -> list[str]:
        if not self.config.get_bool("topic.tracking.enable"):
            raise ConnectRestException(403, "Topic tracking is disabled.")
        return sorted(t.topic for t in self.status_store.get_all_topics(name))

    async def reset_active_topics(self, name: str) -> None:
        if not self.config.get_bool("topic.tracking.enable"):
            raise ConnectRestException(403, "Topic tracking is disabled.")
        if not self.config.get_bool("topic.tracking.allow.reset"):
            raise ConnectRestException(403, "Topic tracking reset is disabled.")
        for t in self.status_store.get_all_topics(name):
            await self.status_store.delete_topic(name, t.topic)

    # --- offsets (KIP-875) ----------------------------------------------------------------------------------

    async def connector_offsets(self, name: str) -> ConnectorOffsets:
        return await self._offsets.read(name, self._conf(name))

    def _check_stopped(self, name: str) -> dict[str, str]:
        cfg = self._conf(name)
        if self._target(name) is not TargetState.STOPPED or self.config_store.state.task_count(name) != 0:
            raise not_stopped(name)
        return cfg

    async def alter_connector_offsets(self, name: str, offsets: list[JsonObj]) -> Message:
        require_offsets(offsets)
        async with self._lock:
            return await self._offsets.alter(name, self._check_stopped(name), offsets)

    async def reset_connector_offsets(self, name: str) -> Message:
        async with self._lock:
            return await self._offsets.reset(name, self._check_stopped(name))

    # --- validation and plugins ---------------------------------------------------------------------------

    async def validate_connector_config(self, config: dict[str, Any]) -> JsonObj:
        return validate_connector_config(self.plugins, self.config, config, self.config_policies)

    async def set_cluster_logger_level(self, namespace: str, level: str) -> None:
        logging.getLogger(namespace).setLevel(level.upper())

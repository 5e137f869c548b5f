"""The distributed herder (Java ``DistributedHerder``): one member of a Connect cluster.

It keeps the three Kafka-backed stores, is a member of the ``connect`` group, runs the assignor when it
is the leader, starts and stops what the assignment gives this worker, and turns REST calls into
config-topic records. The flow is the one of Java's worker:

* start-up (internal-topics spec §3.1): offsets store, status store, config store (each read to the
  end), then join the group with metadata = advertised URL + config offset (+ running set);
* group callbacks run on the membership task (:mod:`~genesis_worker.herder.assignment`);
* config-store updates are queued (:mod:`~genesis_worker.herder.config_updates`) and applied by the
  tick loop (:mod:`~genesis_worker.herder.tick`; internal-topics spec §5.5);
* statuses are written in order by :mod:`~genesis_worker.herder.status_writer`, task configs generated
  again by :mod:`~genesis_worker.herder.reconfiguration`, session keys kept by
  :mod:`~genesis_worker.herder.key_rotation`;
* REST operations needing the leader raise :class:`NotLeaderException` (the REST layer forwards), and
  ``RebalanceNeededException`` while a rebalance is expected.

:class:`DistributedHerder` composes those parts and implements the :class:`Herder` interface. One
asyncio lock plays the part of Java's single herder thread: assignment changes, queued config updates
and REST mutations never interleave.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Mapping
from typing import Any

from genesis_worker.api.errors import AlreadyExistsException, ConnectException, NotFoundException
from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.group.protocol import ConnectProtocolCompatibility
from genesis_worker.herder.abstract import HEALTHY, STARTING, AbstractHerder
from genesis_worker.herder.assignment import AssignmentHandler
from genesis_worker.herder.background import BackgroundTasks, cancel
from genesis_worker.herder.config_updates import ConfigUpdates
from genesis_worker.herder.config_view import ConfigSnapshots, ConfigView
from genesis_worker.herder.distributed_config import DistributedConfig
from genesis_worker.herder.distributed_runtime import RuntimeFactory
from genesis_worker.herder.errors import (
    BadRequestException,
    NotAssignedException,
    NotLeaderException,
    RebalanceNeededException,
)
from genesis_worker.herder.key_rotation import SessionKeys
from genesis_worker.herder.offsets import not_stopped, require_offsets
from genesis_worker.herder.rebalance import GroupState, LocalAssignment
from genesis_worker.herder.reconfiguration import TaskReconfigurer
from genesis_worker.herder.restart_policy import AutoRestarter, RestartSettings
from genesis_worker.herder.stage import Stage
from genesis_worker.herder.status_writer import StatusWriter
from genesis_worker.herder.tick import TickLoop
from genesis_worker.herder.work import LocalWork
from genesis_worker.model.entities import (
    ConnectorInfo,
    ConnectorOffsets,
    ConnectorStateInfo,
    JsonObj,
    Message,
    TaskInfo,
    WorkerStatus,
)
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.session_key import SessionKey
from genesis_worker.model.states import RestartRequest, State, TargetState
from genesis_worker.plugins.registry import PluginRegistry
from genesis_worker.storage.base import ConfigBackingStore, OffsetBackingStore, StatusBackingStore

log = logging.getLogger(__name__)
JOIN_WAIT_S = 60.0
UNHEALTHY_AFTER_S = 10
REBALANCE_WAIT_S = 0.2
"""How often an automatic restart checks whether the pending rebalance is over."""


class DistributedHerder(AbstractHerder):
    """A worker in a Connect cluster; see the module doc."""

    def __init__(
        self,
        cfg: DistributedConfig,
        *,
        rest_url: str,
        worker_id: str,
        runtime: RuntimeFactory,
        config_store: ConfigBackingStore,
        status_store: StatusBackingStore,
        offset_store: OffsetBackingStore,
        plugins: PluginRegistry,
        kafka_cluster_id: str = "",
        client_config: Mapping[str, Any] | None = None,
        admin_config: Mapping[str, Any] | None = None,
        restart: RestartSettings | None = None,
    ) -> None:
        self.cfg = cfg
        self.plugins = plugins
        self.worker_id = worker_id
        self._url = rest_url
        self.config_store = self._config = config_store
        self._status = status_store
        self._offsets = offset_store
        self._cluster_id = kafka_cluster_id
        self._client_config = dict(client_config or {})
        self._admin_config = dict(admin_config or {"bootstrap.servers": cfg.bootstrap_servers})
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._stage = Stage()
        self._background = BackgroundTasks()
        self._tick_task: asyncio.Task[None] | None = None
        self._started = False
        self.group = GroupState(cfg.protocol)
        self.snapshots = ConfigSnapshots(config_store, sync_timeout_ms=cfg.worker_sync_timeout_ms, worker_id=worker_id)
        self.statuses = StatusWriter(
            status_store,
            self.group,
            worker_id=worker_id,
            version_of=self._version_of,
            topic_tracking=cfg.topic_tracking_enable,
        )
        self.restarts: AutoRestarter = AutoRestarter(
            self.statuses,
            restart or RestartSettings(),
            connector_config=lambda name: self._snapshot().connector_config(name),
            restart=self._auto_restart,
        )
        self.runtime = runtime(self.restarts, self._restart_for_reload)
        self.metrics = self.restarts.metrics = self.runtime.metrics
        self.keys = SessionKeys(cfg, config_store, self.snapshots, self.group, worker_id=worker_id)
        self.reconfigurer = TaskReconfigurer(
            self.snapshots,
            config_store,
            self.runtime,
            self.group,
            self.keys,
            signature_algorithm=cfg.signature_algorithm,
            spawn=self._background.spawn,
            wake=self._wake,
            worker_id=worker_id,
        )
        self.work = LocalWork(self.runtime, self.reconfigurer, worker_id=worker_id)
        self.updates = ConfigUpdates(self.group, wake=self._wake, worker_id=worker_id)
        self.assignment = AssignmentHandler(
            cfg,
            self.group,
            self.snapshots,
            self.work,
            self.statuses,
            self.updates.pending,
            self.keys,
            rest_url=rest_url,
            worker_id=worker_id,
            lock=self._lock,
            wake=self._wake,
            stage=self._stage,
            metrics=self.metrics,
        )
        self._tick = TickLoop(
            cfg,
            self.group,
            self.snapshots,
            self.updates.pending,
            self.assignment,
            self.work,
            self.statuses,
            self.reconfigurer,
            self.keys,
            lock=self._lock,
            wake=self._wake,
            worker_id=worker_id,
        )

    # ------------------------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Internal-topics spec §3.1: offsets, status and config stores read to the end, then join."""
        log.info("herder %s starting (group %s)", self.worker_id, self.cfg.group_id)
        self._config.add_listener(self.updates)
        loop = asyncio.get_running_loop()
        with self._stage("reading to the end of internal topics"):
            # Java starts them one after the other; all that matters is that all three are read to the
            # end before the first JoinGroup, so they load in parallel here.
            cluster_id = loop.run_in_executor(None, self._fetch_cluster_id) if not self._cluster_id else None
            await asyncio.gather(self._offsets.start(), self._status.start(), self._config.start())
            if cluster_id is not None:
                with contextlib.suppress(Exception):
                    self._cluster_id = await cluster_id
        self.updates.known_connectors.update(self.snapshots.current().connectors())
        self._tick_task = asyncio.create_task(self._tick.run(), name=f"herder-{self.worker_id}")
        self._background.spawn(self.statuses.run(), f"herder-status-{self.worker_id}")
        await self.assignment.join(self._client_config)
        self._started = True
        log.info("herder %s started", self.worker_id)

    async def stop(self) -> None:
        """Stop everything this worker runs, leave the group, stop the stores."""
        if self.assignment.stopping:
            return
        self.assignment.stopping = True
        self._wake.set()
        await self.restarts.close()
        await self.assignment.leave()
        await cancel(self._tick_task)
        await self._background.cancel_all()
        await self.reconfigurer.close()
        await self.runtime.stop()
        for backing in (self._config, self._status, self._offsets):
            with contextlib.suppress(Exception):
                await backing.stop()
        log.info("herder %s stopped", self.worker_id)

    def kafka_cluster_id(self) -> str:
        return self._cluster_id

    def _fetch_cluster_id(self) -> str:
        from confluent_kafka.admin import AdminClient

        admin = AdminClient({**self._admin_config, "client.id": f"{self.cfg.group_id}-shared-admin"})
        return str(admin.list_topics(timeout=10).cluster_id or "")

    def stage_summary(self) -> str | None:
        """For REST time-outs: what the herder is doing (Java's ``TickThreadStage`` summary)."""
        return self._stage.summary()

    def rest_url(self) -> str | None:
        return self._url

    def health(self) -> tuple[int, WorkerStatus]:
        stage = self.stage_summary()
        suffix = f" {stage}" if stage else ""
        if not self._started or not self.group.local.known:
            return 503, WorkerStatus("starting", f"{STARTING}{suffix}")
        running = self._stage.running_for()
        if self._lock.locked() and running is not None and running > UNHEALTHY_AFTER_S:
            return 500, WorkerStatus(
                "unhealthy",
                f"Worker was unable to handle this request and may be unable to handle other requests.{suffix}",
            )
        return 200, HEALTHY

    # ------------------------------------------------------------------------------------ identity

    @property
    def generation(self) -> int:
        return self.group.generation

    @property
    def protocol(self) -> ConnectProtocolCompatibility:
        return self.group.protocol

    @property
    def local(self) -> LocalAssignment:
        return self.group.local

    @property
    def is_leader(self) -> bool:
        return self.group.is_leader

    def leader_url(self) -> str | None:
        return self.group.leader_url()

    def session_key(self) -> SessionKey | None:
        """The current session key (None before one was read)."""
        return self.keys.current()

    def requires_request_signature(self) -> bool:
        """True while the group runs protocol ``sessioned`` (internal requests must be signed)."""
        return self.keys.required()

    def _check_rebalance_needed(self) -> None:
        if self.group.needs_rebalance:
            raise RebalanceNeededException("Request cannot be completed because a rebalance is expected")

    async def _until_joined(self) -> None:
        """A request that needs the leader, sent while this worker is still joining the group, waits for
        the first assignment (as Java's herder queues it) instead of answering 409 "no known leader"."""
        if not self.group.joined.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.group.joined.wait(), JOIN_WAIT_S)

    def _require_leader(self, message: str) -> None:
        if not self.is_leader:
            raise NotLeaderException(message, self.leader_url())

    def _snapshot(self) -> ConfigView:
        return self.snapshots.current()

    @property
    def _status_store(self) -> StatusBackingStore:
        return self._status

    def _connector_config(self, name: str) -> Mapping[str, Any] | None:
        return self._snapshot().connector_config(name)

    async def catch_up(self) -> None:
        await self.snapshots.read_to_end()  # best effort: a slow read only makes the answer's view older

    # ------------------------------------------------------------------------------------ REST: reads

    async def connectors(self) -> list[str]:
        return sorted(self._snapshot().connectors())

    async def connector_info(self, name: str) -> ConnectorInfo:
        self._check_rebalance_needed()
        return await self.connector_info_local(name)

    async def connector_info_local(self, name: str) -> ConnectorInfo:
        snap = self._snapshot()
        config = snap.connector_config(name)
        if config is None:
            raise NotFoundException(f"Connector {name} not found")
        return self._info(name, config, snap)

    def _info(self, name: str, config: Mapping[str, str], snap: ConfigView) -> ConnectorInfo:
        return ConnectorInfo(name, dict(config), list(snap.tasks(name)), self._connector_type(config))

    async def connector_config(self, name: str) -> dict[str, str]:
        self._check_rebalance_needed()
        config = self._snapshot().connector_config(name)
        if config is None:
            raise NotFoundException(f"Connector {name} not found")
        return dict(config)

    async def task_configs(self, name: str) -> list[TaskInfo]:
        self._check_rebalance_needed()
        snap = self._snapshot()
        if snap.connector_config(name) is None:
            raise NotFoundException(f"Connector {name} not found")
        out = []
        for i in range(snap.task_count(name)):
            tid = ConnectorTaskId(name, i)
            out.append(TaskInfo(tid, dict(snap.task_config(tid) or {})))
        return out

    async def connector_status(self, name: str) -> ConnectorStateInfo:
        if self._connector_config(name) is None:
            raise NotFoundException(f"No status found for connector {name}")
        return await super().connector_status(name)

    async def active_topics(self, name: str) -> list[str]:
        return sorted({t.topic for t in self._status.get_all_topics(name)})

    async def reset_active_topics(self, name: str) -> None:
        for t in self._status.get_all_topics(name):
            await self._status.delete_topic(name, t.topic)

    # ------------------------------------------------------------------------------- REST: writes

    async def put_connector_config(
        self, name: str, config: dict[str, str], *, allow_replace: bool, initial_state: TargetState | None = None
    ) -> tuple[bool, ConnectorInfo]:
        config = dict(config)
        config.setdefault("name", name)
        await self._validate_or_raise(config)
        await self._until_joined()
        async with self._lock:
            self._require_leader("Only the leader can set connector configs.")
            exists = self._snapshot().connector_config(name) is not None
            if exists and not allow_replace:
                raise AlreadyExistsException(f"Connector {name} already exists")
            await self._config.put_connector_config(name, dict(config), initial_state)
            return not exists, self._info(name, config, self._snapshot())

    async def patch_connector_config(self, name: str, patch: dict[str, str | None]) -> ConnectorInfo:
        await self._until_joined()
        async with self._lock:
            self._require_leader("Only the leader can set connector configs.")
            current = self._snapshot().connector_config(name)
            if current is None:
                raise NotFoundException(f"Connector {name} not found")
            merged = self._patched(current, patch)
        _, info = await self.put_connector_config(name, merged, allow_replace=True)
        return info

    async def delete_connector(self, name: str) -> None:
        await self._until_joined()
        async with self._lock:
            self._require_leader("Only the leader can delete connector configs.")
            if self._snapshot().connector_config(name) is None:
                raise NotFoundException(f"Connector {name} not found")
            await self._config.remove_connector_config(name)

    async def pause_connector(self, name: str) -> None:
        if self._snapshot().connector_config(name) is None:
            raise NotFoundException(f"Unknown connector {name}")
        await self._config.put_target_state(name, TargetState.PAUSED)

    async def resume_connector(self, name: str) -> None:
        if self._snapshot().connector_config(name) is None:
            raise NotFoundException(f"Unknown connector {name}")
        await self._config.put_target_state(name, TargetState.STARTED)

    async def stop_connector(self, name: str) -> None:
        await self._until_joined()
        async with self._lock:
            if self._snapshot().connector_config(name) is None:
                raise NotFoundException(f"Unknown connector {name}")
            self._require_leader("Only the leader can transition connectors to the STOPPED state.")
            await self._config.put_task_configs(name, [])
            await self._config.put_target_state(name, TargetState.STOPPED)
            await self.snapshots.read_to_end()

    async def restart_connector(self, request: RestartRequest) -> ConnectorStateInfo | None:
        await self._until_joined()
        name = request.connector
        if not request.include_tasks and not request.only_failed:
            async with self._lock:
                self._check_rebalance_needed()
                snap = self._snapshot()
                if snap.connector_config(name) is None:
                    raise NotFoundException(f"Unknown connector: {name}")
                if name in self.local.connectors:
                    await self.work.restart_connector(name, snap)
                    return None
                if self.is_leader:
                    raise NotAssignedException(
                        "Cannot restart connector since it is not assigned to this member",
                        self.group.connector_owners.get(name),
                    )
                raise NotLeaderException("Only the leader can process restart requests.", self.leader_url())
        async with self._lock:
            self._check_rebalance_needed()
            self._require_leader("Only the leader can process restart requests.")
            if self._snapshot().connector_config(name) is None:
                raise NotFoundException(f"Unknown connector: {name}")
            await self._config.put_restart_request(request)
        return await self._restart_plan(request)

    async def _restart_plan(self, request: RestartRequest) -> ConnectorStateInfo:
        """The ConnectorStateInfo answered to a KIP-745 restart: what will restart shows RESTARTING."""
        try:
            status = await self.connector_status(request.connector)
        except NotFoundException:
            raise NotFoundException(f"Status for connector {request.connector} not found") from None

        def restarts(state: State) -> bool:
            return not request.only_failed or state is State.FAILED

        conn = status.connector
        if restarts(conn.state):
            conn = dataclasses.replace(conn, state=State.RESTARTING)
        tasks = [
            dataclasses.replace(t, state=State.RESTARTING) if request.include_tasks and restarts(t.state) else t
            for t in status.tasks
        ]
        return dataclasses.replace(status, connector=conn, tasks=tasks)

    async def restart_task(self, task: ConnectorTaskId) -> None:
        async with self._lock:
            self._check_rebalance_needed()
            snap = self._snapshot()
            if snap.connector_config(task.connector) is None:
                raise NotFoundException(f"Unknown connector: {task.connector}")
            if snap.task_config(task) is None:
                raise NotFoundException(f"Task {task} not found")
            if task in self.local.tasks:
                await self.runtime.stop_tasks([task])
                await self.work.start_task(task, snap)
                return
            if self.is_leader:
                raise NotAssignedException(
                    "Cannot restart task since it is not assigned to this member", self.group.task_owners.get(task)
                )
            raise NotLeaderException("Cannot restart task since it is not assigned to this member", self.leader_url())

    async def _auto_restart(self, name: str, task: ConnectorTaskId | None) -> bool:
        """The restart policy's restart of a FAILED connector or task this worker runs, as a restart
        request's (RESTARTING, stop, start), once no rebalance is pending (one may move it elsewhere);
        False if it no longer is FAILED here."""
        while True:
            async with self._lock:
                if not self.group.needs_rebalance:
                    return await self._auto_restart_locked(name, task)
            await asyncio.sleep(REBALANCE_WAIT_S)

    async def _auto_restart_locked(self, name: str, task: ConnectorTaskId | None) -> bool:
        snap = self._snapshot()
        if snap.connector_config(name) is None or not self.restarts.failed(name, task):
            return False
        if task is None:
            if name not in self.local.connectors:
                return False
            await self.statuses.put_connector(name, State.RESTARTING)
            await self.work.restart_connector(name, snap)
            return True
        if task not in self.local.tasks:
            return False
        await self.statuses.put_task(task, State.RESTARTING)
        await self.runtime.stop_tasks([task])
        await self.work.start_task(task, snap)
        return True

    # ------------------------------------------------------------------------------- internal endpoints

    async def put_task_configs(self, name: str, configs: list[dict[str, str]], signature: Any = None) -> None:
        """Internal ``POST /connectors/{c}/tasks`` (leader only; signed under protocol ``sessioned``)."""
        self.keys.check(signature)
        await self._until_joined()
        async with self._lock:
            self._require_leader("Only the leader may write task configurations.")
            if self._snapshot().connector_config(name) is None:
                raise NotFoundException(f"Connector {name} not found")
            await self.reconfigurer.write_task_configs(name, configs)

    async def fence_zombie_source_tasks(self, name: str, signature: Any = None) -> None:
        """Internal ``PUT /connectors/{c}/fence`` (KIP-618). This worker does not run transactional
        source tasks, so there are no producers to fence: the leader records the task count."""
        self.keys.check(signature)
        await self._until_joined()
        async with self._lock:
            self._require_leader("Only the leader may perform zombie fencing.")
            config = self._snapshot().connector_config(name)
            if config is None:
                raise NotFoundException(f"Connector {name} not found")
            if self._connector_type(config) != "source":
                raise BadRequestException(f"Connector {name} is not a source connector")
            if not await self.snapshots.read_to_end():
                raise ConnectException("Failed to read to end of config topic before performing zombie fencing")
            await self._config.put_task_count_record(name, self._snapshot().task_count(name))

    async def set_cluster_logger_level(self, namespace: str, level: str) -> None:
        await self._config.put_logger_level(namespace, level)

    # ------------------------------------------------------------------------------------ offsets

    async def connector_offsets(self, name: str) -> ConnectorOffsets:
        config = self._snapshot().connector_config(name)
        if config is None:
            raise NotFoundException(f"Connector {name} not found")
        return await self.runtime.connector_offsets(name, dict(config))

    async def _check_offsets_modifiable(self, name: str) -> dict[str, str]:
        self._require_leader("Only the leader can process external offsets modification requests")
        if not await self.snapshots.read_to_end():
            raise ConnectException("Failed to read to the end of the config topic")
        snap = self._snapshot()
        config = snap.connector_config(name)
        if config is None:
            raise NotFoundException(f"Connector {name} not found")
        if snap.target_state(name) is not TargetState.STOPPED or snap.task_count(name) != 0:
            raise not_stopped(name)
        return dict(config)

    async def alter_connector_offsets(self, name: str, offsets: list[JsonObj]) -> Message:
        await self._until_joined()
        async with self._lock:
            self._check_rebalance_needed()
            config = await self._check_offsets_modifiable(name)
        require_offsets(offsets)
        return await self.runtime.alter_connector_offsets(name, config, offsets)

    async def reset_connector_offsets(self, name: str) -> Message:
        await self._until_joined()
        async with self._lock:
            self._check_rebalance_needed()
            config = await self._check_offsets_modifiable(name)
        return await self.runtime.reset_connector_offsets(name, config)

    # ------------------------------------------------------------------------------------ validation

    async def validate_connector_config(self, config: dict[str, Any]) -> JsonObj:
        return await self.runtime.validate_connector_config(config, self.config_policies)


def from_worker_config(config: WorkerConfig, plugins: PluginRegistry | None = None) -> DistributedHerder:
    """Wire a distributed worker from its properties (used by ``genesis-worker distributed``): the three
    Kafka stores, the runtime Worker and the herder, advertised at ``config.rest_url``."""
    from genesis_worker.config.kafka_clients import translate
    from genesis_worker.herder.distributed_runtime import WorkerRuntime
    from genesis_worker.herder.distributed_setup import create_stores
    from genesis_worker.herder.member_client import aiokafka_client_config

    props = {k: str(v) for k, v in config.originals.items() if v is not None}
    cfg = DistributedConfig.from_props(props)
    registry = plugins or PluginRegistry.discover(config.get_list("plugin.path") or [])
    client_config = translate(config.worker_client_props(), "admin").conf
    stores = create_stores(props, client_config, cfg)
    return DistributedHerder(
        cfg,
        rest_url=config.rest_url,
        worker_id=config.worker_id,
        runtime=lambda listener, reload: WorkerRuntime(
            config, registry, stores.offsets, listener, config.worker_id, reload
        ),
        config_store=stores.config,
        status_store=stores.status,
        offset_store=stores.offsets,
        plugins=registry,
        admin_config=client_config,
        client_config=aiokafka_client_config(client_config),
        restart=RestartSettings.from_props(props),
    )

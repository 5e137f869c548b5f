"""The distributed herder (Java ``DistributedHerder``): one member of a Connect cluster.

It keeps the three Kafka-backed stores, is a member of the ``connect`` group, runs the assignor when it
is the leader, starts and stops what the assignment gives this worker, and turns REST calls into
config-topic records. The flow is the one of Java's worker:

* start-up (internal-topics spec §3.1): offsets store, status store, config store (each read to the
  end), then join the group with metadata = advertised URL + config offset (+ running set);
* group callbacks (``GroupListener``) run on the membership task: ``on_join_prepare`` (eager: stop
  everything), ``perform_assignment`` (leader), ``on_assigned`` (group spec §6.3: catch up on the config
  topic, stop revoked work, start new work, rejoin after revocations, honour ``delay``);
* config-store updates are queued and applied by the herder's tick loop (internal-topics spec §5.5);
* REST operations needing the leader raise :class:`NotLeaderException` (the REST layer forwards), and
  ``RebalanceNeededException`` while a rebalance is expected.

One asyncio lock plays the part of Java's single herder thread: assignment changes, queued config
updates and REST mutations never interleave.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import aiohttp

from genesis_worker.api.errors import AlreadyExistsException, ConnectException, NotFoundException
from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.genesis.history import ConfigHistory, HistoryListener
from genesis_worker.group.assignors import ConfigSnapshot, EagerAssignor, IncrementalCooperativeAssignor
from genesis_worker.group.membership import GroupAssignment, GroupListener, Protocols, WorkerGroupMember
from genesis_worker.group.protocol import (
    ConnectAssignment,
    ConnectProtocolCompatibility,
    WorkerState,
    decode_assignment,
    metadata_protocols,
)
from genesis_worker.herder.base import Herder
from genesis_worker.herder.common import connector_type, plugin_version
from genesis_worker.herder.distributed_config import DistributedConfig
from genesis_worker.herder.errors import (
    BadRequestException,
    NotAssignedException,
    NotLeaderException,
    RebalanceNeededException,
)
from genesis_worker.herder.internal_client import post_task_configs
from genesis_worker.herder.loggers import worker_loggers
from genesis_worker.herder.rebalance import LocalAssignment, cooperative_unsync_backoff_ms
from genesis_worker.herder.session_keys import InternalRequestSignature, check_internal_request, generate_session_key
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
from genesis_worker.model.session_key import SessionKey
from genesis_worker.model.states import RestartRequest, State, TargetState
from genesis_worker.model.status import ConnectorStatus, TaskStatus, TopicStatus
from genesis_worker.plugins.registry import PluginRegistry
from genesis_worker.runtime.config_infos import invalid_config_message
from genesis_worker.storage import base as store

log = logging.getLogger(__name__)
JOIN_WAIT_S = 60.0

RECONFIGURE_BACKOFF_INITIAL_MS = 250
RECONFIGURE_BACKOFF_MAX_MS = 60_000


class ConfigView:
    """The herder's reading of a config-store snapshot (REST types, task ids of either kind)."""

    def __init__(self, state: store.ClusterConfigState) -> None:
        self.state = state
        self.offset = state.offset

    def connectors(self) -> list[str]:
        return self.state.connectors()

    def connector_config(self, name: str) -> dict[str, Any] | None:
        cfg = self.state.connector_configs.get(name)
        return None if cfg is None else dict(cfg)

    def target_state(self, name: str) -> TargetState | None:
        return self.state.target_state(name)

    def task_count(self, name: str) -> int:
        return self.state.task_count(name)

    def tasks(self, name: str) -> list[ConnectorTaskId]:
        return self.state.tasks(name)

    def task_config(self, task: ConnectorTaskId) -> dict[str, Any] | None:
        cfg = self.state.task_config(task)
        return None if cfg is None else dict(cfg)

    def applied_connector_config(self, name: str) -> dict[str, Any] | None:
        return self.state.applied_connector_configs.get(name)

    def session_key(self) -> SessionKey | None:
        return self.state.session_key


class DistributedHerder(Herder, GroupListener, store.ConfigUpdateListener):
    """A worker in a Connect cluster; see the module doc."""

    def __init__(
        self,
        cfg: DistributedConfig,
        *,
        rest_url: str,
        worker_id: str,
        runtime: Any,
        config_store: Any,
        status_store: Any,
        offset_store: Any,
        plugins: Any,
        kafka_cluster_id: str = "",
        client_config: Mapping[str, Any] | None = None,
        admin_config: Mapping[str, Any] | None = None,
    ) -> None:
        self.cfg = cfg
        self.plugins = plugins
        self._url = rest_url
        self.worker_id = worker_id
        self._runtime = runtime
        self._config = config_store
        self.history = ConfigHistory()
        self._history = HistoryListener(self.history, lambda: self._config.state)
        self._status = status_store
        self._offsets = offset_store
        self._cluster_id = kafka_cluster_id
        self._client_config = dict(client_config or {})
        self._admin_config = dict(admin_config or {"bootstrap.servers": cfg.bootstrap_servers})
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._joined = asyncio.Event()  # set by the first assignment: leader-only requests wait for it
        self._stopping = False
        self._started = False
        self._member: WorkerGroupMember | None = None
        self._tick_task: asyncio.Task[None] | None = None
        self._http: aiohttp.ClientSession | None = None
        self._background: set[asyncio.Task[Any]] = set()
        # assignment state
        self._eager_assignor = EagerAssignor()
        self._coop_assignor = IncrementalCooperativeAssignor(
            cfg.protocol.protocol if cfg.protocol.version >= 1 else "compatible", cfg.scheduled_rebalance_max_delay_ms
        )
        self.local = LocalAssignment()
        self.protocol = cfg.protocol
        self.generation = -1
        self.member_id = ""
        self.leader_id = ""
        self._last_failed = False
        self._rebalance_resolved = False
        self._needs_reconfig_rebalance = False
        self._connector_owners: dict[str, str] = {}
        self._task_owners: dict[ConnectorTaskId, str] = {}
        self._rejoin_at: float | None = None
        self._unsync_failures = 0
        # queued config-store updates (internal-topics §5.5)
        self._connector_updates: set[str] = set()
        self._target_state_updates: set[str] = set()
        self._task_updates: set[str] = set()
        self._restart_requests: dict[str, RestartRequest] = {}
        self._tasks_to_restart: set[ConnectorTaskId] = set()
        self._reconfigure_at: dict[str, float] = {}
        self._reconfigure_backoff: dict[str, int] = {}
        self._known_connectors: set[str] = set()
        self._key_rotation_at: float | None = None
        # observability for tests and benchmarks
        self.rebalances_completed = 0
        self.last_rebalance_ms: float | None = None
        self._join_started_at: float | None = None
        self._stage: tuple[str, float, float | None] | None = None
        self._status_queue: asyncio.Queue[tuple[Any, bool]] = asyncio.Queue()
        self._view: ConfigView | None = None
        self._coordinator_lost_at: float | None = None

    # ------------------------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Internal-topics spec §3.1: offsets, status and config stores read to the end, then join."""
        log.info("herder %s starting (group %s)", self.worker_id, self.cfg.group_id)
        self._config.set_update_listener(self)
        loop = asyncio.get_running_loop()
        with self._tick_stage("reading to the end of internal topics"):
            # Java starts them one after the other; all that matters is that all three are read to the
            # end before the first JoinGroup, so they load in parallel here.
            cluster_id = loop.run_in_executor(None, self._fetch_cluster_id) if not self._cluster_id else None
            await asyncio.gather(self._offsets.start(), self._status.start(), self._config.start())
            if cluster_id is not None:
                with contextlib.suppress(Exception):
                    self._cluster_id = await cluster_id
        self._known_connectors = set(self._snapshot().connectors())
        self._http = aiohttp.ClientSession()
        self._tick_task = asyncio.create_task(self._tick_loop(), name=f"herder-{self.worker_id}")
        self._spawn(self._status_writer(), f"herder-status-{self.worker_id}")
        client_id = self.cfg.client_id or f"connect-{self.worker_id}"
        self._member = WorkerGroupMember(
            self.cfg.bootstrap_servers,
            self.cfg.group_id,
            listener=self,
            client_id=client_id,
            session_timeout_ms=self.cfg.session_timeout_ms,
            rebalance_timeout_ms=self.cfg.rebalance_timeout_ms,
            heartbeat_interval_ms=self.cfg.heartbeat_interval_ms,
            retry_backoff_ms=self.cfg.retry_backoff_ms,
            **self._client_config,
        )
        await self._member.start()
        self._started = True
        log.info("herder %s started", self.worker_id)

    async def stop(self) -> None:
        """Stop everything this worker runs, leave the group, stop the stores."""
        if self._stopping:
            return
        self._stopping = True
        self._wake.set()
        async with self._lock:
            change = self.local.clear()
            await self._stop_work(change.stop_connectors, change.stop_tasks, unassigned=True)
        await self._flush_statuses()
        if self._member is not None:
            await self._member.close()
        await self._cancel(self._tick_task)
        for t in list(self._background):
            await self._cancel(t)
        if self._http is not None:
            await self._http.close()
        await self._runtime.stop()
        for backing in (self._config, self._status, self._offsets):
            with contextlib.suppress(Exception):
                await backing.stop()
        log.info("herder %s stopped", self.worker_id)

    @staticmethod
    async def _cancel(task: asyncio.Task[Any] | None) -> None:
        if task is None or task.done():
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task

    def _spawn(self, coro: Any, name: str) -> None:
        t = asyncio.create_task(coro, name=name)
        self._background.add(t)
        t.add_done_callback(self._background.discard)

    def kafka_cluster_id(self) -> str:
        return self._cluster_id

    def _fetch_cluster_id(self) -> str:
        from confluent_kafka.admin import AdminClient

        admin = AdminClient({**self._admin_config, "client.id": f"{self.cfg.group_id}-shared-admin"})
        return str(admin.list_topics(timeout=10).cluster_id or "")

    @contextlib.contextmanager
    def _tick_stage(self, description: str) -> Any:
        self._stage = (description, time.time(), None)
        try:
            yield
        finally:
            self._stage = (description, self._stage[1] if self._stage else time.time(), time.time())

    def stage_summary(self) -> str | None:
        """For REST time-outs: what the herder is doing (Java's ``TickThreadStage`` summary)."""
        if self._stage is None:
            return None
        description, began, ended = self._stage
        if ended is None:
            return f"The worker is currently {description}, which began at {_iso(began)}."
        return (
            f"The last operation the worker completed was {description}, which began at {_iso(began)} "
            f"and completed at {_iso(ended)}."
        )

    def rest_url(self) -> str | None:
        return self._url

    def health(self) -> tuple[int, WorkerStatus]:
        stage = self.stage_summary()
        suffix = f" {stage}" if stage else ""
        if not self._started or not self.local.known:
            return 503, WorkerStatus("starting", f"Worker is still starting up.{suffix}")
        if self._lock.locked() and self._stage is not None and self._stage[2] is None:
            began = self._stage[1]
            if time.time() - began > 10:
                return 500, WorkerStatus(
                    "unhealthy",
                    f"Worker was unable to handle this request and may be unable to handle other requests.{suffix}",
                )
        return 200, WorkerStatus("healthy", "Worker has completed startup and is ready to handle requests.")

    # ------------------------------------------------------------------------------------ identity

    @property
    def is_leader(self) -> bool:
        return bool(self.member_id) and self.member_id == self.leader_id

    def leader_url(self) -> str | None:
        if not self.local.known:
            return None
        return self.local.leader_url or None

    def session_key(self) -> SessionKey | None:
        """The current session key (None before one was read)."""
        return self._snapshot().session_key()

    def requires_request_signature(self) -> bool:
        """True while the group runs protocol ``sessioned`` (internal requests must be signed)."""
        return self.protocol is ConnectProtocolCompatibility.SESSIONED

    def _check_rebalance_needed(self) -> None:
        if self._needs_reconfig_rebalance:
            raise RebalanceNeededException("Request cannot be completed because a rebalance is expected")

    async def _until_joined(self) -> None:
        """A request that needs the leader, sent while this worker is still joining the group, waits for
        the first assignment (as Java's herder queues it) instead of answering 409 "no known leader"."""
        if not self._joined.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._joined.wait(), JOIN_WAIT_S)

    def _require_leader(self, message: str) -> None:
        if not self.is_leader:
            raise NotLeaderException(message, self.leader_url())

    def _snapshot(self) -> ConfigView:
        """The config state, re-read from the store only when its offset moved (every record moves it)."""
        offset = getattr(self._config, "offset", None)
        view = self._view
        if view is None or offset is None or view.offset != offset:
            view = self._view = ConfigView(self._config.snapshot())
        return view

    def _assignor_snapshot(self) -> ConfigSnapshot:
        state: store.ClusterConfigState = self._config.snapshot()
        return ConfigSnapshot(state.offset, state.assignable_task_counts())

    # ------------------------------------------------------------------------ group listener (member)

    def protocols(self) -> Protocols:
        snap = self._snapshot()
        version = self.cfg.protocol.version
        # the running set is reported with the header of the protocol in force (1 or 2)
        alloc = self.local.allocation(1)  # re-headed with the version of each metadata entry
        state = WorkerState(self._url, snap.offset, alloc)
        self._join_started_at = time.monotonic()
        return metadata_protocols(ConnectProtocolCompatibility.from_version(version), state)

    async def on_join_prepare(self, generation: int, member_id: str) -> None:
        if self._stopping:
            return
        async with self._lock:
            self._rebalance_resolved = False
            if self.protocol is ConnectProtocolCompatibility.EAGER and self.local.known and not self._last_failed:
                change = self.local.clear()
                await self._stop_work(change.stop_connectors, change.stop_tasks, unassigned=True)
            await self._flush_statuses()

    async def perform_assignment(
        self,
        leader_id: str,
        protocol: str,
        members: Sequence[tuple[str, bytes]],
        generation: int,
        last_completed_generation: int,
    ) -> Mapping[str, bytes]:
        compat = ConnectProtocolCompatibility.from_protocol(protocol)
        ordered = dict(members)
        snapshot = self._assignor_snapshot()
        if compat is ConnectProtocolCompatibility.EAGER:
            result = self._eager_assignor.assign(leader_id, ordered, snapshot, refresh=self._assignor_snapshot)
        else:
            result = self._coop_assignor.assign(
                leader_id,
                ordered,
                snapshot,
                refresh=self._assignor_snapshot,
                generation=generation,
                last_completed_generation=last_completed_generation,
                version=compat.version,
            )
        self._connector_owners = dict(result.connector_owners)
        self._task_owners = dict(result.task_owners)
        first = next(iter(result.assignments.values()), None)
        log.info(
            "leader %s: assignment for generation %s (%s, config offset %s, delay %s) over %s members",
            self.worker_id,
            generation,
            protocol,
            first.offset if first else None,
            first.delay if first else None,
            len(result.assignments),
        )
        return result.encoded()

    async def on_assigned(self, assignment: GroupAssignment) -> None:
        a = decode_assignment(assignment.assignment)
        if self._stopping:
            return
        async with self._lock:
            if self._stopping:
                return
            self.generation = assignment.generation
            self.member_id = assignment.member_id
            self.leader_id = assignment.leader_id
            self._joined.set()
            self.protocol = ConnectProtocolCompatibility.from_protocol(assignment.protocol)
            try:
                await self._handle_assignment(a)
            except Exception:
                log.exception("herder %s: failed to apply the assignment; rejoining", self.worker_id)
                self._rejoin_at = time.monotonic() + self.cfg.retry_backoff_ms / 1000 + 1.0
        self._wake.set()

    async def on_membership_lost(self, reason: str) -> None:
        log.warning("herder %s: group membership lost (%s); rejoining", self.worker_id, reason)

    async def _handle_assignment(self, a: ConnectAssignment) -> None:
        """Group spec §6.3."""
        log.info(
            "herder %s: joined generation %s (leader %s, %s): error %s, offset %s, +%s/%s -%s/%s, delay %s",
            self.worker_id,
            self.generation,
            self.leader_id,
            self.protocol.protocol,
            a.error,
            a.offset,
            list(a.connectors),
            [str(t) for t in a.tasks],
            list(a.revoked_connectors),
            [str(t) for t in a.revoked_tasks],
            a.delay,
        )
        if not self.is_leader:
            self._connector_owners.clear()
            self._task_owners.clear()
        if a.failed:
            self._last_failed = True
            if self.is_leader or self._snapshot().offset < a.offset:
                await self._read_config_to_end()
            self.local.leader_url = a.leader_url
            self.local.leader = a.leader
            self._request_rejoin("config mismatch: catching up on the config topic")
            return
        self._last_failed = False
        if self._snapshot().offset < a.offset and not await self._read_config_to_end():
            await self._handle_unsync(a)
            return
        if self._snapshot().offset != a.offset:
            log.info(
                "herder %s: config offset %s != assignment offset %s; rejoining",
                self.worker_id,
                self._snapshot().offset,
                a.offset,
            )
            self._request_rejoin("config offset mismatch after catching up")
            return
        self._unsync_failures = 0
        eager = self.protocol is ConnectProtocolCompatibility.EAGER
        change = self.local.apply(a, eager=eager)
        if change.stop_connectors or change.stop_tasks:
            await self._stop_work(change.stop_connectors, change.stop_tasks, unassigned=True)
        # tasks stopped by a task-config update restart if still ours
        restart = [t for t in self._tasks_to_restart if t in self.local.tasks and t not in change.start_tasks]
        self._tasks_to_restart.clear()
        # task-config updates the tick has not handled yet: this assignment was computed from those
        # configs, so kept tasks of those connectors restart now with them (cooperative; eager restarts all)
        updated, self._task_updates = self._task_updates, set()
        if updated and not eager:
            kept = [t for t in self.local.tasks if t.connector in updated and t not in change.start_tasks]
            kept = [t for t in kept if t not in restart]
            if kept:
                await self._runtime.stop_tasks([t for t in kept])
                restart += kept
        # connectors started now get their latest config: no separate restart needed
        self._connector_updates.difference_update(change.start_connectors)
        with self._tick_stage(
            f"starting {len(change.start_connectors)} connectors and {len(change.start_tasks)} tasks"
        ):
            await self._start_work(change.start_connectors, change.start_tasks + restart)
        self._rebalance_resolved = True
        self._needs_reconfig_rebalance = False
        self.rebalances_completed += 1
        if self._join_started_at is not None:
            self.last_rebalance_ms = (time.monotonic() - self._join_started_at) * 1000
        if change.revoked_any and not eager:
            self._request_rejoin("revoked connectors/tasks in the last assignment")
        if a.delay > 0:
            self._rejoin_at = time.monotonic() + a.delay / 1000
            log.info("herder %s: scheduled rebalance in %s ms", self.worker_id, a.delay)
        else:
            self._rejoin_at = None
        if self.is_leader:
            await self._leader_after_assignment()

    async def _handle_unsync(self, a: ConnectAssignment) -> None:
        self._unsync_failures += 1
        if self.protocol is ConnectProtocolCompatibility.EAGER:
            backoff = self.cfg.worker_unsync_backoff_ms
        else:
            backoff = cooperative_unsync_backoff_ms(self.cfg.scheduled_rebalance_max_delay_ms, self._unsync_failures)
            if self._unsync_failures >= 5:
                change = self.local.clear()
                await self._stop_work(change.stop_connectors, change.stop_tasks, unassigned=True)
                self._unsync_failures = 0
        log.warning(
            "herder %s: could not read the config topic to offset %s within %s ms; rejoining in %s ms",
            self.worker_id,
            a.offset,
            self.cfg.worker_sync_timeout_ms,
            backoff,
        )
        self._rejoin_at = time.monotonic() + backoff / 1000

    async def catch_up(self) -> None:
        await self._read_config_to_end()  # best effort: a slow read only makes the answer's view older

    async def _read_config_to_end(self) -> bool:
        try:
            await asyncio.wait_for(self._config.refresh(), self.cfg.worker_sync_timeout_ms / 1000)
            return True
        except TimeoutError:
            return False
        except Exception as e:  # broker unreachable: same as not catching up in time
            log.warning("herder %s: reading the config topic failed: %s", self.worker_id, e)
            return False

    def _request_rejoin(self, reason: str) -> None:
        self._rebalance_resolved = False
        if self._member is not None:
            self._member.request_rejoin(reason)

    async def _leader_after_assignment(self) -> None:
        """Tombstone statuses of deleted connectors/tasks; make sure a session key exists (V2)."""
        snap = self._snapshot()
        configured = set(snap.connectors())
        try:
            for name in list(self._status.connectors()):
                if name not in configured:
                    await self._status.delete_connector(name)
                    continue
                remaining = {t.task for t in snap.tasks(name)}
                for ts in self._status.get_all(name):
                    if ts.id.task not in remaining:
                        await self._status.put(TaskStatus(ts.id, State.DESTROYED, self.worker_id, self.generation))
        except Exception:
            log.exception("leader %s: failed to remove statuses of deleted connectors", self.worker_id)
        if self.protocol is ConnectProtocolCompatibility.SESSIONED:
            await self._ensure_session_key()

    async def _ensure_session_key(self) -> None:
        key = self.session_key()
        cfg = self.cfg
        stale = (
            key is None
            or key.expired(cfg.key_ttl_ms)
            or key.algorithm != cfg.key_generation_algorithm
            or (cfg.key_size is not None and key.size_bits != cfg.key_size)
        )
        if stale:
            new = generate_session_key(cfg.key_generation_algorithm, cfg.key_size)
            log.info("leader %s: writing a new session key", self.worker_id)
            await self._config.put_session_key(new)
            key = new
        assert key is not None
        self._key_rotation_at = time.monotonic() + max(0, key.creation_timestamp + cfg.key_ttl_ms - _now_ms()) / 1000

    # ------------------------------------------------------------------------------ starting/stopping

    async def _start_work(self, connectors: Sequence[str], tasks: Sequence[ConnectorTaskId]) -> None:
        snap = self._snapshot()
        jobs = [self._start_connector(c, snap) for c in connectors]
        jobs += [self._start_task(t, snap) for t in tasks]
        if jobs:
            await asyncio.gather(*jobs)

    async def _start_connector(self, name: str, snap: Any) -> None:
        config = snap.connector_config(name)
        if config is None:
            log.info("herder %s: connector %s has no config (deleted); not starting", self.worker_id, name)
            return
        target = snap.target_state(name) or TargetState.STARTED
        try:
            started = await self._runtime.start_connector(name, dict(config), target)
        except Exception:
            log.exception("herder %s: failed to start connector %s", self.worker_id, name)
            return
        if started and target is TargetState.STARTED:
            self._schedule_reconfigure(name, now=True)

    async def _start_task(self, task: ConnectorTaskId, snap: Any) -> None:
        task_config = snap.task_config(task)
        connector_config = snap.connector_config(task.connector)
        if task_config is None or connector_config is None:
            log.info("herder %s: task %s has no config; not starting", self.worker_id, task)
            return
        target = snap.target_state(task.connector) or TargetState.STARTED
        try:
            await self._runtime.start_task(
                task, dict(connector_config), dict(task_config), target, snap.task_count(task.connector)
            )
        except Exception:
            log.exception("herder %s: failed to start task %s", self.worker_id, task)

    async def _stop_work(
        self, connectors: Sequence[str], tasks: Sequence[ConnectorTaskId], *, unassigned: bool
    ) -> None:
        if tasks:
            await self._runtime.stop_tasks([t for t in tasks])
        if connectors:
            await self._runtime.stop_connectors(list(connectors))
            for c in connectors:
                self._reconfigure_at.pop(c, None)

    # --------------------------------------------------------------------------- config store listener

    def on_connector_config_update(self, name: str) -> None:
        self._history.on_connector_config_update(name)
        if name not in self._known_connectors:
            # a new connector must be assigned: rebalance (internal-topics §5.5)
            self._known_connectors.add(name)
            self._needs_reconfig_rebalance = True
        self._connector_updates.add(name)
        self._wake.set()

    def on_connector_config_remove(self, name: str) -> None:
        self._history.on_connector_config_remove(name)
        self._known_connectors.discard(name)
        self._needs_reconfig_rebalance = True
        self._connector_updates.add(name)
        self._wake.set()

    def on_task_config_update(self, tasks: list[ConnectorTaskId]) -> None:
        self._needs_reconfig_rebalance = True
        self._task_updates.update(t.connector for t in tasks)
        self._wake.set()

    def on_connector_target_state_change(self, name: str) -> None:
        self._history.on_connector_target_state_change(name)
        self._target_state_updates.add(name)
        self._wake.set()

    def on_session_key_update(self, key: SessionKey) -> None:
        self._wake.set()

    def on_restart_request(self, request: RestartRequest) -> None:
        self._history.on_restart_request(request)
        prev = self._restart_requests.get(request.connector)
        if prev is None or request.impact >= prev.impact:
            self._restart_requests[request.connector] = request
        self._wake.set()

    def on_logger_level(self, namespace: str, level: str) -> None:
        """A ``logger-cluster-<namespace>`` record (KIP-976): apply it on this worker."""
        try:
            changed = worker_loggers().set_level(namespace, level)
            log.info(
                "herder %s: cluster-wide log level %s for %s (%s loggers)",
                self.worker_id,
                level,
                namespace,
                len(changed),
            )
        except Exception:
            log.exception("herder %s: cannot apply log level %s to %s", self.worker_id, level, namespace)

    # ------------------------------------------------------------------------------------ tick loop

    async def _tick_loop(self) -> None:
        while not self._stopping:
            timeout = self._next_deadline()
            if timeout is None or timeout > 0:
                with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout)
            self._wake.clear()
            if self._stopping:
                return
            try:
                async with self._lock:
                    await self._tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("herder %s: error in tick", self.worker_id)
                await asyncio.sleep(0.5)

    def _next_deadline(self) -> float | None:
        now = time.monotonic()
        times = [t for t in (self._rejoin_at, self._key_rotation_at, *self._reconfigure_at.values()) if t is not None]
        if self.local.connectors or self.local.tasks:
            # watch the coordinator while running work (see _check_coordinator)
            times.append(now + self.cfg.heartbeat_interval_ms / 1000)
        if not times:
            return None
        return max(0.0, min(times) - now)

    async def _check_coordinator(self, now: float) -> None:
        """Group spec §1.2: a worker that has lost the coordinator and cannot find it again within
        ``heartbeat.interval.ms`` stops everything and forgets its assignment, so that no task runs twice
        while it is outside the group (the leader reassigns its work after the scheduled delay)."""
        member = self._member
        if member is None or member.coordinator_id is not None:
            self._coordinator_lost_at = None
            return
        if self._coordinator_lost_at is None:
            self._coordinator_lost_at = now
            return
        if now - self._coordinator_lost_at < self.cfg.heartbeat_interval_ms / 1000:
            return
        if self.local.connectors or self.local.tasks:
            log.warning(
                "herder %s: group coordinator unreachable for more than %s ms; stopping all connectors and tasks",
                self.worker_id,
                self.cfg.heartbeat_interval_ms,
            )
            change = self.local.clear()
            await self._stop_work(change.stop_connectors, change.stop_tasks, unassigned=True)
            self.local.known = False
            self._rebalance_resolved = False
            self._request_rejoin("lost the group coordinator")

    async def _tick(self) -> None:
        now = time.monotonic()
        await self._check_coordinator(now)
        if self._rejoin_at is not None and now >= self._rejoin_at:
            self._rejoin_at = None
            self._request_rejoin("scheduled rebalance")
        if (
            self.is_leader
            and self._key_rotation_at is not None
            and now >= self._key_rotation_at
            and self.protocol is ConnectProtocolCompatibility.SESSIONED
        ):
            self._key_rotation_at = None
            await self._ensure_session_key()
        if self._needs_reconfig_rebalance:
            self._request_rejoin("config updates require a rebalance")
            if self.protocol is ConnectProtocolCompatibility.EAGER:
                return
        if not self.local.known:
            return
        await self._process_connector_updates()
        await self._process_target_state_updates()
        await self._process_task_updates()
        await self._process_restart_requests()
        await self._process_reconfigurations()

    async def _process_connector_updates(self) -> None:
        updates, self._connector_updates = self._connector_updates, set()
        snap = self._snapshot()
        for name in updates:
            if name not in self.local.connectors:
                continue
            remains = snap.connector_config(name) is not None
            log.info("herder %s: connector %s config %s", self.worker_id, name, "updated" if remains else "removed")
            await self._runtime.stop_connectors([name])
            self._reconfigure_at.pop(name, None)
            if remains:
                await self._start_connector(name, snap)

    async def _process_target_state_updates(self) -> None:
        updates, self._target_state_updates = self._target_state_updates, set()
        snap = self._snapshot()
        for name in updates:
            target = snap.target_state(name)
            if target is None or snap.connector_config(name) is None:
                continue
            owns = name in self.local.connectors or any(t.connector == name for t in self.local.tasks)
            if not owns:
                continue
            await self._runtime.set_target_state(name, target)
            if target is TargetState.STARTED and name in self.local.connectors:
                self._schedule_reconfigure(name, now=True)

    async def _process_task_updates(self) -> None:
        """Cooperative: stop local tasks of connectors whose task configs changed; they are restarted
        after the rebalance if still assigned here (Java ``stopReconfiguredTasks``)."""
        connectors, self._task_updates = self._task_updates, set()
        if not connectors or self.protocol is ConnectProtocolCompatibility.EAGER:
            return
        to_stop = self.local.tasks_of(connectors)
        if to_stop:
            log.info("herder %s: task configs of %s changed; stopping %s", self.worker_id, connectors, to_stop)
            await self._runtime.stop_tasks([t for t in to_stop])
            self._tasks_to_restart.update(to_stop)

    async def _process_restart_requests(self) -> None:
        requests, self._restart_requests = self._restart_requests, {}
        for req in requests.values():
            await self._do_restart(req)

    async def _do_restart(self, req: RestartRequest) -> None:
        snap = self._snapshot()
        name = req.connector
        if snap.connector_config(name) is None:
            return
        conn_failed = self._connector_state(name) == "FAILED"
        if name in self.local.connectors and (not req.only_failed or conn_failed):
            await self._status_put_connector(name, "RESTARTING")
            await self._runtime.stop_connectors([name])
            await self._start_connector(name, snap)
        if req.include_tasks:
            mine = [t for t in self.local.tasks if t.connector == name]
            chosen = [t for t in mine if not req.only_failed or self._task_state(t) == "FAILED"]
            for t in chosen:
                await self._status_put_task(t, "RESTARTING")
            if chosen:
                await self._runtime.stop_tasks([t for t in chosen])
                await asyncio.gather(*(self._start_task(t, snap) for t in chosen))

    # ---------------------------------------------------------------------- task reconfiguration

    def _schedule_reconfigure(self, name: str, *, now: bool) -> None:
        if now:
            self._reconfigure_backoff.pop(name, None)
            self._reconfigure_at[name] = time.monotonic()
        else:
            backoff = min(self._reconfigure_backoff.get(name, RECONFIGURE_BACKOFF_INITIAL_MS // 2) * 2, 60_000)
            self._reconfigure_backoff[name] = backoff
            self._reconfigure_at[name] = time.monotonic() + backoff / 1000
        self._wake.set()

    def request_task_reconfiguration(self, name: str) -> None:
        """Called by a running connector (``ConnectorContext.request_task_reconfiguration``)."""
        self._schedule_reconfigure(name, now=True)

    async def _process_reconfigurations(self) -> None:
        now = time.monotonic()
        due = [c for c, at in self._reconfigure_at.items() if at <= now]
        for name in due:
            self._reconfigure_at.pop(name, None)
            if name not in self.local.connectors:
                continue
            try:
                await self._reconfigure_connector(name)
                self._reconfigure_backoff.pop(name, None)
            except Exception as e:
                log.warning("herder %s: task reconfiguration of %s failed (%s); retrying", self.worker_id, name, e)
                self._schedule_reconfigure(name, now=False)

    async def _reconfigure_connector(self, name: str) -> None:
        snap = self._snapshot()
        config = snap.connector_config(name)
        if config is None or snap.target_state(name) not in (None, TargetState.STARTED):
            return
        if not self._runtime.is_running(name):
            return
        generated = await self._runtime.connector_task_configs(name, dict(config))
        current = [snap.task_config(ConnectorTaskId(name, i)) for i in range(snap.task_count(name))]
        changed = len(generated) != len(current) or any(g != c for g, c in zip(generated, current, strict=False))
        if not changed and snap.applied_connector_config(name) == config:
            return
        if self.is_leader:
            await self._write_task_configs(name, generated)
            return
        leader = self.leader_url()
        if not leader:
            raise ConnectException(
                "Request to leader to reconfigure connector tasks failed because the URL of the leader's REST "
                "interface is empty!"
            )
        key = self.session_key() if self.requires_request_signature() else None
        assert self._http is not None
        # outside the herder lock: the leader may need a rebalance round that needs us
        self._spawn(self._forward_task_configs(name, generated, leader, key), f"forward-tasks-{name}")

    async def _forward_task_configs(
        self, name: str, configs: list[dict[str, str]], leader: str, key: SessionKey | None
    ) -> None:
        assert self._http is not None
        try:
            await post_task_configs(self._http, leader, name, configs, key, self.cfg.signature_algorithm)
        except Exception as e:
            log.warning("herder %s: forwarding task configs of %s to %s failed: %s", self.worker_id, name, leader, e)
            self._schedule_reconfigure(name, now=False)

    async def _write_task_configs(self, name: str, configs: list[dict[str, str]]) -> None:
        snap = self._snapshot()
        if configs and snap.target_state(name) is TargetState.STOPPED:
            raise BadRequestException(f"Cannot submit non-empty set of task configs for stopped connector {name}")
        await self._config.put_task_configs(name, configs)

    # ------------------------------------------------------------------------------- status writes

    def _connector_state(self, name: str) -> str | None:
        st = self._status.get(name)
        return st.state.value if st is not None else None

    def _task_state(self, task: ConnectorTaskId) -> str | None:
        st = self._status.get_task(task)
        return st.state.value if st is not None else None

    def _version_of(self, connector: str) -> str | None:
        return plugin_version(self.plugins, self._snapshot().connector_config(connector))

    def _connector_status(self, name: str, state: str, trace: str | None = None) -> ConnectorStatus:
        return ConnectorStatus(name, State(state), self.worker_id, self.generation, trace, self._version_of(name))

    def _task_status(self, task: ConnectorTaskId, state: str, trace: str | None = None) -> TaskStatus:
        version = self._version_of(task.connector)
        return TaskStatus(task, State(state), self.worker_id, self.generation, trace, version)

    async def _status_put_connector(self, name: str, state: str, trace: str | None = None) -> None:
        await self._status.put(self._connector_status(name, state, trace))

    async def _status_put_task(self, task: ConnectorTaskId, state: str, trace: str | None = None) -> None:
        await self._status.put(self._task_status(task, state, trace))

    # ------------------------------------------------------------------- status listener (runtime side)

    def on_connector_state(self, connector: str, state: State, trace: str | None = None) -> None:
        """A local connector changed state: write it to the status topic (in order)."""
        status = self._connector_status(connector, state.value, trace)
        self._status_queue.put_nowait((status, state in (State.FAILED, State.UNASSIGNED)))

    def on_task_state(self, task: ConnectorTaskId, state: State, trace: str | None = None) -> None:
        status = self._task_status(task, state.value, trace)
        self._status_queue.put_nowait((status, state in (State.FAILED, State.UNASSIGNED)))

    def on_topic_active(self, connector: str, topic: str, task: int = 0) -> None:
        if self.cfg.topic_tracking_enable and self._status.get_topic(connector, topic) is None:
            self._status_queue.put_nowait((TopicStatus(topic, connector, task, _now_ms()), False))

    async def _status_writer(self) -> None:
        """Writes queued statuses; each drained batch is sent concurrently but produced in queue order
        (the tasks reach the producer in creation order), so a key's newest state is written last."""
        while True:
            batch = [await self._status_queue.get()]
            while not self._status_queue.empty():
                batch.append(self._status_queue.get_nowait())
            try:
                await asyncio.gather(*(self._write_status(st, safe) for st, safe in batch))
            finally:
                for _ in batch:
                    self._status_queue.task_done()

    async def _write_status(self, status: Any, safe: bool) -> None:
        try:
            if isinstance(status, TopicStatus):
                await self._status.put_topic(status)
            elif safe:
                await self._status.put_safe(status)
            else:
                await self._status.put(status)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("herder %s: failed to write status %s", self.worker_id, status)

    async def _flush_statuses(self) -> None:
        with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
            await asyncio.wait_for(self._status_queue.join(), 10)
        with contextlib.suppress(Exception):
            await self._status.flush()

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

    def _info(self, name: str, config: Mapping[str, str], snap: Any) -> ConnectorInfo:
        return ConnectorInfo(name, dict(config), list(snap.tasks(name)), self._connector_type(config))

    def _connector_type(self, config: Mapping[str, str]) -> str:
        return connector_type(self.plugins, config)

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
            snap = self._snapshot()
            exists = snap.connector_config(name) is not None
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
            merged = dict(current)
            for k, v in patch.items():
                if v is None:
                    merged.pop(k, None)
                else:
                    merged[k] = v
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
            await self._read_config_to_end()

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
                    await self._runtime.stop_connectors([name])
                    await self._start_connector(name, snap)
                    return None
                if self.is_leader:
                    raise NotAssignedException(
                        "Cannot restart connector since it is not assigned to this member",
                        self._connector_owners.get(name),
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
            wire = task
            if wire in self.local.tasks:
                await self._runtime.stop_tasks([task])
                await self._start_task(wire, snap)
                return
            if self.is_leader:
                raise NotAssignedException(
                    "Cannot restart task since it is not assigned to this member", self._task_owners.get(wire)
                )
            raise NotLeaderException("Cannot restart task since it is not assigned to this member", self.leader_url())

    async def put_task_configs(self, name: str, configs: list[dict[str, str]], signature: Any = None) -> None:
        """Internal ``POST /connectors/{c}/tasks`` (leader only; signed under protocol ``sessioned``)."""
        if self.requires_request_signature():
            sig = signature if isinstance(signature, InternalRequestSignature) else None
            check_internal_request(sig, self.session_key(), self.cfg.verification_algorithms)
        await self._until_joined()
        async with self._lock:
            self._require_leader("Only the leader may write task configurations.")
            if self._snapshot().connector_config(name) is None:
                raise NotFoundException(f"Connector {name} not found")
            await self._write_task_configs(name, configs)

    async def fence_zombie_source_tasks(self, name: str, signature: Any = None) -> None:
        """Internal ``PUT /connectors/{c}/fence`` (KIP-618). This worker does not run transactional
        source tasks, so there are no producers to fence: the leader records the task count."""
        if self.requires_request_signature():
            sig = signature if isinstance(signature, InternalRequestSignature) else None
            check_internal_request(sig, self.session_key(), self.cfg.verification_algorithms)
        await self._until_joined()
        async with self._lock:
            self._require_leader("Only the leader may perform zombie fencing.")
            config = self._snapshot().connector_config(name)
            if config is None:
                raise NotFoundException(f"Connector {name} not found")
            if self._connector_type(config) != "source":
                raise BadRequestException(f"Connector {name} is not a source connector")
            if not await self._read_config_to_end():
                raise ConnectException("Failed to read to end of config topic before performing zombie fencing")
            await self._config.put_task_count_record(name, self._snapshot().task_count(name))

    async def set_cluster_logger_level(self, namespace: str, level: str) -> None:
        await self._config.put_logger_level(namespace, level)

    # ------------------------------------------------------------------------------------ statuses

    async def connector_status(self, name: str) -> ConnectorStateInfo:
        snap = self._snapshot()
        config = snap.connector_config(name)
        if config is None:
            raise NotFoundException(f"No status found for connector {name}")
        st = self._status.get(name)
        if st is None:
            raise NotFoundException(f"No status found for connector {name}")
        version = plugin_version(self.plugins, config)
        tasks = [
            TaskState(ts.id.task, ts.state, ts.worker_id, ts.trace, ts.version or version)
            for ts in sorted(self._status.get_all(name), key=lambda s: s.id.task)
        ]
        connector = ConnectorState(st.state, st.worker_id, st.trace, st.version or version)
        return ConnectorStateInfo(name, connector, tasks, self._connector_type(config))

    async def task_status(self, task: ConnectorTaskId) -> TaskState:
        st = self._status.get_task(task)
        if st is None:
            raise NotFoundException(f"No status found for task {task}")
        return TaskState(task.task, st.state, st.worker_id, st.trace, st.version or self._version_of(task.connector))

    async def active_topics(self, name: str) -> list[str]:
        return sorted({t.topic for t in self._status.get_all_topics(name)})

    async def reset_active_topics(self, name: str) -> None:
        for t in self._status.get_all_topics(name):
            await self._status.delete_topic(name, t.topic)

    # ------------------------------------------------------------------------------------ offsets

    async def connector_offsets(self, name: str) -> ConnectorOffsets:
        config = self._snapshot().connector_config(name)
        if config is None:
            raise NotFoundException(f"Connector {name} not found")
        result: ConnectorOffsets = await self._runtime.connector_offsets(name, dict(config))
        return result

    async def _check_offsets_modifiable(self, name: str) -> dict[str, str]:
        self._require_leader("Only the leader can process external offsets modification requests")
        if not await self._read_config_to_end():
            raise ConnectException("Failed to read to the end of the config topic")
        snap = self._snapshot()
        config = snap.connector_config(name)
        if config is None:
            raise NotFoundException(f"Connector {name} not found")
        if snap.target_state(name) is not TargetState.STOPPED or snap.task_count(name) != 0:
            raise BadRequestException(
                "Connectors must be in the STOPPED state before their offsets can be modified. This can be done "
                f"for the specified connector by issuing a 'PUT' request to the '/connectors/{name}/stop' endpoint"
            )
        return dict(config)

    async def alter_connector_offsets(self, name: str, offsets: list[JsonObj]) -> Message:
        await self._until_joined()
        async with self._lock:
            self._check_rebalance_needed()
            config = await self._check_offsets_modifiable(name)
        result: Message = await self._runtime.alter_connector_offsets(name, config, offsets)
        return result

    async def reset_connector_offsets(self, name: str) -> Message:
        await self._until_joined()
        async with self._lock:
            self._check_rebalance_needed()
            config = await self._check_offsets_modifiable(name)
        result: Message = await self._runtime.reset_connector_offsets(name, config)
        return result

    # ------------------------------------------------------------------------ validation and plugins

    async def validate_connector_config(self, config: dict[str, Any]) -> JsonObj:
        result: JsonObj = await self._runtime.validate_connector_config(config)
        return result

    async def _validate_or_raise(self, config: dict[str, str]) -> None:
        infos = await self.validate_connector_config(config)
        if int(infos.get("error_count", 0)):
            raise BadRequestException(invalid_config_message(infos))

    def connector_plugin_config(self, plugin: str) -> list[JsonObj]:
        result: list[JsonObj] = self._runtime.connector_plugin_config(plugin)
        return result


def from_worker_config(config: WorkerConfig, plugins: PluginRegistry | None = None) -> DistributedHerder:
    """Wire a distributed worker from its properties (used by ``genesis-worker distributed``): the three
    Kafka stores, the runtime Worker and the herder, advertised at ``config.rest_url``."""
    from genesis_worker.config.kafka_clients import translate
    from genesis_worker.herder.distributed_runtime import WorkerRuntime
    from genesis_worker.herder.distributed_setup import create_stores
    from genesis_worker.herder.member_client import aiokafka_client_config

    props = {k: str(v) for k, v in config.originals.items() if v is not None}
    cfg = DistributedConfig.from_props(props)
    plugins = plugins or PluginRegistry.discover(config.get_list("plugin.path") or [])
    client_config = translate(config.worker_client_props(), "admin").conf
    stores = create_stores(props, client_config, cfg)
    runtime = WorkerRuntime(config, plugins, stores.offsets)
    herder = DistributedHerder(
        cfg,
        rest_url=config.rest_url,
        worker_id=config.worker_id,
        runtime=runtime,
        config_store=stores.config,
        status_store=stores.status,
        offset_store=stores.offsets,
        plugins=plugins,
        admin_config=client_config,
        client_config=aiokafka_client_config(client_config),
    )
    runtime.bind(herder, config.worker_id)
    return herder


def _now_ms() -> int:
    return int(time.time() * 1000)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

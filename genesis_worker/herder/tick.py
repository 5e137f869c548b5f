"""The distributed herder's tick (Java ``DistributedHerder.tick``): one loop that wakes on config
updates, reconfiguration requests and deadlines, and under the herder's lock applies what is due:

* watch the group coordinator and rejoin when a scheduled rebalance is due;
* the leader rotates the session key;
* config updates that need a rebalance request one (eager: nothing else happens until it is done);
* then, once the worker has an assignment: connector config updates, target-state changes, task-config
  updates (cooperative: stop the affected tasks until the rebalance), restart requests (KIP-745) and due
  task reconfigurations.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from genesis_worker.herder.assignment import AssignmentHandler
from genesis_worker.herder.config_updates import PendingUpdates
from genesis_worker.herder.config_view import ConfigSnapshots
from genesis_worker.herder.distributed_config import DistributedConfig
from genesis_worker.herder.key_rotation import SessionKeys
from genesis_worker.herder.rebalance import GroupState
from genesis_worker.herder.reconfiguration import TaskReconfigurer
from genesis_worker.herder.status_writer import StatusWriter
from genesis_worker.herder.work import LocalWork
from genesis_worker.model.states import RestartRequest, State, TargetState

log = logging.getLogger(__name__)

ERROR_PAUSE_S = 0.5


class TickLoop:
    """See the module doc."""

    def __init__(
        self,
        cfg: DistributedConfig,
        group: GroupState,
        snapshots: ConfigSnapshots,
        pending: PendingUpdates,
        assignment: AssignmentHandler,
        work: LocalWork,
        statuses: StatusWriter,
        reconfigurer: TaskReconfigurer,
        keys: SessionKeys,
        *,
        lock: asyncio.Lock,
        wake: asyncio.Event,
        worker_id: str,
    ) -> None:
        self._cfg = cfg
        self._group = group
        self._snapshots = snapshots
        self._pending = pending
        self._assignment = assignment
        self._work = work
        self._statuses = statuses
        self._reconfigurer = reconfigurer
        self._keys = keys
        self._lock = lock
        self._wake = wake
        self._worker_id = worker_id

    async def run(self) -> None:
        while not self._assignment.stopping:
            timeout = self._next_deadline()
            if timeout is None or timeout > 0:
                with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout)
            self._wake.clear()
            if self._assignment.stopping:
                return
            try:
                async with self._lock:
                    await self._tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("herder %s: error in tick", self._worker_id)
                await asyncio.sleep(ERROR_PAUSE_S)

    def _next_deadline(self) -> float | None:
        now = time.monotonic()
        scheduled = (self._assignment.rejoin_at, self._keys.rotation_at, *self._reconfigurer.deadlines())
        times = [t for t in scheduled if t is not None]
        if self._group.local.connectors or self._group.local.tasks:
            # watch the coordinator while running work (see AssignmentHandler.check_coordinator)
            times.append(now + self._cfg.heartbeat_interval_ms / 1000)
        if not times:
            return None
        return max(0.0, min(times) - now)

    async def _tick(self) -> None:
        now = time.monotonic()
        await self._assignment.check_coordinator(now)
        self._assignment.rejoin_if_due(now)
        await self._keys.rotate_if_due(now)
        if self._group.needs_rebalance:
            self._assignment.request_rejoin("config updates require a rebalance")
            if self._group.eager:
                return
        if not self._group.local.known:
            return
        await self._connector_updates()
        await self._target_state_updates()
        await self._task_updates()
        await self._restart_requests()
        await self._reconfigurer.process_due()

    async def _connector_updates(self) -> None:
        updates, self._pending.connectors = self._pending.connectors, set()
        snap = self._snapshots.current()
        for name in updates:
            if name not in self._group.local.connectors:
                continue
            remains = snap.connector_config(name) is not None
            log.info("herder %s: connector %s config %s", self._worker_id, name, "updated" if remains else "removed")
            await self._work.runtime.stop_connectors([name])
            self._reconfigurer.forget(name)
            if remains:
                await self._work.start_connector(name, snap)

    async def _target_state_updates(self) -> None:
        updates, self._pending.target_states = self._pending.target_states, set()
        snap = self._snapshots.current()
        for name in updates:
            target = snap.target_state(name)
            if target is None or snap.connector_config(name) is None or not self._group.owns_any(name):
                continue
            await self._work.runtime.set_target_state(name, target)
            if target is TargetState.STARTED and name in self._group.local.connectors:
                self._reconfigurer.schedule(name, now=True)

    async def _task_updates(self) -> None:
        """Cooperative: stop local tasks of connectors whose task configs changed; they are restarted
        after the rebalance if still assigned here (Java ``stopReconfiguredTasks``)."""
        connectors, self._pending.task_configs = self._pending.task_configs, set()
        if not connectors or self._group.eager:
            return
        to_stop = self._group.local.tasks_of(connectors)
        if to_stop:
            log.info("herder %s: task configs of %s changed; stopping %s", self._worker_id, connectors, to_stop)
            await self._work.runtime.stop_tasks(to_stop)
            self._pending.tasks_to_restart.update(to_stop)

    async def _restart_requests(self) -> None:
        requests, self._pending.restarts = self._pending.restarts, {}
        for req in requests.values():
            await self._restart(req)

    async def _restart(self, req: RestartRequest) -> None:
        snap = self._snapshots.current()
        name = req.connector
        if snap.connector_config(name) is None:
            return
        conn_failed = self._statuses.connector_state(name) is State.FAILED
        if name in self._group.local.connectors and (not req.only_failed or conn_failed):
            await self._statuses.put_connector(name, State.RESTARTING)
            await self._work.restart_connector(name, snap)
        if req.include_tasks:
            mine = [t for t in self._group.local.tasks if t.connector == name]
            chosen = [t for t in mine if not req.only_failed or self._statuses.task_state(t) is State.FAILED]
            for t in chosen:
                await self._statuses.put_task(t, State.RESTARTING)
            if chosen:
                await self._work.runtime.stop_tasks(chosen)
                await asyncio.gather(*(self._work.start_task(t, snap) for t in chosen))

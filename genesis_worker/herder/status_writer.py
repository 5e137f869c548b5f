"""The distributed herder's status writing: the runtime's status listener, writing to the status topic.

Status changes reported by the runtime are queued and written in order by one background task
(:meth:`StatusWriter.run`), so that a key's newest state is written last; the ``safe`` writes (FAILED,
UNASSIGNED) do not overwrite a newer generation's status written by another worker (Java's
``putSafe``)::

    statuses = StatusWriter(status_store, group, worker_id="w1:8083", version_of=..., topic_tracking=True)
    worker = Worker(..., listener=statuses)
    asyncio.create_task(statuses.run())
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from genesis_worker.herder.config_view import ConfigView
from genesis_worker.herder.rebalance import GroupState
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import State
from genesis_worker.model.status import ConnectorStatus, TaskStatus, TopicStatus
from genesis_worker.storage.base import StatusBackingStore

log = logging.getLogger(__name__)

FLUSH_TIMEOUT_S = 10


class StatusWriter:
    """Writes this worker's connector, task and topic statuses (see the module doc)."""

    def __init__(
        self,
        store: StatusBackingStore,
        group: GroupState,
        *,
        worker_id: str,
        version_of: Callable[[str], str | None],
        topic_tracking: bool,
    ) -> None:
        self.store = store
        self._group = group
        self._worker_id = worker_id
        self._version_of = version_of
        self._topic_tracking = topic_tracking
        self._queue: asyncio.Queue[tuple[ConnectorStatus | TaskStatus | TopicStatus, bool]] = asyncio.Queue()

    # --- the runtime's status listener ---------------------------------------------------------------

    def on_connector_state(self, connector: str, state: State, trace: str | None = None) -> None:
        """A local connector changed state: write it to the status topic (in order)."""
        self._queue.put_nowait((self._connector_status(connector, state, trace), _safe(state)))

    def on_task_state(self, task: ConnectorTaskId, state: State, trace: str | None = None) -> None:
        self._queue.put_nowait((self._task_status(task, state, trace), _safe(state)))

    def on_topic_active(self, connector: str, topic: str, task: int = 0) -> None:
        if self._topic_tracking and self.store.get_topic(connector, topic) is None:
            self._queue.put_nowait((TopicStatus(topic, connector, task, int(time.time() * 1000)), False))

    # --- writing ---------------------------------------------------------------------------------------

    async def run(self) -> None:
        """Writes queued statuses; each drained batch is sent concurrently but produced in queue order
        (the tasks reach the producer in creation order), so a key's newest state is written last."""
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await asyncio.gather(*(self._write(st, safe) for st, safe in batch))
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _write(self, status: ConnectorStatus | TaskStatus | TopicStatus, safe: bool) -> None:
        try:
            if isinstance(status, TopicStatus):
                await self.store.put_topic(status)
            elif safe:
                await self.store.put_safe(status)
            else:
                await self.store.put(status)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("herder %s: failed to write status %s", self._worker_id, status)

    async def flush(self) -> None:
        """Wait (bounded) until the queued statuses are written, then flush the store."""
        with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
            await asyncio.wait_for(self._queue.join(), FLUSH_TIMEOUT_S)
        with contextlib.suppress(Exception):
            await self.store.flush()

    async def put_connector(self, name: str, state: State) -> None:
        """Write now, outside the queue (``RESTARTING`` before a restart)."""
        await self.store.put(self._connector_status(name, state))

    async def put_task(self, task: ConnectorTaskId, state: State) -> None:
        await self.store.put(self._task_status(task, state))

    async def remove_deleted(self, snap: ConfigView) -> None:
        """Leader, after an assignment: tombstone statuses of deleted connectors and of tasks beyond the
        connector's task count."""
        configured = set(snap.connectors())
        try:
            for name in list(self.store.connectors()):
                if name not in configured:
                    await self.store.delete_connector(name)  # type: ignore[attr-defined]
                    continue
                remaining = {t.task for t in snap.tasks(name)}
                for ts in self.store.get_all(name):
                    if ts.id.task not in remaining:
                        await self.store.put(
                            TaskStatus(ts.id, State.DESTROYED, self._worker_id, self._group.generation)
                        )
        except Exception:
            log.exception("leader %s: failed to remove statuses of deleted connectors", self._worker_id)

    async def mark_not_running(self, connectors: set[str], tasks: set[ConnectorTaskId], generation: int) -> int:
        """Leader of a cooperative group, at each assignment: every connector or task still shown as running
        (RUNNING, PAUSED, RESTARTING) that no member runs now (``connectors``/``tasks``: the union of the
        members' reported allocations) becomes UNASSIGNED, naming the worker it was shown on: that worker
        crashed, or restarted with the same id, and never wrote UNASSIGNED itself. Connect leaves such
        statuses as they are until the work is reassigned (``scheduled.rebalance.max.delay.ms`` later); the
        work writes RUNNING again wherever it starts. Written before the assignment goes out, so that no
        member's RUNNING can be overtaken by them. Returns how many statuses were written."""
        live = (State.RUNNING, State.PAUSED, State.RESTARTING)
        stale: list[ConnectorStatus | TaskStatus] = []
        for name in sorted(self.store.connectors()):
            statuses: list[ConnectorStatus | TaskStatus] = []
            conn = self.store.get(name)
            if conn is not None and conn.connector not in connectors:
                statuses.append(conn)
            statuses.extend(t for t in self.store.get_all(name) if t.id not in tasks)
            for st in statuses:
                if st.state not in live or st.generation >= generation:
                    continue
                trace = (
                    f"Worker {st.worker_id} no longer runs this (it left the Connect group or restarted; seen by "
                    f"the leader at generation {generation}); UNASSIGNED until it runs on a member again"
                )
                if isinstance(st, ConnectorStatus):
                    new: ConnectorStatus | TaskStatus = ConnectorStatus(
                        st.connector, State.UNASSIGNED, st.worker_id, generation, trace, st.version
                    )
                else:
                    new = TaskStatus(st.id, State.UNASSIGNED, st.worker_id, generation, trace, st.version)
                stale.append(new)
        if stale:
            with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.gather(*(self._write(st, False) for st in stale)), FLUSH_TIMEOUT_S)
        return len(stale)

    # --- reading ---------------------------------------------------------------------------------------

    def connector_state(self, name: str) -> State | None:
        st = self.store.get(name)
        return st.state if st is not None else None

    def task_state(self, task: ConnectorTaskId) -> State | None:
        st = self.store.get_task(task)
        return st.state if st is not None else None

    def _connector_status(self, name: str, state: State, trace: str | None = None) -> ConnectorStatus:
        version = self._version_of(name)
        return ConnectorStatus(name, state, self._worker_id, self._group.generation, trace, version)

    def _task_status(self, task: ConnectorTaskId, state: State, trace: str | None = None) -> TaskStatus:
        version = self._version_of(task.connector)
        return TaskStatus(task, state, self._worker_id, self._group.generation, trace, version)


def _safe(state: State) -> bool:
    return state in (State.FAILED, State.UNASSIGNED)

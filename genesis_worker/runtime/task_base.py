"""What sink and source task runners share: identity, status reporting, target state, stop handling."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from genesis_worker.metrics.task_metrics import TaskMetrics
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import State, TargetState
from genesis_worker.runtime.errors import stack_trace

log = logging.getLogger(__name__)


class TaskStatusListener(Protocol):
    """Receives task state changes (the herder writes them to its status store)."""

    def on_task_state(self, task: ConnectorTaskId, state: State, trace: str | None = None) -> None: ...

    def on_topic_active(self, connector: str, topic: str) -> None: ...


class WorkerTask:
    """Base of :class:`WorkerSinkTask` and :class:`WorkerSourceTask`: run with :meth:`run` as an asyncio
    task, stop with :meth:`stop` (sets a flag the loop checks), pause/resume with :meth:`transition_to`."""

    metrics: TaskMetrics
    task: Any

    def __init__(self, task_id: ConnectorTaskId, listener: TaskStatusListener, target_state: TargetState) -> None:
        self.id = task_id
        self.listener = listener
        self.target_state = target_state
        self.stopping = asyncio.Event()
        self.resumed = asyncio.Event()
        if target_state is not TargetState.PAUSED:
            self.resumed.set()
        self.failed: BaseException | None = None
        self.cancelled = False
        self._reported: State | None = None

    def report(self, state: State, trace: str | None = None) -> None:
        if self._reported is state and state is not State.FAILED:
            return
        self._reported = state
        self.metrics.record_state(state.value.lower())
        try:
            self.listener.on_task_state(self.id, state, trace)
        except Exception as e:  # a status write problem must not kill the task
            log.warning("Status listener failed for %s: %s", self.id, e)

    def transition_to(self, state: TargetState) -> None:
        self.target_state = state
        if state is TargetState.PAUSED:
            self.resumed.clear()
        else:
            self.resumed.set()
        self.on_target_state()

    def on_target_state(self) -> None:
        """Hook for subclasses (the sink pauses its partitions)."""

    def stop(self) -> None:
        self.stopping.set()
        self.resumed.set()

    async def execute(self) -> None:
        raise NotImplementedError

    async def run(self) -> None:
        """Run the task to completion; failures are reported as FAILED with the trace."""
        try:
            await self.execute()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        except BaseException as e:
            self.failed = e
            log.error(
                "%s Task threw an uncaught and unrecoverable exception. Task is being killed and will not "
                "recover until manually restarted",
                self,
                exc_info=e,
            )
            self.report(State.FAILED, stack_trace(e))
            return
        if self.failed is None:
            self.report(State.UNASSIGNED)

    def __str__(self) -> str:
        return f"{type(self).__name__}{{id={self.id}}}"

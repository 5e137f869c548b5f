"""Starting and stopping this worker's connectors and tasks on the runtime, from the config snapshot
(the distributed herder's half of Java's ``DistributedHerder.startWork``/``stopWork``)::

    await work.start(["c"], [ConnectorTaskId("c", 0)], snapshots.current())
    await work.stop(["c"], [ConnectorTaskId("c", 0)])
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from genesis_worker.herder.config_view import ConfigView
from genesis_worker.herder.distributed_runtime import HerderRuntime
from genesis_worker.herder.reconfiguration import TaskReconfigurer
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import TargetState

log = logging.getLogger(__name__)


class LocalWork:
    """See the module doc."""

    def __init__(self, runtime: HerderRuntime, reconfigurer: TaskReconfigurer, *, worker_id: str) -> None:
        self.runtime = runtime
        self._reconfigurer = reconfigurer
        self._worker_id = worker_id

    async def start(self, connectors: Sequence[str], tasks: Sequence[ConnectorTaskId], snap: ConfigView) -> None:
        jobs = [self.start_connector(c, snap) for c in connectors]
        jobs += [self.start_task(t, snap) for t in tasks]
        if jobs:
            await asyncio.gather(*jobs)

    async def start_connector(self, name: str, snap: ConfigView) -> None:
        config = snap.connector_config(name)
        if config is None:
            log.info("herder %s: connector %s has no config (deleted); not starting", self._worker_id, name)
            return
        target = snap.target_state(name) or TargetState.STARTED
        try:
            started = await self.runtime.start_connector(name, dict(config), target, self._reconfigurer.request)
        except Exception:
            log.exception("herder %s: failed to start connector %s", self._worker_id, name)
            return
        if started and target is TargetState.STARTED:
            self._reconfigurer.schedule(name, now=True)

    async def start_task(self, task: ConnectorTaskId, snap: ConfigView) -> None:
        task_config = snap.task_config(task)
        connector_config = snap.connector_config(task.connector)
        if task_config is None or connector_config is None:
            log.info("herder %s: task %s has no config; not starting", self._worker_id, task)
            return
        target = snap.target_state(task.connector) or TargetState.STARTED
        try:
            await self.runtime.start_task(
                task, dict(connector_config), dict(task_config), target, snap.task_count(task.connector)
            )
        except Exception:
            log.exception("herder %s: failed to start task %s", self._worker_id, task)

    async def stop(self, connectors: Sequence[str], tasks: Sequence[ConnectorTaskId]) -> None:
        if tasks:
            await self.runtime.stop_tasks(list(tasks))
        if connectors:
            await self.runtime.stop_connectors(list(connectors))
            for c in connectors:
                self._reconfigurer.forget(c)

    async def restart_connector(self, name: str, snap: ConfigView) -> None:
        await self.runtime.stop_connectors([name])
        await self.start_connector(name, snap)

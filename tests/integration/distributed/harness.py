"""In-process distributed clusters for the integration tests: several DistributedHerders (real Kafka
stores, real group membership) in one event loop.

``RecordingRuntime`` is a test double of the runtime Worker (named as such): it starts nothing real,
it records every start/stop the herder asks for and reports statuses the way the Worker does, and it
generates ``tasks.max`` task configs for a connector. The herder-protocol tests use it so they can count
exactly which tasks were stopped; the tests in ``test_distributed_cluster.py`` run the real Worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from genesis_worker.herder.distributed import DistributedHerder
from genesis_worker.herder.distributed_config import DistributedConfig
from genesis_worker.herder.distributed_setup import create_stores
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import State, TargetState
from genesis_worker.plugins.registry import PluginRegistry
from genesis_worker.rest.server import RestServer, start_rest_server


def cluster_props(bootstrap: str, group: str | None = None, **overrides: Any) -> dict[str, str]:
    """Worker properties of a small, fast test cluster (short session/heartbeat/delays)."""
    group = group or f"dist-{uuid.uuid4().hex[:8]}"
    props: dict[str, Any] = {
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "config.storage.topic": f"{group}-configs",
        "offset.storage.topic": f"{group}-offsets",
        "status.storage.topic": f"{group}-status",
        "config.storage.replication.factor": 1,
        "offset.storage.replication.factor": 1,
        "status.storage.replication.factor": 1,
        "offset.storage.partitions": 5,
        "status.storage.partitions": 2,
        "session.timeout.ms": 6000,
        "heartbeat.interval.ms": 500,
        "rebalance.timeout.ms": 10000,
        "scheduled.rebalance.max.delay.ms": 3000,
        "worker.sync.timeout.ms": 3000,
        "key.converter": "org.apache.kafka.connect.storage.StringConverter",
        "value.converter": "org.apache.kafka.connect.storage.StringConverter",
        "offset.flush.interval.ms": 500,
        # sink tasks' consumers: a killed worker's consumer leaves the sink group quickly too
        "consumer.session.timeout.ms": 6000,
        "consumer.heartbeat.interval.ms": 1000,
    }
    props.update(overrides)
    return {k: str(v) for k, v in props.items()}


class RecordingRuntime:
    """Test double of the runtime Worker; see the module doc."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.connectors: dict[str, TargetState] = {}
        self.tasks: dict[ConnectorTaskId, TargetState] = {}
        self.events: list[tuple[str, str]] = []
        self.stops: Counter[str] = Counter()
        self.starts: Counter[str] = Counter()
        self._listeners: dict[str, Any] = {}

    metrics = None

    def listening_to(self, listener: Any, on_config_reload: Any = None) -> RecordingRuntime:
        """The runtime factory of :func:`make_herder`: report states to the herder's ``listener``."""
        self.listener = listener
        return self

    async def start_connector(
        self, name: str, config: Mapping[str, Any], target: TargetState, on_reconfigure: Any
    ) -> bool:
        self.connectors[name] = target
        listener = self._listeners[name] = self.listener
        self.starts[name] += 1
        self.events.append(("start", name))
        listener.on_connector_state(name, _state_for(target))
        return True

    async def start_task(
        self,
        task: ConnectorTaskId,
        connector_config: Mapping[str, Any],
        task_config: Mapping[str, Any],
        target: TargetState,
        task_count: int,
    ) -> bool:
        self.tasks[task] = target
        listener = self._listeners[str(task)] = self.listener
        self.starts[str(task)] += 1
        self.events.append(("start", str(task)))
        listener.on_task_state(task, _state_for(target))
        return True

    async def stop_tasks(self, tasks: list[ConnectorTaskId], unassigned: bool = True) -> None:
        """The real Worker reports UNASSIGNED for every stopped task; ``unassigned=False`` is for
        :meth:`stop` at shutdown of a crashed worker."""
        for t in tasks:
            if self.tasks.pop(t, None) is not None:
                self.stops[str(t)] += 1
                self.events.append(("stop", str(t)))
                if unassigned:
                    self._listeners[str(t)].on_task_state(t, State.UNASSIGNED)

    async def stop_connectors(self, names: list[str], unassigned: bool = True) -> None:
        for n in names:
            if self.connectors.pop(n, None) is not None:
                self.stops[n] += 1
                self.events.append(("stop", n))
                if unassigned:
                    self._listeners[n].on_connector_state(n, State.UNASSIGNED)

    async def set_target_state(self, name: str, target: TargetState) -> None:
        if name in self.connectors:
            self.connectors[name] = target
            self._listeners[name].on_connector_state(name, _state_for(target))
        for t in list(self.tasks):
            if t.connector == name:
                self.tasks[t] = target
                self._listeners[str(t)].on_task_state(t, _state_for(target))

    def is_running(self, name: str) -> bool:
        return name in self.connectors

    async def connector_task_configs(self, name: str, config: Mapping[str, Any]) -> list[dict[str, str]]:
        n = int(config.get("tasks.max", "1"))
        return [
            {"task.class": "test.Task", "task.index": str(i), "topic": str(config.get("topic", ""))} for i in range(n)
        ]

    def resolved_connector_config(self, name: str) -> dict[str, str] | None:
        return {} if name in self.connectors else None

    async def validate_connector_config(self, config: Mapping[str, Any], policies: Any = ()) -> dict[str, Any]:
        return {"name": config.get("connector.class"), "error_count": 0, "groups": [], "configs": []}

    async def stop(self) -> None:
        await self.stop_tasks(list(self.tasks), unassigned=False)
        await self.stop_connectors(list(self.connectors), unassigned=False)


def _state_for(target: TargetState) -> State:
    return {TargetState.STARTED: State.RUNNING, TargetState.PAUSED: State.PAUSED}.get(target, State.STOPPED)


def make_herder(
    props: Mapping[str, str], port: int, runtime: Any, plugins: PluginRegistry | None = None
) -> DistributedHerder:
    """A herder whose advertised URL is ``http://127.0.0.1:<port>/`` (serve it with :func:`serve`)."""
    cfg = DistributedConfig.from_props(props)
    stores = create_stores(props, {"bootstrap.servers": props["bootstrap.servers"]}, cfg)
    url = f"http://127.0.0.1:{port}/"
    herder = DistributedHerder(
        cfg,
        rest_url=url,
        worker_id=f"127.0.0.1:{port}",
        runtime=runtime.listening_to,
        config_store=stores.config,
        status_store=stores.status,
        offset_store=stores.offsets,
        plugins=plugins or PluginRegistry(),
    )
    return herder


async def serve(herder: DistributedHerder, props: Mapping[str, str], port: int) -> RestServer:
    """The REST server of ``herder`` on ``port`` (stopped with the herder by :func:`stop_node`)."""
    server = await start_rest_server(herder, {**props, "listeners": f"http://127.0.0.1:{port}"})
    herder.rest_server = server  # type: ignore[attr-defined]
    return server


async def _cancel(task: asyncio.Task[Any] | None) -> None:
    if task is not None and not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


async def crash_herder(h: DistributedHerder) -> None:
    """Make an in-process herder vanish like a killed process: its membership and heartbeats stop
    without a LeaveGroup, nothing more is written by it; the coordinator drops it after the session
    timeout. (Its tasks are stopped so they do not linger in the test process.)"""
    h.assignment.stopping = True
    member = h.assignment.member
    if member is not None:
        member._closing = True
        for t in member._tasks:
            await _cancel(t)
        if member._own_client:
            with contextlib.suppress(Exception):
                await member._client.close()
    await _cancel(h._tick_task)
    await h._background.cancel_all()
    await h.reconfigurer.close()
    with contextlib.suppress(Exception):
        await h.runtime.stop()
    for backing in (h._config, h._status, h._offsets):
        with contextlib.suppress(Exception):
            await backing.stop()


async def stop_node(herder: DistributedHerder, *, crash: bool = False) -> None:
    server = getattr(herder, "rest_server", None)
    if crash:
        await crash_herder(herder)
    else:
        await herder.stop()
    if server is not None:
        await server.stop()


async def wait_for(cond: Callable[[], bool], limit: float = 60.0, what: str = "condition") -> float:
    """Poll ``cond`` until true; returns the seconds it took."""
    start = time.monotonic()
    while not cond():
        if time.monotonic() - start > limit:
            raise AssertionError(f"timed out after {limit}s waiting for {what}")
        await asyncio.sleep(0.05)
    return time.monotonic() - start


def stable(herders: list[DistributedHerder]) -> bool:
    """Every herder has applied an assignment of the same generation and none expects a rebalance."""
    gens = {h.generation for h in herders}
    return (
        len(gens) == 1
        and all(h.assignment.rebalance_resolved and not h.group.needs_rebalance for h in herders)
        and all((m := h.assignment.member) is not None and m.stable and not m._rejoin.is_set() for h in herders)
    )


def spread(herders: list[DistributedHerder], connector: str | None = None) -> list[int]:
    return [len([t for t in h.local.tasks if connector is None or t.connector == connector]) for h in herders]

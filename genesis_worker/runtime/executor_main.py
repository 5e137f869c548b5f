"""An executor process (``python -m genesis_worker.runtime.executor_main <fd> <name>``): runs the tasks the
worker places on it, with a :class:`Worker` of its own (same task threads, watchdog, converters, error
handling), and reports back over the socket ``fd`` (see :mod:`.executor.wire`):

- task states and topic activity as they happen, metric snapshots every second;
- source offsets are read and written through the worker's offset store (requests), so the offsets topic
  keeps one writer and one reader per worker, in Connect's format, and ``GET /connectors/{c}/offsets``
  sees what the executor's tasks committed; a source task's offsets are written only after Kafka
  acknowledged its records, as in the worker process (at-least-once unchanged).

It exits when the worker asks it to, or when the worker's end of the socket closes (the worker died).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
from collections.abc import Collection, Mapping
from typing import Any

from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import State, TargetState
from genesis_worker.plugins.registry import PluginRegistry
from genesis_worker.runtime.executor.metrics_mirror import SNAPSHOT_INTERVAL_S, snapshot
from genesis_worker.runtime.executor.wire import Channel
from genesis_worker.runtime.worker import Worker
from genesis_worker.storage.base import OffsetBackingStore

log = logging.getLogger(__name__)


class _Listener:
    """Task states and topic activity go to the worker as notifications."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    def on_task_state(self, task: ConnectorTaskId, state: State, trace: str | None = None) -> None:
        self.channel.notify("state", (task, state, trace))

    def on_topic_active(self, connector: str, topic: str) -> None:
        self.channel.notify("topic", (connector, topic))

    def on_connector_state(self, connector: str, state: State, trace: str | None = None) -> None:
        """Executors run no connectors."""


class _WorkerOffsetStore(OffsetBackingStore):
    """The worker's offset store, over the channel."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    async def start(self) -> None:
        """The worker started it."""

    async def stop(self) -> None:
        """The worker stops it."""

    async def get(self, keys: Collection[bytes]) -> dict[bytes, bytes | None]:
        result: dict[bytes, bytes | None] = await self.channel.request("offsets.get", list(keys))
        return result

    async def set(self, values: Mapping[bytes, bytes | None]) -> None:
        await self.channel.request("offsets.set", dict(values))

    async def connector_partitions(self, connector: str) -> list[bytes]:
        result: list[bytes] = await self.channel.request("offsets.partitions", connector)
        return result


class ExecutorRuntime:
    def __init__(self, channel: Channel, name: str) -> None:
        self.channel = channel
        self.name = name
        self.worker: Worker | None = None
        self.closed = asyncio.Event()
        self._metrics: asyncio.Task[None] | None = None

    async def on_request(self, op: str, payload: Any) -> Any:
        if op == "init":
            return self._init(payload)
        worker = self.worker
        assert worker is not None, "init first"
        if op == "start":
            task, connector_props, task_props, target, count = payload
            ok = await worker.start_task(task, connector_props, task_props, target, count)
            runner = worker.task_runner(task)
            return ok, runner.metrics.kind if runner is not None else "source"
        if op == "stop":
            await worker.stop_tasks(payload)
            self._send_metrics()
            return None
        if op == "close":
            await worker.stop()
            self.closed.set()
            return None
        raise ValueError(f"unknown request {op}")

    def on_note(self, op: str, payload: Any) -> None:
        if op == "target" and self.worker is not None:
            task, target = payload
            tt = self.worker.tasks.get(task)
            if tt is not None and isinstance(target, TargetState):
                tt.transition_to(target)

    def _init(self, init: dict[str, Any]) -> None:
        logging.getLogger().setLevel(init["log_level"])
        config = WorkerConfig(init["props"], init["mode"])
        registry = PluginRegistry.discover(config.get_list("plugin.path") or [])
        self.worker = Worker(
            config,
            registry,
            _WorkerOffsetStore(self.channel),
            _Listener(self.channel),
            init["worker_id"],
            executors=False,
        )
        self._metrics = asyncio.get_running_loop().create_task(self._report_metrics())

    def _send_metrics(self) -> None:
        if self.worker is not None:
            self.channel.notify("metrics", [snapshot(m) for m in self.worker.metrics.tasks()])

    async def _report_metrics(self) -> None:
        while True:
            await asyncio.sleep(SNAPSHOT_INTERVAL_S)
            self._send_metrics()


async def _main(fd: int, name: str) -> None:
    reader, writer = await asyncio.open_connection(sock=socket.socket(fileno=fd))
    channel = Channel(reader, writer)
    rt = ExecutorRuntime(channel, name)
    serving = asyncio.create_task(channel.run(rt.on_request, rt.on_note))
    closed = asyncio.create_task(rt.closed.wait())
    await asyncio.wait({serving, closed}, return_when=asyncio.FIRST_COMPLETED)
    if closed.done():
        await writer.drain()  # the reply to "close"
    elif rt.worker is not None:  # the worker is gone: nothing we report reaches anyone
        log.warning("Executor %s: the worker closed the channel; stopping", name)
        await asyncio.wait_for(rt.worker.stop(), 15)


def main() -> None:
    fd, name = int(sys.argv[1]), sys.argv[2]
    logging.basicConfig(
        level=logging.INFO, format=f"[%(asctime)s] %(levelname)s [{name} pid {os.getpid()}] %(message)s (%(name)s)"
    )
    try:
        asyncio.run(_main(fd, name))
    finally:
        # abandoned task threads (blocked in a call) must not keep the process alive
        logging.shutdown()
        os._exit(0)


if __name__ == "__main__":
    main()

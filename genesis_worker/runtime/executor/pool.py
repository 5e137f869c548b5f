"""The worker's side of executor processes: spawn them, place tasks on them, relay what they report.

Placement (:meth:`ExecutorPool.placement`): a connector whose ``genesis.task.isolation`` (its config, else
the worker's) is ``process`` gets an executor of its own, watched against its resource limits
(:mod:`.limits`); otherwise, with ``genesis.task.processes`` above 1 (or ``auto``), tasks go to the shared
executor with the fewest tasks; otherwise they stay in the worker process (today's mode).

An executor that exits (crash, kill, over a limit) makes each of its tasks FAILED with a trace saying why;
a shared one is replaced at once, an isolated one when its connector's tasks start again (e.g. by the
restart policy). An executor in which a task was failed by the blocked-task watchdog takes no new tasks
(its abandoned thread may still run there): a fresh one replaces it and it exits when its last task stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import State, TargetState
from genesis_worker.runtime.executor.limits import POLL_INTERVAL_S, Limits, LimitWatch
from genesis_worker.runtime.executor.metrics_mirror import MirroredMetrics
from genesis_worker.runtime.executor.wire import Channel, ChannelClosed, RemoteError
from genesis_worker.runtime.task_base import TaskStatusListener
from genesis_worker.storage.base import OffsetBackingStore

log = logging.getLogger(__name__)

PROCESSES_CONFIG = "genesis.task.processes"
ISOLATION_CONFIG = "genesis.task.isolation"
MEMORY_MAX_CONFIG = "genesis.task.memory.max.bytes"
CPU_MAX_PERCENT_CONFIG = "genesis.task.cpu.max.percent"
CPU_WINDOW_CONFIG = "genesis.task.cpu.window.ms"
EXECUTOR_MAIN = "genesis_worker.runtime.executor_main"
SPAWN_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_S = 30.0
CLOSE_TIMEOUT_S = 10.0


class ExecutorDiedError(Exception):
    """Named in the trace of the tasks of an executor process that exited."""


def parse_processes(value: Any) -> int:
    """``genesis.task.processes``: a positive number or ``auto`` (the host's cores)."""
    text = str(value).strip().lower()
    if text == "auto":
        return os.cpu_count() or 1
    return max(1, int(text))


@dataclass
class RemoteTask:
    """A task running in an executor, as the worker holds it (the counterpart of a ``TaskThread``)."""

    id: ConnectorTaskId
    executor: Executor
    mirror: MirroredMetrics
    done: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    blocked_timeout_s: float = 0.0  # the executor's own watchdog watches it
    runner: None = None

    @property
    def metrics(self) -> Any:
        return self.mirror.metrics

    def transition_to(self, target: TargetState) -> None:
        self.executor.notify("target", (self.id, target))


class Executor:
    """One executor process and the channel to it."""

    def __init__(self, name: str, pool: ExecutorPool, limits: Limits, isolated_for: str | None) -> None:
        self.name = name
        self.pool = pool
        self.limits = limits
        self.isolated_for = isolated_for
        self.tasks: dict[ConnectorTaskId, RemoteTask] = {}
        self.proc: asyncio.subprocess.Process | None = None
        self.channel: Channel | None = None
        self.retired = False  # takes no new tasks (a task of it was abandoned as blocked)
        self.kill_reason: str | None = None
        self.closing = False
        self.ended: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._bg: set[asyncio.Task[None]] = set()

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    @property
    def alive(self) -> bool:
        return self.channel is not None and not self.channel.closed

    async def spawn(self, init: dict[str, Any]) -> None:
        ours, theirs = socket.socketpair()
        try:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                EXECUTOR_MAIN,
                str(theirs.fileno()),
                self.name,
                pass_fds=(theirs.fileno(),),
                stdin=asyncio.subprocess.DEVNULL,
            )
        finally:
            theirs.close()
        reader, writer = await asyncio.open_connection(sock=ours)
        self.channel = Channel(reader, writer)
        self._spawn_bg(self._serve())
        if self.limits.any:
            self._spawn_bg(self._watch_limits())
        await self.channel.request("init", init, wait_s=SPAWN_TIMEOUT_S)
        log.info("Executor %s started (pid %s)", self.name, self.pid)

    def _spawn_bg(self, coro: Any) -> None:
        t = asyncio.get_running_loop().create_task(coro)
        self._bg.add(t)
        t.add_done_callback(self._bg.discard)

    def notify(self, op: str, payload: Any) -> None:
        if self.channel is not None:
            self.channel.notify(op, payload)

    async def request(self, op: str, payload: Any, wait_s: float = REQUEST_TIMEOUT_S) -> Any:
        if self.channel is None or self.channel.closed:
            raise ChannelClosed(f"executor {self.name} is gone")
        return await self.channel.request(op, payload, wait_s)

    async def _serve(self) -> None:
        assert self.channel is not None
        try:
            await self.channel.run(self.pool.on_request, self._on_note)
        finally:
            await self._died()

    def _on_note(self, op: str, payload: Any) -> None:
        if op == "metrics":
            for snap in payload:
                rt = self.tasks.get(ConnectorTaskId(snap["connector"], snap["task"]))
                if rt is not None:
                    rt.mirror.apply(snap)
        elif op == "state":
            tid, state, trace = payload
            if tid in self.tasks:
                if state is State.FAILED and trace and "TaskBlockedError" in trace:
                    self.pool.retire(self)
                self.pool.listener.on_task_state(tid, state, trace)
        elif op == "topic":
            self.pool.listener.on_topic_active(*payload)

    async def _watch_limits(self) -> None:
        assert self.proc is not None
        watch = LimitWatch(self.proc.pid, self.limits)
        while self.alive:
            reason = watch.check(time.monotonic())
            if reason is not None:
                self.kill(f"was killed by the worker: {reason}")
                return
            await asyncio.sleep(POLL_INTERVAL_S)

    def kill(self, reason: str) -> None:
        if self.kill_reason is None:
            self.kill_reason = reason
        log.error("Executor %s (pid %s) %s", self.name, self.pid, reason)
        if self.proc is not None and self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()

    async def _died(self) -> None:
        code: int | None = None
        if self.proc is not None:
            try:
                code = await asyncio.wait_for(self.proc.wait(), 5)
            except TimeoutError:
                self.proc.kill()
        if code is None:
            how = "stopped answering"
        elif code < 0:
            how = f"was ended by signal {signal.Signals(-code).name}"
        else:
            how = f"exited with code {code}"
        why = self.kill_reason or how
        if not self.closing:
            for tid, rt in list(self.tasks.items()):
                trace = (
                    f"{__name__}.{ExecutorDiedError.__name__}: The executor process {self.name} (pid {self.pid}) "
                    f"running task {tid} {why}" + ("" if why == how else f"; it {how}") + ". The task was lost "
                    "with it; its uncommitted records are delivered again when it is restarted."
                )
                log.error("%s", trace)
                self.pool.listener.on_task_state(tid, State.FAILED, trace)
                _resolve(rt.done)
        if not self.ended.done():
            self.ended.set_result(None)
        self.pool.ended(self)


class ExecutorPool:
    """The executors of one worker (none until a task needs one)."""

    def __init__(
        self,
        config: WorkerConfig,
        listener: TaskStatusListener,
        offset_store: OffsetBackingStore,
        worker_id: str,
    ) -> None:
        self.config = config
        self.listener = listener
        self.offset_store = offset_store
        self.worker_id = worker_id
        self.processes = parse_processes(config.get(PROCESSES_CONFIG))
        self.shared: list[Executor] = []
        self.isolated: dict[str, Executor] = {}
        self.retired: list[Executor] = []
        self._names = itertools.count(1)
        self._lock = asyncio.Lock()
        self.closed = False

    def _setting(self, props: Mapping[str, Any], key: str) -> Any:
        value = props.get(key)
        return self.config.get(key) if value is None or value == "" else value

    def placement(self, connector_props: Mapping[str, Any]) -> str | None:
        """``isolated``, ``shared`` or None (in the worker process)."""
        if str(self._setting(connector_props, ISOLATION_CONFIG)).strip().lower() == "process":
            return "isolated"
        return "shared" if self.processes > 1 else None

    def limits(self, connector_props: Mapping[str, Any]) -> Limits:
        return Limits(
            memory_max_bytes=int(self._setting(connector_props, MEMORY_MAX_CONFIG)),
            cpu_max_percent=float(self._setting(connector_props, CPU_MAX_PERCENT_CONFIG)),
            cpu_window_s=int(self._setting(connector_props, CPU_WINDOW_CONFIG)) / 1000,
        )

    def executors(self) -> list[Executor]:
        return [*self.shared, *self.isolated.values(), *self.retired]

    async def _new(self, limits: Limits, isolated_for: str | None) -> Executor:
        ex = Executor(f"executor-{self.worker_id}-{next(self._names)}", self, limits, isolated_for)
        init = {
            "props": dict(self.config.originals),
            "mode": self.config.mode,
            "worker_id": self.worker_id,
            "log_level": logging.getLogger().getEffectiveLevel(),
        }
        try:
            await ex.spawn(init)
        except BaseException:
            ex.kill("could not be started")
            raise
        return ex

    async def _executor_for(self, task: ConnectorTaskId, connector_props: Mapping[str, Any]) -> Executor:
        async with self._lock:
            if self.placement(connector_props) == "isolated":
                ex = self.isolated.get(task.connector)
                if ex is None or not ex.alive:
                    ex = await self._new(self.limits(connector_props), task.connector)
                    self.isolated[task.connector] = ex
                return ex
            live = [e for e in self.shared if e.alive]
            while len(live) < self.processes:
                ex = await self._new(Limits(), None)
                self.shared.append(ex)
                live.append(ex)
            return min(live, key=lambda e: len(e.tasks))

    async def start_task(
        self,
        task: ConnectorTaskId,
        connector_props: Mapping[str, Any],
        task_props: Mapping[str, Any],
        target: TargetState,
        task_count: int | None,
    ) -> RemoteTask | None:
        """Start ``task`` in an executor; None if it failed to start (the executor reported it FAILED)."""
        ex = await self._executor_for(task, connector_props)
        payload = (task, dict(connector_props), dict(task_props), target, task_count)
        # registered first: the task's first state arrives before the reply
        rt = RemoteTask(task, ex, MirroredMetrics.create(task.connector, task.task, "source"))
        ex.tasks[task] = rt
        ok, kind = await ex.request("start", payload, wait_s=SPAWN_TIMEOUT_S)
        if not ok:
            ex.tasks.pop(task, None)
            return None
        rt.mirror.metrics.kind = kind
        return rt

    async def stop_tasks(self, tasks: list[RemoteTask], timeout_s: float) -> None:
        """Stop tasks in their executors (each executor stops its own within the graceful timeout)."""
        by_executor: dict[Executor, list[ConnectorTaskId]] = {}
        for rt in tasks:
            by_executor.setdefault(rt.executor, []).append(rt.id)
        await asyncio.gather(*(self._stop_in(ex, tids, timeout_s) for ex, tids in by_executor.items()))

    async def _stop_in(self, ex: Executor, tids: list[ConnectorTaskId], timeout_s: float) -> None:
        try:
            if ex.alive:
                await ex.request("stop", tids, wait_s=timeout_s + 5)
        except (ChannelClosed, RemoteError, TimeoutError) as e:
            log.warning("Stopping %s in executor %s: %s", tids, ex.name, e)
        for tid in tids:
            rt = ex.tasks.pop(tid, None)
            if rt is not None:
                _resolve(rt.done)
        if not ex.tasks and (ex.retired or ex.isolated_for is not None):
            await self._close(ex)

    def retire(self, ex: Executor) -> None:
        """No new tasks for ``ex``; a fresh executor takes its place among the shared ones."""
        if ex.retired:
            return
        ex.retired = True
        log.warning("Executor %s takes no new tasks: a task of it blocked its thread", ex.name)
        if ex in self.shared:
            self.shared.remove(ex)
            self.retired.append(ex)
        elif self.isolated.get(ex.isolated_for or "") is ex:
            del self.isolated[ex.isolated_for or ""]
            self.retired.append(ex)

    def ended(self, ex: Executor) -> None:
        """``ex``'s process is gone: forget it; a shared one is replaced at once."""
        if ex in self.retired:
            self.retired.remove(ex)
        if self.isolated.get(ex.isolated_for or "") is ex:
            del self.isolated[ex.isolated_for or ""]
        if ex in self.shared:
            self.shared.remove(ex)
            if not self.closed and not ex.closing:
                asyncio.get_running_loop().create_task(self._replace())

    async def _replace(self) -> None:
        try:
            async with self._lock:
                if not self.closed and len(self.shared) < self.processes:
                    self.shared.append(await self._new(Limits(), None))
        except Exception as e:
            log.error("Replacing an executor failed (the next task start tries again): %s", e)

    async def on_request(self, op: str, payload: Any) -> Any:
        """An executor's request: the worker's offset store."""
        if op == "offsets.get":
            return await self.offset_store.get(payload)
        if op == "offsets.set":
            return await self.offset_store.set(payload)
        if op == "offsets.partitions":
            return await self.offset_store.connector_partitions(payload)
        raise ValueError(f"unknown request {op}")

    async def _close(self, ex: Executor) -> None:
        ex.closing = True
        try:
            if ex.alive:
                await ex.request("close", None, wait_s=CLOSE_TIMEOUT_S)
            await asyncio.wait_for(asyncio.shield(ex.ended), CLOSE_TIMEOUT_S)
        except (ChannelClosed, RemoteError, TimeoutError):
            ex.kill("did not exit when asked")
            await asyncio.wait({ex.ended}, timeout=CLOSE_TIMEOUT_S)

    async def close(self) -> None:
        """Stop every executor (their tasks were stopped before)."""
        self.closed = True
        await asyncio.gather(*(self._close(ex) for ex in self.executors()))


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)

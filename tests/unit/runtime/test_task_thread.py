"""TaskThread, ControlPlane and TaskWatchdog without a broker: a task runs on its own loop, its status
reaches the control loop, a task that blocks its loop is failed with its stack and abandoned, and
stopping a blocked task waits no longer than the graceful timeout."""

from __future__ import annotations

import asyncio
import threading
import time

from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.metrics.task_metrics import TaskMetrics
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import State, TargetState
from genesis_worker.plugins.registry import PluginRegistry
from genesis_worker.runtime.task_base import WorkerTask
from genesis_worker.runtime.task_thread import CANCEL_WAIT_S, ControlPlane, TaskThread, TaskWatchdog
from genesis_worker.runtime.worker import Worker
from genesis_worker.storage.file_offsets import MemoryOffsetBackingStore


class Listener:
    def __init__(self) -> None:
        self.states: list[tuple[ConnectorTaskId, State, str | None, int]] = []
        self.topics: list[tuple[str, str]] = []

    def on_task_state(self, task: ConnectorTaskId, state: State, trace: str | None = None) -> None:
        self.states.append((task, state, trace, threading.get_ident()))

    def on_topic_active(self, connector: str, topic: str) -> None:
        self.topics.append((connector, topic))


class Runner(WorkerTask):
    """Reports RUNNING, then blocks its loop with ``time.sleep`` when ``block`` is set, until stopped."""

    def __init__(self, listener: ControlPlane, block_s: float = 0.0) -> None:
        super().__init__(ConnectorTaskId("c", 0), listener, TargetState.STARTED)
        self.metrics = TaskMetrics("c", 0, "sink")
        self.block_s = block_s
        self.loop_thread: int | None = None
        self.paused_seen = asyncio.Event()

    async def execute(self) -> None:
        self.loop_thread = threading.get_ident()
        self.report(State.RUNNING)
        self.listener.on_topic_active("c", "t")
        while not self.stopping.is_set():
            if self.block_s:
                time.sleep(self.block_s)  # noqa: ASYNC251 - the point of the test
            await asyncio.sleep(0.01)

    def on_target_state(self) -> None:
        self.paused_seen.set()


async def _until(pred, wait_s: float = 5.0) -> None:
    deadline = time.monotonic() + wait_s
    while not pred():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_a_task_runs_on_its_own_thread_and_reports_on_the_control_loop() -> None:
    listener = Listener()
    plane = ControlPlane(asyncio.get_running_loop(), listener)
    runner = Runner(plane)
    tt = TaskThread(runner, plane)
    tt.start()
    await _until(lambda: listener.states and listener.topics)
    assert runner.loop_thread not in (None, threading.get_ident())
    assert listener.states[0][:2] == (runner.id, State.RUNNING)
    assert listener.states[0][3] == threading.get_ident()  # delivered on the control thread
    tt.transition_to(TargetState.PAUSED)
    await _until(lambda: runner.target_state is TargetState.PAUSED)
    tt.stop()
    await asyncio.wait_for(tt.done, 5)
    await _until(lambda: not tt.thread.is_alive())
    assert listener.states[-1][1] is State.UNASSIGNED


async def test_source_offsets_cross_to_the_control_loop() -> None:
    store = MemoryOffsetBackingStore()
    await store.start()
    plane = ControlPlane(asyncio.get_running_loop(), Listener())
    proxy = plane.offset_store(store)
    result: dict[bytes, bytes | None] = {}

    def other_loop() -> None:
        async def go() -> None:
            await proxy.set({b"k": b"v"})
            result.update(await proxy.get([b"k"]))

        asyncio.run(go())

    t = threading.Thread(target=other_loop)
    t.start()
    await _until(lambda: bool(result))
    t.join()
    assert result == {b"k": b"v"} and await store.get([b"k"]) == {b"k": b"v"}


async def test_the_watchdog_fails_and_abandons_a_blocked_task() -> None:
    listener = Listener()
    plane = ControlPlane(asyncio.get_running_loop(), listener)
    runner = Runner(plane, block_s=2.0)
    tt = TaskThread(runner, plane, blocked_timeout_ms=300)
    dog = TaskWatchdog(lambda: [tt], listener.on_task_state)
    tt.start()
    dog.ensure_running()
    try:
        await _until(lambda: any(s[1] is State.FAILED for s in listener.states), 5)
    finally:
        await dog.stop()
    trace = next(s[2] for s in listener.states if s[1] is State.FAILED)
    assert trace is not None and "TaskBlockedError" in trace and "time.sleep(self.block_s)" in trace
    assert tt.abandoned and tt.done.done() and runner.cancelled
    n = len(listener.states)
    # when the sleep returns, the injected exception ends the thread; nothing more reaches the listener
    await _until(lambda: not tt.thread.is_alive(), 5)
    await asyncio.sleep(0.1)
    assert len(listener.states) == n


async def test_stopping_a_blocked_task_waits_the_graceful_timeout_then_abandons_it() -> None:
    listener = Listener()
    string = "org.apache.kafka.connect.storage.StringConverter"
    props = {"key.converter": string, "value.converter": string, "task.shutdown.graceful.timeout.ms": "300"}
    config = WorkerConfig({**props, "offset.storage.file.filename": "/nonexistent"}, "standalone")
    worker = Worker(config, PluginRegistry(), MemoryOffsetBackingStore(), listener)  # type: ignore[arg-type]
    plane = ControlPlane(asyncio.get_running_loop(), listener)
    runner = Runner(plane, block_s=3.0)
    tt = TaskThread(runner, plane, blocked_timeout_ms=0)  # the watchdog is off for this task
    worker.tasks[runner.id] = tt
    tt.start()
    await _until(lambda: listener.states)
    t0 = time.monotonic()
    await worker.stop_tasks([runner.id])
    assert time.monotonic() - t0 < 0.3 + CANCEL_WAIT_S + 0.5
    assert tt.abandoned and runner.cancelled and not worker.tasks
    assert listener.states[-1][1] is State.UNASSIGNED
    await worker.stop()

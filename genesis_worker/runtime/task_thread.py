"""Each task on its own thread with its own event loop, and the watchdog that finds a stuck one.

Java Connect runs every ``WorkerTask`` on its own thread, so a task whose ``put`` or ``poll`` hangs
never stops the REST API or the other tasks. Here each task's whole coroutine (start, the poll/put
loop, stop) runs on a :class:`TaskThread`: a daemon thread with its own asyncio loop. The worker's
loop (the *control* loop: REST, herder, stores) talks to it only through thread-safe hand-offs:

- status and topic-tracking callbacks, and source offset reads/writes, go through
  :class:`ControlPlane` (``call_soon_threadsafe`` / ``run_coroutine_threadsafe``);
- stop and pause/resume signals are posted to the task loop (``asyncio.Event`` is not thread-safe);
- the worker waits for a task's end on a control-loop future, always with a timeout.

Each task loop ticks a heartbeat every :data:`HEARTBEAT_S`. :class:`TaskWatchdog` (on the control loop)
reports a task whose heartbeat is older than ``genesis.task.blocked.timeout.ms`` FAILED, with the stack
of its thread, and abandons it: a Python thread cannot be killed, so it stays a daemon thread; its
clients are not touched from other threads. An exception is raised in it asynchronously, so a pure-Python
spin stops at once and a blocking call ends the task (closing its clients) when it returns. Nothing it
does after that reaches the control plane.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import sys
import threading
import time
import traceback
from collections.abc import Callable, Collection, Coroutine, Iterable, Mapping
from typing import Any, TypeVar

from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import State, TargetState
from genesis_worker.runtime.task_base import TaskStatusListener, WorkerTask
from genesis_worker.storage.base import OffsetBackingStore

log = logging.getLogger(__name__)

T = TypeVar("T")

BLOCKED_TIMEOUT_CONFIG = "genesis.task.blocked.timeout.ms"
DEFAULT_BLOCKED_TIMEOUT_MS = 30_000
HEARTBEAT_S = 0.1
WATCHDOG_INTERVAL_S = 0.25
CANCEL_WAIT_S = 1.0  # after the graceful stop timeout: how long a cancelled task gets before it is abandoned


class TaskBlockedError(BaseException):
    """Raised inside an abandoned task's thread (a BaseException: task code catching ``Exception``
    does not swallow it)."""


def call_in_loop(loop: asyncio.AbstractEventLoop, fn: Callable[..., None], *args: Any) -> None:
    """Call ``fn(*args)`` now when running on ``loop``, else post it there (dropped if ``loop`` is closed)."""
    try:
        running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        fn(*args)
        return
    try:
        loop.call_soon_threadsafe(fn, *args)
    except RuntimeError:  # the loop is closed: its owner is gone
        pass


class ControlPlane:
    """What a task thread may call on the control loop: the status listener and the offset store.

    Calls made on the control loop run directly; calls from a task thread are posted to the control
    loop. After :meth:`close` (the task was abandoned) nothing passes any more.
    """

    def __init__(self, control: asyncio.AbstractEventLoop, listener: TaskStatusListener) -> None:
        self.control = control
        self.listener = listener
        self.closed = False

    def close(self) -> None:
        self.closed = True

    def _post(self, fn: Callable[..., None], *args: Any) -> None:
        if not self.closed:
            call_in_loop(self.control, self._deliver, fn, args)

    def _deliver(self, fn: Callable[..., None], args: tuple[Any, ...]) -> None:
        if not self.closed:
            fn(*args)

    # TaskStatusListener
    def on_task_state(self, task: ConnectorTaskId, state: State, trace: str | None = None) -> None:
        self._post(self.listener.on_task_state, task, state, trace)

    def on_topic_active(self, connector: str, topic: str) -> None:
        self._post(self.listener.on_topic_active, connector, topic)

    async def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the control loop and await its result from the calling (task) loop."""
        if self.closed:
            coro.close()
            raise TaskBlockedError("the task was abandoned")
        if asyncio.get_running_loop() is self.control:
            return await coro
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.control))

    def offset_store(self, store: OffsetBackingStore) -> OffsetBackingStore:
        return _ControlOffsetStore(self, store)


class _ControlOffsetStore(OffsetBackingStore):
    """The worker's offset store as seen from a task thread: every call runs on the control loop."""

    def __init__(self, plane: ControlPlane, store: OffsetBackingStore) -> None:
        self.plane = plane
        self.store = store

    async def start(self) -> None:
        await self.plane.call(self.store.start())

    async def stop(self) -> None:
        await self.plane.call(self.store.stop())

    async def get(self, keys: Collection[bytes]) -> dict[bytes, bytes | None]:
        return await self.plane.call(self.store.get(keys))

    async def set(self, values: Mapping[bytes, bytes | None]) -> None:
        await self.plane.call(self.store.set(values))

    async def connector_partitions(self, connector: str) -> list[bytes]:
        return await self.plane.call(self.store.connector_partitions(connector))


class TaskThread:
    """Runs one :class:`WorkerTask` on a daemon thread with its own event loop.

    ``done`` (a control-loop future) resolves when the task's ``run()`` has returned, or at once when
    the task is abandoned.
    """

    def __init__(
        self, runner: WorkerTask, plane: ControlPlane, blocked_timeout_ms: int = DEFAULT_BLOCKED_TIMEOUT_MS
    ) -> None:
        self.runner = runner
        self.plane = plane
        self.blocked_timeout_s = blocked_timeout_ms / 1000
        self.control = plane.control
        self.loop = asyncio.new_event_loop()
        self.done: asyncio.Future[None] = self.control.create_future()
        self.heartbeat = time.monotonic()
        self.abandoned = False
        self._main: asyncio.Task[None] | None = None
        self.thread = threading.Thread(target=self._thread_main, name=f"task-thread-{runner.id}", daemon=True)

    @property
    def id(self) -> ConnectorTaskId:
        return self.runner.id

    def start(self) -> None:
        self.heartbeat = time.monotonic()
        self.thread.start()

    # --- on the task thread -------------------------------------------------------------------------

    def _thread_main(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._run())
        except asyncio.CancelledError:  # cancelled after the graceful stop timeout
            log.info("Task thread of %s ended: cancelled", self.id)
        except BaseException as e:  # an abandoned thread's injected TaskBlockedError lands here, too
            log.warning("Task thread of %s ended: %r", self.id, e)
        finally:
            self._signal_done()
            try:
                _cancel_remaining(self.loop)
                self.loop.run_until_complete(self.loop.shutdown_asyncgens())
                self.loop.close()
            except BaseException as e:  # an abandoned thread may be interrupted again here
                log.debug("Cleaning up the loop of %s: %r", self.id, e)

    async def _run(self) -> None:
        self._main = asyncio.current_task()
        self._tick()
        try:
            await self.runner.run()
        finally:
            self._signal_done()

    def _tick(self) -> None:
        self.heartbeat = time.monotonic()
        self.loop.call_later(HEARTBEAT_S, self._tick)

    def _signal_done(self) -> None:
        call_in_loop(self.control, _resolve, self.done)

    # --- from the control loop ----------------------------------------------------------------------

    def _post(self, fn: Callable[..., Any], *args: Any) -> None:
        call_in_loop(self.loop, fn, *args)

    def stop(self) -> None:
        """Ask the task to stop (Connect's ``WorkerTask.stop``); wait on :attr:`done`."""
        self._post(self.runner.stop)

    def transition_to(self, target: TargetState) -> None:
        self._post(self.runner.transition_to, target)

    def cancel(self) -> None:
        """After the graceful timeout: no final commit, cancel the task's coroutine."""
        self.runner.cancelled = True
        self._post(self._cancel_main)

    def _cancel_main(self) -> None:
        if self._main is not None:
            self._main.cancel()

    def blocked_for(self, now: float) -> float:
        """Seconds since the task loop last ticked (0 when it is finished or abandoned)."""
        if self.abandoned or self.done.done() or not self.thread.is_alive():
            return 0.0
        return now - self.heartbeat

    def stack(self) -> str:
        """The task thread's current stack, most recent call last."""
        frame = sys._current_frames().get(self.thread.ident or -1)
        return "".join(traceback.format_stack(frame)) if frame is not None else "  (no Python frame)\n"

    def abandon(self) -> None:
        """Give up on the task for good: nothing it does reaches the control plane any more, its
        coroutine is cancelled and an exception is raised in its thread; ``done`` resolves now."""
        if self.abandoned:
            return
        self.abandoned = True
        self.plane.close()
        self.cancel()
        self._post(self.runner.stop)
        ident = self.thread.ident
        if ident is not None and self.thread.is_alive() and not self.done.done():
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(TaskBlockedError))
        _resolve(self.done)


class TaskWatchdog:
    """On the control loop: fails and abandons any task whose loop stopped ticking for longer than its
    ``genesis.task.blocked.timeout.ms`` (a value of 0 or less turns the check off for that task)."""

    def __init__(
        self,
        threads: Callable[[], Iterable[TaskThread]],
        report: Callable[[ConnectorTaskId, State, str], None],
    ) -> None:
        self.threads = threads
        self.report = report
        self._task: asyncio.Task[None] | None = None

    def ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._watch(), name="task-watchdog")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(WATCHDOG_INTERVAL_S)
            self.check(time.monotonic())

    def check(self, now: float) -> None:
        for tt in list(self.threads()):
            if tt.blocked_timeout_s <= 0:
                continue
            stuck = tt.blocked_for(now)
            if stuck > tt.blocked_timeout_s:
                self.fail(tt, stuck)

    def fail(self, tt: TaskThread, stuck_s: float) -> None:
        trace = (
            f"{__name__}.{TaskBlockedError.__name__}: Task {tt.id} blocked its thread for {stuck_s * 1000:.0f} ms, more "
            f"than {BLOCKED_TIMEOUT_CONFIG}={int(tt.blocked_timeout_s * 1000)}. The task was abandoned: a Python "
            "thread cannot be killed, so its thread is left to end on its own (its clients are closed if the "
            "blocking call ever returns) and nothing it does reaches the worker any more. Restart the task to "
            "run it again on a new thread.\nStack of the blocked thread (most recent call last):\n" + tt.stack()
        )
        log.error("%s", trace)
        tt.abandon()
        try:
            self.report(tt.id, State.FAILED, trace)
        except Exception as e:
            log.warning("Status listener failed for %s: %s", tt.id, e)


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


def _cancel_remaining(loop: asyncio.AbstractEventLoop) -> None:
    """What ``asyncio.run`` does before closing its loop: cancel leftover tasks and let them finish."""
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for t in pending:
        t.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))

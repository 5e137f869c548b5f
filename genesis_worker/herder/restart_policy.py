"""Automatic restart of FAILED connectors and tasks, with exponential backoff: an opt-in policy beyond
Connect, which never restarts a failed connector or task by itself (only ``POST .../restart`` does).

Keys (worker properties; a connector config may set each of them for itself, over the worker's value):

* ``genesis.restart.enabled`` (false): the policy is off unless set.
* ``genesis.restart.backoff.initial.ms`` (1000): delay before the first automatic restart, doubled at each
  further one...
* ``genesis.restart.backoff.max.ms`` (60000): ...up to this. A connector or task that then stays RUNNING
  (or PAUSED) this long counts its attempts from zero again.
* ``genesis.restart.backoff.max.attempts`` (5, -1 for no limit): restarts in a row before the policy gives
  up; the connector or task then stays FAILED, its trace saying so, until someone restarts it.

:class:`AutoRestarter` wraps the herder's status listener (the runtime reports to it; it forwards every
state change unchanged but for the notes it appends to a FAILED trace). It sees the FAILED transitions of
this worker's own connectors and tasks, so the worker running them restarts them, through the herder's own
restart path (RESTARTING, stop, start, as for ``POST .../restart?onlyFailed=true``), once the delay has
passed and only if it is still FAILED here. Each automatic restart is logged, counted
(``genesis_restarts_total{connector,task,kind}``) and told to the :class:`AutoRestartListener` s (the
Genesis layer adds one to write it into the change history). It is not written to the config topic as a
restart request: Connect's restart record names a connector only and restarts every FAILED task of it on
every worker, including the ones still waiting for their delay, the ones the policy gave up on and the
blocked ones.

A task failed by the blocked-task watchdog (its trace names ``TaskBlockedError``) is never restarted
automatically: a Python thread cannot be killed, so the blocked thread keeps running in this process, holding
whatever it holds (the call that hangs, its clients, its memory); restarting the task here again and again
would pile up such threads. Someone has to restart it (``POST .../tasks/{t}/restart``), knowingly.

:class:`RestartBackoff` is the decision alone (attempts, delays, reset, give-up), without a clock or loop::

    backoff = RestartBackoff()
    backoff.on_failed("c", settings, now_ms=0, trace="...")  # Decision(restart=True, attempt=1, delay_ms=1000)
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from genesis_worker.api.errors import ConfigException
from genesis_worker.config.genesis_keys import (
    RESTART_BACKOFF_INITIAL_MS_CONFIG,
    RESTART_BACKOFF_MAX_MS_CONFIG,
    RESTART_ENABLED_CONFIG,
    RESTART_MAX_ATTEMPTS_CONFIG,
    restart_config_def,
)
from genesis_worker.metrics.registry import WorkerMetrics
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import State
from genesis_worker.runtime.task_thread import TaskBlockedError
from genesis_worker.runtime.worker import WorkerStatusListener

log = logging.getLogger(__name__)

_KEYS = (
    RESTART_ENABLED_CONFIG,
    RESTART_BACKOFF_INITIAL_MS_CONFIG,
    RESTART_BACKOFF_MAX_MS_CONFIG,
    RESTART_MAX_ATTEMPTS_CONFIG,
)


@dataclass(frozen=True)
class RestartSettings:
    enabled: bool = False
    initial_ms: int = 1000
    max_ms: int = 60000
    max_attempts: int = 5
    """-1: no limit."""

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> RestartSettings:
        """The restart keys of ``props`` (worker properties), Connect-style validated, defaults for the rest."""
        values = restart_config_def().parse({k: props[k] for k in _KEYS if props.get(k) is not None})
        return cls(
            bool(values[RESTART_ENABLED_CONFIG]),
            int(values[RESTART_BACKOFF_INITIAL_MS_CONFIG]),
            int(values[RESTART_BACKOFF_MAX_MS_CONFIG]),
            int(values[RESTART_MAX_ATTEMPTS_CONFIG]),
        )

    def overridden_by(self, connector_config: Mapping[str, Any] | None) -> RestartSettings:
        """These settings with the keys a connector config sets; an invalid value there is ignored (logged)."""
        own = {k: connector_config[k] for k in _KEYS if connector_config and connector_config.get(k) is not None}
        if not own:
            return self
        try:
            return RestartSettings.from_props({**self.to_props(), **own})
        except ConfigException as e:
            log.warning("Ignoring the connector's restart policy keys %s: %s", sorted(own), e)
            return self

    def to_props(self) -> dict[str, str]:
        return {
            RESTART_ENABLED_CONFIG: str(self.enabled).lower(),
            RESTART_BACKOFF_INITIAL_MS_CONFIG: str(self.initial_ms),
            RESTART_BACKOFF_MAX_MS_CONFIG: str(self.max_ms),
            RESTART_MAX_ATTEMPTS_CONFIG: str(self.max_attempts),
        }

    def delay_ms(self, attempt: int) -> int:
        """The delay before automatic restart number ``attempt`` (from 1): initial, doubling, capped at max."""
        return int(min(self.initial_ms * 2 ** min(attempt - 1, 62), self.max_ms))


class Skip(str, Enum):
    """Why a FAILED connector or task is not restarted."""

    DISABLED = "disabled"
    BLOCKED = "blocked"
    GAVE_UP = "gave up"


@dataclass(frozen=True)
class Decision:
    restart: bool
    attempt: int = 0
    """The automatic restart this is (from 1), or how many were made before giving up."""
    delay_ms: int = 0
    skip: Skip | None = None


@dataclass
class _Track:
    attempts: int = 0
    healthy_since_ms: int | None = None


def is_blocked(trace: str | None) -> bool:
    """The trace of a task failed by the blocked-task watchdog."""
    return trace is not None and TaskBlockedError.__name__ in trace


class RestartBackoff:
    """Attempts per connector or task (any hashable key): see the module doc."""

    def __init__(self) -> None:
        self._tracks: dict[Hashable, _Track] = {}

    def on_healthy(self, key: Hashable, now_ms: int) -> None:
        """``key`` is RUNNING (or PAUSED): its attempts reset once it has been so for ``max.ms``."""
        track = self._tracks.get(key)
        if track is not None and track.healthy_since_ms is None:
            track.healthy_since_ms = now_ms

    def on_failed(self, key: Hashable, settings: RestartSettings, now_ms: int, trace: str | None = None) -> Decision:
        if not settings.enabled:
            self.forget(key)
            return Decision(False, skip=Skip.DISABLED)
        if is_blocked(trace):
            self.forget(key)
            return Decision(False, skip=Skip.BLOCKED)
        track = self._tracks.setdefault(key, _Track())
        if track.healthy_since_ms is not None and now_ms - track.healthy_since_ms >= settings.max_ms:
            track.attempts = 0
        track.healthy_since_ms = None
        if 0 <= settings.max_attempts <= track.attempts:
            return Decision(False, track.attempts, skip=Skip.GAVE_UP)
        track.attempts += 1
        return Decision(True, track.attempts, settings.delay_ms(track.attempts))

    def forget(self, key: Hashable) -> None:
        self._tracks.pop(key, None)

    def attempts(self, key: Hashable) -> int:
        track = self._tracks.get(key)
        return track.attempts if track is not None else 0


class AutoRestartListener(Protocol):
    def on_auto_restart(self, connector: str, task: ConnectorTaskId | None, attempt: int) -> None:
        """``connector`` (``task`` None) or ``task`` was restarted automatically (``attempt`` in a row)."""


RestartFn = Callable[[str, ConnectorTaskId | None], Awaitable[bool]]
"""The herder's restart of a FAILED connector (task None) or task it runs (checking, under its lock, that it
still runs it and that :meth:`AutoRestarter.failed`); False if nothing was restarted."""

_Key = tuple[str, int | None]


class AutoRestarter:
    """The herder's status listener with the restart policy in front (see the module doc)."""

    def __init__(
        self,
        listener: WorkerStatusListener,
        settings: RestartSettings,
        *,
        connector_config: Callable[[str], Mapping[str, Any] | None],
        restart: RestartFn,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._listener = listener
        self.settings = settings
        self._connector_config = connector_config
        self._restart = restart
        self._clock = clock
        self.metrics: WorkerMetrics | None = None
        self.backoff = RestartBackoff()
        self._pending: dict[_Key, asyncio.Task[None]] = {}
        self._states: dict[_Key, State] = {}
        self._closed = False
        self._listeners: list[AutoRestartListener] = []

    def add_listener(self, listener: AutoRestartListener) -> None:
        self._listeners.append(listener)

    def failed(self, connector: str, task: ConnectorTaskId | None) -> bool:
        """Whether the latest state this worker reported for ``connector`` (``task`` None) or ``task`` is
        FAILED (the status store may not have read it back yet)."""
        return self._states.get((connector, None if task is None else task.task)) is State.FAILED

    def settings_for(self, connector: str) -> RestartSettings:
        return self.settings.overridden_by(self._connector_config(connector))

    # --- the status listener ---------------------------------------------------------------------------

    def on_connector_state(self, connector: str, state: State, trace: str | None = None) -> None:
        trace = self._observe(connector, None, state, trace)
        self._listener.on_connector_state(connector, state, trace)

    def on_task_state(self, task: ConnectorTaskId, state: State, trace: str | None = None) -> None:
        trace = self._observe(task.connector, task.task, state, trace)
        self._listener.on_task_state(task, state, trace)

    def on_topic_active(self, connector: str, topic: str) -> None:
        self._listener.on_topic_active(connector, topic)

    # --- the policy --------------------------------------------------------------------------------------

    def _observe(self, connector: str, task: int | None, state: State, trace: str | None) -> str | None:
        key: _Key = (connector, task)
        now_ms = int(self._clock() * 1000)
        if state is State.DESTROYED:
            self._states.pop(key, None)
        else:
            self._states[key] = state
        if state in (State.RUNNING, State.PAUSED):
            self._cancel(key)
            self.backoff.on_healthy(key, now_ms)
        elif state in (State.UNASSIGNED, State.DESTROYED):
            self._cancel(key)
            if state is State.DESTROYED:
                self.backoff.forget(key)
        if state is not State.FAILED:
            return trace
        what = _name(connector, task)
        decision = self.backoff.on_failed(key, self.settings_for(connector), now_ms, trace)
        if decision.restart and not self._closed:
            log.info("%s FAILED: automatic restart %d in %d ms", what, decision.attempt, decision.delay_ms)
            self._cancel(key)
            self._pending[key] = asyncio.get_running_loop().create_task(
                self._later(key, decision), name=f"auto-restart-{what}"
            )
            return trace
        if decision.skip is Skip.GAVE_UP:
            note = (
                f"{RESTART_ENABLED_CONFIG}: gave up after {decision.attempt} automatic restarts "
                f"({RESTART_MAX_ATTEMPTS_CONFIG}); it stays FAILED until it is restarted by hand"
            )
        elif decision.skip is Skip.BLOCKED:
            note = (
                f"{RESTART_ENABLED_CONFIG}: not restarted automatically: its blocked thread cannot be stopped and "
                "still runs in this worker; restart it by hand"
            )
        else:
            return trace
        log.warning("%s: %s", what, note)
        return f"{trace}\n{note}" if trace else note

    async def _later(self, key: _Key, decision: Decision) -> None:
        await asyncio.sleep(decision.delay_ms / 1000)
        self._pending.pop(key, None)  # from here on, the restart's own state changes must not cancel it
        connector, task = key
        task_id = None if task is None else ConnectorTaskId(connector, task)
        what = _name(connector, task)
        try:
            restarted = await self._restart(connector, task_id)
        except Exception:
            log.exception("Automatic restart %d of %s failed", decision.attempt, what)
            return
        if not restarted:
            log.info("%s is no longer FAILED on this worker: automatic restart %d not needed", what, decision.attempt)
            return
        log.info("Automatic restart %d of %s done", decision.attempt, what)
        if self.metrics is not None:
            self.metrics.count_restart(connector, task)
        for listener in self._listeners:
            try:
                listener.on_auto_restart(connector, task_id, decision.attempt)
            except Exception:
                log.exception("Automatic restart listener failed for %s", what)

    def _cancel(self, key: _Key) -> None:
        pending = self._pending.pop(key, None)
        if pending is not None:
            pending.cancel()

    async def close(self) -> None:
        """Cancel the restarts still waiting for their delay and schedule no more (the herder stops)."""
        self._closed = True
        pending, self._pending = list(self._pending.values()), {}
        for t in pending:
            t.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)


def _name(connector: str, task: int | None) -> str:
    return f"connector {connector}" if task is None else f"task {connector}-{task}"

"""The automatic restart policy: settings, backoff, give-up, reset, blocked tasks, and the status-listener
wrapper that schedules restarts (no broker)."""

from __future__ import annotations

import asyncio

import pytest

from genesis_worker.api.errors import ConfigException
from genesis_worker.herder.restart_policy import AutoRestarter, RestartBackoff, RestartSettings, Skip
from genesis_worker.metrics.registry import WorkerMetrics
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import State

ON = RestartSettings(enabled=True, initial_ms=100, max_ms=1000, max_attempts=5)
BLOCKED_TRACE = "genesis_worker.runtime.task_thread.TaskBlockedError: Task c-0 blocked its thread for 40000 ms"


def test_settings_defaults_and_parsing() -> None:
    assert RestartSettings.from_props({}) == RestartSettings(False, 1000, 60000, 5)
    parsed = RestartSettings.from_props(
        {
            "genesis.restart.enabled": "true",
            "genesis.restart.backoff.initial.ms": "50",
            "genesis.restart.backoff.max.ms": "400",
            "genesis.restart.backoff.max.attempts": "-1",
        }
    )
    assert parsed == RestartSettings(True, 50, 400, -1)
    with pytest.raises(ConfigException):
        RestartSettings.from_props({"genesis.restart.backoff.max.attempts": "-2"})


def test_connector_config_overrides_worker_settings() -> None:
    worker = RestartSettings(enabled=False, initial_ms=100)
    assert worker.overridden_by(None) is worker
    assert worker.overridden_by({"genesis.restart.enabled": "true"}) == RestartSettings(True, 100, 60000, 5)
    # an invalid value in the connector's config keeps the worker's settings
    assert worker.overridden_by({"genesis.restart.backoff.initial.ms": "soon"}) == worker


def test_delay_doubles_up_to_max() -> None:
    assert [ON.delay_ms(a) for a in range(1, 7)] == [100, 200, 400, 800, 1000, 1000]
    assert ON.delay_ms(10_000) == 1000


def test_attempts_then_give_up() -> None:
    b = RestartBackoff()
    settings = RestartSettings(enabled=True, initial_ms=10, max_ms=100, max_attempts=3)
    decisions = [b.on_failed("k", settings, now_ms=i) for i in range(5)]
    assert [(d.restart, d.attempt, d.delay_ms) for d in decisions[:3]] == [(True, 1, 10), (True, 2, 20), (True, 3, 40)]
    assert decisions[3].restart is False and decisions[3].skip is Skip.GAVE_UP and decisions[3].attempt == 3
    assert decisions[4].skip is Skip.GAVE_UP


def test_unlimited_and_zero_attempts() -> None:
    b = RestartBackoff()
    unlimited = RestartSettings(enabled=True, max_attempts=-1)
    assert all(b.on_failed("k", unlimited, 0).restart for _ in range(100))
    assert b.on_failed("z", RestartSettings(enabled=True, max_attempts=0), 0).skip is Skip.GAVE_UP


def test_attempts_reset_after_running_for_max_ms() -> None:
    b = RestartBackoff()
    assert b.on_failed("k", ON, 0).attempt == 1
    b.on_healthy("k", 100)
    assert b.on_failed("k", ON, 500).attempt == 2  # RUNNING for 400 ms < max.ms: a failure in a row
    b.on_healthy("k", 1000)
    b.on_healthy("k", 1500)  # still the same healthy period
    assert b.on_failed("k", ON, 2000).attempt == 1  # RUNNING for 1000 ms: counts from zero again


def test_disabled_and_blocked_are_not_restarted() -> None:
    b = RestartBackoff()
    assert b.on_failed("k", RestartSettings(), 0).skip is Skip.DISABLED
    assert b.on_failed("k", ON, 0, BLOCKED_TRACE).skip is Skip.BLOCKED
    assert b.attempts("k") == 0


class _Recorder:
    def __init__(self) -> None:
        self.tasks: list[tuple[ConnectorTaskId, State, str | None]] = []
        self.connectors: list[tuple[str, State, str | None]] = []

    def on_connector_state(self, connector: str, state: State, trace: str | None = None) -> None:
        self.connectors.append((connector, state, trace))

    def on_task_state(self, task: ConnectorTaskId, state: State, trace: str | None = None) -> None:
        self.tasks.append((task, state, trace))

    def on_topic_active(self, connector: str, topic: str) -> None:
        pass


async def test_restarter_restarts_counts_and_tells_listeners() -> None:
    rec = _Recorder()
    failing_starts = [2]
    restarted: list[tuple[str, ConnectorTaskId | None]] = []
    tid = ConnectorTaskId("c", 0)

    async def restart(name: str, task: ConnectorTaskId | None) -> bool:
        restarted.append((name, task))
        if failing_starts[0] > 0:
            failing_starts[0] -= 1
            r.on_task_state(tid, State.FAILED, "boom")
        else:
            r.on_task_state(tid, State.RUNNING)
        return True

    settings = RestartSettings(enabled=True, initial_ms=10, max_ms=50, max_attempts=5)
    r = AutoRestarter(rec, settings, connector_config=lambda _: {}, restart=restart)
    metrics = WorkerMetrics("w")
    r.metrics = metrics
    history = Heard()
    r.add_listener(history)
    r.on_task_state(tid, State.FAILED, "boom")
    for _ in range(100):
        await asyncio.sleep(0.01)
        if rec.tasks[-1][1] is State.RUNNING:
            break
    assert restarted == [("c", tid)] * 3
    assert [s for _, s, _ in rec.tasks] == [State.FAILED, State.FAILED, State.FAILED, State.RUNNING]
    assert b'genesis_restarts_total{connector="c",kind="task",task="0"} 3.0' in metrics.exposition()
    assert history.restarts == [("c", tid, 1), ("c", tid, 2), ("c", tid, 3)]
    await r.close()


class Heard:
    """An AutoRestartListener recording what it is told (the Genesis layer writes these to the history)."""

    def __init__(self) -> None:
        self.restarts: list[tuple[str, ConnectorTaskId | None, int]] = []

    def on_auto_restart(self, connector: str, task: ConnectorTaskId | None, attempt: int) -> None:
        self.restarts.append((connector, task, attempt))


async def test_restarter_gives_up_with_a_trace_and_skips_blocked_tasks() -> None:
    rec = _Recorder()
    calls: list[ConnectorTaskId | None] = []

    async def restart(name: str, task: ConnectorTaskId | None) -> bool:
        calls.append(task)
        r.on_connector_state(name, State.FAILED, "still broken")
        return True

    settings = RestartSettings(enabled=True, initial_ms=1, max_ms=5, max_attempts=2)
    r = AutoRestarter(rec, settings, connector_config=lambda _: {}, restart=restart)
    r.on_connector_state("c", State.FAILED, "broken")
    for _ in range(100):
        await asyncio.sleep(0.01)
        if len(rec.connectors) == 3:
            break
    await asyncio.sleep(0.05)
    assert calls == [None, None]
    last = rec.connectors[-1]
    assert last[1] is State.FAILED and last[2] is not None
    assert last[2].startswith("still broken\n") and "gave up after 2 automatic restarts" in last[2]

    r.on_task_state(ConnectorTaskId("c", 1), State.FAILED, BLOCKED_TRACE)
    await asyncio.sleep(0.05)
    assert calls == [None, None]
    assert "not restarted automatically" in str(rec.tasks[-1][2])
    await r.close()


async def test_disabled_by_default_and_enabled_per_connector() -> None:
    rec = _Recorder()
    calls: list[str] = []

    async def restart(name: str, task: ConnectorTaskId | None) -> bool:
        calls.append(name)
        return True

    configs = {"on": {"genesis.restart.enabled": "true", "genesis.restart.backoff.initial.ms": "1"}, "off": {}}
    r = AutoRestarter(rec, RestartSettings(), connector_config=configs.get, restart=restart)
    r.on_connector_state("off", State.FAILED, "x")
    r.on_connector_state("on", State.FAILED, "x")
    await asyncio.sleep(0.05)
    assert calls == ["on"]
    assert rec.connectors == [("off", State.FAILED, "x"), ("on", State.FAILED, "x")]  # traces unchanged
    await r.close()


async def test_manual_recovery_cancels_a_pending_restart() -> None:
    rec = _Recorder()
    calls: list[str] = []

    async def restart(name: str, task: ConnectorTaskId | None) -> bool:
        calls.append(name)
        return True

    r = AutoRestarter(rec, RestartSettings(enabled=True, initial_ms=50), connector_config=lambda _: {}, restart=restart)
    r.on_connector_state("c", State.FAILED, "x")
    r.on_connector_state("c", State.RUNNING)
    await asyncio.sleep(0.1)
    assert calls == []
    await r.close()

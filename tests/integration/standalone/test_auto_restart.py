"""The automatic restart policy (issue 14, ``genesis.restart.*``) on a real standalone worker with its
Genesis layer: a connector whose task (or the connector itself) fails its first N starts ends RUNNING after
N automatic restarts with the policy on, each counted in ``genesis_restarts_total`` and listed in the
history; with the default settings it stays FAILED; with ``max.attempts`` < N it stays FAILED and its trace
says the policy gave up; a task failed by the blocked-task watchdog is not restarted."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.genesis.layer import GenesisLayer
from genesis_worker.herder.standalone import StandaloneHerder
from genesis_worker.rest.server import start_rest_server
from tests.integration.distributed.plugins import STARTS, FlakySourceConnector, class_path
from tests.integration.rest.conftest import STRING
from tests.integration.runtime.test_task_isolation import MisbehavingSinkConnector, _produce

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


@contextlib.asynccontextmanager
async def worker(kafka: Any, tmp_path: Path, **extra: str) -> AsyncIterator[aiohttp.ClientSession]:
    """A standalone worker with its Genesis layer (history, /metrics), as ``genesis-worker standalone`` wires it."""
    props = {
        "bootstrap.servers": kafka.bootstrap,
        "offset.storage.file.filename": str(tmp_path / "offsets"),
        "key.converter": STRING,
        "value.converter": STRING,
        "listeners": "http://127.0.0.1:0",
        **extra,
    }
    config = WorkerConfig(props, "standalone")
    herder = StandaloneHerder(config)
    genesis = GenesisLayer.attach(herder, config)
    await herder.start()
    server = await start_rest_server(herder, props, extra_routes=genesis.routes)
    try:
        async with aiohttp.ClientSession(base_url=server.url) as s:
            yield s
    finally:
        await server.stop()
        await herder.stop()


async def create(s: aiohttp.ClientSession, name: str, **config: str) -> None:
    body = {"connector.class": class_path(FlakySourceConnector), "tasks.max": "1", "topic": name, **config}
    async with s.put(f"connectors/{name}/config", json=body) as r:
        assert r.status == 201, await r.text()


async def status(s: aiohttp.ClientSession, name: str) -> dict[str, Any]:
    async with s.get(f"connectors/{name}/status") as r:
        assert r.status == 200, await r.text()
        body: dict[str, Any] = await r.json()
        return body


async def until(s: aiohttp.ClientSession, name: str, pred: Any, wait_s: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + wait_s
    while True:
        st = await status(s, name)
        if pred(st):
            return st
        if time.monotonic() > deadline:
            raise AssertionError(f"{name}: timed out; last status {st}")
        await asyncio.sleep(0.1)


async def restarts_metric(s: aiohttp.ClientSession, name: str, kind: str) -> float:
    async with s.get("metrics") as r:
        text = await r.text()
    task = "" if kind == "connector" else "0"
    line = f'genesis_restarts_total{{connector="{name}",kind="{kind}",task="{task}"}} '
    values = [float(x[len(line) :]) for x in text.splitlines() if x.startswith(line)]
    return values[0] if values else 0.0


async def history(s: aiohttp.ClientSession, name: str) -> list[dict[str, Any]]:
    async with s.get(f"genesis/connectors/{name}/history") as r:
        assert r.status == 200, await r.text()
        body: list[dict[str, Any]] = await r.json()
        return body


def task_state(st: dict[str, Any]) -> str | None:
    return st["tasks"][0]["state"] if st["tasks"] else None


POLICY = {
    "genesis.restart.enabled": "true",
    "genesis.restart.backoff.initial.ms": "200",
    "genesis.restart.backoff.max.ms": "800",
}


async def test_failed_task_and_connector_restart_until_running(kafka: Any, tmp_path: Path) -> None:
    async with worker(kafka, tmp_path, **POLICY) as s:
        await create(s, "flaky-task", **{"fail.task.starts": "3"})
        await create(s, "flaky-conn", **{"fail.connector.starts": "2"})
        st = await until(s, "flaky-task", lambda st: task_state(st) == "RUNNING")
        assert st["connector"]["state"] == "RUNNING"
        st = await until(s, "flaky-conn", lambda st: st["connector"]["state"] == "RUNNING" and task_state(st))
        assert task_state(st) == "RUNNING"
        assert STARTS["flaky-task-0"] == 4 and STARTS["flaky-conn"] == 3
        assert await restarts_metric(s, "flaky-task", "task") == 3
        assert await restarts_metric(s, "flaky-conn", "connector") == 2
        events = await history(s, "flaky-task")
        auto = [(e["actor"], e["details"]) for e in events if e["action"] == "auto-restarted"]
        assert auto == [("genesis.restart", {"task": 0, "attempt": i}) for i in (1, 2, 3)]
        events = await history(s, "flaky-conn")
        assert [e["details"] for e in events if e["action"] == "auto-restarted"] == [
            {"task": "connector", "attempt": i} for i in (1, 2)
        ]


async def test_default_settings_leave_it_failed(kafka: Any, tmp_path: Path) -> None:
    async with worker(kafka, tmp_path) as s:
        await create(s, "flaky-off", **{"fail.task.starts": "1"})
        await until(s, "flaky-off", lambda st: task_state(st) == "FAILED")
        await asyncio.sleep(2)  # longer than the default initial backoff
        assert task_state(await status(s, "flaky-off")) == "FAILED"
        assert STARTS["flaky-off-0"] == 1
        assert await restarts_metric(s, "flaky-off", "task") == 0
        # a connector config can turn the policy on for itself
        await create(s, "flaky-own", **{"fail.task.starts": "1", **POLICY})
        await until(s, "flaky-own", lambda st: task_state(st) == "RUNNING")
        assert await restarts_metric(s, "flaky-own", "task") == 1


async def test_gives_up_after_max_attempts(kafka: Any, tmp_path: Path) -> None:
    async with worker(kafka, tmp_path, **POLICY, **{"genesis.restart.backoff.max.attempts": "2"}) as s:
        await create(s, "flaky-many", **{"fail.task.starts": "5"})
        st = await until(s, "flaky-many", lambda st: "gave up" in (st["tasks"] or [{}])[0].get("trace", ""))
        assert task_state(st) == "FAILED"
        assert "gave up after 2 automatic restarts" in st["tasks"][0]["trace"]
        assert "task start 3 fails on purpose" in st["tasks"][0]["trace"]
        await asyncio.sleep(1.5)
        assert STARTS["flaky-many-0"] == 3
        assert await restarts_metric(s, "flaky-many", "task") == 2
        # a manual restart still runs it; failing again, it is not restarted automatically any more (its
        # attempts count from zero only after it stayed RUNNING for backoff.max.ms)
        async with s.post("connectors/flaky-many/restart?includeTasks=true&onlyFailed=true") as r:
            assert r.status == 202, await r.text()
        st = await until(s, "flaky-many", lambda st: STARTS["flaky-many-0"] >= 4 and task_state(st) == "FAILED")
        assert "task start 4 fails on purpose" in st["tasks"][0]["trace"] and "gave up" in st["tasks"][0]["trace"]
        await asyncio.sleep(1)
        assert STARTS["flaky-many-0"] == 4


async def test_blocked_task_is_not_restarted(kafka: Any, tmp_path: Path) -> None:
    topic = f"blocked-{uuid.uuid4().hex[:8]}"
    kafka.create_topic(topic)
    async with worker(kafka, tmp_path, **POLICY) as s:
        config = {
            "connector.class": class_path(MisbehavingSinkConnector),
            "topics": topic,
            "mode": "sleep",
            "sleep.s": "4",
            "genesis.task.blocked.timeout.ms": "1000",
            "consumer.override.auto.offset.reset": "earliest",
        }
        async with s.put("connectors/blocked/config", json=config) as r:
            assert r.status == 201, await r.text()
        await asyncio.get_running_loop().run_in_executor(None, _produce, kafka.bootstrap, topic)
        st = await until(s, "blocked", lambda st: task_state(st) == "FAILED")
        trace = st["tasks"][0]["trace"]
        assert "TaskBlockedError" in trace and "not restarted automatically" in trace
        await asyncio.sleep(1.5)  # several initial backoffs
        assert task_state(await status(s, "blocked")) == "FAILED"
        assert await restarts_metric(s, "blocked", "task") == 0

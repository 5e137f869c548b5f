"""Tasks in executor processes (issue 15 item 1, ``genesis.task.processes=2``) on a real standalone worker:
a FileStreamSource -> topic -> FileStreamSink pipeline runs in two executors (one task each), delivers,
shows its task metrics in the worker's ``GET /metrics``, pauses and resumes; SIGKILL of an executor makes
its task FAILED with a trace saying so, the executor is replaced, and a restart of the task delivers every
line (at-least-once: none lost)."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.integration.runtime.test_task_isolation import Pipeline, _async, _until
from tests.integration.standalone.test_auto_restart import worker

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


def executor_pids() -> list[int]:
    """This process's executor children."""
    me, pids = os.getpid(), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes()
            ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == me and b"genesis_worker.runtime.executor_main" in cmd:
            pids.append(int(entry))
    return sorted(pids)


async def task_status(s: aiohttp.ClientSession, name: str) -> dict[str, Any]:
    async with s.get(f"connectors/{name}/status") as r:
        body: dict[str, Any] = await r.json()
    return body["tasks"][0] if body.get("tasks") else {}


async def metric(s: aiohttp.ClientSession, line: str) -> float:
    async with s.get("metrics") as r:
        text = await r.text()
    values = [float(x[len(line) :]) for x in text.splitlines() if x.startswith(line)]
    return values[0] if values else -1.0


def delivered_lines(p: Pipeline) -> set[str]:
    return set(p.out.read_text().splitlines()) if p.out.exists() else set()


async def test_tasks_run_in_executor_processes(kafka: Any, topic_name: str, tmp_path: Path) -> None:
    pipeline = Pipeline(tmp_path, kafka.create_topic(topic_name))
    props = {"genesis.task.processes": "2", "offset.flush.interval.ms": "200"}
    async with worker(kafka, tmp_path, **props) as s:
        assert executor_pids() == []  # spawned when a task needs one
        await pipeline.create(s)
        pipeline.feed()
        await _until(_async(lambda: pipeline.delivered() >= 20), 60, "the pipeline in executors")
        pids = executor_pids()
        assert len(pids) == 2, pids
        for name in ("good-src", "good-sink"):
            assert (await task_status(s, name))["state"] == "RUNNING"

        # the executors' task metrics in the worker's exposition
        read = 'kafka_connect_sink_task_sink_record_read_total{connector="good-sink",task="0"} '
        polled = 'kafka_connect_source_task_source_record_poll_total{connector="good-src",task="0"} '
        await _until(lambda: _ge(s, read, 20), 10, "sink metrics from the executor")
        await _until(lambda: _ge(s, polled, 20), 10, "source metrics from the executor")

        # pause and resume go through the executor
        async with s.put("connectors/good-sink/pause") as r:
            assert r.status == 202
        await _until(lambda: _state_is(s, "good-sink", "PAUSED"), 10, "the sink PAUSED")
        before = pipeline.delivered()
        pipeline.feed()
        await asyncio.sleep(2)
        assert pipeline.delivered() == before
        async with s.put("connectors/good-sink/resume") as r:
            assert r.status == 202
        await _until(_async(lambda: pipeline.delivered() >= 40), 20, "delivery after resume")

        # an executor killed: its task FAILED with the reason, the executor replaced, the task restarted
        os.kill(pids[0], signal.SIGKILL)

        async def failed() -> tuple[str, dict[str, Any]] | None:
            for name in ("good-src", "good-sink"):
                st = await task_status(s, name)
                if st.get("state") == "FAILED":
                    return name, st
            return None

        name, st = await _until(failed, 20, "the killed executor's task FAILED")
        assert "ExecutorDiedError" in st["trace"] and "SIGKILL" in st["trace"], st["trace"]
        await _until(_async(lambda: len(executor_pids()) == 2 and pids[0] not in executor_pids()), 30, "a new one")
        pipeline.feed(30)
        async with s.post(f"connectors/{name}/tasks/0/restart") as r:
            assert r.status == 204, await r.text()
        await _until(lambda: _state_is(s, name, "RUNNING"), 30, f"{name} RUNNING again")
        expected = {f"line-{i}" for i in range(pipeline.written)}
        await _until(_async(lambda: delivered_lines(pipeline) >= expected), 60, "every line delivered")
    await _until(_async(lambda: executor_pids() == []), 15, "the executors to exit with the worker")


async def _ge(s: aiohttp.ClientSession, line: str, n: float) -> bool:
    return await metric(s, line) >= n


async def _state_is(s: aiohttp.ClientSession, name: str, state: str) -> bool:
    return (await task_status(s, name)).get("state") == state

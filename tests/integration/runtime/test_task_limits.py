"""Isolated executors under limits (issue 15 item 2): beside a healthy FileStream pipeline, a sink that
allocates without bound (``genesis.task.memory.max.bytes``) and one that spins (``genesis.task.cpu.max.percent``),
each with ``genesis.task.isolation=process``: each is killed, its task FAILED with a trace saying which limit,
the restart policy starts it again, the healthy pipeline loses nothing, and REST p99 stays under 100 ms."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from genesis_worker.api import SinkConnector, SinkRecord, SinkTask
from tests.integration.runtime.test_task_isolation import Pipeline, Probe, _async, _produce, _until
from tests.integration.runtime.test_task_processes import delivered_lines, task_status
from tests.integration.standalone.test_auto_restart import restarts_metric, worker

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


class HogSinkConnector(SinkConnector):
    def task_class(self) -> type[SinkTask]:
        return HogSinkTask

    async def start(self, props: dict[str, str]) -> None:
        self.props = props

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        return [dict(self.props)]


class HogSinkTask(SinkTask):
    async def start(self, props: dict[str, str]) -> None:
        self.mode = props["mode"]
        self.hoard: list[bytearray] = []

    async def put(self, records: list[SinkRecord]) -> None:
        if not records:
            return
        while True:
            if self.mode == "memory":
                self.hoard.append(bytearray(8 << 20))
                time.sleep(0.005)  # noqa: ASYNC251 - the point: a task that never yields


async def test_memory_and_cpu_hogs_are_killed_and_the_rest_keeps_flowing(
    kafka: Any, topic_name: str, tmp_path: Path
) -> None:
    pipeline = Pipeline(tmp_path, kafka.create_topic(topic_name + "-good"))
    props = {
        "offset.flush.interval.ms": "200",
        "genesis.restart.enabled": "true",
        "genesis.restart.backoff.initial.ms": "500",
    }
    async with worker(kafka, tmp_path, **props) as s:
        await pipeline.create(s)
        pipeline.feed()
        await _until(_async(lambda: pipeline.delivered() >= 20), 60, "the healthy pipeline")
        probe = Probe(s, pipeline)
        limits = {
            "memory": {"genesis.task.memory.max.bytes": str(300 << 20)},
            "cpu": {"genesis.task.cpu.max.percent": "50", "genesis.task.cpu.window.ms": "2000"},
        }
        try:
            for mode, limit in limits.items():
                name, topic = f"{mode}-{uuid.uuid4().hex[:6]}", kafka.create_topic(f"{topic_name}-{mode}")
                config = {
                    "connector.class": f"{__name__}.HogSinkConnector",
                    "topics": topic,
                    "mode": mode,
                    "genesis.task.isolation": "process",
                    **limit,
                }
                async with s.put(f"connectors/{name}/config", json=config) as r:
                    assert r.status == 201, await r.text()
                await asyncio.get_running_loop().run_in_executor(None, _produce, kafka.bootstrap, topic)
                before = pipeline.delivered()

                async def failed(n: str = name) -> dict[str, Any] | None:
                    st = await task_status(s, n)
                    return st if st.get("state") == "FAILED" else None

                st = await _until(failed, 40, f"{name} FAILED")
                key = "genesis.task.memory.max.bytes" if mode == "memory" else "genesis.task.cpu.max.percent"
                assert "ExecutorDiedError" in st["trace"] and key in st["trace"], st["trace"]
                await _until(lambda n=name: _restarted(s, n), 20, f"{name} restarted by the policy")
                await _until(_async(lambda b=before: pipeline.delivered() > b + 50), 20, "the healthy pipeline")
                async with s.delete(f"connectors/{name}") as r:
                    assert r.status == 204
        finally:
            p99 = await probe.stop()
        print(f"GET /connectors: {len(probe.latencies)} requests, p99 {p99 * 1000:.1f} ms")
        assert p99 < 0.1, f"p99 {p99 * 1000:.0f} ms"
        expected = {f"line-{i}" for i in range(pipeline.written)}
        await _until(_async(lambda: delivered_lines(pipeline) >= expected), 30, "every healthy line delivered")


async def _restarted(s: Any, name: str) -> bool:
    return await restarts_metric(s, name, "task") >= 1

"""A task that blocks or spins cannot freeze the worker (issue 14 item 1).

One standalone worker on the Kafka fixture runs a healthy FileStreamSource -> topic -> FileStreamSink
pipeline beside a sink whose ``put`` hangs in ``time.sleep`` (or spins in ``while True: pass``). With
default worker settings (only the bad connector shortens ``genesis.task.blocked.timeout.ms``): REST
answers ``GET /connectors`` with p99 under 200 ms throughout, the healthy pipeline keeps delivering, the
bad task turns FAILED with a trace naming where it was stuck, ``DELETE`` returns at once, and a worker
started again with the same config stays responsive.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from confluent_kafka import Producer

from genesis_worker.api import SinkConnector, SinkRecord, SinkTask
from tests.integration.rest.conftest import standalone_worker

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

BLOCKED_TIMEOUT_MS = 1500


class MisbehavingSinkConnector(SinkConnector):
    """``mode=sleep``: ``put`` sleeps ``sleep.s`` seconds; ``mode=spin``: ``put`` never returns."""

    def task_class(self) -> type[SinkTask]:
        return MisbehavingSinkTask

    async def start(self, props: dict[str, str]) -> None:
        self.props = props

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        return [dict(self.props)]


class MisbehavingSinkTask(SinkTask):
    async def start(self, props: dict[str, str]) -> None:
        self.mode = props["mode"]
        self.sleep_s = float(props.get("sleep.s", "20"))

    async def put(self, records: list[SinkRecord]) -> None:
        if not records:
            return
        if self.mode == "sleep":
            time.sleep(self.sleep_s)  # noqa: ASYNC251 - the point: a call that blocks the task loop
        else:
            while True:
                pass


class Pipeline:
    """FileStreamSource -> topic -> FileStreamSink, fed by appending lines to the source file."""

    def __init__(self, tmp_path: Path, topic: str) -> None:
        self.topic = topic
        self.src = tmp_path / "in.txt"
        self.out = tmp_path / "out.txt"
        self.src.write_text("")
        self.written = 0

    def feed(self, n: int = 20) -> None:
        with self.src.open("a") as f:
            f.writelines(f"line-{self.written + i}\n" for i in range(n))
        self.written += n

    def delivered(self) -> int:
        return len(self.out.read_text().splitlines()) if self.out.exists() else 0

    async def create(self, s: aiohttp.ClientSession) -> None:
        src = {"connector.class": "FileStreamSource", "file": str(self.src), "topic": self.topic}
        sink = {"connector.class": "FileStreamSink", "file": str(self.out), "topics": self.topic}
        for name, config in (("good-src", src), ("good-sink", sink)):
            async with s.put(f"connectors/{name}/config", json=config) as r:
                assert r.status == 201, await r.text()


class Probe:
    """Times ``GET /connectors`` every 20 ms and feeds the pipeline, until stopped."""

    def __init__(self, s: aiohttp.ClientSession, pipeline: Pipeline) -> None:
        self.s = s
        self.pipeline = pipeline
        self.latencies: list[float] = []
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            t0 = time.perf_counter()
            async with self.s.get("connectors") as r:
                assert r.status == 200
                await r.read()
            self.latencies.append(time.perf_counter() - t0)
            self.pipeline.feed(5)
            await asyncio.sleep(0.02)

    async def stop(self) -> float:
        """Stop probing; the p99 latency in seconds."""
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


@pytest.fixture
async def session(kafka: Any, tmp_path: Path) -> AsyncIterator[aiohttp.ClientSession]:
    async with standalone_worker(kafka, tmp_path) as server, aiohttp.ClientSession(base_url=server.url) as s:
        yield s


async def _task_state(s: aiohttp.ClientSession, name: str) -> dict[str, Any] | None:
    async with s.get(f"connectors/{name}/status") as r:
        body = await r.json()
    tasks = body.get("tasks") or []
    return tasks[0] if tasks else None


async def _until(pred: Any, wait_s: float, what: str) -> Any:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        got = await pred()
        if got:
            return got
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _produce(bootstrap: str, topic: str, n: int = 10) -> None:
    p = Producer({"bootstrap.servers": bootstrap})
    for i in range(n):
        p.produce(topic, f"v{i}".encode())
    assert p.flush(30) == 0


async def _run_bad_sink(
    s: aiohttp.ClientSession, kafka: Any, pipeline: Pipeline, name: str, topic: str, mode: str, sleep_s: float = 20
) -> tuple[dict[str, Any], float]:
    """Create the bad sink beside the running pipeline; return its FAILED task status and the REST p99
    measured from its creation until 2 s after it failed, checking the pipeline kept delivering."""
    probe = Probe(s, pipeline)
    try:
        return await _hang(s, kafka, pipeline, name, topic, mode, sleep_s, probe)
    finally:
        await probe.stop()


async def _hang(
    s: aiohttp.ClientSession,
    kafka: Any,
    pipeline: Pipeline,
    name: str,
    topic: str,
    mode: str,
    sleep_s: float,
    probe: Probe,
) -> tuple[dict[str, Any], float]:
    config = {
        "connector.class": f"{__name__}.MisbehavingSinkConnector",
        "topics": topic,
        "mode": mode,
        "sleep.s": str(sleep_s),
        "genesis.task.blocked.timeout.ms": str(BLOCKED_TIMEOUT_MS),
        # a member whose thread was abandoned may stay in the group until its session expires (as a killed
        # worker's does): keep that short, so a second worker's task gets the partitions within the test
        "consumer.override.session.timeout.ms": "6000",
        "consumer.override.heartbeat.interval.ms": "1000",
    }
    async with s.put(f"connectors/{name}/config", json=config) as r:
        assert r.status == 201, await r.text()
    await asyncio.get_running_loop().run_in_executor(None, _produce, kafka.bootstrap, topic)
    hung_at = time.monotonic()
    await asyncio.sleep(0.5)
    delivered_before = pipeline.delivered()

    async def failed() -> dict[str, Any] | None:
        st = await _task_state(s, name)
        return st if st is not None and st["state"] == "FAILED" else None

    status = await _until(failed, 30, f"{name} FAILED")
    assert time.monotonic() - hung_at >= BLOCKED_TIMEOUT_MS / 1000 - 0.5
    await asyncio.sleep(2)
    p99 = await probe.stop()
    print(f"{name}: {len(probe.latencies)} GET /connectors, p99 {p99 * 1000:.1f} ms\n{status['trace']}")
    # the healthy pipeline delivered while the bad task hung
    await _until(_async(lambda: pipeline.delivered() > delivered_before + 50), 10, "the healthy pipeline")
    return status, p99


def _async(fn: Any) -> Any:
    async def call() -> Any:
        return fn()

    return call


async def _delete_at_once(s: aiohttp.ClientSession, name: str) -> None:
    t0 = time.perf_counter()
    async with s.delete(f"connectors/{name}") as r:
        assert r.status == 204, await r.text()
    assert time.perf_counter() - t0 < 1.0


async def test_blocking_put_fails_its_task_and_the_worker_keeps_running(
    session: aiohttp.ClientSession, kafka: Any, topic_name: str, tmp_path: Path
) -> None:
    s = session
    pipeline = Pipeline(tmp_path, kafka.create_topic(topic_name + "-good"))
    bad_topic = kafka.create_topic(topic_name + "-bad")
    await pipeline.create(s)
    pipeline.feed()
    await _until(_async(lambda: pipeline.delivered() >= 20), 30, "the healthy pipeline to start")

    name = f"bad-{uuid.uuid4().hex[:6]}"  # its own consumer group: the abandoned member stays ~20 s
    status, p99 = await _run_bad_sink(s, kafka, pipeline, name, bad_topic, "sleep")
    assert p99 < 0.2, f"GET /connectors p99 {p99 * 1000:.0f} ms"
    trace = status["trace"]
    assert "TaskBlockedError" in trace and "genesis.task.blocked.timeout.ms" in trace
    assert "in put" in trace and "time.sleep(self.sleep_s)" in trace, trace

    await _delete_at_once(s, name)
    async with s.get("connectors/good-sink/status") as r:
        assert [t["state"] for t in (await r.json())["tasks"]] == ["RUNNING"]
    before = pipeline.delivered()
    pipeline.feed()
    await _until(_async(lambda: pipeline.delivered() >= before + 20), 10, "delivery after the DELETE")


async def test_worker_started_again_with_the_hung_config_stays_responsive(
    kafka: Any, topic_name: str, tmp_path: Path
) -> None:
    """Standalone keeps no configs: "restart" = a new worker given the same connector configs again. The
    first worker's abandoned task leaves the consumer group when its 3 s sleep returns (a killed worker's
    member would leave after its session timeout)."""
    name = f"bad-{uuid.uuid4().hex[:6]}"
    bad_topic = kafka.create_topic(topic_name + "-bad")
    good_topic = kafka.create_topic(topic_name + "-good")
    for run in range(2):
        run_dir = tmp_path / f"run{run}"
        run_dir.mkdir()
        pipeline = Pipeline(run_dir, good_topic)
        t0 = time.monotonic()
        async with standalone_worker(kafka, run_dir) as server, aiohttp.ClientSession(base_url=server.url) as s:
            await pipeline.create(s)
            pipeline.feed()
            await _until(_async(lambda p=pipeline: p.delivered() >= 20), 30, "the healthy pipeline to start")
            status, p99 = await _run_bad_sink(s, kafka, pipeline, name, bad_topic, "sleep", sleep_s=3)
            assert p99 < 0.2, f"run {run}: GET /connectors p99 {p99 * 1000:.0f} ms"
            assert "time.sleep" in status["trace"]
        # stopping a worker whose task is abandoned does not wait for it
        assert time.monotonic() - t0 < 60


async def test_spinning_put_is_detected_and_stopped(
    session: aiohttp.ClientSession, kafka: Any, topic_name: str, tmp_path: Path
) -> None:
    s = session
    pipeline = Pipeline(tmp_path, kafka.create_topic(topic_name + "-good"))
    bad_topic = kafka.create_topic(topic_name + "-bad")
    await pipeline.create(s)
    pipeline.feed()
    await _until(_async(lambda: pipeline.delivered() >= 20), 30, "the healthy pipeline to start")

    name = f"spin-{uuid.uuid4().hex[:6]}"
    status, p99 = await _run_bad_sink(s, kafka, pipeline, name, bad_topic, "spin")
    assert p99 < 0.2, f"GET /connectors p99 {p99 * 1000:.0f} ms"
    assert "in put" in status["trace"], status["trace"]
    # the exception raised in the abandoned thread ends a pure-Python spin: the thread does not hold a core
    thread = f"task-thread-{name}-0"
    await _until(_async(lambda: not any(t.name == thread for t in threading.enumerate())), 10, "the spin to end")
    await _delete_at_once(s, name)

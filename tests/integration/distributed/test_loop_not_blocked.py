"""A worker whose admin calls are slow keeps its event loop free: while sink tasks set up their dead
letter queue topic through an admin client whose broker answers only after a delay, the worker's group
heartbeats keep succeeding and ``GET /connectors`` keeps answering within 200 ms."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.herder.distributed import from_worker_config
from tests.fixtures.net import DelayingProxy, free_port

from .harness import cluster_props, serve, stable, stop_node, wait_for
from .plugins import FileSinkConnector, class_path

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

ADMIN_DELAY_S = 1.5
LIMIT_S = 0.2


class _Probe(threading.Thread):
    """Every 100 ms: time ``GET url`` and note how long ago the herder's last heartbeat succeeded, from
    the moment the proxy saw its first connection (the DLQ set-up began; no rebalance is under way)."""

    def __init__(self, url: str, herder: Any, proxy: DelayingProxy) -> None:
        super().__init__(name="loop-probe", daemon=True)
        self.url, self.herder, self.proxy = url, herder, proxy
        self.stop = threading.Event()
        self.latencies: list[float] = []
        self.heartbeat_ages: list[float] = []

    def run(self) -> None:
        while not self.stop.wait(0.1):
            t0 = time.monotonic()
            with urllib.request.urlopen(self.url, timeout=60) as r:
                assert json.loads(r.read()) == ["slow"]
            elapsed = time.monotonic() - t0
            if self.proxy.connections:
                self.latencies.append(elapsed)
                self.heartbeat_ages.append(time.monotonic() - self.herder._member._last_heartbeat_ok)


async def test_slow_admin_responses_do_not_stall_heartbeats_or_rest(kafka: Any, tmp_path: Path) -> None:
    props = cluster_props(kafka.bootstrap)
    topic = f"in-{uuid.uuid4().hex[:8]}"
    dlq = f"dlq-{uuid.uuid4().hex[:8]}"
    kafka.create_topic(topic, partitions=2)
    port = free_port()
    wprops = {**props, "listeners": f"http://127.0.0.1:{port}", "rest.advertised.host.name": "127.0.0.1"}
    herder = from_worker_config(WorkerConfig(wprops, "distributed"))
    await serve(herder, wprops, port)
    await herder.start()
    heartbeat_s = int(props["heartbeat.interval.ms"]) / 1000
    try:
        await wait_for(lambda: stable([herder]), 60, "first stable assignment")
        base = f"http://127.0.0.1:{port}/"
        with DelayingProxy(kafka.bootstrap, ADMIN_DELAY_S) as proxy:
            async with aiohttp.ClientSession() as s:
                config = {
                    "connector.class": class_path(FileSinkConnector),
                    "tasks.max": "2",
                    "topics": topic,
                    "dir": str(tmp_path / "out"),
                    "errors.tolerance": "all",
                    "errors.deadletterqueue.topic.name": dlq,
                    "errors.deadletterqueue.topic.replication.factor": "1",
                    # only the connector's admin client (the DLQ set-up) goes through the slow proxy
                    "admin.override.bootstrap.servers": proxy.address,
                }
                async with s.put(f"{base}connectors/slow/config", json=config) as r:
                    assert r.status == 201, await r.text()

                # probed from another thread, as an outside client sees it (a blocked loop cannot time itself)
                probe = _Probe(f"{base}connectors", herder, proxy)
                probe.start()
                try:

                    async def tasks_running() -> bool:
                        async with s.get(f"{base}connectors/slow/status") as r:
                            body = await r.json()
                        tasks = body.get("tasks", [])
                        return len(tasks) == 2 and {t["state"] for t in tasks} == {"RUNNING"}

                    deadline = time.monotonic() + 90
                    while not await tasks_running():
                        assert time.monotonic() < deadline, "tasks never became RUNNING"
                        await asyncio.sleep(0.1)
                finally:
                    probe.stop.set()
                    await asyncio.to_thread(probe.join, 30)
        latencies, heartbeat_ages = probe.latencies, probe.heartbeat_ages
        assert proxy.connections >= 2, "the admin calls did not go through the proxy"
        assert latencies, "no probe while the DLQ set-up ran"
        assert max(latencies) < LIMIT_S, f"GET /connectors took {max(latencies):.3f}s"
        assert max(heartbeat_ages) < heartbeat_s + LIMIT_S, f"no heartbeat for {max(heartbeat_ages):.3f}s"
        assert len(latencies) >= 2 * ADMIN_DELAY_S / 0.2, latencies  # the probes covered the slow set-up
        assert dlq in kafka.admin().list_topics(timeout=10).topics
    finally:
        await stop_node(herder)

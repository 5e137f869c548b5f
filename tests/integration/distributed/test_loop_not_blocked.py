"""A worker whose admin calls are slow keeps its event loop free: while sink tasks set up their dead
letter queue topic, and source tasks create their topic (KIP-158), through admin clients whose broker
answers only after a delay, the worker's group heartbeats keep succeeding and ``GET /connectors`` keeps
answering within 200 ms."""

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
from .plugins import FileSinkConnector, SeqSourceConnector, class_path

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

ADMIN_DELAY_S = 1.5
LIMIT_S = 0.2


class _Probe(threading.Thread):
    """Every 100 ms: time ``GET url`` and note how long ago the herder's last heartbeat succeeded, once the
    proxy has seen more than ``baseline`` connections (slow admin calls under way; no rebalance is)."""

    def __init__(self, url: str, herder: Any, proxy: DelayingProxy) -> None:
        super().__init__(name="loop-probe", daemon=True)
        self.url, self.herder, self.proxy = url, herder, proxy
        self.baseline = 0
        self.stop = threading.Event()
        self.latencies: list[float] = []
        self.heartbeat_ages: list[float] = []

    def run(self) -> None:
        while not self.stop.wait(0.1):
            t0 = time.monotonic()
            with urllib.request.urlopen(self.url, timeout=60) as r:
                assert r.status == 200 and isinstance(json.loads(r.read()), list)
            elapsed = time.monotonic() - t0
            if self.proxy.connections > self.baseline:
                self.latencies.append(elapsed)
                self.heartbeat_ages.append(time.monotonic() - self.herder.assignment.member._last_heartbeat_ok)


async def test_slow_admin_responses_do_not_stall_heartbeats_or_rest(kafka: Any, tmp_path: Path) -> None:
    props = cluster_props(kafka.bootstrap)
    topic = f"in-{uuid.uuid4().hex[:8]}"
    dlq = f"dlq-{uuid.uuid4().hex[:8]}"
    created = f"created-{uuid.uuid4().hex[:8]}"
    kafka.create_topic(topic, partitions=2)
    port = free_port()
    wprops = {**props, "listeners": f"http://127.0.0.1:{port}", "rest.advertised.host.name": "127.0.0.1"}
    herder = from_worker_config(WorkerConfig(wprops, "distributed"))
    await serve(herder, wprops, port)
    await herder.start()
    heartbeat_s = int(props["heartbeat.interval.ms"]) / 1000
    base = f"http://127.0.0.1:{port}/"

    def topic_exists(name: str) -> bool:
        return name in kafka.admin().list_topics(timeout=10).topics

    try:
        await wait_for(lambda: stable([herder]), 60, "first stable assignment")
        with DelayingProxy(kafka.bootstrap, ADMIN_DELAY_S) as proxy:
            # only the connectors' admin clients (DLQ set-up, topic creation) go through the slow proxy
            sink = {
                "connector.class": class_path(FileSinkConnector),
                "tasks.max": "2",
                "topics": topic,
                "dir": str(tmp_path / "out"),
                "errors.tolerance": "all",
                "errors.deadletterqueue.topic.name": dlq,
                "errors.deadletterqueue.topic.replication.factor": "1",
                "admin.override.bootstrap.servers": proxy.address,
            }
            source = {
                "connector.class": class_path(SeqSourceConnector),
                "tasks.max": "1",
                "topic": created,
                "topic.creation.default.replication.factor": "1",
                "topic.creation.default.partitions": "1",
                "admin.override.bootstrap.servers": proxy.address,
            }
            # probed from another thread, as an outside client sees it (a blocked loop cannot time itself)
            probe = _Probe(f"{base}connectors", herder, proxy)
            probe.start()
            async with aiohttp.ClientSession() as s:

                async def running(name: str, tasks: int) -> bool:
                    async with s.get(f"{base}connectors/{name}/status") as r:
                        body = await r.json()
                    states = {t["state"] for t in body.get("tasks", [])}
                    return len(body.get("tasks", [])) == tasks and states == {"RUNNING"}

                async def phase(name: str, config: dict[str, str], tasks: int, topic: str) -> None:
                    """Create ``name``; wait until its tasks run and ``topic`` exists (its admin calls are done)."""
                    probe.baseline = proxy.connections  # the group rebalances for the new connector first
                    async with s.put(f"{base}connectors/{name}/config", json=config) as r:
                        assert r.status == 201, await r.text()
                    deadline = time.monotonic() + 90
                    while not (await running(name, tasks) and await asyncio.to_thread(topic_exists, topic)):
                        assert time.monotonic() < deadline, f"{name}: tasks not RUNNING or {topic} not created"
                        await asyncio.sleep(0.1)

                try:
                    await phase("slow-sink", sink, 2, dlq)  # DLQ topic set up at task start
                    sink_probes = len(probe.latencies)
                    await phase("slow-source", source, 1, created)  # topic created before the first send
                finally:
                    probe.stop.set()
                    await asyncio.to_thread(probe.join, 30)
        latencies, heartbeat_ages = probe.latencies, probe.heartbeat_ages
        assert proxy.connections >= 3, "the admin calls did not go through the proxy"
        assert latencies, "no probe while the admin calls ran"
        assert max(latencies) < LIMIT_S, f"GET /connectors took {max(latencies):.3f}s"
        assert max(heartbeat_ages) < heartbeat_s + LIMIT_S, f"no heartbeat for {max(heartbeat_ages):.3f}s"
        # the probes covered both slow set-ups (each waits at least two delayed responses)
        assert sink_probes >= 2 * ADMIN_DELAY_S / 0.2, latencies
        assert len(latencies) - sink_probes >= 2 * ADMIN_DELAY_S / 0.2, latencies
    finally:
        await stop_node(herder)

"""Latency of GET /connectors?expand=status&expand=info with 500 connectors (FakeHerder, loopback HTTP).

The Java comparison lives in the benchmarks; this keeps the handler honest (no per-connector thread hops
or task creation) with a generous bound, and prints the measured percentiles.
"""

from __future__ import annotations

import statistics
import time

from aiohttp.test_utils import TestClient

from genesis_worker.herder.base import TargetState
from tests.unit.rest.conftest import SINK, MakeClient
from tests.unit.rest.fake_herder import FakeHerder

N_CONNECTORS = 500
ROUNDS = 200


def populate(herder: FakeHerder) -> None:
    for i in range(N_CONNECTORS):
        name = f"connector-{i:04d}"
        herder.configs[name] = {
            "connector.class": SINK,
            "name": name,
            "topics": f"topic-{i}",
            "tasks.max": "4",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false",
        }
        herder.targets[name] = TargetState.STARTED
        herder.task_counts[name] = 4
        herder._write_status(name)


async def measure(client: TestClient) -> list[float]:
    samples = []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        resp = await client.get("/connectors?expand=status&expand=info")
        body = await resp.read()
        samples.append(time.perf_counter() - t0)
        assert resp.status == 200 and body
    return samples


async def test_expand_500_connectors_latency(herder: FakeHerder, make_client: MakeClient) -> None:
    populate(herder)
    client = await make_client(herder)
    first = await (await client.get("/connectors?expand=status&expand=info")).json()
    assert len(first) == N_CONNECTORS and len(first["connector-0499"]["status"]["tasks"]) == 4
    for _ in range(20):  # warm-up
        await client.get("/connectors?expand=status&expand=info")
    samples = sorted(await measure(client))
    p50 = statistics.median(samples) * 1000
    p99 = samples[int(len(samples) * 0.99) - 1] * 1000
    print(f"\nexpand=status&expand=info, {N_CONNECTORS} connectors: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    assert p99 < 100, f"p99 {p99:.1f} ms"

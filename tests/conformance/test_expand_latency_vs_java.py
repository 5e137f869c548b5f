"""GET /connectors?expand=status&expand=info with 500 connectors: genesis (StandaloneHerder) vs Java
Kafka Connect 4.4 standalone, same broker, same client, measured back to back. Prints p50/p99 and
writes them to ``.cache/conformance/expand-latency.txt``."""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.herder.standalone import StandaloneHerder
from genesis_worker.rest.server import start_rest_server

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

N = 500
ROUNDS = 300
JSON = "org.apache.kafka.connect.json.JsonConverter"
OUT = Path(__file__).resolve().parents[2] / ".cache" / "conformance" / "expand-latency.txt"


async def populate(session: aiohttp.ClientSession, base: str, tmp: Path) -> None:
    sem = asyncio.Semaphore(16)

    async def one(i: int) -> None:
        body = {
            "name": f"c-{i:04d}",
            "config": {
                "connector.class": "FileStreamSource",
                "file": str(tmp / f"in-{i}.txt"),
                "topic": f"latency-{i}",
                "tasks.max": "1",
            },
            "initial_state": "STOPPED",
        }
        async with sem, session.post(f"{base}/connectors", json=body) as resp:
            assert resp.status == 201, await resp.text()

    await asyncio.gather(*(one(i) for i in range(N)))


async def measure(session: aiohttp.ClientSession, base: str) -> tuple[float, float, int]:
    url = f"{base}/connectors?expand=status&expand=info"
    for _ in range(200):  # wait until every status is recorded (connectors without status are omitted)
        async with session.get(url) as resp:
            if len(await resp.json()) == N:
                break
        await asyncio.sleep(0.1)
    for _ in range(30):
        async with session.get(url) as resp:
            await resp.read()
    samples = []
    size = 0
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        async with session.get(url) as resp:
            body = await resp.read()
        samples.append(time.perf_counter() - t0)
        size = len(body)
    samples.sort()
    return statistics.median(samples) * 1000, samples[int(len(samples) * 0.99) - 1] * 1000, size


async def test_expand_latency_vs_java(kafka: Any, java_connect_factory: Any, tmp_path: Path) -> None:
    java = await asyncio.to_thread(java_connect_factory, kafka.bootstrap, mode="standalone", heap="1g")
    props = {
        "bootstrap.servers": kafka.bootstrap,
        "offset.storage.file.filename": str(tmp_path / "genesis.offsets"),
        "key.converter": JSON,
        "value.converter": JSON,
        "listeners": "http://127.0.0.1:0",
    }
    herder = StandaloneHerder(WorkerConfig(props, "standalone"))
    await herder.start()
    server = await start_rest_server(herder, props)
    try:
        async with aiohttp.ClientSession() as session:
            await populate(session, java.url, tmp_path)
            await populate(session, server.url.rstrip("/"), tmp_path)
            java_p50, java_p99, java_size = await measure(session, java.url)
            gen_p50, gen_p99, gen_size = await measure(session, server.url.rstrip("/"))
    finally:
        await server.stop()
        await herder.stop()
    line = (
        f"{N} connectors, {ROUNDS} sequential requests: "
        f"Java p50 {java_p50:.2f} ms p99 {java_p99:.2f} ms ({java_size} B); "
        f"genesis p50 {gen_p50:.2f} ms p99 {gen_p99:.2f} ms ({gen_size} B)"
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(line + "\n")
    print("\n" + line)
    assert gen_p50 < java_p50, line
    assert gen_p99 < java_p99, line

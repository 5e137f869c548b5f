"""Genesis features end to end on a real standalone worker and Kafka 4.4: ownership required by the worker,
pipelines with metrics, Prometheus metrics, history, lineage through two pipelines, and the console page."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.genesis.layer import GenesisLayer
from genesis_worker.herder.standalone import StandaloneHerder
from genesis_worker.rest.server import RestServer, start_rest_server

STRING = "org.apache.kafka.connect.storage.StringConverter"
N_LINES = 50


@pytest.fixture
async def worker(kafka: Any, tmp_path: Path) -> AsyncIterator[RestServer]:
    props = {
        "bootstrap.servers": kafka.bootstrap,
        "offset.storage.file.filename": str(tmp_path / "offsets"),
        "key.converter": STRING,
        "value.converter": STRING,
        "offset.flush.interval.ms": "200",
        "listeners": "http://127.0.0.1:0",
        "genesis.ownership.required": "true",
    }
    config = WorkerConfig(props, "standalone")
    herder = StandaloneHerder(config)
    genesis = GenesisLayer.attach(herder, config)
    await herder.start()
    await genesis.start()
    server = await start_rest_server(herder, props, extra_routes=genesis.routes, extra_middlewares=genesis.middlewares)
    try:
        yield server
    finally:
        await server.stop()
        await genesis.stop()
        await herder.stop()


async def call(session: aiohttp.ClientSession, method: str, url: str, body: Any = None) -> tuple[int, Any]:
    async with session.request(method, url, json=body) as resp:
        text = await resp.text()
        ctype = resp.headers.get("Content-Type", "")
        return resp.status, (await resp.json() if text and "json" in ctype else text)


async def eventually(check: Any, within_s: float = 30.0) -> Any:
    deadline = time.monotonic() + within_s
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.3)


async def test_ownership_metrics_history_lineage_console(worker: RestServer, tmp_path: Path, topic_name: str) -> None:
    base = worker.url.rstrip("/")
    src_file, out_file = tmp_path / "in.txt", tmp_path / "out.txt"
    src_file.write_text("".join(f"line-{i}\n" for i in range(N_LINES)))
    source = {"connector.class": "FileStreamSource", "file": str(src_file), "topic": topic_name}
    sink = {"connector.class": "FileStreamSink", "file": str(out_file), "topics": topic_name}
    async with aiohttp.ClientSession() as s:
        # the worker requires an owner and a ticket: a Connect-style config is refused, naming the keys
        status, body = await call(s, "POST", f"{base}/connectors", {"name": "src", "config": source})
        assert status == 400, body
        assert "genesis.owner" in body["message"] and "genesis.ticket" in body["message"]
        status, _ = await call(s, "GET", f"{base}/connectors/src")
        assert status == 404  # nothing was created

        owned = {"genesis.owner": "ads-team", "genesis.ticket": "ADS-1"}
        status, _ = await call(s, "POST", f"{base}/connectors", {"name": "src", "config": {**source, **owned}})
        assert status == 201
        status, _ = await call(s, "PUT", f"{base}/connectors/sink/config", {**sink, **owned, "genesis.ticket": "ADS-2"})
        assert status == 201

        async def delivered() -> bool:
            return out_file.exists() and len(out_file.read_text().splitlines()) == N_LINES

        await eventually(delivered)

        async def pipelines_with_counts() -> Any:
            _, ps = await call(s, "GET", f"{base}/genesis/pipelines")
            by = {p["name"]: p for p in ps}
            if by.get("sink", {}).get("metrics", {}) and by["sink"]["metrics"]["records_written"] == N_LINES:
                return by
            return None

        by = await eventually(pipelines_with_counts)
        assert by["src"]["owner"] == "ads-team" and by["sink"]["ticket"] == "ADS-2"
        assert by["src"]["metrics"]["records_written"] == N_LINES  # acknowledged by Kafka
        assert by["sink"]["connector"]["state"] == "RUNNING"
        assert topic_name in by["src"]["topics"]

        _, prom = await call(s, "GET", f"{base}/metrics")
        assert (
            f'kafka_connect_source_task_source_record_write_total{{connector="src",task="0"}} {float(N_LINES)}' in prom
        )
        assert 'kafka_connect_sink_task_sink_record_send_total{connector="sink",task="0"}' in prom

        # lineage: file -> src -> topic -> sink -> file
        _, lin = await call(s, "GET", f"{base}/genesis/lineage?topic={topic_name}")
        assert [p["name"] for p in lin["readers"]] == ["sink"]
        assert [p["name"] for p in lin["writers"]] == ["src"]
        assert {"endpoint": {"system": "file", "name": str(out_file)}, "via": ["sink"]} in lin["downstream"]
        assert {"endpoint": {"system": "file", "name": str(src_file)}, "via": ["src"]} in lin["upstream"]

        # history: an update (which keys changed), a pause and a resume, each with owner and ticket
        status, _ = await call(s, "PUT", f"{base}/connectors/sink/config", {**sink, **owned, "genesis.ticket": "ADS-3"})
        assert status == 200
        assert (await call(s, "PUT", f"{base}/connectors/sink/pause"))[0] == 202
        assert (await call(s, "PUT", f"{base}/connectors/sink/resume"))[0] == 202
        _, hist = await call(s, "GET", f"{base}/genesis/connectors/sink/history")
        assert [h["action"] for h in hist] == ["created", "updated", "paused", "resumed"]
        assert hist[1]["changed_keys"] == ["genesis.ticket"] and hist[1]["ticket"] == "ADS-3"
        assert (await call(s, "GET", f"{base}/genesis/connectors/nope/history"))[0] == 404

        _, metrics = await call(s, "GET", f"{base}/genesis/metrics")
        assert set(metrics["connectors"]) == {"src", "sink"}

        status, page = await call(s, "GET", f"{base}/genesis/console")
        assert status == 200 and "<title>Genesis console</title>" in page
        assert (await call(s, "GET", f"{base}/genesis/console/app.js"))[0] == 200
        assert (await call(s, "GET", f"{base}/genesis/console/..%2F__init__.py"))[0] in (400, 404)
        assert (await call(s, "GET", f"{base}/genesis/console/missing.js"))[0] == 404

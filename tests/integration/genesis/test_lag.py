"""Lag evaluated with Burrow's rules on a real standalone worker and Kafka 4.4, sampled every 300 ms into
windows of 6 (judged from 3 samples): a sink caught up is OK; paused with records behind it shows the lag
and STALL (its consumer stays in the group, committing nothing); stopped, its partitions turn STOP; a
running sink that stops committing while records arrive turns STALL within the window. The REST answers,
the list, the series, the Prometheus series, a source's figures and the 404 are checked on the way."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from confluent_kafka import Producer

from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.genesis.layer import GenesisLayer
from genesis_worker.herder.standalone import StandaloneHerder
from genesis_worker.rest.server import RestServer, start_rest_server
from tests.integration.distributed.plugins import SeqSourceConnector, class_path
from tests.integration.genesis.lag_plugins import FreezingSinkConnector

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

INTERVAL_MS, WINDOW = 300, 6
LAG_PROPS = {
    "genesis.lag.sample.interval.ms": str(INTERVAL_MS),
    "genesis.lag.window.size": str(WINDOW),
    "genesis.lag.minimum.complete": "0.5",
}


@pytest.fixture
async def worker(kafka: Any, tmp_path: Path) -> AsyncIterator[RestServer]:
    props = {
        "bootstrap.servers": kafka.bootstrap,
        "offset.storage.file.filename": str(tmp_path / "offsets"),
        "key.converter": "org.apache.kafka.connect.storage.StringConverter",
        "value.converter": "org.apache.kafka.connect.storage.StringConverter",
        "offset.flush.interval.ms": "100",
        "listeners": "http://127.0.0.1:0",
        **LAG_PROPS,
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


async def get(session: aiohttp.ClientSession, url: str) -> tuple[int, Any]:
    async with session.get(url) as r:
        return r.status, await r.json(content_type=None) if "json" in r.headers.get(
            "Content-Type", ""
        ) else await r.text()


async def until(check: Any, within_s: float = 60.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + within_s
    last = None
    while time.monotonic() < deadline:
        ok, last = await check()
        if ok:
            return last
        await asyncio.sleep(0.1)
    raise AssertionError(f"{what} not reached in {within_s} s; last: {last}")


async def produce(bootstrap: str, topic: str, per_partition: int, partitions: int = 2) -> None:
    def run() -> None:
        p = Producer({"bootstrap.servers": bootstrap})
        for part in range(partitions):
            for i in range(per_partition):
                p.produce(topic, key=f"k{i}", value=b"v", partition=part)
        p.flush(30)

    await asyncio.to_thread(run)


def partition_statuses(lag: dict[str, Any]) -> list[str]:
    return [p["status"] for p in lag["partitions"]]


async def test_paused_stopped_and_stuck_sinks(worker: RestServer, kafka: Any, tmp_path: Path, topic_name: str) -> None:
    base = worker.url.rstrip("/")
    kafka.create_topic(topic_name, partitions=2)
    await produce(kafka.bootstrap, topic_name, 10)
    freeze = tmp_path / "freeze"
    name = f"snk-{uuid.uuid4().hex[:6]}"  # a consumer group unique to the run
    sink = {"connector.class": class_path(FreezingSinkConnector), "topics": topic_name, "freeze.file": str(freeze)}
    async with aiohttp.ClientSession() as s:
        async with s.put(f"{base}/connectors/{name}/config", json=sink) as r:
            assert r.status == 201, await r.text()
        url = f"{base}/genesis/connectors/{name}/lag"

        async def caught_up() -> tuple[bool, Any]:
            _, lag = await get(s, url)
            ends = [p["committed_offset"] for p in lag["partitions"]]
            return lag["status"] == "OK" and ends == [10, 10] and partition_statuses(lag) == ["OK", "OK"], lag

        lag = await until(caught_up, what="the sink caught up and OK")
        assert lag["group"] == f"connect-{name}" and lag["type"] == "sink" and lag["total_lag"] == 0
        assert [(p["topic"], p["partition"], p["end_offset"]) for p in lag["partitions"]] == [
            (topic_name, 0, 10),
            (topic_name, 1, 10),
        ]

        # paused with records behind: its consumer stays in the group and commits nothing -> STALL (Burrow
        # rule 4: the same offset in every sample, the lag never zero), the pipeline ERR
        async with s.put(f"{base}/connectors/{name}/pause") as r:
            assert r.status == 202
        await asyncio.sleep(0.5)
        await produce(kafka.bootstrap, topic_name, 15)

        async def stalled() -> tuple[bool, Any]:
            _, lag = await get(s, url)
            return partition_statuses(lag) == ["STALL", "STALL"], lag

        lag = await until(stalled, what="STALL of the paused sink")
        assert lag["status"] == "ERR" and lag["total_lag"] == 30
        for p in lag["partitions"]:
            assert (p["committed_offset"], p["end_offset"], p["current_lag"]) == (10, 25, 15)
            assert (
                p["end"]["offset"] == 10 and p["end"]["lag"] == 15 and p["end"]["timestamp"] >= p["start"]["timestamp"]
            )
        _, every = await get(s, f"{base}/genesis/lag")
        assert every[name] == {"type": "sink", "status": "ERR", "total_lag": 30}
        _, prom = await get(s, f"{base}/metrics")
        assert f'genesis_lag_status{{connector="{name}"}} 3.0' in prom
        assert f'genesis_lag_partition_status{{connector="{name}",partition="0",topic="{topic_name}"}} 5.0' in prom
        assert f'genesis_lag_records{{connector="{name}",partition="1",topic="{topic_name}"}} 15.0' in prom
        _, series = await get(s, f"{base}/genesis/connectors/{name}/series?minutes=5")
        assert series["connector"] == name and series["interval_ms"] == INTERVAL_MS
        assert series["points"][-1]["lag"] == 30 and series["points"][-1]["status"] == "ERR"

        # stopped: its consumer leaves the group, nobody commits -> STOP (Burrow rule 3)
        async with s.put(f"{base}/connectors/{name}/stop") as r:
            assert r.status == 204

        async def stopped() -> tuple[bool, Any]:
            _, lag = await get(s, url)
            return partition_statuses(lag) == ["STOP", "STOP"], lag

        await until(stopped, what="STOP of the stopped sink")

        # running again it catches up (OK), then stops committing while records keep arriving: STALL within
        # the window (WINDOW samples of INTERVAL_MS) once the freeze reaches its next commit
        async with s.put(f"{base}/connectors/{name}/resume") as r:
            assert r.status == 202
        await until(lambda: _all_ok(s, url), what="OK again after the resume")
        _, series = await get(s, f"{base}/genesis/connectors/{name}/series")
        assert max(p["records_per_sec"] for p in series["points"]) > 0  # the 30 records consumed on resume
        assert series["points"][-1]["lag"] == 0 and series["points"][-1]["status"] == "OK"
        freeze.touch()
        frozen_at = time.monotonic()
        feeding = asyncio.create_task(_feed(kafka.bootstrap, topic_name))
        try:
            await until(stalled, within_s=30, what="STALL of the sink that stopped committing")
        finally:
            feeding.cancel()
        took = time.monotonic() - frozen_at  # 1.7 to 1.9 s here: the window's span (6 x 300 ms)
        assert took < 1.5 * WINDOW * INTERVAL_MS / 1000 + 1.5, f"STALL {took:.1f} s after the freeze"

        status, missing = await get(s, f"{base}/genesis/connectors/nope/lag")
        assert status == 404 and missing == {"error_code": 404, "message": "Connector nope not found"}
        status, bad = await get(s, f"{base}/genesis/connectors/{name}/series?minutes=0")
        assert status == 400 and bad["error_code"] == 400


async def _all_ok(s: aiohttp.ClientSession, url: str) -> tuple[bool, Any]:
    _, lag = await get(s, url)
    return lag["status"] == "OK" and lag["total_lag"] == 0 and partition_statuses(lag) == ["OK", "OK"], lag


async def _feed(bootstrap: str, topic: str) -> None:
    while True:
        await produce(bootstrap, topic, 5)
        await asyncio.sleep(0.2)


async def test_source_figures(worker: RestServer, kafka: Any, topic_name: str) -> None:
    base = worker.url.rstrip("/")
    kafka.create_topic(topic_name, partitions=1)
    source = {"connector.class": class_path(SeqSourceConnector), "topic": topic_name, "poll.interval.ms": "50"}
    async with aiohttp.ClientSession() as s:
        async with s.put(f"{base}/connectors/src/config", json=source) as r:
            assert r.status == 201, await r.text()

        async def producing() -> tuple[bool, Any]:
            _, lag = await get(s, f"{base}/genesis/connectors/src/lag")
            return (lag["records_per_sec"] or 0) > 0 and lag["last_offset_commit_age_ms"] is not None, lag

        lag = await until(producing, what="a source producing and committing")
        assert set(lag) == {"connector", "type", "records_per_sec", "last_offset_commit_age_ms", "pending_records"}
        assert lag["type"] == "source" and 0 <= lag["last_offset_commit_age_ms"] < 5000
        assert isinstance(lag["pending_records"], int)
        _, every = await get(s, f"{base}/genesis/lag")
        assert every["src"] == {"type": "source", "status": None, "total_lag": None}
        _, series = await get(s, f"{base}/genesis/connectors/src/series")
        assert series["points"] and all(p["lag"] is None for p in series["points"])

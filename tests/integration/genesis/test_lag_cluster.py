"""Lag on a two-worker cluster (real herders, Worker and REST servers, Kafka 4.4): only the leader samples
and evaluates; the other worker forwards the lag requests to it and answers the same, and only the leader
serves the ``genesis_lag_*`` series; a source's figures come from the worker running its task."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.integration.distributed.harness import cluster_props
from tests.integration.distributed.plugins import FileSinkConnector, SeqSourceConnector, class_path
from tests.integration.distributed.test_distributed_cluster import call
from tests.integration.distributed.test_genesis_history import start_cluster
from tests.integration.genesis.test_lag import LAG_PROPS, until

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


async def test_lag_asked_on_the_non_leader(kafka: Any, tmp_path: Path) -> None:
    props = cluster_props(kafka.bootstrap, **LAG_PROPS)
    topic = kafka.create_topic(f"lag-{uuid.uuid4().hex[:8]}", partitions=2)
    nodes = await start_cluster(props, 2)
    try:
        lead = next(n for n in nodes if n.herder.is_leader)
        other = next(n for n in nodes if not n.herder.is_leader)
        snk, src = f"snk-{uuid.uuid4().hex[:6]}", f"src-{uuid.uuid4().hex[:6]}"  # groups unique to the run
        source = {"connector.class": class_path(SeqSourceConnector), "topic": topic, "records.per.task": "40"}
        sink = {"connector.class": class_path(FileSinkConnector), "topics": topic, "dir": str(tmp_path / "out")}
        async with aiohttp.ClientSession() as s:
            for name, config in ((src, source), (snk, sink)):
                for _ in range(100):  # 409 while a rebalance runs
                    status, body = await call(s, "PUT", f"{other.url}connectors/{name}/config", config)
                    if status != 409:
                        break
                    await asyncio.sleep(0.2)
                assert status == 201, body

            async def caught_up() -> tuple[bool, Any]:
                status, lag = await call(s, "GET", f"{other.url}genesis/connectors/{snk}/lag")
                done = status == 200 and sum(p["committed_offset"] for p in lag["partitions"]) == 40
                return done and lag["status"] == "OK", (status, lag)

            _, lag = await until(caught_up, what="the sink's lag, asked on the non-leader")
            assert lag["group"] == f"connect-{snk}" and lag["total_lag"] == 0
            _, on_leader = await call(s, "GET", f"{lead.url}genesis/connectors/{snk}/lag")
            assert on_leader["evaluated_at"] >= lag["evaluated_at"]  # the leader's evaluation, forwarded
            assert [p["committed_offset"] for p in on_leader["partitions"]] == [
                p["committed_offset"] for p in lag["partitions"]
            ]
            status, every = await call(s, "GET", f"{other.url}genesis/lag")
            assert status == 200 and every[snk] == {"type": "sink", "status": "OK", "total_lag": 0}
            assert every[src]["type"] == "source"

            async def source_figures() -> tuple[bool, Any]:
                # gathered from whichever worker runs the source's task (before: null unless the leader ran it)
                status, lag = await call(s, "GET", f"{other.url}genesis/connectors/{src}/lag")
                return status == 200 and lag["records_per_sec"] is not None, lag

            src_lag = await until(source_figures, what="the source's figures, from the worker running it")
            assert src_lag["type"] == "source" and src_lag["records_per_sec"] >= 0
            status, series = await call(s, "GET", f"{other.url}genesis/connectors/{snk}/series?minutes=10")
            assert status == 200 and series["points"] and series["points"][-1]["lag"] == 0
            status, missing = await call(s, "GET", f"{other.url}genesis/connectors/nope/lag")
            assert status == 404 and missing["error_code"] == 404

            async with s.get(f"{lead.url}metrics") as r:
                assert f'genesis_lag_status{{connector="{snk}"}} 1.0' in await r.text()
            async with s.get(f"{other.url}metrics") as r:
                assert "genesis_lag_status{" not in await r.text()  # served by the worker that evaluates
    finally:
        for n in nodes:
            await n.stop()

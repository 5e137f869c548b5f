"""The console's cluster selector backend (``genesis.console.clusters``) with two genesis-worker clusters
(two worker groups with their own internal topics on the test broker, as two Kafka clusters would be) and a
third URL nobody answers: every answer spans both live clusters and reports the dead one, never a 5xx;
lineage keeps each cluster's topic ``T`` apart."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import aiohttp
import pytest

from tests.fixtures.net import free_ports

from .harness import cluster_props
from .plugins import SeqSourceConnector, class_path
from .test_distributed_cluster import call
from .test_genesis_history import Node, _node

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


def source(name: str, topic: str) -> dict[str, Any]:
    config = {
        "connector.class": class_path(SeqSourceConnector),
        "tasks.max": "1",
        "topic": topic,
        "records.per.task": "20",
        "genesis.owner": f"{name}-team",
    }
    return {"name": name, "config": config}


async def test_pipelines_and_lineage_span_every_cluster_and_report_the_unreachable(kafka: Any) -> None:
    topic = kafka.create_topic(f"shared-{uuid.uuid4().hex[:8]}", partitions=1)
    east_port, west_port, gone_port = free_ports(3)  # nothing listens on gone_port
    gone = f"http://127.0.0.1:{gone_port}"
    east_props = cluster_props(
        kafka.bootstrap,
        **{
            "genesis.cluster.name": "east",
            "genesis.console.clusters": f"west=http://127.0.0.1:{west_port}/,gone={gone},east=http://elsewhere:1",
        },
    )
    nodes: list[Node] = []
    try:
        nodes.append(await _node(east_props, east_port))
        nodes.append(await _node(cluster_props(kafka.bootstrap, **{"genesis.cluster.name": "west"}), west_port))
        east, west = (n.url.rstrip("/") for n in nodes)
        async with aiohttp.ClientSession() as s:
            for url, name in ((east, "src-east"), (west, "src-west")):
                for _ in range(100):
                    status, body = await call(s, "POST", f"{url}/connectors", source(name, topic))
                    if status != 409:
                        break
                assert status == 201, body

            t0 = time.monotonic()
            status, clusters = await call(s, "GET", f"{east}/genesis/clusters")
            assert status == 200 and time.monotonic() - t0 < 5
            assert [(c["name"], c["self"], c["reachable"]) for c in clusters] == [
                ("east", True, True),
                ("west", False, True),
                ("gone", False, False),
            ]
            assert clusters[2]["url"] == gone and clusters[2]["error"]
            assert clusters[1]["kafka_cluster_id"] == clusters[0]["kafka_cluster_id"]  # one test broker
            status, alone = await call(s, "GET", f"{west}/genesis/clusters")
            assert [c["name"] for c in alone] == ["west"]

            for _ in range(100):  # until each cluster's config topic was read back
                status, body = await call(s, "GET", f"{east}/genesis/pipelines?clusters=all")
                assert status == 200, body
                if len(body["pipelines"]) == 2:
                    break
                await asyncio.sleep(0.3)
            assert {(p["name"], p["cluster"], p["owner"]) for p in body["pipelines"]} == {
                ("src-east", "east", "src-east-team"),
                ("src-west", "west", "src-west-team"),
            }
            assert {c["name"]: c["reachable"] for c in body["clusters"]} == {"east": True, "west": True, "gone": False}
            status, body = await call(s, "GET", f"{east}/genesis/pipelines?clusters=west")
            assert status == 200 and [p["cluster"] for p in body["pipelines"]] == ["east", "west"]
            status, body = await call(s, "GET", f"{east}/genesis/pipelines?clusters=north")
            assert status == 400 and "north" in body["message"]

            async def graph() -> dict[str, Any]:
                status, body = await call(s, "GET", f"{east}/genesis/lineage?clusters=all")
                assert status == 200, body
                return dict(body)

            want = {f"kafka@east:{topic}", f"kafka@west:{topic}", "connector@east:src-east", "connector@west:src-west"}
            for _ in range(100):  # a source's topic shows once it has produced to it
                seen = await graph()
                if want <= {n["id"] for n in seen["nodes"]}:
                    break
                await asyncio.sleep(0.3)
            assert want <= {n["id"] for n in seen["nodes"]}, seen["nodes"]
            assert {"from": "connector@east:src-east", "to": f"kafka@east:{topic}"} in seen["edges"]
            assert {"from": "connector@west:src-west", "to": f"kafka@west:{topic}"} in seen["edges"]
            assert {"from": "connector@east:src-east", "to": f"kafka@west:{topic}"} not in seen["edges"]
            assert [c["reachable"] for c in seen["clusters"]] == [True, True, False]

            status, body = await call(s, "GET", f"{east}/genesis/lineage?clusters=all&topic={topic}")
            assert status == 200, body
            assert [(r["cluster"], [w["name"] for w in r["writers"]]) for r in body["results"]] == [
                ("east", ["src-east"]),
                ("west", ["src-west"]),
            ]
            assert [(c["name"], c["reachable"]) for c in body["clusters"]] == [
                ("east", True),
                ("west", True),
                ("gone", False),
            ]
    finally:
        for node in nodes:
            await node.stop()

"""Leader forwarding compared with Java: the same requests sent to a *follower* of a two-worker Java
Kafka Connect 4.4 cluster and of a two-worker genesis cluster (same broker). Report:
``.cache/conformance/distributed-report.md``."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conformance.runner import compare, render_report, run_scenario
from tests.conformance.scenario import DIST_STEPS
from tests.integration.distributed.harness import cluster_props, stop_node
from tests.integration.distributed.test_distributed_cluster import start_workers

pytestmark = [pytest.mark.integration, pytest.mark.timeout(400)]

REPORT = Path(__file__).resolve().parents[2] / ".cache" / "conformance" / "distributed-report.md"
JSON = "org.apache.kafka.connect.json.JsonConverter"

ACCEPTED: dict[str, str] = {}
HERDER_GAPS: dict[str, str] = {}


async def find_follower(urls: list[str], file: str, topic: str) -> str:
    """The worker that refuses a second-hop write (forward=false) is a follower."""
    config = {"connector.class": "FileStreamSource", "file": file, "topic": topic}
    async with aiohttp.ClientSession() as s:
        for _ in range(100):
            answers = {}
            for url in urls:
                async with s.put(f"{url.rstrip('/')}/connectors/probe/config?forward=false", json=config) as r:
                    answers[url] = r.status
            leaders = [u for u, st in answers.items() if st in (200, 201)]
            if len(leaders) == 1 and len(answers) == 2:
                async with s.delete(f"{leaders[0].rstrip('/')}/connectors/probe") as r:
                    assert r.status == 204
                return next(u for u in urls if u != leaders[0])
            await asyncio.sleep(0.3)
    raise AssertionError(f"no single leader found: {answers}")


async def test_forwarding_conformance_with_java(kafka: Any, java_connect_factory: Any, tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("a\nb\nc\n")
    topic = f"fwd-{uuid.uuid4().hex[:8]}"
    kafka.create_topic(topic, partitions=1)
    variables = {"in": str(src), "topic": topic}

    group = f"java-fwd-{uuid.uuid4().hex[:6]}"
    java_props = {"scheduled.rebalance.max.delay.ms": 3000}
    j1 = await asyncio.to_thread(java_connect_factory, kafka.bootstrap, group_id=group, properties=java_props)
    j2 = await asyncio.to_thread(java_connect_factory, kafka.bootstrap, group_id=group, properties=java_props)
    java_follower = await find_follower([j1.url, j2.url], str(src), topic)
    java_results = await run_scenario(java_follower, variables, DIST_STEPS)

    props = cluster_props(kafka.bootstrap, **{"key.converter": JSON, "value.converter": JSON})
    herders = await start_workers(props, 2)
    try:
        genesis_follower = await find_follower([h.rest_url() or "" for h in herders], str(src), topic)
        genesis_results = await run_scenario(genesis_follower, variables, DIST_STEPS)
    finally:
        for h in herders:
            await stop_node(h)

    diffs = compare(java_results, genesis_results, variables, variables, DIST_STEPS)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(
        render_report(
            diffs, java_results, {**ACCEPTED, **HERDER_GAPS}, DIST_STEPS, "distributed, requests sent to a follower"
        )
    )
    REPORT.with_suffix(".json").write_text(
        json.dumps({k: [java_results[k].__dict__, genesis_results[k].__dict__] for k in java_results}, indent=1)
    )
    unexpected = [d for d in diffs if d.step not in ACCEPTED and d.step not in HERDER_GAPS]
    assert not unexpected, "\n".join(f"{d.step} {d.kind}: java={d.java!r} genesis={d.genesis!r}" for d in unexpected)

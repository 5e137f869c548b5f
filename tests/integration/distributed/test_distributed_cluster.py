"""Three genesis workers (real runtime Worker, real REST servers, Kafka 4.4) in one Connect cluster:
requests through any worker, forwarding to the leader, task configs from followers (signed internal
request), statuses identical everywhere, data flowing through a source + sink pipeline, and config
changes raced through different workers landing exactly once."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from confluent_kafka import Consumer, TopicPartition

from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.herder.distributed import DistributedHerder, from_worker_config
from tests.fixtures.net import free_ports

from .harness import cluster_props, serve, stable, stop_node, wait_for
from .plugins import FileSinkConnector, SeqSourceConnector, class_path, read_sink_keys

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

log = logging.getLogger(__name__)


async def start_workers(props: dict[str, str], n: int) -> list[DistributedHerder]:
    herders = []
    for i, port in enumerate(free_ports(n)):
        wprops = {**props, "listeners": f"http://127.0.0.1:{port}", "rest.advertised.host.name": "127.0.0.1"}
        h = from_worker_config(WorkerConfig(wprops, "distributed"))
        await serve(h, wprops, port)
        if i == 0:
            await h.start()  # creates the internal topics
        herders.append(h)
    await asyncio.gather(*(h.start() for h in herders[1:]))
    await wait_for(lambda: stable(herders), 60, "first stable assignment")
    return herders


async def call(session: aiohttp.ClientSession, method: str, url: str, body: Any = None) -> tuple[int, Any]:
    async with session.request(method, url, json=body) as r:
        text = await r.text()
        try:
            return r.status, await r.json(content_type=None) if text else None
        except ValueError:
            return r.status, text


async def test_cluster_pipeline_forwarding_and_racing_configs(kafka: Any, tmp_path: Path) -> None:
    props = cluster_props(kafka.bootstrap)
    topic = f"seq-{uuid.uuid4().hex[:8]}"
    kafka.create_topic(topic, partitions=3)
    herders = await start_workers(props, 3)
    try:
        lead = next(h for h in herders if h.is_leader)
        followers = [h for h in herders if not h.is_leader]
        urls = [h.rest_url() for h in herders]
        async with aiohttp.ClientSession() as s:
            # create through a follower: forwarded to the leader
            status, body = await call(
                s,
                "POST",
                f"{followers[0].rest_url()}connectors",
                {
                    "name": "src",
                    "config": {
                        "connector.class": class_path(SeqSourceConnector),
                        "tasks.max": "3",
                        "topic": topic,
                        "records.per.task": "400",
                        "batch.size": "20",
                    },
                },
            )
            assert status == 201, body
            assert body["name"] == "src"
            status, body = await call(
                s,
                "PUT",
                f"{followers[1].rest_url()}connectors/sink/config",
                {
                    "connector.class": class_path(FileSinkConnector),
                    "tasks.max": "3",
                    "topics": topic,
                    "dir": str(tmp_path / "out"),
                    "consumer.override.auto.offset.reset": "earliest",
                },
            )
            assert status == 201, body

            async def all_running() -> bool:
                views = []
                for u in urls:
                    for c in ("src", "sink"):
                        st, b = await call(s, "GET", f"{u}connectors/{c}/status")
                        if st != 200 or len(b["tasks"]) != 3:
                            return False
                        if b["connector"]["state"] != "RUNNING" or {t["state"] for t in b["tasks"]} != {"RUNNING"}:
                            return False
                        views.append(b)
                return all(v == views[i % 2] for i, v in enumerate(views))

            for _ in range(600):
                if await all_running():
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("connectors and tasks not RUNNING with the same status on every worker")
            # 2 connectors + 6 tasks over 3 workers
            assert sorted(len(h.local.tasks) for h in herders) == [2, 2, 2]
            assert sorted(len(h.local.connectors) for h in herders) in ([0, 1, 1], [1, 1, 0])
            st, b = await call(s, "GET", f"{urls[2]}connectors/src/tasks")
            assert st == 200 and [t["id"]["task"] for t in b] == [0, 1, 2]

            # every record of the bounded source reaches the sink
            expected = {f"{t}-{i}" for t in range(3) for i in range(400)}
            await wait_for(
                lambda: expected <= set(read_sink_keys(str(tmp_path / "out"), "sink")), 90, "all keys in the sink"
            )

            # topic tracking (KIP-558): the sink's topic recorded in the status topic, seen by every worker
            for u in urls:
                for _ in range(50):
                    st, b = await call(s, "GET", f"{u}connectors/sink/topics")
                    if st == 200 and b == {"sink": {"topics": [topic]}}:
                        break
                    await asyncio.sleep(0.1)
                assert (st, b) == (200, {"sink": {"topics": [topic]}})

            # two workers racing config changes: every change lands exactly once
            async def put(worker: int, name: str, value: str) -> int:
                st, b = await call(
                    s,
                    "PUT",
                    f"{urls[worker]}connectors/{name}/config",
                    {
                        "connector.class": class_path(SeqSourceConnector),
                        "tasks.max": "1",
                        "topic": topic,
                        "records.per.task": "0",
                        "marker": value,
                    },
                )
                assert st in (200, 201), (st, b)
                return st

            jobs = []
            for i in range(8):
                jobs.append(put(1, f"race-{i}", f"a{i}"))
                jobs.append(put(2, f"race-{i}", f"b{i}"))
                jobs.append(put(0, "race-shared", f"s{i}"))
            codes = await asyncio.gather(*jobs)
            assert Counter(codes)[201] == 9  # 8 race-i + race-shared created once each
            st, names = await call(s, "GET", f"{urls[0]}connectors")
            assert {f"race-{i}" for i in range(8)} | {"race-shared", "src", "sink"} == set(names)
        records = read_config_topic(kafka.bootstrap, props["config.storage.topic"])
        puts = Counter(k for k, v in records if k.startswith("connector-race") and v is not None)
        assert puts == Counter({**{f"connector-race-{i}": 2 for i in range(8)}, "connector-race-shared": 8})
        # the last write wins everywhere
        await wait_for(lambda: all(h._config.offset == lead._config.offset for h in herders), 20, "same config offset")
        final = {h._snapshot().connector_config("race-shared")["marker"] for h in herders}  # type: ignore[index]
        assert len(final) == 1
        # only the leader wrote task configs and session keys
        assert any(k == "session-key" for k, _ in records)
    finally:
        await asyncio.gather(*(stop_node(h) for h in herders), return_exceptions=True)


def read_config_topic(bootstrap: str, topic: str) -> list[tuple[str, bytes | None]]:
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"read-{uuid.uuid4().hex}", "enable.auto.commit": False})
    try:
        _, high = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
        c.assign([TopicPartition(topic, 0, 0)])
        out: list[tuple[str, bytes | None]] = []
        seen = 0
        while seen < high:
            m = c.poll(5)
            if m is None:
                break
            if m.error():
                continue
            seen = m.offset() + 1
            out.append(((m.key() or b"").decode(), m.value()))
        return out
    finally:
        c.close()

"""Per-connector offsets topics (KIP-618 ``offsets.storage.topic``) on a distributed worker against Kafka 4.4: a
FileStream source commits to its own topic in Connect's format (and backs it up to the worker's), resumes from it,
falls back to the worker's topic after moving to its own, and the KIP-875 offsets endpoints read and write the
right topics."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import ConfigResource

from genesis_worker.storage.offset_keys import offset_key

from .harness import cluster_props, stop_node
from .test_distributed_cluster import call, start_workers

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

Record = tuple[bytes | None, bytes | None]


def read_topic(bootstrap: str, topic: str) -> list[Record]:
    """Every (key, value) of ``topic`` up to its end, partition by partition."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"raw-{uuid.uuid4().hex}", "enable.auto.commit": False})
    try:
        md = c.list_topics(topic, timeout=10).topics[topic]
        out: list[Record] = []
        for p in sorted(md.partitions):
            _, high = c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            if high <= 0:
                continue
            c.assign([TopicPartition(topic, p, 0)])
            while True:
                m = c.poll(5)
                assert m is not None, f"{topic}-{p} stopped before offset {high}"
                if m.error():
                    continue
                out.append((m.key(), m.value()))
                if m.offset() + 1 >= high:
                    break
        return out
    finally:
        c.close()


def latest(records: list[Record], key: bytes) -> tuple[bool, bytes | None]:
    """(whether ``key`` was written, its last value)."""
    values = [v for k, v in records if k == key]
    return (bool(values), values[-1] if values else None)


async def until(check: Callable[[], Awaitable[Any]], limit: float, what: str) -> Any:
    for _ in range(int(limit / 0.2)):
        got = await check()
        if got:
            return got
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def topic_has(bootstrap: str, topic: str, key: bytes, value: bytes | None, limit: float = 30) -> None:
    async def check() -> bool:
        try:
            return latest(await asyncio.to_thread(read_topic, bootstrap, topic), key) == (True, value)
        except KeyError:  # not created yet
            return False

    await until(check, limit, f"{key!r} = {value!r} in {topic}")


async def count_is(bootstrap: str, topic: str, n: int) -> None:
    """``topic`` reaches ``n`` records and has no more a moment later (no source line read twice)."""

    async def reached() -> bool:
        try:
            return len(await asyncio.to_thread(read_topic, bootstrap, topic)) >= n
        except KeyError:
            return False

    await until(reached, 60, f"{n} records in {topic}")
    await asyncio.sleep(2)
    assert len(await asyncio.to_thread(read_topic, bootstrap, topic)) == n


async def state(s: aiohttp.ClientSession, url: str, name: str, expected: str) -> None:
    async def check() -> bool:
        st, b = await call(s, "GET", f"{url}connectors/{name}/status")
        return st == 200 and b["connector"]["state"] == expected and all(t["state"] == expected for t in b["tasks"])

    await until(check, 60, f"{name} {expected}")


def append(path: Path, *lines: str) -> int:
    with path.open("a") as f:
        f.writelines(line + "\n" for line in lines)
    return path.stat().st_size


def position(n: int) -> bytes:
    return b'{"position":%d}' % n


async def test_own_offsets_topic_commits_resumes_and_serves_the_offsets_endpoints(kafka: Any, tmp_path: Path) -> None:
    props = cluster_props(kafka.bootstrap)
    worker_topic = props["offset.storage.topic"]
    own, out = f"own-offsets-{uuid.uuid4().hex[:8]}", f"fs-out-{uuid.uuid4().hex[:8]}"
    source = tmp_path / "in.txt"
    size = append(source, *(f"a{i}" for i in range(5)))
    key = offset_key("fs", {"filename": str(source)})
    assert key == b'["fs",{"filename":"' + str(source).encode() + b'"}]'
    (herder,) = await start_workers(props, 1)
    url = herder.rest_url()
    config = {
        "connector.class": "FileStreamSource",
        "tasks.max": "1",
        "file": str(source),
        "topic": out,
        "offsets.storage.topic": own,
    }
    try:
        async with aiohttp.ClientSession() as s:
            st, b = await call(s, "PUT", f"{url}connectors/fs/config", {**config, "offsets.storage.topic": " "})
            assert st == 400 and "offsets.storage.topic" in b["message"], b
            assert "String must be non-empty" in b["message"]
            st, b = await call(s, "PUT", f"{url}connectors/fs/config", config)
            assert st == 201, b
            await count_is(kafka.bootstrap, out, 5)
            # committed to its own topic in Connect's format, and copied to the worker's
            await topic_has(kafka.bootstrap, own, key, position(size))
            await topic_has(kafka.bootstrap, worker_topic, key, position(size))
            admin = kafka.admin()
            md = admin.list_topics(own, timeout=10).topics[own]
            assert len(md.partitions) == int(props["offset.storage.partitions"])  # the worker's settings
            res = ConfigResource(ConfigResource.Type.TOPIC, own)
            assert admin.describe_configs([res])[res].result(10)["cleanup.policy"].value == "compact"

            # resumes from its own topic: even with the worker's copy gone, no line is read twice
            st, _ = await call(s, "PUT", f"{url}connectors/fs/stop")
            assert st == 204
            await state(s, url, "fs", "STOPPED")
            producer = Producer({"bootstrap.servers": kafka.bootstrap, "partitioner": "murmur2_random"})
            producer.produce(worker_topic, key=key, value=None)
            assert producer.flush(10) == 0
            size = append(source, "a5", "a6")
            st, _ = await call(s, "PUT", f"{url}connectors/fs/resume")
            assert st == 202
            await count_is(kafka.bootstrap, out, 7)
            await topic_has(kafka.bootstrap, own, key, position(size))

            # the offsets endpoints read and write its topics
            st, _ = await call(s, "PUT", f"{url}connectors/fs/stop")
            await state(s, url, "fs", "STOPPED")
            st, b = await call(s, "GET", f"{url}connectors/fs/offsets")
            assert (st, b) == (
                200,
                {"offsets": [{"partition": {"filename": str(source)}, "offset": {"position": size}}]},
            )
            patch = {"offsets": [{"partition": {"filename": str(source)}, "offset": {"position": 3}}]}
            st, b = await call(s, "PATCH", f"{url}connectors/fs/offsets", patch)
            assert st == 200, b
            await topic_has(kafka.bootstrap, own, key, position(3), limit=5)
            await topic_has(kafka.bootstrap, worker_topic, key, position(3))
            st, b = await call(s, "GET", f"{url}connectors/fs/offsets")
            assert b["offsets"] == patch["offsets"]
            st, b = await call(s, "DELETE", f"{url}connectors/fs/offsets")
            assert st == 200, b
            await topic_has(kafka.bootstrap, own, key, None, limit=5)
            await topic_has(kafka.bootstrap, worker_topic, key, None, limit=5)
            st, b = await call(s, "GET", f"{url}connectors/fs/offsets")
            assert (st, b) == (200, {"offsets": []})
    finally:
        await stop_node(herder)


async def test_moved_to_its_own_topic_a_connector_resumes_from_the_worker_topic(kafka: Any, tmp_path: Path) -> None:
    props = cluster_props(kafka.bootstrap)
    worker_topic = props["offset.storage.topic"]
    own, out = f"moved-offsets-{uuid.uuid4().hex[:8]}", f"mv-out-{uuid.uuid4().hex[:8]}"
    source = tmp_path / "in.txt"
    size = append(source, *(f"b{i}" for i in range(4)))
    key = offset_key("mv", {"filename": str(source)})
    (herder,) = await start_workers(props, 1)
    url = herder.rest_url()
    config = {"connector.class": "FileStreamSource", "tasks.max": "1", "file": str(source), "topic": out}
    try:
        async with aiohttp.ClientSession() as s:
            st, b = await call(s, "PUT", f"{url}connectors/mv/config", config)
            assert st == 201, b
            await count_is(kafka.bootstrap, out, 4)
            await topic_has(kafka.bootstrap, worker_topic, key, position(size))
            st, _ = await call(s, "PUT", f"{url}connectors/mv/stop")
            await state(s, url, "mv", "STOPPED")

            st, b = await call(s, "PUT", f"{url}connectors/mv/config", {**config, "offsets.storage.topic": own})
            assert st == 200, b
            # read through the connector's (empty) topic, falling back to the worker's
            st, b = await call(s, "GET", f"{url}connectors/mv/offsets")
            assert b == {"offsets": [{"partition": {"filename": str(source)}, "offset": {"position": size}}]}
            assert latest(await asyncio.to_thread(read_topic, kafka.bootstrap, own), key) == (False, None)

            size = append(source, "b4", "b5")
            st, _ = await call(s, "PUT", f"{url}connectors/mv/resume")
            assert st == 202
            await count_is(kafka.bootstrap, out, 6)  # resumed at the worker topic's offset
            await topic_has(kafka.bootstrap, own, key, position(size))
    finally:
        await stop_node(herder)

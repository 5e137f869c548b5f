"""The HDFS sink run by the real worker (StandaloneHerder -> Worker -> WorkerSinkTask), posted with
Confluent's class name, against a real Kafka broker and a real HDFS (MiniDFSCluster): files, the dead
letter queue, committed offsets, and a worker restart that writes no record twice."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Consumer, KafkaException, Producer
from confluent_kafka import TopicPartition as KTopicPartition
from hdfs import HdfsError, InsecureClient

from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.herder.standalone import StandaloneHerder

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

JSON = "org.apache.kafka.connect.json.JsonConverter"
STRING = "org.apache.kafka.connect.storage.StringConverter"


def _produce(bootstrap: str, topic: str, values: list[Any]) -> None:
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    for v in values:
        p.produce(topic, None if v is None else json.dumps(v).encode())
    p.flush(30)


def _read(bootstrap: str, topic: str, expected: int, timeout: float = 30.0) -> list[Any]:
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"r-{uuid.uuid4().hex}", "auto.offset.reset": "earliest"})
    c.subscribe([topic])
    out: list[Any] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and len(out) < expected:
            m = c.poll(0.2)
            if m is not None and not m.error():
                out.append(m)
        return out
    finally:
        c.close()


def _committed(bootstrap: str, group: str, topic: str) -> int:
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        (tp,) = c.committed([KTopicPartition(topic, 0)], timeout=10)
        return tp.offset
    except KafkaException:  # e.g. NOT_COORDINATOR while the group coordinator moves: ask again
        return -1
    finally:
        c.close()


def _lines(client: InsecureClient, root: str) -> dict[str, list[Any]]:
    """Committed files (not ``+tmp``) and their lines; {} while the task renames under the listing."""
    out: dict[str, list[Any]] = {}
    try:
        if client.status(root, strict=False) is None:
            return out
        for directory, _dirs, names in client.walk(root):
            if "/+tmp" in directory:
                continue
            for n in names:
                with client.read(f"{directory}/{n}") as r:
                    out[n] = [json.loads(x) for x in r.read().splitlines()]
    except HdfsError:
        return {}
    return out


async def _wait(cond: Callable[[], bool], limit: float = 40.0, what: str = "condition") -> None:
    deadline = time.monotonic() + limit
    while not await asyncio.to_thread(cond):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.3)


async def _running(h: StandaloneHerder, name: str) -> None:
    for _ in range(300):
        st = (await h.connector_status(name)).to_json()
        states = [t["state"] for t in st["tasks"]]
        if st["connector"]["state"] == "RUNNING" and states and all(s == "RUNNING" for s in states):
            return
        if "FAILED" in states or st["connector"]["state"] == "FAILED":
            raise AssertionError(f"failed: {st}")
        await asyncio.sleep(0.1)
    raise AssertionError(f"not running: {(await h.connector_status(name)).to_json()}")


async def test_hdfs_sink_through_worker_with_dlq_and_restart(
    kafka: Any, hdfs_server: Any, topic_name: str, tmp_path: Path
) -> None:
    src = kafka.create_topic(topic_name, partitions=1)
    dlq = kafka.create_topic(topic_name + ".dlq", partitions=1)
    root = "/e2e-" + uuid.uuid4().hex[:8]
    hdfs = InsecureClient(hdfs_server.url, user="tester")

    def make_herder() -> StandaloneHerder:
        return StandaloneHerder(
            WorkerConfig(
                {
                    "bootstrap.servers": kafka.bootstrap,
                    "offset.storage.file.filename": str(tmp_path / "offsets"),
                    "key.converter": STRING,
                    "value.converter": JSON,
                    "value.converter.schemas.enable": "false",
                    "offset.flush.interval.ms": "300",
                },
                "standalone",
            )
        )

    name = "hdfs-sink-" + topic_name
    config = {
        "connector.class": "io.confluent.connect.hdfs.HdfsSinkConnector",
        "tasks.max": "1",
        "topics": src,
        "hdfs.url": hdfs_server.url,
        "webhdfs.user": "tester",
        "topics.dir": root,
        "flush.size": "10",
        "format.class": "io.confluent.connect.hdfs.json.JsonFormat",
        "errors.tolerance": "all",
        "errors.deadletterqueue.topic.name": dlq,
        "errors.deadletterqueue.topic.replication.factor": "1",
        "errors.deadletterqueue.context.headers.enable": "true",
    }
    values: list[Any] = [{"n": i} for i in range(25)]
    values[7] = None  # a tombstone: behavior.on.null.values=fail -> dead letter queue
    _produce(kafka.bootstrap, src, values)

    h = make_herder()
    await h.start()
    try:
        await h.put_connector_config(name, config, allow_replace=False)
        await _running(h, name)
        # 24 good records: two files of 10 committed, 4 buffered
        await _wait(lambda: len(_lines(hdfs, root)) == 2, what="two committed files")
        dead = await asyncio.to_thread(_read, kafka.bootstrap, dlq, 1)
        assert len(dead) == 1 and dead[0].value() is None
        assert dict(dead[0].headers() or [])["__connect.errors.offset"] == b"7"
        await _wait(lambda: _committed(kafka.bootstrap, f"connect-{name}", src) == 21, 60, "offset 21 committed")
        status = (await h.connector_status(name)).to_json()
        assert status["tasks"][0]["state"] == "RUNNING"
    finally:
        await h.stop()

    # 16 more while the worker is down; the restarted worker redelivers 21..24 and writes each record once
    _produce(kafka.bootstrap, src, [{"n": i} for i in range(25, 41)])
    h = make_herder()
    await h.start()
    try:
        await h.put_connector_config(name, config, allow_replace=False)
        await _running(h, name)
        await _wait(lambda: len(_lines(hdfs, root)) == 4, what="four committed files")
        await _wait(lambda: _committed(kafka.bootstrap, f"connect-{name}", src) == 41, what="offset 41 committed")
    finally:
        await h.stop()
    got = _lines(hdfs, root)
    assert sorted(got) == [
        f"{src}+0+0000000000+0000000010.json",
        f"{src}+0+0000000011+0000000020.json",
        f"{src}+0+0000000021+0000000030.json",
        f"{src}+0+0000000031+0000000040.json",
    ]
    written = [v["n"] for n in sorted(got) for v in got[n]]
    assert written == [i for i in range(41) if i != 7]

"""The REST API over a real StandaloneHerder on the Kafka fixture: FileStreamSource -> topic ->
FileStreamSink, driven only through HTTP (create, list, status, pause/resume, stop, offsets, delete)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from genesis_worker.rest.server import RestServer

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


@pytest.fixture
async def worker(live_worker: RestServer) -> AsyncIterator[tuple[RestServer, aiohttp.ClientSession]]:
    session = aiohttp.ClientSession(base_url=live_worker.url)
    try:
        yield live_worker, session
    finally:
        await session.close()


async def call(session: aiohttp.ClientSession, method: str, path: str, **kw: Any) -> tuple[int, Any]:
    async with session.request(method, path, **kw) as resp:
        raw = await resp.read()
        if resp.status != 204 and raw:
            assert resp.content_type == "application/json", raw
        return resp.status, (await resp.json() if raw else None)


async def wait_state(session: aiohttp.ClientSession, name: str, state: str, tasks: int) -> dict[str, Any]:
    last: Any = None
    for _ in range(200):
        status, last = await call(session, "GET", f"connectors/{name}/status")
        if (
            status == 200
            and last["connector"]["state"] == state
            and [t["state"] for t in last["tasks"]] == [state] * tasks
        ):
            return last
        assert status in (200, 404), last
        await asyncio.sleep(0.1)
    raise AssertionError(f"{name} never reached {state}: {last}")


async def test_file_pipeline_over_rest(worker, kafka: Any, topic_name: str, tmp_path: Path) -> None:
    _server, s = worker
    topic = kafka.create_topic(topic_name, partitions=1)
    src_file, sink_file = tmp_path / "in.txt", tmp_path / "out.txt"
    src_file.write_text("line-1\nline-2\nline-3\n")

    status, info = await call(s, "GET", "")
    assert status == 200 and info["kafka_cluster_id"]

    status, body = await call(
        s,
        "POST",
        "connectors",
        json={
            "name": "file-src",
            "config": {"connector.class": "FileStreamSource", "tasks.max": 1, "file": str(src_file), "topic": topic},
        },
    )
    assert status == 201, body
    assert body["name"] == "file-src" and body["type"] == "source" and body["config"]["tasks.max"] == "1"
    status, body = await call(
        s,
        "PUT",
        "connectors/file-sink/config",
        json={
            "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
            "topics": topic,
            "file": str(sink_file),
        },
    )
    assert status == 201, body
    await wait_state(s, "file-src", "RUNNING", 1)
    await wait_state(s, "file-sink", "RUNNING", 1)

    for _ in range(200):
        if sink_file.exists() and sink_file.read_text().splitlines() == ["line-1", "line-2", "line-3"]:
            break
        await asyncio.sleep(0.1)
    assert sink_file.read_text().splitlines() == ["line-1", "line-2", "line-3"]

    status, listing = await call(s, "GET", "connectors?expand=status&expand=info")
    assert status == 200 and set(listing) == {"file-src", "file-sink"}
    assert listing["file-sink"]["info"]["type"] == "sink"
    assert listing["file-src"]["status"]["connector"]["state"] == "RUNNING"
    status, tasks = await call(s, "GET", "connectors/file-src/tasks")
    assert status == 200 and tasks[0]["id"] == {"connector": "file-src", "task": 0}

    # duplicate create, bad config, validate
    status, err = await call(
        s,
        "POST",
        "connectors",
        json={"name": "file-src", "config": {"connector.class": "FileStreamSource", "topic": topic}},
    )
    assert status == 409 and err == {"error_code": 409, "message": "Connector file-src already exists"}
    status, err = await call(
        s, "POST", "connectors", json={"name": "bad", "config": {"connector.class": "FileStreamSink"}}
    )
    assert status == 400 and "contains the following" in err["message"]
    status, result = await call(
        s,
        "PUT",
        "connector-plugins/FileStreamSink/config/validate",
        json={"connector.class": "FileStreamSink", "name": "v"},
    )
    assert status == 200 and result["error_count"] >= 1
    status, plugins = await call(s, "GET", "connector-plugins")
    assert status == 200
    assert {"class": "org.apache.kafka.connect.file.FileStreamSinkConnector", "type": "sink"} in [
        {"class": p["class"], "type": p["type"]} for p in plugins
    ]

    # pause / resume
    assert (await call(s, "PUT", "connectors/file-sink/pause"))[0] == 202
    await wait_state(s, "file-sink", "PAUSED", 1)
    assert (await call(s, "PUT", "connectors/file-sink/resume"))[0] == 202
    await wait_state(s, "file-sink", "RUNNING", 1)
    assert (await call(s, "POST", "connectors/file-sink/restart"))[0] == 204
    status, plan = await call(s, "POST", "connectors/file-sink/restart?includeTasks=true")
    assert status == 202 and plan["connector"]["state"] == "RESTARTING"
    await wait_state(s, "file-sink", "RUNNING", 1)

    # stop, offsets, delete
    assert (await call(s, "PUT", "connectors/file-src/stop"))[0] == 204
    await wait_state(s, "file-src", "STOPPED", 0)
    for _ in range(100):
        status, offsets = await call(s, "GET", "connectors/file-src/offsets")
        if offsets and offsets["offsets"]:
            break
        await asyncio.sleep(0.1)
    assert status == 200
    assert offsets["offsets"][0]["partition"] == {"filename": str(src_file)}
    assert (await call(s, "DELETE", "connectors/file-src"))[0] == 204
    assert (await call(s, "DELETE", "connectors/file-sink"))[0] == 204
    status, err = await call(s, "GET", "connectors/file-src")
    assert status == 404 and err == {"error_code": 404, "message": "Connector file-src not found"}
    assert (await call(s, "GET", "connectors"))[1] == []


async def test_sink_offsets_reset_one_partition_and_set_another(
    worker, kafka: Any, topic_name: str, tmp_path: Path
) -> None:
    """PATCH with ``"offset": null`` for one partition (OffsetDelete) and a value for another: after resume,
    the reset partition is read again from the start and the other from the offset given."""
    from confluent_kafka import Producer

    _server, s = worker
    name = f"sink-{uuid.uuid4().hex[:8]}"  # its own consumer group (connect-<name>) on the shared broker
    topic = kafka.create_topic(topic_name, partitions=2)
    producer = Producer({"bootstrap.servers": kafka.bootstrap})
    for p in (0, 1):
        for i in range(3):
            producer.produce(topic, f"p{p}-{i}".encode(), partition=p)
    producer.flush(10)
    out = tmp_path / "out.txt"
    config = {"connector.class": "FileStreamSink", "topics": topic, "file": str(out)}
    assert (await call(s, "PUT", f"connectors/{name}/config", json=config))[0] == 201
    for _ in range(200):
        if out.exists() and len(out.read_text().splitlines()) == 6:
            break
        await asyncio.sleep(0.1)
    assert sorted(out.read_text().splitlines()) == [f"p{p}-{i}" for p in (0, 1) for i in range(3)]
    assert (await call(s, "PUT", f"connectors/{name}/stop"))[0] == 204
    await wait_state(s, name, "STOPPED", 0)

    def committed(body: Any) -> dict[int, int]:
        offsets = [o for o in body["offsets"] if o["partition"]["kafka_topic"] == topic]
        return {o["partition"]["kafka_partition"]: o["offset"]["kafka_offset"] for o in offsets}

    for _ in range(100):  # the final commit of the stopped task
        status, body = await call(s, "GET", f"connectors/{name}/offsets")
        if status == 200 and committed(body) == {0: 3, 1: 3}:
            break
        await asyncio.sleep(0.1)
    assert committed(body) == {0: 3, 1: 3}
    patch = {
        "offsets": [
            {"partition": {"kafka_topic": topic, "kafka_partition": 0}, "offset": None},
            {"partition": {"kafka_topic": topic, "kafka_partition": 1}, "offset": {"kafka_offset": 1}},
        ]
    }
    status, body = await call(s, "PATCH", f"connectors/{name}/offsets", json=patch)
    assert status == 200, body
    assert body == {"message": "The offsets for this connector have been altered successfully"}
    status, body = await call(s, "GET", f"connectors/{name}/offsets")
    assert committed(body) == {1: 1}  # partition 0's committed offset is gone

    out.write_text("")
    assert (await call(s, "PUT", f"connectors/{name}/resume"))[0] == 202
    await wait_state(s, name, "RUNNING", 1)
    expected = ["p0-0", "p0-1", "p0-2", "p1-1", "p1-2"]
    for _ in range(200):
        if sorted(out.read_text().splitlines()) == expected:
            break
        await asyncio.sleep(0.1)
    assert sorted(out.read_text().splitlines()) == expected

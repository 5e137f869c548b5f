"""Java Kafka Connect 4.4 reads the offsets genesis wrote to a connector's own offsets topic (KIP-618
``offsets.storage.topic``): genesis runs a FileStream source with its own topic part way through a file and stops;
the worker topic's copy of the offset is deleted; a Java worker on the same group resumes from the connector's topic,
delivers every line exactly once, and its offsets endpoint answers the offset genesis wrote."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from confluent_kafka import Producer

from genesis_worker.storage.offset_keys import offset_key
from tests.integration.distributed.harness import stop_node, wait_for
from tests.integration.distributed.test_java_interop import FAST, genesis_props, rest, start_genesis

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]


async def test_java_resumes_from_the_offsets_genesis_wrote_to_a_connector_topic(
    kafka: Any, java_connect_factory: Any, tmp_path: Path
) -> None:
    group = f"own-offsets-{uuid.uuid4().hex[:8]}"
    topic = kafka.create_topic(f"{group}-lines", partitions=1)
    own = f"{group}-src-offsets"
    src, out = tmp_path / "in.txt", tmp_path / "out.txt"
    src.write_text("".join(f"line-{n:04d}\n" for n in range(500)))
    connectors = {
        "src": {
            "connector.class": "FileStreamSource",
            "tasks.max": "1",
            "file": str(src),
            "topic": topic,
            "offsets.storage.topic": own,
        },
        "sink": {"connector.class": "FileStreamSink", "tasks.max": "1", "file": str(out), "topics": topic},
    }
    props = genesis_props(kafka.bootstrap, group)
    h = await start_genesis(props)
    try:
        await wait_for(lambda: h.local.known, 30, "genesis worker joined")
        async with aiohttp.ClientSession() as s:
            for name, config in connectors.items():
                st, body = await rest(s, "PUT", f"{h.rest_url()}connectors/{name}/config", config)
                assert st == 201, body
        await wait_for(lambda: out.is_file() and len(out.read_text().splitlines()) >= 500, 60, "genesis caught up")
    finally:
        await stop_node(h)  # graceful: the final offsets are committed
    # only the connector's own topic keeps the offset now
    key = offset_key("src", {"filename": str(src)})
    producer = Producer({"bootstrap.servers": kafka.bootstrap, "partitioner": "murmur2_random"})
    producer.produce(props["offset.storage.topic"], key=key, value=None)
    assert producer.flush(10) == 0
    with src.open("a") as f:
        f.write("".join(f"line-{n:04d}\n" for n in range(500, 600)))
    java = await asyncio.to_thread(
        java_connect_factory, kafka.bootstrap, group_id=group, topic_prefix=group, properties=FAST
    )
    try:
        expected = [f"line-{n:04d}" for n in range(600)]
        await wait_for(lambda: out.read_text().splitlines() == expected, 90, "Java continued exactly once")
        size = src.stat().st_size

        async def java_offsets() -> Any:
            return await asyncio.to_thread(java.get, "/connectors/src/offsets")

        want = {"offsets": [{"partition": {"filename": str(src)}, "offset": {"position": size}}]}
        for _ in range(50):  # Java commits the last lines' offset on its flush interval
            if await java_offsets() == want:
                break
            await asyncio.sleep(0.2)
        assert await java_offsets() == want
    finally:
        await asyncio.to_thread(java.close)

"""The audit history of a standalone worker (``genesis-worker standalone`` as the CLI runs it, Kafka 4.4):
connector files and REST changes, with their actors, are appended to the history file next to the
offsets file, and a restarted worker serves all of them."""

from __future__ import annotations

import asyncio
import getpass
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest

from genesis_worker.cli import run_standalone

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

STRING = "org.apache.kafka.connect.storage.StringConverter"


async def _run(worker_props: Path, files: list[Path], work: Any) -> None:
    """Run a standalone worker, call ``work(base_url)`` once it serves, stop it."""
    stop = asyncio.Event()
    ready: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        run_standalone(worker_props, files, stop=stop, on_ready=lambda rest, _: ready.set_result(rest.url))
    )
    try:
        base = await asyncio.wait_for(asyncio.shield(ready), 60)
        await work(base.rstrip("/"))
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 60) == 0


async def _history(s: aiohttp.ClientSession, base: str) -> list[dict[str, Any]]:
    async with s.get(f"{base}/genesis/connectors/sink/history") as r:
        assert r.status == 200, await r.text()
        return list(await r.json())


async def test_history_file_survives_restarts(kafka: Any, tmp_path: Path) -> None:
    topic = kafka.create_topic(f"hist-{uuid.uuid4().hex[:8]}", partitions=1)
    worker_props = tmp_path / "worker.properties"
    worker_props.write_text(
        f"bootstrap.servers={kafka.bootstrap}\noffset.storage.file.filename={tmp_path / 'offsets'}\n"
        f"key.converter={STRING}\nvalue.converter={STRING}\nlisteners=http://127.0.0.1:0\n"
        "genesis.actor.header=X-Actor\n"
    )
    sink_file = tmp_path / "sink.properties"
    sink_file.write_text(
        f"name=sink\nconnector.class=FileStreamSink\ntopics={topic}\nfile={tmp_path / 'out.txt'}\n"
        "genesis.owner=ann\ngenesis.ticket=T-1\n"
    )

    async def pause(base: str) -> None:
        async with (
            aiohttp.ClientSession() as s,
            s.put(f"{base}/connectors/sink/pause", headers={"X-Actor": "alice"}) as r,
        ):
            assert r.status == 202

    async def resume(base: str) -> None:
        async with aiohttp.ClientSession() as s, s.put(f"{base}/connectors/sink/resume") as r:
            assert r.status == 202

    expected = [
        ("created", getpass.getuser(), "connector-file"),
        ("paused", "alice", "header"),
        ("created", getpass.getuser(), "connector-file"),  # standalone keeps no configs: created again
        ("resumed", "127.0.0.1", "address"),
    ]
    seen: list[list[dict[str, Any]]] = []

    async def check(base: str) -> None:
        async with aiohttp.ClientSession() as s:
            seen.append(await _history(s, base))

    await _run(worker_props, [sink_file], pause)
    await _run(worker_props, [sink_file], resume)
    await _run(worker_props, [], check)  # the connector is gone, its history is not
    hist = seen[0]
    assert [(h["action"], h["actor"], h["actor_source"]) for h in hist] == expected
    assert [h["id"] for h in hist] == [0, 1, 2, 3]
    assert hist[0]["details"] == {"file": str(sink_file)} and hist[0]["config"]["topics"] == topic
    lines = (tmp_path / "offsets.history.jsonl").read_bytes().splitlines()
    assert [orjson.loads(line)["action"] for line in lines] == [a for a, _, _ in expected]

"""genesis workers and Java Kafka Connect 4.4 workers in one cluster.

* Mixed group: one Java worker and two genesis workers complete rebalances under a genesis leader and
  then under a new leader, run FileStreamSource connectors wherever they are assigned, answer the same
  statuses, and Java's log shows the same generations and leaders and no protocol/deserialization error.
* Replace in place: a Java cluster runs FileStreamSource part way through a file and FileStreamSink part
  way through the topic; it is stopped; genesis workers on the same group and topics take over; every
  line is delivered exactly once (graceful stop = committed offsets), and new lines keep flowing.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.herder.distributed import DistributedHerder, from_worker_config
from tests.fixtures.java_connect import JSON_CONVERTER, JavaConnect
from tests.fixtures.net import free_port

from .harness import cluster_props, serve, stable, stop_node, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

FAST = {
    "session.timeout.ms": 6000,
    "heartbeat.interval.ms": 500,
    "rebalance.timeout.ms": 15000,
    "scheduled.rebalance.max.delay.ms": 3000,
    "offset.flush.interval.ms": 500,
}
PROTOCOL_ERRORS = re.compile(
    r"SchemaException|BufferUnderflow|Failed to deserialize|Error (?:while )?deserializ|Unknown protocol"
    r"|InconsistentGroupProtocol|IllegalStateException|Error while reading field|Error reading field",
    re.IGNORECASE,
)
JOINED = re.compile(
    r"Joined group at generation (\d+) with protocol version (\d+) and got assignment: "
    r"Assignment\{error=(\d+), leader='([^']*)', leaderUrl='([^']*)'"
)


def genesis_props(bootstrap: str, group: str) -> dict[str, str]:
    return cluster_props(
        bootstrap,
        group,
        **FAST,
        **{
            "offset.storage.partitions": 5,
            "status.storage.partitions": 1,
            "key.converter": JSON_CONVERTER,
            "value.converter": JSON_CONVERTER,
            "key.converter.schemas.enable": "true",
            "value.converter.schemas.enable": "true",
        },
    )


async def start_genesis(props: dict[str, str]) -> DistributedHerder:
    port = free_port()
    wprops = {**props, "listeners": f"http://127.0.0.1:{port}", "rest.advertised.host.name": "127.0.0.1"}
    h = from_worker_config(WorkerConfig(wprops, "distributed"))
    await serve(h, wprops, port)
    await h.start()
    return h


def _without_version(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_version(v) for k, v in value.items() if k != "version"}
    if isinstance(value, list):
        return [_without_version(v) for v in value]
    return value


def java_joins(java: JavaConnect) -> list[tuple[int, int, int, str, str]]:
    text = java.log_path.read_text(errors="replace") if java.log_path.is_file() else ""
    return [(int(g), int(v), int(e), leader, url) for g, v, e, leader, url in JOINED.findall(text)]


def java_protocol_errors(java: JavaConnect) -> list[str]:
    text = java.log_path.read_text(errors="replace") if java.log_path.is_file() else ""
    return [
        line
        for line in text.splitlines()
        if PROTOCOL_ERRORS.search(line) and not line.startswith("\t") and " = " not in line
    ]


async def rest(session: aiohttp.ClientSession, method: str, url: str, body: Any = None) -> tuple[int, Any]:
    async with session.request(method, url, json=body) as r:
        raw = await r.read()
        return r.status, (await r.json(content_type=None)) if raw else None


async def test_mixed_group_with_java_worker(kafka: Any, java_connect_factory: Any, tmp_path: Path) -> None:
    group = f"mixed-{uuid.uuid4().hex[:8]}"
    props = genesis_props(kafka.bootstrap, group)
    topic = kafka.create_topic(f"{group}-data", partitions=1)
    a = await start_genesis(props)  # first: leader, creates the internal topics
    herders = [a]
    java: JavaConnect | None = None
    try:
        await wait_for(lambda: a.local.known, 30, "first worker joined")
        java = await asyncio.to_thread(
            java_connect_factory, kafka.bootstrap, group_id=group, topic_prefix=group, properties=FAST
        )
        b = await start_genesis(props)
        herders.append(b)

        def same_round() -> bool:
            joins = java_joins(java)  # type: ignore[arg-type]
            return (
                stable(herders)
                and bool(joins)
                and joins[-1][0] == a.generation
                and joins[-1][3] == a.group.leader_id
                and joins[-1][2] == 0
            )

        await wait_for(same_round, 60, "Java and genesis workers in the same generation under the genesis leader")
        assert a.is_leader and a.protocol.protocol == "sessioned" and java_joins(java)[-1][1] == 2

        # connectors created through the Java worker are forwarded to the genesis leader
        files = []
        async with aiohttp.ClientSession() as s:
            for i in range(3):
                f = tmp_path / f"in-{i}.txt"
                f.write_text("".join(f"c{i}-line-{n}\n" for n in range(50)))
                files.append(f)
                st, body = await rest(
                    s,
                    "POST",
                    f"{java.url}/connectors",
                    {
                        "name": f"fs-{i}",
                        "config": {
                            "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
                            "tasks.max": "1",
                            "file": str(f),
                            "topic": topic,
                        },
                    },
                )
                assert st == 201, body

            last: list[Any] = []

            async def consistent() -> dict[str, Any] | None:
                views: list[Any] = []
                last[:] = [views]
                for base in (java.url + "/", a.rest_url(), b.rest_url()):
                    view: dict[str, Any] = {}
                    views.append(view)
                    for i in range(3):
                        st, body = await rest(s, "GET", f"{base}connectors/fs-{i}/status")
                        view[f"fs-{i}"] = body
                        if st != 200 or len(body["tasks"]) != 1:
                            return None
                        if body["connector"]["state"] != "RUNNING" or body["tasks"][0]["state"] != "RUNNING":
                            return None
                # Java 4.4 adds the KIP-891 plugin "version" to status entries; compare the rest
                norm = [_without_version(v) for v in views]
                return views[0] if all(v == norm[0] for v in norm) else None

            view = None
            for _ in range(300):
                view = await consistent()
                if view is not None:
                    break
                await asyncio.sleep(0.2)
            assert view is not None, f"statuses not RUNNING and identical on the Java and genesis workers: {last}"
            runners = {v["tasks"][0]["worker_id"] for v in view.values()} | {
                v["connector"]["worker_id"] for v in view.values()
            }
            assert java.url.removeprefix("http://") in runners, runners  # Java runs something
            assert runners & {a.worker_id, b.worker_id}, runners  # and so does genesis

            # the genesis leader leaves: a new leader (Java or genesis) takes over, both sides follow
            gen_before = a.generation
            await stop_node(a)
            herders.remove(a)

            def new_round() -> bool:
                joins = java_joins(java)  # type: ignore[arg-type]
                return (
                    stable([b])
                    and b.generation > gen_before
                    and bool(joins)
                    and joins[-1][0] == b.generation
                    and joins[-1][3] == b.group.leader_id
                    and joins[-1][2] == 0
                )

            await wait_for(new_round, 60, "Java and genesis agree on the next generation and leader")
            view = None
            for _ in range(300):
                ok = True
                for i in range(3):
                    st, body = await rest(s, "GET", f"{java.url}/connectors/fs-{i}/status")
                    if (
                        st != 200
                        or body["tasks"][0]["state"] != "RUNNING"
                        or body["tasks"][0]["worker_id"] == a.worker_id
                    ):
                        ok = False
                if ok:
                    break
                await asyncio.sleep(0.2)
            assert ok, "tasks of the departed worker did not come back"
        assert java_protocol_errors(java) == []
    finally:
        await asyncio.gather(*(stop_node(h) for h in herders), return_exceptions=True)
        if java is not None:
            await asyncio.to_thread(java.close)


async def test_replace_java_cluster_in_place(kafka: Any, java_connect_factory: Any, tmp_path: Path) -> None:
    group = f"replace-{uuid.uuid4().hex[:8]}"
    topic = kafka.create_topic(f"{group}-lines", partitions=1)
    src = tmp_path / "in.txt"
    out = tmp_path / "out.txt"
    first = [f"line-{n:05d}" for n in range(2000)]
    src.write_text("".join(f"{x}\n" for x in first))
    java = await asyncio.to_thread(
        java_connect_factory, kafka.bootstrap, group_id=group, topic_prefix=group, properties=FAST
    )
    async with aiohttp.ClientSession() as s:
        for name, config in (
            ("file-src", {"connector.class": "FileStreamSource", "tasks.max": "1", "file": str(src), "topic": topic}),
            ("file-sink", {"connector.class": "FileStreamSink", "tasks.max": "1", "file": str(out), "topics": topic}),
        ):
            st, body = await rest(s, "PUT", f"{java.url}/connectors/{name}/config", config)
            assert st == 201, body
        # Java works part way: all of the first batch through, offsets committed on graceful stop
        await wait_for(
            lambda: out.is_file() and len(out.read_text().splitlines()) >= len(first), 90, "Java sink caught up"
        )
    await asyncio.to_thread(java.stop)
    with src.open("a") as f:
        f.write("".join(f"line-{n:05d}\n" for n in range(2000, 2500)))

    props = genesis_props(kafka.bootstrap, group)
    herders = [await start_genesis(props)]
    herders.append(await start_genesis(props))
    try:
        await wait_for(lambda: stable(herders), 60, "genesis cluster formed")
        names = sorted({*herders[0]._snapshot().connectors()})
        assert names == ["file-sink", "file-src"]
        expected = [f"line-{n:05d}" for n in range(2500)]
        await wait_for(
            lambda: out.read_text().splitlines() == expected, 90, "every line exactly once after the hand-over"
        )
        # and the pipeline keeps running under genesis
        with src.open("a") as f:
            f.write("line-02500\n")
        await wait_for(lambda: out.read_text().splitlines()[-1:] == ["line-02500"], 60, "new lines still flow")
        # the offset genesis commits continues Java's (same key bytes, same {"position": n} format)
        want = [{"partition": {"filename": str(src)}, "offset": {"position": src.stat().st_size}}]
        async with aiohttp.ClientSession() as s:
            for _ in range(100):
                st, body = await rest(s, "GET", f"{herders[0].rest_url()}connectors/file-src/offsets")
                assert st == 200, body
                if body["offsets"] == want:
                    break
                await asyncio.sleep(0.1)
            assert body["offsets"] == want
    finally:
        await asyncio.gather(*(stop_node(h) for h in herders), return_exceptions=True)


async def test_java_takes_over_from_genesis(kafka: Any, java_connect_factory: Any, tmp_path: Path) -> None:
    """The other way round: records, offsets and statuses written by genesis are read by Java."""
    group = f"back-{uuid.uuid4().hex[:8]}"
    topic = kafka.create_topic(f"{group}-lines", partitions=1)
    src = tmp_path / "in.txt"
    out = tmp_path / "out.txt"
    src.write_text("".join(f"line-{n:05d}\n" for n in range(1500)))
    h = await start_genesis(genesis_props(kafka.bootstrap, group))
    try:
        await wait_for(lambda: h.local.known, 30, "genesis worker joined")
        async with aiohttp.ClientSession() as s:
            for name, config in (
                (
                    "file-src",
                    {"connector.class": "FileStreamSource", "tasks.max": "1", "file": str(src), "topic": topic},
                ),
                (
                    "file-sink",
                    {"connector.class": "FileStreamSink", "tasks.max": "1", "file": str(out), "topics": topic},
                ),
            ):
                st, body = await rest(s, "PUT", f"{h.rest_url()}connectors/{name}/config", config)
                assert st == 201, body
        await wait_for(
            lambda: out.is_file() and len(out.read_text().splitlines()) >= 1500, 60, "genesis sink caught up"
        )
    finally:
        await stop_node(h)  # graceful: offsets committed, LeaveGroup
    with src.open("a") as f:
        f.write("".join(f"line-{n:05d}\n" for n in range(1500, 1800)))
    java = await asyncio.to_thread(
        java_connect_factory, kafka.bootstrap, group_id=group, topic_prefix=group, properties=FAST
    )
    try:
        expected = [f"line-{n:05d}" for n in range(1800)]
        await wait_for(lambda: out.read_text().splitlines() == expected, 90, "Java continued exactly once")
        status = await asyncio.to_thread(java.get, "/connectors/file-src/status")
        assert status["connector"]["state"] == "RUNNING"  # type: ignore[index]
        assert java_protocol_errors(java) == []
    finally:
        await asyncio.to_thread(java.close)

"""Connector lifecycle operations through the REST API of a two-worker genesis cluster (real Worker,
Kafka 4.4): pause/resume (any worker), restart (forwarded to the leader / the owner), stop and KIP-875
offsets (leader only, forwarded), delete, signed internal requests, cluster-scope log levels."""

from __future__ import annotations

import asyncio
import base64
import logging
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from genesis_worker.herder.session_keys import SIGNATURE_ALGORITHM_HEADER, SIGNATURE_HEADER, sign_request

from .harness import cluster_props, stop_node, wait_for
from .plugins import EVENTS, SeqSourceConnector, class_path
from .test_distributed_cluster import call, read_config_topic, start_workers

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


async def until(check: Any, limit: float, what: str) -> Any:
    for _ in range(int(limit / 0.1)):
        got = await check()
        if got:
            return got
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def test_lifecycle_offsets_and_internal_requests(kafka: Any, tmp_path: Path) -> None:
    props = cluster_props(kafka.bootstrap)
    topic = kafka.create_topic(f"ops-{uuid.uuid4().hex[:8]}", partitions=2)
    herders = await start_workers(props, 2)
    try:
        lead = next(h for h in herders if h.is_leader)
        follower = next(h for h in herders if not h.is_leader)
        L, F = lead.rest_url(), follower.rest_url()
        async with aiohttp.ClientSession() as s:
            st, body = await call(
                s,
                "POST",
                f"{F}connectors",
                {
                    "name": "src",
                    "config": {
                        "connector.class": class_path(SeqSourceConnector),
                        "tasks.max": "2",
                        "topic": topic,
                        "records.per.task": "100",
                    },
                },
            )
            assert st == 201, body

            async def states(base: str) -> tuple[str, list[str]] | None:
                st, b = await call(s, "GET", f"{base}connectors/src/status")
                if st != 200:
                    return None
                return b["connector"]["state"], [t["state"] for t in b["tasks"]]

            async def everywhere(conn: str, tasks: list[str]) -> bool:
                return all([await states(u) == (conn, tasks) for u in (L, F)])

            await until(lambda: everywhere("RUNNING", ["RUNNING", "RUNNING"]), 60, "RUNNING")

            # pause / resume through the follower: written by it, applied everywhere
            st, _ = await call(s, "PUT", f"{F}connectors/src/pause")
            assert st == 202
            await until(lambda: everywhere("PAUSED", ["PAUSED", "PAUSED"]), 30, "PAUSED")
            st, _ = await call(s, "PUT", f"{F}connectors/src/resume")
            assert st == 202
            await until(lambda: everywhere("RUNNING", ["RUNNING", "RUNNING"]), 30, "RUNNING again")

            # restart with tasks through the follower: forwarded to the leader, which writes the request
            st, body = await call(s, "POST", f"{F}connectors/src/restart?includeTasks=true")
            assert st == 202, body
            assert body["connector"]["state"] == "RESTARTING"
            assert {t["state"] for t in body["tasks"]} == {"RESTARTING"}
            await until(lambda: everywhere("RUNNING", ["RUNNING", "RUNNING"]), 30, "RUNNING after restart")
            # plain restart through the worker that does not run the connector (leader -> owner hop)
            owner = next(h for h in herders if "src" in h.local.connectors)
            other = next(h for h in herders if h is not owner)
            st, body = await call(s, "POST", f"{other.rest_url()}connectors/src/restart")
            assert st == 204, body

            # internal endpoint: signatures are required under protocol sessioned
            payload = b'[{"task.class":"x","topic":"t"}]'
            async with s.post(f"{L}connectors/src/tasks", data=payload) as r:
                assert r.status == 400
                assert (await r.json())["message"] == "Internal request missing required signature"
            bad = {SIGNATURE_HEADER: base64.b64encode(b"0" * 32).decode(), SIGNATURE_ALGORITHM_HEADER: "HmacSHA256"}
            async with s.post(f"{L}connectors/src/tasks", data=payload, headers=bad) as r:
                assert r.status == 403
                assert (await r.json())["message"] == "Internal request contained invalid signature."
            key = lead.session_key()
            assert key is not None and follower.session_key() == key
            async with s.post(
                f"{L}connectors/nope/tasks", data=payload, headers=sign_request(key, "HmacSHA256", payload)
            ) as r:
                assert r.status == 404, await r.text()

            # a config change through the follower: the owner restarts the connector, the leader writes
            # new task configs, the tasks restart with them wherever they run
            starts = {i: EVENTS["start", f"src-{i}"] for i in range(2)}
            st, b = await call(
                s,
                "PUT",
                f"{F}connectors/src/config",
                {
                    "connector.class": class_path(SeqSourceConnector),
                    "tasks.max": "2",
                    "topic": topic,
                    "records.per.task": "150",
                },
            )
            assert st == 200, b

            async def new_task_configs() -> bool:
                for u in (L, F):
                    st, b = await call(s, "GET", f"{u}connectors/src/tasks")
                    if st != 200 or [t["config"].get("records.per.task") for t in b] != ["150", "150"]:
                        return False
                return all(EVENTS["start", f"src-{i}"] > starts[i] for i in range(2))

            await until(new_task_configs, 30, "new task configs applied and tasks restarted")
            await until(lambda: everywhere("RUNNING", ["RUNNING", "RUNNING"]), 30, "RUNNING after update")

            # stop through the follower (leader only): STOPPED, no tasks
            st, _ = await call(s, "PUT", f"{F}connectors/src/stop")
            assert st == 204
            await until(lambda: everywhere("STOPPED", []), 30, "STOPPED")
            st, b = await call(s, "GET", f"{F}connectors/src/tasks")
            assert st == 200 and b == []

            # offsets: read anywhere, alter/reset forwarded to the leader
            st, b = await call(s, "GET", f"{F}connectors/src/offsets")
            assert st == 200
            got = {o["partition"]["task"]: o["offset"]["seq"] for o in b["offsets"]}
            assert set(got) == {0, 1} and all(v >= 0 for v in got.values())
            st, b = await call(
                s,
                "PATCH",
                f"{F}connectors/src/offsets",
                {"offsets": [{"partition": {"task": 0}, "offset": {"seq": 5}}]},
            )
            assert st == 200, b
            st, b = await call(s, "GET", f"{L}connectors/src/offsets")
            assert {o["partition"]["task"]: o["offset"]["seq"] for o in b["offsets"]}[0] == 5
            st, b = await call(s, "DELETE", f"{F}connectors/src/offsets")
            assert st == 200, b
            st, b = await call(s, "GET", f"{F}connectors/src/offsets")
            assert b == {"offsets": []}

            # offsets cannot be changed while the connector runs
            st, _ = await call(s, "PUT", f"{F}connectors/src/resume")
            await until(lambda: everywhere("RUNNING", ["RUNNING", "RUNNING"]), 60, "RUNNING after stop")
            st, b = await call(s, "DELETE", f"{F}connectors/src/offsets")
            assert st == 400 and "STOPPED state" in b["message"]

            # cluster-wide log level: a config-topic record applied by every worker
            ns = f"genesis.test.{uuid.uuid4().hex[:6]}"
            st, _ = await call(s, "PUT", f"{F}admin/loggers/{ns}?scope=cluster", {"level": "DEBUG"})
            assert st == 204
            await wait_for(lambda: logging.getLogger(ns).level == logging.DEBUG, 10, "cluster log level applied")

            # delete through the follower: gone everywhere, statuses tombstoned by the leader
            st, _ = await call(s, "DELETE", f"{F}connectors/src")
            assert st == 204

            async def gone() -> bool:
                return all([(await call(s, "GET", f"{u}connectors/src"))[0] == 404 for u in (L, F)])

            await until(gone, 30, "connector deleted everywhere")
            await wait_for(
                lambda: (
                    not any(t.connector == "src" for h in herders for t in h.local.tasks)
                    and not any("src" in h.local.connectors for h in herders)
                ),
                30,
                "deleted connector's work revoked",
            )
            await until(lambda: _status_404(s, L), 30, "status removed")
        keys = [k for k, _ in read_config_topic(kafka.bootstrap, props["config.storage.topic"])]
        assert f"logger-cluster-{ns}" in keys and "restart-connector-src" in keys
    finally:
        await asyncio.gather(*(stop_node(h) for h in herders), return_exceptions=True)


async def _status_404(s: aiohttp.ClientSession, base: str) -> bool:
    st, _ = await call(s, "GET", f"{base}connectors/src/status")
    return st == 404


async def test_a_forwarded_write_is_visible_on_the_worker_that_forwarded_it(kafka: Any, tmp_path: Path) -> None:
    """Read-your-writes through a follower: create / delete there (the leader writes them) and the next
    GET on the same follower already shows the change, every time."""
    herders = await start_workers(cluster_props(kafka.bootstrap), 2)
    try:
        follower = next(h for h in herders if not h.is_leader)
        F = follower.rest_url()
        src = tmp_path / "in.txt"
        src.write_text("a\n")
        config = {"connector.class": "FileStreamSource", "file": str(src), "topic": f"ryw-{uuid.uuid4().hex[:6]}"}
        async with aiohttp.ClientSession() as s:
            for i in range(5):
                name = f"ryw-{i}"
                for _ in range(100):  # a create right after the previous delete may meet a rebalance (409)
                    st, body = await call(s, "POST", f"{F}connectors", {"name": name, "config": config})
                    if st != 409:
                        break
                    await asyncio.sleep(0.1)
                assert st == 201, body
                st, names = await call(s, "GET", f"{F}connectors")
                assert st == 200 and name in names
                st, _ = await call(s, "DELETE", f"{F}connectors/{name}")
                assert st == 204
                st, names = await call(s, "GET", f"{F}connectors")
                assert st == 200 and name not in names
    finally:
        for h in herders:
            await stop_node(h)

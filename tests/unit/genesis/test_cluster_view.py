"""The cluster view of /genesis/metrics: each task's figures from the worker the status names, fetched over
the signed internal endpoint, a worker that does not answer reported with its tasks at zero."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestServer

from genesis_worker.genesis.cluster_view import ClusterMetrics, MemberFigures, TtlCache, cluster_summary, member_url
from genesis_worker.genesis.layer import GenesisLayer
from genesis_worker.metrics.registry import WorkerMetrics
from genesis_worker.metrics.task_metrics import TaskMetrics
from genesis_worker.rest.client import Forwarder
from genesis_worker.rest.server import create_app, route_table
from tests.fixtures.net import HOST, free_port
from tests.unit.rest.fake_herder import FakeHerder


def fig(connector: str, task: int, read: int, rate: float = 0.0) -> dict[str, Any]:
    return {
        "connector": connector,
        "task": task,
        "type": "sink",
        "records_read": read,
        "records_written": read,
        "records_skipped": 0,
        "record_errors": 1,
        "records_dlq": 0,
        "lag": 2,
        "read_per_sec": rate,
        "written_per_sec": rate,
    }


def test_each_task_counts_once_from_the_worker_the_status_names() -> None:
    owners = {("c", 0): "a:1", ("c", 1): "b:1", ("c", 2): "dead:1"}
    members = [
        MemberFigures("a:1", [fig("c", 0, 10, 1.5), fig("c", 1, 999, 99.0)]),  # c/1 moved away from a: ignored
        MemberFigures("b:1", [fig("c", 1, 20, 2.5)]),
        MemberFigures("dead:1", None, "connection refused"),
    ]
    out = cluster_summary("a:1", 30.0, ["c", "idle"], owners, members)
    c = out["connectors"]["c"]
    assert (c["records_read"], c["record_errors"], c["lag"], c["tasks"], c["read_per_sec"]) == (30, 2, 4, 2, 4.0)
    assert [(t["id"], t["worker_id"], t["records_read"], t.get("error")) for t in c["task_metrics"]] == [
        (0, "a:1", 10, None),
        (1, "b:1", 20, None),
        (2, "dead:1", 0, "connection refused"),
    ]
    assert out["connectors"]["idle"]["tasks"] == 0 and out["connectors"]["idle"]["type"] is None
    assert out["worker"] == {"read_per_sec": 1.5, "written_per_sec": 1.5, "lag": 2}
    assert out["cluster"]["read_per_sec"] == 4.0
    assert out["cluster"]["workers"] == [
        {"worker_id": "a:1", "reachable": True, "tasks": 1},
        {"worker_id": "b:1", "reachable": True, "tasks": 1},
        {"worker_id": "dead:1", "reachable": False, "tasks": 0, "error": "connection refused"},
    ]


def test_member_url_puts_ipv6_brackets_back() -> None:
    assert member_url("https", "::1:8083") == "https://[::1]:8083"
    assert member_url("http", "w1:8083") == "http://w1:8083"


async def test_cache_shares_a_load_and_reloads_after_the_ttl() -> None:
    now = [0.0]
    cache: TtlCache[int] = TtlCache(2.0, clock=lambda: now[0])
    loads = []

    async def load() -> int:
        loads.append(1)
        await asyncio.sleep(0.01)
        return len(loads)

    assert await asyncio.gather(cache.get("k", load), cache.get("k", load)) == [1, 1]
    now[0] = 1.9
    assert await cache.get("k", load) == 1
    now[0] = 2.1
    assert await cache.get("k", load) == 2


def herder_with_task(worker_id: str, connector: str, task: int, read: int) -> FakeHerder:
    h = FakeHerder(worker_id)
    h.metrics = WorkerMetrics(worker_id)
    h.metrics.register(TaskMetrics(connector, task, "sink", records_read=read))
    return h


async def test_figures_of_other_workers_come_over_the_signed_internal_endpoint() -> None:
    port = free_port()
    remote = herder_with_task(f"{HOST}:{port}", "c", 1, 7)
    remote.signing_key, remote.signature_required = b"k" * 32, True
    server = TestServer(create_app(remote, {}, routes=route_table(GenesisLayer().routes)), host=HOST, port=port)
    await server.start_server()
    local = herder_with_task("me:1", "c", 0, 5)
    local.configs["c"] = {"connector.class": "FakeSink"}
    local.statuses["c"] = {
        "name": "c",
        "connector": {"state": "RUNNING", "worker_id": "me:1"},
        "tasks": [
            {"id": 0, "state": "RUNNING", "worker_id": "me:1"},
            {"id": 1, "state": "RUNNING", "worker_id": f"{HOST}:{port}"},
        ],
        "type": "sink",
    }
    client = Forwarder(timeout_s=2.0)
    try:
        local.signing_key = b"k" * 32
        view = ClusterMetrics(local, worker_id="me:1", scheme="http", client=client, cache_s=0.0)
        out = await view.summary(None)
        assert out["connectors"]["c"]["records_read"] == 12
        assert [t["worker_id"] for t in out["connectors"]["c"]["task_metrics"]] == ["me:1", f"{HOST}:{port}"]

        local.signing_key = b"x" * 32  # a worker without the session key is refused (403)
        out = await view.summary(None)
        remote_entry = out["cluster"]["workers"][0]
        assert remote_entry["worker_id"] == f"{HOST}:{port}" and remote_entry["reachable"] is False
        assert out["connectors"]["c"]["records_read"] == 5
    finally:
        await client.close()
        await server.close()

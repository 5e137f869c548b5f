"""Genesis's audit history on a two-worker cluster (real herders, Worker and REST servers, Kafka 4.4):
changes made through either worker, some forwarded to the leader, each with its actor
(``genesis.actor.header`` as the client sent it to the first worker, else the client's address), are
written once, by the worker that applied them, to the history topic; every worker serves the same
history; after ALL workers are stopped and started again it is all there."""

from __future__ import annotations

import asyncio
import base64
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from confluent_kafka.admin import AdminClient, ConfigResource

from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.genesis.layer import GenesisLayer
from genesis_worker.herder.distributed import DistributedHerder, from_worker_config
from genesis_worker.rest.server import RestServer, start_rest_server
from tests.fixtures.net import free_ports

from .harness import cluster_props, stable, wait_for
from .plugins import SeqSourceConnector, class_path
from .test_distributed_cluster import call

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]


@dataclass
class Node:
    herder: DistributedHerder
    genesis: GenesisLayer
    rest: RestServer

    @property
    def url(self) -> str:
        return self.herder.rest_url() or ""

    async def stop(self) -> None:
        await self.rest.stop()
        await self.genesis.stop()
        await self.herder.stop()


async def _node(props: dict[str, str], port: int) -> Node:
    wprops = {**props, "listeners": f"http://127.0.0.1:{port}", "rest.advertised.host.name": "127.0.0.1"}
    config = WorkerConfig(wprops, "distributed")
    herder = from_worker_config(config)
    genesis = GenesisLayer.attach(herder, config)  # composed as genesis_worker.cli does
    await herder.start()
    await genesis.start()
    rest = await start_rest_server(herder, wprops, extra_routes=genesis.routes, extra_middlewares=genesis.middlewares)
    return Node(herder, genesis, rest)


async def start_cluster(props: dict[str, str], n: int) -> list[Node]:
    ports = free_ports(n)
    nodes = [await _node(props, ports[0])]  # creates the internal and history topics
    nodes += await asyncio.gather(*(_node(props, p) for p in ports[1:]))
    await wait_for(lambda: stable([node.herder for node in nodes]), 60, "a stable assignment")
    return nodes


async def test_history_with_actors_survives_a_restart_of_every_worker(kafka: Any) -> None:
    props = cluster_props(kafka.bootstrap, **{"genesis.actor.header": "X-Actor"})
    topic = kafka.create_topic(f"hist-{uuid.uuid4().hex[:8]}", partitions=1)
    config = {
        "connector.class": class_path(SeqSourceConnector),
        "tasks.max": "1",
        "topic": topic,
        "records.per.task": "10",
        "genesis.owner": "ann@corp",
        "genesis.ticket": "OPS-1",
        "connection.password": "secret-a",
    }
    nodes = await start_cluster(props, 2)
    try:
        lead = next(n for n in nodes if n.herder.is_leader)
        follower = next(n for n in nodes if not n.herder.is_leader)
        L, F = lead.url, follower.url
        async with aiohttp.ClientSession() as s:

            async def change(actor: str | None, method: str, url: str, body: Any = None) -> None:
                """One change; retried while a rebalance makes it 409 (those attempts record nothing)."""
                headers = {"X-Actor": actor} if actor else {}
                for _ in range(100):
                    async with s.request(method, url, json=body, headers=headers) as r:
                        if r.status != 409:
                            assert r.status < 300, await r.text()
                            return
                    await asyncio.sleep(0.2)
                raise AssertionError(f"{method} {url} kept answering 409")

            await change("alice", "POST", f"{F}connectors", {"name": "src", "config": config})  # -> leader
            update = {**config, "tasks.max": "2", "connection.password": "secret-b"}
            await change("bob", "PUT", f"{L}connectors/src/config", update)
            await change("carol", "PUT", f"{F}connectors/src/pause")
            await change("dave", "PUT", f"{L}connectors/src/resume")
            await change("erin", "POST", f"{F}connectors/src/restart?includeTasks=true")  # -> leader
            await change("frank", "PUT", f"{F}connectors/src/stop")  # -> leader
            await change("grace", "DELETE", f"{F}connectors/src/offsets")  # -> leader
            await change(None, "DELETE", f"{L}connectors/src")
        expected = [
            ("created", "alice", "header"),
            ("updated", "bob", "header"),
            ("paused", "carol", "header"),
            ("resumed", "dave", "header"),
            ("restarted", "erin", "header"),
            ("stopped", "frank", "header"),
            ("offsets_reset", "grace", "header"),
            ("deleted", "127.0.0.1", "address"),
        ]
        applied_by = [L, L, F, L, L, L, L, L]  # pause: any worker; the rest: the leader (forwarded to it)

        async def history(node: Node) -> list[dict[str, Any]]:
            async with aiohttp.ClientSession() as s:
                status, body = await call(s, "GET", f"{node.url}genesis/connectors/src/history")
            assert status == 200, body
            return list(body)

        async def everywhere(nodes: list[Node]) -> list[dict[str, Any]]:
            for _ in range(100):
                seen = [await history(n) for n in nodes]
                if all(len(h) >= len(expected) for h in seen):
                    break
                await asyncio.sleep(0.1)
            assert all(h == seen[0] for h in seen), seen
            return seen[0]

        before = await everywhere(nodes)
        assert [(h["action"], h["actor"], h["actor_source"]) for h in before] == expected  # once each
        workers = {n.url: n.herder.worker_id for n in nodes}
        assert [h["worker"] for h in before] == [workers[u] for u in applied_by]
        assert before[1]["changes"] == {
            "connection.password": {"old": "[hidden]", "new": "[hidden]"},
            "tasks.max": {"old": "1", "new": "2"},
        }
        assert before[0]["config"]["connection.password"] == "[hidden]"
        assert {(h["owner"], h["ticket"]) for h in before} == {("ann@corp", "OPS-1")}
        assert before[4]["details"] == {"includeTasks": True, "onlyFailed": False}

        history_topic = f"{props['group.id']}-genesis-history"
        admin = AdminClient({"bootstrap.servers": kafka.bootstrap})
        resource = ConfigResource(ConfigResource.Type.TOPIC, history_topic)
        topic_config = admin.describe_configs([resource])[resource].result(30)
        assert topic_config["cleanup.policy"].value == "delete"
        assert topic_config["retention.ms"].value == str(90 * 24 * 3600 * 1000)

        # every worker goes away; new ones (new ports, same cluster) read the history back
        stopped, nodes = nodes, []
        for node in stopped:
            await node.stop()
        nodes = await start_cluster(props, 2)
        after = await everywhere(nodes)
        assert after == before
        async with aiohttp.ClientSession() as s:
            _, page = await call(s, "GET", f"{nodes[1].url}genesis/connectors/src/history?limit=3")
            assert [h["action"] for h in page] == ["stopped", "offsets_reset", "deleted"]
            _, older = await call(
                s, "GET", f"{nodes[0].url}genesis/connectors/src/history?limit=3&before={page[0]['id']}"
            )
            assert [h["action"] for h in older] == ["paused", "resumed", "restarted"]
    finally:
        for node in nodes:
            await node.stop()


async def test_the_authenticated_principal_is_recorded_by_the_leader(kafka: Any, tmp_path: Path) -> None:
    creds = tmp_path / "credentials.properties"
    creds.write_text("admin: s3cret\n")
    jaas = tmp_path / "connect_jaas.conf"
    jaas.write_text(f'KafkaConnect {{\n  PropertyFileLoginModule required\n  file="{creds}";\n}};\n')
    props = cluster_props(
        kafka.bootstrap,
        **{
            "rest.extension.classes": "BasicAuthSecurityRestExtension",
            "java.security.auth.login.config": str(jaas),
            "genesis.actor.header": "X-Actor",
        },
    )
    topic = kafka.create_topic(f"hist-{uuid.uuid4().hex[:8]}", partitions=1)
    nodes = await start_cluster(props, 2)
    try:
        lead = next(n for n in nodes if n.herder.is_leader)
        follower = next(n for n in nodes if not n.herder.is_leader)
        auth = {"Authorization": "Basic " + base64.b64encode(b"admin:s3cret").decode(), "X-Actor": "not-me"}
        body = {"name": "src", "config": {"connector.class": class_path(SeqSourceConnector), "topic": topic}}
        async with aiohttp.ClientSession(headers=auth) as s:
            async with s.post(f"{follower.url}connectors", json=body) as r:
                assert r.status == 201, await r.text()
            async with s.get(f"{follower.url}genesis/connectors/src/history") as r:
                hist = await r.json()  # the follower forwarded, then waited for the leader's record
        assert [(h["action"], h["actor"], h["actor_source"], h["worker"]) for h in hist] == [
            ("created", "admin", "principal", lead.herder.worker_id)
        ]
    finally:
        for node in nodes:
            await node.stop()

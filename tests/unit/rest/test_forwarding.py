"""Leader forwarding between two real aiohttp servers (follower -> leader), hop limits and 409s."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from genesis_worker.rest.forwarding import NO_LEADER, STALE_CONFIG, TOO_MANY_HOPS, forward_url
from tests.unit.rest.conftest import SINK, SOURCE, MakeClient
from tests.unit.rest.fake_herder import FakeHerder


def base_url(client: TestClient) -> str:
    return str(client.make_url("/"))


class Seen(list[web.Request]):
    bodies: list[bytes]


async def recorder(status: int, body: Any) -> tuple[TestServer, Seen]:
    """A stand-in leader that records what it receives."""
    seen = Seen()
    seen.bodies = []

    async def handle(request: web.Request) -> web.StreamResponse:
        seen.bodies.append(await request.read())
        seen.append(request)
        if body is None:
            return web.Response(status=status)
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    server = TestServer(app)
    await server.start_server()
    return server, seen


async def test_create_forwarded_to_leader(make_client: MakeClient) -> None:
    leader_herder = FakeHerder("leader:8083")
    leader = await make_client(leader_herder)
    follower_herder = FakeHerder("follower:8083")
    follower_herder.leader_url = base_url(leader)
    follower = await make_client(follower_herder)

    resp = await follower.post(
        "/connectors", json={"name": "c", "config": {"connector.class": SINK, "topics": "t"}, "initial_state": "paused"}
    )
    assert resp.status == 201, await resp.text()
    assert (await resp.json())["config"]["name"] == "c"
    assert "c" in leader_herder.configs and "c" not in follower_herder.configs
    assert leader_herder.targets["c"].value == "PAUSED"
    assert resp.headers["Location"] == f"{str(follower.make_url('/')).rstrip('/')}/connectors/c"

    # PUT: created on the leader -> 201, then updated -> 200 (status normalised from the remote answer)
    resp = await follower.put("/connectors/d/config", json={"connector.class": SOURCE})
    assert resp.status == 201
    resp = await follower.put("/connectors/d/config", json={"connector.class": SOURCE, "x": "y"})
    assert resp.status == 200
    # the leader's error is relayed unchanged
    resp = await follower.post("/connectors", json={"name": "c", "config": {"connector.class": SINK, "topics": "t"}})
    assert resp.status == 409
    assert await resp.json() == {"error_code": 409, "message": "Connector c already exists"}
    # other forwardable endpoints
    assert (await follower.delete("/connectors/d")).status == 204
    assert "d" not in leader_herder.configs
    assert (await follower.put("/connectors/c/stop")).status == 204
    assert leader_herder.targets["c"].value == "STOPPED"
    resp = await follower.patch("/connectors/c/config", json={"topics": "t2"})
    assert resp.status == 200 and (await resp.json())["config"]["topics"] == "t2"


async def test_forward_query_and_headers() -> None:
    server, seen = await recorder(202, {"name": "r", "connector": {"state": "RESTARTING"}, "tasks": [], "type": "sink"})
    herder = FakeHerder()
    herder.configs["r"] = {}
    herder.leader_url = str(server.make_url("/"))
    from genesis_worker.rest.server import create_app

    client = TestClient(TestServer(create_app(herder, {})))
    await client.start_server()
    try:
        resp = await client.post(
            "/connectors/r/restart?includeTasks=true",
            headers={"Authorization": "Basic dTpw", "X-Other": "dropped"},
        )
        assert resp.status == 202
        assert (await resp.json())["connector"]["state"] == "RESTARTING"
        got = seen[-1]
        assert got.path == "/connectors/r/restart"
        assert dict(got.query) == {"forward": "true", "includeTasks": "true", "onlyFailed": "false"}
        assert got.headers["Authorization"] == "Basic dTpw"
        assert "X-Other" not in got.headers
        assert got.headers["Accept"] == "application/json"

        # second hop: forward=true incoming -> forward=false outgoing
        await client.post("/connectors/r/restart?forward=true")
        assert seen[-1].query["forward"] == "false"
        # names are path-encoded on the way out
        await client.put("/connectors/a%20b/config?forward=true", json={"connector.class": SOURCE})
        assert seen[-1].raw_path.startswith("/connectors/a%20b/config?forward=false")
        assert seen.bodies[-1] == b'{"connector.class":"com.example.FakeSourceConnector","name":"a b"}'
        assert seen[-1].headers["Content-Type"] == "application/json"
    finally:
        await client.close()
        await server.close()


async def test_hop_limit_no_leader_and_stale(make_client: MakeClient) -> None:
    herder = FakeHerder()
    herder.leader_url = "http://127.0.0.1:1/"
    client = await make_client(herder)
    resp = await client.put("/connectors/x/config?forward=false", json={"connector.class": SOURCE})
    assert resp.status == 409
    assert await resp.json() == {"error_code": 409, "message": TOO_MANY_HOPS}
    # leader unreachable
    resp = await client.put("/connectors/x/config", json={"connector.class": SOURCE})
    assert resp.status == 500
    assert (await resp.json())["message"].startswith("IO Error trying to forward REST request: ")
    herder.leader_url = None
    herder.follower_without_leader = True
    resp = await client.delete("/connectors/x")
    assert resp.status == 409
    assert (await resp.json())["message"] == NO_LEADER
    herder.follower_without_leader = False
    herder.rebalance_pending = True
    resp = await client.post("/connectors/x/restart")
    assert resp.status == 409
    assert (await resp.json())["message"] == STALE_CONFIG


def test_forward_url() -> None:
    assert forward_url("http://h:8083/", "/connectors/a b/config", True) == (
        "http://h:8083/connectors/a%20b/config?forward=true"
    )
    assert (
        forward_url("http://h:8083", "/connectors", False, {"x": "1"}) == "http://h:8083/connectors?forward=false&x=1"
    )

"""rest.extension.classes and the BasicAuthSecurityRestExtension stand-in (JAAS property file)."""

from __future__ import annotations

import base64
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from genesis_worker.api.errors import ConfigException
from genesis_worker.rest.extensions import RestExtension, RestExtensionContext, load_credentials, parse_basic
from genesis_worker.rest.routes import Route
from tests.unit.rest.conftest import MakeClient
from tests.unit.rest.fake_herder import FakeHerder

BASIC = "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension"


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture
def jaas(tmp_path: Path) -> str:
    creds = tmp_path / "credentials.properties"
    creds.write_text("# users\nadmin: s3cret\nops=pa:ss\n")
    jaas = tmp_path / "connect_jaas.conf"
    jaas.write_text(
        "KafkaConnect {\n  org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required\n"
        f'  file="{creds}";\n}};\n'
    )
    return str(jaas)


def test_credentials_and_header_parsing(jaas: str) -> None:
    assert load_credentials(jaas) == {"admin": "s3cret", "ops": "pa:ss"}
    assert parse_basic(basic("a", "b:c")["Authorization"]) == ("a", "b:c")
    assert parse_basic("Bearer x") is None
    assert parse_basic("Basic !!!") is None
    assert parse_basic(None) is None


async def test_basic_auth(herder: FakeHerder, make_client: MakeClient, jaas: str) -> None:
    herder.configs["c"] = {"connector.class": "com.example.FakeSourceConnector", "name": "c"}
    herder.task_counts["c"] = 0
    client = await make_client(herder, {"rest.extension.classes": BASIC, "java.security.auth.login.config": jaas})
    for headers in ({}, basic("admin", "wrong"), basic("nobody", "s3cret"), {"Authorization": "Bearer t"}):
        resp = await client.get("/connectors", headers=headers)
        assert resp.status == 401
        assert await resp.text() == "User cannot access the resource."
    assert (await client.get("/connectors", headers=basic("admin", "s3cret"))).status == 200
    assert (await client.get("/connectors", headers=basic("ops", "pa:ss"))).status == 200
    # unknown paths answer 404 before authentication, as with Jersey's filter
    assert (await client.get("/nope")).status == 404
    # signed worker-to-worker endpoints are exempt
    assert (await client.post("/connectors/c/tasks", data=b"[]")).status == 204


async def test_custom_extension_adds_routes(herder: FakeHerder, make_client: MakeClient) -> None:
    client = await make_client(herder, {"rest.extension.classes": f"{__name__}.PingExtension"})
    resp = await client.get("/genesis/ping")
    assert await resp.json() == {"pong": True}


class PingExtension(RestExtension):
    def register(self, context: RestExtensionContext) -> None:
        async def ping(request: web.Request) -> web.StreamResponse:
            return web.json_response({"pong": True})

        context.routes.append(Route("GET", "/genesis/ping", ping, "Ping", tag="genesis", waits=False))


def test_bad_extension_config(tmp_path: Path) -> None:
    from genesis_worker.rest.extensions import load_extensions

    with pytest.raises(ConfigException, match=r"rest\.extension\.classes"):
        load_extensions({"rest.extension.classes": "no.such.Module"})
    with pytest.raises(ConfigException, match="needs a JAAS file"):
        load_extensions({"rest.extension.classes": BASIC})


async def test_forwarded_request_keeps_authorization(make_client: MakeClient, jaas: str) -> None:
    cfg = {"rest.extension.classes": BASIC, "java.security.auth.login.config": jaas}
    leader_herder = FakeHerder()
    leader = await make_client(leader_herder, cfg)
    follower_herder = FakeHerder()
    follower_herder.leader_url = str(leader.make_url("/"))
    follower = await make_client(follower_herder, cfg)
    body = {"name": "x", "config": {"connector.class": "com.example.FakeSourceConnector"}}
    resp = await follower.post("/connectors", json=body, headers=basic("admin", "s3cret"))
    assert resp.status == 201
    assert "x" in leader_herder.configs
    # without credentials the follower itself refuses (nothing is forwarded)
    async with aiohttp.ClientSession() as s, s.post(follower.make_url("/connectors"), json=body) as r:
        assert r.status == 401

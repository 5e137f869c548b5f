from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from genesis_worker.rest.server import create_app
from tests.unit.rest.fake_herder import FakeHerder

MakeClient = Callable[..., Awaitable[TestClient]]


@pytest.fixture
def herder() -> FakeHerder:
    return FakeHerder()


@pytest.fixture
async def make_client() -> AsyncIterator[MakeClient]:
    clients: list[TestClient] = []

    async def make(herder: FakeHerder, config: dict[str, Any] | None = None, **kw: Any) -> TestClient:
        client = TestClient(TestServer(create_app(herder, config or {}, **kw)))
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for c in clients:
        await c.close()


@pytest.fixture
async def client(herder: FakeHerder, make_client: MakeClient) -> TestClient:
    return await make_client(herder)


SINK = "com.example.FakeSinkConnector"
SOURCE = "com.example.FakeSourceConnector"
JSON = {"Content-Type": "application/json"}


async def create(client: TestClient, name: str, **config: Any) -> Any:
    config = {"connector.class": SINK, "topics": "t1", "tasks.max": "2", **config}
    resp = await client.post("/connectors", json={"name": name, "config": config})
    assert resp.status == 201, await resp.text()
    return await resp.json()

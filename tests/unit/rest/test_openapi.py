"""The OpenAPI document comes from the same table that registers the routes."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient
from openapi_spec_validator import validate

from genesis_worker.rest.handlers import connect_routes
from genesis_worker.rest.routes import Reply, Route, RouteTable
from genesis_worker.rest.server import create_app, openapi_document, route_table
from tests.unit.rest.fake_herder import FakeHerder


async def test_document_is_valid_and_served(client: TestClient) -> None:
    resp = await client.get("/genesis/openapi.json")
    assert resp.status == 200
    doc = await resp.json()
    validate(doc)
    assert doc["openapi"].startswith("3.0")
    paths = doc["paths"]
    assert set(paths["/connectors"]) == {"get", "post"}
    assert set(paths["/connectors/{connector}/config"]) == {"get", "put", "patch"}
    # internal endpoints and the forward parameter are hidden
    assert "post" not in paths["/connectors/{connector}/tasks"]
    assert "/connectors/{connector}/fence" not in paths
    for ops in paths.values():
        for op in ops.values():
            assert all(p["name"] != "forward" for p in op.get("parameters", []))
    assert "/connectors/{connector}/tasks-config" not in paths


def test_every_route_is_documented_or_internal() -> None:
    table = RouteTable(connect_routes())
    doc = openapi_document(table)
    for route in table:
        documented = route.method.lower() in doc["paths"].get(route.path, {})
        assert documented != route.internal, route


async def test_registered_routes_match_table() -> None:
    app = create_app(FakeHerder(), {})
    registered = {
        (r.method, r.resource.canonical)
        for r in app.router.routes()
        if r.resource is not None and r.method not in ("HEAD", "OPTIONS")
    }
    expected = {(r.method, r.path) for r in route_table()}
    assert expected <= registered
    assert {(m, p.rstrip("/") or "/") for m, p in registered} == expected


async def test_extension_routes() -> None:
    async def extension_example(request: web.Request) -> web.StreamResponse:
        return web.json_response({"ok": True})

    extra = Route(
        "GET",
        "/genesis/extension-example",
        extension_example,
        "Example",
        tag="genesis",
        waits=False,
        replies=(Reply(200, "ok"),),
    )
    table = route_table([extra])
    doc = openapi_document(table)
    assert "/genesis/extension-example" in doc["paths"] and "/connectors" in doc["paths"]
    validate(doc)
    try:
        route_table([extra, extra])
    except ValueError as e:
        assert "Duplicate route GET /genesis/extension-example" in str(e)
    else:
        raise AssertionError("duplicate route accepted")

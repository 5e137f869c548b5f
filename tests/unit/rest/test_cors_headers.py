"""CORS (Jetty 12 CrossOriginHandler as Connect sets it up) and response.http.headers.config."""

from __future__ import annotations

import pytest

from genesis_worker.api.errors import ConfigException
from genesis_worker.rest.headers import csv_split, parse_header_config
from tests.unit.rest.conftest import MakeClient
from tests.unit.rest.fake_herder import FakeHerder

CORS = {
    "access.control.allow.origin": r"http://ui\.example\.com,https://.*\.corp",
    "access.control.allow.methods": "GET,POST,PUT,DELETE",
}


async def test_preflight(herder: FakeHerder, make_client: MakeClient) -> None:
    client = await make_client(herder, CORS)
    resp = await client.options(
        "/connectors",
        headers={
            "Origin": "http://ui.example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert resp.status == 200
    assert resp.headers["Access-Control-Allow-Origin"] == "http://ui.example.com"
    assert resp.headers["Access-Control-Allow-Methods"] == "GET,POST,PUT,DELETE"
    assert resp.headers["Access-Control-Allow-Headers"] == "Content-Type"
    assert "Access-Control-Allow-Credentials" not in resp.headers
    assert resp.headers["Access-Control-Max-Age"] == "60"
    assert "Origin" in resp.headers.getall("Vary")
    # preflight on a parameterised path works too
    resp = await client.options(
        "/connectors/x/config", headers={"Origin": "https://a.corp", "Access-Control-Request-Method": "PUT"}
    )
    assert resp.status == 200 and resp.headers["Access-Control-Allow-Origin"] == "https://a.corp"


async def test_simple_and_rejected_origins(herder: FakeHerder, make_client: MakeClient) -> None:
    client = await make_client(herder, CORS)
    resp = await client.get("/connectors", headers={"Origin": "HTTP://UI.EXAMPLE.COM"})
    assert resp.headers["Access-Control-Allow-Origin"] == "HTTP://UI.EXAMPLE.COM"
    assert "Access-Control-Allow-Methods" not in resp.headers
    resp = await client.get("/connectors", headers={"Origin": "http://evil.com"})
    assert resp.status == 200
    assert "Access-Control-Allow-Origin" not in resp.headers
    # errors carry CORS headers too
    resp = await client.get("/nope", headers={"Origin": "http://ui.example.com"})
    assert resp.status == 404 and resp.headers["Access-Control-Allow-Origin"] == "http://ui.example.com"


async def test_wildcard_and_default_methods(herder: FakeHerder, make_client: MakeClient) -> None:
    client = await make_client(herder, {"access.control.allow.origin": "*"})
    resp = await client.options("/connectors", headers={"Origin": "http://x", "Access-Control-Request-Method": "GET"})
    assert resp.headers["Access-Control-Allow-Methods"] == "GET,POST,HEAD"
    plain = await make_client(herder, {})
    resp = await plain.get("/connectors", headers={"Origin": "http://x"})
    assert "Access-Control-Allow-Origin" not in resp.headers and "Vary" not in resp.headers


async def test_response_headers_config(herder: FakeHerder, make_client: MakeClient) -> None:
    client = await make_client(
        herder,
        {
            "response.http.headers.config": "set X-Frame-Options: DENY, add Cache-Control: no-cache, "
            '"add Cache-Control: no-store", setDate Expires: 3600000, set Content-Type: text/plain'
        },
    )
    resp = await client.get("/connectors")
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers.getall("Cache-Control") == ["no-cache", "no-store"]
    assert resp.headers["Expires"].endswith("GMT")
    assert resp.content_type == "application/json"  # the endpoint's own header wins over a set rule
    resp = await client.get("/nope")
    assert resp.headers["X-Frame-Options"] == "DENY"


def test_header_config_errors() -> None:
    assert csv_split('a, "b, c" ,d') == ["a", "b, c", "d"]
    with pytest.raises(ConfigException, match="Invalid header config action: 'put'"):
        parse_header_config("put X: y")
    with pytest.raises(ConfigException, match="Expected: '\\[action\\] \\[header name\\]:\\[header value\\]'"):
        parse_header_config("set")
    with pytest.raises(ConfigException, match="Invalid format of header name and header value pair"):
        parse_header_config("set X-Url: http://a")
    with pytest.raises(ConfigException):
        parse_header_config("setDate Expires: soon")

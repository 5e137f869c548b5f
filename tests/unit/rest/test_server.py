"""start_rest_server: listeners (http + https PEM), admin listeners, advertised URL, config errors."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import aiohttp
import pytest

from genesis_worker.api.errors import ConfigException
from genesis_worker.rest.config import Listener, RestConfig
from genesis_worker.rest.server import BoundListener, advertised_url, start_rest_server
from tests.unit.rest.fake_herder import FakeHerder


def test_listener_parsing() -> None:
    assert Listener.parse("HTTP://:8083") == Listener("http", "", 8083)
    assert Listener.parse("https://[::1]:8443") == Listener("https", "::1", 8443)
    with pytest.raises(ConfigException, match='must be either "http" or "https"'):
        Listener.parse("ftp://h:1")
    with pytest.raises(ConfigException, match="Could not parse listener"):
        Listener.parse("localhost:8083")


def test_advertised_url() -> None:
    cfg = RestConfig.from_worker_config({"listeners": "https://h1:9443,http://h2:8083"})
    bound = [BoundListener(Listener("https", "h1", 9443), 9443), BoundListener(Listener("http", "h2", 8083), 8083)]
    assert advertised_url(cfg, bound) == "http://h2:8083/"
    cfg = RestConfig.from_worker_config(
        {"rest.advertised.listener": "HTTPS", "rest.advertised.host.name": "w1.example", "rest.advertised.port": "1"}
    )
    assert advertised_url(cfg, bound) == "https://w1.example:1/"


async def test_start_http_and_admin() -> None:
    herder = FakeHerder()
    server = await start_rest_server(
        herder,
        {
            "listeners": "http://127.0.0.1:0,http://localhost:0",
            "admin.listeners": "http://127.0.0.1:0",
            "rest.advertised.host.name": "worker-1",
        },
    )
    try:
        assert len(server.urls) == 2 and all(u.endswith("/") for u in server.urls)
        assert server.url.startswith("http://worker-1:") and server.url.endswith("/")
        async with aiohttp.ClientSession() as s:
            async with s.get(server.urls[0] + "connectors") as r:
                assert r.status == 200 and await r.json() == []
            async with s.get(server.urls[1] + "admin/loggers") as r:
                assert r.status == 404
            async with s.get(server.admin_urls[0] + "admin/loggers") as r:
                assert r.status == 200
    finally:
        await server.stop()


async def test_https_listener_with_pem(tmp_path: Path) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(  # noqa: ASYNC221 - a one-off certificate before the server starts
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            key,
            "-out",
            cert,
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ],
        check=True,
        capture_output=True,
    )
    store = tmp_path / "store.pem"
    store.write_bytes(cert.read_bytes() + key.read_bytes())
    server = await start_rest_server(
        FakeHerder(),
        {
            "listeners": "https://127.0.0.1:0",
            "listeners.https.ssl.keystore.type": "PEM",
            "listeners.https.ssl.keystore.location": str(store),
        },
    )
    try:
        assert server.url.startswith("https://127.0.0.1:")
        ctx = ssl.create_default_context(cafile=str(cert))
        ctx.check_hostname = False
        async with aiohttp.ClientSession() as s, s.get(server.url, ssl=ctx) as r:
            assert r.status == 200
    finally:
        await server.stop()


async def test_jks_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigException, match=r"JKS key stores .* cannot be read"):
        await start_rest_server(
            FakeHerder(), {"listeners": "https://127.0.0.1:0", "ssl.keystore.location": str(tmp_path / "k.jks")}
        )


def test_bad_rest_config() -> None:
    with pytest.raises(ConfigException):
        RestConfig.from_worker_config({"response.http.headers.config": "bogus X: y"})
    with pytest.raises(ConfigException):
        RestConfig.from_worker_config({"topic.tracking.enable": "maybe"})


async def test_gc_freeze_once_on_start(monkeypatch: pytest.MonkeyPatch) -> None:
    import genesis_worker.rest.server as server_mod

    calls: list[str] = []
    monkeypatch.setattr(server_mod, "_gc_frozen", False)
    monkeypatch.setattr(server_mod.gc, "freeze", lambda: calls.append("freeze"))
    for cfg in ({"rest.gc.freeze.on.start": "false"}, {}, {}):
        server = await start_rest_server(FakeHerder(), {"listeners": "http://127.0.0.1:0", **cfg})
        await server.stop()
    assert calls == ["freeze"]

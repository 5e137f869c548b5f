"""/admin/loggers on Python logging, and admin.listeners routing."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from genesis_worker.herder.loggers import Loggers, level_name
from tests.unit.rest.conftest import MakeClient
from tests.unit.rest.fake_herder import FakeHerder

NS = "genesis_test_rest.loggers"


@pytest.fixture(autouse=True)
def _restore_levels() -> Iterator[None]:
    root_level = logging.getLogger().level
    yield
    logging.getLogger().setLevel(root_level)
    for name, lg in list(logging.Logger.manager.loggerDict.items()):
        if name.startswith("genesis_test_rest") and isinstance(lg, logging.Logger):
            lg.setLevel(logging.NOTSET)


def test_level_names() -> None:
    assert level_name(logging.WARNING) == "WARN"
    assert level_name(logging.CRITICAL) == "FATAL"
    assert level_name(15) == "DEBUG"
    assert level_name(5) == "TRACE"
    assert level_name(0) == "ALL"


async def test_get_put_loggers(herder: FakeHerder, make_client: MakeClient) -> None:
    loggers = Loggers(clock=lambda: 1730000000.0)
    client = await make_client(herder, loggers=loggers)
    logging.getLogger(f"{NS}.child").setLevel(logging.INFO)
    logging.getLogger(f"{NS}x")  # plain prefix match, not dot-aware: included
    resp = await client.put(f"/admin/loggers/{NS}", json={"level": "debug"})
    assert resp.status == 200
    assert await resp.json() == [NS, f"{NS}.child", f"{NS}x"]
    assert logging.getLogger(f"{NS}.child").getEffectiveLevel() == logging.DEBUG
    got = await (await client.get(f"/admin/loggers/{NS}.child")).json()
    assert got == {"level": "DEBUG", "last_modified": 1730000000000}
    all_levels = await (await client.get("/admin/loggers")).json()
    assert all_levels[NS]["level"] == "DEBUG" and "root" in all_levels
    assert (await client.get("/admin/loggers/ROOT")).status == 200
    resp = await client.get("/admin/loggers/genesis_test_rest.never.created")
    assert resp.status == 404
    assert (await resp.json())["message"] == "Logger genesis_test_rest.never.created not found."


async def test_put_errors_and_cluster_scope(herder: FakeHerder, make_client: MakeClient) -> None:
    client = await make_client(herder)
    resp = await client.put(f"/admin/loggers/{NS}", json={"lvl": "DEBUG"})
    assert resp.status == 400
    assert (await resp.json())["message"] == "Desired 'level' parameter was not specified in request."
    resp = await client.put(f"/admin/loggers/{NS}", json={"level": "LOUD"})
    assert resp.status == 404
    assert (await resp.json())["message"] == "invalid log level 'LOUD'."
    resp = await client.put(f"/admin/loggers/{NS}?scope=Cluster", json={"level": "WARN"})
    assert resp.status == 204
    assert herder.cluster_logger_levels == [(NS, "WARN")]
    resp = await client.put(f"/admin/loggers/{NS}?scope=galaxy", json={"level": "WARN"})
    assert resp.status == 200  # unknown scope: treated as worker


async def test_admin_listeners_split(herder: FakeHerder, make_client: MakeClient) -> None:
    cfg = {"admin.listeners": "http://127.0.0.1:0"}
    main = await make_client(herder, cfg)
    assert (await main.get("/admin/loggers")).status == 404
    admin = await make_client(herder, cfg, admin_only=True)
    assert (await admin.get("/admin/loggers")).status == 200
    assert (await admin.get("/connectors")).status == 404
    disabled = await make_client(herder, {"admin.listeners": ""})
    assert (await disabled.get("/admin/loggers")).status == 404

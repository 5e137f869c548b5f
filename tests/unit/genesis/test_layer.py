"""The Genesis layer on the core: it registers its ownership policy, and its routes are served (and
documented) beside Connect's. The core alone knows none of it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.genesis.history import HistoryRecord
from genesis_worker.genesis.layer import GenesisLayer, worker_openapi_document
from genesis_worker.herder.standalone import StandaloneHerder
from genesis_worker.rest.server import create_app, route_table
from tests.unit.rest.fake_herder import FakeHerder

ROOT = Path(__file__).resolve().parents[3]
STRING = "org.apache.kafka.connect.storage.StringConverter"
SINK = {"connector.class": "FileStreamSink", "name": "s", "topics": "t"}


def herder(tmp_path: Path, **props: str) -> StandaloneHerder:
    return StandaloneHerder(
        WorkerConfig(
            {
                "bootstrap.servers": "127.0.0.1:1",
                "key.converter": STRING,
                "value.converter": STRING,
                "offset.storage.file.filename": str(tmp_path / "o"),
                **props,
            },
            "standalone",
        )
    )


def test_committed_document_is_current() -> None:
    """docs/openapi/genesis-worker-rest.json is regenerated with ``python -m genesis_worker.genesis openapi FILE``."""
    committed = ROOT / "docs" / "openapi" / "genesis-worker-rest.json"
    assert json.loads(committed.read_text()) == worker_openapi_document(), (
        "regenerate: python -m genesis_worker.genesis openapi docs/openapi/genesis-worker-rest.json"
    )


def test_core_does_not_import_genesis() -> None:
    code = (
        "import sys, genesis_worker.rest.server, genesis_worker.herder.standalone, genesis_worker.herder.distributed; "
        "print(sorted(m for m in sys.modules if m.startswith('genesis_worker.genesis')))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("required", ["true", "false"])
async def test_ownership_policy_joins_validation(tmp_path: Path, required: str) -> None:
    h = herder(tmp_path, **{"genesis.ownership.required": required})
    plain = await h.validate_connector_config(dict(SINK))
    assert "Genesis" not in plain["groups"]  # nothing registered: Connect's answer
    GenesisLayer.attach(h, h.config)
    infos = await h.validate_connector_config(dict(SINK))
    if required == "true":
        assert infos["error_count"] == 2 and infos["groups"][-1] == "Genesis"
    else:
        assert infos == plain
    owned = await h.validate_connector_config({**SINK, "genesis.owner": "ann", "genesis.ticket": "T-1"})
    assert owned["error_count"] == 0 and owned["groups"][-1] == "Genesis"


async def test_routes_are_served_beside_connect() -> None:
    layer = GenesisLayer()
    layer.history.add(HistoryRecord.of("c", "created", new={"connector.class": "X", "genesis.owner": "ann"}))
    client = TestClient(TestServer(create_app(FakeHerder(), {}, routes=route_table(layer.routes))))
    await client.start_server()
    try:
        resp = await client.get("/genesis/connectors/c/history")
        assert resp.status == 200
        assert [e["owner"] for e in await resp.json()] == ["ann"]
        assert (await client.get("/genesis/connectors/nope/history")).status == 404
        paths = (await (await client.get("/genesis/openapi.json")).json())["paths"]
        assert "/genesis/pipelines" in paths and "/metrics" in paths and "/connectors" in paths
    finally:
        await client.close()

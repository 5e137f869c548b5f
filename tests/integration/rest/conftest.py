from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.herder.standalone import StandaloneHerder
from genesis_worker.rest.server import RestServer, start_rest_server

STRING = "org.apache.kafka.connect.storage.StringConverter"


@contextlib.asynccontextmanager
async def standalone_worker(kafka: Any, tmp_path: Path, **extra: str) -> AsyncIterator[RestServer]:
    """A real standalone worker (StandaloneHerder + REST server on a free port) on the Kafka fixture;
    ``extra`` adds or overrides worker properties."""
    props = {
        "bootstrap.servers": kafka.bootstrap,
        "offset.storage.file.filename": str(tmp_path / "offsets"),
        "key.converter": STRING,
        "value.converter": STRING,
        "offset.flush.interval.ms": "200",
        "listeners": "http://127.0.0.1:0",
        **extra,
    }
    herder = StandaloneHerder(WorkerConfig(props, "standalone"))
    await herder.start()
    server = await start_rest_server(herder, props)
    try:
        yield server
    finally:
        await server.stop()
        await herder.stop()


@pytest.fixture
async def live_worker(kafka: Any, tmp_path: Path) -> AsyncIterator[RestServer]:
    async with standalone_worker(kafka, tmp_path) as server:
        yield server

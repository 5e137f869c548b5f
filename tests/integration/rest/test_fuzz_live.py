"""Schemathesis against a real standalone worker (StandaloneHerder on the Kafka 4.4 fixture), driven by the
worker's own ``GET /genesis/openapi.json``: every operation, positive and negative examples, bounded. Not
one 5xx: the client's mistakes are 4xx in Connect's error format, whatever the generator sends."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from schemathesis import GenerationMode

from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.genesis.layer import GenesisLayer
from genesis_worker.herder.standalone import StandaloneHerder
from genesis_worker.rest.server import start_rest_server
from tests.unit.rest.test_fuzz import check_response, run_examples

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

EXAMPLES_PER_OPERATION = 12


@pytest.fixture(scope="module")
def live_worker_url(kafka: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    saved = {name: lg.level for name, lg in logging.Logger.manager.loggerDict.items() if isinstance(lg, logging.Logger)}
    root_level = logging.getLogger().level
    tmp: Path = tmp_path_factory.mktemp("fuzz-live")
    props = {
        "bootstrap.servers": kafka.bootstrap,
        "offset.storage.file.filename": str(tmp / "offsets"),
        "key.converter": "org.apache.kafka.connect.storage.StringConverter",
        "value.converter": "org.apache.kafka.connect.storage.StringConverter",
        "listeners": "http://127.0.0.1:0",
        "rest.request.timeout.ms": "20000",
    }
    loop = asyncio.new_event_loop()
    config = WorkerConfig(props, "standalone")
    herder = StandaloneHerder(config)
    genesis = GenesisLayer.attach(herder, config)  # composed as the CLI does: core + Genesis routes
    loop.run_until_complete(herder.start())
    loop.run_until_complete(genesis.start())
    server = loop.run_until_complete(
        start_rest_server(herder, props, extra_routes=genesis.routes, extra_middlewares=genesis.middlewares)
    )
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield server.url.rstrip("/")
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(30)
        asyncio.run_coroutine_threadsafe(genesis.stop(), loop).result(30)
        asyncio.run_coroutine_threadsafe(herder.stop(), loop).result(60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
        logging.getLogger().setLevel(root_level)
        for name, lg in list(logging.Logger.manager.loggerDict.items()):
            if isinstance(lg, logging.Logger):
                lg.setLevel(saved.get(name, logging.NOTSET))


def test_no_server_error_for_any_generated_request(live_worker_url: str, caplog: pytest.LogCaptureFixture) -> None:
    schema = schemathesis.openapi.from_url(live_worker_url + "/genesis/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30  # core and genesis routes
    session = requests.Session()
    seen: dict[int, int] = {}
    for operation in operations:
        modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if operation.body else [])
        for mode in modes:

            def check(case: Any) -> None:
                resp = case.call(base_url=live_worker_url, session=session, timeout=30)
                seen[resp.status_code] = seen.get(resp.status_code, 0) + 1
                assert resp.status_code < 500, (case.method, case.formatted_path, case.body, resp.text)
                check_response(resp)

            run_examples(operation, mode, EXAMPLES_PER_OPERATION, check)
    assert sum(seen.values()) > 200 and any(400 <= s < 500 for s in seen), seen
    errors = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.name.startswith("genesis_worker.rest")
    ]
    assert not errors, errors[:5]

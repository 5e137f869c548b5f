"""Property-based fuzzing (schemathesis) of every documented operation against a live app on the
FakeHerder: no 5xx (the client's mistakes are 4xx, even where Connect answers 500), every error body in
Connect's shape, every response conforming to the OpenAPI document. Bounded: a few examples per
operation (< 30 s). tests/integration/rest/test_fuzz_live.py does the same against a real worker."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from genesis_worker.rest.server import create_app, openapi_document, route_table
from tests.unit.rest.fake_herder import FakeHerder

EXAMPLES_PER_OPERATION = 30
# the one 500 a client can see without a fault of ours: a request that outlived the REST request timeout
DOCUMENTED_500 = re.compile(r"^Request timed out")


@pytest.fixture(scope="module")
def live_url() -> Iterator[str]:
    # PUT /admin/loggers/{logger} changes real logger levels: put them back afterwards
    saved = {name: lg.level for name, lg in logging.Logger.manager.loggerDict.items() if isinstance(lg, logging.Logger)}
    root_level = logging.getLogger().level
    herder = FakeHerder()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(create_app(herder, {"rest.request.timeout.ms": "2000"}))
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = runner.addresses[0][1]
    # a few connectors so that path parameters sometimes hit real ones
    loop.run_until_complete(
        herder.put_connector_config(
            "a", {"connector.class": "com.example.FakeSourceConnector", "name": "a"}, allow_replace=False
        )
    )
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.run_until_complete(runner.cleanup())
        loop.close()
        logging.getLogger().setLevel(root_level)
        for name, lg in list(logging.Logger.manager.loggerDict.items()):
            if isinstance(lg, logging.Logger):
                lg.setLevel(saved.get(name, logging.NOTSET))


SCHEMA = schemathesis.openapi.from_dict(openapi_document(route_table()))
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


def check_response(resp: Any) -> None:
    """``resp`` is schemathesis' Response (headers: lower-case name -> list of values)."""
    if resp.status_code >= 400:
        content_type = (resp.headers.get("content-type") or [""])[0]
        assert content_type.startswith("application/json"), (resp.status_code, resp.text)
        body = resp.json()
        assert set(body) == {"error_code", "message"}, body
        assert isinstance(body["error_code"], int)
        assert body["message"] is None or isinstance(body["message"], str)
    if resp.status_code >= 500:
        assert resp.status_code == 500, resp.text
        assert DOCUMENTED_500.match(resp.json()["message"] or ""), resp.text


def run_examples(operation: Any, mode: GenerationMode, examples: int, check: Any) -> None:
    """Generate ``examples`` cases of ``operation`` (positive or negative data) and ``check(case)`` each."""

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        check(case)

    run()


# negative data (wrong JSON types) only where there is a body to get wrong
CASES = [(op, GenerationMode.POSITIVE) for op in OPERATIONS] + [
    (op, GenerationMode.NEGATIVE) for op in OPERATIONS if op.body
]


@pytest.mark.parametrize(
    ("operation", "mode"), CASES, ids=[f"{op.method.upper()} {op.path} {mode.value}" for op, mode in CASES]
)
def test_fuzz_operation(operation: Any, mode: GenerationMode, live_url: str) -> None:
    session = requests.Session()
    checks = [status_code_conformance, response_schema_conformance] if mode is GenerationMode.POSITIVE else []

    def check(case: Any) -> None:
        resp = case.call(base_url=live_url, session=session)
        check_response(resp)
        if checks:
            case.validate_response(resp, checks=checks)

    run_examples(operation, mode, EXAMPLES_PER_OPERATION, check)

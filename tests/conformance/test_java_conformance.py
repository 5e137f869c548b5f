"""Drive the same scripted REST scenario against Java Kafka Connect 4.4 and genesis-worker (both
standalone, same broker) and diff status codes, JSON shapes and messages. The report is written to
``.cache/conformance/rest-report.md``; differences not listed in ``ACCEPTED`` fail the test."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.herder.standalone import StandaloneHerder
from genesis_worker.rest.server import start_rest_server
from tests.conformance.runner import compare, render_report, run_scenario
from tests.conformance.scenario import CORS_PROPERTIES, CORS_STEPS

pytestmark = [pytest.mark.integration, pytest.mark.timeout(400)]

REPORT = Path(__file__).resolve().parents[2] / ".cache" / "conformance" / "rest-report.md"
JSON = "org.apache.kafka.connect.json.JsonConverter"

# Deliberate differences of the REST layer: step id -> why.
ACCEPTED: dict[str, str] = {
    "create-form-415": "Java's framework errors (415/404/405) say Content-Type application/octet-stream over a JSON "
    "body; genesis says application/json",
    "tasks-config-removed": "same Content-Type difference on a framework 404",
    "unknown-path": "same Content-Type difference on a framework 404",
    "wrong-method": "same Content-Type difference on a framework 405",
    "restart-octet-stream": "a body-less request with a non-JSON Content-Type (aiohttp's client default for "
    "POST) is served; Jersey answers 415. Requests that carry a body are checked as in Java (create-form-415)",
    "put-slash-name": "both refuse an encoded '/' with 400; Jetty sends no body, genesis sends Connect's error "
    "body (message 'Ambiguous URI path separator')",
    **{
        step: "the client's mistake (a JSON body Connect's binding refuses, or a bad request wrapped by "
        "validation): Java answers 500, genesis 400 with the same message (no 5xx for client errors)"
        for step in (
            "validate-no-class",
            "validate-version-syntax",
            "create-malformed",
            "create-empty",
            "create-no-config",
            "put-empty",
            "validate-empty",
            "offsets-empty-body",
            "logger-empty",
            "put-array",
            "put-nested",
            "create-unknown-field",
            "create-bad-initial-state",
        )
    },
    "restart-missing": "Java 4.4 standalone answers 500 with an NPE message (connProps is null); genesis answers "
    "404 'Unknown connector: nope' as the distributed herder and the reference do",
}
# Differences produced below the REST layer (herder / runtime / connectors), reported to their owners; listed
# here so that the report shows them and new ones still fail the test.
HERDER_GAPS: dict[str, str] = {
    "status-paused": "Java records a FAILED task 5 after restarting a task id that does not exist",
    # (also found, not in the scenario because Java keeps the connector: PUT .../config with a JSON null value
    # -> Java 4.4 standalone 500 "Non-string value found in original settings for key topic: null" and the
    # config is stored anyway; genesis answers 400 with the validation summary and stores nothing)
}


def files(tmp_path: Path, who: str, topic: str) -> dict[str, str]:
    src = tmp_path / f"{who}-in.txt"
    src.write_text("one\ntwo\nthree\n")
    return {"in": str(src), "out": str(tmp_path / f"{who}-out.txt"), "topic": f"{topic}-{who}"}


async def test_rest_conformance_with_java(
    kafka: Any, java_connect_factory: Any, tmp_path: Path, topic_name: str
) -> None:
    jvars = files(tmp_path, "java", topic_name)
    gvars = files(tmp_path, "genesis", topic_name)
    for v in (jvars, gvars):
        kafka.create_topic(v["topic"], partitions=1)

    java = await asyncio.to_thread(java_connect_factory, kafka.bootstrap, mode="standalone")
    props = {
        "bootstrap.servers": kafka.bootstrap,
        "offset.storage.file.filename": str(tmp_path / "genesis.offsets"),
        "key.converter": JSON,
        "value.converter": JSON,
        "offset.flush.interval.ms": "1000",
        "listeners": "http://127.0.0.1:0",
    }
    herder = StandaloneHerder(WorkerConfig(props, "standalone"))
    await herder.start()
    server = await start_rest_server(herder, props)
    try:
        java_results = await run_scenario(java.url, jvars)
        genesis_results = await run_scenario(server.url, gvars)
    finally:
        await server.stop()
        await herder.stop()

    dump = {k: [java_results[k].__dict__, genesis_results[k].__dict__] for k in java_results}
    (REPORT.parent).mkdir(parents=True, exist_ok=True)
    (REPORT.parent / "rest-results.json").write_text(json.dumps(dump, indent=1, default=str))
    diffs = compare(java_results, genesis_results, jvars, gvars)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(render_report(diffs, java_results, {**ACCEPTED, **HERDER_GAPS}))
    print(f"\nconformance report: {REPORT}")
    unexpected = [d for d in diffs if d.step not in ACCEPTED and d.step not in HERDER_GAPS]
    assert not unexpected, "\n".join(
        f"{d.step} {d.kind}: java={d.java!r} genesis={d.genesis!r} {d.notes}" for d in unexpected
    )


CORS_ACCEPTED: dict[str, str] = {}


async def test_cors_and_headers_conformance_with_java(
    kafka: Any, java_connect_factory: Any, tmp_path: Path, topic_name: str
) -> None:
    """The same CORS / response-header / topic-tracking settings on both: compare headers of preflights,
    simple and error responses."""
    java = await asyncio.to_thread(java_connect_factory, kafka.bootstrap, mode="standalone", properties=CORS_PROPERTIES)
    props = {
        "bootstrap.servers": kafka.bootstrap,
        "offset.storage.file.filename": str(tmp_path / "genesis.offsets"),
        "key.converter": JSON,
        "value.converter": JSON,
        "listeners": "http://127.0.0.1:0",
        **CORS_PROPERTIES,
    }
    herder = StandaloneHerder(WorkerConfig(props, "standalone"))
    await herder.start()
    server = await start_rest_server(herder, props)
    try:
        java_results = await run_scenario(java.url, {}, CORS_STEPS)
        genesis_results = await run_scenario(server.url, {}, CORS_STEPS)
    finally:
        await server.stop()
        await herder.stop()
    diffs = compare(java_results, genesis_results, {}, {}, CORS_STEPS)
    report = REPORT.with_name("cors-report.md")
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(
        render_report(diffs, java_results, CORS_ACCEPTED, CORS_STEPS, "standalone, CORS and response headers")
    )
    (report.with_suffix(".json")).write_text(
        json.dumps({k: [java_results[k].__dict__, genesis_results[k].__dict__] for k in java_results}, indent=1)
    )
    unexpected = [d for d in diffs if d.step not in CORS_ACCEPTED]
    assert not unexpected, "\n".join(f"{d.step} {d.kind}: java={d.java!r} genesis={d.genesis!r}" for d in unexpected)

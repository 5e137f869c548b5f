"""Client mistakes get a 4xx in Connect's error format, never a 5xx: malformed, truncated, empty and null
bodies, invalid UTF-8, NUL bytes, deep nesting, wrong JSON types, unknown classes, invalid initial states,
oversized configs, and connector names that could not be addressed in a URL afterwards. Java Connect
answers 500 for several of these (its JSON binding errors); genesis answers 400 with the same message."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest

from tests.integration.rest.conftest import standalone_worker

pytestmark = pytest.mark.integration

FILE_SINK = "org.apache.kafka.connect.file.FileStreamSinkConnector"
JSON_HEADERS = {"Content-Type": "application/json"}


def sink(name: str, tmp: Path) -> dict[str, Any]:
    return {
        "name": name,
        "config": {"connector.class": FILE_SINK, "topics": "t", "file": str(tmp / f"{len(name)}.out")},
    }


def bad_requests(tmp: Path) -> list[tuple[str, str, str, bytes]]:
    """(id, method, path, raw body): each is the client's mistake."""
    good = sink("ok", tmp)
    return [
        ("malformed", "POST", "/connectors", b'{"name": "x", "config": {'),
        ("truncated", "POST", "/connectors", orjson.dumps(good)[:-7]),
        ("empty", "POST", "/connectors", b""),
        ("whitespace", "POST", "/connectors", b"   \n"),
        ("null", "POST", "/connectors", b"null"),
        ("array", "POST", "/connectors", b"[1, 2]"),
        ("string", "POST", "/connectors", b'"connector"'),
        ("invalid-utf8", "POST", "/connectors", b'{"name": "\xff\xfe", "config": {}}'),
        ("nul-byte", "POST", "/connectors", b'{"name": "a\x00b", "config": {}}'),
        ("nul-escaped", "POST", "/connectors", orjson.dumps({"name": "a\u0000b", "config": good["config"]})),
        ("deep-nesting", "POST", "/connectors", b'{"name": "x", "config": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
        ("object-value", "POST", "/connectors", orjson.dumps({"name": "x", "config": {"topics": {"a": 1}}})),
        ("array-value", "POST", "/connectors", orjson.dumps({"name": "x", "config": {"topics": ["a"]}})),
        ("config-null", "POST", "/connectors", orjson.dumps({"name": "x", "config": None})),
        ("config-missing", "POST", "/connectors", orjson.dumps({"name": "x"})),
        ("config-string", "POST", "/connectors", orjson.dumps({"name": "x", "config": "a=b"})),
        ("name-object", "POST", "/connectors", orjson.dumps({"name": {"a": 1}, "config": good["config"]})),
        ("unknown-field", "POST", "/connectors", orjson.dumps({**good, "extra": 1})),
        ("bad-initial-state", "POST", "/connectors", orjson.dumps({**good, "initial_state": "SLEEPING"})),
        ("initial-state-object", "POST", "/connectors", orjson.dumps({**good, "initial_state": {"a": 1}})),
        ("unknown-class", "POST", "/connectors", orjson.dumps({"name": "x", "config": {"connector.class": "no.Such"}})),
        ("no-class", "POST", "/connectors", orjson.dumps({"name": "x", "config": {"topics": "t"}})),
        (
            "tasks-max-text",
            "POST",
            "/connectors",
            orjson.dumps({"name": "x", "config": {**good["config"], "tasks.max": "many"}}),
        ),
        ("put-malformed", "PUT", "/connectors/x/config", b"{"),
        ("put-null", "PUT", "/connectors/x/config", b"null"),
        ("put-array", "PUT", "/connectors/x/config", b"[]"),
        ("put-object-value", "PUT", "/connectors/x/config", orjson.dumps({"topics": {"a": 1}})),
        ("put-unknown-class", "PUT", "/connectors/x/config", orjson.dumps({"connector.class": "no.Such"})),
        ("patch-missing", "PATCH", "/connectors/nope/config", orjson.dumps({"a": "b"})),
        ("validate-malformed", "PUT", "/connector-plugins/FileStreamSink/config/validate", b"{"),
        ("validate-null", "PUT", "/connector-plugins/FileStreamSink/config/validate", b"null"),
        ("validate-object-value", "PUT", "/connector-plugins/FileStreamSink/config/validate", b'{"a": {}}'),
        ("validate-unknown", "PUT", "/connector-plugins/NoSuch/config/validate", b'{"connector.class": "NoSuch"}'),
        ("offsets-malformed", "PATCH", "/connectors/nope/offsets", b"{"),
        ("offsets-null", "PATCH", "/connectors/nope/offsets", b"null"),
        ("logger-malformed", "PUT", "/admin/loggers/root", b"{"),
        ("logger-null", "PUT", "/admin/loggers/root", b"null"),
        ("logger-level-object", "PUT", "/admin/loggers/root", b'{"level": {}}'),
        ("logger-bad-level", "PUT", "/admin/loggers/root", b'{"level": "LOUD"}'),
        ("restart-bad-flag", "POST", "/connectors/nope/restart?includeTasks=maybe", b""),
        ("task-not-number", "GET", "/connectors/nope/tasks/x/status", b""),
    ]


async def test_no_5xx_for_client_mistakes(kafka: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cases = bad_requests(tmp_path)
    seen: dict[str, tuple[int, Any]] = {}
    caplog.set_level(logging.INFO)
    async with standalone_worker(kafka, tmp_path) as server, aiohttp.ClientSession() as http:
        for case, method, path, body in cases:
            async with http.request(method, server.url.rstrip("/") + path, data=body, headers=JSON_HEADERS) as resp:
                text = await resp.read()
                seen[case] = (resp.status, text)
        async with http.get(server.url.rstrip("/") + "/connectors") as resp:
            left = await resp.json()
    server_errors = {c: s for c, s in seen.items() if s[0] >= 500}
    assert not server_errors, "\n".join(f"{c}: {s[0]} {s[1][:200]!r}" for c, s in server_errors.items())
    for case, (status, text) in seen.items():
        assert 400 <= status < 500, (case, status)
        body = orjson.loads(text)
        assert set(body) == {"error_code", "message"} and body["error_code"] == status, (case, body)
        assert isinstance(body["message"], str) and body["message"], (case, body)
    assert left == [], left  # nothing half-made
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("a/b", 400),
        ("../../etc/passwd", 400),
        (".", 400),
        ("..", 400),
        ("n" * 10_000, 400),
        ("n" * 256, 400),
        ("tab\there", 400),
        ("nul\x00", 400),
        ("  ", 400),
        ("n" * 255, 201),
        ("a b.c-d_e~(1)", 201),
        ("✓ü", 201),
    ],
    ids=["slash", "traversal", "dot", "dotdot", "10k", "256", "tab", "nul", "blank", "255", "punctuation", "unicode"],
)
async def test_every_created_name_can_be_read_and_deleted(kafka: Any, tmp_path: Path, name: str, status: int) -> None:
    from urllib.parse import quote

    async with standalone_worker(kafka, tmp_path) as server, aiohttp.ClientSession() as http:
        base = server.url.rstrip("/")
        async with http.post(base + "/connectors", json=sink(name, tmp_path)) as resp:
            assert resp.status == status, await resp.text()
            body = await resp.json()
        if status == 400:
            assert body["error_code"] == 400 and body["message"], body
            async with http.get(base + "/connectors") as resp:
                assert await resp.json() == []
            return
        path = base + "/connectors/" + quote(name, safe="")
        async with http.get(path + "/config") as resp:
            assert resp.status == 200 and (await resp.json())["name"] == name
        async with http.delete(path) as resp:
            assert resp.status == 204
        async with http.get(base + "/connectors") as resp:
            assert await resp.json() == []

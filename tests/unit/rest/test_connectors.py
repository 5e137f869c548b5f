"""Every /connectors endpoint against the FakeHerder test double: status codes, bodies, errors."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient
from yarl import URL

from genesis_worker.model.entities import WorkerStatus
from genesis_worker.model.states import TargetState
from tests.unit.rest.conftest import JSON, SINK, SOURCE, create
from tests.unit.rest.fake_herder import FakeHerder


async def test_root_and_health(client: TestClient) -> None:
    resp = await client.get("/")
    assert resp.status == 200
    body = await resp.json()
    assert set(body) == {"version", "commit", "kafka_cluster_id"}
    assert body["kafka_cluster_id"] == "FakeClusterId0000000000"
    assert body["version"].startswith("4.4.0")
    resp = await client.get("/health")
    assert resp.status == 200
    assert (await resp.json())["status"] == "healthy"


async def test_create_list_get(client: TestClient, herder: FakeHerder) -> None:
    resp = await client.post(
        "/connectors", json={"name": "  s1 ", "config": {"connector.class": SINK, "topics": "t", "tasks.max": 2}}
    )
    assert resp.status == 201
    assert resp.headers["Location"] == f"http://{resp.url.host}:{resp.url.port}/connectors/s1"
    assert resp.content_type == "application/json"
    body = await resp.json()
    # tasks.max given as a JSON number binds as the string "2"; name trimmed and inserted
    assert body == {
        "name": "s1",
        "config": {"connector.class": SINK, "topics": "t", "tasks.max": "2", "name": "s1"},
        "tasks": [],
        "type": "sink",
    }
    assert await (await client.get("/connectors")).json() == ["s1"]
    info = await (await client.get("/connectors/s1")).json()
    assert info["tasks"] == [{"connector": "s1", "task": 0}, {"connector": "s1", "task": 1}]
    config = await (await client.get("/connectors/s1/config")).json()
    assert config["name"] == "s1"


async def test_create_initial_state_and_errors(client: TestClient, herder: FakeHerder) -> None:
    resp = await client.post(
        "/connectors", json={"name": "p", "config": {"connector.class": SOURCE}, "initial_state": "paused"}
    )
    assert resp.status == 201
    assert herder.targets["p"] is TargetState.PAUSED
    # existing name
    resp = await client.post("/connectors", json={"name": "p", "config": {"connector.class": SOURCE}})
    assert resp.status == 409
    assert await resp.json() == {"error_code": 409, "message": "Connector p already exists"}
    # name mismatch
    resp = await client.post("/connectors", json={"name": "a", "config": {"connector.class": SOURCE, "name": "b"}})
    assert resp.status == 400
    assert (await resp.json())["message"] == (
        "Connector name configuration (b) doesn't match connector name in the URL (a)"
    )
    # no connector.class
    resp = await client.post("/connectors", json={"name": "a", "config": {"topics": "t1"}})
    assert resp.status == 400
    assert (await resp.json())["message"] == "Connector config contains no connector type"
    # invalid config -> 400 with the validation summary
    resp = await client.post("/connectors", json={"name": "a", "config": {"connector.class": SINK}})
    assert resp.status == 400
    assert (await resp.json())["message"].startswith(
        "Connector configuration is invalid and contains the following 1 error(s):\n"
    )
    # bad initial_state, missing config, unknown field: Jackson binding errors (Connect: 500) -> 400
    for body in (
        {"name": "x", "config": {"connector.class": SOURCE}, "initial_state": "SLEEPING"},
        {"name": "x"},
        {"name": "x", "config": {"connector.class": SOURCE}, "tasks": []},
        {"name": "x", "config": {"connector.class": {"nested": 1}}},
        ["not", "an", "object"],
    ):
        resp = await client.post("/connectors", json=body)
        assert resp.status == 400, body
        err = await resp.json()
        assert err["error_code"] == 400 and err["message"]


async def test_put_config_create_then_update(client: TestClient) -> None:
    cfg = {"connector.class": SINK, "topics": "t1"}
    resp = await client.put("/connectors/c1/config", json=cfg)
    assert resp.status == 201
    assert resp.headers["Location"].endswith("/connectors/c1")
    resp = await client.put("/connectors/c1/config", json={**cfg, "topics": "t2", "tasks.max": "3"})
    assert resp.status == 200
    assert "Location" not in resp.headers
    body = await resp.json()
    assert body["config"]["topics"] == "t2"
    resp = await client.put("/connectors/c1/config", json={**cfg, "name": "other"})
    assert resp.status == 400
    assert "doesn't match connector name in the URL (c1)" in (await resp.json())["message"]
    resp = await client.put("/connectors/c1/config", json=["x"])
    assert resp.status == 400


async def test_patch_config(client: TestClient) -> None:
    await create(client, "p1", extra="x")
    resp = await client.patch("/connectors/p1/config", json={"extra": None, "topics": "t9", "tasks.max": 1})
    assert resp.status == 200
    body = await resp.json()
    assert "extra" not in body["config"] and body["config"]["topics"] == "t9" and body["config"]["tasks.max"] == "1"
    resp = await client.patch("/connectors/missing/config", json={"a": "b"})
    assert resp.status == 404
    assert await resp.json() == {"error_code": 404, "message": "Connector missing not found"}


async def test_delete(client: TestClient) -> None:
    await create(client, "d1")
    resp = await client.delete("/connectors/d1")
    assert resp.status == 204
    assert await resp.read() == b""
    resp = await client.delete("/connectors/d1")
    assert resp.status == 404
    assert await resp.json() == {"error_code": 404, "message": "Connector d1 not found"}


async def test_status_and_tasks(client: TestClient) -> None:
    await create(client, "s")
    status = await (await client.get("/connectors/s/status")).json()
    assert status["connector"] == {"state": "RUNNING", "worker_id": "fake:8083"}
    assert [t["id"] for t in status["tasks"]] == [0, 1]
    assert status["type"] == "sink"
    tasks = await (await client.get("/connectors/s/tasks")).json()
    assert tasks[1]["id"] == {"connector": "s", "task": 1}
    assert tasks[0]["config"]["task.class"] == "Fake"
    resp = await client.get("/connectors/s/tasks/1/status")
    assert await resp.json() == {"id": 1, "state": "RUNNING", "worker_id": "fake:8083"}
    resp = await client.get("/connectors/s/tasks/7/status")
    assert resp.status == 404
    assert (await resp.json())["message"] == "No status found for task s-7"
    for bad in ("x", "1.5", "99999999999"):
        resp = await client.get(f"/connectors/s/tasks/{bad}/status")
        assert resp.status == 404
        assert await resp.json() == {"error_code": 404, "message": "HTTP 404 Not Found"}
    resp = await client.get("/connectors/nope/status")
    assert resp.status == 404
    assert (await resp.json())["message"] == "No status found for connector nope"


async def test_tasks_config_removed_in_4x(client: TestClient) -> None:
    await create(client, "s")
    resp = await client.get("/connectors/s/tasks-config")
    assert resp.status == 404
    assert await resp.json() == {"error_code": 404, "message": "HTTP 404 Not Found"}


async def test_expand(client: TestClient, herder: FakeHerder) -> None:
    await create(client, "a")
    await create(client, "b")
    herder.statuses.pop("b")  # no status record yet: omitted when status is requested
    both = await (await client.get("/connectors?expand=status&expand=info")).json()
    assert set(both) == {"a"}
    assert set(both["a"]) == {"status", "info"}
    assert both["a"]["info"]["name"] == "a"
    info = await (await client.get("/connectors?expand=info")).json()
    assert set(info) == {"a", "b"} and set(info["b"]) == {"info"}
    unknown = await (await client.get("/connectors?expand=bogus")).json()
    assert unknown == {"a": {}, "b": {}}
    reversed_order = await (await client.get("/connectors?expand=info&expand=status")).json()
    assert reversed_order == both


async def test_restart_variants(client: TestClient, herder: FakeHerder) -> None:
    await create(client, "r")
    resp = await client.post("/connectors/r/restart")
    assert resp.status == 204
    resp = await client.post("/connectors/r/restart?includeTasks=true")
    assert resp.status == 202
    plan = await resp.json()
    assert plan["connector"]["state"] == "RESTARTING"
    assert {t["state"] for t in plan["tasks"]} == {"RESTARTING"}
    herder.statuses["r"]["tasks"][1]["state"] = "FAILED"
    plan = await (await client.post("/connectors/r/restart?includeTasks=true&onlyFailed=true")).json()
    assert plan["connector"]["state"] == "RUNNING"
    assert [t["state"] for t in plan["tasks"]] == ["RUNNING", "RESTARTING"]
    resp = await client.post("/connectors/zz/restart")
    assert resp.status == 404
    assert (await resp.json())["message"] == "Unknown connector: zz"
    assert (await client.post("/connectors/r/tasks/1/restart")).status == 204
    resp = await client.post("/connectors/r/tasks/5/restart")
    assert resp.status == 404
    assert (await resp.json())["message"] == "Unknown task: r-5"


async def test_pause_resume_stop(client: TestClient, herder: FakeHerder) -> None:
    await create(client, "x")
    resp = await client.put("/connectors/x/pause")
    assert resp.status == 202 and await resp.read() == b""
    assert herder.statuses["x"]["connector"]["state"] == "PAUSED"
    assert (await client.put("/connectors/x/resume")).status == 202
    resp = await client.put("/connectors/x/stop")
    assert resp.status == 204
    assert herder.statuses["x"]["connector"]["state"] == "STOPPED"
    assert herder.statuses["x"]["tasks"] == []
    resp = await client.put("/connectors/nope/pause")
    assert resp.status == 404
    assert (await resp.json())["message"] == "Unknown connector nope"


async def test_topics(client: TestClient, herder: FakeHerder, make_client) -> None:
    herder.topics["s"] = ["t1", "t2"]
    assert await (await client.get("/connectors/s/topics")).json() == {"s": {"topics": ["t1", "t2"]}}
    assert await (await client.get("/connectors/unknown/topics")).json() == {"unknown": {"topics": []}}
    assert (await client.put("/connectors/s/topics/reset")).status == 202
    assert "s" not in herder.topics
    disabled = await make_client(herder, {"topic.tracking.enable": "false"})
    resp = await disabled.get("/connectors/s/topics")
    assert resp.status == 403
    assert await resp.json() == {"error_code": 403, "message": "Topic tracking is disabled."}
    no_reset = await make_client(herder, {"topic.tracking.allow.reset": "false"})
    resp = await no_reset.put("/connectors/s/topics/reset")
    assert resp.status == 403
    assert (await resp.json())["message"] == "Topic tracking reset is disabled."


async def test_offsets(client: TestClient, herder: FakeHerder) -> None:
    await create(client, "o")
    assert await (await client.get("/connectors/o/offsets")).json() == {"offsets": []}
    body = {"offsets": [{"partition": {"kafka_topic": "t1", "kafka_partition": 0}, "offset": {"kafka_offset": 5}}]}
    resp = await client.patch("/connectors/o/offsets", json=body)
    assert resp.status == 400
    assert (await resp.json())["message"].startswith("Connectors must be in the STOPPED state")
    await client.put("/connectors/o/stop")
    resp = await client.patch("/connectors/o/offsets", json=body)
    assert resp.status == 200
    assert await resp.json() == {"message": "The offsets for this connector have been altered successfully"}
    assert await (await client.get("/connectors/o/offsets")).json() == body
    for empty in ({}, {"offsets": []}, {"offsets": None}):
        resp = await client.patch("/connectors/o/offsets", json=empty)
        assert resp.status == 400
        assert (await resp.json())["message"] == "Partitions / offsets need to be provided for an alter offsets request"
    resp = await client.delete("/connectors/o/offsets")
    assert resp.status == 200
    assert (await resp.json())["message"] == "The offsets for this connector have been reset successfully"
    assert (await client.get("/connectors/missing/offsets")).status == 404


async def test_url_encoded_names(client: TestClient) -> None:
    resp = await client.put("/connectors/my%20conn/config", json={"connector.class": SINK, "topics": "t"})
    assert resp.status == 201
    assert resp.headers["Location"].endswith("/connectors/my%20conn")
    assert (await resp.json())["name"] == "my conn"
    assert (await (await client.get("/connectors/my%20conn/status")).json())["name"] == "my conn"


async def test_encoded_slash_is_refused(client: TestClient) -> None:
    resp = await client.put(URL("/connectors/a%2Fb/config", encoded=True), json={"connector.class": SOURCE})
    assert resp.status == 400
    assert await resp.json() == {"error_code": 400, "message": "Ambiguous URI path separator"}


@pytest.mark.parametrize("path", ["/connectors/", "/connectors/s/status/", "/connectors/s/"])
async def test_trailing_slash(client: TestClient, path: str) -> None:
    await create(client, "s")
    assert (await client.get(path)).status == 200


async def test_head_and_options(client: TestClient) -> None:
    resp = await client.head("/connectors")
    assert resp.status == 200
    resp = await client.options("/connectors")
    assert resp.status == 200
    assert set(resp.headers["Allow"].split(",")) == {"GET", "HEAD", "POST", "OPTIONS"}
    assert resp.content_type == "text/plain"
    assert set((await resp.text()).split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}


async def test_rebalance_on_read_endpoints_is_500(client: TestClient, herder: FakeHerder) -> None:
    await create(client, "s")
    herder.rebalance_pending = True
    for path in ("/connectors/s", "/connectors/s/config"):
        resp = await client.get(path)
        assert resp.status == 500
        assert await resp.json() == {
            "error_code": 500,
            "message": "Request cannot be completed because a rebalance is expected",
        }


async def test_plugins(client: TestClient) -> None:
    plugins = await (await client.get("/connector-plugins")).json()
    assert plugins == [
        {"class": SINK, "type": "sink", "version": "1.2.3"},
        {"class": SOURCE, "type": "source"},  # version "undefined" is omitted
    ]
    assert await (await client.get("/connector-plugins?connectorsOnly=false")).json() == plugins
    resp = await client.get("/connector-plugins/FakeSink/config")
    assert resp.status == 200
    assert (await resp.json())[0]["name"] == "topics"
    resp = await client.get("/connector-plugins/Nope/config")
    assert resp.status == 404
    assert (await resp.json())["message"] == "Unknown plugin Nope."


async def test_validate(client: TestClient) -> None:
    resp = await client.put("/connector-plugins/FakeSink/config/validate", json={"connector.class": SINK, "name": "v"})
    assert resp.status == 200
    body = await resp.json()
    assert body["error_count"] == 1 and body["name"] == SINK
    # consistency check: connector.class must end with the (normalised) path plugin
    resp = await client.put("/connector-plugins/FakeSource/config/validate", json={"connector.class": SINK})
    assert resp.status == 400
    assert (await resp.json())["message"] == f"Included connector type {SINK} does not match request type FakeSource"
    resp = await client.put(
        "/connector-plugins/FakeSinkConnector/config/validate", json={"connector.class": "FakeSink", "topics": "t"}
    )
    assert resp.status == 200
    # errors raised during validation are reported wrapped, "<class>: <message>": 400 for the client's
    # mistakes (Connect: 500), 500 for a connector's own failure
    resp = await client.put("/connector-plugins/FakeSink/config/validate", json={"topics": "t1"})
    assert resp.status == 400
    assert await resp.json() == {
        "error_code": 400,
        "message": "org.apache.kafka.connect.runtime.rest.errors.BadRequestException: "
        "Connector config contains no connector type",
    }
    resp = await client.put(
        "/connector-plugins/FakeSink/config/validate", json={"connector.class": SINK, "fail.validate": "boom"}
    )
    assert resp.status == 500
    assert (await resp.json())["message"] == "RuntimeError: boom"


async def test_content_type_415(client: TestClient) -> None:
    for headers in ({"Content-Type": "application/x-www-form-urlencoded"}, {"Content-Type": "text/plain"}):
        resp = await client.post("/connectors", data=b'{"name":"a","config":{}}', headers=headers)
        assert resp.status == 415
        assert await resp.json() == {"error_code": 415, "message": "HTTP 415 Unsupported Media Type"}
    resp = await client.post(
        "/connectors",
        data=b'{"name":"a","config":{"connector.class":"com.example.FakeSourceConnector"}}',
        headers={"Content-Type": "application/json; charset=UTF-8"},
    )
    assert resp.status == 201
    # a body-less request without Content-Type is fine
    assert (await client.put("/connectors/a/pause", skip_auto_headers=["Content-Type"])).status == 202


async def test_malformed_and_empty_json(client: TestClient) -> None:
    resp = await client.post("/connectors", data=b'{"name": }', headers=JSON)
    assert resp.status == 400
    assert await resp.json() == {
        "error_code": 400,
        "message": "Unexpected character ('}' (code 125)): expected a value\n at [Source: REDACTED "
        "(`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 10]",
    }
    npe = {
        ("/connectors", "POST"): 'Cannot invoke "org.apache.kafka.connect.runtime.rest.entities.'
        'CreateConnectorRequest.name()" because "createRequest" is null',
        ("/connectors/a/config", "PUT"): 'Cannot invoke "java.util.Map.get(Object)" because "connectorConfig" is null',
        ("/connector-plugins/FakeSink/config/validate", "PUT"): 'Cannot invoke "java.util.Map.get(Object)" because '
        '"connectorConfig" is null',
        ("/admin/loggers/root", "PUT"): 'Cannot invoke "java.util.Map.get(Object)" because "levelMap" is null',
    }
    for (path, method), message in npe.items():
        for body in (b"", b"null"):
            resp = await client.request(method, path, data=body, headers=JSON)
            assert await resp.json() == {"error_code": 400, "message": message}, path
    # PATCH hands the null patch on: 404 for an unknown connector
    resp = await client.patch("/connectors/a/config", data=b"", headers=JSON)
    assert resp.status == 404


async def test_unknown_path_and_method(client: TestClient) -> None:
    resp = await client.get("/nope")
    assert resp.status == 404
    assert await resp.json() == {"error_code": 404, "message": "HTTP 404 Not Found"}
    resp = await client.delete("/connectors")
    assert resp.status == 405
    assert await resp.json() == {"error_code": 405, "message": "HTTP 405 Method Not Allowed"}
    resp = await client.post("/connectors/x/status")
    assert resp.status == 405


async def test_request_timeout(herder: FakeHerder, make_client) -> None:
    client = await make_client(herder, {"rest.request.timeout.ms": "50"})
    herder.delay = 0.5
    resp = await client.put("/connectors/slow/config", json={"connector.class": SOURCE})
    assert resp.status == 500
    assert await resp.json() == {"error_code": 500, "message": "Request timed out"}
    herder.stage = "The worker is currently ensuring membership in the cluster, which began at 2026-01-01T00:00:00Z."
    resp = await client.delete("/connectors/slow")
    assert (await resp.json())["message"] == f"Request timed out. {herder.stage}"


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (503, {"status": "starting", "message": "Worker is still starting up."}),
        (500, {"status": "unhealthy", "message": "Worker was unable to handle this request."}),
    ],
)
async def test_health_passes_herder_verdict(herder: FakeHerder, make_client, status: int, body: dict) -> None:
    herder.health = lambda: (status, WorkerStatus(body["status"], body["message"]))  # type: ignore[method-assign]
    client = await make_client(herder)
    resp = await client.get("/health")
    assert resp.status == status
    assert await resp.json() == body

"""The audit history: record encoding and masking, paging, the standalone history file, and the REST
middleware that writes one record per change with its actor (principal, header, address)."""

from __future__ import annotations

import base64
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from genesis_worker.genesis.history import HIDDEN, ConfigHistory, HistoryRecord, config_changes, mask
from genesis_worker.genesis.history_log import FileHistoryLog
from genesis_worker.genesis.layer import GenesisLayer
from genesis_worker.rest.server import create_app, route_table
from tests.unit.rest.fake_herder import FakeHerder

SINK = {
    "connector.class": "com.example.FakeSinkConnector",
    "name": "s",
    "topics": "t",
    "genesis.owner": "ann",
    "genesis.ticket": "T-1",
    "connection.password": "pw1",
}


def test_masking_and_changes() -> None:
    assert mask({"connection.password": "x", "sasl.jaas.config": "y", "topics": "t", "ssl.key.password": None}) == {
        "connection.password": HIDDEN,
        "sasl.jaas.config": HIDDEN,
        "topics": "t",
        "ssl.key.password": None,
    }
    changes = config_changes(SINK, {**SINK, "topics": "u", "connection.password": "pw2", "tasks.max": "2"})
    assert changes == {
        "connection.password": {"old": HIDDEN, "new": HIDDEN},
        "tasks.max": {"old": None, "new": "2"},
        "topics": {"old": "t", "new": "u"},
    }
    assert config_changes(SINK, SINK) == {}


def test_record_encoding_round_trip() -> None:
    rec = HistoryRecord.of(
        "s", "updated", old=SINK, new={**SINK, "genesis.ticket": "T-2"}, actor="alice", actor_source="header"
    )
    assert (rec.owner, rec.ticket, rec.changed_keys) == ("ann", "T-2", ["genesis.ticket"])
    assert rec.config is not None and rec.config["connection.password"] == HIDDEN
    back = HistoryRecord.decode(rec.encode(), 7)
    assert back is not None and back.id == 7 and back.encode() == rec.encode()
    json = back.to_json()
    assert json["timestamp"] == rec.time_ms and json["changed_keys"] == ["genesis.ticket"] and json["actor"] == "alice"
    assert HistoryRecord.decode(b"not json", 3) is None
    paused = HistoryRecord.of("s", "paused", old=SINK, new=SINK)
    assert paused.changes == {} and paused.config is None and paused.owner == "ann"
    deleted = HistoryRecord.of("s", "deleted", old=SINK)
    assert deleted.config is None and deleted.changes["topics"] == {"old": "t", "new": None}


def test_paging() -> None:
    h = ConfigHistory()
    for i in range(10):
        h.add(HistoryRecord("a" if i % 2 else "b", "paused", i, id=i * 10))
    assert [r.id for r in h.page("a")] == [10, 30, 50, 70, 90]
    assert [r.id for r in h.page("a", limit=2)] == [70, 90]
    assert [r.id for r in h.page("a", limit=2, before=70)] == [30, 50]
    assert [r.id for r in h.page("a", limit=2, before=31)] == [10, 30]
    assert [r.id for r in h.page("a", limit=2, before=10)] == []


def cut_last_line(path: Path) -> None:
    with open(path, "ab") as f:
        f.write(b'{"connector": "s", "act')  # a crash in the middle of a write


async def test_file_log_survives_restarts_and_a_cut_line(tmp_path: Path) -> None:
    path = tmp_path / "offsets.history.jsonl"
    first = FileHistoryLog(ConfigHistory(), path)
    await first.start()
    await first.append(HistoryRecord.of("s", "created", new=SINK, actor="alice"))
    await first.append(HistoryRecord.of("s", "paused", new=SINK, actor="bob"))
    cut_last_line(path)
    again = FileHistoryLog(ConfigHistory(), path)
    await again.start()
    await again.append(HistoryRecord.of("s", "resumed", new=SINK, actor="carol"))
    third = FileHistoryLog(ConfigHistory(), path)
    await third.start()
    events = third.history.events("s")
    assert [(e.action, e.actor, e.id) for e in events] == [
        ("created", "alice", 0),
        ("paused", "bob", 1),
        ("resumed", "carol", 3),
    ]
    assert [e.id for e in again.history.events("s")] == [0, 1, 3]


class AuditedHerder(FakeHerder):
    """The fake herder with the config-store view the audit middleware reads."""

    def __init__(self) -> None:
        super().__init__()
        self.config_store = SimpleNamespace(state=SimpleNamespace(connector_configs=self.configs))  # type: ignore[assignment]


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


async def _client(herder: FakeHerder, layer: GenesisLayer, props: dict[str, Any]) -> TestClient:
    app = create_app(herder, props, routes=route_table(layer.routes), extra_middlewares=layer.middlewares)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


async def test_every_change_is_recorded_once_with_its_actor() -> None:
    herder = AuditedHerder()
    layer = GenesisLayer(worker_id="w1", actor_header="X-Actor")
    client = await _client(herder, layer, {})
    try:
        by = {"X-Actor": "alice"}
        assert (await client.post("/connectors", json={"name": "s", "config": SINK}, headers=by)).status == 201
        updated = {**SINK, "tasks.max": "2", "connection.password": "pw2"}
        assert (await client.put("/connectors/s/config", json=updated, headers={"X-Actor": "bob"})).status == 200
        assert (await client.put("/connectors/s/config", json=updated, headers=by)).status == 200  # no change
        assert (await client.patch("/connectors/s/config", json={"topics": "u"}, headers=by)).status == 200
        assert (await client.put("/connectors/s/pause", headers=by)).status == 202
        assert (await client.put("/connectors/s/resume")).status == 202  # no header: the client's address
        assert (await client.post("/connectors/s/restart?includeTasks=true", headers=by)).status == 202
        assert (await client.post("/connectors/s/tasks/0/restart", headers=by)).status == 204
        assert (await client.put("/connectors/s/stop", headers=by)).status == 204
        offsets = {
            "offsets": [{"partition": {"kafka_topic": "t", "kafka_partition": 0}, "offset": {"kafka_offset": 5}}]
        }
        assert (await client.patch("/connectors/s/offsets", json=offsets, headers=by)).status == 200
        assert (await client.delete("/connectors/s/offsets", headers=by)).status == 200
        assert (await client.put("/connectors/nope/pause", headers=by)).status == 404  # failed: not recorded
        forwarded = {"X-Genesis-Actor": "zed", "X-Genesis-Actor-Source": "principal"}  # another worker saw zed
        assert (await client.put("/connectors/s/pause?forward=true", headers=forwarded)).status == 202
        # without ?forward= the header is a client's: the configured header (alice) wins
        assert (await client.put("/connectors/s/resume", headers={**forwarded, **by})).status == 202
        assert (await client.delete("/connectors/s", headers=by)).status == 204

        resp = await client.get("/genesis/connectors/s/history")
        assert resp.status == 200
        hist = await resp.json()
        assert [(h["action"], h["actor"], h["actor_source"]) for h in hist] == [
            ("created", "alice", "header"),
            ("updated", "bob", "header"),
            ("updated", "alice", "header"),
            ("paused", "alice", "header"),
            ("resumed", "127.0.0.1", "address"),
            ("restarted", "alice", "header"),
            ("restarted", "alice", "header"),
            ("stopped", "alice", "header"),
            ("offsets_altered", "alice", "header"),
            ("offsets_reset", "alice", "header"),
            ("paused", "zed", "principal"),
            ("resumed", "alice", "header"),
            ("deleted", "alice", "header"),
        ]
        assert hist[1]["changes"] == {
            "connection.password": {"old": HIDDEN, "new": HIDDEN},
            "tasks.max": {"old": None, "new": "2"},
        }
        assert hist[2]["changes"] == {"topics": {"old": "t", "new": "u"}}
        assert hist[0]["config"]["connection.password"] == HIDDEN and hist[0]["worker"] == "w1"
        assert hist[5]["details"] == {"includeTasks": True, "onlyFailed": False} and hist[6]["details"] == {"task": "0"}
        assert hist[8]["details"] == offsets
        assert {(h["owner"], h["ticket"]) for h in hist} == {("ann", "T-1")}
        assert [h["id"] for h in hist] == list(range(13))

        page = await (await client.get("/genesis/connectors/s/history?limit=3&before=5")).json()
        assert [h["id"] for h in page] == [2, 3, 4]
        assert (await client.get("/genesis/connectors/s/history?limit=0")).status == 400
        assert (await client.get("/genesis/connectors/s/history?before=x")).status == 400
        assert (await client.get("/genesis/connectors/nope/history")).status == 404
    finally:
        await client.close()


async def test_the_authenticated_principal_is_the_actor(tmp_path: Path) -> None:
    creds = tmp_path / "credentials.properties"
    creds.write_text("admin: s3cret\n")
    jaas = tmp_path / "connect_jaas.conf"
    jaas.write_text(f'KafkaConnect {{\n  PropertyFileLoginModule required\n  file="{creds}";\n}};\n')
    props = {
        "rest.extension.classes": "BasicAuthSecurityRestExtension",
        "java.security.auth.login.config": str(jaas),
    }
    herder = AuditedHerder()
    layer = GenesisLayer(actor_header="X-Actor")
    client = await _client(herder, layer, props)
    try:
        auth = {"Authorization": basic("admin", "s3cret"), "X-Actor": "someone-else"}
        assert (await client.post("/connectors", json={"name": "s", "config": SINK}, headers=auth)).status == 201
        bad = {"Authorization": basic("admin", "wrong")}
        assert (await client.put("/connectors/s/pause", headers=bad)).status == 401
        hist = await (await client.get("/genesis/connectors/s/history", headers=auth)).json()
        assert [(h["action"], h["actor"], h["actor_source"]) for h in hist] == [("created", "admin", "principal")]
    finally:
        await client.close()


async def test_a_forwarded_change_is_recorded_once_by_the_worker_that_applied_it() -> None:
    leader, follower = AuditedHerder(), AuditedHerder()
    on_leader = GenesisLayer(worker_id="leader", actor_header="X-Actor")
    on_follower = GenesisLayer(worker_id="follower", actor_header="X-Actor")
    lead = await _client(leader, on_leader, {})
    follow = await _client(follower, on_follower, {})
    follower.leader_url = str(lead.make_url("/"))
    try:
        resp = await follow.post("/connectors", json={"name": "s", "config": SINK}, headers={"X-Actor": "alice"})
        assert resp.status == 201, await resp.text()
        assert "s" in leader.configs and not follower.configs
        assert on_follower.history.events("s") == []  # it forwarded: the leader applied and recorded
        [created] = on_leader.history.events("s")
        assert (created.action, created.actor, created.actor_source, created.worker) == (
            "created",
            "alice",
            "header",
            "leader",
        )
    finally:
        await follow.close()
        await lead.close()

"""Exact key/value bytes of the internal topics (reference/connect-internal-topics.md) and the
reading rules, without a broker."""

from __future__ import annotations

import pytest

from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.session_key import SessionKey
from genesis_worker.model.states import RestartRequest, State, TargetState
from genesis_worker.model.status import ConnectorStatus, TaskStatus, TopicStatus
from genesis_worker.storage.kafka_config_store import (
    ConfigState,
    commit_record,
    connector_config_record,
    logger_level_record,
    restart_request_record,
    session_key_record,
    target_state_record,
    task_config_record,
    task_count_record,
)
from genesis_worker.storage.kafka_offset_store import OffsetIndex, offset_value
from genesis_worker.storage.kafka_serde import (
    java_double,
    java_hashmap_order,
    java_json,
    murmur2,
    offset_key,
    partition_for,
)
from genesis_worker.storage.kafka_status_store import (
    StatusCache,
    status_key,
    status_value,
    topic_status_key,
    topic_status_value,
)

T = ConnectorTaskId


# ---------------------------------------------------------------------------------------- serde


@pytest.mark.parametrize(
    ("key", "hash_", "p25", "p5"),
    [
        (b'["my-source",{"filename":"/data/in.txt"}]', -731862174, 24, 4),
        (b"status-connector-my-source", -810472533, 15, 0),
        (b"status-task-my-source-0", -349116604, 19, 4),
    ],
)
def test_murmur2_partitioner(key: bytes, hash_: int, p25: int, p5: int) -> None:
    assert murmur2(key) == hash_
    assert partition_for(key, 25) == p25
    assert partition_for(key, 5) == p5


def test_hashmap_order_examples() -> None:
    assert java_hashmap_order(["kafka_topic", "kafka_partition"]) == ["kafka_partition", "kafka_topic"]
    assert java_hashmap_order(["topic", "partition", "cluster"]) == ["cluster", "partition", "topic"]
    assert java_hashmap_order(["server", "database", "table"]) == ["server", "database", "table"]


def test_json_format() -> None:
    assert java_json({"a": 1, "b": [1, 2]}) == b'{"a":1,"b":[1,2]}'
    assert java_json('"\\\b\t\n\f\r\x01\x1f/\x7fé') == '"\\"\\\\\\b\\t\\n\\f\\r\\u0001\\u001F/\x7fé"'.encode()
    assert java_json(None) == b"null"
    assert java_json(b"\x00\x01") == b'"AAE="'
    assert [java_double(x) for x in (1.5, 1e10, 1e-5, 1.0, 1e7, 0.001, 9999999.0)] == [
        "1.5",
        "1.0E10",
        "1.0E-5",
        "1.0",
        "1.0E7",
        "0.001",
        "9999999.0",
    ]


def test_offset_key_bytes() -> None:
    assert offset_key("my-source", {"filename": "/data/in.txt"}) == b'["my-source",{"filename":"/data/in.txt"}]'
    assert (
        offset_key("s", {"kafka_topic": "t", "kafka_partition": 3}) == b'["s",{"kafka_partition":3,"kafka_topic":"t"}]'
    )
    assert offset_value({"position": 1234}) == b'{"position":1234}'
    assert offset_value(None) is None


def test_offset_index_reuses_existing_key_bytes() -> None:
    idx = OffsetIndex()
    java_key = b'["s",{"kafka_topic":"t","kafka_partition":3}]'  # non-HashMap order, written by someone
    idx.apply(java_key, b'{"offset":1}')
    assert idx.key_for("s", {"kafka_partition": 3, "kafka_topic": "t"}) == java_key
    # int vs float are different partitions
    assert idx.key_for("s", {"kafka_partition": 3.0, "kafka_topic": "t"}) != java_key
    idx.apply(b"not json", b"{}")
    idx.apply(b'["s"]', b"{}")
    assert list(idx.index) == ["s"]
    idx.apply(java_key, None)
    assert "s" not in idx.index and java_key not in idx.data


# --------------------------------------------------------------------------------------- config


def test_config_record_bytes() -> None:
    cfg = {
        "connector.class": "FileStreamSource",
        "file": "/data/in.txt",
        "name": "my-source",
        "tasks.max": "1",
        "topic": "t1",
    }
    assert connector_config_record("my-source", cfg) == (
        b"connector-my-source",
        b'{"properties":{"connector.class":"FileStreamSource","file":"/data/in.txt","name":"my-source",'
        b'"tasks.max":"1","topic":"t1"}}',
    )
    assert target_state_record("my-source", TargetState.STARTED) == (
        b"target-state-my-source",
        b'{"state":"STARTED","state.v2":"STARTED"}',
    )
    assert target_state_record("my-source", TargetState.STOPPED)[1] == b'{"state":"PAUSED","state.v2":"STOPPED"}'
    assert task_config_record(T("my-source", 0), {"task.class": "X", "k": None}) == (
        b"task-my-source-0",
        b'{"properties":{"task.class":"X","k":null}}',
    )
    assert commit_record("my-source", 1) == (b"commit-my-source", b'{"tasks":1}')
    key = SessionKey(bytes(range(32)), "HmacSHA256", 1730000000000)
    assert session_key_record(key) == (
        b"session-key",
        b'{"key":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=","algorithm":"HmacSHA256",'
        b'"creation-timestamp":1730000000000}',
    )
    assert restart_request_record(RestartRequest("my-sink", only_failed=False, include_tasks=True)) == (
        b"restart-connector-my-sink",
        b'{"include-tasks":true,"only-failed":false}',
    )
    assert task_count_record("my-source", 1) == (b"tasks-fencing-my-source", b'{"task-count":1}')
    assert logger_level_record("org.apache.kafka.connect", "DEBUG") == (
        b"logger-cluster-org.apache.kafka.connect",
        b'{"level":"DEBUG"}',
    )
    assert connector_config_record("x", None) == (b"connector-x", None)


def feed(st: ConfigState, records: list[tuple[bytes, bytes | None]]) -> None:
    for k, v in records:
        st.apply(st.state.offset if st.state.offset >= 0 else 0, k, v)


def test_config_reading_rules() -> None:
    st = ConfigState()
    assert st.state.offset == -1
    st.apply(0, *target_state_record("a-b", TargetState.PAUSED))  # before its connector: kept
    st.apply(1, *connector_config_record("a-b", {"x": "1"}))
    assert st.state.target_state("a-b") is TargetState.PAUSED
    st.apply(2, *task_config_record(T("a-b", 0), {"t": "0"}))
    st.apply(3, *task_config_record(T("a-b", 1), {"t": "1"}))
    assert st.state.tasks("a-b") == [] and st.state.offset == 4  # not applied before the commit
    st.apply(4, *commit_record("a-b", 2))
    assert st.state.tasks("a-b") == [T("a-b", 0), T("a-b", 1)]
    assert st.state.task_config(T("a-b", 1)) == {"t": "1"}
    assert st.state.offset == 5
    # incomplete set: inconsistent, task list empty until a complete commit
    st.apply(5, *task_config_record(T("a-b", 0), {"t": "new"}))
    st.apply(6, *commit_record("a-b", 3))
    assert st.state.tasks("a-b") == [] and "a-b" in st.state.inconsistent
    assert st.state.task_count("a-b") == 3
    assert st.state.assignable_task_counts() == {"a-b": 0}
    for i in range(3):
        st.apply(7 + i, *task_config_record(T("a-b", i), {"t": str(i)}))
    st.apply(10, *commit_record("a-b", 3))
    assert len(st.state.tasks("a-b")) == 3 and not st.state.inconsistent
    # target state tombstone with a config -> STARTED; bad values ignored
    st.apply(11, b"target-state-a-b", None)
    assert st.state.target_state("a-b") is TargetState.STARTED
    st.apply(12, b"target-state-a-b", b'{"state":"BOGUS"}')
    st.apply(13, b"connector-zz", b"{not json")
    st.apply(14, b"something-else", b"{}")
    st.apply(15, b"task-a-b-0", None)
    assert st.state.offset == 16 and st.state.connectors() == ["a-b"]
    # state.v2 preferred over state
    st.apply(16, b"target-state-a-b", b'{"state":"PAUSED","state.v2":"STOPPED"}')
    assert st.state.target_state("a-b") is TargetState.STOPPED
    # delete
    st.apply(17, *connector_config_record("a-b", None))
    assert not st.state.contains("a-b") and st.state.tasks("a-b") == [] and not st.state.task_configs
    # commit for unknown connector is ignored
    st.apply(18, *task_config_record(T("gone", 0), {}))
    st.apply(19, *commit_record("gone", 1))
    assert "gone" not in st.state.task_counts
    st.apply(20, *session_key_record(SessionKey(b"k", "HmacSHA256", 5)))
    assert st.state.session_key == SessionKey(b"k", "HmacSHA256", 5)
    st.apply(21, *task_count_record("x", 4))
    assert st.state.task_count_records == {"x": 4}


def test_config_listener_only_after_start() -> None:
    from genesis_worker.storage.base import ConfigUpdateListener

    events: list[object] = []

    class L(ConfigUpdateListener):
        def on_connector_config_update(self, connector: str) -> None:
            events.append(("cfg", connector))

        def on_task_config_update(self, tasks: list[ConnectorTaskId]) -> None:
            events.append(("tasks", tasks))

        def on_restart_request(self, request: RestartRequest) -> None:
            events.append(request)

    st = ConfigState()
    st.listeners.append(L())
    st.apply(0, *connector_config_record("c", {}))
    st.apply(1, *restart_request_record(RestartRequest("c")))
    assert events == []
    st.started = True
    st.apply(2, *task_config_record(T("c", 0), {}))
    st.apply(3, *commit_record("c", 1))
    st.apply(4, b"restart-connector-c", b'{"include-tasks":"yes","only-failed":true}')
    assert events == [("tasks", [T("c", 0)]), RestartRequest("c", only_failed=True, include_tasks=False)]


# --------------------------------------------------------------------------------------- status


def test_status_bytes() -> None:
    s = ConnectorStatus("my-source", State.RUNNING, "10.0.0.1:8083", 7)
    assert status_key(s) == b"status-connector-my-source"
    # Connect 4.4's STATUS_SCHEMA_V0: state, trace, worker_id, generation, version (KIP-891), nulls written
    assert status_value(s) == (
        b'{"state":"RUNNING","trace":null,"worker_id":"10.0.0.1:8083","generation":7,"version":null}'
    )
    t = TaskStatus(T("my-source", 0), State.FAILED, "10.0.0.2:8083", 7, "boom\n\tat x", "4.4.0")
    assert status_key(t) == b"status-task-my-source-0"
    assert status_value(t) == (
        b'{"state":"FAILED","trace":"boom\\n\\tat x","worker_id":"10.0.0.2:8083","generation":7,"version":"4.4.0"}'
    )
    assert status_value(ConnectorStatus("c", State.DESTROYED, "w", 1)) is None
    ts = TopicStatus("t1", "my-sink", 0, 1730000000000)
    assert topic_status_key("my-sink", "t1") == b"status-topic-t1:connector-my-sink"
    assert topic_status_value(ts) == (
        b'{"topic":{"name":"t1","connector":"my-sink","task":0,"discoverTimestamp":1730000000000}}'
    )


def test_status_reading_rules() -> None:
    c = StatusCache()
    run = TaskStatus(T("a-b", 3), State.RUNNING, "w2", 5)
    c.apply(status_key(run), status_value(run))
    stale = TaskStatus(T("a-b", 3), State.UNASSIGNED, "w1", 5)
    c.apply(status_key(stale), status_value(stale))
    assert c.tasks["a-b"][3] == run  # stale UNASSIGNED ignored
    newer = TaskStatus(T("a-b", 3), State.UNASSIGNED, "w1", 6)
    c.apply(status_key(newer), status_value(newer))
    assert c.tasks["a-b"][3] == newer
    c.apply(status_key(newer), None)
    assert 3 not in c.tasks["a-b"]
    ts = TopicStatus("t:x", "a-b", 0, 1)
    c.apply(topic_status_key("a-b", "t"), topic_status_value(ts))
    assert c.topics["a-b"]["t"] == ts
    c.apply(topic_status_key("a-b", "t"), None)
    assert c.topics["a-b"] == {}
    c.apply(b"status-unknown-x", b"{}")
    c.apply(b"status-connector-c", b'{"state":"RUNNING","worker_id":"w","generation":1}')  # Connect 3.x
    assert c.connectors["c"].trace is None and c.connectors["c"].version is None
    c.apply(b"status-connector-c", b'{"state":"RUNNING","trace":null,"worker_id":"w","generation":2,"version":"1.2"}')
    assert c.connectors["c"].version == "1.2"

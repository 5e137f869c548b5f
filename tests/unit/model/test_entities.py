"""The REST entities serialise with Connect's field order, leaving unset optional fields out."""

from __future__ import annotations

import orjson

from genesis_worker.model.entities import (
    ConnectorInfo,
    ConnectorOffset,
    ConnectorOffsets,
    ConnectorState,
    ConnectorStateInfo,
    Message,
    TaskInfo,
    TaskState,
    WorkerStatus,
)
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import RestartRequest, State


def test_connector_info_and_task_info() -> None:
    info = ConnectorInfo("c", {"connector.class": "X", "name": "c"}, [ConnectorTaskId("c", 0)], "sink")
    assert orjson.dumps(info.to_json()) == (
        b'{"name":"c","config":{"connector.class":"X","name":"c"},"tasks":[{"connector":"c","task":0}],"type":"sink"}'
    )
    assert TaskInfo(ConnectorTaskId("c", 1), {"k": "v"}).to_json() == {
        "id": {"connector": "c", "task": 1},
        "config": {"k": "v"},
    }


def test_state_info_orders_fields_and_omits_unset_ones() -> None:
    status = ConnectorStateInfo(
        "c",
        ConnectorState(State.RUNNING, "w:8083", version="1.0"),
        [TaskState(0, State.FAILED, "w:8083", "boom"), TaskState(1, State.RUNNING, "w:8083", "", "1.0")],
        "source",
    )
    assert orjson.dumps(status.to_json()) == (
        b'{"name":"c","connector":{"state":"RUNNING","version":"1.0","worker_id":"w:8083"},'
        b'"tasks":[{"id":0,"state":"FAILED","worker_id":"w:8083","trace":"boom"},'
        b'{"id":1,"state":"RUNNING","version":"1.0","worker_id":"w:8083"}],"type":"source"}'
    )


def test_offsets_message_and_worker_status() -> None:
    offsets = ConnectorOffsets([ConnectorOffset({"kafka_topic": "t", "kafka_partition": 0}, {"kafka_offset": 5})])
    assert offsets.to_json() == {
        "offsets": [{"partition": {"kafka_topic": "t", "kafka_partition": 0}, "offset": {"kafka_offset": 5}}]
    }
    assert Message("done").to_json() == {"message": "done"}
    assert WorkerStatus("healthy", "ok").to_json() == {"status": "healthy", "message": "ok"}


def test_restart_request_impact_prefers_the_wider_restart() -> None:
    plain = RestartRequest("c")
    failed_tasks = RestartRequest("c", only_failed=True, include_tasks=True)
    all_tasks = RestartRequest("c", include_tasks=True)
    assert plain.impact < failed_tasks.impact < all_tasks.impact

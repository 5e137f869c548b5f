"""What the herder answers, typed (Java ``org.apache.kafka.connect.runtime.rest.entities``).

The REST layer turns them into JSON with ``to_json()``; the field order of each JSON object is the one
Connect's Jackson output has, and optional fields (``version``, ``trace``) are left out when unset::

    ConnectorInfo("c", {"connector.class": "X"}, [ConnectorTaskId("c", 0)], "sink").to_json()
    # {"name": "c", "config": {...}, "tasks": [{"connector": "c", "task": 0}], "type": "sink"}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import State

JsonObj = dict[str, Any]


@dataclass(frozen=True)
class ConnectorInfo:
    name: str
    config: dict[str, str]
    tasks: list[ConnectorTaskId]
    type: str

    def to_json(self) -> JsonObj:
        return {
            "name": self.name,
            "config": dict(self.config),
            "tasks": [t.to_json() for t in self.tasks],
            "type": self.type,
        }


@dataclass(frozen=True)
class TaskInfo:
    id: ConnectorTaskId
    config: dict[str, str]

    def to_json(self) -> JsonObj:
        return {"id": self.id.to_json(), "config": dict(self.config)}


@dataclass(frozen=True)
class ConnectorState:
    """``ConnectorStateInfo.ConnectorState``: a connector's state, where it runs and why it failed."""

    state: State
    worker_id: str
    trace: str | None = None
    version: str | None = None

    def to_json(self) -> JsonObj:
        return _state_json({}, self)


@dataclass(frozen=True)
class TaskState:
    """``ConnectorStateInfo.TaskState``: as :class:`ConnectorState`, with the task number."""

    id: int
    state: State
    worker_id: str
    trace: str | None = None
    version: str | None = None

    def to_json(self) -> JsonObj:
        return _state_json({"id": self.id}, self)


def _state_json(out: JsonObj, st: ConnectorState | TaskState) -> JsonObj:
    out["state"] = st.state.value
    if st.version is not None:
        out["version"] = st.version
    out["worker_id"] = st.worker_id
    if st.trace:
        out["trace"] = st.trace
    return out


@dataclass(frozen=True)
class ConnectorStateInfo:
    name: str
    connector: ConnectorState
    tasks: list[TaskState]
    type: str

    def to_json(self) -> JsonObj:
        return {
            "name": self.name,
            "connector": self.connector.to_json(),
            "tasks": [t.to_json() for t in self.tasks],
            "type": self.type,
        }


@dataclass(frozen=True)
class ConnectorOffset:
    """One partition's offset (KIP-875): for sinks ``{kafka_topic, kafka_partition}`` / ``{kafka_offset}``."""

    partition: dict[str, Any] | None
    offset: dict[str, Any] | None

    def to_json(self) -> JsonObj:
        return {"partition": self.partition, "offset": self.offset}


@dataclass(frozen=True)
class ConnectorOffsets:
    offsets: list[ConnectorOffset] = field(default_factory=list)

    def to_json(self) -> JsonObj:
        return {"offsets": [o.to_json() for o in self.offsets]}


@dataclass(frozen=True)
class Message:
    """A plain ``{"message": ...}`` answer (e.g. of an offsets alter or reset)."""

    message: str

    def to_json(self) -> JsonObj:
        return {"message": self.message}


@dataclass(frozen=True)
class WorkerStatus:
    """``GET /health`` (KIP-1017): ``healthy``, ``starting`` or ``unhealthy``, with a message."""

    status: str
    message: str

    def to_json(self) -> JsonObj:
        return {"status": self.status, "message": self.message}

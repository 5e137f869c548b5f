"""Status records of the status topic (Java ``ConnectorStatus``, ``TaskStatus``, ``TopicStatus``)."""

from __future__ import annotations

from dataclasses import dataclass

from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import State


@dataclass(frozen=True)
class ConnectorStatus:
    connector: str
    state: State
    worker_id: str
    generation: int
    trace: str | None = None
    version: str | None = None  # KIP-891: the plugin version that reported it (Connect 4.x stores it)


@dataclass(frozen=True)
class TaskStatus:
    id: ConnectorTaskId
    state: State
    worker_id: str
    generation: int
    trace: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class TopicStatus:
    topic: str
    connector: str
    task: int
    discover_timestamp: int

"""The leader-side assignor interface (Java ``ConnectAssignor``), shaped like aiokafka's
``AbstractPartitionAssignor``: a small class with a ``name`` and an ``assign`` method."""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from genesis_worker.group.protocol import (
    CONFIG_MISMATCH,
    ConnectAssignment,
    WorkerState,
    decode_metadata,
    encode_assignment,
)
from genesis_worker.model.ids import ConnectorTaskId


@dataclass(frozen=True)
class ConfigSnapshot:
    """What the assignor needs from the config store: the config offset (-1 if nothing read) and, per
    connector with a config, its committed task count (0 when the task configs are inconsistent)."""

    offset: int
    task_counts: Mapping[str, int] = field(default_factory=dict)

    def tasks(self, connector: str) -> list[ConnectorTaskId]:
        return [ConnectorTaskId(connector, i) for i in range(self.task_counts.get(connector, 0))]


@dataclass
class AssignmentResult:
    """The leader's answer: one assignment per member plus who owns what (url) after this round."""

    assignments: dict[str, ConnectAssignment]
    connector_owners: dict[str, str] = field(default_factory=dict)
    task_owners: dict[ConnectorTaskId, str] = field(default_factory=dict)

    def encoded(self) -> dict[str, bytes]:
        return {m: encode_assignment(a) for m, a in self.assignments.items()}


SnapshotSource = Callable[[], ConfigSnapshot]


def decode_members(members: Mapping[str, bytes] | Mapping[str, WorkerState]) -> dict[str, WorkerState]:
    out: dict[str, WorkerState] = {}
    for member_id, meta in members.items():
        out[member_id] = meta if isinstance(meta, WorkerState) else decode_metadata(meta)
    return out


def resolve_snapshot(
    states: Mapping[str, WorkerState], snapshot: ConfigSnapshot, refresh: SnapshotSource | None
) -> tuple[ConfigSnapshot, int]:
    """Group spec §6.2 steps 2-3: returns (snapshot to use, max member offset). The caller answers
    CONFIG_MISMATCH if the returned snapshot's offset is still below the max member offset."""
    max_offset = max((s.offset for s in states.values()), default=snapshot.offset)
    if snapshot.offset < max_offset and refresh is not None:
        snapshot = refresh()
    return snapshot, max_offset


def config_mismatch(
    states: Mapping[str, WorkerState], leader_id: str, leader_url: str, max_offset: int, version: int
) -> AssignmentResult:
    return AssignmentResult(
        {m: ConnectAssignment(version, CONFIG_MISMATCH, leader_id, leader_url, max_offset) for m in states}
    )


class ConnectAssignor(abc.ABC):
    """Computes member assignments on the group leader."""

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """Protocol name this assignor serves (``default``, ``compatible``, ``sessioned``)."""

    @abc.abstractmethod
    def assign(
        self,
        leader_id: str,
        members: Mapping[str, bytes] | Mapping[str, WorkerState],
        snapshot: ConfigSnapshot,
        *,
        refresh: SnapshotSource | None = None,
        generation: int = -1,
        last_completed_generation: int = -1,
        now_ms: int | None = None,
    ) -> AssignmentResult:
        """``members`` maps member id -> JoinGroup metadata (bytes or decoded), in the coordinator's
        order. ``refresh`` takes a fresh config snapshot when members are ahead of ``snapshot``."""

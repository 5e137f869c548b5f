"""Eager assignment for protocol ``default`` (Java ``EagerAssignor``, group spec §7)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from genesis_worker.group.assignors.abstract import (
    AssignmentResult,
    ConfigSnapshot,
    ConnectAssignor,
    SnapshotSource,
    config_mismatch,
    decode_members,
    resolve_snapshot,
)
from genesis_worker.group.protocol import NO_ERROR, ConnectAssignment, WorkerState
from genesis_worker.model.ids import ConnectorTaskId


def java_string_key(s: str) -> list[int]:
    """Sort key matching Java ``String.compareTo`` (UTF-16 code units)."""
    b = s.encode("utf-16-be")
    return [int.from_bytes(b[i : i + 2], "big") for i in range(0, len(b), 2)]


class EagerAssignor(ConnectAssignor):
    """Round-robin connectors, then tasks, over members sorted by id; everyone restarts everything."""

    @property
    def name(self) -> str:
        return "default"

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
        states = decode_members(members)
        leader_url = states[leader_id].url if leader_id in states else ""
        snapshot, max_offset = resolve_snapshot(states, snapshot, refresh)
        if snapshot.offset < max_offset:
            return config_mismatch(states, leader_id, leader_url, max_offset, 0)

        member_ids = sorted(states, key=java_string_key)
        connectors: dict[str, list[str]] = {m: [] for m in member_ids}
        tasks: dict[str, list[ConnectorTaskId]] = {m: [] for m in member_ids}
        result = AssignmentResult({})
        cycle = itertools.cycle(member_ids)
        names = sorted(snapshot.task_counts, key=java_string_key)
        for name in names:
            m = next(cycle)
            connectors[m].append(name)
            result.connector_owners[name] = states[m].url
        for name in names:
            for task in snapshot.tasks(name):
                m = next(cycle)
                tasks[m].append(task)
                result.task_owners[task] = states[m].url
        for m in member_ids:
            result.assignments[m] = ConnectAssignment(
                0, NO_ERROR, leader_id, leader_url, snapshot.offset, tuple(connectors[m]), tuple(tasks[m])
            )
        return result

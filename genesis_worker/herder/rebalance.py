"""Member-side bookkeeping of what this worker owns across rebalances (group spec §6.3, §7, §8.1).

:class:`LocalAssignment` is the worker's running set (the ``allocation`` it reports in its JoinGroup
metadata) and turns each received assignment into what to stop and what to start::

    local = LocalAssignment()
    change = local.apply(decode_assignment(raw), eager=False)
    await stop(change.stop_connectors, change.stop_tasks)
    await start(change.start_connectors, change.start_tasks)
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field

from genesis_worker.group.protocol import NO_ERROR, ConnectAssignment, ConnectProtocolCompatibility
from genesis_worker.model.ids import ConnectorTaskId


@dataclass
class AssignmentChange:
    """Items to stop (revoked) and to start (newly assigned), in assignment order."""

    stop_connectors: list[str] = field(default_factory=list)
    stop_tasks: list[ConnectorTaskId] = field(default_factory=list)
    start_connectors: list[str] = field(default_factory=list)
    start_tasks: list[ConnectorTaskId] = field(default_factory=list)

    @property
    def revoked_any(self) -> bool:
        return bool(self.stop_connectors or self.stop_tasks)


class LocalAssignment:
    """The connectors and tasks assigned to this worker (insertion-ordered)."""

    def __init__(self) -> None:
        self.connectors: dict[str, None] = {}
        self.tasks: dict[ConnectorTaskId, None] = {}
        self.leader = ""
        self.leader_url = ""
        self.offset = -1
        self.known = False
        """False until a first successful assignment (the JoinGroup allocation is then null)."""

    def owns_connector(self, name: str) -> bool:
        return name in self.connectors

    def owns_task(self, task: ConnectorTaskId) -> bool:
        return task in self.tasks

    def tasks_of(self, connectors: Iterable[str]) -> list[ConnectorTaskId]:
        names = set(connectors)
        return [t for t in self.tasks if t.connector in names]

    def clear(self) -> AssignmentChange:
        """Forget everything (eager revocation, leaving the group); returns what was running."""
        change = AssignmentChange(stop_connectors=list(self.connectors), stop_tasks=list(self.tasks))
        self.connectors.clear()
        self.tasks.clear()
        return change

    def apply(self, assignment: ConnectAssignment, *, eager: bool) -> AssignmentChange:
        """Adopt a successful assignment. Eager: the assignment is the whole new set (everything was
        stopped at join-prepare; anything still held and not re-assigned is stopped too). Cooperative:
        stop ``revoked``, then add ``assignment`` to what keeps running."""
        if assignment.error != NO_ERROR:
            raise ValueError("cannot apply a failed assignment")
        change = AssignmentChange()
        if eager:
            keep_c = set(assignment.connectors)
            keep_t = set(assignment.tasks)
            change.stop_connectors = [c for c in self.connectors if c not in keep_c]
            change.stop_tasks = [t for t in self.tasks if t not in keep_t]
            change.start_connectors = [c for c in assignment.connectors if c not in self.connectors]
            change.start_tasks = [t for t in assignment.tasks if t not in self.tasks]
            self.connectors = dict.fromkeys(assignment.connectors)
            self.tasks = dict.fromkeys(assignment.tasks)
        else:
            for c in assignment.revoked_connectors:
                if c in self.connectors:
                    change.stop_connectors.append(c)
                    del self.connectors[c]
            for t in assignment.revoked_tasks:
                if t in self.tasks:
                    change.stop_tasks.append(t)
                    del self.tasks[t]
            for c in assignment.connectors:
                if c not in self.connectors:
                    change.start_connectors.append(c)
                    self.connectors[c] = None
            for t in assignment.tasks:
                if t not in self.tasks:
                    change.start_tasks.append(t)
                    self.tasks[t] = None
        self.leader = assignment.leader
        self.leader_url = assignment.leader_url
        self.offset = assignment.offset
        self.known = True
        return change

    def allocation(self, version: int) -> ConnectAssignment | None:
        """The running set as the V1/V2 metadata ``allocation`` (None before any assignment)."""
        if not self.known:
            return None
        return ConnectAssignment(
            version,
            NO_ERROR,
            self.leader,
            self.leader_url,
            self.offset,
            tuple(self.connectors),
            tuple(self.tasks),
        )


@dataclass
class GroupState:
    """This worker's place in the group, shared by the parts of the distributed herder: what the last
    assignment said (generation, member and leader, the protocol in force), what the worker runs
    (``local``), who owns what (leader only) and whether config changes wait for a rebalance."""

    protocol: ConnectProtocolCompatibility
    generation: int = -1
    member_id: str = ""
    leader_id: str = ""
    local: LocalAssignment = field(default_factory=LocalAssignment)
    connector_owners: dict[str, str] = field(default_factory=dict)
    task_owners: dict[ConnectorTaskId, str] = field(default_factory=dict)
    needs_rebalance: bool = False
    """Config changes (a new or removed connector, new task configs) need a rebalance (Java's
    ``needsReconfigRebalance``); REST requests answer 409 meanwhile."""
    joined: asyncio.Event = field(default_factory=asyncio.Event)
    """Set by the first assignment: leader-only requests wait for it."""

    @property
    def is_leader(self) -> bool:
        return bool(self.member_id) and self.member_id == self.leader_id

    @property
    def eager(self) -> bool:
        return self.protocol is ConnectProtocolCompatibility.EAGER

    @property
    def sessioned(self) -> bool:
        return self.protocol is ConnectProtocolCompatibility.SESSIONED

    def leader_url(self) -> str | None:
        if not self.local.known:
            return None
        return self.local.leader_url or None

    def owns_any(self, connector: str) -> bool:
        """The connector or one of its tasks runs here."""
        return connector in self.local.connectors or any(t.connector == connector for t in self.local.tasks)


def cooperative_unsync_backoff_ms(max_delay_ms: int, failures: int) -> int:
    """Group spec §6.3 step 3: ``max_delay / 10 / r`` for r = 5, 4, 3, 2, 1 on successive failures."""
    r = max(1, 6 - max(1, failures))
    return max_delay_ms // 10 // r

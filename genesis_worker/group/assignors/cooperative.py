"""Incremental cooperative assignment for protocols ``compatible`` and ``sessioned`` (Java
``IncrementalCooperativeAssignor``, group spec §8).

The assignor object is the leader's memory between rounds: keep one instance for the lifetime of the
worker (a worker that is newly elected leader starts from the initial state, which is what a fresh
instance or :meth:`reset` gives).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from genesis_worker.group.assignors.abstract import (
    AssignmentResult,
    ConfigSnapshot,
    ConnectAssignor,
    SnapshotSource,
    config_mismatch,
    decode_members,
    resolve_snapshot,
)
from genesis_worker.group.assignors.eager import java_string_key
from genesis_worker.group.protocol import NO_ERROR, ConnectAssignment, WorkerState
from genesis_worker.model.ids import ConnectorTaskId

log = logging.getLogger(__name__)

_T = TypeVar("_T")

DEFAULT_MAX_DELAY_MS = 300_000


@dataclass
class ConnectorsAndTasks:
    """Insertion-ordered sets of connectors and tasks."""

    connectors: dict[str, None] = field(default_factory=dict)
    tasks: dict[ConnectorTaskId, None] = field(default_factory=dict)

    @classmethod
    def of(cls, connectors: Iterable[str] = (), tasks: Iterable[ConnectorTaskId] = ()) -> ConnectorsAndTasks:
        return cls(dict.fromkeys(connectors), dict.fromkeys(tasks))

    def copy(self) -> ConnectorsAndTasks:
        return ConnectorsAndTasks(dict(self.connectors), dict(self.tasks))

    def is_empty(self) -> bool:
        return not self.connectors and not self.tasks

    def add_all(self, other: ConnectorsAndTasks) -> None:
        self.connectors.update(other.connectors)
        self.tasks.update(other.tasks)

    def remove_all(self, other: ConnectorsAndTasks) -> None:
        for c in other.connectors:
            self.connectors.pop(c, None)
        for t in other.tasks:
            self.tasks.pop(t, None)

    def minus(self, *others: ConnectorsAndTasks) -> ConnectorsAndTasks:
        out = self.copy()
        for o in others:
            out.remove_all(o)
        return out

    def intersect(self, other: ConnectorsAndTasks) -> ConnectorsAndTasks:
        return ConnectorsAndTasks.of(
            (c for c in self.connectors if c in other.connectors), (t for t in self.tasks if t in other.tasks)
        )

    def overlaps(self, other: ConnectorsAndTasks) -> bool:
        return any(c in other.connectors for c in self.connectors) or any(t in other.tasks for t in self.tasks)


def _sorted_items(items: ConnectorsAndTasks) -> tuple[list[str], list[ConnectorTaskId]]:
    return (
        sorted(items.connectors, key=java_string_key),
        sorted(items.tasks, key=lambda t: (java_string_key(t.connector), t.task)),
    )


def consecutive_revoking_backoff(attempts: int, max_delay: int) -> int:
    """Java ``ExponentialBackoff(1, 40, maxDelay, 0)``: 40, 1600, 64000, ... capped at maxDelay."""
    if max_delay <= 0:
        return 0
    return int(min(40**attempts, max_delay))


class IncrementalCooperativeAssignor(ConnectAssignor):
    """Leader algorithm of group spec §8.3, with the state of §8.2 kept on the instance."""

    def __init__(self, protocol: str = "sessioned", max_delay_ms: int = DEFAULT_MAX_DELAY_MS) -> None:
        self._protocol = protocol
        self.max_delay_ms = max_delay_ms
        self.reset()

    @property
    def name(self) -> str:
        return self._protocol

    @property
    def version(self) -> int:
        return 1 if self._protocol == "compatible" else 2

    def reset(self) -> None:
        self.previous_assignment = ConnectorsAndTasks()
        self.previous_revocation = ConnectorsAndTasks()
        self.previous_generation_id = -1
        self.previous_members: set[str] = set()
        self.scheduled_rebalance = 0
        self.delay = 0
        self.candidate_workers_for_reassignment: dict[str, None] = {}
        self.revoked_in_previous = False
        self.num_successive_revoking_rebalances = 0

    def _reset_delay(self) -> None:
        self.candidate_workers_for_reassignment.clear()
        self.scheduled_rebalance = 0
        if self.delay != 0:
            log.debug("resetting rebalance delay from %s to 0", self.delay)
        self.delay = 0

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
        version: int | None = None,
    ) -> AssignmentResult:
        states = decode_members(members)
        version = self.version if version is None else version
        leader_url = states[leader_id].url if leader_id in states else ""
        snapshot, max_offset = resolve_snapshot(states, snapshot, refresh)
        if snapshot.offset < max_offset:
            return config_mismatch(states, leader_id, leader_url, max_offset, version)
        now = int(time.time() * 1000) if now_ms is None else now_ms
        running = {
            m: ConnectorsAndTasks.of(s.allocation.connectors, s.allocation.tasks)
            if s.allocation is not None
            else ConnectorsAndTasks()
            for m, s in states.items()
        }
        return self._perform(
            leader_id, leader_url, states, running, snapshot, generation, last_completed_generation, now, version
        )

    def _perform(
        self,
        leader_id: str,
        leader_url: str,
        states: Mapping[str, WorkerState],
        running: dict[str, ConnectorsAndTasks],
        snapshot: ConfigSnapshot,
        generation: int,
        last_completed_generation: int,
        now: int,
        version: int,
    ) -> AssignmentResult:
        # 1.
        if self.previous_generation_id != last_completed_generation:
            log.debug(
                "previous round generation %s != last completed %s: clearing previous assignment",
                self.previous_generation_id,
                last_completed_generation,
            )
            self.previous_assignment = ConnectorsAndTasks()
        # 2. 3.
        configured = ConnectorsAndTasks()
        for name in snapshot.task_counts:
            configured.connectors[name] = None
        for name in snapshot.task_counts:
            for t in snapshot.tasks(name):
                configured.tasks[t] = None
        active = ConnectorsAndTasks()
        for r in running.values():
            active.add_all(r)
        # 4.
        if not self.previous_revocation.is_empty():
            if self.previous_revocation.overlaps(active):
                self.previous_assignment = active.copy()
            self.previous_revocation = ConnectorsAndTasks()
        # 5.
        deleted = self.previous_assignment.minus(configured)
        duplicated = ConnectorsAndTasks()
        seen = ConnectorsAndTasks()
        for r in running.values():
            duplicated.add_all(r.intersect(seen))
            seen.add_all(r)
        lost = self.previous_assignment.minus(active, deleted)
        created = configured.minus(self.previous_assignment, active)
        log.debug("deleted=%s duplicated=%s lost=%s created=%s", deleted, duplicated, lost, created)
        # 6. 7.
        to_revoke: dict[str, ConnectorsAndTasks] = {}
        for m, r in running.items():
            rev = r.intersect(deleted)
            rev.add_all(r.intersect(duplicated))
            if not rev.is_empty():
                to_revoke[m] = rev
        nxt = {m: r.minus(to_revoke.get(m, ConnectorsAndTasks())) for m, r in running.items()}
        current = {m: r.minus(deleted) for m, r in running.items()}
        # 8.
        lost_to_reassign = self._handle_lost_assignments(lost, nxt, now)
        # 9.
        if self.delay == 0:
            balancing = self._load_balancing_revocations(configured, nxt)
            if self.revoked_in_previous and balancing:
                self.num_successive_revoking_rebalances += 1
                self.delay = consecutive_revoking_backoff(self.num_successive_revoking_rebalances, self.max_delay_ms)
                if self.delay != 0:
                    self.scheduled_rebalance = now + self.delay
                    log.debug("consecutive revoking rebalances: delaying revocations by %s ms", self.delay)
                else:
                    self._apply_revocations(balancing, to_revoke, nxt)
            elif balancing:
                self._apply_revocations(balancing, to_revoke, nxt)
                self.revoked_in_previous = True
            elif self.revoked_in_previous:
                self.revoked_in_previous = False
                self.num_successive_revoking_rebalances = 0
        else:
            self.revoked_in_previous = False
        # 10. 11.
        created_c, created_t = _sorted_items(created)
        lost_c, lost_t = _sorted_items(lost_to_reassign)
        self._assign_connectors(nxt, created_c + [c for c in lost_c if c not in created.connectors])
        self._assign_tasks(nxt, created_t + [t for t in lost_t if t not in created.tasks])
        # 12.
        result = AssignmentResult({})
        for m in running:
            added = nxt[m].minus(current[m])
            revoked = to_revoke.get(m, ConnectorsAndTasks())
            result.assignments[m] = ConnectAssignment(
                version,
                NO_ERROR,
                leader_id,
                leader_url,
                snapshot.offset,
                tuple(added.connectors),
                tuple(added.tasks),
                tuple(revoked.connectors),
                tuple(revoked.tasks),
                self.delay,
            )
            for c in nxt[m].connectors:
                result.connector_owners[c] = states[m].url
            for t in nxt[m].tasks:
                result.task_owners[t] = states[m].url
        # 13.
        previous = ConnectorsAndTasks()
        for n in nxt.values():
            previous.add_all(n)
        for rev in to_revoke.values():
            previous.remove_all(rev)
            self.previous_revocation.add_all(rev)
        previous.add_all(lost)
        self.previous_assignment = previous
        self.previous_generation_id = generation
        self.previous_members = set(running)
        return result

    @staticmethod
    def _apply_revocations(
        balancing: dict[str, ConnectorsAndTasks],
        to_revoke: dict[str, ConnectorsAndTasks],
        nxt: dict[str, ConnectorsAndTasks],
    ) -> None:
        for m, rev in balancing.items():
            to_revoke.setdefault(m, ConnectorsAndTasks()).add_all(rev)
            nxt[m].remove_all(rev)

    def _handle_lost_assignments(
        self, lost: ConnectorsAndTasks, nxt: dict[str, ConnectorsAndTasks], now: int
    ) -> ConnectorsAndTasks:
        """Step 8; returns the lost items to reassign as new work (candidates get theirs directly)."""
        to_reassign = ConnectorsAndTasks()
        if lost.is_empty() and not self.revoked_in_previous:
            self._reset_delay()
            return to_reassign
        if self.scheduled_rebalance <= 0 and self.previous_members.issubset(nxt):
            log.debug("no worker left the group: reassigning missing items as new work")
            to_reassign.add_all(lost)
            return to_reassign
        if self.max_delay_ms == 0:
            to_reassign.add_all(lost)
            return to_reassign
        if self.scheduled_rebalance > 0 and now >= self.scheduled_rebalance:
            candidates = [m for m in self.candidate_workers_for_reassignment if m in nxt]
            if candidates:
                lost_c, lost_t = _sorted_items(lost)
                for i, c in enumerate(lost_c):
                    nxt[candidates[i % len(candidates)]].connectors[c] = None
                for i, t in enumerate(lost_t):
                    nxt[candidates[i % len(candidates)]].tasks[t] = None
            else:
                to_reassign.add_all(lost)
            self._reset_delay()
            self.revoked_in_previous = False
            return to_reassign
        for m, n in nxt.items():
            if n.is_empty():
                self.candidate_workers_for_reassignment[m] = None
        if now < self.scheduled_rebalance:
            self.delay = min(self.scheduled_rebalance - now, self.max_delay_ms)
        else:
            self.delay = self.max_delay_ms
        self.scheduled_rebalance = now + self.delay
        return to_reassign

    def _load_balancing_revocations(
        self, configured: ConnectorsAndTasks, nxt: dict[str, ConnectorsAndTasks]
    ) -> dict[str, ConnectorsAndTasks]:
        if all(n.is_empty() for n in nxt.values()) or configured.is_empty():
            return {}
        out: dict[str, ConnectorsAndTasks] = {}
        for m, items in _balance(len(configured.connectors), {m: list(n.connectors) for m, n in nxt.items()}).items():
            out.setdefault(m, ConnectorsAndTasks()).connectors.update(dict.fromkeys(items))
        for m, tasks in _balance(len(configured.tasks), {m: list(n.tasks) for m, n in nxt.items()}).items():
            out.setdefault(m, ConnectorsAndTasks()).tasks.update(dict.fromkeys(tasks))
        return {m: r for m, r in out.items() if not r.is_empty()}

    @staticmethod
    def _assign_connectors(nxt: dict[str, ConnectorsAndTasks], items: list[str]) -> None:
        order = sorted(nxt, key=lambda m: (len(nxt[m].connectors), java_string_key(m)))
        _spread(order, items, lambda m: len(nxt[m].connectors), lambda m, c: nxt[m].connectors.__setitem__(c, None))

    @staticmethod
    def _assign_tasks(nxt: dict[str, ConnectorsAndTasks], items: list[ConnectorTaskId]) -> None:
        order = sorted(nxt, key=lambda m: (len(nxt[m].tasks), java_string_key(m)))
        _spread(order, items, lambda m: len(nxt[m].tasks), lambda m, t: nxt[m].tasks.__setitem__(t, None))


def _spread(order: list[str], items: list[_T], size: Callable[[str], int], give: Callable[[str, _T], None]) -> None:
    """Step 11: deal items over the least-loaded prefix of ``order`` (sorted once, never re-sorted)."""
    if not order:
        return
    it = iter(items)
    remaining = len(items)
    first = order[0]
    while remaining > 0:
        k = size(first)
        up_to = next((i for i, m in enumerate(order) if size(m) > k), len(order))
        for m in order[:up_to]:
            give(m, next(it))
            remaining -= 1
            if remaining == 0:
                break


def _balance(total: int, allocations: dict[str, list[_T]]) -> dict[str, list[_T]]:
    """Step 9 for one kind of item: which items to revoke from over-loaded members."""
    workers = len(allocations)
    if workers == 0:
        return {}
    minimum, extras = divmod(total, workers)
    sizes = [len(a) for a in allocations.values()]
    at_min = sum(1 for n in sizes if n == minimum)
    at_extra = sum(1 for n in sizes if n == minimum + 1)
    if at_extra == extras and at_min + at_extra == workers:
        return {}
    out: dict[str, list[_T]] = {}
    allocated_extras = 0
    for m, items in allocations.items():
        size = len(items)
        if size <= minimum:
            continue
        if allocated_extras < extras:
            allocated_extras += 1
            if size == minimum + 1:
                continue
            allowed = minimum + 1
        else:
            allowed = minimum
        out[m] = items[: size - allowed]
    return out

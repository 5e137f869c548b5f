"""Group membership and assignment handling of the distributed herder (Java ``DistributedHerder``'s
``RebalanceListener`` and ``handleRebalanceCompleted``; group spec §6-§8).

:class:`AssignmentHandler` is the ``connect`` group member's listener: it reports this worker's metadata
(advertised URL, config offset and running set), stops everything before an eager rebalance, runs the
assignor when it is the leader, and applies each assignment: catch up on the config topic, stop revoked
work, start new work, rejoin after revocations and honour the leader's ``delay``. It also watches the
group coordinator: a worker that loses it stops its work (§1.2).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

from genesis_worker.group.assignors import EagerAssignor, IncrementalCooperativeAssignor
from genesis_worker.group.membership import GroupAssignment, GroupListener, Protocols, WorkerGroupMember
from genesis_worker.group.protocol import (
    ConnectAssignment,
    ConnectProtocolCompatibility,
    WorkerState,
    decode_assignment,
    decode_metadata,
    metadata_protocols,
)
from genesis_worker.herder.config_updates import PendingUpdates
from genesis_worker.herder.config_view import ConfigSnapshots
from genesis_worker.herder.distributed_config import DistributedConfig
from genesis_worker.herder.key_rotation import SessionKeys
from genesis_worker.herder.rebalance import GroupState, cooperative_unsync_backoff_ms
from genesis_worker.herder.stage import Stage
from genesis_worker.herder.status_writer import StatusWriter
from genesis_worker.herder.work import LocalWork
from genesis_worker.metrics.registry import WorkerMetrics
from genesis_worker.model.ids import ConnectorTaskId

log = logging.getLogger(__name__)


class AssignmentHandler(GroupListener):
    """See the module doc. Group callbacks run under the herder's lock, as Java's herder thread does."""

    def __init__(
        self,
        cfg: DistributedConfig,
        group: GroupState,
        snapshots: ConfigSnapshots,
        work: LocalWork,
        statuses: StatusWriter,
        pending: PendingUpdates,
        keys: SessionKeys,
        *,
        rest_url: str,
        worker_id: str,
        lock: asyncio.Lock,
        wake: asyncio.Event,
        stage: Stage,
        metrics: WorkerMetrics | None = None,
    ) -> None:
        self._cfg = cfg
        self._metrics = metrics
        self._group = group
        self._snapshots = snapshots
        self._work = work
        self._statuses = statuses
        self._pending = pending
        self._keys = keys
        self._url = rest_url
        self._worker_id = worker_id
        self._lock = lock
        self._wake = wake
        self._stage = stage
        self._eager_assignor = EagerAssignor()
        self._coop_assignor = IncrementalCooperativeAssignor(
            cfg.protocol.protocol if cfg.protocol.version >= 1 else "compatible", cfg.scheduled_rebalance_max_delay_ms
        )
        self.member: WorkerGroupMember | None = None
        self.stopping = False
        self.rebalance_resolved = False
        self.rejoin_at: float | None = None
        """Monotonic time of a scheduled rejoin (the leader's ``delay``, a back-off)."""
        self._last_failed = False
        self._unsync_failures = 0
        self._coordinator_lost_at: float | None = None
        self._join_started_at: float | None = None

    # --- the group member ----------------------------------------------------------------------------

    async def join(self, client_config: Mapping[str, Any]) -> None:
        """Create the group member (this handler is its listener) and start joining."""
        cfg = self._cfg
        client_id = cfg.client_id or f"connect-{self._worker_id}"
        self.member = WorkerGroupMember(
            cfg.bootstrap_servers,
            cfg.group_id,
            listener=self,
            client_id=client_id,
            session_timeout_ms=cfg.session_timeout_ms,
            rebalance_timeout_ms=cfg.rebalance_timeout_ms,
            heartbeat_interval_ms=cfg.heartbeat_interval_ms,
            retry_backoff_ms=cfg.retry_backoff_ms,
            **client_config,
        )
        if self._metrics is not None:
            self._metrics.group_client, self._metrics.client_id = self.member, client_id
        await self.member.start()

    async def leave(self) -> None:
        """Stop everything this worker runs (under the lock), then leave the group."""
        self.stopping = True
        async with self._lock:
            await self.stop_all()
        await self._statuses.flush()
        if self.member is not None:
            await self.member.close()

    async def stop_all(self) -> None:
        change = self._group.local.clear()
        await self._work.stop(change.stop_connectors, change.stop_tasks)

    def request_rejoin(self, reason: str) -> None:
        self.rebalance_resolved = False
        if self.member is not None:
            self.member.request_rejoin(reason)

    # --- group listener --------------------------------------------------------------------------------

    def protocols(self) -> Protocols:
        snap = self._snapshots.current()
        version = self._cfg.protocol.version
        # the running set is reported with the header of the protocol in force (1 or 2)
        alloc = self._group.local.allocation(1)  # re-headed with the version of each metadata entry
        state = WorkerState(self._url, snap.offset, alloc)
        self._join_started_at = time.monotonic()
        return metadata_protocols(ConnectProtocolCompatibility.from_version(version), state)

    async def on_join_prepare(self, generation: int, member_id: str) -> None:
        if self.stopping:
            return
        if self._metrics is not None:
            self._metrics.rebalance.started()
        async with self._lock:
            self.rebalance_resolved = False
            if self._group.eager and self._group.local.known and not self._last_failed:
                await self.stop_all()
            await self._statuses.flush()

    async def perform_assignment(
        self,
        leader_id: str,
        protocol: str,
        members: Sequence[tuple[str, bytes]],
        generation: int,
        last_completed_generation: int,
    ) -> Mapping[str, bytes]:
        compat = ConnectProtocolCompatibility.from_protocol(protocol)
        ordered = dict(members)
        snapshot = self._snapshots.for_assignor()
        refresh = self._snapshots.for_assignor
        if compat is ConnectProtocolCompatibility.EAGER:
            result = self._eager_assignor.assign(leader_id, ordered, snapshot, refresh=refresh)
        else:
            result = self._coop_assignor.assign(
                leader_id,
                ordered,
                snapshot,
                refresh=refresh,
                generation=generation,
                last_completed_generation=last_completed_generation,
                version=compat.version,
            )
        self._group.connector_owners = dict(result.connector_owners)
        self._group.task_owners = dict(result.task_owners)
        await self._note_departures(members, generation, compat is ConnectProtocolCompatibility.EAGER)
        first = next(iter(result.assignments.values()), None)
        log.info(
            "leader %s: assignment for generation %s (%s, config offset %s, delay %s) over %s members",
            self._worker_id,
            generation,
            protocol,
            first.offset if first else None,
            first.delay if first else None,
            len(result.assignments),
        )
        return result.encoded()

    async def _note_departures(self, members: Sequence[tuple[str, bytes]], generation: int, eager: bool) -> None:
        """Statuses of work no member runs any more become UNASSIGNED (see ``StatusWriter.mark_not_running``).
        Cooperative protocols only: eager members report no allocation (they revoke everything to join)."""
        if eager:
            return
        connectors: set[str] = set()
        tasks: set[ConnectorTaskId] = set()
        for _, metadata in members:
            try:
                allocation = decode_metadata(metadata).allocation
            except Exception:  # a member we cannot read: do not guess what it runs
                return
            if allocation is not None:
                connectors.update(allocation.connectors)
                tasks.update(allocation.tasks)
        n = await self._statuses.mark_not_running(connectors, tasks, generation)
        if n:
            log.info("leader %s: %s statuses of work no member runs marked UNASSIGNED", self._worker_id, n)

    async def on_assigned(self, assignment: GroupAssignment) -> None:
        a = decode_assignment(assignment.assignment)
        if self.stopping:
            return
        async with self._lock:
            if self.stopping:
                return
            group = self._group
            group.generation = assignment.generation
            group.member_id = assignment.member_id
            group.leader_id = assignment.leader_id
            group.joined.set()
            group.protocol = ConnectProtocolCompatibility.from_protocol(assignment.protocol)
            try:
                await self._handle(a)
            except Exception:
                log.exception("herder %s: failed to apply the assignment; rejoining", self._worker_id)
                self.rejoin_at = time.monotonic() + self._cfg.retry_backoff_ms / 1000 + 1.0
        self._wake.set()

    async def on_membership_lost(self, reason: str) -> None:
        log.warning("herder %s: group membership lost (%s); rejoining", self._worker_id, reason)

    # --- applying an assignment (group spec §6.3) -------------------------------------------------------

    async def _handle(self, a: ConnectAssignment) -> None:
        group = self._group
        log.info(
            "herder %s: joined generation %s (leader %s, %s): error %s, offset %s, +%s/%s -%s/%s, delay %s",
            self._worker_id,
            group.generation,
            group.leader_id,
            group.protocol.protocol,
            a.error,
            a.offset,
            list(a.connectors),
            [str(t) for t in a.tasks],
            list(a.revoked_connectors),
            [str(t) for t in a.revoked_tasks],
            a.delay,
        )
        if not group.is_leader:
            group.connector_owners.clear()
            group.task_owners.clear()
        if a.failed:
            self._last_failed = True
            if group.is_leader or self._snapshots.current().offset < a.offset:
                await self._snapshots.read_to_end()
            group.local.leader_url = a.leader_url
            group.local.leader = a.leader
            self.request_rejoin("config mismatch: catching up on the config topic")
            return
        self._last_failed = False
        if self._snapshots.current().offset < a.offset and not await self._snapshots.read_to_end():
            await self._handle_unsync(a)
            return
        if self._snapshots.current().offset != a.offset:
            log.info(
                "herder %s: config offset %s != assignment offset %s; rejoining",
                self._worker_id,
                self._snapshots.current().offset,
                a.offset,
            )
            self.request_rejoin("config offset mismatch after catching up")
            return
        self._unsync_failures = 0
        await self._apply(a)
        if group.is_leader:
            await self._statuses.remove_deleted(self._snapshots.current())
            if group.sessioned:
                await self._keys.ensure()

    async def _apply(self, a: ConnectAssignment) -> None:
        group, pending = self._group, self._pending
        eager = group.eager
        change = group.local.apply(a, eager=eager)
        if change.stop_connectors or change.stop_tasks:
            await self._work.stop(change.stop_connectors, change.stop_tasks)
        # tasks stopped by a task-config update restart if still ours
        restart = [t for t in pending.tasks_to_restart if t in group.local.tasks and t not in change.start_tasks]
        pending.tasks_to_restart.clear()
        # task-config updates the tick has not handled yet: this assignment was computed from those
        # configs, so kept tasks of those connectors restart now with them (cooperative; eager restarts all)
        updated, pending.task_configs = pending.task_configs, set()
        if updated and not eager:
            kept = [t for t in group.local.tasks if t.connector in updated and t not in change.start_tasks]
            kept = [t for t in kept if t not in restart]
            if kept:
                await self._work.runtime.stop_tasks(kept)
                restart += kept
        # connectors started now get their latest config: no separate restart needed
        pending.connectors.difference_update(change.start_connectors)
        with self._stage(f"starting {len(change.start_connectors)} connectors and {len(change.start_tasks)} tasks"):
            await self._work.start(change.start_connectors, change.start_tasks + restart, self._snapshots.current())
        self.rebalance_resolved = True
        group.needs_rebalance = False
        if self._metrics is not None:
            took_ms = None if self._join_started_at is None else (time.monotonic() - self._join_started_at) * 1000
            self._metrics.rebalance.completed_one(group.generation, took_ms)
        if change.revoked_any and not eager:
            self.request_rejoin("revoked connectors/tasks in the last assignment")
        if a.delay > 0:
            self.rejoin_at = time.monotonic() + a.delay / 1000
            log.info("herder %s: scheduled rebalance in %s ms", self._worker_id, a.delay)
        else:
            self.rejoin_at = None

    async def _handle_unsync(self, a: ConnectAssignment) -> None:
        self._unsync_failures += 1
        if self._group.eager:
            backoff = self._cfg.worker_unsync_backoff_ms
        else:
            backoff = cooperative_unsync_backoff_ms(self._cfg.scheduled_rebalance_max_delay_ms, self._unsync_failures)
            if self._unsync_failures >= 5:
                await self.stop_all()
                self._unsync_failures = 0
        log.warning(
            "herder %s: could not read the config topic to offset %s within %s ms; rejoining in %s ms",
            self._worker_id,
            a.offset,
            self._cfg.worker_sync_timeout_ms,
            backoff,
        )
        self.rejoin_at = time.monotonic() + backoff / 1000

    # --- the tick's checks ---------------------------------------------------------------------------------

    async def check_coordinator(self, now: float) -> None:
        """Group spec §1.2: a worker that has lost the coordinator and cannot find it again within
        ``heartbeat.interval.ms`` stops everything and forgets its assignment, so that no task runs twice
        while it is outside the group (the leader reassigns its work after the scheduled delay)."""
        member = self.member
        if member is None or member.coordinator_id is not None:
            self._coordinator_lost_at = None
            return
        if self._coordinator_lost_at is None:
            self._coordinator_lost_at = now
            return
        if now - self._coordinator_lost_at < self._cfg.heartbeat_interval_ms / 1000:
            return
        local = self._group.local
        if local.connectors or local.tasks:
            log.warning(
                "herder %s: group coordinator unreachable for more than %s ms; stopping all connectors and tasks",
                self._worker_id,
                self._cfg.heartbeat_interval_ms,
            )
            await self.stop_all()
            local.known = False
            self.rebalance_resolved = False
            self.request_rejoin("lost the group coordinator")

    def rejoin_if_due(self, now: float) -> None:
        if self.rejoin_at is not None and now >= self.rejoin_at:
            self.rejoin_at = None
            self.request_rejoin("scheduled rebalance")

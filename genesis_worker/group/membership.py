"""Membership of a Kafka group with protocol type ``connect`` (Java ``WorkerGroupMember`` +
``AbstractCoordinator``), on aiokafka's protocol layer and connection management.

librdkafka cannot join a group with a non-consumer protocol type and aiokafka's consumer coordinator
is consumer-protocol specific, so this module drives FindCoordinator / JoinGroup / SyncGroup /
Heartbeat / LeaveGroup itself with aiokafka's request classes sent through ``AIOKafkaClient``.

Usage::

    member = WorkerGroupMember("127.0.0.1:9092", "connect-cluster", listener=my_listener,
                               protocols=[("sessioned", meta_v2), ("compatible", meta_v1)])
    await member.start()          # joins in the background; listener callbacks deliver assignments
    member.request_rejoin("task configs updated")
    await member.close()          # LeaveGroup
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiokafka.errors as Errors
from aiokafka.client import AIOKafkaClient, ConnectionGroup, CoordinationType
from aiokafka.protocol.group import (
    HeartbeatRequest,
    JoinGroupRequest,
    LeaveGroupRequest,
    SyncGroupRequest,
)

from genesis_worker.group.protocol import CONNECT_PROTOCOL_TYPE

log = logging.getLogger(__name__)

NO_GENERATION = -1
UNKNOWN_MEMBER_ID = ""

Protocols = Sequence[tuple[str, bytes]]


@dataclass(frozen=True)
class GroupAssignment:
    """What every member learns at the end of a successful join + sync round."""

    generation: int
    member_id: str
    leader_id: str
    protocol: str
    assignment: bytes
    last_completed_generation: int
    """The generation of the previous successfully completed round of this member (-1 if none)."""

    @property
    def is_leader(self) -> bool:
        return self.member_id == self.leader_id


class GroupListener(abc.ABC):
    """Callbacks of a :class:`WorkerGroupMember` (Java ``WorkerRebalanceListener`` + the
    ``WorkerCoordinator`` hooks). All are awaited on the member's background task."""

    def protocols(self) -> Protocols | None:
        """Protocols to offer at the next JoinGroup (metadata built from the current config
        snapshot and running set); ``None`` uses the list given to the member."""
        return None

    async def on_join_prepare(self, generation: int, member_id: str) -> None:  # noqa: B027
        """Called once before (re)joining; the eager protocol stops everything here."""

    @abc.abstractmethod
    async def perform_assignment(
        self,
        leader_id: str,
        protocol: str,
        members: Sequence[tuple[str, bytes]],
        generation: int,
        last_completed_generation: int,
    ) -> Mapping[str, bytes]:
        """Leader only: member id -> assignment bytes for every member."""

    @abc.abstractmethod
    async def on_assigned(self, assignment: GroupAssignment) -> None:
        """A round completed: apply the assignment."""

    async def on_membership_lost(self, reason: str) -> None:  # noqa: B027
        """The member was dropped by the coordinator (session expired, fenced) and will rejoin."""


class WorkerGroupMember:
    """One member of a ``connect`` group; runs join/sync and heartbeats as background tasks."""

    def __init__(
        self,
        bootstrap_servers: str | list[str],
        group_id: str,
        *,
        listener: GroupListener,
        protocols: Protocols = (),
        client_id: str = "connect",
        session_timeout_ms: int = 10_000,
        rebalance_timeout_ms: int = 60_000,
        heartbeat_interval_ms: int = 3_000,
        retry_backoff_ms: int = 100,
        client: AIOKafkaClient | None = None,
        **client_config: Any,
    ) -> None:
        self.group_id = group_id
        self._listener = listener
        self._protocols = list(protocols)
        self._session_timeout_ms = session_timeout_ms
        self._rebalance_timeout_ms = rebalance_timeout_ms
        self._heartbeat_interval = heartbeat_interval_ms / 1000
        self._retry_backoff = retry_backoff_ms / 1000
        self._own_client = client is None
        self._client = client or AIOKafkaClient(
            bootstrap_servers=bootstrap_servers,
            client_id=client_id,
            request_timeout_ms=max(40_000, rebalance_timeout_ms + 5_000),
            retry_backoff_ms=retry_backoff_ms,
            **client_config,
        )
        self.member_id = UNKNOWN_MEMBER_ID
        self.generation = NO_GENERATION
        self.leader_id: str | None = None
        self.protocol: str | None = None
        self.last_completed_generation = NO_GENERATION
        self.coordinator_id: int | None = None
        self.last_assignment: GroupAssignment | None = None
        self._stable = False
        self._needs_join_prepare = True
        self._rejoin = asyncio.Event()
        self._rejoin.set()
        self._coordinator_dead = asyncio.Event()
        self._closing = False
        self._last_heartbeat_ok = time.monotonic()
        self._tasks: list[asyncio.Task[None]] = []
        self._lock = asyncio.Lock()
        # requests sent to / answered by the coordinator, per request class (for the worker's metrics)
        self.requests: Counter[str] = Counter()
        self.responses: Counter[str] = Counter()

    # ------------------------------------------------------------------------------------ public

    @property
    def is_leader(self) -> bool:
        return self.leader_id is not None and self.leader_id == self.member_id

    @property
    def stable(self) -> bool:
        """True between a completed sync and the next rebalance."""
        return self._stable

    async def start(self) -> None:
        if self._own_client:
            await self._client.bootstrap()
        self._tasks = [
            asyncio.create_task(self._run(), name=f"connect-group-{self.group_id}"),
            asyncio.create_task(self._heartbeat_loop(), name=f"connect-heartbeat-{self.group_id}"),
        ]

    def request_rejoin(self, reason: str = "") -> None:
        """Rejoin the group as soon as possible (revocations, delay expiry, config changes)."""
        log.info("group %s: rejoin requested: %s", self.group_id, reason)
        self._rejoin.set()

    async def close(self) -> None:
        """Leave the group and stop the background tasks (and the client if we created it)."""
        if self._closing:
            return
        self._closing = True
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._send_leave("worker shutting down"), 5)
        if self._own_client:
            await self._client.close()

    # ----------------------------------------------------------------------------------- internals

    async def _send(self, request: Any) -> Any:
        assert self.coordinator_id is not None
        api = type(request).__name__
        self.requests[api] += 1
        resp = await self._client.send(self.coordinator_id, request, group=ConnectionGroup.COORDINATION)
        self.responses[api] += 1
        return resp

    def connection_count(self) -> int:
        """Open connections of the group client (Connect's ``connect-metrics`` ``connection-count``)."""
        conns = getattr(self._client, "_conns", None) or {}  # aiokafka keeps them in a private dict
        return sum(1 for conn in conns.values() if conn.connected())

    def _mark_coordinator_dead(self, why: object) -> None:
        if self.coordinator_id is not None:
            log.info("group %s: coordinator %s is unavailable: %s", self.group_id, self.coordinator_id, why)
        self.coordinator_id = None
        self._coordinator_dead.set()

    def _reset_generation(self) -> None:
        self.member_id = UNKNOWN_MEMBER_ID
        self.generation = NO_GENERATION
        self._stable = False

    async def _ensure_coordinator_known(self) -> None:
        while self.coordinator_id is None and not self._closing:
            try:
                node_id = await self._client.coordinator_lookup(CoordinationType.GROUP, self.group_id)
            except Errors.KafkaError as err:
                if not err.retriable:
                    raise
                log.debug("group %s: FindCoordinator failed: %s", self.group_id, err)
                await self._client.force_metadata_update()
                await asyncio.sleep(self._retry_backoff)
                continue
            if not await self._client.ready(node_id, group=ConnectionGroup.COORDINATION):
                await asyncio.sleep(self._retry_backoff)
                continue
            self.coordinator_id = node_id
            self._coordinator_dead.clear()
            log.info("group %s: discovered coordinator %s", self.group_id, node_id)

    async def _run(self) -> None:
        while not self._closing:
            try:
                await self._ensure_coordinator_known()
                if self._rejoin.is_set():
                    async with self._lock:
                        await self._join_and_sync()
                    continue
                waiters = [
                    asyncio.create_task(self._rejoin.wait()),
                    asyncio.create_task(self._coordinator_dead.wait()),
                ]
                try:
                    await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    for w in waiters:
                        w.cancel()
            except asyncio.CancelledError:
                raise
            except (Errors.KafkaConnectionError, Errors.NodeNotReadyError, Errors.RequestTimedOutError) as err:
                self._mark_coordinator_dead(err)
                await asyncio.sleep(self._retry_backoff)
            except Exception:
                log.exception("group %s: unexpected error in the membership loop", self.group_id)
                await asyncio.sleep(max(self._retry_backoff, 1.0))

    async def _join_and_sync(self) -> None:
        """One attempt at a join + sync round; on retriable failure the rejoin flag stays set."""
        if self._needs_join_prepare:
            await self._listener.on_join_prepare(self.generation, self.member_id)
            self._needs_join_prepare = False
        self._stable = False
        protocols = list(self._listener.protocols() or self._protocols)
        request = JoinGroupRequest(
            self.group_id,
            self._session_timeout_ms,
            self._rebalance_timeout_ms,
            self.member_id,
            None,  # Connect never uses static membership
            CONNECT_PROTOCOL_TYPE,
            protocols,
        )
        log.debug("group %s: JoinGroup as %r", self.group_id, self.member_id)
        resp = await self._send(request)
        error = Errors.for_code(resp.error_code)
        if error is Errors.MemberIdRequired:
            self.member_id = resp.member_id
            log.debug("group %s: broker assigned member id %s", self.group_id, self.member_id)
            return
        if error is not Errors.NoError:
            await self._handle_round_error("JoinGroup", error)
            return
        self.member_id = resp.member_id
        self.generation = resp.generation_id
        self.leader_id = resp.leader_id
        self.protocol = resp.group_protocol
        log.info(
            "group %s: joined generation %s as %s (leader %s, protocol %s)",
            self.group_id,
            self.generation,
            self.member_id,
            self.leader_id,
            self.protocol,
        )
        assignments: list[tuple[str, bytes]] = []
        if self.leader_id == self.member_id:
            members = [(m[0], bytes(m[-1])) for m in resp.members]
            assert self.protocol is not None
            result = await self._listener.perform_assignment(
                self.member_id, self.protocol, members, self.generation, self.last_completed_generation
            )
            assignments = list(result.items())
        sync = SyncGroupRequest(self.group_id, self.generation, self.member_id, None, assignments)
        sresp = await self._send(sync)
        error = Errors.for_code(sresp.error_code)
        if error is not Errors.NoError:
            await self._handle_round_error("SyncGroup", error)
            return
        assignment = GroupAssignment(
            self.generation,
            self.member_id,
            self.leader_id,
            self.protocol,
            bytes(sresp.member_assignment),
            self.last_completed_generation,
        )
        self.last_completed_generation = self.generation
        self.last_assignment = assignment
        self._rejoin.clear()
        self._stable = True
        self._needs_join_prepare = True
        self._last_heartbeat_ok = time.monotonic()
        await self._listener.on_assigned(assignment)

    async def _handle_round_error(self, api: str, error: type[Exception]) -> None:
        log.info("group %s: %s failed: %s", self.group_id, api, error.__name__)
        if error in (Errors.UnknownMemberIdError, Errors.IllegalGenerationError):
            self._reset_generation()
        elif error in (Errors.NotCoordinatorForGroupError, Errors.GroupCoordinatorNotAvailableError):
            self._mark_coordinator_dead(error.__name__)
        elif error in (Errors.RebalanceInProgressError, Errors.GroupLoadInProgressError):
            pass
        else:
            await asyncio.sleep(self._retry_backoff)
            raise error()
        await asyncio.sleep(self._retry_backoff)

    async def _heartbeat_loop(self) -> None:
        while not self._closing:
            await asyncio.sleep(self._heartbeat_interval)
            if not self._stable or self.coordinator_id is None:
                continue
            try:
                resp = await self._send(HeartbeatRequest(self.group_id, self.generation, self.member_id))
            except asyncio.CancelledError:
                raise
            except Errors.KafkaError as err:
                self._mark_coordinator_dead(err)
                continue
            error = Errors.for_code(resp.error_code)
            if error is Errors.NoError:
                self._last_heartbeat_ok = time.monotonic()
            elif error is Errors.RebalanceInProgressError:
                if self._stable:
                    self.request_rejoin("group is rebalancing")
            elif error in (Errors.UnknownMemberIdError, Errors.IllegalGenerationError):
                self._reset_generation()
                await self._listener.on_membership_lost(error.__name__)
                self.request_rejoin(f"heartbeat failed: {error.__name__}")
            elif error in (Errors.NotCoordinatorForGroupError, Errors.GroupCoordinatorNotAvailableError):
                self._mark_coordinator_dead(error.__name__)
            else:
                log.warning("group %s: heartbeat error %s", self.group_id, error.__name__)

    async def _send_leave(self, reason: str) -> None:
        if self.member_id == UNKNOWN_MEMBER_ID or self.coordinator_id is None:
            self._reset_generation()
            return
        log.info("group %s: member %s leaving the group: %s", self.group_id, self.member_id, reason)
        try:
            resp = await self._send(LeaveGroupRequest(self.group_id, self.member_id))
            error = Errors.for_code(resp.error_code)
            if error is not Errors.NoError:
                log.info("group %s: LeaveGroup: %s", self.group_id, error.__name__)
        finally:
            self._reset_generation()

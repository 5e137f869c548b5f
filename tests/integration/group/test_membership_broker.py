"""WorkerGroupMember against a real broker: join, leader election, assignment delivery, leave,
session-timeout eviction."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from genesis_worker.group.membership import GroupAssignment, GroupListener, WorkerGroupMember
from genesis_worker.group.protocol import ConnectProtocolCompatibility, WorkerState, metadata_protocols

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


class RecordingListener(GroupListener):
    def __init__(self, name: str) -> None:
        self.name = name
        self.assignments: list[GroupAssignment] = []
        self.leader_rounds: list[list[tuple[str, bytes]]] = []
        self.prepared = 0

    async def on_join_prepare(self, generation: int, member_id: str) -> None:
        self.prepared += 1

    async def perform_assignment(
        self,
        leader_id: str,
        protocol: str,
        members: Sequence[tuple[str, bytes]],
        generation: int,
        last_completed_generation: int,
    ) -> Mapping[str, bytes]:
        self.leader_rounds.append(list(members))
        return {m: f"{generation}:{m}".encode() for m, _ in members}

    async def on_assigned(self, assignment: GroupAssignment) -> None:
        self.assignments.append(assignment)


def make_member(bootstrap: str, group: str, name: str, **kw: Any) -> tuple[WorkerGroupMember, RecordingListener]:
    listener = RecordingListener(name)
    protocols = metadata_protocols(ConnectProtocolCompatibility.SESSIONED, WorkerState(f"http://{name}:8083/", -1))
    kw.setdefault("session_timeout_ms", 10_000)
    kw.setdefault("heartbeat_interval_ms", 500)
    kw.setdefault("rebalance_timeout_ms", 15_000)
    member = WorkerGroupMember(bootstrap, group, listener=listener, protocols=protocols, client_id=name, **kw)
    return member, listener


async def wait_for(cond: Any, limit: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not cond():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.1)


def settled(members: list[WorkerGroupMember]) -> bool:
    gens = {m.generation for m in members}
    return (
        all(m.stable and m.last_assignment is not None for m in members)
        and len(gens) == 1
        and all(m.last_assignment.generation == m.generation for m in members if m.last_assignment)
    )


async def test_three_members_join_leave_and_eviction(kafka: Any) -> None:
    group = f"connect-it-{uuid.uuid4().hex[:8]}"
    pairs = [make_member(kafka.bootstrap, group, f"w{i}") for i in range(3)]
    members = [m for m, _ in pairs]
    try:
        for m in members:
            await m.start()
        await wait_for(lambda: settled(members))
        leaders = {m.leader_id for m in members}
        assert len(leaders) == 1
        leader_id = leaders.pop()
        assert sum(m.is_leader for m in members) == 1
        gen = members[0].generation
        assert gen >= 0
        for m, lst in pairs:
            a = lst.assignments[-1]
            assert a.protocol == "sessioned" == m.protocol
            assert a.assignment == f"{gen}:{m.member_id}".encode()
            assert a.leader_id == leader_id
            assert m.member_id.startswith(lst.name + "-")
        leader_listener = next(lst for m, lst in pairs if m.is_leader)
        last_round = leader_listener.leader_rounds[-1]
        assert {mid for mid, _ in last_round} == {m.member_id for m in members}
        # the leader sees every member's metadata bytes intact
        for _, meta in last_round:
            assert meta[:2] == b"\x00\x02"

        # one member leaves gracefully -> the others rebalance into a new generation
        leaving = members.pop()
        await leaving.close()
        for m in members:
            m.request_rejoin("test")  # Java members learn it from the heartbeat; make it quick
        await wait_for(lambda: settled(members) and members[0].generation > gen)
        assert {m.generation for m in members} == {members[0].generation}
        gen2 = members[0].generation
        leader_listener = next(lst for m, lst in pairs[:2] if m.is_leader)
        assert len(leader_listener.leader_rounds[-1]) == 2

        # session-timeout eviction: a member that stops heartbeating is dropped by the coordinator
        victim = members.pop()
        for t in victim._tasks:
            t.cancel()
        await wait_for(lambda: members[0].generation > gen2 and settled(members), limit=90)
        survivor_listener = pairs[0][1] if pairs[0][0] is members[0] else pairs[1][1]
        assert survivor_listener.assignments[-1].leader_id == members[0].member_id
        assert members[0].is_leader
        victim._closing = True
        await victim._client.close()
    finally:
        for m in members:
            await m.close()


async def test_rejoin_after_heartbeat_notices_rebalance(kafka: Any) -> None:
    group = f"connect-it-{uuid.uuid4().hex[:8]}"
    a, la = make_member(kafka.bootstrap, group, "a")
    b, _lb = make_member(kafka.bootstrap, group, "b")
    try:
        await a.start()
        await wait_for(lambda: settled([a]))
        g1 = a.generation
        await b.start()
        # a learns about the new member only through its heartbeat (REBALANCE_IN_PROGRESS)
        await wait_for(lambda: settled([a, b]) and a.generation > g1)
        assert a.leader_id == b.leader_id
        assert la.assignments[-1].last_completed_generation == g1
    finally:
        await a.close()
        await b.close()

"""DistributedHerder's handling of assignments (group spec §6.3, §7, §8.1) and its leader CONFIG_MISMATCH
answer (§6.2), without a broker: in-memory stores, a recording runtime and a stub group member (test
doubles, named as such)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from genesis_worker.group.membership import GroupAssignment
from genesis_worker.group.protocol import (
    CONFIG_MISMATCH,
    ConnectAssignment,
    WorkerState,
    decode_assignment,
    encode_assignment,
    encode_metadata,
)
from genesis_worker.herder.distributed import DistributedHerder
from genesis_worker.herder.distributed_config import DistributedConfig
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import TargetState
from genesis_worker.plugins.registry import PluginRegistry
from genesis_worker.storage.memory import MemoryConfigBackingStore, MemoryStatusBackingStore

A0, A1, B0 = ConnectorTaskId("a", 0), ConnectorTaskId("a", 1), ConnectorTaskId("b", 0)
PROPS = {
    "group.id": "g",
    "config.storage.topic": "c",
    "offset.storage.topic": "o",
    "status.storage.topic": "s",
    "scheduled.rebalance.max.delay.ms": "10000",
}


class StubMember:
    """Records rejoin requests (test double of WorkerGroupMember)."""

    def __init__(self) -> None:
        self.rejoins: list[str] = []

    def request_rejoin(self, reason: str = "") -> None:
        self.rejoins.append(reason)


class Runtime:
    """Records what the herder starts and stops (test double of WorkerRuntime)."""

    metrics = None

    def __init__(self) -> None:
        self.started: list[str] = []
        self.stopped: list[str] = []

    async def start_connector(self, name: str, config: Any, target: TargetState, on_reconfigure: Any) -> bool:
        self.started.append(name)
        return True

    async def start_task(self, task: Any, cc: Any, tc: Any, target: TargetState, count: int) -> bool:
        self.started.append(str(task))
        return True

    async def stop_tasks(self, tasks: list[Any]) -> None:
        self.stopped += [str(t) for t in tasks]

    async def stop_connectors(self, names: list[str]) -> None:
        self.stopped += names

    def is_running(self, name: str) -> bool:
        return False


async def herder(
    props: dict[str, str] | None = None, config: MemoryConfigBackingStore | None = None
) -> tuple[DistributedHerder, Runtime, StubMember, MemoryConfigBackingStore]:
    config = config or MemoryConfigBackingStore()
    for name, n in (("a", 2), ("b", 1)):
        await config.put_connector_config(name, {"connector.class": "x", "name": name})
        await config.put_task_configs(name, [{"task.class": "t"}] * n)
    runtime = Runtime()
    h = DistributedHerder(
        DistributedConfig.from_props(props or PROPS),
        rest_url="http://w1:8083/",
        worker_id="w1:8083",
        runtime=lambda listener, reload: runtime,
        config_store=config,
        status_store=MemoryStatusBackingStore(),
        offset_store=None,
        plugins=PluginRegistry(),
    )
    member = StubMember()
    h.assignment.member = member  # type: ignore[assignment]
    return h, runtime, member, config


def assigned(
    a: ConnectAssignment, member: str = "m1", leader: str = "m0", protocol: str = "sessioned", gen: int = 3
) -> GroupAssignment:
    return GroupAssignment(gen, member, leader, protocol, encode_assignment(a), gen - 1)


def coop(offset: int, connectors=(), tasks=(), revoked_c=(), revoked_t=(), delay=0, error=0) -> ConnectAssignment:
    return ConnectAssignment(
        2,
        error,
        "m0",
        "http://w0:8083/",
        offset,
        tuple(connectors),
        tuple(tasks),
        tuple(revoked_c),
        tuple(revoked_t),
        delay,
    )


async def test_starts_assigned_work_then_stops_only_revoked() -> None:
    h, rt, member, config = await herder()
    off = config.state.offset
    await h.assignment.on_assigned(assigned(coop(off, ["a"], [A0, A1])))
    assert rt.started == ["a", "a-0", "a-1"] and rt.stopped == [] and member.rejoins == []
    assert h.leader_url() == "http://w0:8083/" and not h.is_leader
    await h.assignment.on_assigned(assigned(coop(off, ["b"], [B0], revoked_t=[A1]), gen=4))
    assert rt.stopped == ["a-1"] and rt.started[-2:] == ["b", "b-0"]
    assert member.rejoins == ["revoked connectors/tasks in the last assignment"]
    # the next JoinGroup reports the running set
    (name, meta), *_ = h.assignment.protocols()
    from genesis_worker.group.protocol import decode_metadata

    state = decode_metadata(meta)
    assert name == "sessioned" and state.offset == off and state.url == "http://w1:8083/"
    assert state.allocation is not None and set(state.allocation.tasks) == {A0, B0}


async def test_config_mismatch_rejoins_without_starting() -> None:
    h, rt, member, config = await herder()
    await h.assignment.on_assigned(assigned(coop(config.state.offset + 5, error=CONFIG_MISMATCH)))
    assert rt.started == [] and member.rejoins and "config mismatch" in member.rejoins[0]


class StuckConfigStore(MemoryConfigBackingStore):
    """A config store that never catches up (test double)."""

    async def refresh(self) -> None:
        await asyncio.sleep(30)


async def test_behind_the_assignment_backs_off_and_does_not_start() -> None:
    h, rt, member, config = await herder({**PROPS, "worker.sync.timeout.ms": "100"}, StuckConfigStore())
    before = time.monotonic()
    await h.assignment.on_assigned(assigned(coop(config.state.offset + 3, ["a"])))
    assert rt.started == [] and member.rejoins == []
    # cooperative: back off max.delay / 10 / 5 before rejoining
    rejoin_at = h.assignment.rejoin_at
    assert rejoin_at is not None and rejoin_at - before >= 10000 / 10 / 5 / 1000 - 0.01
    assert rejoin_at - before < 0.5


async def test_ahead_of_the_assignment_rejoins() -> None:
    h, rt, member, config = await herder()
    await h.assignment.on_assigned(assigned(coop(config.state.offset - 1, ["a"])))
    assert rt.started == [] and member.rejoins == ["config offset mismatch after catching up"]


async def test_delay_schedules_a_rejoin() -> None:
    h, _rt, _member, config = await herder()
    before = time.monotonic()
    await h.assignment.on_assigned(assigned(coop(config.state.offset, delay=2500)))
    rejoin_at = h.assignment.rejoin_at
    assert rejoin_at is not None and 2.4 <= rejoin_at - before <= 2.6


async def test_eager_stops_everything_before_rejoining() -> None:
    h, rt, _member, config = await herder({**PROPS, "connect.protocol": "eager"})
    off = config.state.offset
    v0 = ConnectAssignment(0, 0, "m0", "http://w0:8083/", off, ("a",), (A0, B0))
    await h.assignment.on_assigned(assigned(v0, protocol="default"))
    assert rt.started == ["a", "a-0", "b-0"]
    await h.assignment.on_join_prepare(3, "m1")
    assert sorted(rt.stopped) == ["a", "a-0", "b-0"]
    assert [p for p, _ in h.assignment.protocols()] == ["default"]


async def test_leader_answers_config_mismatch_when_a_member_is_ahead() -> None:
    h, _rt, _member, config = await herder()
    off = config.state.offset
    members = [
        ("m0", encode_metadata(WorkerState("http://w1:8083/", off), 2)),
        ("m1", encode_metadata(WorkerState("http://w2:8083/", off + 4), 2)),
    ]
    out = await h.assignment.perform_assignment("m0", "sessioned", members, 5, 4)
    got = {m: decode_assignment(b) for m, b in out.items()}
    assert {a.error for a in got.values()} == {CONFIG_MISMATCH}
    assert {a.offset for a in got.values()} == {off + 4}
    # caught up: a normal assignment of everything configured
    members[1] = ("m1", encode_metadata(WorkerState("http://w2:8083/", off), 2))
    got = {
        m: decode_assignment(b)
        for m, b in (await h.assignment.perform_assignment("m0", "sessioned", members, 6, 5)).items()
    }
    assert {a.error for a in got.values()} == {0}
    assert sorted(c for a in got.values() for c in a.connectors) == ["a", "b"]
    assert sorted(str(t) for a in got.values() for t in a.tasks) == ["a-0", "a-1", "b-0"]


async def test_new_task_configs_restart_kept_tasks_when_the_assignment_comes_first() -> None:
    h, rt, member, config = await herder()
    config.add_listener(h.updates)
    await h.assignment.on_assigned(assigned(coop(config.state.offset, ["a"], [A0, A1])))
    rt.started.clear()
    await config.put_task_configs("a", [{"task.class": "t", "v": "2"}] * 2)
    assert h.group.needs_rebalance
    # the rebalance (started by another worker) completes before this worker's tick ran
    await h.assignment.on_assigned(assigned(coop(config.state.offset), gen=4))
    assert sorted(rt.stopped) == ["a-0", "a-1"] and sorted(rt.started) == ["a-0", "a-1"]
    assert not h.group.needs_rebalance and member.rejoins == []


async def test_leader_only_request_waits_for_the_first_assignment(monkeypatch) -> None:
    """A request sent while the worker is still joining waits for the group (as Java queues it) and is then
    routed: here to the leader's URL, instead of an immediate 409 'no known leader'."""
    from genesis_worker.herder import distributed
    from genesis_worker.herder.errors import NotLeaderException

    h, _rt, _member, config = await herder()
    request = asyncio.ensure_future(h.delete_connector("a"))
    await asyncio.sleep(0.05)
    assert not request.done()  # still joining: the request waits
    await h.assignment.on_assigned(assigned(coop(config.state.offset)))
    try:
        await asyncio.wait_for(request, 5)
    except NotLeaderException as e:
        assert e.url == "http://w0:8083/"
    else:
        raise AssertionError("a follower deleted a connector")
    # with no group at all, the wait is bounded and the answer is the 409 case (no known leader URL)
    monkeypatch.setattr(distributed, "JOIN_WAIT_S", 0.05)
    h2, *_ = await herder()
    try:
        await h2.delete_connector("a")
    except NotLeaderException as e:
        assert e.url is None
    else:
        raise AssertionError("deleted without a group")


async def test_list_expansion_is_served_from_local_state_during_a_pending_rebalance() -> None:
    """GET /connectors/{c} refuses with RebalanceNeeded (REST 409) while a rebalance is pending; the list's
    expand=info uses the local view and still answers, as Connect's listConnectors does."""
    from genesis_worker.herder.errors import RebalanceNeededException

    h, _rt, _member, _config = await herder()
    h.group.needs_rebalance = True
    try:
        await h.connector_info("a")
    except RebalanceNeededException:
        pass
    else:
        raise AssertionError("connector_info ignored the pending rebalance")
    info = await h.connector_info_local("a")
    assert info.name == "a" and [t.task for t in info.tasks] == [0, 1]

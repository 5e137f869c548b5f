"""DistributedHerder group behaviour against the real Kafka 4.4 broker and real Kafka-backed stores,
with the RecordingRuntime test double (see harness.py) so that every start/stop is counted."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest

from genesis_worker.herder.errors import NotLeaderException
from genesis_worker.model.ids import ConnectorTaskId
from tests.fixtures.net import free_ports

from .harness import RecordingRuntime, cluster_props, make_herder, serve, spread, stable, stop_node, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

log = logging.getLogger(__name__)


async def start_cluster(props: dict[str, str], n: int) -> tuple[list[Any], list[RecordingRuntime]]:
    herders, runtimes = [], []
    for port in free_ports(n):
        rt = RecordingRuntime(f"w{port}")
        h = make_herder(props, port, rt)
        await serve(h, props, port)
        herders.append(h)
        runtimes.append(rt)
    # the first worker creates the internal topics; the others then start together
    await herders[0].start()
    await asyncio.gather(*(h.start() for h in herders[1:]))
    await wait_for(lambda: stable(herders), 60, "first stable assignment")
    return herders, runtimes


def leader(herders: list[Any]) -> Any:
    return next(h for h in herders if h.is_leader)


def owners(herders: list[Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for h in herders:
        for c in h.local.connectors:
            out.setdefault(c, []).append(h.worker_id)
        for t in h.local.tasks:
            out.setdefault(str(t), []).append(h.worker_id)
    return out


async def stop_all(herders: list[Any]) -> None:
    await asyncio.gather(*(stop_node(h) for h in herders), return_exceptions=True)


def connector_config(name: str, tasks: int) -> dict[str, str]:
    return {"name": name, "connector.class": "test.Connector", "tasks.max": str(tasks), "topic": "t"}


async def test_three_workers_spread_and_fail_over(kafka: Any) -> None:
    props = cluster_props(kafka.bootstrap)
    herders, _ = await start_cluster(props, 3)
    try:
        lead = leader(herders)
        follower = next(h for h in herders if not h.is_leader)
        with pytest.raises(NotLeaderException) as e:
            await follower.put_connector_config("c1", connector_config("c1", 6), allow_replace=False)
        assert e.value.url == lead.rest_url()
        created, info = await lead.put_connector_config("c1", connector_config("c1", 6), allow_replace=False)
        assert created and info.name == "c1"
        await lead.put_connector_config("c2", connector_config("c2", 3), allow_replace=False)

        def all_running() -> bool:
            o = owners(herders)
            return stable(herders) and len(o) == 2 + 9 and all(len(v) == 1 for v in o.values())

        await wait_for(all_running, 60, "9 tasks and 2 connectors running exactly once")
        assert sorted(spread(herders)) == [3, 3, 3]
        assert sorted(len(h.local.connectors) for h in herders) == [0, 1, 1]
        # every worker answers the same status
        statuses = [(await h.connector_status("c1")).to_json() for h in herders]
        await wait_for(lambda: all(len(h._status.get_all("c1")) == 6 for h in herders), 20, "task statuses everywhere")
        statuses = [(await h.connector_status("c1")).to_json() for h in herders]
        assert all(s == statuses[0] for s in statuses)
        assert {t["state"] for t in statuses[0]["tasks"]} == {"RUNNING"}
        task_workers = {t["worker_id"] for t in statuses[0]["tasks"]}
        assert task_workers == {h.worker_id for h in herders}

        # crash one worker (no LeaveGroup): its work comes back after the scheduled delay
        victim = next(h for h in herders if h is not lead and h.local.tasks)
        lost = set(victim.local.tasks) | {ConnectorTaskId(c, -1) for c in victim.local.connectors}
        survivors = [h for h in herders if h is not victim]
        t0 = time.monotonic()
        await stop_node(victim, crash=True)

        def recovered() -> bool:
            o = owners(survivors)
            return stable(survivors) and len(o) == 11 and all(len(v) == 1 for v in o.values())

        took = await wait_for(recovered, 60, "lost tasks reassigned")
        log.info("fail-over of %s items took %.2fs", len(lost), took)
        # session timeout (6 s) + scheduled delay (3 s) bound the fail-over
        assert took < 6 + 3 + 8, took
        assert sorted(spread(survivors)) in ([4, 5], [5, 4])
        assert time.monotonic() - t0 >= 2.5  # the delay was honoured
    finally:
        await stop_all(herders)


async def test_added_worker_moves_only_what_it_takes(kafka: Any) -> None:
    props = cluster_props(kafka.bootstrap)
    herders, runtimes = await start_cluster(props, 2)
    extra: list[Any] = []
    try:
        lead = leader(herders)
        await lead.put_connector_config("c1", connector_config("c1", 8), allow_replace=False)
        await wait_for(lambda: stable(herders) and sum(spread(herders)) == 8, 60, "8 tasks")
        before = {str(t): h.worker_id for h in herders for t in h.local.tasks}
        for rt in runtimes:
            rt.stops.clear()
        (port,) = free_ports(1)
        rt3 = RecordingRuntime("w3")
        h3 = make_herder(props, port, rt3)
        await serve(h3, props, port)
        extra.append(h3)
        t0 = time.monotonic()
        await h3.start()
        allh = [*herders, h3]
        await wait_for(lambda: stable(allh) and sorted(spread(allh)) == [2, 3, 3], 60, "rebalanced onto 3 workers")
        log.info("adding a worker rebalanced in %.2fs", time.monotonic() - t0)
        after = {str(t): h.worker_id for h in allh for t in h.local.tasks}
        moved = {t for t in before if after[t] != before[t]}
        stayed = set(before) - moved
        assert moved and len(moved) == len(h3.local.tasks)
        stopped = set(runtimes[0].stops) | set(runtimes[1].stops)
        assert stopped == moved, (stopped, moved)
        assert all(runtimes[0].stops[t] + runtimes[1].stops[t] == 0 for t in stayed)
    finally:
        await stop_all(herders + extra)


async def test_eager_protocol_restarts_everything_round_robin(kafka: Any) -> None:
    props = cluster_props(kafka.bootstrap, **{"connect.protocol": "eager"})
    herders, runtimes = await start_cluster(props, 2)
    extra: list[Any] = []
    try:
        assert {h.protocol.protocol for h in herders} == {"default"}
        lead = leader(herders)
        await lead.put_connector_config("c1", connector_config("c1", 4), allow_replace=False)
        await wait_for(lambda: stable(herders) and sum(spread(herders)) == 4, 60, "4 tasks")
        assert sorted(spread(herders)) == [2, 2]
        for rt in runtimes:
            rt.stops.clear()
        (port,) = free_ports(1)
        rt3 = RecordingRuntime("w3")
        h3 = make_herder(props, port, rt3)
        await serve(h3, props, port)
        extra.append(h3)
        await h3.start()
        allh = [*herders, h3]
        await wait_for(lambda: stable(allh) and sum(spread(allh)) == 4 and len(owners(allh)) == 5, 60, "eager round")
        # eager: every running task was stopped at the start of the rebalance
        assert sum(rt.stops[f"c1-{i}"] for rt in runtimes for i in range(4)) == 4
        # EagerAssignor: connectors then tasks round-robin over sorted member ids
        assert sorted(spread(allh)) == [1, 1, 2]
    finally:
        await stop_all(herders + extra)


async def test_one_compatible_member_downgrades_and_disables_signing(kafka: Any) -> None:
    props = cluster_props(kafka.bootstrap)
    herders, _ = await start_cluster(props, 1)
    extra: list[Any] = []
    try:
        assert herders[0].protocol.protocol == "sessioned" and herders[0].requires_request_signature()
        await wait_for(lambda: herders[0].session_key() is not None, 10, "session key written")
        (port,) = free_ports(1)
        h2 = make_herder({**props, "connect.protocol": "compatible"}, port, RecordingRuntime("w2"))
        await serve(h2, props, port)
        extra.append(h2)
        await h2.start()
        allh = [*herders, h2]
        await wait_for(lambda: stable(allh) and {h.protocol.protocol for h in allh} == {"compatible"}, 60, "downgrade")
        assert not any(h.requires_request_signature() for h in allh)
        # unsigned internal request accepted by the leader now
        lead = leader(allh)
        await lead.put_connector_config("c1", connector_config("c1", 1), allow_replace=False)
        await lead.put_task_configs("c1", [{"task.class": "x"}], None)
    finally:
        await stop_all(herders + extra)


async def test_leader_rotates_the_session_key(kafka: Any) -> None:
    props = cluster_props(kafka.bootstrap, **{"inter.worker.key.ttl.ms": 1500})
    herders, _ = await start_cluster(props, 2)
    try:
        follower = next(h for h in herders if not h.is_leader)
        await wait_for(lambda: follower.session_key() is not None, 10, "first key")
        first = follower.session_key()
        assert first is not None
        await wait_for(lambda: follower.session_key() not in (None, first), 10, "rotated key")
        second = follower.session_key()
        assert second is not None and second.creation_timestamp >= first.creation_timestamp + 1500
        # every worker reads the key the leader wrote (it keeps rotating every 1.5 s)
        lead = leader(herders)
        await wait_for(lambda: lead.session_key() == follower.session_key(), 10, "same key on every worker")
    finally:
        await stop_all(herders)


async def test_worker_stops_its_work_when_the_coordinator_is_gone(kafka_factory: Any) -> None:
    broker = kafka_factory()
    props = cluster_props(broker.bootstrap)
    herders, runtimes = await start_cluster(props, 1)
    try:
        h, rt = herders[0], runtimes[0]
        await h.put_connector_config("c1", connector_config("c1", 2), allow_replace=False)
        await wait_for(lambda: len(rt.tasks) == 2, 60, "2 tasks")
        await asyncio.to_thread(broker.kill)
        took = await wait_for(lambda: not rt.tasks and not rt.connectors, 30, "work stopped without a coordinator")
        log.info("work stopped %.2fs after the broker died", took)
        assert rt.stops["c1-0"] == rt.stops["c1-1"] == rt.stops["c1"] == 1
        await asyncio.to_thread(broker.start)
        await wait_for(lambda: len(rt.tasks) == 2 and "c1" in rt.connectors, 90, "work back after the broker returned")
    finally:
        await stop_all(herders)

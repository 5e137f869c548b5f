"""Statuses tell the truth after a crash: when a worker is SIGKILLed, the leader sees at the next rebalance
that no member runs its connector and tasks any more and writes them UNASSIGNED (naming the dead worker),
instead of leaving them RUNNING until the scheduled rebalance delay expires, as Connect does. They are
RUNNING again once they run somewhere (here: the same worker id, restarted)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.proc import wait_until
from tests.integration.distributed.harness import cluster_props
from tests.integration.distributed.plugins import FileSinkConnector, class_path

from .workers import GenesisWorker

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

TASKS = 4
DELAY_MS = 30_000  # scheduled.rebalance.max.delay.ms: the dead worker's work waits this long for it


def test_killed_workers_tasks_turn_unassigned_then_running_again(kafka: Any, tmp_path: Path) -> None:
    props = cluster_props(kafka.bootstrap, **{"scheduled.rebalance.max.delay.ms": DELAY_MS})
    topic = kafka.create_topic(f"crash-{uuid.uuid4().hex[:8]}", partitions=TASKS)
    leader, victim = GenesisWorker(props), GenesisWorker(props)
    try:
        leader.start()  # first member: the leader
        victim.start()
        st, body = leader.request(
            "PUT",
            "/connectors/crash-sink/config",
            {
                "connector.class": class_path(FileSinkConnector),
                "tasks.max": str(TASKS),
                "topics": topic,
                "dir": str(tmp_path / "out"),
            },
        )
        assert st == 201, body

        def status() -> dict[str, Any]:
            return leader.request("GET", "/connectors/crash-sink/status")[1]

        def spread() -> bool:
            s = status()
            tasks = s.get("tasks", []) if isinstance(s, dict) else []
            return (
                len(tasks) == TASKS
                and {t["state"] for t in tasks} == {"RUNNING"}
                and {t["worker_id"] for t in tasks} == {leader.worker_id, victim.worker_id}
            )

        wait_until(spread, 90, "tasks RUNNING on both workers", interval=0.2)
        on_victim = {t["id"] for t in status()["tasks"] if t["worker_id"] == victim.worker_id}
        victim.kill()
        killed = time.monotonic()

        def victims_unassigned() -> bool:
            tasks = {t["id"]: t for t in status()["tasks"]}
            return all(tasks[i]["state"] == "UNASSIGNED" for i in on_victim)

        wait_until(victims_unassigned, DELAY_MS / 1000 - 5, "the dead worker's tasks UNASSIGNED", interval=0.2)
        took = time.monotonic() - killed
        print(f"dead worker's tasks UNASSIGNED {took:.1f}s after SIGKILL (delay {DELAY_MS / 1000:.0f}s)")
        tasks = {t["id"]: t for t in status()["tasks"]}
        for i in on_victim:
            assert tasks[i]["worker_id"] == victim.worker_id
            assert victim.worker_id in tasks[i]["trace"] and "no longer runs" in tasks[i]["trace"]
        # the leader's own tasks are untouched
        assert all(t["state"] == "RUNNING" for t in tasks.values() if t["id"] not in on_victim)
        assert time.monotonic() - killed < DELAY_MS / 1000  # before Connect would have reassigned anything

        victim.start()  # the same worker id comes back: its tasks run (and say so) again
        wait_until(
            lambda: {t["state"] for t in status()["tasks"]} == {"RUNNING"}, 90, "every task RUNNING again", interval=0.2
        )
    finally:
        for w in (victim, leader):
            w.close()

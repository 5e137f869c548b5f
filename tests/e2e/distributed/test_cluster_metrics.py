"""One cluster view from any worker: three genesis-worker processes run a three-task source; every worker's
``GET /genesis/metrics`` shows every task's figures, taken from the worker running it. One worker is
SIGKILLed: the others answer at once, naming it unreachable, and its tasks' figures come back from the
workers that take them over."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from tests.fixtures.proc import wait_until
from tests.integration.distributed.harness import cluster_props
from tests.integration.distributed.plugins import SeqSourceConnector, class_path

from .workers import GenesisWorker

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

TASKS = 3


def figures(worker: GenesisWorker) -> dict[str, Any]:
    status, body = worker.request("GET", "/genesis/metrics", timeout=10)
    assert status == 200, body
    return dict(body)


def task_metrics(body: dict[str, Any]) -> list[dict[str, Any]]:
    return list(body["connectors"].get("src", {}).get("task_metrics", []))


def test_every_worker_shows_every_task_and_a_killed_workers_tasks_come_back(kafka: Any) -> None:
    props = cluster_props(kafka.bootstrap, **{"genesis.cluster.cache.ms": 500})
    topic = kafka.create_topic(f"e2e-{uuid.uuid4().hex[:8]}", partitions=3)
    workers = [GenesisWorker(props) for _ in range(3)]
    try:
        workers[0].start()  # creates the internal topics
        for w in workers[1:]:
            w.start()
        config = {
            "connector.class": class_path(SeqSourceConnector),
            "tasks.max": str(TASKS),
            "topic": topic,
            "batch.size": "10",
            "poll.interval.ms": "50",
        }
        st, body = workers[1].request("PUT", "/connectors/src/config", config)
        assert st == 201, body

        def owners(worker: GenesisWorker) -> dict[int, str]:
            st, status = worker.request("GET", "/connectors/src/status")
            if st != 200 or len(status["tasks"]) != TASKS or {t["state"] for t in status["tasks"]} != {"RUNNING"}:
                return {}
            return {t["id"]: t["worker_id"] for t in status["tasks"]}

        wait_until(lambda: len(set(owners(workers[0]).values())) >= 2, 90, "tasks RUNNING on several workers")

        def complete(worker: GenesisWorker, alive: list[GenesisWorker]) -> bool:
            """Every task reported by the worker running it (a live one, as the status says), records counted."""
            run_by = owners(worker)
            tasks = task_metrics(figures(worker))
            ids = {w.worker_id for w in alive}
            return (
                len(run_by) == TASKS
                and set(run_by.values()) <= ids
                and [(t["id"], t["worker_id"]) for t in tasks] == sorted(run_by.items())
                and all(t["records_read"] > 0 and "error" not in t for t in tasks)
            )

        for w in workers:
            wait_until(lambda w=w: complete(w, workers), 60, f"every task's figures on {w.worker_id}", interval=0.5)
            body = figures(w)
            others = [t for t in task_metrics(body) if t["worker_id"] != w.worker_id]
            assert others and all(t["records_read"] > 0 for t in others)  # figures of tasks running elsewhere
            src = body["connectors"]["src"]
            assert src["tasks"] == TASKS and src["records_read"] == sum(t["records_read"] for t in task_metrics(body))
            assert {x["worker_id"] for x in body["cluster"]["workers"] if x["reachable"]} >= set(owners(w).values())
            st, pipelines = w.request("GET", "/genesis/pipelines")
            assert st == 200 and next(p for p in pipelines if p["name"] == "src")["metrics"]["tasks"] == TASKS

        victim = next(w for w in workers[1:] if w.worker_id in owners(workers[0]).values())
        victim.kill()
        survivors = [w for w in workers if w is not victim]
        time.sleep(1.0)  # past the 500 ms cache
        t0 = time.monotonic()
        body = figures(survivors[0])
        took = time.monotonic() - t0
        assert took < 5, f"a dead member must cost a short timeout, /genesis/metrics took {took:.1f}s"
        dead = [x for x in body["cluster"]["workers"] if x["worker_id"] == victim.worker_id]
        assert dead and dead[0]["reachable"] is False and dead[0]["error"], body["cluster"]
        for w in survivors:
            wait_until(
                lambda w=w: complete(w, survivors), 90, f"the killed worker's tasks back on {w.worker_id}", interval=0.5
            )
        print(f"/genesis/metrics answered {took:.2f}s after the kill, naming the dead worker unreachable")
    finally:
        for w in workers:
            w.close()

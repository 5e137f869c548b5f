"""Reliability report rows for a source -> Kafka -> sink pipeline on two genesis-worker processes: a worker
SIGKILLed mid-stream, the Kafka broker SIGKILLed and started again mid-stream, and every hand-written bad
request sent to a live worker. Each fault row asserts that no record is lost and that records flow again
within a bound; the bad-request row asserts that no request got a 5xx."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.distributed.workers import GenesisWorker
from tests.e2e.reliability import report
from tests.fixtures.kafka import BrokerBase
from tests.integration.distributed.harness import cluster_props
from tests.integration.distributed.plugins import FileSinkConnector, SeqSourceConnector, class_path, read_sink_keys
from tests.integration.rest.test_bad_requests import bad_requests

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(200)]

TASKS = 2
PER_TASK = 2500
RECOVERY_BOUND_S = 60.0
EXPECTED = {f"{t}-{i}" for t in range(TASKS) for i in range(PER_TASK)}


def wait(cond: Callable[[], bool], limit: float, what: str) -> float:
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > limit:
            raise AssertionError(f"timed out after {limit}s waiting for {what}")
        time.sleep(0.2)
    return time.monotonic() - t0


class Pipeline:
    """Two workers running ``src`` (SeqSource, TASKS x PER_TASK keys) -> topic -> ``sink`` (one file per task)."""

    def __init__(self, bootstrap: str, topic: str, out: Path) -> None:
        self.out = out
        props = cluster_props(bootstrap)  # one group for both workers
        self.workers = [GenesisWorker(props) for _ in range(2)]
        self.topic = topic

    def start(self) -> None:
        for w in self.workers:
            w.start()
        st, body = self.workers[0].request(
            "PUT",
            "/connectors/src/config",
            {
                "connector.class": class_path(SeqSourceConnector),
                "tasks.max": str(TASKS),
                "topic": self.topic,
                "records.per.task": str(PER_TASK),
                "batch.size": "10",
                "poll.interval.ms": "25",
            },
        )
        assert st == 201, body
        st, body = self.workers[1].request(
            "PUT",
            "/connectors/sink/config",
            {
                "connector.class": class_path(FileSinkConnector),
                "tasks.max": str(TASKS),
                "topics": self.topic,
                "dir": str(self.out),
                "consumer.override.auto.offset.reset": "earliest",
            },
        )
        assert st == 201, body
        wait(lambda: self.running(self.workers[0]), 90, "all tasks RUNNING")
        wait(lambda: len(self.sunk()) > 500, 60, "records flowing")

    def running(self, via: GenesisWorker, not_on: str | None = None) -> bool:
        for name in ("src", "sink"):
            st, body = via.request("GET", f"/connectors/{name}/status")
            tasks = body.get("tasks", []) if st == 200 and isinstance(body, dict) else []
            if len(tasks) != TASKS or any(t["state"] != "RUNNING" or t["worker_id"] == not_on for t in tasks):
                return False
        return True

    def sunk(self) -> list[str]:
        return read_sink_keys(str(self.out), "sink")

    def flowing_again(self, since: int, limit: float, what: str) -> float:
        """Seconds until the sink holds more records than ``since`` (or all of them)."""
        return wait(lambda: len(self.sunk()) > since or EXPECTED <= set(self.sunk()), limit, what)

    def finish(self, fault: str, recovery_s: float) -> report.FaultRow:
        report.settle(lambda: EXPECTED <= set(self.sunk()), 120)
        time.sleep(1.0)  # let the last flush land so duplicates are counted too
        received, duplicated, lost = report.count(EXPECTED, self.sunk())
        return report.add_fault(report.FaultRow(fault, len(EXPECTED), received, duplicated, lost, recovery_s))

    def close(self) -> None:
        for w in self.workers:
            w.close()


def test_worker_sigkill_mid_stream(kafka: BrokerBase, tmp_path: Path) -> None:
    topic = kafka.create_topic(f"rel-{uuid.uuid4().hex[:8]}", partitions=TASKS)
    pipe = Pipeline(kafka.bootstrap, topic, tmp_path / "sink")
    try:
        pipe.start()
        owners = {t["worker_id"] for t in pipe.workers[0].request("GET", "/connectors/src/status")[1]["tasks"]}
        victim = next(w for w in pipe.workers if w.worker_id in owners)
        survivor = next(w for w in pipe.workers if w is not victim)
        victim.kill()
        t0 = time.monotonic()
        wait(lambda: pipe.running(survivor, not_on=victim.worker_id), RECOVERY_BOUND_S, "tasks on the survivor")
        before = len(pipe.sunk())
        pipe.flowing_again(before, RECOVERY_BOUND_S, "records flowing after the kill")
        row = pipe.finish("genesis worker SIGKILL (source and sink tasks)", time.monotonic() - t0)
    finally:
        pipe.close()
    assert row.lost == 0, row
    assert row.recovery_s < RECOVERY_BOUND_S, row


def test_broker_killed_and_restarted_mid_stream(kafka_factory: Callable[[], BrokerBase], tmp_path: Path) -> None:
    broker = kafka_factory()
    topic = broker.create_topic(f"rel-{uuid.uuid4().hex[:8]}", partitions=TASKS)
    pipe = Pipeline(broker.bootstrap, topic, tmp_path / "sink")
    try:
        pipe.start()
        broker.kill()
        t0 = time.monotonic()
        time.sleep(2.0)  # the workers, their producers and consumers see the broker gone
        broker.start()  # same port, same log dir
        before = len(pipe.sunk())
        pipe.flowing_again(before, RECOVERY_BOUND_S, "records flowing after the broker restart")
        recovery = time.monotonic() - t0
        row = pipe.finish("Kafka broker SIGKILL, restarted after 2 s", recovery)
    finally:
        pipe.close()
    assert row.lost == 0, row
    assert row.recovery_s < RECOVERY_BOUND_S, row


def raw_request(url: str, method: str, body: bytes) -> int:
    req = urllib.request.Request(url, data=body or None, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return int(r.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def test_bad_requests_to_a_live_worker(kafka: BrokerBase, tmp_path: Path) -> None:
    worker = GenesisWorker(cluster_props(kafka.bootstrap))
    try:
        worker.start()
        statuses = {
            case: raw_request(worker.url + path, method, body) for case, method, path, body in bad_requests(tmp_path)
        }
        st, left = worker.request("GET", "/connectors")
    finally:
        worker.close()
    row = report.add_bad_requests(
        report.BadRequestRow(
            tried=len(statuses),
            answered_4xx=sum(400 <= s < 500 for s in statuses.values()),
            answered_5xx=sum(s >= 500 for s in statuses.values()),
        )
    )
    assert row.answered_5xx == 0, {c: s for c, s in statuses.items() if s >= 500}
    assert row.answered_4xx == row.tried, {c: s for c, s in statuses.items() if not 400 <= s < 500}
    assert st == 200 and left == [], left

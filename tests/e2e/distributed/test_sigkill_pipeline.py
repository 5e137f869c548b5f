"""Three genesis-worker processes in one cluster run a source -> Kafka -> sink pipeline; one is
SIGKILLed mid-stream. Its tasks come back on the survivors and no record is lost (every key checked);
duplicates are allowed only from replay after the last commit."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Consumer, TopicPartition

from tests.integration.distributed.harness import cluster_props
from tests.integration.distributed.plugins import FileSinkConnector, SeqSourceConnector, class_path, read_sink_keys

from .workers import GenesisWorker

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

TASKS = 3
PER_TASK = 3000


def topic_keys(bootstrap: str, topic: str, partitions: int) -> set[str]:
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"check-{uuid.uuid4().hex}", "enable.auto.commit": False})
    try:
        ends = {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in range(partitions)}
        c.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
        keys: set[str] = set()
        pos = dict.fromkeys(ends, 0)
        deadline = time.monotonic() + 60
        while any(pos[p] < ends[p] for p in ends) and time.monotonic() < deadline:
            for m in c.consume(1000, 1.0):
                if m.error():
                    continue
                pos[m.partition()] = m.offset() + 1
                keys.add((m.key() or b"").decode())
        return keys
    finally:
        c.close()


def wait(cond: Any, limit: float, what: str) -> float:
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > limit:
            raise AssertionError(f"timed out after {limit}s waiting for {what}")
        time.sleep(0.2)
    return time.monotonic() - t0


def test_sigkill_one_worker_mid_stream_loses_nothing(kafka: Any, tmp_path: Path) -> None:
    props = cluster_props(kafka.bootstrap, **{"offset.flush.interval.ms": 500})
    topic = kafka.create_topic(f"e2e-{uuid.uuid4().hex[:8]}", partitions=3)
    out = tmp_path / "sink"
    workers = [GenesisWorker(props) for _ in range(3)]
    try:
        workers[0].start()  # creates the internal topics
        for w in workers[1:]:
            w.start()
        st, body = workers[1].request(
            "POST",
            "/connectors",
            {
                "name": "src",
                "config": {
                    "connector.class": class_path(SeqSourceConnector),
                    "tasks.max": str(TASKS),
                    "topic": topic,
                    "records.per.task": str(PER_TASK),
                    "batch.size": "10",
                    "poll.interval.ms": "25",
                },
            },
        )
        assert st == 201, body
        st, body = workers[2].request(
            "PUT",
            "/connectors/sink/config",
            {
                "connector.class": class_path(FileSinkConnector),
                "tasks.max": str(TASKS),
                "topics": topic,
                "dir": str(out),
                "consumer.override.auto.offset.reset": "earliest",
            },
        )
        assert st == 201, body

        def statuses() -> dict[str, Any]:
            return {c: workers[0].request("GET", f"/connectors/{c}/status")[1] for c in ("src", "sink")}

        def running() -> bool:
            s = statuses()
            return all(
                isinstance(v, dict)
                and len(v.get("tasks", [])) == TASKS
                and {t["state"] for t in v["tasks"]} == {"RUNNING"}
                for v in s.values()
            )

        wait(running, 90, "all tasks RUNNING")
        wait(lambda: len(read_sink_keys(str(out), "sink")) > 500, 60, "records flowing")
        # kill a worker that runs source tasks, mid-stream
        owners = {t["worker_id"] for t in statuses()["src"]["tasks"]}
        victim = next(w for w in workers if w.worker_id in owners)
        victim.kill()
        killed_at = time.monotonic()
        survivors = [w for w in workers if w is not victim]

        def recovered() -> bool:
            s = {c: survivors[0].request("GET", f"/connectors/{c}/status")[1] for c in ("src", "sink")}
            return all(
                isinstance(v, dict)
                and len(v.get("tasks", [])) == TASKS
                and all(t["state"] == "RUNNING" and t["worker_id"] != victim.worker_id for t in v["tasks"])
                for v in s.values()
            )

        took = wait(recovered, 60, "tasks back on the survivors")
        print(f"tasks of the killed worker RUNNING elsewhere {took:.1f}s after SIGKILL")
        expected = {f"{t}-{i}" for t in range(TASKS) for i in range(PER_TASK)}
        wait(lambda: expected <= set(read_sink_keys(str(out), "sink")), 120, "every key in the sink")
        in_topic = topic_keys(kafka.bootstrap, topic, 3)
        assert expected <= in_topic
        sunk = read_sink_keys(str(out), "sink")
        dup = len(sunk) - len(set(sunk))
        print(
            f"{len(expected)} keys delivered, {dup} duplicates (replay after the last commit), "
            f"{time.monotonic() - killed_at:.1f}s after the kill"
        )
        assert set(sunk) <= expected | in_topic
    finally:
        for w in workers:
            w.close()

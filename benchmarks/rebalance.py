"""Workload 5: rebalance of a distributed cluster running :data:`TASKS` tasks, genesis vs Java Connect 4.4.

Three workers (same group and internal topics) run ``TASKS / 10`` FileStreamSinkConnectors with 10 tasks
each on an empty 10-partition topic (each task an idle consumer). Then:

* **join**: a fourth worker starts; time from its process start until every task is RUNNING and the
  four workers hold a balanced share (max - min <= 1 tasks);
* **kill**: one of the four is SIGKILLed; time until every task is RUNNING on the three survivors (this
  includes ``scheduled.rebalance.max.delay.ms`` = 10 s, the fixtures' setting, for both sides).

For each phase the status topic (written by both implementations in Connect's format) is read from the
phase's start: tasks that moved to another worker, and tasks that were stopped (``UNASSIGNED``) but came
back on the same worker - the number cooperative rebalancing should keep at zero.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import orjson
import requests
from confluent_kafka import Consumer
from confluent_kafka import TopicPartition as KTP

from benchmarks import connect_rest as rest
from benchmarks.common import BenchResult, Figure, Scale, delete_topics, end_offsets, unique
from benchmarks.services import Services, genesis_distributed_missing

log = logging.getLogger("benchmarks.rebalance")

TASKS = 200
PER_CONNECTOR = 10
DELAY_MS = 10_000


def _assignment(url: str) -> dict[str, tuple[str, str]]:
    """``{"<connector>-<id>": (state, worker_id)}`` from ``GET /connectors?expand=status``."""
    body = requests.get(f"{url}/connectors?expand=status", timeout=30).json()
    out = {}
    for name, entry in body.items():
        for t in entry["status"]["tasks"]:
            out[f"{name}-{t['id']}"] = (t["state"], t.get("worker_id", ""))
    return out


def _wait(
    url_fn: Callable[[], str], total: int, ok: Callable[[dict[str, tuple[str, str]]], bool], timeout: float
) -> dict[str, tuple[str, str]]:
    deadline = time.monotonic() + timeout
    last: dict[str, tuple[str, str]] = {}
    while time.monotonic() < deadline:
        try:
            last = _assignment(url_fn())
        except (requests.RequestException, ValueError, KeyError):
            time.sleep(0.1)
            continue
        if len(last) >= total and all(s == "RUNNING" for s, _ in last.values()) and ok(last):
            return last
        time.sleep(0.1)
    states: dict[str, int] = {}
    for s, _ in last.values():
        states[s] = states.get(s, 0) + 1
    raise TimeoutError(f"tasks not all RUNNING/balanced after {timeout:.0f}s: {len(last)}/{total} listed, {states}")


def _balanced(workers: int) -> Callable[[dict[str, tuple[str, str]]], bool]:
    def ok(a: dict[str, tuple[str, str]]) -> bool:
        counts: dict[str, int] = {}
        for _, w in a.values():
            counts[w] = counts.get(w, 0) + 1
        return len(counts) == workers and max(counts.values()) - min(counts.values()) <= 1

    return ok


def _status_events(bootstrap: str, topic: str, start: dict[int, int]) -> list[tuple[str, str, str]]:
    """``(task, state, worker_id)`` of the task status records written since ``start`` offsets."""
    wm = end_offsets(bootstrap, topic)
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": unique("bench-status"), "enable.auto.commit": False})
    out: list[tuple[str, str, str]] = []
    try:
        c.assign([KTP(topic, p, start.get(p, 0)) for p in wm])
        remaining = sum(hi - start.get(p, 0) for p, (_, hi) in wm.items())
        deadline = time.monotonic() + 30
        while remaining > 0 and time.monotonic() < deadline:
            m = c.poll(1.0)
            if m is None or m.error():
                continue
            remaining -= 1
            key = (m.key() or b"").decode()
            raw = m.value()
            if not key.startswith("status-task-") or not raw:
                continue
            v: Any = orjson.loads(raw)
            if isinstance(v, dict) and "payload" in v and "state" not in v:
                v = v["payload"]
            out.append((key[len("status-task-") :], str(v.get("state")), str(v.get("worker_id"))))
    finally:
        c.close()
    return out


def _moves(
    before: dict[str, tuple[str, str]], after: dict[str, tuple[str, str]], events: list[tuple[str, str, str]]
) -> tuple[int, int]:
    """``(moved, stopped but not moved)``."""
    moved = sum(1 for t, (_, w) in after.items() if before.get(t, ("", w))[1] != w)
    stopped = {t for t, state, _ in events if state == "UNASSIGNED"}
    unmoved_stopped = sum(1 for t in stopped if t in before and t in after and before[t][1] == after[t][1])
    return moved, unmoved_stopped


def _one(svc: Services, kind: str, tasks: int) -> dict[str, float]:
    bootstrap = svc.kafka.bootstrap
    group = unique(f"rb-{kind}")
    props = {"scheduled.rebalance.max.delay.ms": DELAY_MS}

    def worker() -> Any:
        if kind == "java":
            return svc.java_connect(group_id=group, topic_prefix=group, properties=props)
        return svc.genesis(mode="distributed", group_id=group, topic_prefix=group, properties=props)

    workers = [worker().start() for _ in range(3)]
    topic = svc.kafka.create_topic(unique("rb"), PER_CONNECTOR)
    status_topic = f"{group}-status"
    try:
        for i in range(tasks // PER_CONNECTOR):
            rest.create(
                workers[0].url,
                f"rb-{i:03d}",
                {
                    "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
                    "tasks.max": PER_CONNECTOR,
                    "topics": topic,
                    "file": "/dev/null",
                    "key.converter": "org.apache.kafka.connect.storage.StringConverter",
                    "value.converter": "org.apache.kafka.connect.storage.StringConverter",
                },
            )
        before = _wait(lambda: workers[0].url, tasks, _balanced(3), 300)
        out: dict[str, float] = {}

        start = {p: hi for p, (_, hi) in end_offsets(bootstrap, status_topic).items()}
        t0 = time.monotonic()
        w4 = worker()
        w4.start()
        workers.append(w4)
        after = _wait(lambda: workers[0].url, tasks, _balanced(4), 180)
        out["join: start to balanced s"] = time.monotonic() - t0
        time.sleep(1)  # late status records
        moved, unmoved = _moves(before, after, _status_events(bootstrap, status_topic, start))
        out["join: tasks moved"] = moved
        out["join: stopped, not moved"] = unmoved

        start = {p: hi for p, (_, hi) in end_offsets(bootstrap, status_topic).items()}
        victim = workers.pop(1)
        victim_id = f"{victim.url.split('://')[1]}"
        before = after
        t0 = time.monotonic()
        victim.kill()
        after = _wait(lambda: workers[0].url, tasks, _balanced(3), 180)
        out["kill: to all RUNNING s"] = time.monotonic() - t0
        time.sleep(1)
        moved, unmoved = _moves(before, after, _status_events(bootstrap, status_topic, start))
        out["kill: tasks moved"] = moved
        out["kill: stopped, not moved"] = unmoved
        out["kill: tasks on killed worker"] = sum(1 for _, w in before.values() if w == victim_id)
        return out
    finally:
        for w in workers:
            w.close()
        delete_topics(bootstrap, [topic])


def run(svc: Services, scale: Scale) -> BenchResult:
    tasks = scale.n(TASKS, 40)
    res = BenchResult(
        "rebalance",
        f"Rebalance with {tasks} tasks: 4th worker joins 3, then 1 of 4 killed",
        params={
            "tasks": tasks,
            "connectors": tasks // PER_CONNECTOR,
            "scheduled.rebalance.max.delay.ms": DELAY_MS,
            "runs": 1,
        },
    )
    kinds = ["java"]
    gm = genesis_distributed_missing()
    if gm:
        res.skip("genesis", gm)
    else:
        kinds.insert(0, "genesis")
    for kind in kinds:  # one run each: a run takes ~1-2 min per side on 2 cores
        try:
            readings = _one(svc, kind, tasks)
        except Exception as e:
            log.error("%s failed: %s", kind, e)
            res.skip(kind, f"failed: {(str(e).strip().splitlines() or [type(e).__name__])[0][:300]}")
            continue
        log.info("  %s: %s", kind, readings)
        for k, v in readings.items():
            unit = "s" if k.endswith(" s") else "tasks"
            res.add(Figure(f"{kind} {k}", unit, [float(v)], higher_is_better=False))
    res.ratio(
        "join genesis/java",
        "genesis join: start to balanced s",
        "java join: start to balanced s",
        target=1.0,
        target_text="< 1",
        higher_is_better=False,
    )
    res.ratio(
        "kill genesis/java",
        "genesis kill: to all RUNNING s",
        "java kill: to all RUNNING s",
        target=1.0,
        target_text="< 1",
        higher_is_better=False,
    )
    g = res.figure("genesis kill: to all RUNNING s")
    if g is not None:
        limit = DELAY_MS / 1000 + 2
        res.notes.append(
            f"genesis recovery after kill {g.median:.1f} s vs target delay + 2 s = {limit:.0f} s: {'met' if g.median <= limit else 'not met'}"
        )
    res.notes.append("One run per side (each run starts 4 workers and 200 idle consumers); no min/max spread.")
    return res

"""Workload 6: footprint - a distributed worker's resident memory (process tree, /proc) idle, with 100 idle
tasks, and under load; time from process start to the REST API answering ``GET /connectors``.

* idle: 3 s after REST ready, no connectors;
* 100 idle tasks: a FileStreamSinkConnector with ``tasks.max=100`` on an empty 100-partition topic
  (each task owns a consumer and waits for data), RSS once all 100 tasks are RUNNING + 3 s;
* under load: peak RSS while a FileStreamSource streams the N-line ad-log file (sampled every 100 ms).

Java Connect 4.4 runs with ``-Xmx1g`` (the fixture's serial GC, ``-Xms64m``); Java's RSS depends on the
heap settings, genesis has none to tune.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from benchmarks import connect_rest as rest
from benchmarks.common import (
    MB,
    BenchResult,
    Figure,
    Scale,
    adlog_records,
    delete_topics,
    rss_bytes,
    topic_count,
    unique,
)
from benchmarks.services import Services, genesis_distributed_missing

log = logging.getLogger("benchmarks.footprint")

IDLE_TASKS = 100


def _one(svc: Services, kind: str, path: Path, n: int) -> dict[str, float]:
    """Start one worker of ``kind`` and take every reading; returns ``{figure: value}``."""
    bootstrap = svc.kafka.bootstrap
    w: Any = svc.java_connect() if kind == "java" else svc.genesis(mode="distributed")
    out: dict[str, float] = {}
    w.start()
    try:
        pid = w.pid
        out["start to REST ready s"] = float(w.start_seconds or 0.0)
        time.sleep(3)
        out["RSS idle MB"] = rss_bytes(pid) / MB
        topic = svc.kafka.create_topic(unique("idle"), IDLE_TASKS)
        name = unique("idle")
        rest.create(
            w.url,
            name,
            {
                "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
                "tasks.max": IDLE_TASKS,
                "topics": topic,
                "file": str(Path(w.tmp_dir) / "idle.txt"),
                "key.converter": "org.apache.kafka.connect.storage.StringConverter",
                "value.converter": "org.apache.kafka.connect.storage.StringConverter",
            },
        )
        rest.wait_running(w.url, name, IDLE_TASKS, timeout=180)
        time.sleep(3)
        out[f"RSS {IDLE_TASKS} idle tasks MB"] = rss_bytes(pid) / MB
        rest.delete(w.url, name)
        delete_topics(bootstrap, [topic])

        topic = svc.kafka.create_topic(unique("load"), 1)
        name = unique("load")
        rest.create(
            w.url,
            name,
            {
                "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
                "tasks.max": 1,
                "file": str(path),
                "topic": topic,
                "key.converter": "org.apache.kafka.connect.storage.StringConverter",
                "value.converter": "org.apache.kafka.connect.storage.StringConverter",
            },
        )
        peak = 0
        deadline = time.monotonic() + max(120.0, n / 5000)
        last_poll = 0.0
        while time.monotonic() < deadline:
            peak = max(peak, rss_bytes(pid))
            if time.monotonic() - last_poll > 0.5:
                last_poll = time.monotonic()
                if topic_count(bootstrap, topic) >= n:
                    break
            time.sleep(0.1)
        else:
            raise TimeoutError(f"{kind}: load phase did not finish")
        out["RSS under load MB"] = peak / MB
        rest.delete(w.url, name)
        delete_topics(bootstrap, [topic])
    finally:
        w.close()
    return out


def run(svc: Services, scale: Scale) -> BenchResult:
    n = scale.records
    res = BenchResult(
        "footprint",
        "Footprint: distributed worker RSS and start-up",
        params={"idle_tasks": IDLE_TASKS, "load_records": n, "runs": scale.runs, "java_heap": "-Xmx1g"},
    )
    path = Path(svc.kafka.tmp_dir) / "footprint-adlogs.jsonl"
    with open(path, "wb") as f:
        for _, v in adlog_records(n, seed=11):
            f.write(v + b"\n")
    kinds = ["java"]
    gm = genesis_distributed_missing()
    if gm:
        res.skip("genesis", gm)
    else:
        kinds.insert(0, "genesis")
    values: dict[str, list[float]] = {}
    failed: dict[str, str] = {}
    runs = min(scale.runs, 2)  # each run starts a worker per side and streams N records: ~1 min on 2 cores
    res.params["runs"] = runs
    for _ in range(runs):
        for kind in kinds:
            if kind in failed:
                continue
            try:
                readings = _one(svc, kind, path, n)
            except Exception as e:
                log.error("%s failed: %s", kind, e)
                failed[kind] = (str(e).strip().splitlines() or [type(e).__name__])[0][:300]
                continue
            log.info("  %s: %s", kind, ", ".join(f"{k}={v:.2f}" for k, v in readings.items()))
            for k, reading in readings.items():
                values.setdefault(f"{kind} {k}", []).append(reading)
    for kind, why in failed.items():
        res.skip(kind, f"failed: {why}")
    for name, per_run in values.items():
        unit = "s" if name.endswith(" s") else "MiB RSS"
        res.add(Figure(name, unit, per_run, higher_is_better=False))
    res.ratio(
        "idle RSS genesis/java",
        "genesis RSS idle MB",
        "java RSS idle MB",
        target=0.25,
        target_text="<= 0.25",
        higher_is_better=False,
    )
    res.ratio(
        f"{IDLE_TASKS} idle tasks RSS genesis/java",
        f"genesis RSS {IDLE_TASKS} idle tasks MB",
        f"java RSS {IDLE_TASKS} idle tasks MB",
        higher_is_better=False,
    )
    res.ratio(
        "under load RSS genesis/java", "genesis RSS under load MB", "java RSS under load MB", higher_is_better=False
    )
    res.ratio(
        "REST ready genesis/java", "genesis start to REST ready s", "java start to REST ready s", higher_is_better=False
    )
    g = res.figure("genesis start to REST ready s")
    if g is not None:
        res.notes.append(
            f"genesis REST ready in {g.median:.2f} s (target < 2 s: {'met' if g.median < 2 else 'not met'})"
        )
    path.unlink(missing_ok=True)
    return res

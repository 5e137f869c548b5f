"""Workload 4: REST latency on a distributed worker holding 500 connectors, genesis vs Java Connect 4.4.

* create-to-RUNNING: ``POST /connectors`` of a FileStreamSource (1 task, idle: its file is empty) until
  ``/status`` shows the connector and its task RUNNING (polled every 10 ms), for the first
  :data:`RUNNING` connectors;
* the other connectors are created with ``"initial_state": "STOPPED"`` (KIP-980): they have configs and a
  status but no tasks, so 500 of them fit on 2 cores (500 running source tasks = 500 producers);
* ``GET /connectors?expand=status&expand=info``: sequential requests (one client, keep-alive), p50 / p99.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import requests

from benchmarks import connect_rest as rest
from benchmarks.common import BenchResult, Figure, Scale, percentile, unique
from benchmarks.services import Services, genesis_distributed_missing

log = logging.getLogger("benchmarks.rest_latency")

RUNNING = 20
EXPAND = "/connectors?expand=status&expand=info"


def _source(path: Path, topic: str) -> dict[str, Any]:
    return {
        "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
        "tasks.max": "1",
        "file": str(path),
        "topic": topic,
    }


def _one(svc: Services, kind: str, total: int, running: int, gets: int) -> dict[str, list[float]]:
    w: Any = svc.java_connect() if kind == "java" else svc.genesis(mode="distributed")
    w.start()
    session = requests.Session()
    try:
        path = Path(w.tmp_dir) / "empty.txt"
        path.write_text("")
        topic = unique("rest")
        # the first create may meet a worker that has not finished its first rebalance (409): not timed
        rest.create(w.url, "warm-up", _source(path, topic), initial_state="STOPPED")
        create_ms = []
        for _ in range(running):
            name = unique("run")
            t0 = time.perf_counter()
            rest.create(w.url, name, _source(path, topic))
            rest.wait_running(w.url, name, 1, timeout=60, interval=0.01)
            create_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        for i in range(total - running - 1):
            r = session.post(
                f"{w.url}/connectors",
                json={"name": f"stopped-{i:04d}", "config": _source(path, topic), "initial_state": "STOPPED"},
                timeout=60,
            )
            if r.status_code not in (200, 201):
                raise RuntimeError(f"POST /connectors (STOPPED): {r.status_code} {r.text[:300]}")
        create_stopped = (time.perf_counter() - t0) / max(total - running - 1, 1) * 1000
        # every connector visible before timing the list
        deadline = time.monotonic() + 60
        while len(session.get(f"{w.url}/connectors", timeout=30).json()) < total:
            if time.monotonic() > deadline:
                raise TimeoutError("not every connector is listed after 60 s")
            time.sleep(0.2)
        # right after a burst of creates a worker may still be rebalancing: wait for a 200 before timing
        deadline = time.monotonic() + 60
        settle_errors = 0
        while (r := session.get(w.url + EXPAND, timeout=60)).status_code != 200:
            settle_errors += 1
            if time.monotonic() > deadline:
                raise RuntimeError(f"GET {EXPAND} still {r.status_code} 60 s after the last create: {r.text[:300]}")
            time.sleep(0.1)
        if settle_errors:
            log.warning(
                "  %s: GET %s answered non-200 %d times after the creates (%s)",
                kind,
                EXPAND,
                settle_errors,
                r.text[:200],
            )
        lat = []
        size = 0
        for _ in range(gets):
            t0 = time.perf_counter()
            r = session.get(w.url + EXPAND, timeout=60)
            body = r.content
            lat.append((time.perf_counter() - t0) * 1000)
            if r.status_code != 200:
                raise RuntimeError(f"GET {EXPAND}: {r.status_code} {body[:300]!r}")
            size = len(body)
        n_listed = len(r.json())
        if n_listed != total:
            raise RuntimeError(f"GET {EXPAND} listed {n_listed} connectors, expected {total}")
        log.info("  %s: expand body %d bytes", kind, size)
        return {
            "GET expand non-200 before settled": [float(settle_errors)],
            "create to RUNNING ms": create_ms,
            "create STOPPED ms/connector": [create_stopped],
            "GET expand p50 ms": [percentile(lat, 50)],
            "GET expand p99 ms": [percentile(lat, 99)],
        }
    finally:
        session.close()
        w.close()


def run(svc: Services, scale: Scale) -> BenchResult:
    total = scale.n(500, 100)
    running = scale.n(RUNNING, 5)
    gets = scale.n(300, 50)
    runs = 1  # a run creates 500 connectors on each side (~2 min on 2 cores); p50/p99 come from `gets` requests
    res = BenchResult(
        "rest_latency",
        f"REST latency with {total} connectors (distributed worker)",
        params={
            "connectors": total,
            "running": running,
            "stopped": total - running,
            "gets_per_run": gets,
            "runs": runs,
        },
    )
    kinds = ["java"]
    gm = genesis_distributed_missing()
    if gm:
        res.skip("genesis", gm)
    else:
        kinds.insert(0, "genesis")
    values: dict[str, list[float]] = {}
    failed: dict[str, str] = {}
    for _ in range(runs):
        for kind in kinds:
            if kind in failed:
                continue
            try:
                readings = _one(svc, kind, total, running, gets)
            except Exception as e:
                log.error("%s failed: %s", kind, e)
                failed[kind] = (str(e).strip().splitlines() or [type(e).__name__])[0][:300]
                continue
            for k, v in readings.items():
                log.info("  %s %s: median %.2f", kind, k, sorted(v)[len(v) // 2])
                values.setdefault(f"{kind} {k}", []).extend(v)
    for kind, why in failed.items():
        res.skip(kind, f"failed: {why}")
    for name, v in values.items():
        unit = "responses" if "non-200" in name else "ms"
        res.add(Figure(name, unit, v, higher_is_better=False))
    res.ratio(
        "GET expand p99 genesis/java",
        "genesis GET expand p99 ms",
        "java GET expand p99 ms",
        target=1.0,
        target_text="< 1",
        higher_is_better=False,
    )
    res.ratio(
        "GET expand p50 genesis/java", "genesis GET expand p50 ms", "java GET expand p50 ms", higher_is_better=False
    )
    res.ratio(
        "create to RUNNING genesis/java",
        "genesis create to RUNNING ms",
        "java create to RUNNING ms",
        higher_is_better=False,
    )
    res.notes.append(
        "create to RUNNING: one figure per connector (all runs pooled); GET p50/p99: one figure per run, "
        f"each over {gets} requests."
    )
    return res

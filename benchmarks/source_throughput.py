"""Workload 2: source throughput - FileStreamSource reading an N-line file of ~300-byte JSON ad logs into a
1-partition topic (LogAppendTime), genesis vs Java Connect 4.4 (the same connector class and config, string
converter) vs the raw confluent-kafka producer loop (:mod:`benchmarks.peers.raw_producer`).

Rate = N / (append time of the last record - append time of the first): the broker's clock, start-up not
counted. CPU per record = CPU the writer's process used from being told to start until the last record.
Peak RSS = the largest resident set of the writer's process tree, sampled every 50 ms until the last record
(issue 15: a bounded source keeps it flat however long the run). ``--contenders genesis`` runs one side.

Finding (2026-11-25): genesis' ``POST /connectors`` for a FileStreamSource with a ready file returns only
after the task has streamed the whole file - a busy source task starves the worker's event loop.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import connect_rest as rest
from benchmarks.common import (
    LOG_APPEND,
    MB,
    REPO_ROOT,
    BenchResult,
    Figure,
    Scale,
    adlog_records,
    append_time_span,
    cpu_seconds,
    delete_topics,
    rss_bytes,
    topic_count,
    unique,
)
from benchmarks.services import Services, genesis_missing

log = logging.getLogger("benchmarks.source_throughput")

FILE_SOURCE = "org.apache.kafka.connect.file.FileStreamSourceConnector"
STRING = "org.apache.kafka.connect.storage.StringConverter"


def source_config(path: Path, topic: str) -> dict[str, Any]:
    return {
        "connector.class": FILE_SOURCE,
        "tasks.max": 1,
        "file": str(path),
        "topic": topic,
        "key.converter": STRING,
        "value.converter": STRING,
    }


def _measure(
    bootstrap: str,
    topic: str,
    n: int,
    pids: Callable[[], list[int]],
    alive: Callable[[], bool],
    timeout: float,
    cpu_start: float,
) -> tuple[float, float, float]:
    """Wait for the N-th record of ``topic``; ``(records/s, µs CPU per record, peak RSS MiB)``.

    CPU is counted from ``cpu_start`` (the writer's CPU reading just before it was told to start):
    a busy genesis source task may finish before the REST call that created it returns, so there is
    no reading "at the first record" to take.
    """
    deadline = time.monotonic() + timeout
    cpu1 = 0.0
    last_cpu = cpu_start
    peak = 0
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{topic}: {topic_count(bootstrap, topic)}/{n} records after {timeout:.0f}s")
        count = topic_count(bootstrap, topic)
        cpu = sum(cpu_seconds(p) for p in pids())
        peak = max(peak, sum(rss_bytes(p) for p in pids()))
        last_cpu = max(last_cpu, cpu)
        if count >= n:
            cpu1 = last_cpu
            break
        if not alive():
            if topic_count(bootstrap, topic) >= n:
                cpu1 = last_cpu
                break
            raise RuntimeError(f"writer exited with {count}/{n} records in {topic}")
        time.sleep(0.05)
    first, last, count = append_time_span(bootstrap, topic)
    if count != n:
        raise RuntimeError(f"{topic}: {count} records, expected {n}")
    return n / (max(last - first, 1) / 1000.0), (cpu1 - cpu_start) / n * 1e6, peak / MB


def run(svc: Services, scale: Scale) -> BenchResult:
    n = scale.records
    res = BenchResult(
        "source_throughput",
        "Source throughput: FileStreamSource, N lines -> 1 partition",
        params={"records": n, "runs": scale.runs},
    )
    bootstrap = svc.kafka.bootstrap
    data_dir = Path(svc.kafka.tmp_dir).parent / unique("genesis-bench-src")
    data_dir.mkdir()
    path = data_dir / "adlogs.jsonl"
    with open(path, "wb") as f:
        for _, v in adlog_records(n, seed=7):
            f.write(v + b"\n")
    timeout = max(120.0, n / 5000)
    rates: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}
    peaks: dict[str, list[float]] = {}
    failed: dict[str, str] = {}

    java = None
    if "java" not in scale.contenders:
        res.skip("java", "not asked for (--contenders)")
    else:
        try:
            java = svc.java_connect()
            java.start()
        except Exception as e:
            res.skip("java", f"Java Connect did not start: {e}")
            java = None
    gm = genesis_missing() if "genesis" in scale.contenders else "not asked for (--contenders)"
    if gm:
        res.skip("genesis", gm)

    def record(name: str, fn: Callable[[], tuple[float, float, float]]) -> None:
        if name in failed or name not in scale.contenders:
            return
        try:
            rate, cpu, peak = fn()
        except Exception as e:
            log.error("%s failed: %s", name, e)
            failed[name] = (str(e).strip().splitlines() or [type(e).__name__])[0][:300]
            return
        log.info("  %-8s %10.0f rec/s  %6.2f µs CPU/rec  peak RSS %6.1f MiB", name, rate, cpu, peak)
        rates.setdefault(name, []).append(rate)
        cpus.setdefault(name, []).append(cpu)
        peaks.setdefault(name, []).append(peak)

    def raw() -> tuple[float, float, float]:
        topic = svc.kafka.create_topic(unique("src-raw"), 1, LOG_APPEND)
        env = dict(
            os.environ, PYTHONPATH=os.pathsep.join(str(REPO_ROOT / d) for d in (".", "connectors", "transforms"))
        )
        argv = [sys.executable, "-m", "benchmarks.peers.raw_producer", bootstrap, str(path), topic]
        p = subprocess.Popen(argv, cwd=REPO_ROOT, env=env)
        try:
            # a fresh process: its CPU includes interpreter start-up (~0.1 s, ~0.1 µs per record at 1M)
            return _measure(bootstrap, topic, n, lambda: [p.pid], lambda: p.poll() is None, timeout, 0.0)
        finally:
            p.kill()
            p.wait()
            delete_topics(bootstrap, [topic])

    def genesis() -> tuple[float, float, float]:
        topic = svc.kafka.create_topic(unique("src-gen"), 1, LOG_APPEND)
        # connector created over REST once the worker is up (as for Java): given on the command line it
        # would run before REST is ready and the CPU reading would miss it
        w = svc.genesis(mode="standalone")
        w.start()
        try:
            cpu_start = cpu_seconds(w.pid or 0)
            rest.create(w.url, unique("src"), source_config(path, topic))
            return _measure(bootstrap, topic, n, lambda: [w.pid or 0], lambda: w.running, timeout, cpu_start)
        except Exception as e:
            raise RuntimeError(f"{e}: {w.tail(15)}") from None
        finally:
            w.close()
            delete_topics(bootstrap, [topic])

    def java_run() -> tuple[float, float, float]:
        assert java is not None
        topic = svc.kafka.create_topic(unique("src-java"), 1, LOG_APPEND)
        name = unique("src")
        cpu_start = cpu_seconds(java.pid or 0)
        rest.create(java.url, name, source_config(path, topic))
        try:
            return _measure(bootstrap, topic, n, lambda: [java.pid or 0], lambda: java.running, timeout, cpu_start)
        finally:
            rest.delete(java.url, name)
            delete_topics(bootstrap, [topic])

    for _ in range(scale.runs):
        if not gm:
            record("genesis", genesis)
        record("raw", raw)
        if java is not None:
            record("java", java_run)

    for name, why in failed.items():
        if name not in rates:
            res.skip(name, f"failed: {why}")
    for name, values in rates.items():
        res.add(Figure(f"{name} rec/s", "records/s", values))
        res.add(Figure(f"{name} CPU/rec", "µs CPU per record", cpus[name], higher_is_better=False))
        res.add(Figure(f"{name} peak RSS", "MiB", peaks[name], higher_is_better=False))
    res.ratio("genesis/raw", "genesis rec/s", "raw rec/s")
    res.ratio("genesis/java", "genesis rec/s", "java rec/s", target=1.0, target_text=">= 1")
    path.unlink(missing_ok=True)
    data_dir.rmdir()
    return res

"""Run every benchmark and write benchmarks/results/<date>.json, .md and PNG charts.

    .venv/bin/python -m benchmarks.run [--quick] [--only NAME[,NAME...]] [--records N] [--runs R]

Starts what it needs (Apache Kafka 4.4, Java Kafka Connect 4.4, MongoDB test server) and stops it at the
end, also on Ctrl-C / SIGTERM.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import logging
import os
import platform
import signal
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.common import BenchResult, Scale
from benchmarks.services import Services

log = logging.getLogger("benchmarks")
RESULTS = Path(__file__).resolve().parent / "results"


def _benchmarks() -> dict[str, Callable[[Services, Scale], BenchResult]]:
    from benchmarks import (
        footprint,
        kafka_pipeline,
        mongo_bench,
        pipeline_jobs,
        rebalance,
        rest_latency,
        source_throughput,
        transforms,
    )

    return {
        "kafka_pipeline": kafka_pipeline.run,
        "kafka_jobs": pipeline_jobs.run,
        "source_throughput": source_throughput.run,
        "mongo_sink": mongo_bench.run,
        "rest_latency": rest_latency.run,
        "rebalance": rebalance.run,
        "footprint": footprint.run,
        "transforms": transforms.run,
    }


def _machine() -> str:
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = f" {int(f.readline().split()[1]) // 1024 // 1024} GiB RAM,"
    except OSError:
        pass
    return f"{os.cpu_count()} cores,{mem} {platform.system()} {platform.release()}, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smoke run: 100k records, 1 run each")
    ap.add_argument("--only", help="comma-separated benchmark names (default: all)")
    ap.add_argument("--records", type=int, help="records for the throughput workloads (default 1,000,000)")
    ap.add_argument("--runs", type=int, help="runs per figure (default 3; --quick: 1)")
    ap.add_argument("--contenders", help="comma-separated sides to run where a benchmark honours it (default: all)")
    ap.add_argument("--jobs", help="kafka_jobs: comma-separated jobs (default: all of benchmarks.pipeline_jobs.JOBS)")
    ap.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("quixstreams", "kafka", "aiokafka"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    benches = _benchmarks()
    if args.jobs:
        jobs = tuple(j.strip() for j in args.jobs.split(",") if j.strip())
        benches["kafka_jobs"] = functools.partial(benches["kafka_jobs"], jobs=jobs)  # type: ignore[call-arg]
    names = list(benches) if not args.only else [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in benches]
    if unknown:
        ap.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(benches)}")
    scale = Scale(
        records=args.records or (100_000 if args.quick else 1_000_000),
        runs=args.runs or (1 if args.quick else 3),
        quick=args.quick,
    )
    if args.contenders:
        scale = dataclasses.replace(scale, contenders=tuple(c.strip() for c in args.contenders.split(",") if c.strip()))

    def on_term(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_term)
    started = time.monotonic()
    now = dt.datetime.now(dt.UTC)
    results: list[dict[str, Any]] = []
    svc = Services()
    try:
        for name in names:
            log.info("=== %s (%d records, %d runs) ===", name, scale.records, scale.runs)
            t0 = time.monotonic()
            try:
                res = benches[name](svc, scale)
            except KeyboardInterrupt:
                raise
            except Exception as e:
                log.error("%s failed:\n%s", name, traceback.format_exc())
                res = BenchResult(name, name)
                res.skip(name, f"benchmark failed: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
            res.seconds = time.monotonic() - t0
            results.append(res.to_json())
    finally:
        svc.close()
    run = {
        "date": now.strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": _machine(),
        "quick": args.quick,
        "records": scale.records,
        "runs": scale.runs,
        "seconds": time.monotonic() - started,
        "benchmarks": results,
    }
    stem = now.strftime("%Y-%m-%d") + ("-quick" if args.quick else "")
    if args.only:
        stem += "-" + "-".join(names)
    if args.jobs:
        stem += "-" + "-".join(j.strip() for j in args.jobs.split(","))
    for path in report.write(run, args.out, stem):
        log.info("wrote %s", path)
    print(report.markdown(run))
    return 0


if __name__ == "__main__":
    sys.exit(main())

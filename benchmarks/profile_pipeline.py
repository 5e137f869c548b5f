"""Profile the genesis task loop of workload 1 with pyinstrument and write the top of the call tree.

    .venv/bin/python -m benchmarks.profile_pipeline [--records 300000] [--tasks 1] [--job json]

``--job`` profiles one of the all-kept jobs of :mod:`benchmarks.pipeline_jobs` (json, string, bytes, smt;
every record kept) instead of workload 1, and writes benchmarks/profiles/kafka_jobs-<job>.txt.

Starts Kafka, loads the ad-log topic, runs ``genesis-worker standalone`` with the KafkaSinkConnector
under ``pyinstrument`` (statistical profiler, main thread = the event loop where conversion, the
connector's ``put`` and the producer calls run; librdkafka's own threads are native and not sampled),
stops it with SIGINT once the output topic is complete and writes benchmarks/profiles/kafka_pipeline.txt.
"""

from __future__ import annotations

import argparse
import logging
import signal
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import (
    LOG_APPEND,
    Scale,
    adlog_records,
    expected_pipeline_output,
    produce_all,
    unique,
    wait_topic_count,
)
from benchmarks.kafka_pipeline import PARTITIONS, genesis_connector_config
from benchmarks.services import GenesisWorker, Services

OUT = Path(__file__).resolve().parent / "profiles" / "kafka_pipeline.txt"
MAX_LINES = 120


class ProfiledWorker(GenesisWorker):
    """A genesis worker started under ``python -m pyinstrument``."""

    stop_signal = signal.SIGINT

    def __init__(self, *args: object, report: Path, **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.report = report

    def _argv(self) -> Sequence[str]:
        argv = list(super()._argv())
        # [python, -m, genesis_worker.cli, ...] -> [python, -m, pyinstrument, ..., -m, genesis_worker.cli, ...]
        return [argv[0], "-m", "pyinstrument", "-r", "text", "--show-all", "-o", str(self.report), *argv[1:]]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=300_000)
    ap.add_argument("--tasks", type=int, default=1)
    ap.add_argument("--job", choices=("json", "string", "bytes", "smt"), help="an all-kept job (pipeline_jobs)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    scale = Scale(records=args.records, runs=1)
    svc = Services()
    try:
        bootstrap = svc.kafka.bootstrap
        src = svc.kafka.create_topic(unique("prof-in"), PARTITIONS)
        produce_all(bootstrap, src, adlog_records(scale.records))
        expected = expected_pipeline_output(scale.records) if args.job is None else scale.records
        out = svc.kafka.create_topic(unique("prof-out"), PARTITIONS, LOG_APPEND)
        raw = Path(svc.kafka.tmp_dir) / "profile.txt"
        conf = genesis_connector_config(unique("prof"), bootstrap, src, out, args.tasks)
        what = "filter + inject timestamp + 10 % key-hash sample, ByteArrayConverter"
        target = OUT
        if args.job is not None:
            from benchmarks.pipeline_jobs import JOBS

            for k in ("filter.condition", "inject.timestamp.field", "sample.percent", "sample.mode"):
                conf.pop(k)
            conf.update(JOBS[args.job].genesis)
            what = f"all-kept job {args.job!r} of benchmarks.pipeline_jobs"
            target = OUT.with_name(f"kafka_jobs-{args.job}.txt")
        w = ProfiledWorker(bootstrap, mode="standalone", connectors=[conf], report=raw)
        w.start()
        t0 = time.monotonic()
        wait_topic_count(bootstrap, out, expected, timeout=600, alive=lambda: w.running)
        took = time.monotonic() - t0
        w.stop(timeout=60)
        w.close()
        lines = raw.read_text().splitlines()
        header = [
            f"# pyinstrument profile of genesis-worker standalone running the KafkaSinkConnector ({what}),",
            f"# {scale.records:,} records, {args.tasks} task(s),",
            f"# {expected:,} written; {took:.1f} s from start to the last record, profiler overhead included.",
            f"# Command: python -m benchmarks.profile_pipeline --records {scale.records} --tasks {args.tasks}"
            + (f" --job {args.job}" if args.job else ""),
            f"# First {MAX_LINES} lines of pyinstrument's text report (main thread: the event loop).",
            "",
        ]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(header + lines[:MAX_LINES]) + "\n")
        print(target.read_text())
    finally:
        svc.close()


if __name__ == "__main__":
    main()

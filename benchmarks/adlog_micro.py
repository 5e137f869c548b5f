"""Micro-benchmark of the ad-log KafkaSinkTask ``put`` path, without a broker.

100,000 synthetic ~300-byte JSON ad logs (``benchmarks.common.adlog_records``) as SinkRecords with raw
bytes values (the ByteArrayConverter fast path). Each job is timed as records per CPU second (process
time, so other load on the machine matters less) of ``task.put`` and compared with a plain loop doing
the same job by hand (orjson loads -> filter -> inject -> dumps [-> produce]), the ceiling the connector
is measured against; the two are run alternately and the ratio is the median of the per-run ratios:

* ``filter``: the workload-1 filter only (every record parsed, ~30 % kept, written unchanged);
* ``filter+inject``: the filter, and ``ingested_at`` injected into each kept record;
* ``sample+filter+inject``: 10 % key-hash sample first (fmix32(crc32(key)), as the connector), then the above;
* ``inject only``: no filter, ``ingested_at`` + a static field into every record.

Two sinks: ``discard`` (a producer double whose produce does nothing: pure Python cost of the path) and
``librdkafka`` (a real confluent-kafka Producer pointed at a closed port with a large queue: adds the
cost of handing each record to librdkafka, for the plain loop too; the queue is purged afterwards).

Run: ``.venv/bin/python benchmarks/adlog_micro.py [--records N] [--runs R]``
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from confluent_kafka import Producer  # noqa: E402

from benchmarks.common import FILTER_CONDITION, INJECT_FIELD, adlog_records, keep_record  # noqa: E402
from genesis_connectors.kafka.adlog_join import AdLogJoinKafkaSinkTask  # noqa: E402
from genesis_connectors.kafka.feature_join import ExtFeatureJoinKafkaSinkTask  # noqa: E402
from genesis_connectors.kafka.fragments import Fragment  # noqa: E402
from genesis_connectors.kafka.lookup_table import LookupTable  # noqa: E402
from genesis_connectors.kafka.producer import TargetProducer  # noqa: E402
from genesis_connectors.kafka.sink import KafkaSinkTask  # noqa: E402
from genesis_worker.api import SinkRecord  # noqa: E402


class DiscardProducer:
    """No-broker stand-in: accepts records and drops them (measures only the connector's own work)."""

    failed = 0

    def produce(self, *args: Any, **kw: Any) -> None:
        pass

    def poll(self) -> None:
        pass

    def raise_if_failed(self) -> None:
        pass

    async def flush(self, *a: Any, **kw: Any) -> None:
        pass

    def in_flight(self) -> int:
        return 0

    def close(self, timeout: float = 0) -> None:
        pass


SINK = {"kind": "discard"}


def _make_producer(conf: dict[str, Any]) -> Any:
    if SINK["kind"] == "discard":
        return DiscardProducer()
    conf = {
        **conf,
        "queue.buffering.max.messages": 2_000_000,
        "queue.buffering.max.kbytes": 2_000_000,
        "linger.ms": 1000,
        "logger": _quiet_logger(),
    }
    return TargetProducer(conf)


class _Task(KafkaSinkTask):
    def make_producer(self, conf: dict[str, Any]) -> Any:
        return _make_producer(conf)


class _FeatureTask(ExtFeatureJoinKafkaSinkTask):
    """Feature join with a warm cache: every user's features are cached before the run (Redis is never
    asked; the redis.url points at a closed port)."""

    def make_producer(self, conf: dict[str, Any]) -> Any:
        return _make_producer(conf)

    def warm(self, features: dict[str, dict[str, Any]]) -> None:
        for user, feats in features.items():
            self.cache.put(user, Fragment.of({"features": feats}))


class _PreloadedTable(LookupTable):
    """The lookup table filled directly (no broker); ``start`` only marks it loaded."""

    def start(self, load_timeout_s: float) -> None:
        self._loaded.set()


class _AdJoinTask(AdLogJoinKafkaSinkTask):
    def make_producer(self, conf: dict[str, Any]) -> Any:
        return _make_producer(conf)

    def make_table(self, *args: Any) -> LookupTable:
        return _PreloadedTable(*args)


def user_features(users: set[str]) -> dict[str, dict[str, Any]]:
    return {u: {"seg": f"s{int(u[1:]) % 17}", "score": round(int(u[1:]) % 1000 / 1000, 3), "vip": int(u[1:]) % 9 == 0}
            for u in users}  # fmt: skip


def ad_metadata(ads: set[str]) -> dict[str, dict[str, Any]]:
    return {a: {"campaign": f"cmp-{int(a[3:]) % 400:04d}", "advertiser": f"adv-{int(a[3:]) % 97:03d}",
                "creative_type": ("video", "banner", "native")[int(a[3:]) % 3]} for a in ads}  # fmt: skip


def _quiet_logger() -> Any:
    import logging

    lg = logging.getLogger("adlog_micro.librdkafka")
    lg.addHandler(logging.NullHandler())
    lg.propagate = False
    return lg


JOBS: dict[str, dict[str, str]] = {
    "feature join (warm)": {
        "join.key.field": "user_id",
        "redis.url": "redis://127.0.0.1:9/0",
        "cache.max.entries": "1000000",
        "cache.ttl.ms": "3600000",
    },
    "ad-log join": {"lookup.topic": "ads-meta", "lookup.key.field": "ad_id", "lookup.bootstrap.servers": "127.0.0.1:9"},
    "filter": {"filter.condition": FILTER_CONDITION},
    "filter+inject": {"filter.condition": FILTER_CONDITION, "inject.timestamp.field": INJECT_FIELD},
    "sample+filter+inject": {
        "filter.condition": FILTER_CONDITION,
        "inject.timestamp.field": INJECT_FIELD,
        "sample.percent": "10",
        "sample.mode": "hash",
    },
    "inject only": {"inject.timestamp.field": INJECT_FIELD, "inject.static.fields": "pipeline=adlog"},
}


def baseline(
    job: str, produce: Callable[..., Any] | None, feats: dict[str, Any], meta: dict[str, Any]
) -> Callable[[list[tuple[bytes, bytes, int]]], int]:
    """The same job written as a plain orjson loop (the ceiling); ``produce`` as the connector's sink."""
    loads, dumps = orjson.loads, orjson.dumps
    if job.startswith("feature"):

        def run_features(data: list[tuple[bytes, bytes, int]]) -> int:
            for key, value, ts in data:
                d = loads(value)
                d["features"] = feats.get(d.get("user_id"))
                b = dumps(d)
                if produce is not None:
                    produce("out", b, key, timestamp=ts)
            return len(data)

        return run_features
    if job.startswith("ad-log"):

        def run_join(data: list[tuple[bytes, bytes, int]]) -> int:
            for key, value, ts in data:
                d = loads(value)
                m = meta.get(d.get("ad_id"))
                if m is not None:
                    d.update(m)
                b = dumps(d)
                if produce is not None:
                    produce("out", b, key, timestamp=ts)
            return len(data)

        return run_join
    threshold = int(0.10 * 2**32)
    crc32 = zlib.crc32
    filt = job != "inject only"
    inject = job != "filter"
    sample = job.startswith("sample")

    def run(data: list[tuple[bytes, bytes, int]]) -> int:
        out = 0
        for key, value, ts in data:
            if sample:
                h = crc32(key)
                h = ((h ^ (h >> 16)) * 0x85EBCA6B) & 0xFFFFFFFF
                h = ((h ^ (h >> 13)) * 0xC2B2AE35) & 0xFFFFFFFF
                if h ^ (h >> 16) >= threshold:
                    continue
            d = loads(value)
            if filt and not keep_record(d):
                continue
            if inject:
                d[INJECT_FIELD] = ts
                if job == "inject only":
                    d["pipeline"] = "adlog"
            b = dumps(d)
            if produce is not None:
                produce("out", b, key, timestamp=ts)
            out += 1
        return out

    return run


def raw_producer() -> Producer:
    return Producer(
        {
            "bootstrap.servers": "127.0.0.1:9",
            "queue.buffering.max.messages": 2_000_000,
            "queue.buffering.max.kbytes": 2_000_000,
            "linger.ms": 1000,
            "logger": _quiet_logger(),
        }
    )


async def main(n: int, runs: int, batch: int) -> None:
    raw = list(adlog_records(n))
    ts0 = 1_764_000_000_000
    data = [(k, v, ts0 + i) for i, (k, v) in enumerate(raw)]
    records = [SinkRecord("ad-logs", 0, None, k, None, v, i, timestamp=ts) for i, (k, v, ts) in enumerate(data)]
    avg = sum(len(v) for _, v in raw) / n
    parsed = [orjson.loads(v) for _, v in raw]
    feats = user_features({d["user_id"] for d in parsed})
    meta = ad_metadata({d["ad_id"] for d in parsed})
    del parsed
    print(f"{n} records, {avg:.0f} bytes average, batches of {batch}; runs interleaved (plain, connector) x {runs};")
    print("records per CPU second (process time), median; ratio = median of the per-run ratios\n")
    print(f"{'job':22} {'sink':11} {'connector rec/s':>16} {'plain loop rec/s':>17} {'ratio':>6} {'written':>8}")
    for job, extra in JOBS.items():
        task_cls: type[Any] = (
            _FeatureTask if job.startswith("feature") else _AdJoinTask if job.startswith("ad-log") else _Task
        )
        for sink in ("discard", "librdkafka"):
            SINK["kind"] = sink
            c_times: list[float] = []
            b_times: list[float] = []
            written = b_out = 0
            for _ in range(runs):
                rp = raw_producer() if sink == "librdkafka" else None
                plain = baseline(job, rp.produce if rp is not None else None, feats, meta)
                gc.collect()
                t0 = time.process_time()
                b_out = plain(data)
                b_times.append(time.process_time() - t0)
                if rp is not None:
                    rp.purge()
                    rp.flush(0)
                task = task_cls()  # a fresh task per run (the librdkafka queue is purged in between)
                await task.start(
                    {"name": "bench", "topics": "ad-logs", "target.topic": "out",
                     "target.bootstrap.servers": "127.0.0.1:9", **extra}
                )  # fmt: skip
                if isinstance(task, _FeatureTask):
                    task.warm(feats)
                elif isinstance(task, _AdJoinTask):
                    for ad, m in meta.items():
                        task.table.put_for_test(ad.encode(), orjson.dumps(m))
                gc.collect()
                t0 = time.process_time()
                for i in range(0, n, batch):
                    await task.put(records[i : i + batch])
                c_times.append(time.process_time() - t0)
                written = task.counts["written"]
                if sink == "librdkafka":
                    task.producer._producer.purge()
                    task.producer._producer.flush(0)
                await task.stop()
                del task
            assert written == b_out, (job, written, b_out)
            c_med, b_med = statistics.median(c_times), statistics.median(b_times)
            ratio = statistics.median(b / c for b, c in zip(b_times, c_times, strict=True))
            print(f"{job:22} {sink:11} {n / c_med:16,.0f} {n / b_med:17,.0f} {ratio:6.2f} {written:8}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--batch", type=int, default=500, help="records per put (the runtime's max.poll.records)")
    args = ap.parse_args()
    asyncio.run(main(args.records, args.runs, args.batch))

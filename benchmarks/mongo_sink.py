"""MongoDB sink throughput: documents/s of MongoSinkTask against the ceiling of a plain PyMongo loop.

    .venv/bin/python benchmarks/mongo_sink.py [--records 200000] [--batch 1000] [--uri mongodb://...]

Without ``--uri`` a SecantusDB server is started for the run (the test server; production is MongoDB 6+).
One task, ``put`` + ``flush`` called directly with batches of SinkRecords whose values are what the
runtime's JsonConverter (schemas.enable=false) produces: dicts. In the same run, the ceiling: the same
documents written with ``insert_many`` batches by a bare ``AsyncMongoClient``, interleaved batch by batch with the connector. The connector runs with
``InsertOneDefaultStrategy`` (same server work as the ceiling) and, for information, with the default
``ReplaceOneDefaultStrategy`` on the first 20,000 records (upserts: more work on the server). Target: 80% of the ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pymongo import AsyncMongoClient  # noqa: E402

from genesis_connectors.mongodb.sink.task import MongoSinkTask  # noqa: E402
from genesis_worker.api import SinkRecord, SinkTaskContext  # noqa: E402


class _Context(SinkTaskContext):
    """A bare context: the benchmark has no DLQ and no runtime."""

    def timeout(self, timeout_ms: int) -> None:
        pass

    @property
    def errant_record_reporter(self) -> None:
        return None


def event(i: int) -> dict[str, Any]:
    return {
        "event_id": f"ev-{i:09d}",
        "user_id": f"user-{i % 50_000}",
        "ad_id": f"ad-{i % 997}",
        "campaign": f"c-{i % 31}",
        "type": "click" if i % 7 == 0 else "impression",
        "ts": 1_700_000_000_000 + i,
        "price": (i % 1000) / 100.0,
        "position": i % 10,
        "device": {"os": "android" if i % 2 else "ios", "app": "news"},
        "tags": ["sport", "mobile"] if i % 3 else ["news"],
    }


async def interleaved(
    uri: str, db: str, docs: list[dict[str, Any]], records: list[SinkRecord], batch: int, write_model: str | None
) -> tuple[float, float]:
    """Ceiling and connector batch by batch, alternating which goes first: on a shared machine load
    drifts, and interleaving makes both sides see the same server state and the same neighbours."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri)
    coll = client[db]["ceiling"]
    task = MongoSinkTask()
    task.initialize(_Context())
    props = {"connection.uri": uri, "topics": "bench", "database": db, "collection": "sink"}
    if write_model:
        props["writemodel.strategy"] = f"com.mongodb.kafka.connect.sink.writemodel.strategy.{write_model}"
    await task.start(props)
    t_ceiling = t_sink = 0.0
    for n, i in enumerate(range(0, len(docs), batch)):
        plain = [dict(d) for d in docs[i : i + batch]]  # insert_many adds _id to what it is given
        part = records[i : i + batch]
        for side in (0, 1) if n % 2 == 0 else (1, 0):
            start = time.perf_counter()
            if side == 0:
                await coll.insert_many(plain, ordered=True)
                t_ceiling += time.perf_counter() - start
            else:
                await task.put(part)
                t_sink += time.perf_counter() - start
    start = time.perf_counter()
    await task.flush({})
    t_sink += time.perf_counter() - start
    await task.stop()
    assert await coll.count_documents({}) == len(docs)
    assert await client[db]["sink"].count_documents({}) == len(records)
    await client.drop_database(db)
    await client.close()
    return len(docs) / t_ceiling, len(records) / t_sink


async def run(uri: str, n: int, batch: int, rounds: int) -> None:
    docs = [event(i) for i in range(n)]
    records = [SinkRecord("bench", 0, None, None, None, d, i, 1_700_000_000_000 + i) for i, d in enumerate(docs)]
    tag = uuid.uuid4().hex[:6]
    m = min(n, 20_000)
    await interleaved(uri, f"bench_warm_{tag}", docs[:m], records[:m], batch, "InsertOneDefaultStrategy")
    ceilings: list[float] = []
    sinks: list[float] = []
    for r in range(rounds):
        c, k = await interleaved(uri, f"bench_{r}_{tag}", docs, records, batch, "InsertOneDefaultStrategy")
        ceilings.append(c)
        sinks.append(k)
    rc, rs = await interleaved(uri, f"bench_r_{tag}", docs[:m], records[:m], batch, None)
    ceil, sink = statistics.median(ceilings), statistics.median(sinks)
    ratios = [k / c for c, k in zip(ceilings, sinks, strict=True)]
    runs = lambda xs: ", ".join(f"{x:,.0f}" for x in xs)  # noqa: E731
    print(f"records={n} batch={batch} tasks=1 rounds={rounds} (medians; ceiling and connector interleaved per batch)")
    print(f"ceiling   plain PyMongo insert_many loop : {ceil:>10,.0f} docs/s  (runs: {runs(ceilings)})")
    print(f"connector MongoSinkTask, InsertOne       : {sink:>10,.0f} docs/s  (runs: {runs(sinks)})")
    print(
        f"connector / ceiling                      : {statistics.median(ratios):>10.1%}  "
        f"(runs: {', '.join(f'{x:.1%}' for x in ratios)}; target 80%)"
    )
    print(
        f"connector MongoSinkTask, default Replace : {rs:>10,.0f} docs/s  (upserts, first {m:,} records; "
        f"ceiling beside it {rc:,.0f} docs/s)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3, help="interleaved ceiling/connector rounds (median)")
    ap.add_argument("--uri", help="MongoDB URI; default: start a SecantusDB test server for the run")
    args = ap.parse_args()
    if args.uri:
        asyncio.run(run(args.uri, args.records, args.batch, args.rounds))
        return
    from tests.fixtures.stores import MongoServer

    server = MongoServer()
    server.start()
    try:
        print(f"server: SecantusDB (test server) at {server.uri}")
        asyncio.run(run(server.uri, args.records, args.batch, args.rounds))
    finally:
        server.close()


if __name__ == "__main__":
    main()

"""MongoDB sink throughput: documents/s of MongoSinkTask against the ceiling of a plain PyMongo loop.

    .venv/bin/python benchmarks/mongo_sink.py [--records 200000] [--batch 1000] [--uri mongodb://...]

Without ``--uri`` a SecantusDB server is started for the run (the test server; production is MongoDB 6+).
One task, ``put`` + ``flush`` called directly with batches of SinkRecords whose values are what the
runtime's JsonConverter (schemas.enable=false) produces: dicts. In the same run, the ceiling: the same
documents written with ``insert_many`` batches by a bare ``AsyncMongoClient``. The connector runs with
``InsertOneDefaultStrategy`` (same server work as the ceiling) and, for information, with the default
``ReplaceOneDefaultStrategy`` on the first 20,000 records (upserts: more work on the server). Target: 80% of the ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pymongo import AsyncMongoClient  # noqa: E402

from connectors.mongodb.sink.task import MongoSinkTask  # noqa: E402
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


async def ceiling(uri: str, db: str, docs: list[dict[str, Any]], batch: int) -> float:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri)
    coll = client[db]["ceiling"]
    start = time.perf_counter()
    for i in range(0, len(docs), batch):
        # fresh dicts: insert_many adds _id to what it is given
        await coll.insert_many([dict(d) for d in docs[i : i + batch]], ordered=True)
    elapsed = time.perf_counter() - start
    assert await coll.count_documents({}) == len(docs)
    await client.drop_database(db)
    await client.close()
    return len(docs) / elapsed


async def connector(uri: str, db: str, records: list[SinkRecord], batch: int, write_model: str | None) -> float:
    task = MongoSinkTask()
    task.initialize(_Context())
    props = {"connection.uri": uri, "topics": "bench", "database": db, "collection": "sink"}
    if write_model:
        props["writemodel.strategy"] = f"com.mongodb.kafka.connect.sink.writemodel.strategy.{write_model}"
    await task.start(props)
    start = time.perf_counter()
    for i in range(0, len(records), batch):
        await task.put(records[i : i + batch])
    await task.flush({})
    elapsed = time.perf_counter() - start
    await task.stop()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri)
    assert await client[db]["sink"].count_documents({}) == len(records)
    await client.drop_database(db)
    await client.close()
    return len(records) / elapsed


async def run(uri: str, n: int, batch: int) -> None:
    docs = [event(i) for i in range(n)]
    records = [SinkRecord("bench", 0, None, None, None, d, i, 1_700_000_000_000 + i) for i, d in enumerate(docs)]
    tag = uuid.uuid4().hex[:6]
    await ceiling(uri, f"bench_warm_{tag}", docs[: min(n, 20_000)], batch)  # warm the server and the clients
    c1 = await ceiling(uri, f"bench_c1_{tag}", docs, batch)
    s1 = await connector(uri, f"bench_s1_{tag}", records, batch, "InsertOneDefaultStrategy")
    c2 = await ceiling(uri, f"bench_c2_{tag}", docs, batch)
    s2 = await connector(uri, f"bench_s2_{tag}", records, batch, "InsertOneDefaultStrategy")
    upserts = records[: min(n, 20_000)]  # informational only, and slow on the test server
    r = await connector(uri, f"bench_r_{tag}", upserts, batch, None)
    ceil, sink = max(c1, c2), max(s1, s2)
    print(f"records={n} batch={batch} tasks=1")
    print(f"ceiling  plain PyMongo insert_many loop : {ceil:>10,.0f} docs/s  (runs: {c1:,.0f}, {c2:,.0f})")
    print(f"connector MongoSinkTask InsertOne        : {sink:>10,.0f} docs/s  (runs: {s1:,.0f}, {s2:,.0f})")
    print(f"connector MongoSinkTask default (Replace): {r:>10,.0f} docs/s  (upserts, first {len(upserts):,} records)")
    print(f"connector / ceiling                      : {sink / ceil:>10.1%}  (target 80%)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--uri", help="MongoDB URI; default: start a SecantusDB test server for the run")
    args = ap.parse_args()
    if args.uri:
        asyncio.run(run(args.uri, args.records, args.batch))
        return
    from tests.fixtures.stores import MongoServer

    server = MongoServer()
    server.start()
    try:
        print(f"server: SecantusDB (test server) at {server.uri}")
        asyncio.run(run(server.uri, args.records, args.batch))
    finally:
        server.close()


if __name__ == "__main__":
    main()

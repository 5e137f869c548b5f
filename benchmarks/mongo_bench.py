"""Workload 3: MongoDB sink - the Mongo engineer's :mod:`benchmarks.mongo_sink` (MongoSinkTask ``put`` +
``flush`` vs a plain PyMongo ``insert_many`` loop, interleaved batch by batch) run inside this harness
against the shared MongoDB test server (SecantusDB), one figure per side and their ratio."""

from __future__ import annotations

import asyncio
import logging
import uuid

from benchmarks.common import BenchResult, Figure, Scale
from benchmarks.services import Services

log = logging.getLogger("benchmarks.mongo")
BATCH = 1000


def run(svc: Services, scale: Scale) -> BenchResult:
    from benchmarks import mongo_sink
    from genesis_worker.api import SinkRecord

    n = scale.n(200_000, 20_000)
    res = BenchResult(
        "mongo_sink",
        "MongoDB sink: MongoSinkTask vs plain PyMongo insert_many (SecantusDB test server)",
        params={"records": n, "batch": BATCH, "runs": scale.runs, "write_model": "InsertOneDefaultStrategy"},
    )
    uri = svc.mongo.uri
    docs = [mongo_sink.event(i) for i in range(n)]
    records = [SinkRecord("bench", 0, None, None, None, d, i, 1_700_000_000_000 + i) for i, d in enumerate(docs)]
    tag = uuid.uuid4().hex[:6]
    m = min(n, 20_000)
    strategy = "InsertOneDefaultStrategy"

    async def go() -> tuple[list[float], list[float]]:
        await mongo_sink.interleaved(uri, f"bench_warm_{tag}", docs[:m], records[:m], BATCH, strategy)
        ceilings, sinks = [], []
        for r in range(scale.runs):
            c, k = await mongo_sink.interleaved(uri, f"bench_{r}_{tag}", docs, records, BATCH, strategy)
            log.info("  run %d: ceiling %.0f docs/s, connector %.0f docs/s", r + 1, c, k)
            ceilings.append(c)
            sinks.append(k)
        return ceilings, sinks

    ceilings, sinks = asyncio.run(go())
    res.add(Figure("genesis MongoSinkTask docs/s", "documents/s", sinks))
    res.add(Figure("PyMongo insert_many loop docs/s", "documents/s", ceilings))
    res.ratio(
        "genesis/PyMongo loop",
        "genesis MongoSinkTask docs/s",
        "PyMongo insert_many loop docs/s",
        target=0.8,
        target_text=">= 0.8",
    )
    res.notes.append("Task driven directly (put + flush), no Kafka in the loop: the connector's own cost.")
    res.skip("java", "the MongoDB Kafka connector (Java) is not part of Apache Kafka; not fetched")
    return res

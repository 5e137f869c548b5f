"""HdfsSinkTask against a real HDFS (MiniDFSCluster over WebHDFS): files and names, Avro content, what
pre_commit returns, restart recovery without duplicate files, bad records, and an HDFS outage."""

from __future__ import annotations

import io
import uuid
from typing import Any

import fastavro
import orjson
import pytest
from hdfs import InsecureClient

from genesis_connectors.hdfs.task import HdfsSinkTask
from genesis_worker.api import RetriableException, Schema, SchemaBuilder, SinkRecord, Struct, TopicPartition
from tests.unit.connectors.hdfs.doubles import RecordingSinkContext

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

SCHEMA = (
    SchemaBuilder.struct()
    .name("ads.Click")
    .field("id", Schema.INT64_SCHEMA)
    .field("country", Schema.STRING_SCHEMA)
    .build()
)


def rec(topic: str, offset: int, value: Any, schema: Schema | None = None, partition: int = 0) -> SinkRecord:
    return SinkRecord(topic, partition, None, None, schema, value, offset, timestamp=1_700_000_000_000 + offset)


def client(server: Any) -> InsecureClient:
    return InsecureClient(server.url, user="tester")


def files(c: InsecureClient, root: str) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for directory, _dirs, names in c.walk(root, ignore_missing=True):
        for n in names:
            with c.read(f"{directory}/{n}") as r:
                out[f"{directory}/{n}"[len(root) + 1 :]] = r.read()
    return out


async def start_task(server: Any, root: str, **props: str) -> tuple[HdfsSinkTask, RecordingSinkContext]:
    task = HdfsSinkTask()
    ctx = RecordingSinkContext()
    task.initialize(ctx)
    await task.start(
        {
            "hdfs.url": server.url,
            "topics.dir": root,
            "webhdfs.user": "tester",
            "flush.size": "3",
            "format.class": "io.confluent.connect.hdfs.json.JsonFormat",
            "retry.backoff.ms": "250",
            "webhdfs.timeout.ms": "3000",
            **props,
        }
    )
    return task, ctx


@pytest.fixture
def root() -> str:
    return "/it-" + uuid.uuid4().hex[:8]


async def test_json_files_offsets_and_restart_without_duplicates(hdfs_server: Any, root: str) -> None:
    tp = TopicPartition("clicks", 0)
    task, ctx = await start_task(hdfs_server, root)
    await task.open([tp])
    assert ctx.offsets == {}  # nothing committed yet: Kafka's committed offset decides
    await task.put([rec("clicks", i, {"id": i}) for i in range(8)])
    got = files(client(hdfs_server), root)
    assert sorted(got) == [
        "clicks/partition=0/clicks+0+0000000000+0000000002.json",
        "clicks/partition=0/clicks+0+0000000003+0000000005.json",
    ]
    assert [orjson.loads(x) for x in got["clicks/partition=0/clicks+0+0000000003+0000000005.json"].splitlines()] == [
        {"id": 3},
        {"id": 4},
        {"id": 5},
    ]
    # records 6 and 7 are only buffered: their offsets are not safe to commit
    assert await task.pre_commit({tp: 8}) == {tp: 6}
    assert ctx.commit_requests >= 1
    await task.stop()  # crash-like: the buffered records are dropped

    # a new task (restart / rebalance) seeks past the committed files; Kafka redelivers from 6
    task2, ctx2 = await start_task(hdfs_server, root)
    await task2.open([tp])
    assert ctx2.offsets == {tp: 6}
    # the consumer had committed only offset 3 (crash between rename and offset commit): records 3..5
    # come again and are skipped, not written a second time
    await task2.put([rec("clicks", i, {"id": i}) for i in range(3, 9)])
    got = files(client(hdfs_server), root)
    assert sorted(got) == [
        "clicks/partition=0/clicks+0+0000000000+0000000002.json",
        "clicks/partition=0/clicks+0+0000000003+0000000005.json",
        "clicks/partition=0/clicks+0+0000000006+0000000008.json",
    ]
    assert await task2.pre_commit({tp: 9}) == {tp: 9}
    await task2.stop()


async def test_avro_field_partitioner_and_dead_letter_queue(hdfs_server: Any, root: str) -> None:
    tp = TopicPartition("ads", 0)
    task, ctx = await start_task(
        hdfs_server,
        root,
        **{
            "format.class": "io.confluent.connect.hdfs.avro.AvroFormat",
            "partitioner.class": "io.confluent.connect.storage.partitioner.FieldPartitioner",
            "partition.field.name": "country",
            "flush.size": "4",
            "errors.tolerance": "all",
        },
    )
    await task.open([tp])
    batch = [
        rec("ads", 0, Struct(SCHEMA).put("id", 0).put("country", "KR"), SCHEMA),
        rec("ads", 1, {"id": 1, "country": "JP"}),  # no schema: AvroFormat cannot write it -> DLQ
        rec("ads", 2, Struct(SCHEMA).put("id", 2).put("country", "JP"), SCHEMA),
        rec("ads", 3, None, SCHEMA),  # tombstone with behavior.on.null.values=fail -> DLQ
        rec("ads", 4, Struct(SCHEMA).put("id", 4).put("country", "KR"), SCHEMA),
        rec("ads", 5, Struct(SCHEMA).put("id", 5).put("country", "KR"), SCHEMA),
    ]
    await task.put(batch)
    assert ctx.reporter is not None
    assert [(r.kafka_offset, type(e).__name__) for r, e in ctx.reporter.reported] == [
        (1, "DataException"),
        (3, "DataException"),
    ]
    got = files(client(hdfs_server), root)
    assert sorted(got) == [
        "ads/country=JP/ads+0+0000000002+0000000002.avro",
        "ads/country=KR/ads+0+0000000000+0000000005.avro",
    ]
    kr = list(fastavro.reader(io.BytesIO(got["ads/country=KR/ads+0+0000000000+0000000005.avro"])))
    assert kr == [{"id": 0, "country": "KR"}, {"id": 4, "country": "KR"}, {"id": 5, "country": "KR"}]
    assert await task.pre_commit({tp: 6}) == {tp: 6}
    await task.stop()


async def test_hdfs_outage_retries_without_loss(hdfs_server: Any, root: str) -> None:
    tp = TopicPartition("events", 0)
    task, ctx = await start_task(hdfs_server, root, **{"flush.size": "5"})
    await task.open([tp])
    await task.put([rec("events", i, {"n": i}) for i in range(3)])
    hdfs_server.stop()
    try:
        batch = [rec("events", i, {"n": i}) for i in range(3, 12)]
        with pytest.raises(RetriableException):
            await task.put(batch)
        assert ctx.timeouts == [250]
        assert await task.pre_commit({tp: 3}) == {}  # nothing is durable yet
        with pytest.raises(RetriableException):
            await task.put(batch)  # the runtime redelivers the same batch while HDFS is down
    finally:
        hdfs_server.start()
    await task.put(batch)  # HDFS is back: the kept files are committed, nothing is buffered twice
    await task.put([rec("events", i, {"n": i}) for i in range(12, 15)])
    got = files(client(hdfs_server), root)
    assert sorted(got) == [
        "events/partition=0/events+0+0000000000+0000000004.json",
        "events/partition=0/events+0+0000000005+0000000009.json",
        "events/partition=0/events+0+0000000010+0000000014.json",
    ]
    values = [orjson.loads(line)["n"] for name in sorted(got) for line in got[name].splitlines()]
    assert values == list(range(15))
    assert await task.pre_commit({tp: 15}) == {tp: 15}
    await task.stop()


async def test_parquet_files_under_time_based_directories(hdfs_server: Any, root: str) -> None:
    import pyarrow.parquet as pq

    tp = TopicPartition("views", 0)
    task, _ = await start_task(
        hdfs_server,
        root,
        **{
            "format.class": "io.confluent.connect.hdfs.parquet.ParquetFormat",
            "partitioner.class": "io.confluent.connect.storage.partitioner.HourlyPartitioner",
            "timezone": "UTC",
            "timestamp.extractor": "Record",
            "flush.size": "4",
        },
    )
    await task.open([tp])
    hour = 3_600_000
    base = 1_767_225_600_000  # 2026-01-01T00:00:00Z
    records = [
        SinkRecord(
            "views",
            0,
            None,
            None,
            SCHEMA,
            Struct(SCHEMA).put("id", i).put("country", "KR"),
            i,
            timestamp=base + (i % 2) * hour,
        )
        for i in range(4)
    ]
    await task.put(records)
    got = files(client(hdfs_server), root)
    assert sorted(got) == [
        "views/year=2026/month=01/day=01/hour=00/views+0+0000000000+0000000002.parquet",
        "views/year=2026/month=01/day=01/hour=01/views+0+0000000001+0000000003.parquet",
    ]
    rows = pq.read_table(
        io.BytesIO(got["views/year=2026/month=01/day=01/hour=01/views+0+0000000001+0000000003.parquet"])
    )
    assert rows.to_pylist() == [{"id": 1, "country": "KR"}, {"id": 3, "country": "KR"}]
    assert await task.pre_commit({tp: 4}) == {tp: 4}
    # a restart finds the highest end offset across the time directories
    task2, ctx2 = await start_task(
        hdfs_server, root, **{"format.class": "io.confluent.connect.hdfs.parquet.ParquetFormat"}
    )
    await task2.open([tp])
    assert ctx2.offsets == {tp: 4}
    await task.stop()
    await task2.stop()

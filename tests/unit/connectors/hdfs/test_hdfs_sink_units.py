"""HDFS sink without HDFS: config, partitioners, formats, file names and the writer's rotation/commit logic
(the commit logic against an in-memory storage double that can be made to fail)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import fastavro
import orjson
import pytest

from genesis_connectors.hdfs import config as k
from genesis_connectors.hdfs.connector import HdfsSinkConnector
from genesis_connectors.hdfs.formats import AvroFormat, JsonFormat
from genesis_connectors.hdfs.partitioners import (
    DefaultPartitioner,
    FieldPartitioner,
    TimeBasedPartitioner,
    compile_path_format,
    create_partitioner,
)
from genesis_connectors.hdfs.storage import FileNames, StorageError
from genesis_connectors.hdfs.writer import Rotation, TopicPartitionWriter
from genesis_worker.api import ConfigException, DataException, Schema, SchemaBuilder, SinkRecord, Struct

BASE = {"hdfs.url": "hdfs://nn:8020", "flush.size": "3", "topics": "clicks"}
SCHEMA = (
    SchemaBuilder.struct()
    .name("ads.Click")
    .field("id", Schema.INT64_SCHEMA)
    .field("country", Schema.STRING_SCHEMA)
    .build()
)


def rec(offset: int, value: Any, schema: Schema | None = None, ts: int | None = None, partition: int = 0) -> SinkRecord:
    return SinkRecord("clicks", partition, None, None, schema, value, offset, timestamp=ts)


def click(i: int, country: str = "KR") -> Struct:
    return Struct(SCHEMA).put("id", i).put("country", country)


# -- config -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "port", "expected"),
    [
        ("hdfs://nn:8020", 9870, ("http://nn:9870", "")),
        ("hdfs://nn:8020/base/", 50070, ("http://nn:50070", "/base")),
        ("webhdfs://nn:14000", 9870, ("http://nn:14000", "")),
        ("swebhdfs://nn", 9870, ("https://nn:9871", "")),
        ("http://127.0.0.1:1234/webhdfs/v1/data", 9870, ("http://127.0.0.1:1234", "/data")),
    ],
)
def test_webhdfs_address(url: str, port: int, expected: tuple[str, str]) -> None:
    assert k.webhdfs_address(url, port) == expected


def test_config_paths_and_required_keys() -> None:
    cfg = k.HdfsSinkConfig({**BASE, "hdfs.url": "hdfs://nn:8020/base", "topics.dir": "data/topics/"})
    assert cfg.topics_dir == "/base/data/topics"
    assert cfg.format_class == k.AVRO_FORMAT  # Confluent's default
    assert k.HdfsSinkConfig({**BASE, "hdfs.url": "", "store.url": "http://h:1"}).webhdfs_url == "http://h:1"
    with pytest.raises(ConfigException, match=r'"hdfs\.url"'):
        k.HdfsSinkConfig({"flush.size": "1"})
    with pytest.raises(ConfigException, match=r"flush\.size"):
        k.HdfsSinkConfig({"hdfs.url": "hdfs://nn"})
    assert k.HdfsSinkConfig({**BASE, "format.class": k.PARQUET_FORMAT}).format_class == k.PARQUET_FORMAT
    with pytest.raises(ConfigException, match="must be one of"):
        k.HdfsSinkConfig({**BASE, "format.class": "io.confluent.connect.hdfs.orc.OrcFormat"})
    with pytest.raises(ConfigException, match="must start with"):
        k.HdfsSinkConfig({**BASE, "hdfs.url": "ftp://nn"})


def test_every_key_is_documented() -> None:
    for key in k.CONFIG_DEF.config_keys.values():
        assert key.documentation.strip(), key.name


def test_validate_reports_bad_partitioner() -> None:
    values = {v.name: v for v in HdfsSinkConnector().validate({**BASE, "partitioner.class": "x.Nope"})}
    assert values["partitioner.class"].errors


async def test_connector_start_fails_fast_and_lineage() -> None:
    c = HdfsSinkConnector()
    with pytest.raises(ConfigException, match="Timezone cannot be empty"):
        await c.start({**BASE, "partitioner.class": k.HOURLY_PARTITIONER})
    await c.start(dict(BASE))
    assert c.task_configs(2) == [dict(BASE), dict(BASE)]
    lin = c.lineage({**BASE, "topics": "a, b", "hdfs.url": "hdfs://nn/base", "topics.dir": "t"})
    assert [(e.system, e.name) for e in lin.outputs] == [("hdfs", "/base/t/a"), ("hdfs", "/base/t/b")]
    assert [e.name for e in lin.inputs] == ["a", "b"]
    lin = c.lineage({"topics.regex": "c.*", "hdfs.url": "hdfs://nn"})
    assert lin.outputs[0].pattern and lin.outputs[0].name == "/topics/${topic}"


# -- partitioners -------------------------------------------------------------------------------------


def test_default_and_field_partitioner() -> None:
    assert DefaultPartitioner().encode_partition(rec(0, {}, partition=7)) == "partition=7"
    fp = FieldPartitioner(["country", "id"], "/")
    assert fp.encode_partition(rec(0, click(5, "JP"), SCHEMA)) == "country=JP/id=5"
    assert fp.encode_partition(rec(0, {"country": "KR", "id": True})) == "country=KR/id=true"
    with pytest.raises(DataException, match="'country' not found"):
        fp.encode_partition(rec(0, {"id": 1}))
    with pytest.raises(DataException, match="only integer, string and boolean"):
        fp.encode_partition(rec(0, {"country": 1.5, "id": 1}))
    with pytest.raises(DataException, match="not a directory name"):
        fp.encode_partition(rec(0, {"country": "../etc", "id": 1}))
    with pytest.raises(ConfigException):
        FieldPartitioner([], "/")


def test_path_format_and_time_partitioner() -> None:
    pieces = compile_path_format("'year'=YYYY/'month'=MM/'it''s'=d-HH:mm:ss yy")
    import datetime as dt

    d = dt.datetime(2026, 3, 4, 5, 6, 7)
    assert "".join(p(d) for p in pieces) == "year=2026/month=03/it's=4-05:06:07 26"
    with pytest.raises(ConfigException, match="pattern letter 'E'"):
        compile_path_format("EEE")
    with pytest.raises(ConfigException, match="unterminated"):
        compile_path_format("'abc")
    ts = 1_795_630_862_665  # 2026-11-25T18:21:02.665Z
    hourly = TimeBasedPartitioner("'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH", 3_600_000, "UTC", "Record", "")
    assert hourly.encode_partition(rec(0, {}, ts=ts)) == "year=2026/month=11/day=25/hour=18"
    seoul_daily = TimeBasedPartitioner("YYYYMMdd-HH", 86_400_000, "Asia/Seoul", "Record", "")
    assert seoul_daily.encode_time(ts) == "20261126-00"  # floored to the local (UTC+9) midnight
    by_field = TimeBasedPartitioner("YYYY-MM-dd", 86_400_000, "UTC", "RecordField", "meta.at")
    assert by_field.encode_partition(rec(0, {"meta": {"at": ts}})) == "2026-11-25"
    assert by_field.encode_partition(rec(0, {"meta": {"at": "2026-01-02T03:04:05Z"}})) == "2026-01-02"
    with pytest.raises(DataException, match="not an ISO-8601"):
        by_field.encode_partition(rec(0, {"meta": {"at": "yesterday"}}))
    with pytest.raises(ConfigException, match="unknown time zone"):
        TimeBasedPartitioner("YYYY", 1000, "Mars/Olympus", "Record", "")
    cfg = k.HdfsSinkConfig({**BASE, "partitioner.class": k.DAILY_PARTITIONER, "timezone": "UTC"})
    p = create_partitioner(cfg)
    assert isinstance(p, TimeBasedPartitioner) and p.duration_ms == 86_400_000


# -- formats ------------------------------------------------------------------------------------------


def test_json_format_lines() -> None:
    f = JsonFormat()
    items = [f.encode(rec(0, click(1), SCHEMA)), f.encode(rec(1, {"a": [1, None], "b": b"\x00"}))]
    lines = f.file_bytes(None, items).decode().splitlines()
    assert [orjson.loads(x) for x in lines] == [{"id": 1, "country": "KR"}, {"a": [1, None], "b": "AA=="}]


def test_avro_format_container_file() -> None:
    f = AvroFormat()
    data = f.file_bytes(SCHEMA, [f.encode(rec(i, click(i), SCHEMA)) for i in range(3)])
    reader = fastavro.reader(io.BytesIO(data))
    assert [r["id"] for r in reader] == [0, 1, 2]
    assert reader.writer_schema["name"] == "ads.Click"  # type: ignore[index]
    with pytest.raises(DataException, match="needs records with a value schema"):
        f.encode(rec(0, {"id": 1}))


def test_parquet_format_types_and_bad_records() -> None:
    import datetime as dt
    import decimal

    import pyarrow.parquet as pq

    from genesis_connectors.hdfs.formats import ParquetFormat
    from genesis_worker.api.data import date_schema, decimal_schema, timestamp_schema

    inner = SchemaBuilder.struct().name("ads.Geo").field("country", Schema.STRING_SCHEMA).build()
    schema = (
        SchemaBuilder.struct()
        .name("ads.Click")
        .field("id", Schema.INT64_SCHEMA)
        .field("price", decimal_schema(2).build())
        .field("day", date_schema().build())
        .field("at", timestamp_schema().build())
        .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
        .field("counts", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build())
        .field("geo", inner)
        .field("note", Schema.OPTIONAL_STRING_SCHEMA)
        .build()
    )
    at = dt.datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=dt.UTC)

    def value(i: int) -> Struct:
        return (
            Struct(schema)
            .put("id", i)
            .put("price", decimal.Decimal("1.25"))
            .put("day", dt.date(2026, 1, 2))
            .put("at", at)
            .put("tags", ["a", "b"])
            .put("counts", {"x": i})
            .put("geo", Struct(inner).put("country", "KR"))
        )

    f = ParquetFormat()
    data = f.file_bytes(schema, [f.encode(rec(i, value(i), schema)) for i in range(3)])
    rows = pq.read_table(io.BytesIO(data)).to_pylist()
    assert [r["id"] for r in rows] == [0, 1, 2]
    assert rows[1]["price"] == decimal.Decimal("1.25") and rows[1]["day"] == dt.date(2026, 1, 2)
    assert rows[1]["at"] == at.replace(microsecond=6000) and rows[1]["tags"] == ["a", "b"]
    assert rows[1]["counts"] == [("x", 1)] and rows[1]["geo"] == {"country": "KR"} and rows[1]["note"] is None
    with pytest.raises(DataException, match="needs records with a value schema"):
        f.encode(rec(0, {"id": 1}))
    bad = Struct(SCHEMA).put("id", 1)  # country missing (required)
    with pytest.raises(DataException, match="null value for non-optional"):
        f.encode(rec(0, bad, SCHEMA))
    single = ParquetFormat()
    data = single.file_bytes(Schema.STRING_SCHEMA, [single.encode(rec(0, "x", Schema.STRING_SCHEMA))])
    assert pq.read_table(io.BytesIO(data)).to_pylist() == [{"value": "x"}]


def test_file_names() -> None:
    n = FileNames("/topics", "clicks", 3, ".json", 10)
    assert n.committed("partition=3", 5, 17) == "/topics/clicks/partition=3/clicks+3+0000000005+0000000017.json"
    assert n.temporary("partition=3", "u1") == "/topics/+tmp/clicks/partition=3/clicks+3+u1_tmp.json"
    assert n.committed_pattern().match("clicks+3+0000000005+0000000017.json").group(2) == "0000000017"  # type: ignore[union-attr]
    assert n.committed_pattern().match("clicks+31+0000000005+0000000017.json") is None


# -- writer -------------------------------------------------------------------------------------------


class MemoryStorage:
    """A dict-backed stand-in for :class:`HdfsStorage` (unit tests only); ``fail`` makes calls raise."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.fail = False
        self.calls: list[str] = []

    def _check(self, what: str) -> None:
        self.calls.append(what)
        if self.fail:
            raise StorageError(f"{what}: connection refused")

    def write(self, path: str, data: bytes) -> None:
        self._check("write")
        self.files[path] = data

    def commit(self, tmp: str, final: str) -> None:
        self._check("commit")
        self.files[final] = self.files.pop(tmp)

    def delete_temporary(self, names: FileNames) -> int:
        self._check("delete")
        gone = [p for p in self.files if p.startswith(names.tmp_topic_dir) and names.tmp_prefix() in p]
        for p in gone:
            del self.files[p]
        return len(gone)

    def last_committed_offset(self, names: FileNames) -> int | None:
        self._check("list")
        ends = [
            int(m.group(2))
            for p in self.files
            if p.startswith(names.topic_dir + "/") and (m := names.committed_pattern().match(p.rsplit("/", 1)[1]))
        ]
        return max(ends) if ends else None


async def run(fn: Callable[[], Any]) -> Any:
    return fn()


def writer(
    flush: int = 3, interval: int = -1, schedule: int = -1, fmt: Any = None, ignore_null: bool = False
) -> TopicPartitionWriter:
    fmt = fmt or JsonFormat()
    names = FileNames("/topics", "clicks", 0, fmt.extension, 10)
    return TopicPartitionWriter(names, fmt, DefaultPartitioner(), Rotation(flush, interval, schedule), ignore_null)


async def test_flush_size_rotation_and_safe_offsets() -> None:
    s = MemoryStorage()
    w = writer(flush=3)
    assert await w.recover(s, run) is None  # type: ignore[arg-type]
    for i in range(7):
        w.add(rec(i, {"i": i}))
    assert w.safe_offset is None and len(w.closed) == 2 and w.count == 1
    assert await w.commit_closed(s, run) == 2  # type: ignore[arg-type]
    assert sorted(s.files) == [
        "/topics/clicks/partition=0/clicks+0+0000000000+0000000002.json",
        "/topics/clicks/partition=0/clicks+0+0000000003+0000000005.json",
    ]
    assert w.safe_offset == 6  # record 6 is only buffered
    assert s.files["/topics/clicks/partition=0/clicks+0+0000000003+0000000005.json"].count(b"\n") == 3


async def test_failed_commit_keeps_files_and_retry_writes_same_names() -> None:
    s = MemoryStorage()
    w = writer(flush=2)
    for i in range(4):
        w.add(rec(i, {"i": i}))
    s.fail = True
    with pytest.raises(StorageError):
        await w.commit_closed(s, run)  # type: ignore[arg-type]
    assert w.safe_offset is None and len(w.closed) == 2
    # the redelivered batch is recognised and not buffered again
    assert all(w.seen(rec(i, {"i": i})) for i in range(4))
    s.fail = False
    assert await w.commit_closed(s, run) == 2  # type: ignore[arg-type]
    assert len(s.files) == 2 and w.safe_offset == 4


async def test_recovery_seeks_past_committed_files_and_drops_temporary() -> None:
    s = MemoryStorage()
    s.files["/topics/clicks/partition=0/clicks+0+0000000000+0000000009.json"] = b""
    s.files["/topics/clicks/partition=0/clicks+0+0000000010+0000000019.json"] = b""
    s.files["/topics/clicks/partition=1/clicks+1+0000000000+0000000099.json"] = b""
    s.files["/topics/+tmp/clicks/partition=0/clicks+0+abc_tmp.json"] = b"x"
    s.files["/topics/+tmp/clicks/partition=1/clicks+1+abc_tmp.json"] = b"x"
    w = writer()
    assert await w.recover(s, run) == 20  # type: ignore[arg-type]
    assert "/topics/+tmp/clicks/partition=0/clicks+0+abc_tmp.json" not in s.files
    assert "/topics/+tmp/clicks/partition=1/clicks+1+abc_tmp.json" in s.files
    assert w.seen(rec(19, {})) and not w.seen(rec(20, {}))
    assert w.safe_offset == 20


async def test_bad_and_null_records() -> None:
    w = writer(flush=2)
    with pytest.raises(DataException, match=r"behavior\.on\.null\.values"):
        w.add(rec(0, None))
    w.skip(rec(0, None))
    assert w.safe_offset == 1  # nothing buffered: the skipped record may be committed
    w.add(rec(1, {"a": 1}))
    assert w.safe_offset is None
    wi = writer(ignore_null=True)
    assert wi.add(rec(0, None)) is False and wi.safe_offset == 1


async def test_rotate_interval_schema_change_and_schedule() -> None:
    w = writer(flush=100, interval=1000)
    w.add(rec(0, {"a": 0}, ts=10_000))
    w.add(rec(1, {"a": 1}, ts=10_999))
    assert not w.closed
    w.add(rec(2, {"a": 2}, ts=11_000))  # spans 1000 ms: the open file is closed before this record
    assert len(w.closed) == 1 and w.closed[0].final_path.endswith("+0000000000+0000000001.json")
    a = writer(flush=100, fmt=AvroFormat())
    other = SchemaBuilder.struct().name("ads.Click2").field("id", Schema.INT64_SCHEMA).build()
    a.add(rec(0, click(0), SCHEMA))
    a.add(rec(1, Struct(other).put("id", 1), other))
    assert len(a.closed) == 1 and a.count == 1
    sched = writer(flush=100, schedule=50)
    sched.add(rec(0, {"a": 0}))
    assert sched.opened_at is not None
    assert not sched.schedule_due(sched.opened_at + 0.01)
    assert sched.schedule_due(sched.opened_at + 0.06)


async def test_field_partitioner_files_per_directory() -> None:
    s = MemoryStorage()
    names = FileNames("/t", "clicks", 0, ".json", 3)
    w = TopicPartitionWriter(names, JsonFormat(), FieldPartitioner(["c"], "/"), Rotation(4, -1, -1), False)
    for i, c in enumerate(["KR", "JP", "KR", "US"]):
        w.add(rec(i, {"c": c}))
    await w.commit_closed(s, run)  # type: ignore[arg-type]
    assert sorted(s.files) == [
        "/t/clicks/c=JP/clicks+0+001+001.json",
        "/t/clicks/c=KR/clicks+0+000+002.json",
        "/t/clicks/c=US/clicks+0+003+003.json",
    ]


def test_readme_config_table_is_current() -> None:
    from genesis_connectors.hdfs import readme

    text = readme.README.read_text()
    assert readme.render(text) == text, "run: python -m genesis_connectors.hdfs.readme"

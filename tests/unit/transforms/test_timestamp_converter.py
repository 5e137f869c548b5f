"""TimestampConverter: every source/target pair, precisions, schemas, errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from genesis_transforms import TimestampConverterKey, TimestampConverterValue
from genesis_worker.api.data import (
    Schema,
    SchemaBuilder,
    Struct,
    date_schema,
    time_schema,
    timestamp_from_millis,
    timestamp_schema,
)
from genesis_worker.api.errors import ConfigException, DataException
from genesis_worker.api.records import SourceRecord

MS = 1_730_003_723_456  # 2024-10-27T04:35:23.456Z


def make(cls: type = TimestampConverterValue, **cfg: str) -> Any:
    t = cls()
    t.configure(cfg)
    return t


def rec(value: Any, schema: Schema | None = None) -> SourceRecord:
    return SourceRecord({}, {}, "t", 0, None, None, schema, value)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("Timestamp", timestamp_from_millis(MS)),
        ("Date", dt.date(2024, 10, 27)),
        ("Time", dt.time(4, 35, 23, 456000)),
        ("unix", MS),
    ],
)
def test_schemaless_targets(target: str, expected: Any) -> None:
    assert make(**{"target.type": target}).apply(rec(MS)).value == expected


def test_string_both_ways_and_precision() -> None:
    to_s = make(field="ts", **{"target.type": "string", "format": "yyyy-MM-dd HH:mm:ss.SSS"})
    assert to_s.apply(rec({"ts": MS, "x": 1})).value == {"ts": "2024-10-27 04:35:23.456", "x": 1}
    back = make(**{"target.type": "unix", "format": "yyyy-MM-dd HH:mm:ss.SSS", "unix.precision": "microseconds"})
    assert back.apply(rec("2024-10-27 04:35:23.456")).value == MS * 1000
    secs = make(**{"target.type": "Timestamp", "unix.precision": "seconds"})
    assert secs.apply(rec(MS // 1000)).value == timestamp_from_millis(MS // 1000 * 1000)
    nanos = make(**{"target.type": "unix", "unix.precision": "nanoseconds"})
    assert nanos.apply(rec(timestamp_from_millis(MS), timestamp_schema().build())).value == MS * 1_000_000


def test_with_schema() -> None:
    schema = (
        SchemaBuilder.struct()
        .field("ts", timestamp_schema().optional().build())
        .field("k", Schema.INT32_SCHEMA)
        .build()
    )
    t = make(field="ts", **{"target.type": "Date"})
    r = t.apply(rec(Struct(schema).put("ts", timestamp_from_millis(MS)).put("k", 1), schema))
    assert r.value_schema.field("ts").schema == date_schema().optional().build()
    assert r.value.get("ts") == dt.date(2024, 10, 27)
    whole = make(TimestampConverterKey, **{"target.type": "Time"})
    out = whole.apply(SourceRecord({}, {}, "t", 0, Schema.INT64_SCHEMA, MS, None, None))
    assert (out.key_schema, out.key) == (time_schema().build(), dt.time(4, 35, 23, 456000))


def test_errors() -> None:
    with pytest.raises(ConfigException, match="requires format option"):
        make(**{"target.type": "string"})
    with pytest.raises(ConfigException, match="String must be one of: string, unix, Date, Time, Timestamp"):
        make(**{"target.type": "date"})
    with pytest.raises(ConfigException, match="Illegal pattern character"):
        make(**{"target.type": "string", "format": "yyyy-bb"})
    with pytest.raises(DataException, match=r"Could not parse timestamp: value \(x\) does not match pattern \(yyyy\)"):
        make(**{"target.type": "unix", "format": "yyyy"}).apply(rec("x"))
    with pytest.raises(DataException, match=r"TimestampConverter does not support class java\.lang\.Double"):
        make(**{"target.type": "unix"}).apply(rec(1.5))

"""Cast$Key / Cast$Value: spec parsing, whole-value and per-field casts, Java's narrowing rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from genesis_transforms import CastKey, CastValue
from genesis_worker.api.data import Schema, SchemaBuilder, Struct, timestamp_from_millis, timestamp_schema
from genesis_worker.api.errors import ConfigException, DataException
from genesis_worker.api.records import SourceRecord


def make(cls: type = CastValue, **cfg: str) -> Any:
    t = cls()
    t.configure(cfg)
    return t


def rec(value: Any, schema: Schema | None = None, key: Any = None, key_schema: Schema | None = None) -> SourceRecord:
    return SourceRecord({}, {}, "t", 0, key_schema, key, schema, value)


def test_schemaless_fields() -> None:
    out = (
        make(spec="a:string,b:int8,c:float64,d:boolean,e:int32,missing:int8")
        .apply(rec({"a": 1.5, "b": 300, "c": "2.5", "d": "TRUE", "e": True, "k": "x"}))
        .value
    )
    assert out == {"a": "1.5", "b": 44, "c": 2.5, "d": True, "e": 1, "missing": None, "k": "x"}


def test_java_narrowing() -> None:
    out = (
        make(spec="a:int8,b:int16,c:int32,d:int64,e:boolean")
        .apply(rec({"a": 1e10, "b": -70000, "c": float("nan"), "d": -2.9, "e": 0.0}))
        .value
    )
    # (byte)(int)1e10: the double saturates to Integer.MAX_VALUE, then the low byte (-1)
    assert out == {"a": -1, "b": -4464, "c": 0, "d": -2, "e": False}


def test_whole_value() -> None:
    r = make(CastKey, spec="int32").apply(rec(None, key=123, key_schema=Schema.INT64_SCHEMA))
    assert (r.key_schema, r.key) == (SchemaBuilder.int32().build(), 123)
    assert make(spec="string").apply(rec(1e10, Schema.FLOAT64_SCHEMA)).value == "1.0E10"
    assert make(spec="string").apply(rec(b"\x00\x01", Schema.BYTES_SCHEMA)).value == "AAE="
    assert make(spec="int64").apply(rec(None)).value is None


def test_struct_fields_and_schema_cache() -> None:
    schema = (
        SchemaBuilder.struct()
        .name("S")
        .field("i", Schema.INT32_SCHEMA)
        .field("o", SchemaBuilder.int16().optional().default_value(7).build())
        .field("ts", timestamp_schema().build())
        .field("keep", Schema.STRING_SCHEMA)
        .build()
    )
    v = Struct(schema).put("i", 5).put("ts", timestamp_from_millis(1000)).put("keep", "k")
    t = make(spec="i:string,o:float64,ts:int64")
    r = t.apply(rec(v, schema))
    s = r.value_schema
    assert s.name == "S"
    assert s.field("i").schema == Schema.STRING_SCHEMA
    assert s.field("o").schema.optional and s.field("o").schema.default == 7.0
    assert (r.value.get("i"), r.value.get("o"), r.value.get("ts"), r.value.get("keep")) == ("5", 7.0, 1000, "k")
    assert t.apply(rec(v, schema)).value_schema is s
    # Java's Values.dateFormatFor picks the format from the value: under a day prints as a time
    assert make(spec="ts:string").apply(rec(v, schema)).value.get("ts") == "00:00:01.000Z"
    v.put("ts", timestamp_from_millis(1_730_003_723_456))
    assert make(spec="ts:string").apply(rec(v, schema)).value.get("ts") == "2024-10-27T04:35:23.456Z"


def test_errors() -> None:
    with pytest.raises(ConfigException, match=r"Must specify at least one field to cast\."):
        make(spec="")
    with pytest.raises(ConfigException, match="Invalid type found in casting spec: float"):
        make(spec="a:float")
    with pytest.raises(ConfigException, match="does not support casting to BYTES"):
        make(spec="bytes")
    with pytest.raises(ConfigException, match="may only specify a single cast"):
        make(spec="int8,a:int16")
    with pytest.raises(DataException, match=r"Value \(300\) was out of range for requested data type"):
        make(spec="int8").apply(rec("300", Schema.STRING_SCHEMA))
    with pytest.raises(DataException, match="does not support casting from MAP"):
        make(spec="a:int8").apply(rec({"a": {"x": 1}}))
    with pytest.raises(DataException, match="not supported by Connect's data API"):
        make(spec="a:int8").apply(rec({"a": dt.date(2024, 1, 1)}))

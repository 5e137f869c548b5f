"""Field-level transforms on schemaless (dict) and schema'd (Struct) records: ExtractField, HoistField,
InsertField, ReplaceField, MaskField, ValueToKey, Flatten, SetSchemaMetadata, Filter."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import pytest

from genesis_transforms import (
    ExtractFieldKey,
    ExtractFieldValue,
    Filter,
    FlattenValue,
    HoistFieldKey,
    HoistFieldValue,
    InsertFieldValue,
    MaskFieldValue,
    ReplaceFieldValue,
    SetSchemaMetadataValue,
    ValueToKey,
)
from genesis_worker.api.data import Schema, SchemaBuilder, Struct, timestamp_from_millis, timestamp_schema
from genesis_worker.api.errors import ConfigException, DataException
from genesis_worker.api.records import Header, SinkRecord, SourceRecord

ADDR = SchemaBuilder.struct().name("Addr").optional().field("city", Schema.STRING_SCHEMA).build()
USER = (
    SchemaBuilder.struct()
    .name("User")
    .version(1)
    .field("id", Schema.INT32_SCHEMA)
    .field("name", Schema.OPTIONAL_STRING_SCHEMA)
    .field("small", SchemaBuilder.int16().optional().default_value(7).build())
    .field("addr", ADDR)
    .build()
)


def user() -> Struct:
    return Struct(USER).put("id", 1).put("name", "ann").put("addr", Struct(ADDR).put("city", "Seoul"))


def sink(value: Any, schema: Schema | None = None, key: Any = None, key_schema: Schema | None = None) -> SinkRecord:
    return SinkRecord(
        "orders",
        2,
        key_schema,
        key,
        schema,
        value,
        42,
        1_730_000_000_000,
        headers=[Header("h", "v", Schema.STRING_SCHEMA)],
    )


def make(cls: type, **cfg: str) -> Any:
    t = cls()
    t.configure(cfg)
    return t


def test_extract_field() -> None:
    t = make(ExtractFieldValue, field="name")
    assert t.apply(sink({"name": "x", "id": 1})).value == "x"
    assert t.apply(sink(None)).value is None
    r = t.apply(sink(user(), USER))
    assert (r.value_schema, r.value) == (Schema.OPTIONAL_STRING_SCHEMA, "ann")
    assert make(ExtractFieldValue, field="small").apply(sink(user(), USER)).value == 7
    assert (
        make(ExtractFieldValue, field="small", **{"replace.null.with.default": "false"}).apply(sink(user(), USER)).value
        is None
    )
    with pytest.raises(ValueError, match="Unknown field: nope"):
        make(ExtractFieldValue, field="nope").apply(sink(user(), USER))
    with pytest.raises(
        DataException,
        match=r"Only Map objects supported in absence of schema for \[field extraction\], found: java.lang.String",
    ):
        t.apply(sink("x"))
    assert make(ExtractFieldKey, field="k").apply(sink(1, key={"k": 5})).key == 5


def test_extract_field_v2_paths() -> None:
    t = make(ExtractFieldValue, field="addr.city", **{"field.syntax.version": "V2"})
    assert t.apply(sink(user(), USER)).value == "Seoul"
    assert t.apply(sink({"addr": {"city": "Busan"}})).value == "Busan"
    quoted = make(ExtractFieldValue, field="`a.b`.c", **{"field.syntax.version": "v2"})
    assert quoted.apply(sink({"a.b": {"c": 5}, "a": {"b": {"c": 6}}})).value == 5
    assert make(ExtractFieldValue, field="a.b").apply(sink({"a.b": 1, "a": {"b": 2}})).value == 1
    with pytest.raises(ConfigException, match=r"field\.syntax\.version"):
        make(ExtractFieldValue, field="a", **{"field.syntax.version": "V3"})


def test_hoist_field() -> None:
    assert make(HoistFieldValue, field="w").apply(sink(5)).value == {"w": 5}
    r = make(HoistFieldKey, field="k").apply(sink(1, key=9, key_schema=Schema.INT64_SCHEMA))
    assert r.key_schema is not None and r.key_schema.field("k") is not None
    assert r.key.get("k") == 9
    with pytest.raises(ConfigException, match='Missing required configuration "field"'):
        make(HoistFieldValue)


def test_insert_field_schemaless_keeps_input_untouched() -> None:
    t = make(
        InsertFieldValue,
        **{
            "topic.field": "t",
            "partition.field": "p",
            "offset.field": "o",
            "timestamp.field": "ts",
            "static.field": "s",
            "static.value": "v",
        },
    )
    original = {"a": 1}
    r = t.apply(sink(original))
    assert r.value == {"a": 1, "t": "orders", "p": 2, "o": 42, "ts": 1_730_000_000_000, "s": "v"}
    assert original == {"a": 1}
    assert list(r.headers) == [Header("h", "v", Schema.STRING_SCHEMA)]
    tomb = sink(None)
    assert t.apply(tomb) is tomb


def test_insert_field_with_schema() -> None:
    t = make(InsertFieldValue, **{"topic.field": "t!", "offset.field": "o?", "timestamp.field": "ts"})
    r = t.apply(sink(user(), USER))
    schema = r.value_schema
    assert [f.name for f in schema.fields] == ["id", "name", "small", "addr", "t", "o", "ts"]
    assert schema.field("t").schema == Schema.STRING_SCHEMA
    assert schema.field("o").schema == Schema.OPTIONAL_INT64_SCHEMA
    assert schema.field("ts").schema == timestamp_schema().optional().build()
    assert r.value.get("ts") == timestamp_from_millis(1_730_000_000_000)
    assert r.value.get_without_default("small") == 7  # replace.null.with.default=true copies the default
    assert t.apply(sink(user(), USER)).value_schema is schema  # derived schema cached


def test_insert_field_offset_needs_sink_record() -> None:
    t = make(InsertFieldValue, **{"offset.field": "o"})
    src = SourceRecord({}, {}, "t", None, None, None, None, {"a": 1})
    with pytest.raises(DataException, match=r"Only SinkRecord supported for \[field insertion\]"):
        t.apply(src)
    with pytest.raises(ConfigException, match="No value specified for static field"):
        make(InsertFieldValue, **{"static.field": "x"})


def test_replace_field() -> None:
    t = make(ReplaceFieldValue, exclude="b", renames="a:x,c:y")
    assert t.apply(sink({"a": 1, "b": 2, "c": 3, "d": 4})).value == {"x": 1, "y": 3, "d": 4}
    assert make(ReplaceFieldValue, include="a,b", exclude="b").apply(sink({"a": 1, "b": 2, "c": 3})).value == {"a": 1}
    r = make(ReplaceFieldValue, exclude="addr", renames="small:s").apply(sink(user(), USER))
    assert [f.name for f in r.value_schema.fields] == ["id", "name", "s"]
    assert r.value_schema.name == "User" and r.value_schema.version == 1
    assert r.value.get("s") == 7
    with pytest.raises(ConfigException, match="Invalid rename mapping: c"):
        make(ReplaceFieldValue, renames="a:b,c")


def test_mask_field() -> None:
    t = make(MaskFieldValue, fields="i,s,f,b,l,m,missing")
    out = t.apply(sink({"i": 5, "s": "x", "f": 1.5, "b": True, "l": [1], "m": {"a": 1}, "k": 9})).value
    assert out == {"i": 0, "s": "", "f": 0.0, "b": False, "l": [], "m": {}, "missing": None, "k": 9}
    r = make(MaskFieldValue, fields="id,name,small").apply(sink(user(), USER))
    assert (r.value.get("id"), r.value.get("name"), r.value.get("small")) == (0, "", 0)
    assert make(MaskFieldValue, fields="id,name", replacement="9").apply(sink(user(), USER)).value.get("id") == 9
    with pytest.raises(DataException, match="Unable to convert abc"):
        make(MaskFieldValue, fields="id", replacement="abc").apply(sink(user(), USER))
    with pytest.raises(DataException, match="Cannot mask value of type"):
        make(MaskFieldValue, fields="addr").apply(sink(user(), USER))
    dec = SchemaBuilder.struct().field("d", Schema.OPTIONAL_STRING_SCHEMA).build()
    assert make(MaskFieldValue, fields="d").apply(sink(Struct(dec), dec)).value.get("d") is None
    assert decimal.Decimal(0) == make(MaskFieldValue, fields="x").masked(decimal.Decimal("1.5"), None)
    assert make(MaskFieldValue, fields="x").masked(dt.date(2024, 1, 1), None) == dt.date(1970, 1, 1)
    with pytest.raises(ConfigException, match="must not be empty"):
        make(MaskFieldValue, fields="")


def test_value_to_key() -> None:
    t = make(ValueToKey, fields="id,name")
    r = t.apply(sink({"id": 1, "name": "a", "x": 2}))
    assert (r.key_schema, r.key) == (None, {"id": 1, "name": "a"})
    r = t.apply(sink(user(), USER))
    assert [f.name for f in r.key_schema.fields] == ["id", "name"]
    assert r.key.get("id") == 1
    with pytest.raises(DataException, match="Field does not exist: nope"):
        make(ValueToKey, fields="nope").apply(sink(user(), USER))


def test_flatten() -> None:
    t = make(FlattenValue, delimiter="_")
    assert t.apply(sink({"a": {"b": 1, "c": {"d": None}}, "e": [1]})).value == {"a_b": 1, "a_c_d": None, "e": [1]}
    r = make(FlattenValue).apply(sink(user(), USER))
    assert [f.name for f in r.value_schema.fields] == ["id", "name", "small", "addr.city"]
    assert r.value_schema.field("addr.city").schema.optional  # parent optional -> optional
    assert r.value.get("addr.city") == "Seoul"
    tomb = sink(None)
    assert t.apply(tomb) is tomb


def test_set_schema_metadata() -> None:
    r = make(SetSchemaMetadataValue, **{"schema.name": "New", "schema.version": "4"}).apply(sink(user(), USER))
    assert (r.value_schema.name, r.value_schema.version) == ("New", 4)
    assert r.value.schema is r.value_schema
    assert r.value.get("name") == "ann"
    with pytest.raises(ConfigException, match="Neither schema name nor version configured"):
        make(SetSchemaMetadataValue)
    with pytest.raises(DataException, match=r"Schema required for \[updating schema metadata\]"):
        make(SetSchemaMetadataValue, **{"schema.name": "x"}).apply(sink({"a": 1}))


def test_filter_drops() -> None:
    assert make(Filter).apply(sink({"a": 1})) is None


@pytest.mark.parametrize(
    ("path", "steps"),
    [
        ("a.b", ["a", "b"]),
        ("a..b", ["a", "", "b"]),
        ("a.", ["a", ""]),
        (".a", ["", "a"]),
        ("`a.b`.c", ["a.b", "c"]),
        ("a.`b.c`", ["a", "b.c"]),
        ("`a\\`.b`.c", ["a`.b", "c"]),
        ("`a`b`", ["a`b"]),
    ],
)
def test_field_path_v2_steps(path: str, steps: list[str]) -> None:
    from genesis_transforms.field_path import parse_path

    assert parse_path(path, "V2") == steps


def test_field_path_v2_incomplete_backticks() -> None:
    from genesis_transforms.field_path import parse_path

    with pytest.raises(ConfigException, match=r"Incomplete backtick pair in path: \[`a.b\], .* at position 0"):
        parse_path("`a.b", "V2")


def test_flatten_refuses_maps_in_structs() -> None:
    schema = (
        SchemaBuilder.struct().field("m", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build()).build()
    )
    with pytest.raises(DataException, match=r"does not support MAP for record with schemas \(for field m\)"):
        make(FlattenValue).apply(sink(Struct(schema).put("m", {}), schema))

"""JsonConverter: envelope, schema JSON member order, value encodings, logical types, errors."""

from __future__ import annotations

import datetime as dt
import decimal

import orjson
import pytest

from genesis_worker.api.data import (
    Schema,
    SchemaBuilder,
    Struct,
    date_schema,
    decimal_schema,
    time_schema,
    timestamp_from_millis,
    timestamp_schema,
)
from genesis_worker.api.errors import ConfigException, DataException
from genesis_worker.runtime.converters.json import ENVELOPE_ERROR, JsonConverter
from genesis_worker.runtime.converters.json_data import java_double_text, java_float_text


def conv(**cfg: str) -> JsonConverter:
    c = JsonConverter()
    c.configure(cfg, False)
    return c


USER = (
    SchemaBuilder.struct()
    .name("com.example.User")
    .field("id", Schema.INT32_SCHEMA)
    .field("name", Schema.OPTIONAL_STRING_SCHEMA)
    .field("ts", timestamp_schema().build())
    .build()
)


def test_struct_envelope_bytes_match_reference_example() -> None:
    s = Struct(USER).put("id", 1).put("name", "ann").put("ts", timestamp_from_millis(1730000000000))
    assert conv().from_connect_data("t", USER, s) == (
        b'{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},'
        b'{"type":"string","optional":true,"field":"name"},{"type":"int64","optional":false,'
        b'"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"ts"}],"optional":false,'
        b'"name":"com.example.User"},"payload":{"id":1,"name":"ann","ts":1730000000000}}'
    )


def test_schema_member_order_with_all_metadata() -> None:
    schema = SchemaBuilder.int32().optional().name("n").version(2).doc("d").parameter("k", "v").default_value(5).build()
    assert conv().from_connect_data("t", schema, 7) == (
        b'{"schema":{"type":"int32","optional":true,"name":"n","version":2,"doc":"d","parameters":{"k":"v"},'
        b'"default":5},"payload":7}'
    )


def test_round_trip_every_type() -> None:
    inner = SchemaBuilder.struct().field("x", Schema.INT8_SCHEMA).optional().build()
    schema = (
        SchemaBuilder.struct()
        .field("i8", Schema.INT8_SCHEMA)
        .field("i16", Schema.INT16_SCHEMA)
        .field("i64", Schema.INT64_SCHEMA)
        .field("f32", Schema.FLOAT32_SCHEMA)
        .field("f64", Schema.FLOAT64_SCHEMA)
        .field("b", Schema.BOOLEAN_SCHEMA)
        .field("by", Schema.BYTES_SCHEMA)
        .field("arr", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
        .field("map", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build())
        .field("imap", SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).build())
        .field("dec", decimal_schema(3).build())
        .field("date", date_schema().build())
        .field("time", time_schema().build())
        .field("inner", inner)
        .build()
    )
    s = Struct(schema)
    for k, v in {
        "i8": -3,
        "i16": 300,
        "i64": 2**40,
        "f32": 0.5,
        "f64": 1e-9,
        "b": True,
        "by": b"\x00\xff",
        "arr": ["a", "b"],
        "map": {"a": 1},
        "imap": {1: "a", 2: "b"},
        "dec": decimal.Decimal("-1.250"),
        "date": dt.date(2024, 2, 29),
        "time": dt.time(23, 59, 59, 999000),
        "inner": Struct(inner).put("x", 1),
    }.items():
        s.put(k, v)
    c = conv()
    raw = c.from_connect_data("t", schema, s)
    payload = orjson.loads(raw)["payload"]
    assert payload["imap"] == [[1, "a"], [2, "b"]]
    assert payload["by"] == "AP8="
    assert payload["date"] == 19782
    back = c.to_connect_data("t", raw)
    assert back.schema == schema
    assert back.value == s


def test_decimal_numeric_format_keeps_precision() -> None:
    schema = decimal_schema(20).build()
    value = decimal.Decimal("1.23456789012345678901")
    c = conv(**{"decimal.format": "numeric"})
    raw = c.from_connect_data("t", schema, value)
    assert raw.endswith(b'"payload":1.23456789012345678901}')
    assert c.to_connect_data("t", raw).value == value


def test_decimal_scale_mismatch_is_refused() -> None:
    with pytest.raises(DataException, match="mismatching scale"):
        conv().from_connect_data("t", decimal_schema(1).build(), decimal.Decimal("1.25"))


def test_schemaless_fast_path_and_java_number_text() -> None:
    c = conv(**{"schemas.enable": "false"})
    assert c.from_connect_data("t", None, {"a": [1, "x", None, True]}) == b'{"a":[1,"x",null,true]}'
    # Java prints doubles >= 1e7 or < 1e-3 in E notation.
    assert c.from_connect_data("t", None, {"a": 12345678.5, "b": 0.0001, "c": 1.5}) == (
        b'{"a":1.23456785E7,"b":1.0E-4,"c":1.5}'
    )
    assert c.from_connect_data("t", None, {"k": b"\x01"}) == b'{"k":"AQ=="}'
    assert c.from_connect_data("t", None, {1: "a"}) == b'[[1,"a"]]'
    assert c.to_connect_data("t", b'{"a":1,"b":[2.5]}').value == {"a": 1, "b": [2.5]}
    assert c.to_connect_values([b"1", None, b'"x"']) == [1, None, "x"]
    assert c.from_connect_values([{"a": 1}, None]) == [b'{"a":1}', None]


def test_schemaless_value_in_envelope() -> None:
    c = conv()
    assert c.from_connect_data("t", None, {"a": 1}) == b'{"schema":null,"payload":{"a":1}}'
    assert (
        c.from_connect_data("t", None, {"a": 1e7, "b": b"\x01"}) == b'{"schema":null,"payload":{"a":1.0E7,"b":"AQ=="}}'
    )
    assert c.from_connect_values([[1], None]) == [b'{"schema":null,"payload":[1]}', None]
    assert c.to_connect_data("t", b'{"schema":null,"payload":{"a":[1]}}').value == {"a": [1]}


def test_schemaless_unsupported_value() -> None:
    with pytest.raises(DataException, match="does not have corresponding schema type"):
        conv(**{"schemas.enable": "false"}).from_connect_data("t", None, {"d": dt.datetime(2024, 1, 1)})


def test_java_number_text() -> None:
    assert java_double_text(1e7) == "1.0E7"
    assert java_double_text(9999999.0) == "9999999.0"
    assert java_double_text(0.001) == "0.001"
    assert java_double_text(-2.5e-5) == "-2.5E-5"
    assert java_double_text(100.0) == "100.0"
    assert java_float_text(0.1) == "0.1"
    assert java_float_text(16777217.0) == "1.6777216E7"


def test_nulls() -> None:
    c = conv()
    assert c.from_connect_data("t", None, None) is None
    assert c.from_connect_data("t", Schema.OPTIONAL_STRING_SCHEMA, None) == (
        b'{"schema":{"type":"string","optional":true},"payload":null}'
    )
    assert conv(**{"schemas.enable": "false"}).from_connect_data("t", Schema.OPTIONAL_STRING_SCHEMA, None) == b"null"
    with pytest.raises(DataException, match="null value for field that is required"):
        c.from_connect_data("t", Schema.STRING_SCHEMA, None)
    assert c.to_connect_data("t", None).value is None


def test_replace_null_with_default() -> None:
    schema = SchemaBuilder.struct().field("a", SchemaBuilder.int32().optional().default_value(3).build()).build()
    s = Struct(schema)
    assert orjson.loads(conv().from_connect_data("t", schema, s))["payload"] == {"a": 3}
    assert orjson.loads(conv(**{"replace.null.with.default": "false"}).from_connect_data("t", schema, s))[
        "payload"
    ] == {"a": None}


@pytest.mark.parametrize("raw", [b'{"payload":1}', b'{"schema":null,"payload":1,"x":2}', b"[1]", b"5", b""])
def test_bad_envelope(raw: bytes) -> None:
    with pytest.raises(DataException) as e:
        conv().to_connect_data("t", raw)
    assert str(e.value) == ENVELOPE_ERROR


def test_bad_bytes_clear_error() -> None:
    with pytest.raises(DataException, match=r"^Converting byte\[\] to Kafka Connect data failed due to serialization"):
        conv(**{"schemas.enable": "false"}).to_connect_data("t", b"{nope")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"schema":{"type":"nope"},"payload":1}', "Unknown schema type: nope"),
        (b'{"schema":{"optional":true},"payload":1}', "Schema must contain 'type' field"),
        (b'{"schema":{"type":"int32"},"payload":null}', "Invalid null value for required INT32 field"),
        (b'{"schema":{"type":"struct","fields":[]},"payload":[1]}', "Structs should be encoded as JSON objects"),
        (b'{"schema":{"type":"array"},"payload":[1]}', "Array schema did not specify the element type"),
        (b'{"schema":{"type":"int8"},"payload":300}', "out of range"),
        (b'{"schema":{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}},"payload":{}}', "array of tuples"),
    ],
)
def test_bad_payloads(raw: bytes, message: str) -> None:
    with pytest.raises(DataException, match=message):
        conv().to_connect_data("t", raw)


def test_config_validation() -> None:
    with pytest.raises(ConfigException, match=r"decimal\.format"):
        conv(**{"decimal.format": "HEX"})
    keys = [k["name"] for k in JsonConverter().config().to_infos()]
    assert keys == [
        "converter.type",
        "schemas.enable",
        "schemas.cache.size",
        "schema.content",
        "decimal.format",
        "replace.null.with.default",
    ]


def test_schema_content_makes_every_message_a_bare_payload() -> None:
    schema_json = '{"type":"struct","fields":[{"type":"int32","field":"a"}],"name":"Fixed"}'
    c = conv(**{"schema.content": schema_json})
    sv = c.to_connect_data("t", b'{"a":5}')
    assert sv.schema is not None and sv.schema.name == "Fixed"
    assert sv.value.get("a") == 5
    with pytest.raises(DataException, match="Failed to parse schema in converter config"):
        conv(**{"schema.content": "{nope"})


def test_schema_cache_is_used() -> None:
    c = conv()
    s = Struct(USER).put("id", 1).put("ts", timestamp_from_millis(0))
    a = c.from_connect_data("t", USER, s)
    assert c._from_cache.get(USER) is not None
    assert c.from_connect_data("t", USER, s) == a
    first = c.to_connect_data("t", a).schema
    assert c.to_connect_data("t", a).schema is first

"""String, ByteArray, fixed-width number and Boolean converters, and SimpleHeaderConverter."""

from __future__ import annotations

import datetime as dt

import pytest

from genesis_worker.api.data import Schema, SchemaBuilder, Struct, date_schema, timestamp_from_millis, timestamp_schema
from genesis_worker.api.errors import ConfigException, DataException
from genesis_worker.runtime.converters import (
    BooleanConverter,
    ByteArrayConverter,
    DoubleConverter,
    FloatConverter,
    IntegerConverter,
    LongConverter,
    ShortConverter,
    SimpleHeaderConverter,
    StringConverter,
)
from genesis_worker.runtime.converters.values import parse_string


def test_string_converter_round_trip_and_java_to_string() -> None:
    c = StringConverter()
    c.configure({}, False)
    assert c.from_connect_data("t", None, "héllo") == "héllo".encode()
    assert c.from_connect_data("t", None, True) == b"true"
    assert c.from_connect_data("t", None, 1e10) == b"1.0E10"
    assert c.from_connect_data("t", None, None) is None
    sv = c.to_connect_data("t", b"abc")
    assert (sv.schema, sv.value) == (Schema.OPTIONAL_STRING_SCHEMA, "abc")


def test_string_converter_encoding() -> None:
    c = StringConverter()
    c.configure({"converter.encoding": "UTF-16"}, True)
    raw = c.from_connect_data("t", None, "x")
    assert raw == b"\xfe\xff\x00x"  # Java's UTF-16: big-endian with a byte-order mark
    assert c.to_connect_data("t", b"\x00y").value == "y"
    assert c.to_connect_data("t", raw).value == "x"
    with pytest.raises(ConfigException, match="Unsupported charset"):
        StringConverter().configure({"converter.encoding": "NOPE-9"}, False)


def test_bytearray_converter() -> None:
    c = ByteArrayConverter()
    c.configure({}, False)
    assert c.from_connect_data("t", Schema.BYTES_SCHEMA, b"\x01") == b"\x01"
    assert c.from_connect_data("t", None, bytearray(b"\x02")) == b"\x02"
    with pytest.raises(DataException, match="Invalid schema type for ByteArrayConverter: STRING"):
        c.from_connect_data("t", Schema.STRING_SCHEMA, b"x")
    with pytest.raises(DataException, match=r"not compatible with objects of type class java\.lang\.String"):
        c.from_connect_data("t", None, "x")
    assert c.to_connect_data("t", b"z").schema == Schema.OPTIONAL_BYTES_SCHEMA


@pytest.mark.parametrize(
    ("cls", "value", "raw", "schema"),
    [
        (ShortConverter, -2, b"\xff\xfe", Schema.OPTIONAL_INT16_SCHEMA),
        (IntegerConverter, 258, b"\x00\x00\x01\x02", Schema.OPTIONAL_INT32_SCHEMA),
        (LongConverter, 1, b"\x00" * 7 + b"\x01", Schema.OPTIONAL_INT64_SCHEMA),
        (FloatConverter, 0.5, b"\x3f\x00\x00\x00", Schema.OPTIONAL_FLOAT32_SCHEMA),
        (DoubleConverter, -2.0, b"\xc0" + b"\x00" * 7, Schema.OPTIONAL_FLOAT64_SCHEMA),
    ],
)
def test_number_converters(cls: type, value: object, raw: bytes, schema: Schema) -> None:
    c = cls()
    c.configure({}, False)
    assert c.from_connect_data("t", None, value) == raw
    sv = c.to_connect_data("t", raw)
    assert (sv.schema, sv.value) == (schema, value)
    assert c.from_connect_data("t", None, None) is None
    with pytest.raises(DataException, match="Size of data received"):
        c.to_connect_data("t", raw + b"\x00")
    with pytest.raises(DataException, match="Failed to serialize"):
        c.from_connect_data("t", None, "1")


def test_short_out_of_range() -> None:
    with pytest.raises(DataException, match="Failed to serialize to short"):
        ShortConverter().from_connect_data("t", None, 70000)


def test_boolean_converter() -> None:
    c = BooleanConverter()
    assert c.from_connect_data("t", None, True) == b"\x01"
    assert c.to_connect_data("t", b"\x00").value is False
    with pytest.raises(DataException, match="Unexpected byte received by BooleanDeserializer: 2"):
        c.to_connect_data("t", b"\x02")
    with pytest.raises(DataException, match="Invalid schema type for BooleanConverter: INT8"):
        c.from_connect_data("t", Schema.INT8_SCHEMA, 1)


@pytest.mark.parametrize(
    ("text", "schema", "value"),
    [
        ("true", Schema.BOOLEAN_SCHEMA, True),
        ("12", Schema.INT8_SCHEMA, 12),
        ("300", Schema.INT16_SCHEMA, 300),
        ("70000", Schema.INT32_SCHEMA, 70000),
        ("3000000000", Schema.INT64_SCHEMA, 3000000000),
        ("1.5", Schema.FLOAT32_SCHEMA, 1.5),
        ("12.0", Schema.INT8_SCHEMA, 12),
        ("abc", Schema.STRING_SCHEMA, "abc"),
        ("12,5", Schema.INT8_SCHEMA, 12),
        ("true,false", Schema.STRING_SCHEMA, "true,false"),
        ("[1,2]", SchemaBuilder.array(Schema.INT8_SCHEMA).build(), [1, 2]),
        ("[1, 2.5]", SchemaBuilder.array(Schema.FLOAT32_SCHEMA).build(), [1.0, 2.5]),
        ('{"a":1}', SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT8_SCHEMA).build(), {"a": 1}),
        ("[1,null]", Schema.STRING_SCHEMA, "[1,null]"),
        ("2024-01-02", date_schema().build(), dt.date(2024, 1, 2)),
        ("2024-01-02T03:04:05.678Z", timestamp_schema().build(), timestamp_from_millis(1704164645678)),
    ],
)
def test_parse_string(text: str, schema: Schema, value: object) -> None:
    sv = parse_string(text)
    assert sv is not None
    assert (sv.schema, sv.value) == (schema, value)


def test_header_converter() -> None:
    h = SimpleHeaderConverter()
    assert h.to_connect_header("t", "k", None).value is None
    assert h.to_connect_header("t", "k", b"").value == ""
    assert h.to_connect_header("t", "k", b"null").value is None
    assert h.to_connect_header("t", "k", b"\xff\xfe").schema == Schema.STRING_SCHEMA
    st = SchemaBuilder.struct().field("a", Schema.INT32_SCHEMA).field("s", Schema.STRING_SCHEMA).build()
    assert h.from_connect_header("t", "k", st, Struct(st).put("a", 1).put("s", 'x"y')) == b'{"a":1,"s":"x\\"y"}'
    assert h.from_connect_header("t", "k", None, [1, "a b"]) == b'[1,"a b"]'
    assert h.from_connect_header("t", "k", Schema.FLOAT64_SCHEMA, 1e10) == b"1.0E10"
    assert h.from_connect_header("t", "k", date_schema().build(), dt.date(2022, 1, 8)) == b"2022-01-08"
    assert h.from_connect_header("t", "k", None, None) is None
    header = h.decode("t", "k", b"42")
    assert (header.key, header.value, header.schema) == ("k", 42, Schema.INT8_SCHEMA)


def test_value_converters_serve_as_header_converters() -> None:
    from genesis_worker.runtime.converters.header_adapters import header_converter_for

    h = header_converter_for("org.apache.kafka.connect.storage.StringConverter")
    assert h is not None
    h.configure({})
    assert h.from_connect_header("t", "k", None, 12) == b"12"
    assert h.to_connect_header("t", "k", b"12").value == "12"
    j = header_converter_for("org.apache.kafka.connect.json.JsonConverter")
    assert j is not None
    j.configure({"schemas.enable": "false"})
    assert j.decode("t", "k", b'{"a":1}').value == {"a": 1}
    assert header_converter_for("org.apache.kafka.connect.storage.SimpleHeaderConverter") is None


def test_header_parse_of_huge_exponent_is_cheap() -> None:
    sv = SimpleHeaderConverter().to_connect_header("t", "k", b"1e999999999")
    assert sv.schema is not None and sv.schema.name == "org.apache.kafka.connect.data.Decimal"

"""The compiled Avro datum -> Connect reader gives what :func:`to_connect_value` gives."""

from __future__ import annotations

from genesis_worker.api.data import Schema, SchemaBuilder
from genesis_worker.runtime.converters.avro_data import compile_to_connect, to_connect_value


def _flat() -> Schema:
    return (
        SchemaBuilder.struct()
        .name("com.example.Flat")
        .field("s", Schema.STRING_SCHEMA)
        .field("o", Schema.OPTIONAL_STRING_SCHEMA)
        .field("i", Schema.INT64_SCHEMA)
        .field("f", Schema.FLOAT64_SCHEMA)
        .field("g", Schema.OPTIONAL_FLOAT32_SCHEMA)
        .field("b", Schema.BYTES_SCHEMA)
        .field("t", Schema.BOOLEAN_SCHEMA)
        .build()
    )


def test_flat_record_same_struct_as_field_by_field() -> None:
    schema = _flat()
    read = compile_to_connect(schema)
    assert read is not to_connect_value
    for datum in (
        {"s": "x", "o": None, "i": 7, "f": 1, "g": 2.5, "b": b"\x00", "t": True},
        {"s": "", "o": "y", "i": -1, "f": 0.5, "g": None, "b": b"", "t": False},
    ):
        got, want = read(datum), to_connect_value(schema, datum)
        assert got == want
        assert [type(v) for v in got._values] == [type(v) for v in want._values]  # 1 -> 1.0 for a float field
    assert read(None) is None


def test_nested_and_logical_schemas_use_the_general_reader() -> None:
    from genesis_worker.api.data import timestamp_schema

    nested = SchemaBuilder.struct().field("inner", _flat()).build()
    logical = SchemaBuilder.struct().field("ts", timestamp_schema().build()).build()
    arr = SchemaBuilder.struct().field("xs", SchemaBuilder.array(Schema.INT32_SCHEMA).build()).build()
    for schema in (nested, logical, arr, Schema.STRING_SCHEMA):
        read = compile_to_connect(schema)
        assert getattr(read, "func", None) is to_connect_value

"""The compiled JSON writers/readers give exactly what the reference conversion gives, errors included."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import orjson
import pytest

from genesis_worker.api.data import Schema, SchemaBuilder, Struct, date_schema, decimal_schema, timestamp_schema
from genesis_worker.api.errors import DataException
from genesis_worker.runtime.converters.json_codec import compile_reader, compile_writer
from genesis_worker.runtime.converters.json_data import to_connect, to_json

INNER = (
    SchemaBuilder.struct()
    .name("In")
    .optional()
    .field("x", SchemaBuilder.int32().optional().default_value(4).build())
    .build()
)
OUTER = (
    SchemaBuilder.struct()
    .name("Out")
    .field("s", Schema.STRING_SCHEMA)
    .field("i8", Schema.OPTIONAL_INT8_SCHEMA)
    .field("f", Schema.OPTIONAL_FLOAT64_SCHEMA)
    .field("b", Schema.OPTIONAL_BOOLEAN_SCHEMA)
    .field("arr", SchemaBuilder.array(Schema.OPTIONAL_INT64_SCHEMA).optional().build())
    .field("m", SchemaBuilder.map(Schema.STRING_SCHEMA, INNER).optional().build())
    .field("in", INNER)
    .field("ts", timestamp_schema().optional().build())
    .field("d", decimal_schema(2).optional().build())
    .build()
)


def outer(**values: Any) -> Struct:
    s = Struct(OUTER).put("s", "x")
    for k, v in values.items():
        s._values[OUTER.field(k).index] = v  # bypass validation: wrong types must fail like the reference
    return s


VALUES: list[tuple[Schema, Any]] = [
    (OUTER, outer()),
    (
        OUTER,
        outer(i8=5, f=1e7, b=True, arr=[1, None], m={"k": Struct(INNER)}, ts=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)),
    ),
    (OUTER, outer(d=decimal.Decimal("1.25"), **{"in": Struct(INNER).put("x", 9)})),
    (OUTER, outer(i8="no")),
    (OUTER, outer(f="no")),
    (OUTER, outer(arr="no")),
    (OUTER, outer(s=None)),
    (OUTER, Struct(INNER)),
    (OUTER, {"s": "x"}),
    (Schema.FLOAT64_SCHEMA, 0.0001),
    (Schema.FLOAT64_SCHEMA, 3),
    (date_schema().build(), dt.date(2024, 2, 29)),
    (SchemaBuilder.array(Schema.STRING_SCHEMA).build(), ("a", "b")),
    (SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).build(), {1: "a"}),
]


def _outcome(fn: Any) -> Any:
    try:
        return ("ok", orjson.dumps(fn()))
    except DataException as e:
        return ("error", str(e))


@pytest.mark.parametrize("rnd", [True, False])
@pytest.mark.parametrize("index", range(len(VALUES)))
def test_writer_matches_reference(index: int, rnd: bool) -> None:
    schema, value = VALUES[index]
    compiled = compile_writer(schema, False, rnd)
    assert _outcome(lambda: compiled(value)) == _outcome(lambda: to_json(schema, value, False, rnd))


TREES: list[tuple[Schema, Any]] = [
    (
        OUTER,
        {
            "s": "x",
            "i8": 5,
            "f": 2,
            "b": True,
            "arr": [1, None],
            "m": {"k": {"x": None}},
            "in": None,
            "ts": 5,
            "d": "AQ==",
        },
    ),
    (OUTER, {"s": "x", "i8": 300}),
    (OUTER, {"s": 5}),
    (OUTER, {"s": "x", "f": -0.0, "arr": {"a": 1}}),
    (OUTER, [1]),
    (OUTER, None),
    (SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).build(), [[1, "a"]]),
]


@pytest.mark.parametrize("rnd", [True, False])
@pytest.mark.parametrize("index", range(len(TREES)))
def test_reader_matches_reference(index: int, rnd: bool) -> None:
    schema, tree = TREES[index]
    compiled = compile_reader(schema, rnd)

    def run(fn: Any) -> Any:
        try:
            return ("ok", fn())
        except DataException as e:
            return ("error", str(e))

    assert run(lambda: compiled(tree)) == run(lambda: to_connect(schema, tree, rnd))

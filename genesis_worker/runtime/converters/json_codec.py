"""Per-schema compiled JSON writers and readers: the fast form of :mod:`.json_data`.

:func:`compile_writer`/:func:`compile_reader` turn a schema into nested closures that handle the common
case (a value of exactly the expected Python type) inline and hand anything else (nulls, logical types,
wrong types, maps with non-string keys) to the reference functions :func:`~.json_data.to_json` /
:func:`~.json_data.to_connect`, so behaviour and error messages are those of the reference by
construction. :class:`JsonConverter` caches one writer/reader per schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from genesis_worker.api.data import (
    DATE_LOGICAL_NAME,
    DECIMAL_LOGICAL_NAME,
    TIME_LOGICAL_NAME,
    TIMESTAMP_LOGICAL_NAME,
    Schema,
    Struct,
    Type,
)
from genesis_worker.runtime.converters.json_data import java_double_text, to_connect, to_json

Codec = Callable[[Any], Any]

_LOGICAL = frozenset((DATE_LOGICAL_NAME, DECIMAL_LOGICAL_NAME, TIME_LOGICAL_NAME, TIMESTAMP_LOGICAL_NAME))
_INT_LIMITS = {
    Type.INT8: (-(2**7), 2**7 - 1),
    Type.INT16: (-(2**15), 2**15 - 1),
    Type.INT32: (-(2**31), 2**31 - 1),
    Type.INT64: (-(2**63), 2**63 - 1),
}


def compile_writer(schema: Schema | None, decimal_numeric: bool, replace_null_with_default: bool) -> Codec:
    """A function value -> JSON tree equal to ``to_json(schema, value, …)``."""

    def slow(v: Any) -> Any:
        return to_json(schema, v, decimal_numeric, replace_null_with_default)

    if schema is None or schema.name in _LOGICAL:
        return slow
    t = schema.type
    if t is Type.STRING:
        return lambda v: v if type(v) is str else slow(v)
    if t in _INT_LIMITS:
        return lambda v: v if type(v) is int else slow(v)
    if t is Type.BOOLEAN:
        return lambda v: v if type(v) is bool else slow(v)
    if t is Type.FLOAT64:
        return lambda v: orjson.Fragment(java_double_text(v)) if type(v) is float else slow(v)
    if t is Type.ARRAY:
        item = compile_writer(schema.value_schema, decimal_numeric, replace_null_with_default)
        return lambda v: [item(x) for x in v] if type(v) is list else slow(v)
    if t is Type.STRUCT:
        fields = [(f.name, compile_writer(f.schema, decimal_numeric, replace_null_with_default)) for f in schema.fields]

        def struct_writer(v: Any) -> Any:
            if type(v) is Struct and (v.schema is schema or v.schema == schema):
                return {name: w(x) for (name, w), x in zip(fields, v._values, strict=True)}
            return slow(v)

        return struct_writer
    return slow


def compile_reader(schema: Schema | None, replace_null_with_default: bool) -> Codec:
    """A function JSON tree -> value equal to ``to_connect(schema, tree, …)``."""

    def slow(n: Any) -> Any:
        return to_connect(schema, n, replace_null_with_default)

    if schema is None:
        return lambda n: n
    if schema.name in _LOGICAL:
        return slow
    t = schema.type
    if t is Type.STRING:
        return lambda n: n if type(n) is str else slow(n)
    if t in _INT_LIMITS:
        lo, hi = _INT_LIMITS[t]
        return lambda n: n if type(n) is int and lo <= n <= hi else slow(n)
    if t is Type.BOOLEAN:
        return lambda n: n if type(n) is bool else slow(n)
    if t in (Type.FLOAT32, Type.FLOAT64):
        return lambda n: n if type(n) is float and n else slow(n)
    if t is Type.ARRAY:
        item = compile_reader(schema.value_schema, replace_null_with_default)
        return lambda n: [item(x) for x in n] if type(n) is list else slow(n)
    if t is Type.MAP and schema.key_schema is not None and schema.key_schema.type is Type.STRING:
        val = compile_reader(schema.value_schema, replace_null_with_default)
        return lambda n: {k: val(x) for k, x in n.items()} if type(n) is dict else slow(n)
    if t is Type.STRUCT:
        fields = [(f.name, compile_reader(f.schema, replace_null_with_default)) for f in schema.fields]
        new = Struct.__new__

        def struct_reader(n: Any) -> Any:
            if type(n) is not dict:
                return slow(n)
            s = new(Struct)
            s.schema = schema
            s._values = [r(n.get(name)) for name, r in fields]
            return s

        return struct_reader
    return slow

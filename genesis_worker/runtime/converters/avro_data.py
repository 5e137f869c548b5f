"""Connect schemas/values <-> Avro schemas/datums, following Confluent's ``io.confluent.connect.avro.AvroData``.

The common subset is covered: primitives (INT8/INT16 as ``int`` with ``connect.type``), structs as
records (``ConnectDefault`` when unnamed, namespace ``io.confluent.connect.avro``), arrays, maps (string
keys -> Avro map; other keys -> array of ``MapEntry`` records), optional schemas as ``["null", T]`` unions
with a null default, and the logical types Decimal/Date/Time/Timestamp. Connect metadata rides in the
``connect.*`` properties (name, version, doc, parameters, default) so a round trip keeps it.
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import functools
from collections.abc import Callable
from typing import Any

from genesis_worker.api.data import (
    DATE_LOGICAL_NAME,
    DECIMAL_LOGICAL_NAME,
    TIME_LOGICAL_NAME,
    TIMESTAMP_LOGICAL_NAME,
    Schema,
    SchemaBuilder,
    Struct,
    Type,
)
from genesis_worker.api.errors import DataException

NAMESPACE = "io.confluent.connect.avro"
DEFAULT_RECORD_NAME = "ConnectDefault"
MAP_ENTRY_NAME = "MapEntry"
CONNECT_NAME = "connect.name"
CONNECT_DOC = "connect.doc"
CONNECT_VERSION = "connect.version"
CONNECT_PARAMETERS = "connect.parameters"
CONNECT_DEFAULT = "connect.default"
CONNECT_TYPE = "connect.type"
PRECISION_PARAM = "connect.decimal.precision"
DEFAULT_PRECISION = 64

_PRIMITIVE_AVRO = {
    Type.INT32: "int",
    Type.INT64: "long",
    Type.FLOAT32: "float",
    Type.FLOAT64: "double",
    Type.BOOLEAN: "boolean",
    Type.STRING: "string",
    Type.BYTES: "bytes",
}


# --- Connect -> Avro ------------------------------------------------------------------------------


def from_connect_schema(schema: Schema | None, connect_meta: bool = True) -> Any:
    """The Avro schema (JSON-ready) for a Connect schema; ``None`` (schemaless) is Confluent's
    ``io.confluent.connect.avro.Anything`` record."""
    if schema is None:
        return ANYTHING_SCHEMA
    return _from_connect(schema, _Ctx(connect_meta))


class _Ctx:
    """Named types already written (Avro names may be defined once; later uses are references)."""

    __slots__ = ("defaults", "emitted", "meta")

    def __init__(self, meta: bool) -> None:
        self.meta = meta
        self.emitted: set[str] = set()
        self.defaults = 0

    def default_name(self) -> str:
        self.defaults += 1
        return DEFAULT_RECORD_NAME if self.defaults == 1 else f"{DEFAULT_RECORD_NAME}{self.defaults}"


def _split_name(full: str) -> tuple[str | None, str]:
    if "." in full:
        ns, _, name = full.rpartition(".")
        return ns, name
    return None, full


def _from_connect(schema: Schema, ctx: _Ctx) -> Any:
    base = _base_schema(schema, ctx)
    if schema.optional:
        # Avro wants a union's default to match its first branch: null first unless there is a default.
        return [base, "null"] if schema.default is not None else ["null", base]
    return base


def _record(full: str, fields: list[dict[str, Any]], ctx: _Ctx, doc: str | None = None) -> Any:
    if full in ctx.emitted:
        return full
    ctx.emitted.add(full)
    ns, short = _split_name(full)
    rec: dict[str, Any] = {"type": "record", "name": short}
    if ns:
        rec["namespace"] = ns
    if doc is not None:
        rec["doc"] = doc
    rec["fields"] = fields
    return rec


def _field(name: str, schema: Schema, ctx: _Ctx) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "type": _from_connect(schema, ctx)}
    if schema.default is not None:
        out["default"] = _default_json(schema, schema.default)
    elif schema.optional:
        out["default"] = None
    return out


_LOGICAL_AVRO = {
    DATE_LOGICAL_NAME: "date",
    TIME_LOGICAL_NAME: "time-millis",
    TIMESTAMP_LOGICAL_NAME: "timestamp-millis",
}


def _base_schema(schema: Schema, ctx: _Ctx) -> Any:
    """``AvroData.fromConnectSchema`` for one schema, properties in Confluent's order: type-specific
    ones, then ``connect.doc``/``version``/``parameters``/``default``/``name``/``type``, then ``logicalType``."""
    t = schema.type
    name = schema.name
    out: Any
    if t is Type.STRUCT:
        full = name or f"{NAMESPACE}.{ctx.default_name()}"
        if full in ctx.emitted:
            return full
        params = schema.params
        fields = [_field(f.name, f.schema, ctx) for f in schema.fields]
        out = _record(full, fields, ctx, params.get(NAMESPACE + ".record.doc"))
    elif t is Type.ARRAY:
        assert schema.value_schema is not None
        out = {"type": "array", "items": _from_connect(schema.value_schema, ctx)}
    elif t is Type.MAP:
        assert schema.key_schema is not None and schema.value_schema is not None
        if schema.key_schema.type is Type.STRING and not schema.key_schema.optional:
            out = {"type": "map", "values": _from_connect(schema.value_schema, ctx)}
        else:
            entry = _record(
                f"{NAMESPACE}.{MAP_ENTRY_NAME}",
                [_field("key", schema.key_schema, ctx), _field("value", schema.value_schema, ctx)],
                ctx,
            )
            out = {"type": "array", "items": entry}
    elif t in (Type.INT8, Type.INT16):
        out = {"type": "int"}
    else:
        out = {"type": _PRIMITIVE_AVRO[t]}
        if name == DECIMAL_LOGICAL_NAME:
            out["scale"] = int(schema.params.get("scale", "0"))
            out["precision"] = int(schema.params.get(PRECISION_PARAM, DEFAULT_PRECISION))
    if not isinstance(out, dict):
        return out
    if ctx.meta:
        if schema.doc is not None:
            out[CONNECT_DOC] = schema.doc
        if schema.version is not None:
            out[CONNECT_VERSION] = schema.version
        if schema.parameters:
            out[CONNECT_PARAMETERS] = dict(schema.parameters)
        if schema.default is not None:
            out[CONNECT_DEFAULT] = _default_json(schema, schema.default)
        if name is not None:
            out[CONNECT_NAME] = name
        if t in (Type.INT8, Type.INT16):
            out[CONNECT_TYPE] = t.value
    if name == DECIMAL_LOGICAL_NAME:
        out["logicalType"] = "decimal"
    elif name in _LOGICAL_AVRO:
        out["logicalType"] = _LOGICAL_AVRO[name]
    if len(out) == 1 and isinstance(out["type"], str):
        return out["type"]
    return out


# --- schemaless data: Confluent's "Anything" record ------------------------------------------------

ANYTHING_NAME = NAMESPACE + ".Anything"
ANYTHING_SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "Anything",
    "namespace": NAMESPACE,
    "fields": [
        *({"name": n, "type": ["null", n], "default": None} for n in ("boolean", "bytes", "double", "float")),
        *({"name": n, "type": ["null", n], "default": None} for n in ("int", "long", "string")),
        {"name": "array", "type": ["null", {"type": "array", "items": ANYTHING_NAME}], "default": None},
        {
            "name": "map",
            "type": [
                "null",
                {
                    "type": "array",
                    "items": {
                        "type": "record",
                        "name": MAP_ENTRY_NAME,
                        "namespace": NAMESPACE,
                        "fields": [{"name": "key", "type": ANYTHING_NAME}, {"name": "value", "type": ANYTHING_NAME}],
                    },
                },
            ],
            "default": None,
        },
    ],
}


def wrap_anything(value: Any) -> dict[str, Any]:
    """A schemaless value as an ``Anything`` datum (int -> long, float -> double, as Java's Long/Double)."""
    if value is None:
        return {}
    if isinstance(value, bool):
        return {"boolean": value}
    if isinstance(value, int):
        return {"long": value}
    if isinstance(value, float):
        return {"double": value}
    if isinstance(value, str):
        return {"string": value}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"bytes": bytes(value)}
    if isinstance(value, list | tuple):
        return {"array": [wrap_anything(v) for v in value]}
    if isinstance(value, dict):
        return {"map": [{"key": wrap_anything(k), "value": wrap_anything(v)} for k, v in value.items()]}
    raise DataException(f"Unknown Java type for schemaless data: {type(value).__name__}")


def unwrap_anything(datum: Any) -> Any:
    """The schemaless value of an ``Anything`` datum."""
    if datum is None:
        return None
    for key in ("boolean", "bytes", "double", "float", "int", "long", "string"):
        v = datum.get(key)
        if v is not None:
            return v
    arr = datum.get("array")
    if arr is not None:
        return [unwrap_anything(v) for v in arr]
    entries = datum.get("map")
    if entries is not None:
        return {unwrap_anything(e["key"]): unwrap_anything(e["value"]) for e in entries}
    return None


def _default_json(schema: Schema, value: Any) -> Any:
    datum = from_connect_value(schema, value)
    if isinstance(datum, bytes):
        return datum.decode("latin-1")
    if isinstance(datum, _decimal.Decimal):
        from genesis_worker.runtime.converters.json_data import decimal_unscaled_bytes

        return decimal_unscaled_bytes(schema, datum).decode("latin-1")
    if isinstance(datum, _dt.datetime):
        from genesis_worker.api.data import timestamp_to_millis

        return timestamp_to_millis(datum)
    if isinstance(datum, _dt.date):
        return (datum - _dt.date(1970, 1, 1)).days
    if isinstance(datum, _dt.time):
        return ((datum.hour * 60 + datum.minute) * 60 + datum.second) * 1000 + datum.microsecond // 1000
    return datum


def from_connect_value(schema: Schema | None, value: Any) -> Any:
    """A Connect value as a fastavro datum for :func:`from_connect_schema` of ``schema``."""
    if value is None:
        if schema is not None and schema.default is not None:
            return from_connect_value(schema, schema.default)
        if schema is not None and not schema.optional:
            raise DataException("Found null value for non-optional schema")
        return None
    if schema is None:
        return value
    if schema.name in (DECIMAL_LOGICAL_NAME, DATE_LOGICAL_NAME, TIME_LOGICAL_NAME, TIMESTAMP_LOGICAL_NAME):
        return value
    t = schema.type
    if t is Type.STRUCT:
        if not isinstance(value, Struct):
            raise DataException(f"Expected a Struct for schema {schema.name or 'struct'}, got {type(value).__name__}")
        return {f.name: from_connect_value(f.schema, value.get_without_default(f.name)) for f in schema.fields}
    if t is Type.ARRAY:
        return [from_connect_value(schema.value_schema, v) for v in value]
    if t is Type.MAP:
        assert schema.key_schema is not None
        if schema.key_schema.type is Type.STRING and not schema.key_schema.optional:
            return {k: from_connect_value(schema.value_schema, v) for k, v in value.items()}
        return [
            {"key": from_connect_value(schema.key_schema, k), "value": from_connect_value(schema.value_schema, v)}
            for k, v in value.items()
        ]
    if t is Type.BYTES and isinstance(value, bytearray | memoryview):
        return bytes(value)
    return value


# --- Avro -> Connect ------------------------------------------------------------------------------

_AVRO_PRIMITIVE = {
    "int": Type.INT32,
    "long": Type.INT64,
    "float": Type.FLOAT32,
    "double": Type.FLOAT64,
    "boolean": Type.BOOLEAN,
    "string": Type.STRING,
    "bytes": Type.BYTES,
}


def to_connect_schema(avro: Any) -> Schema:
    """The Connect schema for an Avro schema (JSON form, as the registry returns it)."""
    return _to_connect(avro, {}, optional=False)


def _to_connect(avro: Any, named: dict[str, Any], optional: bool) -> Schema:
    if isinstance(avro, list):
        branches = [b for b in avro if b != "null"]
        has_null = len(branches) != len(avro)
        if len(branches) == 1:
            return _to_connect(branches[0], named, optional or has_null)
        raise DataException('Avro unions other than ["null", T] are not supported: ' + str(avro))
    if isinstance(avro, str):
        if avro in named:
            return _to_connect(named[avro], named, optional)
        if avro == "null":
            raise DataException("A bare Avro null schema has no Connect equivalent")
        avro = {"type": avro}
    if not isinstance(avro, dict):
        raise DataException(f"Invalid Avro schema: {avro}")
    atype = avro.get("type")
    if isinstance(atype, dict | list):
        return _to_connect(atype, named, optional)
    logical = avro.get("logicalType")
    builder: SchemaBuilder
    if logical == "decimal" and atype in ("bytes", "fixed"):
        builder = SchemaBuilder.bytes().name(DECIMAL_LOGICAL_NAME).version(1)
        builder.parameter("scale", str(avro.get("scale", 0)))
        if "precision" in avro and int(avro["precision"]) != DEFAULT_PRECISION:
            builder.parameter(PRECISION_PARAM, str(avro["precision"]))
        for k, v in (avro.get(CONNECT_PARAMETERS) or {}).items():
            builder.parameter(k, str(v))
        return _finish(builder, avro, optional, skip_name=True)
    if logical == "date" and atype == "int":
        return _finish(SchemaBuilder.int32().name(DATE_LOGICAL_NAME).version(1), avro, optional, skip_name=True)
    if logical == "time-millis" and atype == "int":
        return _finish(SchemaBuilder.int32().name(TIME_LOGICAL_NAME).version(1), avro, optional, skip_name=True)
    if logical == "timestamp-millis" and atype == "long":
        return _finish(SchemaBuilder.int64().name(TIMESTAMP_LOGICAL_NAME).version(1), avro, optional, skip_name=True)
    if atype == "record":
        full = _full_name(avro)
        named[full] = avro
        if (
            avro.get("name") == MAP_ENTRY_NAME
            and avro.get("namespace") == NAMESPACE
            and [f.get("name") for f in avro.get("fields", [])] == ["key", "value"]
        ):
            raise DataException("MapEntry records are read through their enclosing array")
        builder = SchemaBuilder.struct()
        if full != NAMESPACE + "." + DEFAULT_RECORD_NAME and not full.startswith(NAMESPACE + "." + DEFAULT_RECORD_NAME):
            builder.name(full)
        if "doc" in avro:
            builder.doc(avro["doc"])
        for f in avro.get("fields", []):
            fs = _to_connect(f["type"], named, optional=False)
            if "default" in f and f["default"] is not None and fs.default is None:
                try:
                    fs = _with_default(fs, _default_value(fs, f["default"]))
                except DataException:
                    pass
            builder.field(f["name"], fs)
        return _finish(builder, avro, optional, skip_name=True)
    if atype == "array":
        items = avro.get("items")
        if (
            isinstance(items, dict)
            and items.get("type") == "record"
            and items.get("name") == MAP_ENTRY_NAME
            and [f.get("name") for f in items.get("fields", [])] == ["key", "value"]
        ):
            k = _to_connect(items["fields"][0]["type"], named, False)
            v = _to_connect(items["fields"][1]["type"], named, False)
            return _finish(SchemaBuilder.map(k, v), avro, optional)
        return _finish(SchemaBuilder.array(_to_connect(items, named, False)), avro, optional)
    if atype == "map":
        return _finish(
            SchemaBuilder.map(Schema.STRING_SCHEMA, _to_connect(avro.get("values"), named, False)), avro, optional
        )
    if atype == "enum":
        named[_full_name(avro)] = avro
        builder = SchemaBuilder.string().name(_full_name(avro))
        for i, sym in enumerate(avro.get("symbols", [])):
            builder.parameter(f"io.confluent.connect.avro.Enum.{sym}", sym)
            del i
        builder.parameter("io.confluent.connect.avro.Enum", _full_name(avro))
        return _finish(builder, avro, optional, skip_name=True)
    if atype == "fixed":
        named[_full_name(avro)] = avro
        return _finish(SchemaBuilder.bytes(), avro, optional)
    if atype == "int" and avro.get(CONNECT_TYPE) in ("int8", "int16"):
        builder = SchemaBuilder(Type.INT8 if avro[CONNECT_TYPE] == "int8" else Type.INT16)
        return _finish(builder, avro, optional)
    if isinstance(atype, str) and atype in _AVRO_PRIMITIVE:
        return _finish(SchemaBuilder(_AVRO_PRIMITIVE[atype]), avro, optional)
    if isinstance(atype, str) and atype in named:
        return _to_connect(named[atype], named, optional)
    raise DataException(f"Unsupported Avro type: {atype}")


def _full_name(avro: dict[str, Any]) -> str:
    name = str(avro.get("name", ""))
    ns = avro.get("namespace")
    return name if "." in name or not ns else f"{ns}.{name}"


def _finish(builder: SchemaBuilder, avro: dict[str, Any], optional: bool, skip_name: bool = False) -> Schema:
    if optional:
        builder.optional()
    if not skip_name and isinstance(avro.get(CONNECT_NAME), str):
        builder.name(avro[CONNECT_NAME])
    if isinstance(avro.get(CONNECT_DOC), str):
        builder.doc(avro[CONNECT_DOC])
    if isinstance(avro.get(CONNECT_VERSION), int) and builder._version is None:
        builder.version(avro[CONNECT_VERSION])
    params = avro.get(CONNECT_PARAMETERS)
    if isinstance(params, dict) and builder._type is not Type.BYTES:
        for k, v in params.items():
            builder.parameter(k, str(v))
    schema = builder.build()
    if CONNECT_DEFAULT in avro:
        schema = _with_default(schema, _default_value(schema, avro[CONNECT_DEFAULT]))
    return schema


def _with_default(schema: Schema, default: Any) -> Schema:
    return SchemaBuilder.from_schema(schema).default_value(default).build() if default is not None else schema


def _default_value(schema: Schema, node: Any) -> Any:
    if node is None:
        return None
    if schema.type is Type.BYTES and isinstance(node, str):
        raw = node.encode("latin-1")
        if schema.name == DECIMAL_LOGICAL_NAME:
            from genesis_worker.api.data import decimal_from_bytes

            return decimal_from_bytes(raw, int(schema.params.get("scale", "0")))
        return raw
    return to_connect_value(schema, node)


def to_connect_value(schema: Schema, datum: Any) -> Any:
    """A fastavro datum (logical types already decoded) as a Connect value of ``schema``."""
    if datum is None:
        return None
    name = schema.name
    if name == DECIMAL_LOGICAL_NAME:
        return datum if isinstance(datum, _decimal.Decimal) else _decimal.Decimal(datum)
    if name == TIMESTAMP_LOGICAL_NAME:
        if isinstance(datum, _dt.datetime):
            return datum if datum.tzinfo is not None else datum.replace(tzinfo=_dt.UTC)
        from genesis_worker.api.data import timestamp_from_millis

        return timestamp_from_millis(int(datum))
    if name == DATE_LOGICAL_NAME:
        if isinstance(datum, _dt.date):
            return datum
        from genesis_worker.api.data import date_from_days

        return date_from_days(int(datum))
    if name == TIME_LOGICAL_NAME:
        if isinstance(datum, _dt.time):
            return datum.replace(microsecond=datum.microsecond // 1000 * 1000)
        from genesis_worker.api.data import time_from_millis

        return time_from_millis(int(datum))
    t = schema.type
    if t is Type.STRUCT:
        s = Struct(schema)
        for f in schema.fields:
            v = datum.get(f.name)
            if v is not None:
                s.put(f.name, to_connect_value(f.schema, v))
        return s
    if t is Type.ARRAY:
        assert schema.value_schema is not None
        return [to_connect_value(schema.value_schema, v) for v in datum]
    if t is Type.MAP:
        assert schema.key_schema is not None and schema.value_schema is not None
        if isinstance(datum, list):
            return {
                to_connect_value(schema.key_schema, e["key"]): to_connect_value(schema.value_schema, e["value"])
                for e in datum
            }
        return {k: to_connect_value(schema.value_schema, v) for k, v in datum.items()}
    if t in (Type.FLOAT32, Type.FLOAT64):
        return float(datum)
    return datum


_FLAT = frozenset({Type.INT8, Type.INT16, Type.INT32, Type.INT64, Type.BOOLEAN, Type.STRING, Type.BYTES})
_FLOATS = frozenset({Type.FLOAT32, Type.FLOAT64})


def compile_to_connect(schema: Schema) -> Callable[[Any], Any]:
    """:func:`to_connect_value` for ``schema``, compiled once: a record of primitive fields (no logical
    types, no nesting: the common flat event) becomes a Struct in one list build instead of a validated
    ``put`` per field; any other schema uses :func:`to_connect_value`."""
    fields = schema.fields if schema.type is Type.STRUCT and schema.name not in _LOGICAL else None
    if not fields or any(f.schema.name is not None or f.schema.type not in _FLAT | _FLOATS for f in fields):
        return functools.partial(to_connect_value, schema)
    names = [f.name for f in fields]
    floats = [f.index for f in fields if f.schema.type in _FLOATS]
    new = object.__new__

    def read(datum: Any) -> Any:
        if datum is None:
            return None
        get = datum.get
        values = [get(n) for n in names]
        for i in floats:
            v = values[i]
            if v is not None:
                values[i] = float(v)
        s = new(Struct)
        s.schema = schema
        s._values = values
        return s

    return read


_LOGICAL = frozenset({DECIMAL_LOGICAL_NAME, TIMESTAMP_LOGICAL_NAME, DATE_LOGICAL_NAME, TIME_LOGICAL_NAME})

"""``output.format.*=schema``: Avro schema JSON -> Connect schema (``AvroSchema``) and BSON documents ->
Structs typed by that schema (``BsonValueToSchemaAndValue``), as the Java connector does."""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from bson import Binary, Decimal128
from bson.datetime_ms import DatetimeMS

from genesis_connectors.mongodb.bson_json import JsonMode, millis, to_json
from genesis_worker.api import ConfigException, DataException, Schema, SchemaBuilder, Struct, Type

_PRIMITIVES = {
    "string": SchemaBuilder.string,
    "bytes": SchemaBuilder.bytes,
    "fixed": SchemaBuilder.bytes,
    "int": SchemaBuilder.int32,
    "long": SchemaBuilder.int64,
    "float": SchemaBuilder.float32,
    "double": SchemaBuilder.float64,
    "boolean": SchemaBuilder.bool,
}


def avro_to_connect(text: str) -> Schema:
    """``AvroSchema.fromJson``: only a record at the top level; unions only as ``[T, "null"]``."""
    try:
        avro = json.loads(text)
    except ValueError as e:
        raise ConfigException(f"Invalid Avro schema. {e}\n{text}") from None
    if not isinstance(avro, dict) or avro.get("type") != "record":
        raise ConfigException("Only Record schemas are supported at the top-level.")
    return _convert(avro, False, "", {})


def _convert(avro: Any, optional: bool, path: str, named: dict[str, Any]) -> Schema:
    if isinstance(avro, str):
        if avro in named:
            return _convert(named[avro], optional, path, named)
        avro = {"type": avro}
    if isinstance(avro, list):
        non_null = [t for t in avro if t != "null"]
        if len(avro) != 2 or len(non_null) != 1:
            raise _error(
                "Union Schemas are not supported, unless one value is null to represent an optional value.", path
            )
        return _convert(non_null[0], True, path, named)
    t = avro.get("type")
    if isinstance(t, dict | list) or (isinstance(t, str) and t in named):
        return _convert(t, optional, path, named)
    if t == "record":
        named[str(avro.get("name"))] = avro
        b = SchemaBuilder.struct().name(str(avro.get("name")).rsplit(".", 1)[-1])
        for f in avro.get("fields", []):
            fpath = f"{path}.{f['name']}" if path else str(f["name"])
            b.field(str(f["name"]), _convert(f["type"], False, fpath, named))
    elif t == "array":
        b = SchemaBuilder.array(_convert(avro["items"], False, path, named))
    elif t == "map":
        b = SchemaBuilder.map(Schema.STRING_SCHEMA, _convert(avro["values"], False, path, named))
    elif t in ("enum",):
        raise _error(
            f"Unsupported Avro schema type: '{str(t).upper()}'. The connector will not validate the values. Use string instead.",
            path,
        )
    elif t in _PRIMITIVES:
        b = _PRIMITIVES[str(t)]()
    else:
        raise _error(f"Unsupported Avro schema type: '{str(t).upper()}'.", path)
    if optional:
        b.optional()
    return b.build()


def _error(message: str, path: str) -> ConfigException:
    return ConfigException(f"Field '{path}' is invalid. {message}" if path else message)


class SchemaValueConverter:
    """BSON values -> Connect values of a given schema; documents that land in STRING fields become JSON."""

    def __init__(self, mode: JsonMode) -> None:
        self.mode = mode

    def struct(self, schema: Schema, doc: dict[str, Any]) -> Struct:
        out = Struct(schema)
        for f in schema.fields:
            value = doc.get(f.name)
            out.put(f.name, self.value(f.schema, value, f.name))
        return out

    def value(self, schema: Schema, v: Any, path: str) -> Any:
        if v is None:
            if schema.optional:
                return None
            raise DataException(f"Missing field '{path}' of schema type {schema.type.java_name}")
        t = schema.type
        if t is Type.STRING:
            if isinstance(v, str):
                return v
            return to_json(v, self.mode)
        if t is Type.STRUCT:
            if not isinstance(v, dict):
                raise DataException(f"Field '{path}' expected a document, got {type(v).__name__}")
            return self.struct(schema, v)
        if t is Type.ARRAY:
            if not isinstance(v, list):
                raise DataException(f"Field '{path}' expected an array, got {type(v).__name__}")
            assert schema.value_schema is not None
            return [self.value(schema.value_schema, x, path) for x in v]
        if t is Type.MAP:
            if not isinstance(v, dict):
                raise DataException(f"Field '{path}' expected a document, got {type(v).__name__}")
            assert schema.value_schema is not None
            return {k: self.value(schema.value_schema, x, f"{path}.{k}") for k, x in v.items()}
        if t in (Type.INT32, Type.INT64, Type.INT8, Type.INT16):
            if isinstance(v, _dt.datetime | DatetimeMS):
                return millis(v)
            if isinstance(v, bool) or not isinstance(v, int | float | Decimal128):
                raise DataException(f"Field '{path}' expected a number, got {type(v).__name__}")
            return int(v.to_decimal()) if isinstance(v, Decimal128) else int(v)
        if t in (Type.FLOAT32, Type.FLOAT64):
            if isinstance(v, bool) or not isinstance(v, int | float | Decimal128):
                raise DataException(f"Field '{path}' expected a number, got {type(v).__name__}")
            return float(v.to_decimal()) if isinstance(v, Decimal128) else float(v)
        if t is Type.BOOLEAN:
            if not isinstance(v, bool):
                raise DataException(f"Field '{path}' expected a boolean, got {type(v).__name__}")
            return v
        if t is Type.BYTES:
            if isinstance(v, bytes | Binary):
                return bytes(v)
            raise DataException(f"Field '{path}' expected binary data, got {type(v).__name__}")
        raise DataException(f"Unsupported schema type {t} for field '{path}'")

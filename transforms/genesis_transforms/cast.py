"""``org.apache.kafka.connect.transforms.Cast``: cast fields, or the whole key/value, to another type."""

from __future__ import annotations

import base64
import datetime as _dt
import decimal as _decimal
import math
from collections.abc import Mapping
from typing import Any, ClassVar

from genesis_worker.api.config import ConfigDef, ConfigType, Importance, parse_type
from genesis_worker.api.data import (
    DATE_LOGICAL_NAME,
    TIME_LOGICAL_NAME,
    TIMESTAMP_LOGICAL_NAME,
    Schema,
    SchemaBuilder,
    Struct,
    Type,
    date_to_days,
    time_to_millis,
    timestamp_to_millis,
)
from genesis_worker.api.errors import ConfigException, DataException
from genesis_worker.api.records import ConnectRecord
from genesis_worker.api.validators import LambdaValidator
from genesis_worker.runtime.converters.json_data import JavaFloat, java_double_text, java_float_text
from genesis_worker.runtime.converters.values import convert_to_string, java_to_string

from ._util import (
    REPLACE_NULL_WITH_DEFAULT_CONFIG,
    KeyOrValueTransformation,
    SchemaCache,
    copy_schema_basics,
    define_replace_null_with_default,
    field_values,
    java_class,
    require_map,
    require_struct,
    struct_of,
)

SPEC_CONFIG = "spec"
PURPOSE = "cast types"
_INPUT = (
    Type.INT8,
    Type.INT16,
    Type.INT32,
    Type.INT64,
    Type.FLOAT32,
    Type.FLOAT64,
    Type.BOOLEAN,
    Type.STRING,
    Type.BYTES,
)
_OUTPUT = _INPUT[:-1]
_WHOLE = ""  # Java uses a null key for the whole-value cast


def _names(types: tuple[Type, ...]) -> str:
    return "[" + ", ".join(t.java_name for t in types) + "]"


def _type_named(name: str) -> Type | None:
    try:
        return Type[name.strip().upper()]
    except KeyError:
        return None


def parse_field_types(mappings: list[str]) -> dict[str, Type]:
    """``Cast.parseFieldTypes``: ``["f1:int8", "f2:string"]`` or ``["int32"]`` (whole value)."""
    out: dict[str, Type] = {}
    whole = False
    for mapping in mappings:
        parts = [p for p in mapping.split(":")]
        while len(parts) > 1 and parts[-1] == "":
            parts.pop()  # String.split drops trailing empty strings
        if len(parts) > 2:
            raise ConfigException(
                f"Invalid value [{', '.join(mappings)}] for configuration renames: Invalid rename mapping: {mapping}"
            )
        if len(parts) == 1:
            t = _type_named(parts[0])
            if t is None:
                raise _invalid_type(parts[0].strip())
            out[_WHOLE] = _valid_output(t)
            whole = True
        else:
            t = _type_named(parts[1])
            if t is None:
                raise _invalid_type(parts[1].strip())
            out[parts[0].strip()] = _valid_output(t)
    if whole and len(mappings) > 1:
        raise ConfigException(
            "Cast transformations that specify a type to cast the entire value to may only specify a single cast in "
            "their spec"
        )
    return out


def _invalid_type(name: str) -> ConfigException:
    # Java passes the cause as the "value" of ConfigException(name, value): keep its message.
    return ConfigException(
        f"Invalid value java.lang.IllegalArgumentException: No enum constant "
        f"org.apache.kafka.connect.data.Schema.Type.{name.upper()} for configuration "
        f"Invalid type found in casting spec: {name}"
    )


def _valid_output(t: Type) -> Type:
    if t not in _OUTPUT:
        raise ConfigException(
            f"Cast transformation does not support casting to {t.java_name}; supported types are {_names(_OUTPUT)}"
        )
    return t


def _validate_spec(name: str, value: Any) -> None:
    if not value:
        raise ConfigException("Must specify at least one field to cast.")
    parse_field_types(list(value))


CONFIG_DEF = define_replace_null_with_default(
    ConfigDef().define(
        SPEC_CONFIG,
        ConfigType.LIST,
        validator=LambdaValidator(_validate_spec, "list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>"),
        importance=Importance.HIGH,
        documentation="List of fields and the type to cast them to of the form field1:type,field2:type to cast "
        "fields of Maps or Structs. A single type to cast the entire value. Valid types are int8, int16, int32, "
        "int64, float32, float64, boolean, and string. Note that binary fields can only be cast to string.",
    )
)


def _infer_type(value: Any) -> Type | None:
    if isinstance(value, bool):
        return Type.BOOLEAN
    if isinstance(value, int):
        return Type.INT64
    if isinstance(value, float):
        return Type.FLOAT64
    if isinstance(value, str):
        return Type.STRING
    if isinstance(value, bytes | bytearray | memoryview):
        return Type.BYTES
    if isinstance(value, list):
        return Type.ARRAY
    if isinstance(value, dict):
        return Type.MAP
    if isinstance(value, Struct):
        return Type.STRUCT
    return None


def _d2l(d: float, bits: int) -> int:
    """Java's saturating double -> int/long narrowing (NaN -> 0)."""
    if math.isnan(d):
        return 0
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    if math.isinf(d):
        return hi if d > 0 else lo
    return max(lo, min(hi, int(d)))


def _wrap(n: int, bits: int) -> int:
    n &= (1 << bits) - 1
    return n - (1 << bits) if n >= 1 << (bits - 1) else n


def _number_to_int(value: Any, bits: int) -> int:
    if isinstance(value, float):
        return _wrap(_d2l(value, 32 if bits < 64 else 64), bits)
    if isinstance(value, _decimal.Decimal):
        return _wrap(int(value), bits)
    return _wrap(int(value), bits)


def _parse_java_int(text: str, bits: int) -> int:
    import re

    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError(f'For input string: "{text}"')
    n = int(text)
    if not -(2 ** (bits - 1)) <= n < 2 ** (bits - 1):
        raise ValueError(f'Value out of range. Value:"{text}"')
    return n


def _to_f32(x: float) -> float:
    import struct

    try:
        return float(struct.unpack(">f", struct.pack(">f", x))[0])
    except OverflowError:
        return math.copysign(math.inf, x)


def _encode_logical(schema: Schema, value: Any) -> Any:
    if schema.name == DATE_LOGICAL_NAME and isinstance(value, _dt.date):
        return date_to_days(value if not isinstance(value, _dt.datetime) else value.date())
    if schema.name == TIME_LOGICAL_NAME and isinstance(value, _dt.time):
        return time_to_millis(value)
    if schema.name == TIMESTAMP_LOGICAL_NAME and isinstance(value, _dt.datetime):
        return timestamp_to_millis(value)
    return value


def cast_value(schema: Schema | None, value: Any, target: Type) -> Any:
    """``Cast.castValueToType``."""
    if value is None:
        return None
    inferred = schema.type if schema is not None else _infer_type(value)
    if inferred is None:
        raise DataException(
            f"Cast transformation was passed a value of type {java_class(value)} which is not supported by "
            "Connect's data API"
        )
    if inferred not in _INPUT:
        raise DataException(
            f"Cast transformation does not support casting from {inferred.java_name}; supported types are "
            f"{_names(_INPUT)}"
        )
    if schema is not None and schema.name is not None and target is not Type.STRING:
        value = _encode_logical(schema, value)
    try:
        return _cast(schema, value, target)
    except (ValueError, OverflowError) as e:
        raise DataException(f"Value ({java_to_string(value)}) was out of range for requested data type") from e


_BITS = {Type.INT8: 8, Type.INT16: 16, Type.INT32: 32, Type.INT64: 64}


def _cast(schema: Schema | None, value: Any, target: Type) -> Any:
    is_number = isinstance(value, int | float | _decimal.Decimal) and not isinstance(value, bool)
    if target in _BITS:
        bits = _BITS[target]
        if is_number:
            return _number_to_int(value, bits)
        if isinstance(value, bool):
            return 1 if value else 0
        if isinstance(value, str):
            return _parse_java_int(value, bits)
    elif target in (Type.FLOAT32, Type.FLOAT64):
        f: float | None = None
        if is_number:
            f = float(value)
            if schema is not None and schema.type is Type.FLOAT32:
                f = _to_f32(f)  # Java held a Float: widening gives the float's exact double
        elif isinstance(value, bool):
            f = 1.0 if value else 0.0
        elif isinstance(value, str):
            f = float(value.strip())
        if f is not None:
            return JavaFloat(_to_f32(f)) if target is Type.FLOAT32 else f
    elif target is Type.BOOLEAN:
        if is_number:
            return _number_to_int(value, 64) != 0
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            return value.lower() == "true"
    elif target is Type.STRING:
        if isinstance(value, _dt.date | _dt.time):
            return convert_to_string(None, value)
        if isinstance(value, bytes | bytearray | memoryview):
            return base64.b64encode(bytes(value)).decode("ascii")
        if isinstance(value, float):
            is32 = schema is not None and schema.type is Type.FLOAT32
            return java_float_text(value) if is32 else java_double_text(value)
        return java_to_string(value)
    raise DataException(f"Unexpected type in Cast transformation: {java_class(value)}")


_BUILDERS = {
    Type.INT8: SchemaBuilder.int8,
    Type.INT16: SchemaBuilder.int16,
    Type.INT32: SchemaBuilder.int32,
    Type.INT64: SchemaBuilder.int64,
    Type.FLOAT32: SchemaBuilder.float32,
    Type.FLOAT64: SchemaBuilder.float64,
    Type.BOOLEAN: SchemaBuilder.bool,
    Type.STRING: SchemaBuilder.string,
}


class _Cast(KeyOrValueTransformation):
    def __init__(self) -> None:
        self.casts: dict[str, Type] = {}
        self.whole: Type | None = None
        self.replace_null_with_default = True
        self._cache = SchemaCache()

    def config(self) -> ConfigDef:
        return CONFIG_DEF

    def configure(self, configs: Mapping[str, Any]) -> None:
        parsed = CONFIG_DEF.parse(configs)
        self.casts = parse_field_types(list(parse_type(SPEC_CONFIG, parsed[SPEC_CONFIG], ConfigType.LIST)))
        self.whole = self.casts.get(_WHOLE)
        self.replace_null_with_default = bool(parsed[REPLACE_NULL_WITH_DEFAULT_CONFIG])
        self._cache = SchemaCache()

    def apply(self, record: ConnectRecord) -> ConnectRecord:
        value = self.operating_value(record)
        if value is None:
            return record
        schema = self.operating_schema(record)
        if schema is None:
            if self.whole is not None:
                return self.new_record(record, None, cast_value(None, value, self.whole))
            m = require_map(value, PURPOSE)
            updated = dict(m)
            for name, t in self.casts.items():
                updated[name] = cast_value(None, m.get(name), t)
            return self.new_record(record, None, updated)
        updated_schema = self._updated_schema(schema)
        if self.whole is not None:
            return self.new_record(record, updated_schema, cast_value(schema, value, self.whole))
        struct = require_struct(value, PURPOSE)
        values = field_values(struct, self.replace_null_with_default)
        out = struct_of(updated_schema, list(values))
        for f in struct.schema.fields:
            target = self.casts.get(f.name)
            if target is not None:
                out.put(f.name, cast_value(f.schema, values[f.index], target))
        return self.new_record(record, updated_schema, out)

    def _updated_schema(self, schema: Schema) -> Schema:
        cached: Schema | None = self._cache.get(schema)
        if cached is not None:
            return cached
        if self.whole is not None:
            builder = copy_schema_basics(schema, _BUILDERS[self.whole]())
        else:
            builder = copy_schema_basics(schema, SchemaBuilder.struct())
            for f in schema.fields:
                t = self.casts.get(f.name)
                if t is None:
                    builder.field(f.name, f.schema)
                    continue
                fb = _BUILDERS[t]()
                if f.schema.optional:
                    fb.optional()
                if f.schema.default is not None:
                    fb.default_value(cast_value(f.schema, f.schema.default, t))
                builder.field(f.name, fb.build())
        if schema.optional:
            builder.optional()
        if schema.default is not None:
            target = self.whole if self.whole is not None else Type.STRUCT
            if target is not Type.STRUCT:
                builder.default_value(cast_value(schema, schema.default, target))
        updated = builder.build()
        self._cache.put(schema, updated)
        return updated


class CastKey(_Cast):
    """Cast fields of the record key, or the whole key (``Cast$Key``)."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.Cast$Key",)
    is_key = True


class CastValue(_Cast):
    """Cast fields of the record value, or the whole value (``Cast$Value``).

    Example: ``spec=id:int64,price:string`` or ``spec=int32`` for the whole value.
    """

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.Cast$Value",)

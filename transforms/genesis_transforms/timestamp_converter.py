"""``TimestampConverter$Key``/``TimestampConverter$Value``: convert a timestamp (the whole key/value or
one field) between ``string`` (SimpleDateFormat pattern, UTC), ``unix`` (epoch number in
``unix.precision``), ``Date``, ``Time`` and ``Timestamp``."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from genesis_worker.api.config import ConfigDef, ConfigType, Importance
from genesis_worker.api.data import (
    DATE_LOGICAL_NAME,
    TIME_LOGICAL_NAME,
    TIMESTAMP_LOGICAL_NAME,
    Schema,
    SchemaBuilder,
    Struct,
    Type,
    date_schema,
    time_schema,
    timestamp_from_millis,
    timestamp_schema,
    timestamp_to_millis,
)
from genesis_worker.api.errors import ConfigException, ConnectException, DataException
from genesis_worker.api.records import ConnectRecord
from genesis_worker.api.validators import ValidString

from ._datefmt import SimpleDateFormat
from ._util import (
    REPLACE_NULL_WITH_DEFAULT_CONFIG,
    KeyOrValueTransformation,
    SchemaCache,
    copy_schema_basics,
    define_replace_null_with_default,
    field_values,
    java_class,
    require_map,
    require_struct_or_null,
    struct_of,
)

PURPOSE = "converting timestamp formats"
TYPE_STRING, TYPE_UNIX, TYPE_DATE, TYPE_TIME, TYPE_TIMESTAMP = "string", "unix", "Date", "Time", "Timestamp"
VALID_TYPES = (TYPE_STRING, TYPE_UNIX, TYPE_DATE, TYPE_TIME, TYPE_TIMESTAMP)
_PRECISIONS = ("nanoseconds", "microseconds", "milliseconds", "seconds")
_DAY_MS = 86_400_000

CONFIG_DEF = define_replace_null_with_default(
    ConfigDef()
    .define(
        "field",
        ConfigType.STRING,
        "",
        None,
        Importance.HIGH,
        "The field containing the timestamp, or empty if the entire value is a timestamp",
    )
    .define(
        "target.type",
        ConfigType.STRING,
        validator=ValidString.in_(*VALID_TYPES),
        importance=Importance.HIGH,
        documentation="The desired timestamp representation: string, unix, Date, Time, or Timestamp",
    )
    .define(
        "format",
        ConfigType.STRING,
        "",
        None,
        Importance.MEDIUM,
        "A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when type=string "
        "or used to parse the input if the input is a string.",
    )
    .define(
        "unix.precision",
        ConfigType.STRING,
        "milliseconds",
        ValidString.in_(*_PRECISIONS),
        Importance.LOW,
        "The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds. "
        "Used to generate the output when type=unix or used to parse the input if the input is a Long.Note: "
        "This SMT will cause precision loss during conversions from, and to, values with sub-millisecond "
        "components.",
    )
)


@dataclass
class _Config:
    field: str
    type: str
    format: SimpleDateFormat | None
    precision: str


def _tdiv(a: int, b: int) -> int:
    """Java's long division (truncates toward zero)."""
    q = abs(a) // b
    return q if a >= 0 else -q


def _to_millis(value: Any, expected: str) -> int:
    if isinstance(value, _dt.datetime):
        return timestamp_to_millis(value)
    if isinstance(value, _dt.date):
        return (value - _dt.date(1970, 1, 1)).days * _DAY_MS
    if isinstance(value, _dt.time):
        return ((value.hour * 60 + value.minute) * 60 + value.second) * 1000 + value.microsecond // 1000
    raise DataException(f"Expected {expected} to be a java.util.Date, but found {java_class(value)}")


def _string_to_raw(c: _Config, v: Any) -> int:
    if not isinstance(v, str):
        raise DataException(f"Expected string timestamp to be a String, but found {java_class(v)}")
    assert c.format is not None
    try:
        return c.format.parse(v)
    except ValueError as e:
        raise DataException(
            f"Could not parse timestamp: value ({v}) does not match pattern ({c.format.to_pattern()})"
        ) from e


def _unix_to_raw(c: _Config, v: Any) -> int:
    if not isinstance(v, int) or isinstance(v, bool):
        raise DataException(f"Expected Unix timestamp to be a Long, but found {java_class(v)}")
    if c.precision == "seconds":
        return v * 1000
    if c.precision == "microseconds":
        return _tdiv(v, 1000)
    if c.precision == "nanoseconds":
        return _tdiv(v, 1_000_000)
    return v


def _raw_to_unix(c: _Config, ms: int) -> int:
    if c.precision == "seconds":
        return _tdiv(ms, 1000)
    if c.precision == "microseconds":
        return ms * 1000
    if c.precision == "nanoseconds":
        return ms * 1_000_000
    return ms


def _raw_to_string(c: _Config, ms: int) -> str:
    assert c.format is not None
    return c.format.format(ms)


def _raw_to_date(c: _Config, ms: int) -> _dt.date:
    return _dt.date(1970, 1, 1) + _dt.timedelta(days=ms // _DAY_MS)


def _raw_to_time(c: _Config, ms: int) -> _dt.time:
    m = ms % _DAY_MS
    return _dt.time(m // 3_600_000, m // 60_000 % 60, m // 1000 % 60, m % 1000 * 1000)


_TO_RAW: dict[str, Callable[[_Config, Any], int]] = {
    TYPE_STRING: _string_to_raw,
    TYPE_UNIX: _unix_to_raw,
    TYPE_DATE: lambda c, v: _to_millis(v, "Date"),
    TYPE_TIME: lambda c, v: _to_millis(v, "Time"),
    TYPE_TIMESTAMP: lambda c, v: _to_millis(v, "Timestamp"),
}
_TO_TYPE: dict[str, Callable[[_Config, int], Any]] = {
    TYPE_STRING: _raw_to_string,
    TYPE_UNIX: _raw_to_unix,
    TYPE_DATE: _raw_to_date,
    TYPE_TIME: _raw_to_time,
    TYPE_TIMESTAMP: lambda c, ms: timestamp_from_millis(ms),
}
_SCHEMAS: dict[str, tuple[Schema, Schema]] = {
    TYPE_STRING: (Schema.STRING_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA),
    TYPE_UNIX: (Schema.INT64_SCHEMA, Schema.OPTIONAL_INT64_SCHEMA),
    TYPE_DATE: (date_schema().build(), date_schema().optional().build()),
    TYPE_TIME: (time_schema().build(), time_schema().optional().build()),
    TYPE_TIMESTAMP: (timestamp_schema().build(), timestamp_schema().optional().build()),
}


def _type_schema(type_: str, optional: bool) -> Schema:
    return _SCHEMAS[type_][1 if optional else 0]


def _type_from_schema(schema: Schema) -> str:
    if schema.name == TIMESTAMP_LOGICAL_NAME:
        return TYPE_TIMESTAMP
    if schema.name == DATE_LOGICAL_NAME:
        return TYPE_DATE
    if schema.name == TIME_LOGICAL_NAME:
        return TYPE_TIME
    if schema.type is Type.STRING:
        return TYPE_STRING
    if schema.type is Type.INT64:
        return TYPE_UNIX
    raise ConnectException(f"Schema {schema} does not correspond to a known timestamp type format")


def _infer_type(value: Any) -> str:
    if isinstance(value, _dt.date | _dt.time):
        return TYPE_TIMESTAMP
    if isinstance(value, int) and not isinstance(value, bool):
        return TYPE_UNIX
    if isinstance(value, str):
        return TYPE_STRING
    raise DataException(f"TimestampConverter does not support {java_class(value)} objects as timestamps")


class _TimestampConverter(KeyOrValueTransformation):
    def __init__(self) -> None:
        self.conf = _Config("", TYPE_TIMESTAMP, None, "milliseconds")
        self.replace_null_with_default = True
        self._cache = SchemaCache()

    def config(self) -> ConfigDef:
        return CONFIG_DEF

    def configure(self, configs: Mapping[str, Any]) -> None:
        parsed = CONFIG_DEF.parse(configs)
        type_, pattern = parsed["target.type"], parsed["format"]
        if type_ not in VALID_TYPES:
            raise ConfigException(
                f"Unknown timestamp type in TimestampConverter: {type_}. Valid values are {', '.join(VALID_TYPES)}."
            )
        if type_ == TYPE_STRING and not (pattern or "").strip():
            raise ConfigException(
                "TimestampConverter requires format option to be specified when using string timestamps"
            )
        fmt = None
        if (pattern or "").strip():
            try:
                fmt = SimpleDateFormat(pattern)
            except ValueError as e:
                # Java passes the cause as the "value" of ConfigException(name, value): keep its message.
                raise ConfigException(
                    f"Invalid value java.lang.IllegalArgumentException: {e} for configuration TimestampConverter "
                    f"requires a SimpleDateFormat-compatible pattern for string timestamps: {pattern}"
                ) from e
        self.conf = _Config(parsed["field"], type_, fmt, parsed["unix.precision"])
        self.replace_null_with_default = bool(parsed[REPLACE_NULL_WITH_DEFAULT_CONFIG])
        self._cache = SchemaCache()

    def convert(self, value: Any, source_type: str | None = None) -> Any:
        """``convertTimestamp``: ``value`` from ``source_type`` (inferred when None) to the target type."""
        if value is None:
            return None
        if source_type is None:
            source_type = _infer_type(value)
        if source_type == TYPE_STRING and self.conf.format is None:
            raise DataException(
                "TimestampConverter requires format option to be specified when using string timestamps"
            )
        raw = _TO_RAW[source_type](self.conf, value)
        return _TO_TYPE[self.conf.type](self.conf, raw)

    def apply(self, record: ConnectRecord) -> ConnectRecord:
        schema = self.operating_schema(record)
        value = self.operating_value(record)
        field = self.conf.field
        if schema is None:
            if value is None or not field:
                return self.new_record(record, None, self.convert(value))
            m = require_map(value, PURPOSE)
            updated = dict(m)
            updated[field] = self.convert(m.get(field))
            return self.new_record(record, None, updated)
        if not field:
            return self.new_record(
                record, _type_schema(self.conf.type, schema.optional), self.convert(value, _type_from_schema(schema))
            )
        struct = require_struct_or_null(value, PURPOSE)
        updated_schema: Schema | None = self._cache.get(schema)
        if updated_schema is None:
            builder = copy_schema_basics(schema, SchemaBuilder.struct())
            for f in schema.fields:
                if f.name == field:
                    builder.field(f.name, _type_schema(self.conf.type, f.schema.optional))
                else:
                    builder.field(f.name, f.schema)
            if schema.optional:
                builder.optional()
            if isinstance(schema.default, Struct):
                builder.default_value(self._convert_struct(schema.default, builder.build()))
            updated_schema = builder.build()
            self._cache.put(schema, updated_schema)
        return self.new_record(record, updated_schema, self._convert_struct(struct, updated_schema))

    def _convert_struct(self, struct: Struct | None, updated_schema: Schema) -> Struct | None:
        if struct is None:
            return None
        out = struct_of(updated_schema, field_values(struct, self.replace_null_with_default))
        f = struct.schema.field(self.conf.field)
        if f is not None:
            out.put(f.name, self.convert(out._values[f.index], _type_from_schema(f.schema)))
        return out


class TimestampConverterKey(_TimestampConverter):
    """Convert a timestamp in the key (``TimestampConverter$Key``)."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.TimestampConverter$Key",)
    is_key = True


class TimestampConverterValue(_TimestampConverter):
    """Convert a timestamp in the value (``TimestampConverter$Value``).

    Example: ``field=ts, target.type=string, format=yyyy-MM-dd'T'HH:mm:ss.SSSX``.
    """

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.TimestampConverter$Value",)

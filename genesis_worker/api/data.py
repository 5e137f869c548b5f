"""Connect's data model: schemas, structs and the logical types, in Python spelling.

Schemaless records carry plain Python values (``dict``, ``list``, ``str``, ``int``, ``float``, ``bool``,
``bytes``, ``None``) and a ``None`` schema. Records with a schema carry a :class:`Schema` and, for
structs, a :class:`Struct`. Logical types map to Python values: ``Decimal`` -> :class:`decimal.Decimal`,
``Date`` -> :class:`datetime.date`, ``Time`` -> :class:`datetime.time`, ``Timestamp`` ->
:class:`datetime.datetime` (UTC, aware).

Example::

    from genesis_worker.api.data import SchemaBuilder, Struct, Schema

    user = (SchemaBuilder.struct().name("com.example.User")
            .field("id", Schema.INT32_SCHEMA).field("name", Schema.OPTIONAL_STRING_SCHEMA).build())
    s = Struct(user).put("id", 1).put("name", "ann")
"""

from __future__ import annotations

import builtins
import datetime as _dt
import decimal as _decimal
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar

from genesis_worker.api.errors import DataException, SchemaBuilderException


class Type(str, Enum):
    """Connect's schema types; the value is the name Connect uses in JSON schemas."""

    INT8 = "int8"
    INT16 = "int16"
    INT32 = "int32"
    INT64 = "int64"
    FLOAT32 = "float"
    FLOAT64 = "double"
    BOOLEAN = "boolean"
    STRING = "string"
    BYTES = "bytes"
    ARRAY = "array"
    MAP = "map"
    STRUCT = "struct"

    @property
    def is_primitive(self) -> bool:
        return self not in (Type.ARRAY, Type.MAP, Type.STRUCT)

    @property
    def java_name(self) -> str:
        """The Java enum name (``FLOAT32``), used in error messages and ``Cast`` specs."""
        return self.name


_INT_RANGES: dict[Type, tuple[int, int]] = {
    Type.INT8: (-(2**7), 2**7 - 1),
    Type.INT16: (-(2**15), 2**15 - 1),
    Type.INT32: (-(2**31), 2**31 - 1),
    Type.INT64: (-(2**63), 2**63 - 1),
}


@dataclass(frozen=True, eq=True)
class Field:
    """A named, positioned field of a struct schema."""

    name: str
    index: int
    schema: Schema


@dataclass(frozen=True, eq=True)
class Schema:
    """An immutable Connect schema. Build one with :class:`SchemaBuilder` or use the constants."""

    type: Type
    optional: bool = False
    default: Any = None
    name: str | None = None
    version: int | None = None
    doc: str | None = None
    parameters: tuple[tuple[str, str], ...] | None = None
    key_schema: Schema | None = None
    value_schema: Schema | None = None
    fields: tuple[Field, ...] = ()
    _field_index: dict[str, Field] = field(default_factory=dict, compare=False, hash=False, repr=False)

    # Constants, set below the class (they need the class to exist).
    INT8_SCHEMA: ClassVar[Schema]
    INT16_SCHEMA: ClassVar[Schema]
    INT32_SCHEMA: ClassVar[Schema]
    INT64_SCHEMA: ClassVar[Schema]
    FLOAT32_SCHEMA: ClassVar[Schema]
    FLOAT64_SCHEMA: ClassVar[Schema]
    BOOLEAN_SCHEMA: ClassVar[Schema]
    STRING_SCHEMA: ClassVar[Schema]
    BYTES_SCHEMA: ClassVar[Schema]
    OPTIONAL_INT8_SCHEMA: ClassVar[Schema]
    OPTIONAL_INT16_SCHEMA: ClassVar[Schema]
    OPTIONAL_INT32_SCHEMA: ClassVar[Schema]
    OPTIONAL_INT64_SCHEMA: ClassVar[Schema]
    OPTIONAL_FLOAT32_SCHEMA: ClassVar[Schema]
    OPTIONAL_FLOAT64_SCHEMA: ClassVar[Schema]
    OPTIONAL_BOOLEAN_SCHEMA: ClassVar[Schema]
    OPTIONAL_STRING_SCHEMA: ClassVar[Schema]
    OPTIONAL_BYTES_SCHEMA: ClassVar[Schema]

    def __post_init__(self) -> None:
        if self.fields:
            self._field_index.update({f.name: f for f in self.fields})

    def __hash__(self) -> int:
        return hash((self.type, self.optional, self.name, self.version, self.fields))

    def field(self, name: str) -> Field | None:
        """The field called ``name``, or None. Only for struct schemas."""
        if self.type is not Type.STRUCT:
            raise DataException("Cannot look up fields on non-struct type")
        return self._field_index.get(name)

    @property
    def params(self) -> dict[str, str]:
        return dict(self.parameters or ())

    def validate_value(self, value: Any) -> None:
        """Raise :class:`DataException` if ``value`` does not fit this schema (as ConnectSchema.validateValue)."""
        validate_value(self, value)


class SchemaBuilder:
    """Fluent builder of :class:`Schema`, as Connect's ``SchemaBuilder``."""

    def __init__(self, type_: Type) -> None:
        self._type = type_
        self._optional = False
        self._default: Any = None
        self._name: str | None = None
        self._version: int | None = None
        self._doc: str | None = None
        self._parameters: dict[str, str] | None = None
        self._fields: dict[str, Field] = {}
        self._key: Schema | None = None
        self._value: Schema | None = None

    # Factories named as Connect's.
    @classmethod
    def int8(cls) -> SchemaBuilder:
        return cls(Type.INT8)

    @classmethod
    def int16(cls) -> SchemaBuilder:
        return cls(Type.INT16)

    @classmethod
    def int32(cls) -> SchemaBuilder:
        return cls(Type.INT32)

    @classmethod
    def int64(cls) -> SchemaBuilder:
        return cls(Type.INT64)

    @classmethod
    def float32(cls) -> SchemaBuilder:
        return cls(Type.FLOAT32)

    @classmethod
    def float64(cls) -> SchemaBuilder:
        return cls(Type.FLOAT64)

    @classmethod
    def bool(cls) -> SchemaBuilder:
        return cls(Type.BOOLEAN)

    @classmethod
    def string(cls) -> SchemaBuilder:
        return cls(Type.STRING)

    @classmethod
    def bytes(cls) -> SchemaBuilder:
        return cls(Type.BYTES)

    @classmethod
    def struct(cls) -> SchemaBuilder:
        return cls(Type.STRUCT)

    @classmethod
    def array(cls, value_schema: Schema) -> SchemaBuilder:
        b = cls(Type.ARRAY)
        b._value = value_schema
        return b

    @classmethod
    def map(cls, key_schema: Schema, value_schema: Schema) -> SchemaBuilder:
        b = cls(Type.MAP)
        b._key, b._value = key_schema, value_schema
        return b

    @classmethod
    def type(cls, type_: Type) -> SchemaBuilder:
        return cls(type_)

    @classmethod
    def from_schema(cls, schema: Schema, *, with_fields: builtins.bool = True) -> SchemaBuilder:
        """A builder holding a copy of ``schema`` (fields included unless ``with_fields`` is False)."""
        b = cls(schema.type)
        b._optional, b._default, b._name = schema.optional, schema.default, schema.name
        b._version, b._doc = schema.version, schema.doc
        b._parameters = dict(schema.parameters) if schema.parameters is not None else None
        b._key, b._value = schema.key_schema, schema.value_schema
        if with_fields:
            for f in schema.fields:
                b.field(f.name, f.schema)
        return b

    def optional(self) -> SchemaBuilder:
        self._optional = True
        return self

    def required(self) -> SchemaBuilder:
        self._optional = False
        return self

    def default_value(self, value: Any) -> SchemaBuilder:
        self._default = value
        return self

    def name(self, name: str | None) -> SchemaBuilder:
        self._name = name
        return self

    def version(self, version: int | None) -> SchemaBuilder:
        self._version = version
        return self

    def doc(self, doc: str | None) -> SchemaBuilder:
        self._doc = doc
        return self

    def parameter(self, key: str, value: str) -> SchemaBuilder:
        if self._parameters is None:
            self._parameters = {}
        self._parameters[key] = value
        return self

    def parameters(self, params: Mapping[str, str]) -> SchemaBuilder:
        for k, v in params.items():
            self.parameter(k, v)
        return self

    def field(self, name: str, schema: Schema) -> SchemaBuilder:
        if self._type is not Type.STRUCT:
            raise SchemaBuilderException("Cannot create fields on type " + self._type.java_name)
        if not name:
            raise SchemaBuilderException("fieldName cannot be null.")
        if name in self._fields:
            raise SchemaBuilderException("Cannot create field because of field name duplication " + name)
        self._fields[name] = Field(name, len(self._fields), schema)
        return self

    def build(self) -> Schema:
        schema = Schema(
            type=self._type,
            optional=self._optional,
            default=None,
            name=self._name,
            version=self._version,
            doc=self._doc,
            parameters=tuple(self._parameters.items()) if self._parameters is not None else None,
            key_schema=self._key,
            value_schema=self._value,
            fields=tuple(self._fields.values()),
        )
        if self._default is not None:
            validate_value(schema, self._default)
            object.__setattr__(schema, "default", self._default)
        return schema


for _t in (Type.INT8, Type.INT16, Type.INT32, Type.INT64, Type.BOOLEAN, Type.STRING, Type.BYTES):
    setattr(Schema, f"{_t.name}_SCHEMA", Schema(_t))
    setattr(Schema, f"OPTIONAL_{_t.name}_SCHEMA", Schema(_t, optional=True))
Schema.FLOAT32_SCHEMA = Schema(Type.FLOAT32)
Schema.FLOAT64_SCHEMA = Schema(Type.FLOAT64)
Schema.OPTIONAL_FLOAT32_SCHEMA = Schema(Type.FLOAT32, optional=True)
Schema.OPTIONAL_FLOAT64_SCHEMA = Schema(Type.FLOAT64, optional=True)


class Struct:
    """A structured value with a STRUCT :class:`Schema`; fields keep the schema's order."""

    __slots__ = ("_values", "schema")

    def __init__(self, schema: Schema) -> None:
        if schema.type is not Type.STRUCT:
            raise DataException("Not a struct schema: " + str(schema))
        self.schema = schema
        self._values: list[Any] = [None] * len(schema.fields)

    def _lookup(self, name: str) -> Field:
        f = self.schema.field(name)
        if f is None:
            raise DataException(f"{name} is not a valid field name")
        return f

    def put(self, name: str, value: Any) -> Struct:
        f = self._lookup(name)
        validate_value(f.schema, value, field_name=name)
        self._values[f.index] = value
        return self

    def get(self, name: str) -> Any:
        """The field's value, or the field schema's default when the value is None."""
        f = self._lookup(name)
        v = self._values[f.index]
        return f.schema.default if v is None else v

    def get_without_default(self, name: str) -> Any:
        return self._values[self._lookup(name).index]

    def validate(self) -> None:
        for f in self.schema.fields:
            validate_value(f.schema, self._values[f.index], field_name=f.name)

    def items(self) -> Iterator[tuple[str, Any]]:
        for f in self.schema.fields:
            yield f.name, self._values[f.index]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Struct) and other.schema == self.schema and other._values == self._values

    def __hash__(self) -> int:
        return hash((self.schema, tuple(repr(v) for v in self._values)))

    def __repr__(self) -> str:
        inner = ",".join(f"{k}={v!r}" for k, v in self.items())
        return f"Struct{{{inner}}}"


# --- logical types -------------------------------------------------------------------------------

DECIMAL_LOGICAL_NAME = "org.apache.kafka.connect.data.Decimal"
DECIMAL_SCALE_FIELD = "scale"
DATE_LOGICAL_NAME = "org.apache.kafka.connect.data.Date"
TIME_LOGICAL_NAME = "org.apache.kafka.connect.data.Time"
TIMESTAMP_LOGICAL_NAME = "org.apache.kafka.connect.data.Timestamp"
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)


def decimal_schema(scale: int) -> SchemaBuilder:
    return SchemaBuilder.bytes().name(DECIMAL_LOGICAL_NAME).parameter(DECIMAL_SCALE_FIELD, str(scale)).version(1)


def date_schema() -> SchemaBuilder:
    return SchemaBuilder.int32().name(DATE_LOGICAL_NAME).version(1)


def time_schema() -> SchemaBuilder:
    return SchemaBuilder.int32().name(TIME_LOGICAL_NAME).version(1)


def timestamp_schema() -> SchemaBuilder:
    return SchemaBuilder.int64().name(TIMESTAMP_LOGICAL_NAME).version(1)


def decimal_to_bytes(value: _decimal.Decimal, scale: int) -> bytes:
    """Unscaled big-endian two's complement, as ``Decimal.fromLogical``."""
    unscaled = int(value.scaleb(scale).to_integral_value())
    length = max(1, (unscaled.bit_length() + 8) // 8)
    return unscaled.to_bytes(length, "big", signed=True)


def decimal_from_bytes(raw: bytes, scale: int) -> _decimal.Decimal:
    return _decimal.Decimal(int.from_bytes(raw, "big", signed=True)).scaleb(-scale)


def date_to_days(value: _dt.date) -> int:
    return (value - _dt.date(1970, 1, 1)).days


def date_from_days(days: int) -> _dt.date:
    return _dt.date(1970, 1, 1) + _dt.timedelta(days=days)


def time_to_millis(value: _dt.time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1000 + value.microsecond // 1000


def time_from_millis(ms: int) -> _dt.time:
    if ms < 0 or ms >= 86_400_000:
        raise DataException("Time values must use number of milliseconds greater than 0 and less than 86400000")
    s, milli = divmod(ms, 1000)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return _dt.time(h, m, s, milli * 1000)


def timestamp_to_millis(value: _dt.datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.UTC)
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def timestamp_from_millis(ms: int) -> _dt.datetime:
    return _EPOCH + _dt.timedelta(milliseconds=ms)


_LOGICAL_PY: dict[str, tuple[type, ...]] = {
    DECIMAL_LOGICAL_NAME: (_decimal.Decimal,),
    DATE_LOGICAL_NAME: (_dt.date,),
    TIME_LOGICAL_NAME: (_dt.time,),
    TIMESTAMP_LOGICAL_NAME: (_dt.datetime,),
}

_PY_TYPES: dict[Type, tuple[type, ...]] = {
    Type.INT8: (int,),
    Type.INT16: (int,),
    Type.INT32: (int,),
    Type.INT64: (int,),
    Type.FLOAT32: (float, int),
    Type.FLOAT64: (float, int),
    Type.BOOLEAN: (bool,),
    Type.STRING: (str,),
    Type.BYTES: (bytes, bytearray, memoryview),
    Type.ARRAY: (list, tuple),
    Type.MAP: (dict,),
    Type.STRUCT: (Struct,),
}


def validate_value(schema: Schema | None, value: Any, field_name: str | None = None) -> None:
    """Raise :class:`DataException` if ``value`` is not valid for ``schema``, as ``ConnectSchema.validateValue``."""
    where = f' for field: "{field_name}"' if field_name else ""
    if schema is None:
        return
    if value is None:
        if not schema.optional and schema.default is None:
            raise DataException(
                f"Invalid value: null used for required field{where}, schema type: {schema.type.java_name}"
            )
        return
    expected = _LOGICAL_PY.get(schema.name or "") or _PY_TYPES[schema.type]
    wrong_bool = isinstance(value, bool) and schema.type is not Type.BOOLEAN
    if wrong_bool or not isinstance(value, expected):
        raise DataException(
            f"Invalid Java object for schema with type {schema.type.java_name}: {type(value).__name__}{where}"
        )
    if schema.name in _LOGICAL_PY:
        return
    _validate_inner(schema, value, where)


def _validate_inner(schema: Schema, value: Any, where: str) -> None:
    rng = _INT_RANGES.get(schema.type)
    if rng is not None and not rng[0] <= value <= rng[1]:
        raise DataException(f"Value {value} out of range for schema type {schema.type.java_name}{where}")
    if schema.type is Type.STRUCT:
        if value.schema != schema:
            raise DataException("Struct schemas do not match.")
        value.validate()
    elif schema.type is Type.ARRAY and schema.value_schema is not None:
        for item in value:
            validate_value(schema.value_schema, item)
    elif schema.type is Type.MAP and schema.key_schema is not None and schema.value_schema is not None:
        for k, v in value.items():
            validate_value(schema.key_schema, k)
            validate_value(schema.value_schema, v)


@dataclass(frozen=True)
class SchemaAndValue:
    """A schema (or None) with a value, as converters return them."""

    schema: Schema | None
    value: Any

    NULL: ClassVar[SchemaAndValue]


SchemaAndValue.NULL = SchemaAndValue(None, None)

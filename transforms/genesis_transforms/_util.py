"""Helpers shared by the transforms: Java's ``Requirements``, ``SchemaUtil``, the key/value split, the
schema update cache and Java-regex translation."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from genesis_worker.api.config import ConfigDef, ConfigType, Importance
from genesis_worker.api.data import Schema, SchemaBuilder, Struct, Type
from genesis_worker.api.errors import ConfigException, DataException
from genesis_worker.api.records import ConnectRecord, Headers, SinkRecord
from genesis_worker.api.transform import Transformation
from genesis_worker.runtime.converters._cache import SchemaKeyedCache

REPLACE_NULL_WITH_DEFAULT_CONFIG = "replace.null.with.default"
REPLACE_NULL_WITH_DEFAULT_DOC = (
    "Whether to replace fields that have a default value and that are null to the default value. When set to "
    "true, the default value is used, otherwise null is used."
)

_JAVA_NAMES: dict[type, str] = {
    bool: "java.lang.Boolean",
    int: "java.lang.Long",
    float: "java.lang.Double",
    str: "java.lang.String",
    bytes: "[B",
    bytearray: "[B",
    list: "java.util.ArrayList",
    tuple: "java.util.ArrayList",
    dict: "java.util.HashMap",
    Struct: "org.apache.kafka.connect.data.Struct",
    SinkRecord: "org.apache.kafka.connect.sink.SinkRecord",
}


def java_class_name(value: Any) -> str:
    """``value.getClass().getName()`` as a Java worker would print it; ``null`` for None."""
    if value is None:
        return "null"
    import datetime
    import decimal

    if isinstance(value, decimal.Decimal):
        return "java.math.BigDecimal"
    if isinstance(value, datetime.date | datetime.time):
        return "java.util.Date"
    if isinstance(value, ConnectRecord) and not isinstance(value, SinkRecord):
        return "org.apache.kafka.connect.source.SourceRecord"
    return _JAVA_NAMES.get(type(value), type(value).__qualname__)


def java_class(value: Any) -> str:
    """``value.getClass()`` in string concatenation: ``class java.lang.String``."""
    return "class " + java_class_name(value)


# --- org.apache.kafka.connect.transforms.util.Requirements ---------------------------------------


def require_schema(schema: Schema | None, purpose: str) -> Schema:
    if schema is None:
        raise DataException(f"Schema required for [{purpose}]")
    return schema


def require_map(value: Any, purpose: str) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise DataException(
            f"Only Map objects supported in absence of schema for [{purpose}], found: {java_class_name(value)}"
        )
    return value


def require_map_or_null(value: Any, purpose: str) -> dict[Any, Any] | None:
    return None if value is None else require_map(value, purpose)


def require_struct(value: Any, purpose: str) -> Struct:
    if not isinstance(value, Struct):
        raise DataException(f"Only Struct objects supported for [{purpose}], found: {java_class_name(value)}")
    return value


def require_struct_or_null(value: Any, purpose: str) -> Struct | None:
    return None if value is None else require_struct(value, purpose)


def require_sink_record(record: ConnectRecord, purpose: str) -> SinkRecord:
    if not isinstance(record, SinkRecord):
        raise DataException(f"Only SinkRecord supported for [{purpose}], found: {java_class_name(record)}")
    return record


# --- SchemaUtil -----------------------------------------------------------------------------------


def copy_schema_basics(source: Schema, builder: SchemaBuilder | None = None) -> SchemaBuilder:
    """``SchemaUtil.copySchemaBasics``: name, version, doc and parameters (not optional/default)."""
    if builder is None:
        if source.type is Type.ARRAY:
            assert source.value_schema is not None
            builder = SchemaBuilder.array(source.value_schema)
        elif source.type is Type.MAP:
            assert source.key_schema is not None and source.value_schema is not None
            builder = SchemaBuilder.map(source.key_schema, source.value_schema)
        else:
            builder = SchemaBuilder.type(source.type)
    builder.name(source.name)
    builder.version(source.version)
    builder.doc(source.doc)
    if source.parameters is not None:
        builder.parameters(dict(source.parameters))
    return builder


def field_value(struct: Struct, name: str, replace_null_with_default: bool) -> Any:
    """``struct.get(field)`` or ``struct.getWithoutDefault(field)`` as ``replace.null.with.default`` says."""
    return struct.get(name) if replace_null_with_default else struct.get_without_default(name)


def field_values(struct: Struct, replace_null_with_default: bool) -> list[Any]:
    """All field values in schema order, as ``get`` (defaults for nulls) or ``getWithoutDefault`` gives them."""
    values: list[Any] = struct._values
    if not replace_null_with_default:
        return list(values)
    return [f.schema.default if v is None else v for f, v in zip(struct.schema.fields, values, strict=True)]


def struct_of(schema: Schema, values: list[Any]) -> Struct:
    """A Struct holding ``values`` (schema order) without re-validating them: for values copied from a
    Struct whose field schemas are the same (``put`` each new or changed value to have it checked)."""
    s = Struct.__new__(Struct)
    s.schema = schema
    s._values = values
    return s


class SchemaCache(SchemaKeyedCache):
    """``SynchronizedCache(LRUCache(16))``: the derived schema per input schema (identity-first lookups)."""

    __slots__ = ()

    def __init__(self, size: int = 16) -> None:
        super().__init__(size)


# --- the $Key / $Value split ---------------------------------------------------------------------


class KeyOrValueTransformation(Transformation[ConnectRecord]):
    """A transform that works on the record key (``is_key = True``) or value; ``…Key``/``…Value``
    subclasses only set ``is_key`` and ``java_class_names``.

    New records share the input's headers (a transform that changes headers copies them first).
    """

    abstract_plugin = True
    is_key: ClassVar[bool] = False

    def operating_schema(self, record: ConnectRecord) -> Schema | None:
        return record.key_schema if self.is_key else record.value_schema

    def operating_value(self, record: ConnectRecord) -> Any:
        return record.key if self.is_key else record.value

    def new_record(
        self, record: ConnectRecord, schema: Schema | None, value: Any, headers: Headers | None = None
    ) -> ConnectRecord:
        h = record.headers if headers is None else headers
        if self.is_key:
            return record.new_record(
                record.topic,
                record.kafka_partition,
                schema,
                value,
                record.value_schema,
                record.value,
                record.timestamp,
                h,
            )
        return record.new_record(
            record.topic, record.kafka_partition, record.key_schema, record.key, schema, value, record.timestamp, h
        )


def define_replace_null_with_default(config: ConfigDef) -> ConfigDef:
    return config.define(
        REPLACE_NULL_WITH_DEFAULT_CONFIG,
        ConfigType.BOOLEAN,
        True,
        None,
        Importance.MEDIUM,
        REPLACE_NULL_WITH_DEFAULT_DOC,
    )


def _check_list(name: str, value: Any, allow_empty: bool) -> None:
    if not value and not allow_empty:
        raise ConfigException(f"Configuration '{name}' must not be empty. Valid values include: any non-empty value")
    for v in value or ():
        if v is None or str(v).strip() == "":
            raise ConfigException(f"Configuration '{name}' values must not be empty.")


def non_empty_list(name: str, value: Any) -> None:
    """``ConfigDef.ValidList.anyNonDuplicateValues(false, false)``: a non-empty list without blank entries."""
    _check_list(name, value, allow_empty=False)


def list_without_blanks(name: str, value: Any) -> None:
    """``ConfigDef.ValidList.anyNonDuplicateValues(true, false)``: possibly empty, no blank entries."""
    _check_list(name, value, allow_empty=True)


def legacy_non_empty_list(name: str, value: Any) -> None:
    """``NonEmptyListValidator`` (still used by HeaderFrom): only the list itself must not be empty."""
    if not value:
        shown = "[" + ", ".join(str(v) for v in value or []) + "]"
        raise ConfigException(f"Invalid value {shown} for configuration {name}: Empty list", name, value)


# --- Java regular expressions --------------------------------------------------------------------

_NAMED_GROUP = re.compile(r"\(\?<([a-zA-Z][a-zA-Z0-9]*)>")
_POSIX = {
    r"\p{Lower}": "[a-z]",
    r"\p{Upper}": "[A-Z]",
    r"\p{Alpha}": "[a-zA-Z]",
    r"\p{Digit}": "[0-9]",
    r"\p{Alnum}": "[a-zA-Z0-9]",
    r"\p{Punct}": r"""[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]""",
    r"\p{Space}": r"[ \t\n\x0B\f\r]",
    r"\p{XDigit}": "[0-9a-fA-F]",
}


def compile_java_regex(pattern: str) -> re.Pattern[str]:
    """Compile a ``java.util.regex`` pattern with Python's ``re`` (named groups and the common POSIX
    classes translated; possessive quantifiers and atomic groups work as in Java)."""
    translated = _NAMED_GROUP.sub(r"(?P<\1>", pattern)
    for k, v in _POSIX.items():
        translated = translated.replace(k, v)
    return re.compile(translated)


def java_replacement(replacement: str, groups: int) -> str:
    """A ``Matcher.replaceFirst`` replacement (``$1``, ``${name}``, ``\\$``) as a Python template; as in
    Java, ``$12`` is group 12 only if the pattern has 12 groups, else group 1 and a literal ``2``."""
    out: list[str] = []
    i, n = 0, len(replacement)
    while i < n:
        c = replacement[i]
        if c == "\\":
            i += 1
            if i >= n:
                raise ConfigException("character to be escaped is missing")
            lit = replacement[i]
            out.append("\\\\" if lit == "\\" else lit)
        elif c == "$":
            i += 1
            if i >= n:
                raise ConfigException("Illegal group reference: group index is missing")
            if replacement[i] == "{":
                end = replacement.find("}", i)
                if end < 0:
                    raise ConfigException("named capturing group is missing trailing '}'")
                out.append(f"\\g<{replacement[i + 1 : end]}>")
                i = end
            elif replacement[i].isdigit():
                num = int(replacement[i])
                j = i + 1
                while j < n and replacement[j].isdigit() and num * 10 + int(replacement[j]) <= groups:
                    num = num * 10 + int(replacement[j])
                    j += 1
                if num > groups:
                    raise DataException(f"No group {num}")
                out.append(f"\\g<{num}>")
                i = j - 1
            else:
                raise ConfigException("Illegal group reference")
        else:
            out.append(c)
        i += 1
    return "".join(out)

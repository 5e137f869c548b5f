"""Header transforms: ``DropHeaders``, ``InsertHeader`` and ``HeaderFrom$Key``/``HeaderFrom$Value``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from genesis_worker.api.config import ConfigDef, ConfigType, Importance
from genesis_worker.api.data import Schema, SchemaAndValue, SchemaBuilder, Struct
from genesis_worker.api.errors import ConfigException, DataException
from genesis_worker.api.records import ConnectRecord, Header, Headers
from genesis_worker.api.transform import Transformation
from genesis_worker.api.validators import NonNullValidator, ValidString
from genesis_worker.runtime.converters.values import parse_string

from ._util import (
    REPLACE_NULL_WITH_DEFAULT_CONFIG,
    KeyOrValueTransformation,
    SchemaCache,
    copy_schema_basics,
    define_replace_null_with_default,
    field_value,
    legacy_non_empty_list,
    non_empty_list,
    require_map,
    require_struct,
)


def _without(headers: Headers, names: frozenset[str]) -> Headers:
    """A new Headers without ``names``; raw (undecoded) headers stay undecoded."""
    raw = headers.raw
    decoder = getattr(headers, "_decoder", None)
    if raw is not None and decoder is not None:
        return Headers.from_raw([(k, v) for k, v in raw if k not in names], decoder, getattr(headers, "_topic", ""))
    return Headers(h for h in headers if h.key not in names)


# --- DropHeaders ---------------------------------------------------------------------------------

DROP_HEADERS_CONFIG_DEF = ConfigDef().define(
    "headers",
    ConfigType.LIST,
    validator=non_empty_list,
    importance=Importance.HIGH,
    documentation="The name of the headers to be removed.",
)


class DropHeaders(Transformation[ConnectRecord]):
    """Removes every header whose key is listed in ``headers``."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.DropHeaders",)

    def __init__(self) -> None:
        self.headers: frozenset[str] = frozenset()

    def config(self) -> ConfigDef:
        return DROP_HEADERS_CONFIG_DEF

    def configure(self, configs: Mapping[str, Any]) -> None:
        self.headers = frozenset(DROP_HEADERS_CONFIG_DEF.parse(configs)["headers"])

    def apply(self, record: ConnectRecord) -> ConnectRecord:
        return record.new_record(
            record.topic,
            record.kafka_partition,
            record.key_schema,
            record.key,
            record.value_schema,
            record.value,
            record.timestamp,
            _without(record.headers, self.headers),
        )


# --- InsertHeader --------------------------------------------------------------------------------

INSERT_HEADER_CONFIG_DEF = (
    ConfigDef()
    .define(
        "header",
        ConfigType.STRING,
        validator=NonNullValidator(),
        importance=Importance.HIGH,
        documentation="The name of the header.",
    )
    .define(
        "value.literal",
        ConfigType.STRING,
        validator=NonNullValidator(),
        importance=Importance.HIGH,
        documentation="The literal value that is to be set as the header value on all records.",
    )
)


class InsertHeader(Transformation[ConnectRecord]):
    """Adds header ``header`` with ``value.literal``, typed as the header converter would read it
    (``Values.parseString``: ``"42"`` becomes INT8 42)."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.InsertHeader",)

    def __init__(self) -> None:
        self.header = ""
        self.literal: SchemaAndValue | None = None

    def config(self) -> ConfigDef:
        return INSERT_HEADER_CONFIG_DEF

    def configure(self, configs: Mapping[str, Any]) -> None:
        parsed = INSERT_HEADER_CONFIG_DEF.parse(configs)
        self.header = parsed["header"]
        self.literal = parse_string(parsed["value.literal"])

    def apply(self, record: ConnectRecord) -> ConnectRecord:
        headers = record.headers.duplicate()
        lit = self.literal
        headers.add_header(Header(self.header, lit.value if lit else None, lit.schema if lit else None))
        return record.new_record(
            record.topic,
            record.kafka_partition,
            record.key_schema,
            record.key,
            record.value_schema,
            record.value,
            record.timestamp,
            headers,
        )


# --- HeaderFrom ----------------------------------------------------------------------------------

HEADER_FROM_CONFIG_DEF = define_replace_null_with_default(
    ConfigDef()
    .define(
        "fields",
        ConfigType.LIST,
        validator=legacy_non_empty_list,
        importance=Importance.HIGH,
        documentation="Field names in the record whose values are to be copied or moved to headers.",
    )
    .define(
        "headers",
        ConfigType.LIST,
        validator=legacy_non_empty_list,
        importance=Importance.HIGH,
        documentation="Header names, in the same order as the field names listed in the fields configuration property.",
    )
    .define(
        "operation",
        ConfigType.STRING,
        validator=ValidString.in_("move", "copy"),
        importance=Importance.HIGH,
        documentation="Either <code>move</code> if the fields are to be moved to the headers (removed from the "
        "key/value), or <code>copy</code> if the fields are to be copied to the headers (retained in the "
        "key/value).",
    )
)


class _HeaderFrom(KeyOrValueTransformation):
    def __init__(self) -> None:
        self.fields: list[str] = []
        self.headers: list[str] = []
        self.move = False
        self.replace_null_with_default = True
        self._cache = SchemaCache()

    def config(self) -> ConfigDef:
        return HEADER_FROM_CONFIG_DEF

    def configure(self, configs: Mapping[str, Any]) -> None:
        parsed = HEADER_FROM_CONFIG_DEF.parse(configs)
        self.fields, self.headers = list(parsed["fields"]), list(parsed["headers"])
        if len(self.fields) != len(self.headers):
            raise ConfigException("'fields' config must have the same number of elements as 'headers' config.")
        self.move = parsed["operation"] == "move"
        self.replace_null_with_default = bool(parsed[REPLACE_NULL_WITH_DEFAULT_CONFIG])
        self._cache = SchemaCache()

    def apply(self, record: ConnectRecord) -> ConnectRecord:
        value = self.operating_value(record)
        schema = self.operating_schema(record)
        purpose = "header " + ("move" if self.move else "copy")
        headers = record.headers.duplicate()
        if schema is None:
            m = require_map(value, purpose)
            updated = dict(m)
            for fname, hname in zip(self.fields, self.headers, strict=True):
                if self.move:
                    updated.pop(fname, None)
                headers.add(hname, m.get(fname), None)
            return self.new_record(record, None, updated, headers)
        struct = require_struct(value, purpose)
        if self.move:
            new_schema = self._moved_schema(schema)
            out: Struct = Struct(new_schema)
            for f in new_schema.fields:
                out.put(f.name, field_value(struct, f.name, self.replace_null_with_default))
        else:
            new_schema, out = schema, struct
        for fname, hname in zip(self.fields, self.headers, strict=True):
            hf = schema.field(fname)
            if hf is None:
                raise DataException(f"{fname} is not a valid field name")
            headers.add(hname, field_value(struct, fname, self.replace_null_with_default), hf.schema)
        return self.new_record(record, new_schema, out, headers)

    def _moved_schema(self, schema: Schema) -> Schema:
        cached: Schema | None = self._cache.get(schema)
        if cached is None:
            builder = copy_schema_basics(schema, SchemaBuilder.struct())
            for f in schema.fields:
                if f.name not in self.fields:
                    builder.field(f.name, f.schema)
            cached = builder.build()
            self._cache.put(schema, cached)
        return cached


class HeaderFromKey(_HeaderFrom):
    """Copies or moves key fields to headers (``HeaderFrom$Key``)."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.HeaderFrom$Key",)
    is_key = True


class HeaderFromValue(_HeaderFrom):
    """Copies or moves value fields to headers (``HeaderFrom$Value``)."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.HeaderFrom$Value",)

"""``org.apache.kafka.connect.transforms.ValueToKey``: the key becomes a struct/map of value fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from genesis_worker.api.config import ConfigDef, ConfigType, Importance
from genesis_worker.api.data import Schema, SchemaBuilder, Struct
from genesis_worker.api.errors import DataException
from genesis_worker.api.records import ConnectRecord
from genesis_worker.api.transform import Transformation

from ._util import (
    REPLACE_NULL_WITH_DEFAULT_CONFIG,
    SchemaCache,
    define_replace_null_with_default,
    non_empty_list,
    require_map,
    require_struct,
)
from .field_path import FIELD_SYNTAX_VERSION_CONFIG, SingleFieldPath, define_field_syntax_version

PURPOSE = "copying fields from value to key"
CONFIG_DEF = define_field_syntax_version(
    define_replace_null_with_default(
        ConfigDef().define(
            "fields",
            ConfigType.LIST,
            validator=non_empty_list,
            importance=Importance.HIGH,
            documentation="Field names on the record value to extract as the record key.",
        )
    )
)


class ValueToKey(Transformation[ConnectRecord]):
    """Replace the key with the listed value fields (a map when schemaless, a struct otherwise)."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.ValueToKey",)

    def __init__(self) -> None:
        self.fields: list[str] = []
        self.paths: list[SingleFieldPath] = []
        self.replace_null_with_default = True
        self._cache = SchemaCache()

    def config(self) -> ConfigDef:
        return CONFIG_DEF

    def configure(self, configs: Mapping[str, Any]) -> None:
        parsed = CONFIG_DEF.parse(configs)
        self.fields = list(parsed["fields"])
        self.paths = [SingleFieldPath(f, parsed[FIELD_SYNTAX_VERSION_CONFIG]) for f in self.fields]
        self.replace_null_with_default = bool(parsed[REPLACE_NULL_WITH_DEFAULT_CONFIG])
        self._cache = SchemaCache()

    def apply(self, record: ConnectRecord) -> ConnectRecord:
        if record.value_schema is None:
            m = require_map(record.value, PURPOSE)
            key = {f: p.value_from_map(m) for f, p in zip(self.fields, self.paths, strict=True)}
            return record.new_record(
                record.topic,
                record.kafka_partition,
                None,
                key,
                record.value_schema,
                record.value,
                record.timestamp,
                record.headers,
            )
        struct = require_struct(record.value, PURPOSE)
        key_schema: Schema | None = self._cache.get(struct.schema)
        if key_schema is None:
            builder = SchemaBuilder.struct()
            for name, path in zip(self.fields, self.paths, strict=True):
                f = path.field_from(struct.schema)
                if f is None:
                    raise DataException("Field does not exist: " + name)
                builder.field(name, f.schema)
            key_schema = builder.build()
            self._cache.put(struct.schema, key_schema)
        key_struct = Struct(key_schema)
        for name, path in zip(self.fields, self.paths, strict=True):
            key_struct.put(name, path.value_from_struct(struct, self.replace_null_with_default))
        return record.new_record(
            record.topic,
            record.kafka_partition,
            key_schema,
            key_struct,
            struct.schema,
            struct,
            record.timestamp,
            record.headers,
        )

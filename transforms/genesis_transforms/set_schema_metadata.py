"""``SetSchemaMetadata$Key``/``SetSchemaMetadata$Value``: set the schema's name and/or version."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar

from genesis_worker.api.config import ConfigDef, ConfigType, Importance
from genesis_worker.api.data import Struct, Type
from genesis_worker.api.errors import ConfigException, DataException
from genesis_worker.api.records import ConnectRecord

from ._util import (
    REPLACE_NULL_WITH_DEFAULT_CONFIG,
    KeyOrValueTransformation,
    define_replace_null_with_default,
    field_values,
    require_schema,
    struct_of,
)

CONFIG_DEF = define_replace_null_with_default(
    ConfigDef()
    .define("schema.name", ConfigType.STRING, None, None, Importance.HIGH, "Schema name to set.")
    .define("schema.version", ConfigType.INT, None, None, Importance.HIGH, "Schema version to set.")
)


class _SetSchemaMetadata(KeyOrValueTransformation):
    def __init__(self) -> None:
        self.schema_name: str | None = None
        self.schema_version: int | None = None
        self.replace_null_with_default = True

    def config(self) -> ConfigDef:
        return CONFIG_DEF

    def configure(self, configs: Mapping[str, Any]) -> None:
        parsed = CONFIG_DEF.parse(configs)
        self.schema_name, self.schema_version = parsed["schema.name"], parsed["schema.version"]
        if self.schema_name is None and self.schema_version is None:
            raise ConfigException("Neither schema name nor version configured")
        self.replace_null_with_default = bool(parsed[REPLACE_NULL_WITH_DEFAULT_CONFIG])

    def apply(self, record: ConnectRecord) -> ConnectRecord:
        schema = require_schema(self.operating_schema(record), "updating schema metadata")
        if schema.type is not Type.STRUCT:
            # Java 4.4 copies schema.fields(), which fails for every non-struct schema.
            raise DataException("Cannot list fields on non-struct type")
        is_map, is_array = schema.type is Type.MAP, schema.type is Type.ARRAY
        updated = dataclasses.replace(
            schema,
            name=self.schema_name if self.schema_name is not None else schema.name,
            version=self.schema_version if self.schema_version is not None else schema.version,
            key_schema=schema.key_schema if is_map else None,
            value_schema=schema.value_schema if is_map or is_array else None,
            _field_index={},
        )
        value = self.operating_value(record)
        if isinstance(value, Struct):
            value = struct_of(updated, field_values(value, self.replace_null_with_default))
        return self.new_record(record, updated, value)


class SetSchemaMetadataKey(_SetSchemaMetadata):
    """Set the key schema's name/version (``SetSchemaMetadata$Key``)."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.SetSchemaMetadata$Key",)
    is_key = True


class SetSchemaMetadataValue(_SetSchemaMetadata):
    """Set the value schema's name/version (``SetSchemaMetadata$Value``)."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.SetSchemaMetadata$Value",)

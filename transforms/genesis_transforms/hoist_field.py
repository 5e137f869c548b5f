"""``HoistField$Key``/``HoistField$Value``: wrap the key/value in a struct (or map) with one field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from genesis_worker.api.config import ConfigDef, ConfigType, Importance
from genesis_worker.api.data import Schema, SchemaBuilder, Struct
from genesis_worker.api.records import ConnectRecord

from ._util import KeyOrValueTransformation, SchemaCache

CONFIG_DEF = ConfigDef().define(
    "field",
    ConfigType.STRING,
    importance=Importance.MEDIUM,
    documentation="Field name for the single field that will be created in the resulting Struct or Map.",
)


class _HoistField(KeyOrValueTransformation):
    def __init__(self) -> None:
        self.field_name = ""
        self._cache = SchemaCache()

    def config(self) -> ConfigDef:
        return CONFIG_DEF

    def configure(self, configs: Mapping[str, Any]) -> None:
        self.field_name = CONFIG_DEF.parse(configs)["field"]
        self._cache = SchemaCache()

    def apply(self, record: ConnectRecord) -> ConnectRecord:
        schema = self.operating_schema(record)
        value = self.operating_value(record)
        if schema is None:
            return self.new_record(record, None, {self.field_name: value})
        updated: Schema | None = self._cache.get(schema)
        if updated is None:
            updated = SchemaBuilder.struct().field(self.field_name, schema).build()
            self._cache.put(schema, updated)
        return self.new_record(record, updated, Struct(updated).put(self.field_name, value))


class HoistFieldKey(_HoistField):
    """Wrap the key in a one-field struct/map (``HoistField$Key``)."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.HoistField$Key",)
    is_key = True


class HoistFieldValue(_HoistField):
    """Wrap the value in a one-field struct/map (``HoistField$Value``)."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.HoistField$Value",)

"""``Flatten$Key``/``Flatten$Value``: nested structs/maps become top-level fields joined by ``delimiter``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from genesis_worker.api.config import ConfigDef, ConfigType, Importance
from genesis_worker.api.data import Schema, SchemaBuilder, Struct, Type
from genesis_worker.api.errors import DataException
from genesis_worker.api.records import ConnectRecord

from ._util import (
    KeyOrValueTransformation,
    SchemaCache,
    copy_schema_basics,
    java_class,
    require_map,
    require_struct_or_null,
)

PURPOSE = "flattening"
CONFIG_DEF = ConfigDef().define(
    "delimiter",
    ConfigType.STRING,
    ".",
    None,
    Importance.MEDIUM,
    "Delimiter to insert between field names from the input record when generating field names for the output record",
)


class _Flatten(KeyOrValueTransformation):
    def __init__(self) -> None:
        self.delimiter = "."
        self._cache = SchemaCache()

    def config(self) -> ConfigDef:
        return CONFIG_DEF

    def configure(self, configs: Mapping[str, Any]) -> None:
        self.delimiter = CONFIG_DEF.parse(configs)["delimiter"]
        self._cache = SchemaCache()

    def _name(self, prefix: str, name: str) -> str:
        return name if not prefix else prefix + self.delimiter + name

    def apply(self, record: ConnectRecord) -> ConnectRecord:
        value = self.operating_value(record)
        schema = self.operating_schema(record)
        if value is None:
            return record
        if schema is None:
            out: dict[str, Any] = {}
            self._flatten_map(require_map(value, PURPOSE), "", out)
            return self.new_record(record, None, out)
        struct = require_struct_or_null(value, PURPOSE)
        updated: Schema | None = self._cache.get(schema)
        if updated is None:
            builder = copy_schema_basics(schema, SchemaBuilder.struct())
            self._build_schema(schema, "", builder, schema.optional, schema.default)
            updated = builder.build()
            self._cache.put(schema, updated)
        if struct is None:
            return self.new_record(record, updated, None)
        out_struct = Struct(updated)
        self._flatten_struct(struct, "", out_struct)
        return self.new_record(record, updated, out_struct)

    def _flatten_map(self, value: dict[Any, Any], prefix: str, out: dict[str, Any]) -> None:
        for k, v in value.items():
            name = self._name(prefix, k)
            if v is None:
                out[name] = None
            elif isinstance(v, dict):
                self._flatten_map(v, name, out)
            elif isinstance(v, bool | int | float | str | bytes | bytearray | list):
                out[name] = v
            else:
                raise DataException(
                    f"Flatten transformation does not support {java_class(v)} for record without schemas (for field "
                    f"{name})."
                )

    def _build_schema(
        self, schema: Schema, prefix: str, builder: SchemaBuilder, optional: bool, parent_default: Any
    ) -> None:
        for f in schema.fields:
            name = self._name(prefix, f.name)
            field_optional = optional or f.schema.optional
            default = f.schema.default
            if default is None and isinstance(parent_default, Struct):
                default = parent_default.get(f.name)
            if f.schema.type is Type.STRUCT:
                self._build_schema(f.schema, name, builder, field_optional, default)
            elif f.schema.type is Type.MAP:
                raise DataException(
                    f"Flatten transformation does not support MAP for record with schemas (for field {name})."
                )
            else:
                fb = copy_schema_basics(f.schema)
                if field_optional:
                    fb.optional()
                if default is not None:
                    fb.default_value(default)
                builder.field(name, fb.build())

    def _flatten_struct(self, struct: Struct | None, prefix: str, out: Struct) -> None:
        if struct is None:
            return
        for f in struct.schema.fields:
            name = self._name(prefix, f.name)
            if f.schema.type is Type.STRUCT:
                self._flatten_struct(struct.get(f.name), name, out)
            else:
                out.put(name, struct.get(f.name))


class FlattenKey(_Flatten):
    """Flatten the key (``Flatten$Key``)."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.Flatten$Key",)
    is_key = True


class FlattenValue(_Flatten):
    """Flatten the value (``Flatten$Value``): ``{"a": {"b": 1}}`` -> ``{"a.b": 1}``."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.Flatten$Value",)

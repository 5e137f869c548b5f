"""``ExtractField$Key``/``ExtractField$Value``: replace the key/value by one of its fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from genesis_worker.api.config import ConfigDef, ConfigType, Importance
from genesis_worker.api.records import ConnectRecord

from ._util import (
    REPLACE_NULL_WITH_DEFAULT_CONFIG,
    KeyOrValueTransformation,
    define_replace_null_with_default,
    require_map_or_null,
    require_struct_or_null,
)
from .field_path import FIELD_SYNTAX_VERSION_CONFIG, SingleFieldPath, define_field_syntax_version

PURPOSE = "field extraction"
CONFIG_DEF = define_field_syntax_version(
    define_replace_null_with_default(
        ConfigDef().define(
            "field", ConfigType.STRING, importance=Importance.MEDIUM, documentation="Field name to extract."
        )
    )
)


class _ExtractField(KeyOrValueTransformation):
    def __init__(self) -> None:
        self.path = SingleFieldPath("")
        self.replace_null_with_default = True

    def config(self) -> ConfigDef:
        return CONFIG_DEF

    def configure(self, configs: Mapping[str, Any]) -> None:
        parsed = CONFIG_DEF.parse(configs)
        self.path = SingleFieldPath(parsed["field"], parsed[FIELD_SYNTAX_VERSION_CONFIG])
        self.replace_null_with_default = bool(parsed[REPLACE_NULL_WITH_DEFAULT_CONFIG])

    def apply(self, record: ConnectRecord) -> ConnectRecord:
        schema = self.operating_schema(record)
        value = self.operating_value(record)
        if schema is None:
            m = require_map_or_null(value, PURPOSE)
            return self.new_record(record, None, None if m is None else self.path.value_from_map(m))
        struct = require_struct_or_null(value, PURPOSE)
        field = self.path.field_from(schema)
        if field is None:
            raise ValueError("Unknown field: " + self.path.path)
        extracted = None if struct is None else self.path.value_from_struct(struct, self.replace_null_with_default)
        return self.new_record(record, field.schema, extracted)


class ExtractFieldKey(_ExtractField):
    """Replace the key by one of its fields (``ExtractField$Key``)."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.ExtractField$Key",)
    is_key = True


class ExtractFieldValue(_ExtractField):
    """Replace the value by one of its fields (``ExtractField$Value``)."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.ExtractField$Value",)

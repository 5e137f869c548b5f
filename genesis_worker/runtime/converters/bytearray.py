"""``org.apache.kafka.connect.converters.ByteArrayConverter``: bytes pass through untouched."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from genesis_worker.api.config import ConfigDef
from genesis_worker.api.data import Schema, SchemaAndValue, Type
from genesis_worker.api.errors import DataException
from genesis_worker.api.records import Headers
from genesis_worker.api.transform import Converter
from genesis_worker.runtime.converters._config import converter_config_def
from genesis_worker.runtime.converters.json_data import java_class_of


class ByteArrayConverter(Converter):
    """Pass-through: ``bytes`` in, the same bytes out; reads give an optional BYTES schema."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.converters.ByteArrayConverter",)

    def config(self) -> ConfigDef:
        return converter_config_def()

    def configure(self, configs: Mapping[str, Any], is_key: bool) -> None:
        pass

    def from_connect_data(
        self, topic: str, schema: Schema | None, value: Any, headers: Headers | None = None
    ) -> bytes | None:
        if schema is not None and schema.type is not Type.BYTES:
            raise DataException("Invalid schema type for ByteArrayConverter: " + schema.type.java_name)
        if value is None or type(value) is bytes:
            return value
        if isinstance(value, bytearray | memoryview):
            return bytes(value)
        raise DataException(f"ByteArrayConverter is not compatible with objects of type {java_class_of(value)}")

    def to_connect_data(self, topic: str, value: bytes | None, headers: Headers | None = None) -> SchemaAndValue:
        return SchemaAndValue(Schema.OPTIONAL_BYTES_SCHEMA, value)

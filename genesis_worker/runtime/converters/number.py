"""``org.apache.kafka.connect.converters.{Short,Integer,Long,Float,Double,Boolean}Converter``: Kafka's
fixed-width big-endian serializers."""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import Any, ClassVar

from genesis_worker.api.config import ConfigDef
from genesis_worker.api.data import Schema, SchemaAndValue, Type
from genesis_worker.api.errors import DataException
from genesis_worker.api.records import Headers
from genesis_worker.api.transform import Converter
from genesis_worker.runtime.converters._config import converter_config_def
from genesis_worker.runtime.converters.json_data import java_class_of


class _NumberConverter(Converter):
    """One fixed-width number type; subclasses set the format and names."""

    fmt: ClassVar[str]
    type_name: ClassVar[str]
    deserializer: ClassVar[str]
    schema: ClassVar[Schema]
    integral: ClassVar[bool] = True

    def __init__(self) -> None:
        self._struct = struct.Struct(self.fmt)

    def config(self) -> ConfigDef:
        return converter_config_def()

    def configure(self, configs: Mapping[str, Any], is_key: bool) -> None:
        pass

    def from_connect_data(
        self, topic: str, schema: Schema | None, value: Any, headers: Headers | None = None
    ) -> bytes | None:
        if value is None:
            return None
        ok = isinstance(value, int) if self.integral else isinstance(value, float | int)
        if not ok or isinstance(value, bool):
            raise DataException(f"Failed to serialize to {self.type_name} (was {java_class_of(value)}): ")
        try:
            return self._struct.pack(value)
        except (struct.error, OverflowError) as e:
            raise DataException(f"Failed to serialize to {self.type_name} (was {java_class_of(value)}): {e}") from e

    def to_connect_data(self, topic: str, value: bytes | None, headers: Headers | None = None) -> SchemaAndValue:
        if value is None:
            return SchemaAndValue(self.schema, None)
        if len(value) != self._struct.size:
            raise DataException(
                f"Failed to deserialize {self.type_name}: Size of data received by {self.deserializer} "
                f"is not {self._struct.size}"
            )
        return SchemaAndValue(self.schema, self._struct.unpack(value)[0])


class ShortConverter(_NumberConverter):
    """INT16 as 2 big-endian bytes."""

    java_class_names = ("org.apache.kafka.connect.converters.ShortConverter",)
    fmt, type_name, deserializer, schema = ">h", "short", "ShortDeserializer", Schema.OPTIONAL_INT16_SCHEMA


class IntegerConverter(_NumberConverter):
    """INT32 as 4 big-endian bytes."""

    java_class_names = ("org.apache.kafka.connect.converters.IntegerConverter",)
    fmt, type_name, deserializer, schema = ">i", "integer", "IntegerDeserializer", Schema.OPTIONAL_INT32_SCHEMA


class LongConverter(_NumberConverter):
    """INT64 as 8 big-endian bytes."""

    java_class_names = ("org.apache.kafka.connect.converters.LongConverter",)
    fmt, type_name, deserializer, schema = ">q", "long", "LongDeserializer", Schema.OPTIONAL_INT64_SCHEMA


class FloatConverter(_NumberConverter):
    """FLOAT32 as 4 big-endian IEEE-754 bytes."""

    java_class_names = ("org.apache.kafka.connect.converters.FloatConverter",)
    fmt, type_name, deserializer, schema = ">f", "float", "Deserializer", Schema.OPTIONAL_FLOAT32_SCHEMA
    integral = False


class DoubleConverter(_NumberConverter):
    """FLOAT64 as 8 big-endian IEEE-754 bytes."""

    java_class_names = ("org.apache.kafka.connect.converters.DoubleConverter",)
    fmt, type_name, deserializer, schema = ">d", "double", "Deserializer", Schema.OPTIONAL_FLOAT64_SCHEMA
    integral = False


class BooleanConverter(Converter):
    """BOOLEAN as one byte, 0 or 1."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.converters.BooleanConverter",)

    def config(self) -> ConfigDef:
        return converter_config_def()

    def configure(self, configs: Mapping[str, Any], is_key: bool) -> None:
        pass

    def from_connect_data(
        self, topic: str, schema: Schema | None, value: Any, headers: Headers | None = None
    ) -> bytes | None:
        if schema is not None and schema.type is not Type.BOOLEAN:
            raise DataException("Invalid schema type for BooleanConverter: " + schema.type.java_name)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise DataException(f"BooleanConverter is not compatible with objects of type {java_class_of(value)}")
        return b"\x01" if value else b"\x00"

    def to_connect_data(self, topic: str, value: bytes | None, headers: Headers | None = None) -> SchemaAndValue:
        if value is None:
            return SchemaAndValue(Schema.OPTIONAL_BOOLEAN_SCHEMA, None)
        if len(value) != 1:
            raise DataException("Failed to deserialize boolean: Size of data received by BooleanDeserializer is not 1")
        if value[0] not in (0, 1):
            raise DataException(
                f"Failed to deserialize boolean: Unexpected byte received by BooleanDeserializer: {value[0]}"
            )
        return SchemaAndValue(Schema.OPTIONAL_BOOLEAN_SCHEMA, value[0] == 1)

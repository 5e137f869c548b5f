"""``InsertField$Key``/``InsertField$Value``: add the topic, partition, offset, timestamp or a static
string as fields. A field name ending in ``!`` makes the field required, ``?`` (or nothing) optional."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from genesis_worker.api.config import ConfigDef, ConfigType, Importance
from genesis_worker.api.data import Schema, SchemaBuilder, timestamp_from_millis, timestamp_schema
from genesis_worker.api.errors import ConfigException
from genesis_worker.api.records import ConnectRecord

from ._util import (
    REPLACE_NULL_WITH_DEFAULT_CONFIG,
    KeyOrValueTransformation,
    SchemaCache,
    copy_schema_basics,
    define_replace_null_with_default,
    field_values,
    require_map,
    require_sink_record,
    require_struct,
    struct_of,
)

PURPOSE = "field insertion"
_OPTIONAL_DOC = (
    "Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default)."
)
CONFIG_DEF = define_replace_null_with_default(
    ConfigDef()
    .define(
        "topic.field", ConfigType.STRING, None, None, Importance.MEDIUM, "Field name for Kafka topic. " + _OPTIONAL_DOC
    )
    .define(
        "partition.field",
        ConfigType.STRING,
        None,
        None,
        Importance.MEDIUM,
        "Field name for Kafka partition. " + _OPTIONAL_DOC,
    )
    .define(
        "offset.field",
        ConfigType.STRING,
        None,
        None,
        Importance.MEDIUM,
        "Field name for Kafka offset - only applicable to sink connectors.<br/>" + _OPTIONAL_DOC,
    )
    .define(
        "timestamp.field",
        ConfigType.STRING,
        None,
        None,
        Importance.MEDIUM,
        "Field name for record timestamp. " + _OPTIONAL_DOC,
    )
    .define(
        "static.field",
        ConfigType.STRING,
        None,
        None,
        Importance.MEDIUM,
        "Field name for static data field. " + _OPTIONAL_DOC,
    )
    .define(
        "static.value",
        ConfigType.STRING,
        None,
        None,
        Importance.MEDIUM,
        "Static field value, if field name configured.",
    )
)
_OPTIONAL_TIMESTAMP = timestamp_schema().optional().build()
_TIMESTAMP = timestamp_schema().build()


@dataclass(frozen=True)
class InsertionSpec:
    name: str
    optional: bool

    @classmethod
    def parse(cls, spec: str | None) -> InsertionSpec | None:
        if spec is None:
            return None
        if spec.endswith("?"):
            return cls(spec[:-1], True)
        if spec.endswith("!"):
            return cls(spec[:-1], False)
        return cls(spec, True)


class _InsertField(KeyOrValueTransformation):
    def __init__(self) -> None:
        self.topic_field: InsertionSpec | None = None
        self.partition_field: InsertionSpec | None = None
        self.offset_field: InsertionSpec | None = None
        self.timestamp_field: InsertionSpec | None = None
        self.static_field: InsertionSpec | None = None
        self.static_value: str | None = None
        self.replace_null_with_default = True
        self._cache = SchemaCache()
        self._schemaless_steps: list[tuple[str, Callable[[ConnectRecord], Any]]] = []
        self._static: dict[str, str] | None = None

    def config(self) -> ConfigDef:
        return CONFIG_DEF

    def configure(self, configs: Mapping[str, Any]) -> None:
        parsed = CONFIG_DEF.parse(configs)
        self.topic_field = InsertionSpec.parse(parsed["topic.field"])
        self.partition_field = InsertionSpec.parse(parsed["partition.field"])
        self.offset_field = InsertionSpec.parse(parsed["offset.field"])
        self.timestamp_field = InsertionSpec.parse(parsed["timestamp.field"])
        self.static_field = InsertionSpec.parse(parsed["static.field"])
        self.static_value = parsed["static.value"]
        if self.static_field is not None and self.static_value is None:
            raise ConfigException(
                "Invalid value null for configuration static.value: No value specified for static field: "
                + self.static_field.name
            )
        self.replace_null_with_default = bool(parsed[REPLACE_NULL_WITH_DEFAULT_CONFIG])
        self._cache = SchemaCache()
        self._schemaless_steps = self._build_schemaless_steps()

    def _build_schemaless_steps(self) -> list[tuple[str, Callable[[ConnectRecord], Any]]]:
        """(field, getter) pairs so the schemaless path is one dict copy plus C-level attribute reads.
        A getter answering None (no partition/timestamp) inserts nothing, as Java skips nulls there."""
        steps: list[tuple[str, Callable[[ConnectRecord], Any]]] = []
        for spec, attr in (
            (self.topic_field, "topic"),
            (self.partition_field, "kafka_partition"),
            (self.offset_field, "kafka_offset"),
            (self.timestamp_field, "timestamp"),
        ):
            if spec is not None:
                steps.append((spec.name, operator.attrgetter(attr)))
        self._static = (
            {self.static_field.name: self.static_value}
            if self.static_field is not None and self.static_value is not None
            else None
        )
        return steps

    def apply(self, record: ConnectRecord) -> ConnectRecord:
        value = record.key if self.is_key else record.value
        if value is None:
            return record
        if (record.key_schema if self.is_key else record.value_schema) is None:
            updated = dict(value) if type(value) is dict else dict(require_map(value, PURPOSE))
            try:
                for name, get in self._schemaless_steps:
                    v = get(record)
                    if v is not None:
                        updated[name] = v
            except AttributeError:  # offset.field on a SourceRecord
                require_sink_record(record, PURPOSE)
                raise
            if self._static is not None:
                updated.update(self._static)
            return self.new_record(record, None, updated)
        return self._apply_with_schema(record, value)

    def _apply_with_schema(self, record: ConnectRecord, value: Any) -> ConnectRecord:
        struct = require_struct(value, PURPOSE)
        schema = self._updated_schema(struct.schema)
        values = field_values(struct, self.replace_null_with_default)
        values.extend([None] * (len(schema.fields) - len(values)))
        out = struct_of(schema, values)
        if self.topic_field is not None:
            out.put(self.topic_field.name, record.topic)
        if self.partition_field is not None and record.kafka_partition is not None:
            out.put(self.partition_field.name, record.kafka_partition)
        if self.offset_field is not None:
            out.put(self.offset_field.name, require_sink_record(record, PURPOSE).kafka_offset)
        if self.timestamp_field is not None and record.timestamp is not None:
            out.put(self.timestamp_field.name, timestamp_from_millis(record.timestamp))
        if self.static_field is not None and self.static_value is not None:
            out.put(self.static_field.name, self.static_value)
        return self.new_record(record, schema, out)

    def _updated_schema(self, schema: Schema) -> Schema:
        cached: Schema | None = self._cache.get(schema)
        if cached is not None:
            return cached
        builder = copy_schema_basics(schema, SchemaBuilder.struct())
        for f in schema.fields:
            builder.field(f.name, f.schema)
        if self.topic_field is not None:
            builder.field(
                self.topic_field.name, _pick(self.topic_field, Schema.OPTIONAL_STRING_SCHEMA, Schema.STRING_SCHEMA)
            )
        if self.partition_field is not None:
            builder.field(
                self.partition_field.name,
                _pick(self.partition_field, Schema.OPTIONAL_INT32_SCHEMA, Schema.INT32_SCHEMA),
            )
        if self.offset_field is not None:
            builder.field(
                self.offset_field.name, _pick(self.offset_field, Schema.OPTIONAL_INT64_SCHEMA, Schema.INT64_SCHEMA)
            )
        if self.timestamp_field is not None:
            builder.field(self.timestamp_field.name, _pick(self.timestamp_field, _OPTIONAL_TIMESTAMP, _TIMESTAMP))
        if self.static_field is not None:
            builder.field(
                self.static_field.name, _pick(self.static_field, Schema.OPTIONAL_STRING_SCHEMA, Schema.STRING_SCHEMA)
            )
        updated = builder.build()
        self._cache.put(schema, updated)
        return updated


def _pick(spec: InsertionSpec, optional: Schema, required: Schema) -> Schema:
    return optional if spec.optional else required


class InsertFieldKey(_InsertField):
    """Insert metadata/static fields into the key (``InsertField$Key``)."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.InsertField$Key",)
    is_key = True


class InsertFieldValue(_InsertField):
    """Insert metadata/static fields into the value (``InsertField$Value``).

    Example: ``topic.field=_topic, offset.field=_offset!, static.field=dc, static.value=eu-1``.
    """

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.InsertField$Value",)

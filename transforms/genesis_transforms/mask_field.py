"""``MaskField$Key``/``MaskField$Value``: replace field values with the type's empty value (0, false,
"", empty list/map, epoch) or with ``replacement`` parsed as the field's type."""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
from collections.abc import Mapping
from typing import Any, ClassVar

from genesis_worker.api.config import ConfigDef, ConfigType, Importance
from genesis_worker.api.data import Schema, Type
from genesis_worker.api.errors import ConfigException, DataException
from genesis_worker.api.records import ConnectRecord
from genesis_worker.api.validators import LambdaValidator

from ._util import (
    REPLACE_NULL_WITH_DEFAULT_CONFIG,
    KeyOrValueTransformation,
    define_replace_null_with_default,
    field_values,
    java_class,
    non_empty_list,
    require_map,
    require_struct,
    struct_of,
)

PURPOSE = "mask fields"


def _non_empty_or_null(name: str, value: Any) -> None:
    """``ConfigDef.NonEmptyString``: null passes, blank fails."""
    if value is not None and str(value).strip() == "":
        raise ConfigException(f"Invalid value {value} for configuration {name}: String must be non-empty", name, value)


CONFIG_DEF = define_replace_null_with_default(
    ConfigDef()
    .define(
        "fields",
        ConfigType.LIST,
        validator=non_empty_list,
        importance=Importance.HIGH,
        documentation="Names of fields to mask.",
    )
    .define(
        "replacement",
        ConfigType.STRING,
        None,
        LambdaValidator(_non_empty_or_null, "non-empty string"),
        Importance.LOW,
        "Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty string "
        "values only).",
    )
)
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
_INT_BITS = {Type.INT8: 8, Type.INT16: 16, Type.INT32: 32, Type.INT64: 64}


def _empty(value: Any, schema: Schema | None) -> Any:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0
    if isinstance(value, float):
        return 0.0
    if isinstance(value, str):
        return ""
    if isinstance(value, _decimal.Decimal):
        return _decimal.Decimal(0)
    if isinstance(value, _dt.datetime):
        return _EPOCH
    if isinstance(value, _dt.date):
        return _dt.date(1970, 1, 1)
    if isinstance(value, _dt.time):
        return _dt.time(0)
    if isinstance(value, list):
        return []
    if isinstance(value, dict):
        return {}
    raise DataException(f"Cannot mask value of type: {java_class(value)}")


def _replacement(value: Any, schema: Schema | None, replacement: str) -> Any:
    try:
        if isinstance(value, bool) or not isinstance(value, int | float | str | _decimal.Decimal):
            raise DataException(f"Cannot mask value of type {java_class(value)} with custom replacement.")
        if isinstance(value, str):
            return replacement
        if isinstance(value, _decimal.Decimal):
            return _decimal.Decimal(replacement)
        if isinstance(value, float):
            return float(replacement)
        bits = _INT_BITS.get(schema.type, 64) if schema is not None else 64
        n = int(replacement.strip())
        if not -(2 ** (bits - 1)) <= n < 2 ** (bits - 1):
            raise ValueError(replacement)
        return n
    except (ValueError, _decimal.InvalidOperation) as e:
        raise DataException(f"Unable to convert {replacement} (class java.lang.String) to a number") from e


class _MaskField(KeyOrValueTransformation):
    def __init__(self) -> None:
        self.fields: frozenset[str] = frozenset()
        self.field_list: list[str] = []
        self.replacement: str | None = None
        self.replace_null_with_default = True

    def config(self) -> ConfigDef:
        return CONFIG_DEF

    def configure(self, configs: Mapping[str, Any]) -> None:
        parsed = CONFIG_DEF.parse(configs)
        self.field_list = list(parsed["fields"])
        self.fields = frozenset(self.field_list)
        self.replacement = parsed["replacement"]
        self.replace_null_with_default = bool(parsed[REPLACE_NULL_WITH_DEFAULT_CONFIG])

    def masked(self, value: Any, schema: Schema | None) -> Any:
        if value is None:
            return None
        if self.replacement is None:
            return _empty(value, schema)
        return _replacement(value, schema, self.replacement)

    def apply(self, record: ConnectRecord) -> ConnectRecord:
        schema = self.operating_schema(record)
        value = self.operating_value(record)
        if schema is None:
            m = require_map(value, PURPOSE)
            updated = dict(m)
            for name in self.field_list:
                updated[name] = self.masked(m.get(name), None)
            return self.new_record(record, None, updated)
        struct = require_struct(value, PURPOSE)
        out = struct_of(struct.schema, field_values(struct, self.replace_null_with_default))
        for f in struct.schema.fields:
            if f.name in self.fields:
                out.put(f.name, self.masked(out._values[f.index], f.schema))
        return self.new_record(record, struct.schema, out)


class MaskFieldKey(_MaskField):
    """Mask key fields (``MaskField$Key``)."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.MaskField$Key",)
    is_key = True


class MaskFieldValue(_MaskField):
    """Mask value fields (``MaskField$Value``)."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.MaskField$Value",)

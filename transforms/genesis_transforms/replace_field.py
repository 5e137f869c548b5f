"""``ReplaceField$Key``/``ReplaceField$Value``: keep (``include``), drop (``exclude``) and rename
(``renames=old:new,…``) fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from genesis_worker.api.config import ConfigDef, ConfigType, Importance
from genesis_worker.api.data import Schema, SchemaBuilder, Struct
from genesis_worker.api.errors import ConfigException
from genesis_worker.api.records import ConnectRecord
from genesis_worker.api.validators import LambdaValidator

from ._util import (
    REPLACE_NULL_WITH_DEFAULT_CONFIG,
    KeyOrValueTransformation,
    SchemaCache,
    copy_schema_basics,
    define_replace_null_with_default,
    field_value,
    field_values,
    list_without_blanks,
    require_map,
    require_struct,
    struct_of,
)

PURPOSE = "field replacement"


def parse_rename_mappings(mappings: list[str]) -> dict[str, str]:
    """``ReplaceField.parseRenameMappings``."""
    out: dict[str, str] = {}
    for mapping in mappings:
        parts = mapping.split(":")
        while len(parts) > 1 and parts[-1] == "":
            parts.pop()  # Java's String.split drops trailing empty strings
        if len(parts) != 2:
            raise ConfigException(
                f"Invalid value [{', '.join(mappings)}] for configuration renames: Invalid rename mapping: {mapping}",
                "renames",
                mappings,
            )
        out[parts[0]] = parts[1]
    return out


def _validate_renames(name: str, value: Any) -> None:
    parse_rename_mappings(list(value or []))


CONFIG_DEF = define_replace_null_with_default(
    ConfigDef()
    .define(
        "exclude",
        ConfigType.LIST,
        [],
        list_without_blanks,
        Importance.MEDIUM,
        "Fields to exclude. This takes precedence over the fields to include.",
    )
    .define(
        "include",
        ConfigType.LIST,
        [],
        list_without_blanks,
        Importance.MEDIUM,
        "Fields to include. If specified, only these fields will be used.",
    )
    .define(
        "renames",
        ConfigType.LIST,
        [],
        LambdaValidator(_validate_renames, "list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>"),
        Importance.MEDIUM,
        "Field rename mappings.",
    )
)


class _ReplaceField(KeyOrValueTransformation):
    def __init__(self) -> None:
        self.exclude: frozenset[str] = frozenset()
        self.include: frozenset[str] = frozenset()
        self.renames: dict[str, str] = {}
        self.reverse_renames: dict[str, str] = {}
        self.replace_null_with_default = True
        self._cache = SchemaCache()

    def config(self) -> ConfigDef:
        return CONFIG_DEF

    def configure(self, configs: Mapping[str, Any]) -> None:
        parsed = CONFIG_DEF.parse(configs)
        self.exclude = frozenset(parsed["exclude"])
        self.include = frozenset(parsed["include"])
        self.renames = parse_rename_mappings(list(parsed["renames"]))
        self.reverse_renames = {v: k for k, v in self.renames.items()}
        self.replace_null_with_default = bool(parsed[REPLACE_NULL_WITH_DEFAULT_CONFIG])
        self._cache = SchemaCache()

    def filter(self, name: str) -> bool:
        return name not in self.exclude and (not self.include or name in self.include)

    def apply(self, record: ConnectRecord) -> ConnectRecord:
        value = record.key if self.is_key else record.value
        if value is None:
            return record
        if (record.key_schema if self.is_key else record.value_schema) is None:
            return self.new_record(record, None, self._schemaless(value))
        struct = require_struct(value, PURPOSE)
        schema, sources = self._updated(struct.schema)
        if sources is None:  # a rename points at a missing field: let Struct raise Java's error
            out = Struct(schema)
            rev = self.reverse_renames
            for f in schema.fields:
                out.put(f.name, field_value(struct, rev.get(f.name, f.name), self.replace_null_with_default))
            return self.new_record(record, schema, out)
        values = field_values(struct, self.replace_null_with_default)
        return self.new_record(record, schema, struct_of(schema, [values[i] for i in sources]))

    def _schemaless(self, value: Any) -> dict[Any, Any]:
        m = value if type(value) is dict else require_map(value, PURPOSE)
        ren, ex, inc = self.renames, self.exclude, self.include
        if inc:
            return {ren.get(k, k): v for k, v in m.items() if k in inc and k not in ex}
        if ex:
            if ren:
                return {ren.get(k, k): v for k, v in m.items() if k not in ex}
            return {k: v for k, v in m.items() if k not in ex}
        if ren:
            return {ren.get(k, k): v for k, v in m.items()}
        return dict(m)

    def _updated(self, schema: Schema) -> tuple[Schema, list[int] | None]:
        """The output schema and, per output field, the index of the input field it comes from."""
        cached: tuple[Schema, list[int] | None] | None = self._cache.get(schema)
        if cached is not None:
            return cached
        builder = copy_schema_basics(schema, SchemaBuilder.struct())
        for f in schema.fields:
            if self.filter(f.name):
                builder.field(self.renames.get(f.name, f.name), f.schema)
        updated = builder.build()
        sources: list[int] | None = []
        for f in updated.fields:
            src = schema.field(self.reverse_renames.get(f.name, f.name))
            if src is None or sources is None:
                sources = None
            else:
                sources.append(src.index)
        self._cache.put(schema, (updated, sources))
        return updated, sources


class ReplaceFieldKey(_ReplaceField):
    """Filter/rename key fields (``ReplaceField$Key``)."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.ReplaceField$Key",)
    is_key = True


class ReplaceFieldValue(_ReplaceField):
    """Filter/rename value fields (``ReplaceField$Value``).

    Example: ``exclude=password``, ``renames=ts:event_time,uid:user_id``.
    """

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.ReplaceField$Value",)

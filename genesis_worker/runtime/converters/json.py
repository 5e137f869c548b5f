"""``org.apache.kafka.connect.json.JsonConverter``: Connect data as JSON, with or without a schema envelope.

The schemaless case (``schemas.enable=false``) is on the hot path: a value made only of JSON-native
Python values is written with one ``orjson.dumps`` and read with one ``orjson.loads`` (the tree *is* the
Connect value). Anything else (bytes, non-string map keys, floats Java would print differently, Structs)
goes through the exact conversion of :mod:`.json_data`.
"""

from __future__ import annotations

import json as _stdjson
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar

import orjson

from genesis_worker.api.config import ConfigDef, ConfigType, Importance, Width
from genesis_worker.api.data import Schema, SchemaAndValue
from genesis_worker.api.errors import DataException
from genesis_worker.api.records import Headers
from genesis_worker.api.transform import Converter
from genesis_worker.api.validators import CaseInsensitiveValidString, Range
from genesis_worker.runtime.converters._cache import SchemaKeyedCache
from genesis_worker.runtime.converters._config import converter_config_def
from genesis_worker.runtime.converters.json_codec import Codec, compile_reader, compile_writer
from genesis_worker.runtime.converters.json_data import (
    as_connect_schema,
    as_json_schema,
    has_decimal,
    to_json,
)

SCHEMAS_ENABLE_CONFIG = "schemas.enable"
SCHEMAS_CACHE_SIZE_CONFIG = "schemas.cache.size"
SCHEMA_CONTENT_CONFIG = "schema.content"
DECIMAL_FORMAT_CONFIG = "decimal.format"
REPLACE_NULL_WITH_DEFAULT_CONFIG = "replace.null.with.default"

ENVELOPE_ERROR = (
    'JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional '
    "fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter "
    "configuration."
)
_DESER_ERROR = "Converting byte[] to Kafka Connect data failed due to serialization error: "
_SER_ERROR = "Converting Kafka Connect data to byte[] failed due to serialization error: "


def _java_would_differ(out: bytes) -> bool:
    """Whether orjson's text may hold a double that Java prints differently: >= 1e7 (``12345678.0``),
    < 1e-3 (``0.0001``) or with an exponent (``1e+16``, ``1e-7``). Only single searches in the common
    case (about 0.3 us for a 10-field record); a hit inside a string merely takes the exact path."""
    find = out.find
    if find(b"+") >= 0 and find(b"e+") >= 0:
        return True
    j = find(b"e-")
    while j >= 0:
        if j and 48 <= out[j - 1] <= 57:
            return True
        j = find(b"e-", j + 2)
    i = find(b".")
    while i >= 0:
        if i >= 8 and out[i - 8 : i].isdigit():
            return True
        if out[i - 1 : i + 4] == b"0.000" and not out[i - 2 : i - 1].isdigit():
            return True
        i = find(b".", i + 1)
    return False


_FAST_OPTS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS


class _NotNative(Exception):
    pass


def _refuse(_obj: Any) -> Any:
    raise _NotNative


def json_converter_config_def() -> ConfigDef:
    """``JsonConverterConfig.configDef()``."""
    group = "Schemas"
    return (
        converter_config_def()
        .define(
            SCHEMAS_ENABLE_CONFIG,
            ConfigType.BOOLEAN,
            True,
            None,
            Importance.HIGH,
            "Include schemas within each of the serialized values and keys.",
            group,
            0,
            Width.MEDIUM,
            "Enable Schemas",
        )
        .define(
            SCHEMAS_CACHE_SIZE_CONFIG,
            ConfigType.INT,
            1000,
            Range.at_least(0),
            Importance.HIGH,
            "The maximum number of schemas that can be cached in this converter instance.",
            group,
            1,
            Width.MEDIUM,
            "Schema Cache Size",
        )
        .define(
            SCHEMA_CONTENT_CONFIG,
            ConfigType.STRING,
            None,
            None,
            Importance.HIGH,
            "When set, this is used as the schema for all messages, and the schemas within each of the message "
            "will be ignored.Otherwise, the schema will be included in the content of each message. This "
            "configuration applies only 'schemas.enable' is true, and it exclusively affects the sink connector.",
            group,
            2,
            Width.MEDIUM,
            "Schema Content",
        )
        .define(
            DECIMAL_FORMAT_CONFIG,
            ConfigType.STRING,
            "BASE64",
            CaseInsensitiveValidString.in_("BASE64", "NUMERIC"),
            Importance.LOW,
            "Controls which format this converter will serialize decimals in. This value is case insensitive "
            "and can be either 'BASE64' (default) or 'NUMERIC'",
            "Serialization",
            0,
            Width.MEDIUM,
            "Decimal Format",
        )
        .define(
            REPLACE_NULL_WITH_DEFAULT_CONFIG,
            ConfigType.BOOLEAN,
            True,
            None,
            Importance.LOW,
            "Whether to replace fields that have a default value and that are null to the default value. When "
            "set to true, the default value is used, otherwise null is used.",
            "Serialization",
            1,
            Width.MEDIUM,
            "Replace null with default",
        )
    )


class JsonConverter(Converter):
    """Converts Connect data to JSON bytes and back, byte-compatible with Java's ``JsonConverter``.

    Example::

        conv = JsonConverter()
        conv.configure({"schemas.enable": "false"}, is_key=False)
        conv.from_connect_data("t", None, {"a": 1})      # b'{"a":1}'
        conv.to_connect_data("t", b'{"a":1}').value      # {'a': 1}
    """

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.json.JsonConverter",)

    def __init__(self) -> None:
        self.schemas_enabled = True
        self.decimal_numeric = False
        self.replace_null_with_default = True
        self._from_cache = SchemaKeyedCache(1000)
        self._to_cache = SchemaKeyedCache(1000)
        self._fixed: tuple[Schema | None, bool, Codec] | None = None
        # the text before the payload of the last envelope read, and its schema (see to_connect_data)
        self._last_envelope: tuple[bytes, tuple[Schema | None, bool, Codec]] | None = None

    def config(self) -> ConfigDef:
        return json_converter_config_def()

    def configure(self, configs: Mapping[str, Any], is_key: bool) -> None:
        props = dict(configs)
        props.setdefault("converter.type", "key" if is_key else "value")
        parsed = json_converter_config_def().parse(props)
        self.schemas_enabled = bool(parsed[SCHEMAS_ENABLE_CONFIG])
        self.decimal_numeric = str(parsed[DECIMAL_FORMAT_CONFIG]).upper() == "NUMERIC"
        self.replace_null_with_default = bool(parsed[REPLACE_NULL_WITH_DEFAULT_CONFIG])
        size = int(parsed[SCHEMAS_CACHE_SIZE_CONFIG])
        self._from_cache = SchemaKeyedCache(size)
        self._to_cache = SchemaKeyedCache(size)
        self._fixed = None
        self._last_envelope = None
        content = parsed[SCHEMA_CONTENT_CONFIG]
        if content is not None:
            try:
                node = orjson.loads(content)
            except orjson.JSONDecodeError as e:
                raise DataException(
                    f"Failed to parse schema in converter config due to serialization error: {e}"
                ) from e
            self._fixed = self._schema_for(node)

    # --- Connect -> bytes ------------------------------------------------------------------------

    def from_connect_data(
        self, topic: str, schema: Schema | None, value: Any, headers: Headers | None = None
    ) -> bytes | None:
        if schema is None:
            if value is None:
                return None
            return self._schemaless_bytes(value, self.schemas_enabled)
        fragment, writer = self._writer_for(schema)
        if self.schemas_enabled:
            return self._dump({"schema": fragment, "payload": writer(value)})
        return self._dump(writer(value))

    def _schemaless_bytes(self, value: Any, envelope: bool = False) -> bytes:
        """Schemaless value (``{"schema":null,"payload":…}`` when ``envelope``): one ``orjson.dumps``
        when the value is JSON-native and Java would print its numbers the same way."""
        tree = {"schema": None, "payload": value} if envelope else value
        try:
            out = orjson.dumps(tree, default=_refuse, option=_FAST_OPTS)
        except (_NotNative, TypeError):
            out = None
        if out is not None and not _java_would_differ(out):
            return out
        payload = to_json(None, value, self.decimal_numeric, self.replace_null_with_default)
        return self._dump({"schema": None, "payload": payload} if envelope else payload)

    def from_connect_values(self, values: Sequence[Any]) -> list[bytes | None]:
        """Batch form of :meth:`from_connect_data` for schemaless values (schema None for all)."""
        fast, envelope = self._schemaless_bytes, self.schemas_enabled
        return [None if v is None else fast(v, envelope) for v in values]

    def _writer_for(self, schema: Schema) -> tuple[orjson.Fragment, Codec]:
        """The schema's JSON (pre-serialized) and its compiled value writer, cached per schema."""
        cached = self._from_cache.get(schema)
        if cached is None:
            cached = (
                orjson.Fragment(orjson.dumps(as_json_schema(schema, self.decimal_numeric))),
                compile_writer(schema, self.decimal_numeric, self.replace_null_with_default),
            )
            self._from_cache.put(schema, cached)
        return cached

    @staticmethod
    def _dump(tree: Any) -> bytes:
        try:
            return orjson.dumps(tree)
        except TypeError as e:
            raise DataException(_SER_ERROR + str(e)) from e

    def as_json_schema(self, schema: Schema | None) -> dict[str, Any] | None:
        """``JsonConverter.asJsonSchema``."""
        return as_json_schema(schema, self.decimal_numeric)

    def as_connect_schema(self, node: Any) -> Schema | None:
        """``JsonConverter.asConnectSchema`` (cached by the schema's JSON text)."""
        return self._schema_for(node)[0]

    def _schema_for(self, node: Any) -> tuple[Schema | None, bool, Codec]:
        """The Connect schema of a JSON schema, whether it holds a Decimal, and its compiled reader."""
        if node is None:
            return _NO_SCHEMA
        key = orjson.dumps(node)
        cached = self._to_cache.get(key)
        if cached is None:
            schema = as_connect_schema(node, self.replace_null_with_default)
            cached = (schema, has_decimal(schema), compile_reader(schema, self.replace_null_with_default))
            self._to_cache.put(key, cached)
        return cached

    # --- bytes -> Connect ------------------------------------------------------------------------

    def to_connect_data(self, topic: str, value: bytes | None, headers: Headers | None = None) -> SchemaAndValue:
        if value is None:
            return SchemaAndValue.NULL
        last = self._last_envelope
        if last is not None and value[-1:] == b"}" and value.startswith(last[0]):
            # the same schema text as the previous envelope: parse only the payload. The text is
            # '{"schema":' + that schema + ',"payload":' + P + '}', so if P parses the value is exactly the
            # two-member envelope a full parse would have checked.
            try:
                payload = orjson.loads(value[len(last[0]) : -1])
            except orjson.JSONDecodeError:
                pass
            else:
                schema, decimals, reader = last[1]
                if decimals and _has_float(payload):
                    payload = _loads_exact(value)["payload"]
                return SchemaAndValue(schema, reader(payload))
        tree = _loads(value)
        if not self.schemas_enabled:
            return SchemaAndValue(None, tree)
        fixed = self._fixed
        if fixed is not None and fixed[0] is not None:
            # schema.content (KIP-1054): every message is a bare payload of the configured schema.
            if fixed[1] and _has_float(tree):
                tree = _loads_exact(value)
            return SchemaAndValue(fixed[0], fixed[2](tree))
        if not isinstance(tree, dict) or len(tree) != 2 or "schema" not in tree or "payload" not in tree:
            raise DataException(ENVELOPE_ERROR)
        cached = self._schema_for(tree["schema"])
        schema, decimals, reader = cached
        self._last_envelope = (b'{"schema":' + orjson.dumps(tree["schema"]) + b',"payload":', cached)
        payload = tree["payload"]
        if decimals and _has_float(payload):
            payload = _loads_exact(value)["payload"]
        return SchemaAndValue(schema, reader(payload))

    def to_connect_values(self, values: Sequence[bytes | None]) -> list[Any]:
        """Batch form of :meth:`to_connect_data` returning only the values (schemaless mode: one loads each)."""
        if not self.schemas_enabled:
            out: list[Any] = []
            for v in values:
                out.append(None if v is None else _loads(v))
            return out
        return [self.to_connect_data("", v).value for v in values]


def _identity(node: Any) -> Any:
    return node


_NO_SCHEMA: tuple[None, bool, Codec] = (None, False, _identity)


def _loads(value: bytes) -> Any:
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError as e:
        if not value:
            # Jackson reads empty content as a missing node, which converts to null.
            return None
        raise DataException(_DESER_ERROR + str(e)) from e


def _loads_exact(value: bytes) -> Any:
    return _stdjson.loads(value, parse_float=Decimal)


def _has_float(node: Any) -> bool:
    if isinstance(node, float):
        return True
    if isinstance(node, dict):
        return any(_has_float(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_float(v) for v in node)
    return False

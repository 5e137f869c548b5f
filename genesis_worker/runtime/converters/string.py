"""``org.apache.kafka.connect.storage.StringConverter``: values as text in a configurable charset."""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from typing import Any, ClassVar

from genesis_worker.api.config import ConfigDef, ConfigType, Importance, Width
from genesis_worker.api.data import Schema, SchemaAndValue
from genesis_worker.api.errors import ConfigException, DataException
from genesis_worker.api.records import Headers
from genesis_worker.api.transform import Converter
from genesis_worker.runtime.converters._config import converter_config_def
from genesis_worker.runtime.converters.values import java_to_string

ENCODING_CONFIG = "converter.encoding"


def string_converter_config_def() -> ConfigDef:
    """``StringConverterConfig.configDef()``."""
    return converter_config_def().define(
        ENCODING_CONFIG,
        ConfigType.STRING,
        "UTF-8",
        None,
        Importance.HIGH,
        "The name of the Java character set to use for encoding strings as byte arrays.",
        "Converter",
        0,
        Width.MEDIUM,
        "Character encoding",
    )


class StringConverter(Converter):
    """Writes ``str(value)`` (Java's ``toString``: ``true``, ``1.0E10``) encoded; reads an optional string.

    The charset is ``converter.encoding`` (default UTF-8); ``key.serializer.encoding`` /
    ``value.serializer.encoding`` / ``serializer.encoding`` (and the ``deserializer`` forms) override it
    per direction, as Kafka's String(De)Serializer read them.
    """

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.storage.StringConverter",)

    def __init__(self) -> None:
        self._enc = "utf-8"
        self._dec = "utf-8"

    def config(self) -> ConfigDef:
        return string_converter_config_def()

    def configure(self, configs: Mapping[str, Any], is_key: bool) -> None:
        props = dict(configs)
        props.setdefault("converter.type", "key" if is_key else "value")
        parsed = string_converter_config_def().parse(props)
        base = str(parsed[ENCODING_CONFIG] if ENCODING_CONFIG in configs else configs.get("encoding", "UTF-8"))
        side = "key" if props["converter.type"] == "key" else "value"
        enc = configs.get(f"{side}.serializer.encoding") or configs.get("serializer.encoding") or base
        dec = configs.get(f"{side}.deserializer.encoding") or configs.get("deserializer.encoding") or base
        self._enc, self._dec = _charset(str(enc)), _charset(str(dec))

    def from_connect_data(
        self, topic: str, schema: Schema | None, value: Any, headers: Headers | None = None
    ) -> bytes | None:
        if value is None:
            return None
        text = value if isinstance(value, str) else java_to_string(value)
        try:
            if self._enc == "utf-16":  # Java's UTF-16: big-endian with a byte-order mark
                return b"\xfe\xff" + text.encode("utf-16-be")
            return text.encode(self._enc)
        except UnicodeEncodeError as e:
            raise DataException(
                f"Error when serializing string to byte[] due to unsupported encoding {self._enc}"
            ) from e

    def to_connect_data(self, topic: str, value: bytes | None, headers: Headers | None = None) -> SchemaAndValue:
        if value is None:
            return SchemaAndValue(Schema.OPTIONAL_STRING_SCHEMA, None)
        # Java's decoder replaces malformed input rather than failing; so do we.
        raw = bytes(value)
        codec = self._dec
        if codec == "utf-16" and raw[:2] not in (b"\xfe\xff", b"\xff\xfe"):
            codec = "utf-16-be"  # Java reads UTF-16 without a byte-order mark as big-endian
        return SchemaAndValue(Schema.OPTIONAL_STRING_SCHEMA, raw.decode(codec, errors="replace"))


def _charset(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise ConfigException(f"Unsupported charset: {name}", ENCODING_CONFIG, name) from None

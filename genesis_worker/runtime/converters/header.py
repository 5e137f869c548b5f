"""``org.apache.kafka.connect.storage.SimpleHeaderConverter``: header values as text, typed on read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from genesis_worker.api.config import ConfigDef
from genesis_worker.api.data import Schema, SchemaAndValue
from genesis_worker.api.transform import HeaderConverter
from genesis_worker.runtime.converters.values import convert_to_string, parse_string


class SimpleHeaderConverter(HeaderConverter):
    """Writes primitives as UTF-8 text and structures in Connect's JSON-like syntax; reads by inferring
    the type from the text (``Values.parseString``: ``"12"`` -> INT8 12, ``"[1,2]"`` -> array of INT8).

    Example::

        SimpleHeaderConverter().to_connect_header("t", "h", b"true").value   # True
    """

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.storage.SimpleHeaderConverter",)

    def config(self) -> ConfigDef:
        return ConfigDef()

    def configure(self, configs: Mapping[str, Any]) -> None:
        pass

    def from_connect_header(self, topic: str, header_key: str, schema: Schema | None, value: Any) -> bytes | None:
        text = convert_to_string(schema, value)
        return None if text is None else text.encode("utf-8")

    def to_connect_header(self, topic: str, header_key: str, value: bytes | None) -> SchemaAndValue:
        if value is None:
            return SchemaAndValue.NULL
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            text = value.decode("utf-8", errors="replace")
            return SchemaAndValue(Schema.STRING_SCHEMA, text)
        if text == "":
            return SchemaAndValue(Schema.STRING_SCHEMA, text)
        try:
            parsed = parse_string(text)
        except Exception:  # as Java: any failure to infer a type leaves the header a string
            return SchemaAndValue(Schema.STRING_SCHEMA, text)
        return SchemaAndValue.NULL if parsed is None else parsed

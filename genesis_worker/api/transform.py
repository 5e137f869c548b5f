"""Single message transforms, predicates and converters: the pluggable record-shaping steps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, Literal, TypeVar

from genesis_worker.api.data import Schema, SchemaAndValue
from genesis_worker.api.plugin import Plugin
from genesis_worker.api.records import ConnectRecord, Header, Headers

R = TypeVar("R", bound=ConnectRecord)


class Transformation(Plugin, Generic[R]):
    """Changes one record, or drops it by returning None (``org.apache.kafka.connect.transforms.Transformation``)."""

    def configure(self, configs: Mapping[str, Any]) -> None:
        """Receive the transform's own keys (``transforms.<alias>.`` stripped)."""

    def apply(self, record: R) -> R | None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class Predicate(Plugin, Generic[R]):
    """Decides whether a transform applies to a record."""

    def configure(self, configs: Mapping[str, Any]) -> None:
        pass

    def test(self, record: R) -> bool:
        raise NotImplementedError

    def close(self) -> None:
        pass


class Converter(Plugin):
    """Turns Connect data into bytes and back (``org.apache.kafka.connect.storage.Converter``)."""

    def configure(self, configs: Mapping[str, Any], is_key: bool) -> None:
        """Receive the converter's keys (``key.converter.``/``value.converter.`` stripped)."""

    def from_connect_data(
        self, topic: str, schema: Schema | None, value: Any, headers: Headers | None = None
    ) -> bytes | None:
        raise NotImplementedError

    def to_connect_data(self, topic: str, value: bytes | None, headers: Headers | None = None) -> SchemaAndValue:
        raise NotImplementedError


class HeaderConverter(Plugin):
    """Turns header values into bytes and back (``org.apache.kafka.connect.storage.HeaderConverter``)."""

    def configure(self, configs: Mapping[str, Any]) -> None:
        pass

    def from_connect_header(self, topic: str, header_key: str, schema: Schema | None, value: Any) -> bytes | None:
        raise NotImplementedError

    def to_connect_header(self, topic: str, header_key: str, value: bytes | None) -> SchemaAndValue:
        raise NotImplementedError

    def decode(self, topic: str, header_key: str, value: bytes | None) -> Header:
        sv = self.to_connect_header(topic, header_key, value)
        return Header(header_key, sv.value, sv.schema)


PluginType = Literal["sink", "source", "converter", "header_converter", "transformation", "predicate"]

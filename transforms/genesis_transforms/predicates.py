"""Predicates (``org.apache.kafka.connect.transforms.predicates.*``): ``TopicNameMatches``,
``HasHeaderKey``, ``RecordIsTombstone``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from genesis_worker.api.config import ConfigDef, ConfigType, Importance
from genesis_worker.api.errors import ConfigException
from genesis_worker.api.records import ConnectRecord
from genesis_worker.api.transform import Predicate
from genesis_worker.api.validators import CompositeValidator, LambdaValidator, NonEmptyString

from ._util import compile_java_regex
from .router import validate_regex

TOPIC_NAME_MATCHES_CONFIG_DEF = ConfigDef().define(
    "pattern",
    ConfigType.STRING,
    validator=CompositeValidator.of(NonEmptyString(), LambdaValidator(validate_regex, "valid regex")),
    importance=Importance.MEDIUM,
    documentation="A Java regular expression for matching against the name of a record's topic.",
)


class TopicNameMatches(Predicate[ConnectRecord]):
    """True when the record's topic fully matches ``pattern``."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.predicates.TopicNameMatches",)

    def __init__(self) -> None:
        self.pattern: re.Pattern[str] = re.compile("")
        self._hits: dict[str, bool] = {}

    def config(self) -> ConfigDef:
        return TOPIC_NAME_MATCHES_CONFIG_DEF

    def configure(self, configs: Mapping[str, Any]) -> None:
        value = TOPIC_NAME_MATCHES_CONFIG_DEF.parse(configs)["pattern"]
        try:
            self.pattern = compile_java_regex(value)
        except re.error as e:
            raise ConfigException(
                f"Invalid value {value} for configuration pattern: entry must be a Java-compatible regular "
                f"expression: {e}",
                "pattern",
                value,
            ) from e
        self._hits = {}

    def test(self, record: ConnectRecord) -> bool:
        topic = record.topic
        if topic is None:
            return False
        hit = self._hits.get(topic)
        if hit is None:
            hit = self.pattern.fullmatch(topic) is not None
            if len(self._hits) < 4096:
                self._hits[topic] = hit
        return hit


HAS_HEADER_KEY_CONFIG_DEF = ConfigDef().define(
    "name",
    ConfigType.STRING,
    validator=NonEmptyString(),
    importance=Importance.MEDIUM,
    documentation="The header name.",
)


class HasHeaderKey(Predicate[ConnectRecord]):
    """True when the record has at least one header called ``name`` (raw headers are not decoded)."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.predicates.HasHeaderKey",)

    def __init__(self) -> None:
        self.name = ""

    def config(self) -> ConfigDef:
        return HAS_HEADER_KEY_CONFIG_DEF

    def configure(self, configs: Mapping[str, Any]) -> None:
        self.name = HAS_HEADER_KEY_CONFIG_DEF.parse(configs)["name"]

    def test(self, record: ConnectRecord) -> bool:
        raw = record.headers.raw
        if raw is not None:
            return any(k == self.name for k, _ in raw)
        return record.headers.last_with_name(self.name) is not None


class RecordIsTombstone(Predicate[ConnectRecord]):
    """True when the record value is null."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",)

    def config(self) -> ConfigDef:
        return ConfigDef()

    def test(self, record: ConnectRecord) -> bool:
        return record.value is None

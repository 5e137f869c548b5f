"""Topic routers: ``RegexRouter`` (rename by regular expression) and ``TimestampRouter`` (topic per
time bucket of the record timestamp)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from genesis_worker.api.config import ConfigDef, ConfigType, Importance
from genesis_worker.api.errors import ConfigException, DataException
from genesis_worker.api.records import ConnectRecord
from genesis_worker.api.transform import Transformation
from genesis_worker.api.validators import LambdaValidator

from ._datefmt import SimpleDateFormat
from ._util import compile_java_regex, java_replacement


def validate_regex(name: str, value: Any) -> None:
    """``RegexValidator``."""
    try:
        compile_java_regex(str(value))
    except re.error as e:
        raise ConfigException(f"Invalid value {value} for configuration {name}: Invalid regex: {e}", name, value) from e


REGEX_ROUTER_CONFIG_DEF = (
    ConfigDef()
    .define(
        "regex",
        ConfigType.STRING,
        validator=LambdaValidator(validate_regex, "valid regex"),
        importance=Importance.HIGH,
        documentation="Regular expression to use for matching.",
    )
    .define("replacement", ConfigType.STRING, importance=Importance.HIGH, documentation="Replacement string.")
)


class RegexRouter(Transformation[ConnectRecord]):
    """If the topic fully matches ``regex``, replace the first match with ``replacement`` (``$1``,
    ``${name}`` group references, Java syntax).

    Example: ``regex=(.*)-raw``, ``replacement=$1-clean``.
    """

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.RegexRouter",)

    def __init__(self) -> None:
        self.regex: re.Pattern[str] = re.compile("")
        self.template = ""
        self._routes: dict[str, str | None] = {}

    def config(self) -> ConfigDef:
        return REGEX_ROUTER_CONFIG_DEF

    def configure(self, configs: Mapping[str, Any]) -> None:
        parsed = REGEX_ROUTER_CONFIG_DEF.parse(configs)
        self.regex = compile_java_regex(parsed["regex"])
        self.template = java_replacement(parsed["replacement"], self.regex.groups)
        self._routes = {}

    def route(self, topic: str) -> str | None:
        """The new topic name, or None when ``topic`` does not match (answers cached per topic)."""
        cache = self._routes
        if topic in cache:
            return cache[topic]
        routed = self.regex.sub(self.template, topic, count=1) if self.regex.fullmatch(topic) is not None else None
        if len(cache) >= 4096:
            cache.clear()
        cache[topic] = routed
        return routed

    def apply(self, record: ConnectRecord) -> ConnectRecord:
        routed = self.route(record.topic)
        if routed is None:
            return record
        return record.new_record(
            routed,
            record.kafka_partition,
            record.key_schema,
            record.key,
            record.value_schema,
            record.value,
            record.timestamp,
            record.headers,
        )


TIMESTAMP_ROUTER_CONFIG_DEF = (
    ConfigDef()
    .define(
        "topic.format",
        ConfigType.STRING,
        "${topic}-${timestamp}",
        None,
        Importance.HIGH,
        "Format string which can contain <code>${topic}</code> and <code>${timestamp}</code> as placeholders for "
        "the topic and timestamp, respectively.",
    )
    .define(
        "timestamp.format",
        ConfigType.STRING,
        "yyyyMMdd",
        None,
        Importance.HIGH,
        "Format string for the timestamp that is compatible with <code>java.text.SimpleDateFormat</code>.",
    )
)


class TimestampRouter(Transformation[ConnectRecord]):
    """Topic := ``topic.format`` with ``${topic}`` and ``${timestamp}`` (the record timestamp formatted
    with ``timestamp.format``, UTC) substituted. The formatted topic is cached per time bucket (a day for
    ``yyyyMMdd``), so most records cost one integer division and a dict lookup."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.TimestampRouter",)

    def __init__(self) -> None:
        self.topic_format = "${topic}-${timestamp}"
        self.format = SimpleDateFormat("yyyyMMdd")
        self._unit = 86_400_000
        self._cache: dict[tuple[str, int], str] = {}

    def config(self) -> ConfigDef:
        return TIMESTAMP_ROUTER_CONFIG_DEF

    def configure(self, configs: Mapping[str, Any]) -> None:
        parsed = TIMESTAMP_ROUTER_CONFIG_DEF.parse(configs)
        self.topic_format = parsed["topic.format"]
        try:
            self.format = SimpleDateFormat(parsed["timestamp.format"])
        except ValueError as e:
            raise ConfigException(str(e), "timestamp.format", parsed["timestamp.format"]) from e
        self._unit = self.format.finest_unit_ms
        self._cache = {}

    def apply(self, record: ConnectRecord) -> ConnectRecord:
        ts = record.timestamp
        if ts is None:
            raise DataException(f"Timestamp missing on record: {record!r}")
        key = (record.topic, ts // self._unit)
        topic = self._cache.get(key)
        if topic is None:
            topic = self.topic_format.replace("${topic}", record.topic).replace("${timestamp}", self.format.format(ts))
            if len(self._cache) >= 1024:
                self._cache.clear()
            self._cache[key] = topic
        return record.new_record(
            topic,
            record.kafka_partition,
            record.key_schema,
            record.key,
            record.value_schema,
            record.value,
            record.timestamp,
            record.headers,
        )

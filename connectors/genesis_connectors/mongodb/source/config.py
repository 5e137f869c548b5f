"""The source's configuration, key for key the Java connector's ``MongoSourceConfig``: the typed view of
a parsed config (:class:`MongoSourceConfig`) and ``validate``. Keys are in
:mod:`~genesis_connectors.mongodb.source.keys`, the ConfigDef in :mod:`~genesis_connectors.mongodb.source.config_def`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bson import Timestamp

from genesis_connectors.mongodb import configs as c
from genesis_connectors.mongodb.bson_json import FORMATTERS, JsonMode
from genesis_connectors.mongodb.source.config_def import CONFIG_DEF, parse_operation_time
from genesis_connectors.mongodb.source.keys import (
    COLLATION_CONFIG,
    COLLECTION_CONFIG,
    COPY_ALLOW_DISK_USE_CONFIG,
    COPY_EXISTING_CONFIG,
    COPY_NAMESPACE_REGEX_CONFIG,
    COPY_PIPELINE_CONFIG,
    COPY_QUEUE_SIZE_CONFIG,
    DATABASE_CONFIG,
    DEFAULT_TOPIC_MAPPER,
    DEPRECATED_COPY,
    ERRORS_DLQ_TOPIC_CONFIG,
    FULL_DOCUMENT_BEFORE_CHANGE_CONFIG,
    FULL_DOCUMENT_BEFORE_CHANGE_VALUES,
    FULL_DOCUMENT_CONFIG,
    FULL_DOCUMENT_VALUES,
    HEARTBEAT_INTERVAL_MS_CONFIG,
    HEARTBEAT_TOPIC_NAME_CONFIG,
    OFFSET_PARTITION_NAME_CONFIG,
    OUTPUT_FORMAT_KEY_CONFIG,
    OUTPUT_FORMAT_VALUE_CONFIG,
    OUTPUT_JSON_FORMATTER_CONFIG,
    OUTPUT_SCHEMA_INFER_VALUE_CONFIG,
    OVERRIDE_ERRORS_DLQ_TOPIC_CONFIG,
    PIPELINE_CONFIG,
    POLL_AWAIT_TIME_MS_CONFIG,
    POLL_MAX_BATCH_SIZE_CONFIG,
    PUBLISH_FULL_DOCUMENT_ONLY_CONFIG,
    START_AT_OPERATION_TIME_CONFIG,
    STARTUP_MODE_CONFIG,
    TOMBSTONE_ON_DELETE_CONFIG,
    TOPIC_MAPPER_CONFIG,
    TOPIC_NAMESPACE_MAP_CONFIG,
)
from genesis_worker.api import ConfigException, ConfigValue


@dataclass(frozen=True)
class CopyExisting:
    pipeline: list[dict[str, Any]]
    namespace_regex: str
    allow_disk_use: bool
    queue_size: int


@dataclass(frozen=True)
class Startup:
    mode: str  # latest | timestamp | copy_existing
    start_at: Timestamp | None = None
    copy: CopyExisting | None = None


class MongoSourceConfig:
    """Parsed source settings with the derived values the task uses."""

    def __init__(self, props: Mapping[str, Any]) -> None:
        self.props = dict(props)
        self.values = CONFIG_DEF.parse(props)
        v = self.values
        self.uri = c.uri_of(props)
        self.database = str(v[DATABASE_CONFIG])
        self.collection = str(v[COLLECTION_CONFIG])
        if self.collection and not self.database:
            raise ConfigException(
                f"Invalid value {self.collection} for configuration {COLLECTION_CONFIG}: "
                f"Missing database configuration `{DATABASE_CONFIG}`"
            )
        if v[OUTPUT_SCHEMA_INFER_VALUE_CONFIG]:
            raise ConfigException(
                f"Invalid value true for configuration {OUTPUT_SCHEMA_INFER_VALUE_CONFIG}: inferring value schemas is "
                "not supported by the genesis-worker MongoDB source; set output.schema.value instead."
            )
        if v[TOPIC_MAPPER_CONFIG] != DEFAULT_TOPIC_MAPPER:
            raise ConfigException(
                f"Invalid value {v[TOPIC_MAPPER_CONFIG]} for configuration {TOPIC_MAPPER_CONFIG}: only "
                f"{DEFAULT_TOPIC_MAPPER} is supported."
            )
        self.pipeline: list[dict[str, Any]] = c.json_array(PIPELINE_CONFIG, v[PIPELINE_CONFIG]) or []
        self.json_mode: JsonMode = FORMATTERS[str(v[OUTPUT_JSON_FORMATTER_CONFIG])]
        self.key_format = str(v[OUTPUT_FORMAT_KEY_CONFIG]).lower()
        self.value_format = str(v[OUTPUT_FORMAT_VALUE_CONFIG]).lower()
        self.publish_full_document_only = bool(v[PUBLISH_FULL_DOCUMENT_ONLY_CONFIG])
        self.tombstone_on_delete = self.publish_full_document_only and bool(v[TOMBSTONE_ON_DELETE_CONFIG])
        self.poll_max_batch_size = int(v[POLL_MAX_BATCH_SIZE_CONFIG])
        self.poll_await_time_ms = int(v[POLL_AWAIT_TIME_MS_CONFIG])
        self.heartbeat_interval_ms = int(v[HEARTBEAT_INTERVAL_MS_CONFIG])
        self.heartbeat_topic = str(v[HEARTBEAT_TOPIC_NAME_CONFIG])
        self.tolerate_errors = c.tolerate_errors(props)
        self.log_errors = c.log_errors(props)
        self.dlq_topic = c.override_or_fallback(props, OVERRIDE_ERRORS_DLQ_TOPIC_CONFIG, ERRORS_DLQ_TOPIC_CONFIG, "")
        namespace_map = str(v[TOPIC_NAMESPACE_MAP_CONFIG])
        self.namespace_map: dict[str, Any] = json.loads(namespace_map) if namespace_map else {}
        if any(not isinstance(t, str) for t in self.namespace_map.values()):
            raise ConfigException(
                f"Invalid value {namespace_map} for configuration {TOPIC_NAMESPACE_MAP_CONFIG}: "
                f"All values of `{TOPIC_NAMESPACE_MAP_CONFIG}` must be strings"
            )
        self.startup = self._startup()

    def get(self, key: str) -> Any:
        return self.values[key]

    @property
    def full_document(self) -> str | None:
        if self.publish_full_document_only:
            return "updateLookup"
        value = str(self.values[FULL_DOCUMENT_CONFIG])
        return _canonical(value, FULL_DOCUMENT_VALUES) if value else None

    @property
    def full_document_before_change(self) -> str | None:
        value = str(self.values[FULL_DOCUMENT_BEFORE_CHANGE_CONFIG])
        return _canonical(value, FULL_DOCUMENT_BEFORE_CHANGE_VALUES) if value else None

    @property
    def collation(self) -> dict[str, Any] | None:
        value = str(self.values[COLLATION_CONFIG])
        return json.loads(value) if value else None

    def _override_or_deprecated(self, key: str) -> Any:
        old = DEPRECATED_COPY[key]
        return self.values[key] if key in self.props or old not in self.props else self.values[old]

    def _startup(self) -> Startup:
        mode = str(self.values[STARTUP_MODE_CONFIG]).lower()
        if not mode:
            mode = "copy_existing" if self.values[COPY_EXISTING_CONFIG] else "latest"
        if mode == "timestamp":
            text = str(self.values[START_AT_OPERATION_TIME_CONFIG])
            return Startup(mode, start_at=parse_operation_time(START_AT_OPERATION_TIME_CONFIG, text) if text else None)
        if mode == "copy_existing":
            pipeline = c.json_array(COPY_PIPELINE_CONFIG, self._override_or_deprecated(COPY_PIPELINE_CONFIG)) or []
            return Startup(
                mode,
                copy=CopyExisting(
                    pipeline,
                    str(self._override_or_deprecated(COPY_NAMESPACE_REGEX_CONFIG)),
                    bool(self._override_or_deprecated(COPY_ALLOW_DISK_USE_CONFIG)),
                    int(self._override_or_deprecated(COPY_QUEUE_SIZE_CONFIG)),
                ),
            )
        return Startup("latest")

    def partition_name(self) -> str:
        """``MongoSourceTask.createDefaultPartitionName`` (or ``offset.partition.name``)."""
        custom = str(self.values[OFFSET_PARTITION_NAME_CONFIG])
        if custom:
            return custom
        scheme = "mongodb+srv://" if self.uri.startswith("mongodb+srv://") else "mongodb://"
        name = scheme + ",".join(c.uri_hosts(self.uri)) + "/" + self.database
        if self.collection:
            name += "." + self.collection
        return name


def _canonical(value: str, allowed: tuple[str, ...]) -> str:
    for a in allowed:
        if a.lower() == value.lower():
            return a
    return value


def validate(props: Mapping[str, Any]) -> list[ConfigValue]:
    results = {v.name: v for v in CONFIG_DEF.validate(props)}
    if any(v.errors for v in results.values()):
        return list(results.values())
    try:
        MongoSourceConfig(props)
    except ConfigException as e:
        m = re.search(r"for configuration (\S+?):", str(e))
        name = m.group(1) if m else COLLECTION_CONFIG
        cv = results.setdefault(name, ConfigValue(name, props.get(name)))
        cv.add_error(str(e))
    return list(results.values())

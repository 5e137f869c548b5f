"""The sink's configuration, key for key the Java connector's ``MongoSinkConfig`` + ``MongoSinkTopicConfig``.

Every topic gets its own :class:`TopicSettings`: the connector's keys overlaid with
``topic.override.<topic>.<key>`` (``connection.uri``, ``topics`` and ``topics.regex`` cannot be
overridden). The strategies built from them live in :mod:`genesis_connectors.mongodb.sink.topic`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from genesis_connectors.mongodb import configs as c
from genesis_worker.api import ConfigDef, ConfigException, ConfigType, Importance, Range, Width
from genesis_worker.api.validators import NonEmptyString

TOPICS_CONFIG = "topics"
TOPICS_REGEX_CONFIG = "topics.regex"
TOPIC_OVERRIDE_PREFIX = "topic.override."

DATABASE_CONFIG = "database"
COLLECTION_CONFIG = "collection"
NAMESPACE_MAPPER_CONFIG = "namespace.mapper"
KEY_DATABASE_FIELD_CONFIG = "namespace.mapper.key.database.field"
KEY_COLLECTION_FIELD_CONFIG = "namespace.mapper.key.collection.field"
VALUE_DATABASE_FIELD_CONFIG = "namespace.mapper.value.database.field"
VALUE_COLLECTION_FIELD_CONFIG = "namespace.mapper.value.collection.field"
NAMESPACE_ERROR_IF_INVALID_CONFIG = "namespace.mapper.error.if.invalid"
MAX_NUM_RETRIES_CONFIG = "max.num.retries"
RETRIES_DEFER_TIMEOUT_CONFIG = "retries.defer.timeout"
DELETE_ON_NULL_VALUES_CONFIG = "delete.on.null.values"
WRITEMODEL_STRATEGY_CONFIG = "writemodel.strategy"
MAX_BATCH_SIZE_CONFIG = "max.batch.size"
RATE_LIMITING_TIMEOUT_CONFIG = "rate.limiting.timeout"
RATE_LIMITING_EVERY_N_CONFIG = "rate.limiting.every.n"
BULK_WRITE_ORDERED_CONFIG = "bulk.write.ordered"
POST_PROCESSOR_CHAIN_CONFIG = "post.processor.chain"
KEY_PROJECTION_TYPE_CONFIG = "key.projection.type"
KEY_PROJECTION_LIST_CONFIG = "key.projection.list"
VALUE_PROJECTION_TYPE_CONFIG = "value.projection.type"
VALUE_PROJECTION_LIST_CONFIG = "value.projection.list"
FIELD_RENAMER_MAPPING_CONFIG = "field.renamer.mapping"
FIELD_RENAMER_REGEXP_CONFIG = "field.renamer.regexp"
DOCUMENT_ID_STRATEGY_CONFIG = "document.id.strategy"
DOCUMENT_ID_STRATEGY_OVERWRITE_EXISTING_CONFIG = "document.id.strategy.overwrite.existing"
DOCUMENT_ID_STRATEGY_UUID_FORMAT_CONFIG = "document.id.strategy.uuid.format"
PARTIAL_KEY_PROJECTION_TYPE_CONFIG = "document.id.strategy.partial.key.projection.type"
PARTIAL_KEY_PROJECTION_LIST_CONFIG = "document.id.strategy.partial.key.projection.list"
PARTIAL_VALUE_PROJECTION_TYPE_CONFIG = "document.id.strategy.partial.value.projection.type"
PARTIAL_VALUE_PROJECTION_LIST_CONFIG = "document.id.strategy.partial.value.projection.list"
CHANGE_DATA_CAPTURE_HANDLER_CONFIG = "change.data.capture.handler"
TIMESERIES_TIMEFIELD_CONFIG = "timeseries.timefield"
TIMESERIES_PREFIX = "timeseries."

_PKG = "com.mongodb.kafka.connect.sink."
DEFAULT_NAMESPACE_MAPPER = _PKG + "namespace.mapping.DefaultNamespaceMapper"
DEFAULT_WRITE_MODEL = _PKG + "writemodel.strategy.DefaultWriteModelStrategy"
DEFAULT_ID_STRATEGY = _PKG + "processor.id.strategy.BsonOidStrategy"
DEFAULT_POST_PROCESSOR = _PKG + "processor.DocumentIdAdder"
PROJECTION_TYPES = ("none", "blacklist", "whitelist", "allowlist", "blocklist")


def _define_topic_keys(d: ConfigDef) -> ConfigDef:
    g = "Namespace"
    d.define(
        DATABASE_CONFIG,
        ConfigType.STRING,
        validator=NonEmptyString(),
        importance=Importance.HIGH,
        documentation="The database for the sink to write.",
        group=g,
        order_in_group=1,
        width=Width.MEDIUM,
        display_name="The MongoDB database name.",
    )
    d.define(
        COLLECTION_CONFIG,
        ConfigType.STRING,
        "",
        importance=Importance.HIGH,
        documentation="Optional, single sink collection name to write to. If following multiple topics then "
        "this will be the default collection they are mapped to.",
        group=g,
        order_in_group=2,
        width=Width.MEDIUM,
        display_name="The default MongoDB collection name",
    )
    g = "Namespace mapping"
    d.define(
        NAMESPACE_MAPPER_CONFIG,
        ConfigType.STRING,
        DEFAULT_NAMESPACE_MAPPER,
        c.CLASS_NAME,
        Importance.HIGH,
        "The class that determines the namespace to write the sink data to. By default this will be based on "
        "the 'database' configuration and either the topic name or the 'collection' configuration.",
        g,
        1,
        Width.LONG,
        "The namespace mapper class",
    )
    for i, (key, what) in enumerate(
        (
            (KEY_DATABASE_FIELD_CONFIG, "key field to use as the destination database name"),
            (KEY_COLLECTION_FIELD_CONFIG, "key field to use as the destination collection name"),
            (VALUE_DATABASE_FIELD_CONFIG, "value field to use as the destination database name"),
            (VALUE_COLLECTION_FIELD_CONFIG, "value field to use as the destination collection name"),
        ),
        start=2,
    ):
        d.define(
            key,
            ConfigType.STRING,
            "",
            importance=Importance.MEDIUM,
            documentation=f"The {what}. Requires the 'namespace.mapper' to be set to "
            "'com.mongodb.kafka.connect.sink.namespace.mapping.FieldPathNamespaceMapper'.",
            group=g,
            order_in_group=i,
            width=Width.MEDIUM,
            display_name=f"The {what}.",
        )
    d.define(
        NAMESPACE_ERROR_IF_INVALID_CONFIG,
        ConfigType.BOOLEAN,
        False,
        importance=Importance.MEDIUM,
        documentation="Throw an error if the mapped field is missing or invalid. Defaults to false.",
        group=g,
        order_in_group=6,
        width=Width.MEDIUM,
        display_name="Throw an error if the mapped field is missing or invalid.",
    )
    g = "Writes"
    d.define(
        MAX_NUM_RETRIES_CONFIG,
        ConfigType.INT,
        1,
        Range.at_least(0),
        Importance.MEDIUM,
        "How often a retry should be done on write errors",
        g,
        1,
        Width.MEDIUM,
        "Max number of retries",
    )
    d.define(
        RETRIES_DEFER_TIMEOUT_CONFIG,
        ConfigType.INT,
        5000,
        Range.at_least(0),
        Importance.MEDIUM,
        "How long in ms a retry should get deferred",
        g,
        2,
        Width.MEDIUM,
        "Retry defer timeout",
    )
    d.define(
        DELETE_ON_NULL_VALUES_CONFIG,
        ConfigType.BOOLEAN,
        False,
        importance=Importance.MEDIUM,
        documentation="Whether or not the connector tries to delete documents based on key when value is null",
        group=g,
        order_in_group=3,
        width=Width.MEDIUM,
        display_name="Delete on null values",
    )
    d.define(
        WRITEMODEL_STRATEGY_CONFIG,
        ConfigType.STRING,
        DEFAULT_WRITE_MODEL,
        c.CLASS_NAME,
        Importance.LOW,
        "The class the handles how build the write models for the sink documents",
        g,
        4,
        Width.MEDIUM,
        "The writeModel strategy",
    )
    d.define(
        MAX_BATCH_SIZE_CONFIG,
        ConfigType.INT,
        0,
        Range.at_least(0),
        Importance.MEDIUM,
        "The maximum number of sink records to possibly batch together for processing",
        g,
        5,
        Width.MEDIUM,
        "The maximum batch size",
    )
    d.define(
        RATE_LIMITING_TIMEOUT_CONFIG,
        ConfigType.INT,
        0,
        Range.at_least(0),
        Importance.LOW,
        "How long in ms processing should wait before continue processing",
        g,
        6,
        Width.MEDIUM,
        "The rate limiting timeout",
    )
    d.define(
        RATE_LIMITING_EVERY_N_CONFIG,
        ConfigType.INT,
        0,
        Range.at_least(0),
        Importance.LOW,
        "After how many processed batches the rate limit should trigger (NO rate limiting if n=0)",
        g,
        7,
        Width.MEDIUM,
        "The rate limiting batch number",
    )
    d.define(
        BULK_WRITE_ORDERED_CONFIG,
        ConfigType.BOOLEAN,
        True,
        importance=Importance.MEDIUM,
        documentation="Whether the batches controlled by 'max.batch.size' must be written via ordered bulk writes.",
        group=g,
        order_in_group=8,
        width=Width.MEDIUM,
        display_name="Bulk write ordered",
    )
    g = "Post Processing"
    d.define(
        POST_PROCESSOR_CHAIN_CONFIG,
        ConfigType.LIST,
        DEFAULT_POST_PROCESSOR,
        c.CLASS_NAMES,
        Importance.LOW,
        "A comma separated list of post processor classes to process the data before saving to MongoDB.",
        g,
        1,
        Width.MEDIUM,
        "The post processor chain",
    )
    for i, (key, what) in enumerate(
        ((KEY_PROJECTION_TYPE_CONFIG, "key"), (VALUE_PROJECTION_TYPE_CONFIG, "value")), start=0
    ):
        d.define(
            key,
            ConfigType.STRING,
            "none",
            c.enum_validator(PROJECTION_TYPES),
            Importance.LOW,
            f"The type of {what} projection to use Use either `AllowList` or `BlockList`.",
            g,
            2 + 2 * i,
            Width.MEDIUM,
            f"The {what} projection type",
        )
        d.define(
            key.replace(".type", ".list"),
            ConfigType.STRING,
            "",
            importance=Importance.LOW,
            documentation=f"A comma separated list of field names for {what} projection",
            group=g,
            order_in_group=3 + 2 * i,
            width=Width.MEDIUM,
            display_name=f"The {what} projection list",
            dependents=[key],
        )
    d.define(
        FIELD_RENAMER_MAPPING_CONFIG,
        ConfigType.STRING,
        "[]",
        c.JSON_ARRAY,
        Importance.LOW,
        "An inline JSON array with objects describing field name mappings.\nExample: "
        '`[{"oldName":"key.fieldA","newName":"field1"},{"oldName":"value.xyz","newName":"abc"}]`',
        g,
        6,
        Width.MEDIUM,
        "The field renamer mapping",
    )
    d.define(
        FIELD_RENAMER_REGEXP_CONFIG,
        ConfigType.STRING,
        "[]",
        c.JSON_ARRAY,
        Importance.LOW,
        "An inline JSON array with objects describing regexp settings.",
        g,
        7,
        Width.MEDIUM,
        "The field renamer regex",
    )
    g = "Id Strategies"
    d.define(
        DOCUMENT_ID_STRATEGY_CONFIG,
        ConfigType.STRING,
        DEFAULT_ID_STRATEGY,
        c.EMPTY_OR_CLASS_NAME,
        Importance.HIGH,
        "The IdStrategy class name to use for generating a unique document id (_id)",
        g,
        1,
        Width.MEDIUM,
        "The document id strategy",
    )
    d.define(
        DOCUMENT_ID_STRATEGY_OVERWRITE_EXISTING_CONFIG,
        ConfigType.BOOLEAN,
        False,
        importance=Importance.HIGH,
        documentation="Allows the document id strategy will overwrite existing `_id` values",
        group=g,
        order_in_group=2,
        width=Width.MEDIUM,
        display_name="The document id strategy overwrite existing setting",
    )
    d.define(
        DOCUMENT_ID_STRATEGY_UUID_FORMAT_CONFIG,
        ConfigType.STRING,
        "string",
        c.enum_validator(("string", "binary")),
        Importance.HIGH,
        "The bson output format when using the `UuidStrategy`. Either `String` or `Binary`.",
        g,
        3,
        Width.MEDIUM,
        "The document id strategy uuid format",
    )
    for i, (key, what) in enumerate(
        ((PARTIAL_KEY_PROJECTION_TYPE_CONFIG, "key"), (PARTIAL_VALUE_PROJECTION_TYPE_CONFIG, "value"))
    ):
        strategy = "PartialKeyStrategy" if what == "key" else "PartialValueStrategy"
        d.define(
            key,
            ConfigType.STRING,
            "",
            c.enum_validator(PROJECTION_TYPES, allow_empty=True),
            Importance.LOW,
            f"For use with the `{strategy}` allows custom {what} fields to be projected for the id strategy. "
            "Use either `AllowList` or `BlockList`.",
            g,
            4 + 2 * i,
            Width.MEDIUM,
            f"The document id strategy {what} projection",
        )
        d.define(
            key.replace(".type", ".list"),
            ConfigType.STRING,
            "",
            importance=Importance.LOW,
            documentation=f"For use with the `{strategy}` allows custom {what} fields to be projected for the "
            f"id strategy. A comma separated list of field names for {what} projection.",
            group=g,
            order_in_group=5 + 2 * i,
            width=Width.MEDIUM,
            display_name=f"The document id strategy {what} projection list",
            dependents=[key],
        )
    g = "Errors"
    d.define(
        c.OVERRIDE_ERRORS_TOLERANCE_CONFIG,
        ConfigType.STRING,
        "none",
        c.enum_validator(("none", "all")),
        Importance.MEDIUM,
        "Use this property if you would like to configure the connector's error handling "
        "behavior differently from the Connect framework's.",
        g,
        1,
        Width.SHORT,
        "Error Tolerance",
    )
    d.define(
        c.OVERRIDE_ERRORS_LOG_ENABLE_CONFIG,
        ConfigType.BOOLEAN,
        False,
        importance=Importance.MEDIUM,
        documentation="Use this property if you would like to configure the connector's error handling "
        "behavior differently from the mapping Connect framework's.",
        group=g,
        order_in_group=2,
        width=Width.SHORT,
        display_name="Log Errors",
    )
    g = "Change Data Capture"
    d.define(
        CHANGE_DATA_CAPTURE_HANDLER_CONFIG,
        ConfigType.STRING,
        "",
        c.EMPTY_OR_CLASS_NAME,
        Importance.LOW,
        "The class name of the CDC handler to use for processing. Not supported by genesis-worker: leave empty.",
        g,
        1,
        Width.MEDIUM,
        "The CDC handler",
    )
    g = "Time series"
    d.define(
        TIMESERIES_TIMEFIELD_CONFIG,
        ConfigType.STRING,
        "",
        importance=Importance.LOW,
        documentation="Time-series collections are not supported by genesis-worker: leave empty.",
        group=g,
        order_in_group=1,
        width=Width.MEDIUM,
        display_name="The field used for time",
    )
    return d


CONFIG_DEF: ConfigDef = _define_topic_keys(
    ConfigDef().define(
        c.CONNECTION_URI_CONFIG,
        ConfigType.PASSWORD,
        c.CONNECTION_URI_DEFAULT,
        c.CONNECTION_URI,
        Importance.HIGH,
        c.CONNECTION_URI_DOC,
        "Connection",
        1,
        Width.MEDIUM,
        "MongoDB Connection URI",
    )
)
"""The connector's ConfigDef (``GET /connector-plugins/MongoSinkConnector/config``)."""

TOPIC_CONFIG_DEF: ConfigDef = _define_topic_keys(ConfigDef())


@dataclass(frozen=True)
class ErrorHandling:
    tolerate: bool
    log: bool


class TopicSettings:
    """The effective settings of one topic (``MongoSinkTopicConfig`` without its strategy objects)."""

    def __init__(self, topic: str, props: Mapping[str, str]) -> None:
        self.topic = topic
        self.props = topic_props(topic, props)
        check_unsupported(self.props)
        self.values: dict[str, Any] = TOPIC_CONFIG_DEF.parse(self.props)
        self.errors = ErrorHandling(c.tolerate_errors(self.props), c.log_errors(self.props))

    def get(self, key: str) -> Any:
        return self.values[key]

    @property
    def default_collection(self) -> str:
        return str(self.values[COLLECTION_CONFIG]) or self.topic


def topic_props(topic: str, props: Mapping[str, Any]) -> dict[str, Any]:
    """``createSinkTopicOriginals``: connector keys without overrides/URI/topics, then this topic's overrides."""
    out: dict[str, Any] = {}
    prefix = f"{TOPIC_OVERRIDE_PREFIX}{topic}."
    overrides: dict[str, Any] = {}
    for k, v in props.items():
        if not k.startswith(TOPIC_OVERRIDE_PREFIX) and k not in (
            c.CONNECTION_URI_CONFIG,
            TOPICS_CONFIG,
            TOPICS_REGEX_CONFIG,
        ):
            out[k] = v
        if topic and k.startswith(prefix):
            overrides[k[len(prefix) :]] = v
    out.update(overrides)
    return out


def check_unsupported(props: Mapping[str, Any], prefix: str = "") -> None:
    """Reject keys of the Java connector this implementation does not support, with what to do instead."""
    for k, v in props.items():
        if k.startswith(TIMESERIES_PREFIX) and str(v).strip() not in ("", "0", "default"):
            raise ConfigException(
                f"Invalid value {v} for configuration {prefix}{k}: time-series collections (timeseries.*) are not "
                "supported by the genesis-worker MongoDB sink. Remove the timeseries.* settings and create the "
                "time-series collection in MongoDB beforehand; documents are then written to it with InsertOne "
                "(writemodel.strategy=com.mongodb.kafka.connect.sink.writemodel.strategy.InsertOneDefaultStrategy)."
            )
    handler = str(props.get(CHANGE_DATA_CAPTURE_HANDLER_CONFIG, "") or "").strip()
    if handler:
        raise ConfigException(
            f"Invalid value {handler} for configuration {prefix}{CHANGE_DATA_CAPTURE_HANDLER_CONFIG}: change data "
            "capture handlers are not supported by the genesis-worker MongoDB sink."
        )


def key_in_message(message: str) -> str | None:
    m = re.search(r"for configuration (\S+?):", message)
    if not m:
        return None
    key = m.group(1)
    if key.startswith(TOPIC_OVERRIDE_PREFIX):
        key = key[len(TOPIC_OVERRIDE_PREFIX) :].split(".", 1)[1]
    return key

"""The MongoDB source's ConfigDef (``MongoSourceConfig.CONFIG``): every key with its type, default,
validator, group and documentation, and the validators it needs."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from bson import Timestamp

from genesis_connectors.mongodb import configs as c
from genesis_connectors.mongodb.bson_json import FORMATTERS
from genesis_connectors.mongodb.source.keys import (
    BATCH_SIZE_CONFIG,
    COLLATION_CONFIG,
    COLLECTION_CONFIG,
    COPY_ALLOW_DISK_USE_CONFIG,
    COPY_EXISTING_CONFIG,
    COPY_MAX_THREADS_CONFIG,
    COPY_NAMESPACE_REGEX_CONFIG,
    COPY_PIPELINE_CONFIG,
    COPY_QUEUE_SIZE_CONFIG,
    DATABASE_CONFIG,
    DEFAULT_AVRO_KEY_SCHEMA,
    DEFAULT_AVRO_VALUE_SCHEMA,
    DEFAULT_JSON_FORMATTER,
    DEFAULT_TOPIC_MAPPER,
    DEPRECATED_COPY,
    FULL_DOCUMENT_BEFORE_CHANGE_CONFIG,
    FULL_DOCUMENT_BEFORE_CHANGE_VALUES,
    FULL_DOCUMENT_CONFIG,
    FULL_DOCUMENT_VALUES,
    HEARTBEAT_INTERVAL_MS_CONFIG,
    HEARTBEAT_TOPIC_NAME_CONFIG,
    OFFSET_PARTITION_NAME_CONFIG,
    OUTPUT_FORMAT_KEY_CONFIG,
    OUTPUT_FORMAT_VALUE_CONFIG,
    OUTPUT_FORMATS,
    OUTPUT_JSON_FORMATTER_CONFIG,
    OUTPUT_SCHEMA_INFER_VALUE_CONFIG,
    OUTPUT_SCHEMA_KEY_CONFIG,
    OUTPUT_SCHEMA_VALUE_CONFIG,
    OVERRIDE_ERRORS_DLQ_TOPIC_CONFIG,
    PIPELINE_CONFIG,
    POLL_AWAIT_TIME_MS_CONFIG,
    POLL_MAX_BATCH_SIZE_CONFIG,
    PUBLISH_FULL_DOCUMENT_ONLY_CONFIG,
    START_AT_OPERATION_TIME_CONFIG,
    STARTUP_MODE_CONFIG,
    STARTUP_MODES,
    TOMBSTONE_ON_DELETE_CONFIG,
    TOPIC_MAPPER_CONFIG,
    TOPIC_NAMESPACE_MAP_CONFIG,
    TOPIC_PREFIX_CONFIG,
    TOPIC_SEPARATOR_CONFIG,
    TOPIC_SUFFIX_CONFIG,
)
from genesis_connectors.mongodb.source.schema import avro_to_connect
from genesis_worker.api import ConfigDef, ConfigException, ConfigType, Importance, Range, Width
from genesis_worker.api.validators import LambdaValidator


def _avro_validator(name: str, value: Any) -> None:
    try:
        avro_to_connect(str(value))
    except ConfigException as e:
        raise ConfigException(f"Invalid value {value} for configuration {name}: {e}") from None


def _timestamp_validator(name: str, value: Any) -> None:
    if value not in (None, ""):
        parse_operation_time(name, str(value))


def _formatter_validator(name: str, value: Any) -> None:
    if value not in FORMATTERS:
        raise ConfigException(
            f"Invalid value {value} for configuration {name}: Class not found or not supported. Supported: "
            + ", ".join(FORMATTERS)
        )


def _regex_validator(name: str, value: Any) -> None:
    if value:
        try:
            re.compile(str(value))
        except re.error as e:
            raise ConfigException(f"Invalid value {value} for configuration {name}: {e}") from None


def _d(
    d: ConfigDef,
    name: str,
    type_: ConfigType,
    default: Any,
    validator: Any,
    importance: Importance,
    doc: str,
    group: str,
    order: int,
    display: str,
) -> None:
    d.define(name, type_, default, validator, importance, doc, group, order, Width.MEDIUM, display)


def _config_def() -> ConfigDef:
    d = ConfigDef()
    S, B, I, L = ConfigType.STRING, ConfigType.BOOLEAN, ConfigType.INT, ConfigType.LONG  # noqa: E741
    H, M, LO = Importance.HIGH, Importance.MEDIUM, Importance.LOW
    g = "Connection"
    d.define(
        c.CONNECTION_URI_CONFIG,
        ConfigType.PASSWORD,
        c.CONNECTION_URI_DEFAULT,
        c.CONNECTION_URI,
        H,
        c.CONNECTION_URI_DOC,
        g,
        1,
        Width.MEDIUM,
        "MongoDB Connection URI",
    )
    _d(
        d,
        DATABASE_CONFIG,
        S,
        "",
        None,
        M,
        "The database to watch. If not set then all databases will be watched.",
        g,
        2,
        "The database to watch.",
    )
    _d(
        d,
        COLLECTION_CONFIG,
        S,
        "",
        None,
        M,
        "The collection in the database to watch. If not set then all collections will be watched.",
        g,
        3,
        "The collection to watch.",
    )
    g = "Change stream"
    _d(
        d,
        PIPELINE_CONFIG,
        S,
        "[]",
        c.JSON_ARRAY,
        M,
        "An inline JSON array with objects describing the pipeline operations to run.\nExample: "
        '`[{"$match": {"operationType": "insert"}}, {"$addFields": {"Kafka": "Rules!"}}]`',
        g,
        1,
        "The pipeline to apply to the change stream",
    )
    _d(d, BATCH_SIZE_CONFIG, I, 0, Range.at_least(0), LO, "The cursor batch size.", g, 2, "The cursor batch size")
    _d(
        d,
        PUBLISH_FULL_DOCUMENT_ONLY_CONFIG,
        B,
        False,
        None,
        H,
        "Only publish the actual changed document rather than the full change stream document. Automatically, sets "
        "`change.stream.full.document=updateLookup` so updated documents will be included.",
        g,
        3,
        "Publish only the `fullDocument` field",
    )
    _d(
        d,
        TOMBSTONE_ON_DELETE_CONFIG,
        B,
        False,
        None,
        M,
        "Send a null value on a delete event. Requires publish.full.document.only=true.  Defaults to: false",
        g,
        4,
        "Send a null value on a delete event. Requires publish.full.document.only=true.",
    )
    _d(
        d,
        FULL_DOCUMENT_BEFORE_CHANGE_CONFIG,
        S,
        "",
        c.enum_validator(FULL_DOCUMENT_BEFORE_CHANGE_VALUES, allow_empty=True),
        M,
        "Specifies the pre-image configuration when creating a Change Stream. Requires MongoDB 6.0 or above.",
        g,
        5,
        "The `fullDocumentBeforeChange` configuration.",
    )
    _d(
        d,
        FULL_DOCUMENT_CONFIG,
        S,
        "",
        c.enum_validator(FULL_DOCUMENT_VALUES, allow_empty=True),
        H,
        "Determines what to return for update operations when using a Change Stream.\nWhen set to 'updateLookup', "
        "the change stream for partial updates will include both a delta describing the changes to the document as "
        "well as a copy of the entire document that was changed from *some time* after the change occurred.",
        g,
        6,
        "The `fullDocument` configuration.",
    )
    _d(
        d,
        COLLATION_CONFIG,
        S,
        "",
        c.JSON_OBJECT,
        LO,
        "The json representation of the Collation options to use for the change stream.",
        g,
        7,
        "The collation options",
    )
    _d(
        d,
        POLL_MAX_BATCH_SIZE_CONFIG,
        I,
        1000,
        Range.at_least(1),
        LO,
        "Maximum number of change stream documents to include in a single batch when polling for new data. This "
        "setting can be used to limit the amount of data buffered internally in the connector.",
        g,
        8,
        "The maximum batch size",
    )
    _d(
        d,
        POLL_AWAIT_TIME_MS_CONFIG,
        L,
        5000,
        Range.at_least(1),
        LO,
        "The maximum amount of time in milliseconds the server waits for new data changes to report to the change "
        "stream cursor before returning an empty batch.",
        g,
        9,
        "Poll await time (ms)",
    )
    g = "Startup"
    _d(
        d,
        STARTUP_MODE_CONFIG,
        S,
        "",
        c.enum_validator(STARTUP_MODES, allow_empty=True),
        M,
        "Specifies how the connector should start up when there is no source offset available. Possible values are "
        "'latest', 'timestamp', 'copy_existing'. 'latest' is the default value.",
        g,
        1,
        "The start up behavior when there is no source offset available.",
    )
    _d(
        d,
        START_AT_OPERATION_TIME_CONFIG,
        S,
        "",
        LambdaValidator(_timestamp_validator, "a timestamp"),
        M,
        "Actuated only if 'startup.mode = timestamp'. Specifies the starting point for the change stream. It is "
        "either an integer number of seconds since the Epoch in the decimal format (example: 30), or an instant in "
        "the ISO-8601 format with one second precision (example: '1970-01-01T00:00:30Z'). You may specify '0' to "
        "start at the beginning of the oplog.",
        g,
        2,
        "The `startAtOperationTime` configuration.",
    )
    _d(
        d,
        COPY_MAX_THREADS_CONFIG,
        I,
        1,
        Range.at_least(1),
        M,
        "The number of threads to use when performing the data copy (collections are copied one after another here).",
        g,
        3,
        "Copy existing max number of threads",
    )
    _d(
        d,
        COPY_QUEUE_SIZE_CONFIG,
        I,
        16000,
        Range.at_least(1),
        M,
        "The max size of the queue to use when copying data.",
        g,
        4,
        "Copy existing queue size",
    )
    _d(
        d,
        COPY_PIPELINE_CONFIG,
        S,
        "",
        c.JSON_ARRAY,
        M,
        "An inline JSON array with objects describing the pipeline operations to run when copying existing data.",
        g,
        5,
        "Copy existing initial pipeline",
    )
    _d(
        d,
        COPY_NAMESPACE_REGEX_CONFIG,
        S,
        "",
        LambdaValidator(_regex_validator, "a regular expression"),
        M,
        "Use a regular expression to define from which existing namespaces data should be copied from.",
        g,
        6,
        "Copy existing namespace regex",
    )
    _d(
        d,
        COPY_ALLOW_DISK_USE_CONFIG,
        B,
        True,
        None,
        M,
        "Copy existing data uses an aggregation pipeline that mimics change stream events.",
        g,
        7,
        "Copy existing allow disk use with the copying aggregation",
    )
    _d(
        d,
        COPY_EXISTING_CONFIG,
        B,
        False,
        None,
        M,
        "Deprecated, use 'startup.mode = copy_existing' instead.",
        g,
        8,
        "Copy existing data",
    )
    for i, (new, old) in enumerate(DEPRECATED_COPY.items(), start=9):
        key = d.config_keys[new]
        d.define(
            old,
            key.type,
            key.default,
            key.validator,
            Importance.LOW,
            f"Deprecated, use '{new}' instead.",
            g,
            i,
            Width.MEDIUM,
            key.display_name,
        )
    g = "Output"
    _d(
        d,
        OUTPUT_FORMAT_KEY_CONFIG,
        S,
        "json",
        c.enum_validator(OUTPUT_FORMATS),
        H,
        "The output format of the data produced by the connector for the key. Supported formats are:\n * `json` - Raw "
        "Json strings\n * `bson` - Bson byte array\n * `schema` - Schema'd output\n",
        g,
        1,
        "The key output format",
    )
    _d(
        d,
        OUTPUT_FORMAT_VALUE_CONFIG,
        S,
        "json",
        c.enum_validator(OUTPUT_FORMATS),
        H,
        "The output format of the data produced by the connector for the value. Supported formats are:\n * `json` - "
        "Raw Json strings\n * `bson` - Bson byte array\n * `schema` - Schema'd output\n",
        g,
        2,
        "The value output format",
    )
    _d(
        d,
        OUTPUT_JSON_FORMATTER_CONFIG,
        S,
        DEFAULT_JSON_FORMATTER,
        LambdaValidator(_formatter_validator, "formatter"),
        M,
        "The output format of json strings: DefaultJson (legacy strict), ExtendedJson (canonical) or SimplifiedJson.",
        g,
        3,
        "The json formatter class",
    )
    _d(
        d,
        OUTPUT_SCHEMA_KEY_CONFIG,
        S,
        DEFAULT_AVRO_KEY_SCHEMA,
        LambdaValidator(_avro_validator, "Avro schema"),
        M,
        "The Avro schema definition for the key value of the SourceRecord.",
        g,
        4,
        "The Avro schema definition for the key.",
    )
    _d(
        d,
        OUTPUT_SCHEMA_VALUE_CONFIG,
        S,
        DEFAULT_AVRO_VALUE_SCHEMA,
        LambdaValidator(_avro_validator, "Avro schema"),
        M,
        "The Avro schema definition for the value of the SourceRecord.",
        g,
        5,
        "The Avro schema definition for the value.",
    )
    _d(
        d,
        OUTPUT_SCHEMA_INFER_VALUE_CONFIG,
        B,
        False,
        None,
        M,
        "Infer the schema for the value. Not supported by genesis-worker: leave false.",
        g,
        6,
        "Enable Infer Schemas for the value",
    )
    g = "Topics"
    _d(
        d,
        TOPIC_MAPPER_CONFIG,
        S,
        DEFAULT_TOPIC_MAPPER,
        c.CLASS_NAME,
        H,
        "The class that determines the topic to write the source data to.",
        g,
        1,
        "The topic mapper class",
    )
    _d(
        d,
        TOPIC_SEPARATOR_CONFIG,
        S,
        ".",
        None,
        LO,
        "Separator to use when joining prefix, database & collection names, suffix to generate the name of the Kafka "
        "topic to publish data to.",
        g,
        2,
        "The topic separator",
    )
    _d(
        d,
        TOPIC_PREFIX_CONFIG,
        S,
        "",
        None,
        LO,
        "Prefix to prepend to database & collection names to generate the name of the Kafka topic to publish data to.",
        g,
        3,
        "The topic prefix",
    )
    _d(
        d,
        TOPIC_SUFFIX_CONFIG,
        S,
        "",
        None,
        LO,
        "Suffix to append to database & collection names to generate the name of the Kafka topic to publish data to.",
        g,
        4,
        "The topic suffix",
    )
    _d(
        d,
        TOPIC_NAMESPACE_MAP_CONFIG,
        S,
        "",
        c.JSON_OBJECT,
        LO,
        "A JSON object configuring how to map a MongoDB change stream document namespace to a Kafka topic name.",
        g,
        5,
        "The namespace to topic map",
    )
    g = "Errors"
    _d(
        d,
        c.OVERRIDE_ERRORS_TOLERANCE_CONFIG,
        S,
        "none",
        c.enum_validator(("none", "all")),
        M,
        "Use this property if you would like to configure the connector's error handling behavior differently from "
        "the Connect framework's.",
        g,
        1,
        "Error Tolerance",
    )
    _d(
        d,
        c.OVERRIDE_ERRORS_LOG_ENABLE_CONFIG,
        B,
        False,
        None,
        M,
        "Use this property if you would like to configure the connector's error handling behavior differently from "
        "the Connect framework's.",
        g,
        2,
        "Log Errors",
    )
    _d(
        d,
        OVERRIDE_ERRORS_DLQ_TOPIC_CONFIG,
        S,
        "",
        None,
        M,
        "Use this property if you would like to configure the connector's error handling behavior differently from "
        "the Connect framework's.",
        g,
        3,
        "Output errors to the dead letter queue",
    )
    _d(
        d,
        HEARTBEAT_INTERVAL_MS_CONFIG,
        L,
        0,
        Range.at_least(0),
        M,
        "The length of time between sending heartbeat messages to record the post batch resume token when no source "
        "records have been published. Improves the resumability of the connector for low volume namespaces. Use 0 "
        "to disable.",
        g,
        4,
        "Heartbeat interval",
    )
    _d(
        d,
        HEARTBEAT_TOPIC_NAME_CONFIG,
        S,
        "__mongodb_heartbeats",
        None,
        M,
        "The name of the topic to publish heartbeats to. Defaults to '__mongodb_heartbeats'.",
        g,
        5,
        "The heartbeat topic name",
    )
    _d(
        d,
        OFFSET_PARTITION_NAME_CONFIG,
        S,
        "",
        None,
        M,
        "Use a custom offset partition name. If blank the default partition name based on the connection details "
        "will be used.",
        g,
        6,
        "Offset partition name",
    )
    return d


CONFIG_DEF = _config_def()


def parse_operation_time(name: str, text: str) -> Timestamp:
    """``BsonTimestampParser``: decimal seconds since the epoch, or an ISO-8601 instant (second precision)."""
    text = text.strip()
    if re.fullmatch(r"\d+", text):
        return Timestamp(int(text), 0)
    try:
        t = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigException(
            f"Invalid value {text} for configuration {name}: It is either an integer number of seconds since the "
            "Epoch in the decimal format (example: 30), or an instant in the ISO-8601 format with one second "
            "precision (example: '1970-01-01T00:00:30Z')."
        ) from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=_dt.UTC)
    return Timestamp(int(t.timestamp()), 0)

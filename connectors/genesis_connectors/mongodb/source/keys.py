"""The MongoDB source's configuration keys and defaults, named as in the Java connector's
``MongoSourceConfig`` (the ConfigDef is :mod:`genesis_connectors.mongodb.source.config_def`)."""

from __future__ import annotations

import json

OUTPUT_FORMAT_KEY_CONFIG = "output.format.key"
OUTPUT_FORMAT_VALUE_CONFIG = "output.format.value"
OUTPUT_JSON_FORMATTER_CONFIG = "output.json.formatter"
OUTPUT_SCHEMA_KEY_CONFIG = "output.schema.key"
OUTPUT_SCHEMA_VALUE_CONFIG = "output.schema.value"
OUTPUT_SCHEMA_INFER_VALUE_CONFIG = "output.schema.infer.value"
TOPIC_MAPPER_CONFIG = "topic.mapper"
TOPIC_SEPARATOR_CONFIG = "topic.separator"
TOPIC_PREFIX_CONFIG = "topic.prefix"
TOPIC_SUFFIX_CONFIG = "topic.suffix"
TOPIC_NAMESPACE_MAP_CONFIG = "topic.namespace.map"
PIPELINE_CONFIG = "pipeline"
BATCH_SIZE_CONFIG = "batch.size"
PUBLISH_FULL_DOCUMENT_ONLY_CONFIG = "publish.full.document.only"
TOMBSTONE_ON_DELETE_CONFIG = "publish.full.document.only.tombstone.on.delete"
FULL_DOCUMENT_BEFORE_CHANGE_CONFIG = "change.stream.full.document.before.change"
FULL_DOCUMENT_CONFIG = "change.stream.full.document"
COLLATION_CONFIG = "collation"
POLL_MAX_BATCH_SIZE_CONFIG = "poll.max.batch.size"
POLL_AWAIT_TIME_MS_CONFIG = "poll.await.time.ms"
DATABASE_CONFIG = "database"
COLLECTION_CONFIG = "collection"
STARTUP_MODE_CONFIG = "startup.mode"
START_AT_OPERATION_TIME_CONFIG = "startup.mode.timestamp.start.at.operation.time"
COPY_MAX_THREADS_CONFIG = "startup.mode.copy.existing.max.threads"
COPY_QUEUE_SIZE_CONFIG = "startup.mode.copy.existing.queue.size"
COPY_PIPELINE_CONFIG = "startup.mode.copy.existing.pipeline"
COPY_NAMESPACE_REGEX_CONFIG = "startup.mode.copy.existing.namespace.regex"
COPY_ALLOW_DISK_USE_CONFIG = "startup.mode.copy.existing.allow.disk.use"
COPY_EXISTING_CONFIG = "copy.existing"
DEPRECATED_COPY = {
    COPY_MAX_THREADS_CONFIG: "copy.existing.max.threads",
    COPY_QUEUE_SIZE_CONFIG: "copy.existing.queue.size",
    COPY_PIPELINE_CONFIG: "copy.existing.pipeline",
    COPY_NAMESPACE_REGEX_CONFIG: "copy.existing.namespace.regex",
    COPY_ALLOW_DISK_USE_CONFIG: "copy.existing.allow.disk.use",
}
ERRORS_DLQ_TOPIC_CONFIG = "errors.deadletterqueue.topic.name"
OVERRIDE_ERRORS_DLQ_TOPIC_CONFIG = "mongo.errors.deadletterqueue.topic.name"
HEARTBEAT_INTERVAL_MS_CONFIG = "heartbeat.interval.ms"
HEARTBEAT_TOPIC_NAME_CONFIG = "heartbeat.topic.name"
OFFSET_PARTITION_NAME_CONFIG = "offset.partition.name"

DEFAULT_TOPIC_MAPPER = "com.mongodb.kafka.connect.source.topic.mapping.DefaultTopicMapper"
DEFAULT_JSON_FORMATTER = "com.mongodb.kafka.connect.source.json.formatter.DefaultJson"
OUTPUT_FORMATS = ("json", "bson", "schema")
STARTUP_MODES = ("latest", "timestamp", "copy_existing")
FULL_DOCUMENT_VALUES = ("default", "updateLookup", "whenAvailable", "required")
FULL_DOCUMENT_BEFORE_CHANGE_VALUES = ("off", "whenAvailable", "required")

DEFAULT_AVRO_KEY_SCHEMA = '{  "type": "record",  "name": "keySchema",  "fields" : [{"name": "_id", "type": "string"}]}'
DEFAULT_AVRO_VALUE_SCHEMA = json.dumps(
    {
        "name": "ChangeStream",
        "type": "record",
        "fields": [
            {"name": "_id", "type": "string"},
            {"name": "operationType", "type": ["string", "null"]},
            {"name": "fullDocumentBeforeChange", "type": ["string", "null"]},
            {"name": "fullDocument", "type": ["string", "null"]},
            {
                "name": "ns",
                "type": [
                    {
                        "name": "ns",
                        "type": "record",
                        "fields": [{"name": "db", "type": "string"}, {"name": "coll", "type": ["string", "null"]}],
                    },
                    "null",
                ],
            },
            {
                "name": "to",
                "type": [
                    {
                        "name": "to",
                        "type": "record",
                        "fields": [{"name": "db", "type": "string"}, {"name": "coll", "type": ["string", "null"]}],
                    },
                    "null",
                ],
            },
            {"name": "documentKey", "type": ["string", "null"]},
            {
                "name": "updateDescription",
                "type": [
                    {
                        "name": "updateDescription",
                        "type": "record",
                        "fields": [
                            {"name": "updatedFields", "type": ["string", "null"]},
                            {"name": "removedFields", "type": [{"type": "array", "items": "string"}, "null"]},
                            {
                                "name": "truncatedArrays",
                                "type": [
                                    {
                                        "type": "array",
                                        "items": {
                                            "type": "record",
                                            "name": "truncatedArray",
                                            "fields": [
                                                {"name": "field", "type": "string"},
                                                {"name": "newSize", "type": "int"},
                                            ],
                                        },
                                    },
                                    "null",
                                ],
                            },
                            {"name": "disambiguatedPaths", "type": ["string", "null"]},
                        ],
                    },
                    "null",
                ],
            },
            {"name": "clusterTime", "type": ["string", "null"]},
            {"name": "wallTime", "type": ["long", "null"]},
            {"name": "txnNumber", "type": ["long", "null"]},
            {
                "name": "lsid",
                "type": [
                    {
                        "name": "lsid",
                        "type": "record",
                        "fields": [{"name": "id", "type": "string"}, {"name": "uid", "type": "string"}],
                    },
                    "null",
                ],
            },
        ],
    }
)

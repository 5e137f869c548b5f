"""Framework-level connector configuration keys: Connect's ``ConnectorConfig``, ``SinkConnectorConfig``
and ``SourceConnectorConfig`` definitions (names, defaults, docs, groups and order numbers as in Java 3.9).

The typed, parsed objects are in :mod:`genesis_worker.runtime.connector_config`; the enrichment with the
keys of the configured transforms and predicates is in :mod:`genesis_worker.runtime.connector_config_enrich`.

Example::

    values = sink_connector_config_def().validate(props)
"""

from __future__ import annotations

import re
from typing import Any

from genesis_worker.api.config import (
    NO_DEFAULT_VALUE,
    ConfigDef,
    ConfigType,
    Importance,
    Width,
)
from genesis_worker.api.errors import ConfigException
from genesis_worker.api.validators import (
    CaseInsensitiveValidString,
    CompositeValidator,
    LambdaValidator,
    NonEmptyString,
    NonEmptyStringWithoutControlChars,
    NonNullValidator,
    Range,
    ValidString,
)

COMMON_GROUP = "Common"
TRANSFORMS_GROUP = "Transforms"
PREDICATES_GROUP = "Predicates"
ERROR_GROUP = "Error Handling"
TOPIC_CREATION_GROUP = "Topic Creation"
EXACTLY_ONCE_SUPPORT_GROUP = "Exactly Once Support"
OFFSETS_TOPIC_GROUP = "offsets.topic"

NAME_CONFIG = "name"
CONNECTOR_CLASS_CONFIG = "connector.class"
# KIP-891 (Connect 4.x): which version of the plugin to run; genesis holds one version of each
CONNECTOR_VERSION_CONFIG = "connector.plugin.version"
KEY_CONVERTER_VERSION_CONFIG = "key.converter.plugin.version"
VALUE_CONVERTER_VERSION_CONFIG = "value.converter.plugin.version"
HEADER_CONVERTER_VERSION_CONFIG = "header.converter.plugin.version"
TASKS_MAX_CONFIG = "tasks.max"
TASKS_MAX_ENFORCE_CONFIG = "tasks.max.enforce"
KEY_CONVERTER_CLASS_CONFIG = "key.converter"
VALUE_CONVERTER_CLASS_CONFIG = "value.converter"
HEADER_CONVERTER_CLASS_CONFIG = "header.converter"
TRANSFORMS_CONFIG = "transforms"
PREDICATES_CONFIG = "predicates"
CONFIG_RELOAD_ACTION_CONFIG = "config.action.reload"
ERRORS_RETRY_TIMEOUT_CONFIG = "errors.retry.timeout"
ERRORS_RETRY_MAX_DELAY_CONFIG = "errors.retry.delay.max.ms"
ERRORS_TOLERANCE_CONFIG = "errors.tolerance"
ERRORS_LOG_ENABLE_CONFIG = "errors.log.enable"
ERRORS_LOG_INCLUDE_MESSAGES_CONFIG = "errors.log.include.messages"
TOPICS_CONFIG = "topics"
TOPICS_REGEX_CONFIG = "topics.regex"
DLQ_TOPIC_NAME_CONFIG = "errors.deadletterqueue.topic.name"
DLQ_TOPIC_REPLICATION_FACTOR_CONFIG = "errors.deadletterqueue.topic.replication.factor"
DLQ_CONTEXT_HEADERS_ENABLE_CONFIG = "errors.deadletterqueue.context.headers.enable"
TOPIC_CREATION_GROUPS_CONFIG = "topic.creation.groups"
EXACTLY_ONCE_SUPPORT_CONFIG = "exactly.once.support"
TRANSACTION_BOUNDARY_CONFIG = "transaction.boundary"
TRANSACTION_BOUNDARY_INTERVAL_CONFIG = "transaction.boundary.interval.ms"
OFFSETS_TOPIC_CONFIG = "offsets.storage.topic"

PRODUCER_OVERRIDES_PREFIX = "producer.override."
CONSUMER_OVERRIDES_PREFIX = "consumer.override."
ADMIN_OVERRIDES_PREFIX = "admin.override."

PREDICATE_CONFIG = "predicate"
NEGATE_CONFIG = "negate"

_CONNECTOR_CLASS_DOC = (
    "Name or alias of the class for this connector. Must be a subclass of "
    "org.apache.kafka.connect.connector.Connector. If the connector is "
    "org.apache.kafka.connect.file.FileStreamSinkConnector, you can either specify this full name,  or use "
    '"FileStreamSink" or "FileStreamSinkConnector" to make the configuration a bit shorter'
)
_KEY_CONVERTER_DOC = (
    "Converter class used to convert between Kafka Connect format and the serialized form that is written to "
    "Kafka. This controls the format of the keys in messages written to or read from Kafka, and since this is "
    "independent of connectors it allows any connector to work with any serialization format. Examples of "
    "common formats include JSON and Avro."
)
_VALUE_CONVERTER_DOC = (
    "Converter class used to convert between Kafka Connect format and the serialized form that is written to "
    "Kafka. This controls the format of the values in messages written to or read from Kafka, and since this "
    "is independent of connectors it allows any connector to work with any serialization format. Examples of "
    "common formats include JSON and Avro."
)
_HEADER_CONVERTER_DOC = (
    "HeaderConverter class used to convert between Kafka Connect format and the serialized form that is "
    "written to Kafka. This controls the format of the header values in messages written to or read from "
    "Kafka, and since this is independent of connectors it allows any connector to work with any "
    "serialization format. Examples of common formats include JSON and Avro. By default, the "
    "SimpleHeaderConverter is used to serialize header values to strings and deserialize them by inferring "
    "the schemas."
)
_CONFIG_RELOAD_ACTION_DOC = (
    "The action that Connect should take on the connector when changes in external configuration providers "
    "result in a change in the connector's configuration properties. A value of 'none' indicates that Connect "
    "will do nothing. A value of 'restart' indicates that Connect should restart/reload the connector with "
    "the updated configuration properties.The restart may actually be scheduled in the future if the "
    "external configuration provider indicates that a configuration value will expire in the future."
)
_TASKS_MAX_ENFORCE_DOC = (
    "(Deprecated) Whether to enforce that the tasks.max property is respected by the connector. By default, "
    "connectors that generate too many tasks will fail, and existing sets of tasks that exceed the tasks.max "
    "property will also be failed. If this property is set to false, then connectors will be allowed to "
    "generate more than the maximum number of tasks, and existing sets of tasks that exceed the tasks.max "
    "property will be allowed to run. This property is deprecated and will be removed in an upcoming major "
    "release."
)


def _unique_aliases(kind: str) -> CompositeValidator:
    def check(name: str, value: Any) -> None:
        aliases = list(value or [])
        if len(aliases) > len(set(aliases)):
            raise ConfigException(
                f"Invalid value {','.join(aliases)} for configuration {name}: Duplicate alias provided.", name
            )

    return CompositeValidator.of(NonNullValidator(), LambdaValidator(check, f"unique {kind} aliases"))


def _regex_validator(name: str, value: Any) -> None:
    if value is None:
        return
    try:
        re.compile(str(value))
    except re.error as e:
        raise ConfigException(f"Invalid value {value} for configuration {name}: {e}", name, value) from None


def _non_empty_or_null(name: str, value: Any) -> None:
    """Java's ``NonEmptyString``: null is fine, blank is not."""
    if value is not None and str(value).strip() == "":
        NonEmptyString()(name, value)


def connector_config_def() -> ConfigDef:
    """``ConnectorConfig.configDef()``."""
    order = iter(range(1, 100))
    err = iter(range(1, 100))
    H, M, L = Importance.HIGH, Importance.MEDIUM, Importance.LOW
    return (
        ConfigDef()
        .define(
            NAME_CONFIG,
            ConfigType.STRING,
            NO_DEFAULT_VALUE,
            NonEmptyStringWithoutControlChars(),
            H,
            "Globally unique name to use for this connector.",
            COMMON_GROUP,
            next(order),
            Width.MEDIUM,
            "Connector name",
        )
        .define(
            CONNECTOR_CLASS_CONFIG,
            ConfigType.STRING,
            NO_DEFAULT_VALUE,
            None,
            H,
            _CONNECTOR_CLASS_DOC,
            COMMON_GROUP,
            next(order),
            Width.LONG,
            "Connector class",
        )
        .define(
            CONNECTOR_VERSION_CONFIG,
            ConfigType.STRING,
            None,
            None,
            M,
            "Version of the connector.",
            COMMON_GROUP,
            next(order),
            Width.MEDIUM,
            "Connector version",
        )
        .define(
            TASKS_MAX_CONFIG,
            ConfigType.INT,
            1,
            Range.at_least(1),
            H,
            "Maximum number of tasks to use for this connector.",
            COMMON_GROUP,
            next(order),
            Width.SHORT,
            "Tasks max",
        )
        .define(
            TASKS_MAX_ENFORCE_CONFIG,
            ConfigType.BOOLEAN,
            True,
            None,
            L,
            _TASKS_MAX_ENFORCE_DOC,
            COMMON_GROUP,
            next(order),
            Width.SHORT,
            "Enforce tasks max",
        )
        .define(
            KEY_CONVERTER_CLASS_CONFIG,
            ConfigType.CLASS,
            None,
            None,
            L,
            _KEY_CONVERTER_DOC,
            COMMON_GROUP,
            next(order),
            Width.SHORT,
            "Key converter class",
        )
        .define(
            KEY_CONVERTER_VERSION_CONFIG,
            ConfigType.STRING,
            None,
            None,
            L,
            "Version of the key converter.",
            COMMON_GROUP,
            next(order),
            Width.SHORT,
            "Key converter version",
        )
        .define(
            VALUE_CONVERTER_CLASS_CONFIG,
            ConfigType.CLASS,
            None,
            None,
            L,
            _VALUE_CONVERTER_DOC,
            COMMON_GROUP,
            next(order),
            Width.SHORT,
            "Value converter class",
        )
        .define(
            VALUE_CONVERTER_VERSION_CONFIG,
            ConfigType.STRING,
            None,
            None,
            L,
            "Version of the value converter.",
            COMMON_GROUP,
            next(order),
            Width.SHORT,
            "Value converter version",
        )
        .define(
            HEADER_CONVERTER_CLASS_CONFIG,
            ConfigType.CLASS,
            None,
            None,
            L,
            _HEADER_CONVERTER_DOC,
            COMMON_GROUP,
            next(order),
            Width.SHORT,
            "Header converter class",
        )
        .define(
            HEADER_CONVERTER_VERSION_CONFIG,
            ConfigType.STRING,
            None,
            None,
            L,
            "Version of the header converter.",
            COMMON_GROUP,
            next(order),
            Width.SHORT,
            "Header converter version",
        )
        .define(
            TRANSFORMS_CONFIG,
            ConfigType.LIST,
            [],
            _unique_aliases("transformation"),
            L,
            "Aliases for the transformations to be applied to records.",
            TRANSFORMS_GROUP,
            next(order),
            Width.LONG,
            "Transforms",
        )
        .define(
            PREDICATES_CONFIG,
            ConfigType.LIST,
            [],
            _unique_aliases("predicate"),
            L,
            "Aliases for the predicates used by transformations.",
            PREDICATES_GROUP,
            next(order),
            Width.LONG,
            "Predicates",
        )
        .define(
            CONFIG_RELOAD_ACTION_CONFIG,
            ConfigType.STRING,
            "restart",
            ValidString.in_("none", "restart"),
            L,
            _CONFIG_RELOAD_ACTION_DOC,
            COMMON_GROUP,
            next(order),
            Width.MEDIUM,
            "Reload Action",
        )
        .define(
            ERRORS_RETRY_TIMEOUT_CONFIG,
            ConfigType.LONG,
            0,
            None,
            M,
            "The maximum duration in milliseconds that a failed operation will be reattempted. The default is 0, "
            "which means no retries will be attempted. Use -1 for infinite retries.",
            ERROR_GROUP,
            next(err),
            Width.MEDIUM,
            "Retry Timeout for Errors",
        )
        .define(
            ERRORS_RETRY_MAX_DELAY_CONFIG,
            ConfigType.LONG,
            60000,
            None,
            M,
            "The maximum duration in milliseconds between consecutive retry attempts. Jitter will be added to the "
            "delay once this limit is reached to prevent thundering herd issues.",
            ERROR_GROUP,
            next(err),
            Width.MEDIUM,
            "Maximum Delay Between Retries for Errors",
        )
        .define(
            ERRORS_TOLERANCE_CONFIG,
            ConfigType.STRING,
            "none",
            ValidString.in_("none", "all"),
            M,
            "Behavior for tolerating errors during connector operation. 'none' is the default value and signals "
            "that any error will result in an immediate connector task failure; 'all' changes the behavior to "
            "skip over problematic records.",
            ERROR_GROUP,
            next(err),
            Width.SHORT,
            "Error Tolerance",
        )
        .define(
            ERRORS_LOG_ENABLE_CONFIG,
            ConfigType.BOOLEAN,
            False,
            None,
            M,
            "If true, write each error and the details of the failed operation and problematic record to the "
            "Connect application log. This is 'false' by default, so that only errors that are not tolerated are "
            "reported.",
            ERROR_GROUP,
            next(err),
            Width.SHORT,
            "Log Errors",
        )
        .define(
            ERRORS_LOG_INCLUDE_MESSAGES_CONFIG,
            ConfigType.BOOLEAN,
            False,
            None,
            M,
            "Whether to include in the log the Connect record that resulted in a failure. For sink records, "
            "the topic, partition, offset, and timestamp will be logged. For source records, the key and value "
            "(and their schemas), all headers, and the timestamp, Kafka topic, Kafka partition, source partition, "
            "and source offset will be logged. This is 'false' by default, which will prevent record keys, "
            "values, and headers from being written to log files.",
            ERROR_GROUP,
            next(err),
            Width.SHORT,
            "Log Error Details",
        )
    )


def sink_connector_config_def() -> ConfigDef:
    """``SinkConnectorConfig.configDef()``."""
    return (
        connector_config_def()
        .define(
            TOPICS_CONFIG,
            ConfigType.LIST,
            "",
            None,
            Importance.HIGH,
            "List of topics to consume, separated by commas",
            COMMON_GROUP,
            4,
            Width.LONG,
            "Topics",
        )
        .define(
            TOPICS_REGEX_CONFIG,
            ConfigType.STRING,
            "",
            LambdaValidator(_regex_validator, "valid regex"),
            Importance.HIGH,
            "Regular expression giving topics to consume. Under the hood, the regex is compiled to a "
            "<code>java.util.regex.Pattern</code>. Only one of topics or topics.regex should be specified.",
            COMMON_GROUP,
            4,
            Width.LONG,
            "Topics regex",
        )
        .define(
            DLQ_TOPIC_NAME_CONFIG,
            ConfigType.STRING,
            "",
            None,
            Importance.MEDIUM,
            "The name of the topic to be used as the dead letter queue (DLQ) for messages that result in an error "
            "when processed by this sink connector, or its transformations or converters. The topic name is blank "
            "by default, which means that no messages are to be recorded in the DLQ.",
            ERROR_GROUP,
            6,
            Width.MEDIUM,
            "Dead Letter Queue Topic Name",
        )
        .define(
            DLQ_TOPIC_REPLICATION_FACTOR_CONFIG,
            ConfigType.SHORT,
            3,
            None,
            Importance.MEDIUM,
            "Replication factor used to create the dead letter queue topic when it doesn't already exist.",
            ERROR_GROUP,
            7,
            Width.MEDIUM,
            "Dead Letter Queue Topic Replication Factor",
        )
        .define(
            DLQ_CONTEXT_HEADERS_ENABLE_CONFIG,
            ConfigType.BOOLEAN,
            False,
            None,
            Importance.MEDIUM,
            "If true, add headers containing error context to the messages written to the dead letter queue. To "
            "avoid clashing with headers from the original record, all error context header keys, all error "
            "context header keys will start with <code>__connect.errors.</code>",
            ERROR_GROUP,
            8,
            Width.MEDIUM,
            "Enable Error Context Headers",
        )
    )


def source_connector_config_def() -> ConfigDef:
    """``SourceConnectorConfig.configDef()``."""

    def at_least_zero_or_null(name: str, value: Any) -> None:
        if value is not None:
            Range.at_least(0)(name, value)

    return (
        connector_config_def()
        .define(
            TOPIC_CREATION_GROUPS_CONFIG,
            ConfigType.LIST,
            [],
            _unique_aliases("topic creation groups"),
            Importance.LOW,
            "Groups of configurations for topics created by source connectors",
            TOPIC_CREATION_GROUP,
            1,
            Width.LONG,
            "Topic Creation Groups",
        )
        .define(
            EXACTLY_ONCE_SUPPORT_CONFIG,
            ConfigType.STRING,
            "requested",
            CaseInsensitiveValidString.in_("requested", "required"),
            Importance.MEDIUM,
            'Permitted values are requested, required. If set to "required", forces a preflight check for the '
            "connector to ensure that it can provide exactly-once semantics with the given configuration. Some "
            "connectors may be capable of providing exactly-once semantics but not signal to Connect that they "
            "support this; in that case, documentation for the connector should be consulted carefully before "
            'creating it, and the value for this property should be set to "requested". Additionally, if the '
            'value is set to "required" but the worker that performs preflight validation does not have '
            "exactly-once support enabled for source connectors, requests to create or validate the connector "
            "will fail.",
            EXACTLY_ONCE_SUPPORT_GROUP,
            2,
            Width.SHORT,
            "Exactly once support",
        )
        .define(
            TRANSACTION_BOUNDARY_CONFIG,
            ConfigType.STRING,
            "poll",
            CaseInsensitiveValidString.in_("poll", "interval", "connector"),
            Importance.MEDIUM,
            "Permitted values are: poll, interval, connector. If set to 'poll', a new producer transaction will be "
            "started and committed for every batch of records that each task from this connector provides to "
            "Connect. If set to 'connector', relies on connector-defined transaction boundaries; note that not all "
            "connectors are capable of defining their own transaction boundaries, and in that case, attempts to "
            "instantiate a connector with this value will fail. Finally, if set to 'interval', commits "
            "transactions only after a user-defined time interval has passed.",
            EXACTLY_ONCE_SUPPORT_GROUP,
            3,
            Width.SHORT,
            "Transaction Boundary",
        )
        .define(
            TRANSACTION_BOUNDARY_INTERVAL_CONFIG,
            ConfigType.LONG,
            None,
            LambdaValidator(at_least_zero_or_null, "[0,...]"),
            Importance.LOW,
            "If 'transaction.boundary' is set to 'interval', determines the interval for producer transaction "
            "commits by connector tasks. If unset, defaults to the value of the worker-level "
            "'offset.flush.interval.ms' property. It has no effect if a different transaction.boundary is "
            "specified.",
            EXACTLY_ONCE_SUPPORT_GROUP,
            4,
            Width.SHORT,
            "Transaction boundary interval",
        )
        .define(
            OFFSETS_TOPIC_CONFIG,
            ConfigType.STRING,
            None,
            LambdaValidator(_non_empty_or_null, "non-empty string"),
            Importance.LOW,
            "The name of a separate offsets topic to use for this connector. If empty or not specified, the "
            "worker’s global offsets topic name will be used. If specified, the offsets topic will be created if "  # noqa: RUF001
            "it does not already exist on the Kafka cluster targeted by this connector (which may be different "
            "from the one used for the worker's global offsets topic if the bootstrap.servers property of the "
            "connector's producer has been overridden from the worker's). Only applicable in distributed mode; in "
            "standalone mode, setting this property will have no effect.",
            OFFSETS_TOPIC_GROUP,
            1,
            Width.LONG,
            "Offsets topic",
        )
    )

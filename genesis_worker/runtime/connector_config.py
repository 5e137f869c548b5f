"""Framework-level connector configuration: Connect's ``ConnectorConfig``, ``SinkConnectorConfig`` and
``SourceConnectorConfig`` definitions (names, defaults, docs, groups and order numbers as in Java 3.9),
and the "enrichment" that adds the keys of every configured transform and predicate
(``transforms.<alias>.*``, ``predicates.<alias>.*``).

Example::

    definition = enrich(registry, sink_connector_config_def(), props, require_full_config=False)
    values = definition.validate(props)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from genesis_worker.api.config import (
    NO_DEFAULT_VALUE,
    AbstractConfig,
    ConfigDef,
    ConfigKey,
    ConfigType,
    Importance,
    Width,
    parse_type,
)
from genesis_worker.api.errors import ConfigException
from genesis_worker.api.transform import PluginType
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
from genesis_worker.plugins.registry import PluginRegistry

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


# --- enrichment ------------------------------------------------------------------------------------------


_IMPORTANCE_ORD = {Importance.HIGH: 0, Importance.MEDIUM: 1, Importance.LOW: 2}


def sorted_configs(definition: ConfigDef) -> list[ConfigKey]:
    """``ConfigDef.sortedConfigs()``: by group, order in group, required first, importance, name."""
    group_ord = {g: i for i, g in enumerate(definition.groups)}

    def key(k: ConfigKey) -> tuple[int, int, int, int, int, str]:
        return (
            0 if k.group is None else 1,
            group_ord.get(k.group, 0) if k.group is not None else 0,
            k.order_in_group,
            0 if not k.has_default else 1,
            _IMPORTANCE_ORD[k.importance],
            k.name,
        )

    return sorted(definition.config_keys.values(), key=key)


def embed(target: ConfigDef, key_prefix: str, group_prefix: str, starting_ord: int, child: ConfigDef) -> None:
    """``ConfigDef.embed``: add ``child``'s keys under ``key_prefix`` in group ``group_prefix[: group]``."""
    order = starting_ord
    for k in sorted_configs(child):
        target.define_key(
            ConfigKey(
                key_prefix + k.name,
                k.type,
                k.default,
                _embedded_validator(key_prefix, k.validator) if k.validator is not None else None,
                k.importance,
                k.documentation,
                group_prefix + ("" if k.group is None else ": " + k.group),
                order,
                k.width,
                k.display_name,
                [key_prefix + d for d in k.dependents],
                None,
                k.internal,
            )
        )
        order += 1


def _embedded_validator(prefix: str, validator: Any) -> LambdaValidator:
    def check(name: str, value: Any) -> None:
        validator(name[len(prefix) :] if name.startswith(prefix) else name, value)

    return LambdaValidator(check, str(validator))


class _PluginNames(list[str]):
    """Recommended values of a ``.type`` key: the plugin class names; aliases count as members."""

    def __init__(self, registry: PluginRegistry, kind: PluginType) -> None:
        super().__init__(d.class_name for d in registry.plugins((kind,)))
        self._registry = registry
        self._kind = kind

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, str):
            return False
        desc = self._registry.find(item)
        return desc is not None and desc.kind == self._kind


class _ClassRecommender:
    def __init__(self, registry: PluginRegistry, kind: PluginType) -> None:
        self.registry = registry
        self.kind = kind

    def valid_values(self, name: str, parsed: Mapping[str, Any]) -> list[Any]:
        return _PluginNames(self.registry, self.kind)

    def visible(self, name: str, parsed: Mapping[str, Any]) -> bool:
        return True


def _plugin_config_def(registry: PluginRegistry, key: str, value: Any, kind: PluginType) -> ConfigDef:
    base = "Transformation" if kind == "transformation" else "Predicate"
    if value is None:
        raise ConfigException(f"Invalid value null for configuration {key}: Not a {base}", key)
    desc = registry.find(str(value))
    if desc is None:
        raise ConfigException(f"Invalid value {value} for configuration {key}: Class {value} could not be found.", key)
    if desc.kind != kind:
        raise ConfigException(f"Invalid value {desc.class_name} for configuration {key}: Not a {base}", key)
    try:
        definition = desc.cls().config()
    except Exception as e:
        raise ConfigException(
            f"Invalid value {desc.class_name} for configuration {key}: Error getting config definition from "
            f"{base}: {e}",
            key,
        ) from e
    return definition


def enrich(registry: PluginRegistry, base: ConfigDef, props: Mapping[str, Any], require_full_config: bool) -> ConfigDef:
    """``ConnectorConfig.enrich``: ``base`` plus the keys of every listed transform and predicate."""
    new_def = ConfigDef(base)
    _enrich_kind(registry, new_def, props, require_full_config, "transformation", TRANSFORMS_CONFIG, TRANSFORMS_GROUP)
    _enrich_kind(registry, new_def, props, require_full_config, "predicate", PREDICATES_CONFIG, PREDICATES_GROUP)
    return new_def


def _enrich_kind(
    registry: PluginRegistry,
    new_def: ConfigDef,
    props: Mapping[str, Any],
    require_full_config: bool,
    kind: PluginType,
    alias_config: str,
    alias_group: str,
) -> None:
    try:
        aliases = parse_type(alias_config, props.get(alias_config), ConfigType.LIST)
    except ConfigException:
        return
    if not isinstance(aliases, list):
        return
    base_name = "Transformation" if kind == "transformation" else "Predicate"
    for alias in dict.fromkeys(aliases):
        prefix = f"{alias_config}.{alias}."
        group = f"{alias_group}: {alias}"
        type_config = prefix + "type"

        def type_validator(name: str, value: Any, _prefix: str = prefix, _type: str = type_config) -> None:
            if kind == "transformation":
                negate, pred = _prefix + NEGATE_CONFIG, _prefix + PREDICATE_CONFIG
                if negate in props and pred not in props:
                    raise ConfigException(
                        f"Config '{negate}' was provided but there is no config '{pred}' defining a predicate to be "
                        "negated."
                    )
            _plugin_config_def(registry, _type, value, kind)

        new_def.define(
            type_config,
            ConfigType.CLASS,
            NO_DEFAULT_VALUE,
            LambdaValidator(type_validator, f"valid configs for {alias} {kind}"),
            Importance.HIGH,
            f"Class for the '{alias}' {kind}.",
            group,
            0,
            Width.LONG,
            f"{base_name} type for {alias}",
            (),
            _ClassRecommender(registry, kind),
        )
        child = ConfigDef()
        if kind == "transformation":
            child.define(
                PREDICATE_CONFIG,
                ConfigType.STRING,
                "",
                None,
                Importance.MEDIUM,
                "The alias of a predicate used to determine whether to apply this transformation.",
            )
            child.define(
                NEGATE_CONFIG,
                ConfigType.BOOLEAN,
                False,
                None,
                Importance.MEDIUM,
                "Whether the configured predicate should be negated.",
            )
        try:
            plugin_def = _plugin_config_def(registry, type_config, props.get(type_config), kind)
        except ConfigException:
            if require_full_config:
                raise
            continue
        for k in plugin_def.config_keys.values():
            if k.name in (PREDICATE_CONFIG, NEGATE_CONFIG) and kind == "transformation":
                continue
            child.define_key(k)
        embed(new_def, prefix, group, 1, child)


class ConnectorConfig(AbstractConfig):
    """A parsed connector configuration (framework keys only; ``originals`` has everything)."""

    def __init__(self, registry: PluginRegistry, props: Mapping[str, Any], *, sink: bool) -> None:
        base = sink_connector_config_def() if sink else source_connector_config_def()
        super().__init__(enrich(registry, base, props, require_full_config=True), props)
        self.is_sink = sink
        self.registry = registry

    @property
    def name(self) -> str:
        return self.get_str(NAME_CONFIG)

    @property
    def tasks_max(self) -> int:
        return self.get_int(TASKS_MAX_CONFIG)

    @property
    def tasks_max_enforce(self) -> bool:
        return self.get_bool(TASKS_MAX_ENFORCE_CONFIG)

    @property
    def errors_tolerate_all(self) -> bool:
        return self.get_str(ERRORS_TOLERANCE_CONFIG).lower() == "all"

    @property
    def dlq_topic(self) -> str:
        return self.get_str(DLQ_TOPIC_NAME_CONFIG).strip() if self.is_sink else ""

    @property
    def enable_errant_record_reporter(self) -> bool:
        return bool(self.dlq_topic) or self.get_bool(ERRORS_LOG_ENABLE_CONFIG)


def validate_sink_topics(props: Mapping[str, Any], values: dict[str, Any]) -> None:
    """``SinkConnectorConfig.validate(props, validatedConfig)``: topics vs topics.regex vs DLQ topic.

    ``values`` maps names to :class:`~genesis_worker.api.config.ConfigValue`; errors are appended."""
    from genesis_worker.api.config import ConfigValue

    topics = props.get(TOPICS_CONFIG)
    regex = props.get(TOPICS_REGEX_CONFIG)
    dlq = str(props.get(DLQ_TOPIC_NAME_CONFIG) or "").strip()
    has_topics = topics is not None and str(topics).strip() != ""
    has_regex = regex is not None and str(regex).strip() != ""

    def add(name: str, value: Any, message: str) -> None:
        cv = values.get(name)
        if cv is None:
            cv = values[name] = ConfigValue(name, value)
        cv.add_error(message)

    if has_topics and has_regex:
        msg = f"{TOPICS_CONFIG} and {TOPICS_REGEX_CONFIG} are mutually exclusive options, but both are set."
        add(TOPICS_CONFIG, topics, msg)
        add(TOPICS_REGEX_CONFIG, regex, msg)
    if not has_topics and not has_regex:
        msg = f"Must configure one of {TOPICS_CONFIG} or {TOPICS_REGEX_CONFIG}"
        add(TOPICS_CONFIG, topics, msg)
        add(TOPICS_REGEX_CONFIG, regex, msg)
    if dlq:
        if has_topics:
            listed = list(dict.fromkeys(t for t in re.split(r"\s*,\s*", str(topics).strip()) if t))
            if dlq in listed:
                add(
                    TOPICS_CONFIG,
                    topics,
                    f"The DLQ topic '{dlq}' may not be included in the list of topics ('{TOPICS_CONFIG}=["
                    + ", ".join(listed)
                    + "]') consumed by the connector",
                )
        if has_regex:
            try:
                matches = re.fullmatch(str(regex), dlq) is not None
            except re.error:
                matches = False
            if matches:
                add(
                    TOPICS_REGEX_CONFIG,
                    regex,
                    f"The DLQ topic '{dlq}' may not be matched by the regex for the topics "
                    f"('{TOPICS_REGEX_CONFIG}={regex}') consumed by the connector",
                )

"""A connector's configuration parsed once into frozen typed objects: Connect's ``ConnectorConfig``,
``SinkConnectorConfig`` and ``SourceConnectorConfig``.

The worker parses a connector's config when it starts the connector or one of its tasks, after the
worker's config providers resolved its placeholders; below that, the runtime reads these attributes,
not string keys. ``originals`` is the resolved map, what ``Connector.start()`` receives.

Example::

    config = parse_connector_config(registry, resolved_props, topic_creation_enabled=True)
    config.tasks_max, config.errors.tolerate_all, [t.alias for t in config.transforms]
    if isinstance(config, SinkConnectorConfig):
        config.dlq.topic if config.dlq else None
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from genesis_worker.api.config import AbstractConfig
from genesis_worker.plugins.registry import PluginRegistry
from genesis_worker.runtime.connector_config_def import (
    ADMIN_OVERRIDES_PREFIX,
    CONNECTOR_CLASS_CONFIG,
    CONNECTOR_VERSION_CONFIG,
    CONSUMER_OVERRIDES_PREFIX,
    DLQ_CONTEXT_HEADERS_ENABLE_CONFIG,
    DLQ_TOPIC_NAME_CONFIG,
    DLQ_TOPIC_REPLICATION_FACTOR_CONFIG,
    ERRORS_LOG_ENABLE_CONFIG,
    ERRORS_LOG_INCLUDE_MESSAGES_CONFIG,
    ERRORS_RETRY_MAX_DELAY_CONFIG,
    ERRORS_RETRY_TIMEOUT_CONFIG,
    ERRORS_TOLERANCE_CONFIG,
    EXACTLY_ONCE_SUPPORT_CONFIG,
    NAME_CONFIG,
    NEGATE_CONFIG,
    OFFSETS_TOPIC_CONFIG,
    PREDICATE_CONFIG,
    PREDICATES_CONFIG,
    PRODUCER_OVERRIDES_PREFIX,
    TASKS_MAX_CONFIG,
    TASKS_MAX_ENFORCE_CONFIG,
    TOPICS_CONFIG,
    TOPICS_REGEX_CONFIG,
    TRANSACTION_BOUNDARY_CONFIG,
    TRANSACTION_BOUNDARY_INTERVAL_CONFIG,
    TRANSFORMS_CONFIG,
    sink_connector_config_def,
    source_connector_config_def,
)
from genesis_worker.runtime.connector_config_enrich import enrich
from genesis_worker.runtime.topic_creation import TopicGroup, parse_topic_groups

__all__ = [
    "ConnectorConfig",
    "ConverterConfig",
    "DeadLetterQueueConfig",
    "ErrorsConfig",
    "PluginConfig",
    "SinkConnectorConfig",
    "SourceConnectorConfig",
    "TransformConfig",
    "parse_connector_config",
]

ConverterRole = Literal["key", "value", "header"]


def _with_prefix(props: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    return {k[len(prefix) :]: v for k, v in props.items() if k.startswith(prefix) and v is not None}


@dataclass(frozen=True)
class PluginConfig:
    """A transform or predicate: its class and its own keys (prefix, ``type``, ``predicate``, ``negate`` removed)."""

    class_name: str
    configs: Mapping[str, Any]


@dataclass(frozen=True)
class TransformConfig:
    """One ``transforms.<alias>``, applied when its predicate (an alias of ``predicates``) matches, or
    does not match if ``negate``."""

    alias: str
    plugin: PluginConfig
    predicate: str | None = None
    negate: bool = False


@dataclass(frozen=True)
class ConverterConfig:
    """``<role>.converter``: ``class_name`` None means the worker's; ``configs`` are the connector's
    ``<role>.converter.*`` keys; ``version`` the KIP-891 requirement ``<role>.converter.plugin.version``."""

    role: ConverterRole
    class_name: str | None
    configs: Mapping[str, Any]
    version: str | None


@dataclass(frozen=True)
class ErrorsConfig:
    """``errors.*`` (KIP-298): retries, tolerance and logging of failed records."""

    retry_timeout_ms: int = 0
    retry_max_delay_ms: int = 60000
    tolerate_all: bool = False
    log_enable: bool = False
    log_include_messages: bool = False


@dataclass(frozen=True)
class DeadLetterQueueConfig:
    """``errors.deadletterqueue.*`` of a sink whose DLQ topic is set."""

    topic: str
    replication_factor: int = 3
    context_headers_enable: bool = False


@dataclass(frozen=True, kw_only=True)
class ConnectorConfig:
    """What every connector's config says to the framework (``ConnectorConfig``)."""

    name: str
    connector_class: str
    version: str | None
    tasks_max: int
    tasks_max_enforce: bool
    key_converter: ConverterConfig
    value_converter: ConverterConfig
    header_converter: ConverterConfig
    transforms: tuple[TransformConfig, ...]
    predicates: Mapping[str, PluginConfig]
    errors: ErrorsConfig
    consumer_overrides: Mapping[str, Any]
    producer_overrides: Mapping[str, Any]
    admin_overrides: Mapping[str, Any]
    originals: Mapping[str, str] = field(repr=False)


@dataclass(frozen=True, kw_only=True)
class SinkConnectorConfig(ConnectorConfig):
    """``SinkConnectorConfig``: the subscription and the dead letter queue (None when not configured)."""

    topics: tuple[str, ...]
    topics_regex: str | None
    dlq: DeadLetterQueueConfig | None


@dataclass(frozen=True, kw_only=True)
class SourceConnectorConfig(ConnectorConfig):
    """``SourceConnectorConfig``: topic creation groups (KIP-158; None when the worker or the connector
    does not use it, default group last), exactly-once keys (KIP-618) and the connector's offsets topic."""

    topic_creation: tuple[TopicGroup, ...] | None
    exactly_once_support: str
    transaction_boundary: str
    transaction_boundary_interval_ms: int | None
    offsets_topic: str | None


def _converter(cfg: AbstractConfig, role: ConverterRole) -> ConverterConfig:
    key = f"{role}.converter"
    class_name = cfg.get(key)
    return ConverterConfig(
        role,
        str(class_name) if class_name else None,
        _with_prefix(cfg.originals, key + ".") if class_name else {},
        cfg.get(f"{key}.plugin.version"),
    )


def _plugin(originals: Mapping[str, Any], prefix: str, drop: tuple[str, ...]) -> PluginConfig:
    configs = _with_prefix(originals, prefix)
    class_name = str(configs.pop("type"))
    for k in drop:
        configs.pop(k, None)
    return PluginConfig(class_name, configs)


def _common(cfg: AbstractConfig) -> dict[str, Any]:
    originals = cfg.originals
    transforms = tuple(
        TransformConfig(
            str(alias),
            _plugin(originals, f"{TRANSFORMS_CONFIG}.{alias}.", (PREDICATE_CONFIG, NEGATE_CONFIG)),
            cfg.get(f"{TRANSFORMS_CONFIG}.{alias}.{PREDICATE_CONFIG}") or None,
            bool(cfg.get(f"{TRANSFORMS_CONFIG}.{alias}.{NEGATE_CONFIG}")),
        )
        for alias in dict.fromkeys(cfg.get_list(TRANSFORMS_CONFIG))
    )
    predicates = {
        str(alias): _plugin(originals, f"{PREDICATES_CONFIG}.{alias}.", ())
        for alias in dict.fromkeys(cfg.get_list(PREDICATES_CONFIG))
    }
    return {
        "name": cfg.get_str(NAME_CONFIG),
        "connector_class": cfg.get_str(CONNECTOR_CLASS_CONFIG),
        "version": cfg.get(CONNECTOR_VERSION_CONFIG),
        "tasks_max": cfg.get_int(TASKS_MAX_CONFIG),
        "tasks_max_enforce": cfg.get_bool(TASKS_MAX_ENFORCE_CONFIG),
        "key_converter": _converter(cfg, "key"),
        "value_converter": _converter(cfg, "value"),
        "header_converter": _converter(cfg, "header"),
        "transforms": transforms,
        "predicates": predicates,
        "errors": ErrorsConfig(
            cfg.get_int(ERRORS_RETRY_TIMEOUT_CONFIG),
            cfg.get_int(ERRORS_RETRY_MAX_DELAY_CONFIG),
            cfg.get_str(ERRORS_TOLERANCE_CONFIG).lower() == "all",
            cfg.get_bool(ERRORS_LOG_ENABLE_CONFIG),
            cfg.get_bool(ERRORS_LOG_INCLUDE_MESSAGES_CONFIG),
        ),
        "consumer_overrides": _with_prefix(originals, CONSUMER_OVERRIDES_PREFIX),
        "producer_overrides": _with_prefix(originals, PRODUCER_OVERRIDES_PREFIX),
        "admin_overrides": _with_prefix(originals, ADMIN_OVERRIDES_PREFIX),
        "originals": dict(originals),
    }


def parse_connector_config(
    registry: PluginRegistry, props: Mapping[str, str], *, topic_creation_enabled: bool
) -> ConnectorConfig:
    """Parse a resolved connector config (``ConfigException`` on a bad or missing key): a
    :class:`SinkConnectorConfig` or :class:`SourceConnectorConfig` after the connector class's kind.
    Topic creation groups are parsed only when the worker enables topic creation, as in Connect."""
    sink = registry.resolve(str(props.get(CONNECTOR_CLASS_CONFIG, "")), ("sink", "source")).kind == "sink"
    base = sink_connector_config_def() if sink else source_connector_config_def()
    cfg = AbstractConfig(enrich(registry, base, props, require_full_config=True), props)
    if sink:
        dlq_topic = cfg.get_str(DLQ_TOPIC_NAME_CONFIG).strip()
        dlq = None
        if dlq_topic:
            dlq = DeadLetterQueueConfig(
                dlq_topic,
                cfg.get_int(DLQ_TOPIC_REPLICATION_FACTOR_CONFIG),
                cfg.get_bool(DLQ_CONTEXT_HEADERS_ENABLE_CONFIG),
            )
        return SinkConnectorConfig(
            **_common(cfg),
            topics=tuple(cfg.get_list(TOPICS_CONFIG)),
            topics_regex=cfg.get_str(TOPICS_REGEX_CONFIG) or None,
            dlq=dlq,
        )
    groups = parse_topic_groups(props) if topic_creation_enabled else None
    interval = cfg.get(TRANSACTION_BOUNDARY_INTERVAL_CONFIG)
    return SourceConnectorConfig(
        **_common(cfg),
        topic_creation=tuple(groups) if groups is not None else None,
        exactly_once_support=cfg.get_str(EXACTLY_ONCE_SUPPORT_CONFIG),
        transaction_boundary=cfg.get_str(TRANSACTION_BOUNDARY_CONFIG),
        transaction_boundary_interval_ms=int(interval) if interval is not None else None,
        offsets_topic=cfg.get(OFFSETS_TOPIC_CONFIG),
    )

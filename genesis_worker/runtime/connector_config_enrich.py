"""Connect's ``ConnectorConfig.enrich``: a connector's ConfigDef plus the keys of every configured
transform and predicate (``transforms.<alias>.*``, ``predicates.<alias>.*``), their class recommenders,
and the sink-only cross-key checks of ``SinkConnectorConfig.validate`` (topics vs topics.regex vs DLQ).

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
    ConfigDef,
    ConfigKey,
    ConfigType,
    ConfigValue,
    Importance,
    Width,
    parse_type,
)
from genesis_worker.api.errors import ConfigException
from genesis_worker.api.transform import PluginType
from genesis_worker.api.validators import (
    LambdaValidator,
)
from genesis_worker.plugins.registry import PluginRegistry
from genesis_worker.runtime.connector_config_def import (
    DLQ_TOPIC_NAME_CONFIG,
    NEGATE_CONFIG,
    PREDICATE_CONFIG,
    PREDICATES_CONFIG,
    PREDICATES_GROUP,
    TOPICS_CONFIG,
    TOPICS_REGEX_CONFIG,
    TRANSFORMS_CONFIG,
    TRANSFORMS_GROUP,
)

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


def validate_sink_topics(props: Mapping[str, Any], values: dict[str, Any]) -> None:
    """``SinkConnectorConfig.validate(props, validatedConfig)``: topics vs topics.regex vs DLQ topic.

    ``values`` maps names to :class:`~genesis_worker.api.config.ConfigValue`; errors are appended."""
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

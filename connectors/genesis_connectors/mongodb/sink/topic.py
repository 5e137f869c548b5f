"""A topic's strategy objects and the connector-level config (``MongoSinkConfig``, ``validate``).

Built on :mod:`genesis_connectors.mongodb.sink.config` (the keys and per-topic settings) and the strategy
modules, which read :class:`~genesis_connectors.mongodb.sink.config.TopicSettings` only. Everything is built
when the topic's config is made: a bad class name or an incompatible combination fails start(), not put().
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from genesis_connectors.mongodb import configs as c
from genesis_connectors.mongodb.sink.config import (
    CONFIG_DEF,
    DATABASE_CONFIG,
    TOPIC_OVERRIDE_PREFIX,
    TOPICS_CONFIG,
    TOPICS_REGEX_CONFIG,
    TopicSettings,
    key_in_message,
)
from genesis_connectors.mongodb.sink.id_strategies import IdStrategy, create_id_strategy
from genesis_connectors.mongodb.sink.namespace import NamespaceMapper, create_namespace_mapper
from genesis_connectors.mongodb.sink.post_processors import PostProcessor, create_post_processors
from genesis_connectors.mongodb.sink.write_models import (
    WriteModelStrategy,
    create_delete_strategy,
    create_write_model_strategy,
)
from genesis_worker.api import ConfigException, ConfigValue
from genesis_worker.api.config import Password


class TopicConfig(TopicSettings):
    """One topic's settings and the strategy objects built from them, once per topic and reused."""

    def __init__(self, topic: str, props: Mapping[str, str]) -> None:
        super().__init__(topic, props)
        self.namespace_mapper: NamespaceMapper = create_namespace_mapper(self)
        self.id_strategy: IdStrategy = create_id_strategy(self)
        self.post_processors: list[PostProcessor] = create_post_processors(self, self.id_strategy)
        self.write_model: WriteModelStrategy = create_write_model_strategy(self, self.id_strategy)
        self.delete_model: WriteModelStrategy | None = create_delete_strategy(self, self.id_strategy)


class MongoSinkConfig:
    """Connector-level settings: URI, topics, and a :class:`TopicConfig` per topic (made on first use)."""

    def __init__(self, props: Mapping[str, str]) -> None:
        self.props = dict(props)
        uri = self.props.get(c.CONNECTION_URI_CONFIG, c.CONNECTION_URI_DEFAULT)
        c.CONNECTION_URI(c.CONNECTION_URI_CONFIG, uri)
        self.connection_uri = uri.value if isinstance(uri, Password) else str(uri)
        topics = [t for t in re.split(r"\s*,\s*", str(self.props.get(TOPICS_CONFIG, "")).strip()) if t]
        regex = str(self.props.get(TOPICS_REGEX_CONFIG, "") or "").strip()
        if topics and regex:
            raise ConfigException(
                f"{TOPICS_CONFIG} and {TOPICS_REGEX_CONFIG} are mutually exclusive options, but both are set."
            )
        self.topics = topics
        self.topics_regex = re.compile(regex) if regex else None
        self._topic_configs: dict[str, TopicConfig] = {}
        for t in topics:
            self.topic_config(t)

    def topic_config(self, topic: str) -> TopicConfig:
        cfg = self._topic_configs.get(topic)
        if cfg is None:
            cfg = self._topic_configs[topic] = TopicConfig(topic, self.props)
        return cfg


def validate(props: Mapping[str, Any]) -> list[ConfigValue]:
    """``MongoSinkConnector.validate``: the ConfigDef checks, then per-topic checks whose errors are
    attached to the key that caused them (the override key when an override set it)."""
    results = {v.name: v for v in CONFIG_DEF.validate(props)}
    if any(v.errors for v in results.values()):
        return list(results.values())
    topics = [t for t in re.split(r"\s*,\s*", str(props.get(TOPICS_CONFIG, "")).strip()) if t]
    for t in {k[len(TOPIC_OVERRIDE_PREFIX) :].split(".")[0] for k in props if k.startswith(TOPIC_OVERRIDE_PREFIX)}:
        if t not in topics:
            topics.append(t)
    for topic in topics or [""]:
        try:
            TopicConfig(topic, props)
        except ConfigException as e:
            name = e.name or key_in_message(str(e)) or DATABASE_CONFIG
            override = f"{TOPIC_OVERRIDE_PREFIX}{topic}.{name}"
            target = override if override in props else name
            cv = results.setdefault(target, ConfigValue(target, props.get(target)))
            if str(e) not in cv.errors:
                cv.add_error(str(e))
    return list(results.values())

"""A connector's config parsed once into its typed form (Connect's Sink/SourceConnectorConfig)."""

import pytest

from genesis_worker.api.errors import ConfigException
from genesis_worker.plugins.registry import PluginRegistry
from genesis_worker.runtime.connector_config import (
    DeadLetterQueueConfig,
    ErrorsConfig,
    PluginConfig,
    SinkConnectorConfig,
    SourceConnectorConfig,
    TransformConfig,
    parse_connector_config,
)


@pytest.fixture(scope="module")
def registry() -> PluginRegistry:
    return PluginRegistry.discover()


def test_sink(registry: PluginRegistry) -> None:
    props = {
        "name": "s",
        "connector.class": "FileStreamSink",
        "tasks.max": "3",
        "tasks.max.enforce": "false",
        "topics": "a, b",
        "value.converter": "StringConverter",
        "value.converter.encoding": "UTF-16",
        "value.converter.plugin.version": "[1.0,)",
        "transforms": "route",
        "transforms.route.type": "RegexRouter",
        "transforms.route.regex": "(.*)",
        "transforms.route.replacement": "x-$1",
        "transforms.route.predicate": "has",
        "transforms.route.negate": "true",
        "predicates": "has",
        "predicates.has.type": "HasHeaderKey",
        "predicates.has.name": "h",
        "errors.tolerance": "all",
        "errors.retry.timeout": "1000",
        "errors.log.enable": "true",
        "errors.deadletterqueue.topic.name": " dlq ",
        "errors.deadletterqueue.topic.replication.factor": "1",
        "consumer.override.max.poll.records": "7",
        "admin.override.bootstrap.servers": "other:9092",
    }
    c = parse_connector_config(registry, props, topic_creation_enabled=True)
    assert isinstance(c, SinkConnectorConfig)
    assert (c.name, c.connector_class, c.tasks_max, c.tasks_max_enforce) == ("s", "FileStreamSink", 3, False)
    assert (c.topics, c.topics_regex) == (("a", "b"), None)
    assert c.key_converter.class_name is None and c.key_converter.configs == {}  # the worker's
    assert c.value_converter.class_name == "StringConverter"
    assert c.value_converter.version == "[1.0,)"
    assert c.value_converter.configs == {"encoding": "UTF-16", "plugin.version": "[1.0,)"}
    assert c.transforms == (
        TransformConfig(
            "route", PluginConfig("RegexRouter", {"regex": "(.*)", "replacement": "x-$1"}), "has", negate=True
        ),
    )
    assert c.predicates == {"has": PluginConfig("HasHeaderKey", {"name": "h"})}
    assert c.errors == ErrorsConfig(1000, 60000, tolerate_all=True, log_enable=True, log_include_messages=False)
    assert c.dlq == DeadLetterQueueConfig("dlq", 1, context_headers_enable=False)
    assert c.consumer_overrides == {"max.poll.records": "7"}
    assert c.admin_overrides == {"bootstrap.servers": "other:9092"}
    assert c.originals == props
    with pytest.raises(AttributeError):
        c.tasks_max = 1  # type: ignore[misc]


def test_source_topic_creation_only_when_the_worker_enables_it(registry: PluginRegistry) -> None:
    props = {
        "name": "src",
        "connector.class": "FileStreamSource",
        "topic": "t",
        "topic.creation.default.replication.factor": "1",
        "topic.creation.default.partitions": "2",
    }
    c = parse_connector_config(registry, props, topic_creation_enabled=True)
    assert isinstance(c, SourceConnectorConfig)
    assert c.topic_creation is not None and [(g.name, g.partitions) for g in c.topic_creation] == [("default", 2)]
    assert (c.exactly_once_support, c.transaction_boundary, c.offsets_topic) == ("requested", "poll", None)
    assert c.errors == ErrorsConfig() and c.transforms == () and c.tasks_max == 1
    off = parse_connector_config(registry, props, topic_creation_enabled=False)
    assert isinstance(off, SourceConnectorConfig) and off.topic_creation is None


def test_bad_values_fail_the_parse(registry: PluginRegistry) -> None:
    base = {"name": "s", "connector.class": "FileStreamSink", "topics": "a"}
    with pytest.raises(ConfigException, match=r"errors\.tolerance"):
        parse_connector_config(registry, base | {"errors.tolerance": "some"}, topic_creation_enabled=True)
    with pytest.raises(ConfigException, match=r"tasks\.max"):
        parse_connector_config(registry, base | {"tasks.max": "many"}, topic_creation_enabled=True)
    with pytest.raises(ConfigException, match=r"transforms\.x\.type"):
        parse_connector_config(registry, base | {"transforms": "x"}, topic_creation_enabled=True)

"""``MongoSinkConnector``: the connector class of the sink (``com.mongodb.kafka.connect.MongoSinkConnector``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from genesis_connectors.mongodb.sink import config as k
from genesis_connectors.mongodb.sink.topic import MongoSinkConfig, validate
from genesis_worker.api import ConfigDef, ConfigValue, SinkConnector, SinkTask

if TYPE_CHECKING:
    from genesis_worker.api.lineage import Lineage


class MongoSinkConnector(SinkConnector):
    """Writes Kafka topics to MongoDB collections, configured exactly like the official Java connector.

    Example config::

        {"connector.class": "com.mongodb.kafka.connect.MongoSinkConnector",
         "topics": "clicks", "connection.uri": "mongodb://mongo:27017", "database": "ads",
         "document.id.strategy": "com.mongodb.kafka.connect.sink.processor.id.strategy.ProvidedInValueStrategy"}
    """

    java_class_names: ClassVar[tuple[str, ...]] = ("com.mongodb.kafka.connect.MongoSinkConnector",)

    def __init__(self) -> None:
        self.props: dict[str, str] = {}

    def task_class(self) -> type[SinkTask]:
        from genesis_connectors.mongodb.sink.task import MongoSinkTask

        return MongoSinkTask

    async def start(self, props: dict[str, str]) -> None:
        MongoSinkConfig(props)  # fail fast on a bad config, before any task starts
        self.props = dict(props)

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        return [dict(self.props) for _ in range(max_tasks)]

    async def stop(self) -> None:
        self.props = {}

    def config(self) -> ConfigDef:
        return k.CONFIG_DEF

    def validate(self, connector_configs: Mapping[str, Any]) -> list[ConfigValue]:
        return validate(connector_configs)

    def lineage(self, config: Mapping[str, str]) -> Lineage:
        from genesis_worker.api.lineage import Endpoint

        lineage = super().lineage(config)
        database = config.get(k.DATABASE_CONFIG, "")
        mapper = config.get(k.NAMESPACE_MAPPER_CONFIG, k.DEFAULT_NAMESPACE_MAPPER)
        collection = config.get(k.COLLECTION_CONFIG, "")
        if mapper != k.DEFAULT_NAMESPACE_MAPPER:
            lineage.outputs.append(Endpoint("mongodb", f"{database}.*", pattern=True))
        elif collection:
            lineage.outputs.append(Endpoint("mongodb", f"{database}.{collection}"))
        else:
            topics = [t.strip() for t in config.get(k.TOPICS_CONFIG, "").split(",") if t.strip()]
            lineage.outputs.extend(Endpoint("mongodb", f"{database}.{t}") for t in topics)
            if config.get(k.TOPICS_REGEX_CONFIG, "").strip():
                lineage.outputs.append(Endpoint("mongodb", f"{database}.${{topic}}", pattern=True))
        return lineage

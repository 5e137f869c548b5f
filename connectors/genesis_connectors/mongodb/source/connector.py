"""``MongoSourceConnector``: the connector class of the source (``com.mongodb.kafka.connect.MongoSourceConnector``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from genesis_connectors.mongodb.source import keys as k
from genesis_connectors.mongodb.source.config import MongoSourceConfig, validate
from genesis_connectors.mongodb.source.config_def import CONFIG_DEF
from genesis_worker.api import ConfigDef, ConfigValue, SourceConnector, SourceTask

if TYPE_CHECKING:
    from genesis_worker.api.lineage import Lineage


class MongoSourceConnector(SourceConnector):
    """Publishes MongoDB change streams to Kafka, configured exactly like the official Java connector.

    One task watches the configured collection, database or whole deployment (``tasks.max`` above 1 still
    starts one task, as in Java). Example config::

        {"connector.class": "com.mongodb.kafka.connect.MongoSourceConnector",
         "connection.uri": "mongodb://mongo:27017", "database": "ads", "collection": "clicks",
         "startup.mode": "copy_existing", "topic.prefix": "mongo"}
    """

    java_class_names: ClassVar[tuple[str, ...]] = ("com.mongodb.kafka.connect.MongoSourceConnector",)

    def __init__(self) -> None:
        self.props: dict[str, str] = {}

    def task_class(self) -> type[SourceTask]:
        from genesis_connectors.mongodb.source.task import MongoSourceTask

        return MongoSourceTask

    async def start(self, props: dict[str, str]) -> None:
        MongoSourceConfig(props)
        self.props = dict(props)

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        return [dict(self.props)] if max_tasks > 0 else []

    async def stop(self) -> None:
        self.props = {}

    def config(self) -> ConfigDef:
        return CONFIG_DEF

    def validate(self, connector_configs: Mapping[str, Any]) -> list[ConfigValue]:
        return validate(connector_configs)

    def lineage(self, config: Mapping[str, str]) -> Lineage:
        from genesis_worker.api.lineage import Endpoint, Lineage

        db, coll = config.get(k.DATABASE_CONFIG, ""), config.get(k.COLLECTION_CONFIG, "")
        source = Endpoint("mongodb", f"{db}.{coll}" if coll else f"{db or '*'}.*", pattern=not coll)
        sep = config.get(k.TOPIC_SEPARATOR_CONFIG, ".") or "."
        parts = [
            config.get(k.TOPIC_PREFIX_CONFIG, ""),
            f"{db}{sep}{coll}" if coll else "${namespace}",
            config.get(k.TOPIC_SUFFIX_CONFIG, ""),
        ]
        topic = sep.join(p for p in parts if p)
        return Lineage(
            inputs=[source],
            outputs=[Endpoint("kafka", topic, pattern=not coll or bool(config.get(k.TOPIC_NAMESPACE_MAP_CONFIG)))],
        )

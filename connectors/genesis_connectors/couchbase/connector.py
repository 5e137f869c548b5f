"""``CouchbaseSinkConnector``: the connector class of the Couchbase sink
(``com.couchbase.connect.kafka.CouchbaseSinkConnector``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from genesis_connectors.couchbase import config as k
from genesis_worker.api import ConfigDef, SinkConnector, SinkTask
from genesis_worker.api.lineage import Endpoint, Lineage


class CouchbaseSinkConnector(SinkConnector):
    """Writes Kafka topics to Couchbase documents, configured like Couchbase's Kafka connector (4.x).

    Example config::

        {"connector.class": "com.couchbase.connect.kafka.CouchbaseSinkConnector",
         "topics": "profiles", "couchbase.seed.nodes": "cb1,cb2", "couchbase.bucket": "ads",
         "couchbase.username": "kafka", "couchbase.password": "...",
         "couchbase.default.collection": "inventory.profiles", "couchbase.document.id": "${/type}::${/id}"}
    """

    java_class_names: ClassVar[tuple[str, ...]] = ("com.couchbase.connect.kafka.CouchbaseSinkConnector",)
    plugin_version: ClassVar[str | None] = "4.2.0"

    def __init__(self) -> None:
        self.props: dict[str, str] = {}

    def task_class(self) -> type[SinkTask]:
        from genesis_connectors.couchbase.task import CouchbaseSinkTask

        return CouchbaseSinkTask

    async def start(self, props: dict[str, str]) -> None:
        k.CouchbaseSinkConfig(props)  # fail fast on a bad config, before any task starts
        self.props = dict(props)

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        return [dict(self.props) for _ in range(max_tasks)]

    async def stop(self) -> None:
        self.props = {}

    def config(self) -> ConfigDef:
        return k.CONFIG_DEF

    def lineage(self, config: Mapping[str, str]) -> Lineage:
        lineage = super().lineage(config)
        bucket = config.get(k.BUCKET_CONFIG, "").strip()
        try:
            default = k.parse_scope_collection(
                k.DEFAULT_COLLECTION_CONFIG, config.get(k.DEFAULT_COLLECTION_CONFIG, "_default._default")
            )
            mapping = k.parse_topic_map(
                k.TOPIC_TO_COLLECTION_CONFIG,
                [e for e in config.get(k.TOPIC_TO_COLLECTION_CONFIG, "").split(",") if e.strip()],
            )
        except Exception:
            return lineage
        topics = [t.strip() for t in config.get(k.TOPICS_CONFIG, "").split(",") if t.strip()]
        names: list[str] = []
        for t in topics:
            scope, coll = mapping.get(t, default)
            names.append(f"{bucket}.{scope}.{coll}")
        if config.get(k.TOPICS_REGEX_CONFIG, "").strip():
            names.extend(f"{bucket}.{s}.{c}" for s, c in [default, *mapping.values()])
        for name in dict.fromkeys(names):
            lineage.outputs.append(Endpoint("couchbase", name))
        return lineage

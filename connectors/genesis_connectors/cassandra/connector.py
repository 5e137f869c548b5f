"""``CassandraSinkConnector``: the connector class of the Cassandra sink
(``com.datastax.oss.kafka.sink.CassandraSinkConnector``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from genesis_connectors.cassandra import config as k
from genesis_worker.api import ConfigDef, ConfigException, ConfigValue, SinkConnector, SinkTask
from genesis_worker.api.lineage import Endpoint, Lineage


class CassandraSinkConnector(SinkConnector):
    """Writes Kafka topics to Cassandra tables, configured like the DataStax Apache Kafka Connector.

    Example config::

        {"connector.class": "com.datastax.oss.kafka.sink.CassandraSinkConnector",
         "topics": "clicks", "contactPoints": "cassandra1,cassandra2", "loadBalancing.localDc": "dc1",
         "topic.clicks.ads.clicks_by_user.mapping": "user_id=key, ts=value.ts, ad=value.ad_id"}
    """

    java_class_names: ClassVar[tuple[str, ...]] = (
        "com.datastax.oss.kafka.sink.CassandraSinkConnector",
        "com.datastax.kafkaconnector.DseSinkConnector",
    )
    plugin_version: ClassVar[str | None] = "1.4.0"

    def __init__(self) -> None:
        self.props: dict[str, str] = {}

    def task_class(self) -> type[SinkTask]:
        from genesis_connectors.cassandra.task import CassandraSinkTask

        return CassandraSinkTask

    async def start(self, props: dict[str, str]) -> None:
        k.CassandraSinkConfig(props)  # fail fast on a bad config, before any task starts
        self.props = dict(props)

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        return [dict(self.props) for _ in range(max_tasks)]

    async def stop(self) -> None:
        self.props = {}

    def config(self) -> ConfigDef:
        return k.CONFIG_DEF

    def validate(self, connector_configs: Mapping[str, Any]) -> list[ConfigValue]:
        values = super().validate(connector_configs)
        try:
            k.table_configs(connector_configs)
        except ConfigException as e:
            # named after the per-table key at fault (not a defined key: shown with definition null)
            name = e.name or "topic.<topic>.<keyspace>.<table>.mapping"
            bad = ConfigValue(name, connector_configs.get(name))
            bad.add_error(str(e))
            values.append(bad)
        return values

    def lineage(self, config: Mapping[str, str]) -> Lineage:
        lineage = super().lineage(config)
        try:
            tables = k.table_configs({kk: v for kk, v in config.items() if kk != k.TOPICS_CONFIG})
        except Exception:
            tables = []
        seen: set[str] = set()
        for t in tables:
            if t.name not in seen:
                seen.add(t.name)
                lineage.outputs.append(Endpoint("cassandra", t.name))
        return lineage

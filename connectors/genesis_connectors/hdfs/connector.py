"""``HdfsSinkConnector``: the connector class of the HDFS sink (``io.confluent.connect.hdfs.HdfsSinkConnector``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from genesis_connectors.hdfs import config as k
from genesis_connectors.hdfs.partitioners import create_partitioner
from genesis_worker.api import ConfigDef, SinkConnector, SinkTask
from genesis_worker.api.lineage import Endpoint, Lineage


class HdfsSinkConnector(SinkConnector):
    """Writes Kafka topics to HDFS files over WebHDFS, configured like Confluent's HDFS 3 sink connector.

    Example config::

        {"connector.class": "io.confluent.connect.hdfs.HdfsSinkConnector",
         "topics": "clicks", "hdfs.url": "hdfs://namenode:8020", "flush.size": "1000",
         "format.class": "io.confluent.connect.hdfs.json.JsonFormat"}
    """

    java_class_names: ClassVar[tuple[str, ...]] = (
        "io.confluent.connect.hdfs.HdfsSinkConnector",
        "io.confluent.connect.hdfs3.Hdfs3SinkConnector",
    )
    plugin_version: ClassVar[str | None] = "10.2.0"

    def __init__(self) -> None:
        self.props: dict[str, str] = {}

    def task_class(self) -> type[SinkTask]:
        from genesis_connectors.hdfs.task import HdfsSinkTask

        return HdfsSinkTask

    async def start(self, props: dict[str, str]) -> None:
        create_partitioner(k.HdfsSinkConfig(props))  # fail fast on a bad config, before any task starts
        self.props = dict(props)

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        return [dict(self.props) for _ in range(max_tasks)]

    async def stop(self) -> None:
        self.props = {}

    def config(self) -> ConfigDef:
        return k.CONFIG_DEF

    def lineage(self, config: Mapping[str, str]) -> Lineage:
        lineage = super().lineage(config)
        url = (config.get(k.HDFS_URL_CONFIG) or config.get(k.STORE_URL_CONFIG) or "").strip()
        try:
            _, prefix = k.webhdfs_address(url, 9870) if url else ("", "")
        except Exception:
            prefix = ""
        topics_dir = k.join_path(prefix, config.get(k.TOPICS_DIR_CONFIG, "topics") or "topics")
        topics = [t.strip() for t in config.get(k.TOPICS_CONFIG, "").split(",") if t.strip()]
        lineage.outputs.extend(Endpoint("hdfs", f"{topics_dir}/{t}") for t in topics)
        if config.get(k.TOPICS_REGEX_CONFIG, "").strip():
            lineage.outputs.append(Endpoint("hdfs", f"{topics_dir}/${{topic}}", pattern=True))
        return lineage

"""Which offset store a source connector and its tasks use (Java ``Worker.offsetStoreForRegularSourceTask`` and
``offsetStoreForRegularSourceConnector``, KIP-618).

A source connector with ``offsets.storage.topic`` on a distributed worker gets a store of its own on that topic,
read and written with its own clients: the producer settings of its tasks (``producer.override.*``), a consumer
from ``consumer.override.*`` (``isolation.level=read_committed`` unless overridden) and an admin client from
``admin.override.*``, which creates the topic if it is missing, with the settings of the worker's offsets topic
(``offset.storage.partitions``, ``offset.storage.replication.factor``, ``offset.storage.<topic config>``). The
worker's global store is its fallback and backup (:class:`ConnectorOffsetBackingStore`), unless the connector's
topic *is* the worker's (same name, same producer ``bootstrap.servers``): then the connector's store alone.
Without ``offsets.storage.topic``, or on a standalone worker, the worker's store alone::

    stores = SourceOffsetStores(worker_config, global_store)
    store = stores.for_task(task_id, source_config, producer_conf)       # not started
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from genesis_worker.config.kafka_clients import translate
from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.runtime.connector_config import SourceConnectorConfig
from genesis_worker.runtime.connector_config_def import OFFSETS_TOPIC_CONFIG
from genesis_worker.storage.base import OffsetBackingStore
from genesis_worker.storage.connector_offset_store import ConnectorOffsetBackingStore
from genesis_worker.storage.kafka_log import topic_settings
from genesis_worker.storage.kafka_offset_store import KafkaOffsetStore

__all__ = ["SourceOffsetStores", "uses_connector_offsets_topic"]


def uses_connector_offsets_topic(worker_config: WorkerConfig, offsets_topic: str | None) -> bool:
    """Java's ``regularSourceTaskUsesConnectorSpecificOffsetsStore``: the connector names a topic and the worker
    permits per-connector offsets topics (distributed mode only)."""
    return offsets_topic is not None and worker_config.mode == "distributed"


def _servers(value: Any) -> set[str]:
    return {s.strip() for s in str(value or "").split(",") if s.strip()}


class SourceOffsetStores:
    """Builds the offset stores of source connectors and tasks (see the module doc)."""

    def __init__(self, worker_config: WorkerConfig, worker_store: OffsetBackingStore) -> None:
        self.config = worker_config
        self.worker_store = worker_store

    @property
    def worker_topic(self) -> str | None:
        topic = self.config.originals.get("offset.storage.topic")
        return str(topic) if topic is not None and self.config.mode == "distributed" else None

    def worker_only(self) -> ConnectorOffsetBackingStore:
        """The store of a connector without a topic of its own: the worker's."""
        return ConnectorOffsetBackingStore(self.worker_topic, worker_store=self.worker_store)

    def for_task(
        self,
        task_id: object,
        config: SourceConnectorConfig,
        producer_conf: Mapping[str, Any],
        admin_conf: Mapping[str, Any],
    ) -> ConnectorOffsetBackingStore:
        """A regular (non exactly-once) task's store; ``producer_conf``/``admin_conf`` are the task's clients'."""
        return self._build(f"connector-consumer-{task_id}", config, producer_conf, admin_conf)

    def for_connector(
        self,
        name: str,
        config: SourceConnectorConfig,
        producer_conf: Mapping[str, Any] | None,
        admin_conf: Mapping[str, Any],
    ) -> ConnectorOffsetBackingStore:
        """The store the offsets REST endpoints read (``producer_conf`` None) and write."""
        return self._build(f"connector-consumer-{name}", config, producer_conf, admin_conf)

    def _build(
        self,
        consumer_client_id: str,
        config: SourceConnectorConfig,
        producer_conf: Mapping[str, Any] | None,
        admin_conf: Mapping[str, Any],
    ) -> ConnectorOffsetBackingStore:
        topic = config.offsets_topic
        if topic is None or not uses_connector_offsets_topic(self.config, topic):
            return self.worker_only()
        own = self._kafka_store(topic, consumer_client_id, config, producer_conf, admin_conf)
        producer_servers = self.config.connector_client_props("producer", config.producer_overrides)
        if topic == self.worker_topic and _servers(producer_servers.get("bootstrap.servers")) == _servers(
            self.config.bootstrap_servers
        ):
            return ConnectorOffsetBackingStore(topic, connector_store=own)
        return ConnectorOffsetBackingStore(topic, worker_store=self.worker_store, connector_store=own)

    def _kafka_store(
        self,
        topic: str,
        consumer_client_id: str,
        config: SourceConnectorConfig,
        producer_conf: Mapping[str, Any] | None,
        admin_conf: Mapping[str, Any],
    ) -> KafkaOffsetStore:
        consumer_props = self.config.connector_client_props("consumer", config.consumer_overrides)
        consumer_props.pop("group.id", None)  # the store assigns partitions, it never joins a group
        consumer_props["client.id"] = consumer_client_id
        consumer_props.setdefault("isolation.level", "read_committed")
        consumer_conf = translate(consumer_props, "consumer").conf
        return KafkaOffsetStore(
            topic,
            admin_conf,
            partitions=self.config.get_int("offset.storage.partitions"),
            replication_factor=int(self.config.get("offset.storage.replication.factor")),
            topic_config=topic_settings(self.config.originals, "offset"),
            consumer_config=consumer_conf,
            producer_config=producer_conf,
            config_key=OFFSETS_TOPIC_CONFIG,
        )

"""The Kafka clients a connector's tasks use, configured as Java's ``Worker`` configures them: the sink
task's consumer (``connect-<name>`` group), the source task's producer, the connector's admin client, and
the dead letter queue's producer and topic. Worker settings (``consumer.*``, ``producer.*``, ``admin.*``)
come first, the connector's ``*.override.*`` keys over them (the override policy was checked on create)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from confluent_kafka.admin import AdminClient, NewTopic

from genesis_worker.api.errors import ConnectException
from genesis_worker.config.kafka_clients import ClientConfig, translate
from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.runtime.connector_config import ConnectorConfig, DeadLetterQueueConfig
from genesis_worker.runtime.errors import DeadLetterQueueReporter


class TaskClients:
    """Client configs for the tasks of one worker."""

    def __init__(self, config: WorkerConfig) -> None:
        self.config = config

    def sink_consumer(self, task_id: ConnectorTaskId, config: ConnectorConfig) -> ClientConfig:
        props: dict[str, Any] = {
            "group.id": f"connect-{task_id.connector}",
            "client.id": f"connector-consumer-{task_id}",
            "auto.offset.reset": "earliest",
        }
        props.update(self.config.connector_client_props("consumer", config.consumer_overrides))
        cfg = translate(props, "consumer")
        cfg.conf["enable.auto.commit"] = False
        cfg.conf.setdefault("fetch.queue.backoff.ms", 50)
        cfg.conf.setdefault("enable.partition.eof", False)
        return cfg

    def source_producer(self, task_id: ConnectorTaskId | str, config: ConnectorConfig) -> dict[str, Any]:
        props: dict[str, Any] = {
            "client.id": f"connector-producer-{task_id}",
            "acks": "all",
            "max.in.flight.requests.per.connection": "1",
            "enable.idempotence": "false",
        }
        props.update(self.config.connector_client_props("producer", config.producer_overrides))
        conf = translate(props, "producer").conf
        conf.setdefault("message.timeout.ms", 0)  # delivery.timeout.ms = Integer.MAX_VALUE: retry forever
        conf.setdefault("partitioner", "murmur2_random")  # Java's default partitioner for keyed records
        return conf

    def admin(self, client_id: str, overrides: Mapping[str, Any]) -> dict[str, Any]:
        props = self.config.connector_client_props("admin", overrides)
        props["client.id"] = client_id
        return translate(props, "admin").conf

    async def dlq_reporter(
        self, task_id: ConnectorTaskId, config: ConnectorConfig, dlq: DeadLetterQueueConfig
    ) -> DeadLetterQueueReporter:
        from confluent_kafka import Producer

        admin_conf = self.admin(f"connector-dlq-adminclient-{task_id}", config.admin_overrides)
        # AdminClient calls block: off the loop, so heartbeats and REST keep answering meanwhile
        await asyncio.to_thread(_ensure_dlq_topic, admin_conf, dlq.topic, dlq.replication_factor)
        pconf = self.source_producer(task_id, config)
        pconf["client.id"] = f"connector-dlq-producer-{task_id}"
        pconf["message.timeout.ms"] = 30000
        return DeadLetterQueueReporter(
            Producer(pconf), dlq.topic, task_id.connector, task_id.task, dlq.context_headers_enable
        )


def _ensure_dlq_topic(admin_conf: dict[str, Any], topic: str, replication_factor: int) -> None:
    """Create the dead letter queue topic (one partition) if it does not exist; blocking."""
    admin = AdminClient(admin_conf)
    md = admin.list_topics(timeout=10)
    if topic in md.topics:
        return
    fut = admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=replication_factor)])[topic]
    try:
        fut.result(10)
    except Exception as e:
        if "TOPIC_ALREADY_EXISTS" not in str(e):
            raise ConnectException(f"Could not initialize dead letter queue with topic={topic}") from e

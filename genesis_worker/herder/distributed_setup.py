"""Builds the three Kafka-backed stores of a distributed worker from its properties, with Connect's
topic settings (internal-topics spec §2) and client ids (§3)::

    stores = create_stores(props, client_config={"bootstrap.servers": "k:9092"})
    herder = DistributedHerder(cfg, stores=stores, ...)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from genesis_worker.api.errors import ConfigException
from genesis_worker.herder.distributed_config import DistributedConfig
from genesis_worker.storage.kafka_config_store import KafkaConfigStore
from genesis_worker.storage.kafka_log import topic_settings
from genesis_worker.storage.kafka_offset_store import KafkaOffsetStore
from genesis_worker.storage.kafka_status_store import KafkaStatusStore


@dataclass
class DistributedStores:
    config: KafkaConfigStore
    status: KafkaStatusStore
    offsets: KafkaOffsetStore


def _int(props: Mapping[str, Any], key: str, default: int) -> int:
    raw = props.get(key)
    if raw is None or str(raw).strip() == "":
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ConfigException(f"Invalid value {raw} for configuration {key}: Not a number of type INT") from None
    if value == 0 or value < -1:
        raise ConfigException(f"Invalid value {value} for configuration {key}: must be -1 or at least 1")
    return value


def client_id_base(props: Mapping[str, Any]) -> str:
    """``<group.id>[-<client.id>]-`` (Java ``ConnectUtils.clientIdBase``)."""
    group = str(props.get("group.id") or "")
    client = str(props.get("client.id") or "")
    return f"{group}-{client}-" if client else f"{group}-"


def create_stores(
    props: Mapping[str, Any], client_config: Mapping[str, Any], cfg: DistributedConfig | None = None
) -> DistributedStores:
    """The config, status and offsets stores (not started). ``client_config`` is librdkafka config for
    the internal-topic clients (bootstrap servers and security settings)."""
    cfg = cfg or DistributedConfig.from_props({k: str(v) for k, v in props.items()})
    base = client_id_base(props)
    config = KafkaConfigStore(
        cfg.config_topic,
        client_config,
        replication_factor=_int(props, "config.storage.replication.factor", 3),
        topic_config=topic_settings(props, "config"),
        client_id=f"{base}configs",
    )
    status = KafkaStatusStore(
        cfg.status_topic,
        client_config,
        partitions=_int(props, "status.storage.partitions", 5),
        replication_factor=_int(props, "status.storage.replication.factor", 3),
        topic_config=topic_settings(props, "status"),
        client_id=f"{base}statuses",
    )
    offsets = KafkaOffsetStore(
        cfg.offset_topic,
        client_config,
        partitions=_int(props, "offset.storage.partitions", 25),
        replication_factor=_int(props, "offset.storage.replication.factor", 3),
        topic_config=topic_settings(props, "offset"),
        client_id=f"{base}offsets",
    )
    return DistributedStores(config, status, offsets)

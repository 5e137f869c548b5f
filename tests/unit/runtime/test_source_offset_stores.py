"""Which offset store a source connector gets (Java ``Worker.offsetStoreForRegularSource*``), and the validation of
the consumer/admin overrides that its own offsets topic brings (Java ``DistributedHerder``)."""

from __future__ import annotations

from typing import Any

import pytest

from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.herder.common import validate_connector_config
from genesis_worker.plugins.registry import PluginRegistry
from genesis_worker.runtime.connector_config import SourceConnectorConfig, parse_connector_config
from genesis_worker.runtime.source_offset_stores import SourceOffsetStores
from genesis_worker.storage.file_offsets import MemoryOffsetBackingStore
from genesis_worker.storage.kafka_offset_store import KafkaOffsetStore

DISTRIBUTED = {
    "bootstrap.servers": "k1:9092,k2:9092",
    "group.id": "g",
    "config.storage.topic": "cfg",
    "offset.storage.topic": "connect-offsets",
    "status.storage.topic": "st",
    "offset.storage.partitions": "7",
    "offset.storage.replication.factor": "1",
    "offset.storage.segment.bytes": "1048576",
    "key.converter": "org.apache.kafka.connect.json.JsonConverter",
    "value.converter": "org.apache.kafka.connect.json.JsonConverter",
}


@pytest.fixture(scope="module")
def registry() -> PluginRegistry:
    return PluginRegistry.discover()


def _source(registry: PluginRegistry, **extra: str) -> SourceConnectorConfig:
    props = {"name": "src", "connector.class": "FileStreamSource", "topic": "t", "file": "/in", **extra}
    config = parse_connector_config(registry, props, topic_creation_enabled=True)
    assert isinstance(config, SourceConnectorConfig)
    return config


def _stores(mode: str = "distributed") -> tuple[SourceOffsetStores, MemoryOffsetBackingStore]:
    props: dict[str, Any] = dict(DISTRIBUTED)
    if mode == "standalone":
        props = {k: v for k, v in props.items() if not k.startswith(("offset.storage", "group", "config.", "status."))}
        props["offset.storage.file.filename"] = "/tmp/offsets"
    worker_store = MemoryOffsetBackingStore()
    return SourceOffsetStores(WorkerConfig(props, mode), worker_store), worker_store  # type: ignore[arg-type]


def test_without_offsets_topic_the_worker_store_alone(registry: PluginRegistry) -> None:
    stores, global_store = _stores()
    store = stores.for_task("src-0", _source(registry), {}, {"bootstrap.servers": "k1:9092"})
    assert store.worker_store is global_store and store.connector_store is None
    assert store.primary_topic == "connect-offsets"


def test_standalone_ignores_offsets_topic(registry: PluginRegistry) -> None:
    stores, global_store = _stores("standalone")
    store = stores.for_task("src-0", _source(registry, **{"offsets.storage.topic": "own"}), {}, {})
    assert store.worker_store is global_store and store.connector_store is None


def test_own_topic_with_the_worker_topic_as_fallback(registry: PluginRegistry) -> None:
    stores, global_store = _stores()
    config = _source(
        registry,
        **{"offsets.storage.topic": "own", "consumer.override.client.rack": "r1", "producer.override.linger.ms": "5"},
    )
    store = stores.for_task("src-0", config, {"linger.ms": "5"}, {"bootstrap.servers": "k1:9092"})
    own = store.connector_store
    assert isinstance(own, KafkaOffsetStore) and store.worker_store is global_store
    assert store.primary_topic == own.topic == "own"
    spec = own._log._spec  # the worker's offsets-topic settings
    assert (spec.partitions, spec.replication_factor, dict(spec.config or {})) == (7, 1, {"segment.bytes": "1048576"})
    assert spec.config_key == "offsets.storage.topic"
    consumer = own._log._consumer_config()
    assert consumer["isolation.level"] == "read_committed"
    assert consumer["client.id"] == "connector-consumer-src-0"
    assert consumer["client.rack"] == "r1"
    assert own._log._producer_config()["linger.ms"] == "5"


def test_read_uncommitted_can_be_chosen(registry: PluginRegistry) -> None:
    stores, _ = _stores()
    config = _source(
        registry, **{"offsets.storage.topic": "own", "consumer.override.isolation.level": "read_uncommitted"}
    )
    own = stores.for_task("src-0", config, {}, {}).connector_store
    assert isinstance(own, KafkaOffsetStore)
    assert own._log._consumer_config()["isolation.level"] == "read_uncommitted"


def test_the_worker_topic_named_explicitly_is_read_alone(registry: PluginRegistry) -> None:
    stores, _ = _stores()
    same = _source(registry, **{"offsets.storage.topic": "connect-offsets"})
    store = stores.for_task("src-0", same, {}, {})
    assert isinstance(store.connector_store, KafkaOffsetStore) and store.worker_store is None
    # same name on another cluster (the producer's bootstrap servers differ): a different topic
    elsewhere = _source(
        registry,
        **{"offsets.storage.topic": "connect-offsets", "producer.override.bootstrap.servers": "other:9092"},
    )
    assert stores.for_task("src-0", elsewhere, {}, {}).worker_store is not None
    reordered = _source(
        registry,
        **{"offsets.storage.topic": "connect-offsets", "producer.override.bootstrap.servers": "k2:9092, k1:9092"},
    )
    assert stores.for_task("src-0", reordered, {}, {}).worker_store is None


def _config_names(infos: dict[str, Any]) -> list[str]:
    return [c["value"]["name"] for c in infos["configs"]]


def test_validation_of_offsets_topic_and_its_client_overrides(registry: PluginRegistry) -> None:
    wc = WorkerConfig({**DISTRIBUTED, "connector.client.config.override.policy": "None"}, "distributed")
    base = {
        "connector.class": "FileStreamSource",
        "name": "src",
        "topic": "t",
        "consumer.override.fetch.min.bytes": "5",
        "admin.override.retries": "3",
    }
    plain = validate_connector_config(registry, wc, base)
    assert "consumer.override.fetch.min.bytes" not in _config_names(plain)  # no clients of its own: not checked
    assert plain["error_count"] == 0
    own = validate_connector_config(registry, wc, {**base, "offsets.storage.topic": "own"})
    names = _config_names(own)
    assert names.index("consumer.override.fetch.min.bytes") < names.index("admin.override.retries")
    assert own["error_count"] == 2  # the 'None' policy forbids both overrides
    empty = validate_connector_config(registry, wc, {**base, "offsets.storage.topic": " "})
    by_name = {c["value"]["name"]: c["value"] for c in empty["configs"]}
    assert by_name["offsets.storage.topic"]["errors"] == [
        "Invalid value  for configuration offsets.storage.topic: String must be non-empty"
    ]
    assert "consumer.override.fetch.min.bytes" not in by_name  # blank: no topic of its own

"""The offsets topic (Java ``KafkaOffsetBackingStore``), internal-topics spec §4.

Keys and values are raw bytes as Java writes them. The store keeps the whole topic in memory and an
index connector -> {canonical partition -> original key bytes} so that commits for partitions that
already exist reuse the exact key bytes (§4.5) and new ones are serialized in Java ``HashMap`` order.

Usage::

    store = KafkaOffsetStore("connect-offsets", {"bootstrap.servers": b}, partitions=25)
    await store.start()
    await store.set_offsets("my-source", [({"filename": "/in.txt"}, {"position": 10})])
    await store.get_offset("my-source", {"filename": "/in.txt"})   # {"position": 10}
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from genesis_worker.storage.base import OffsetBackingStore
from genesis_worker.storage.kafka_log import KafkaBasedLog, LogRecord, TopicSpec
from genesis_worker.storage.kafka_serde import (
    canonical_partition,
    java_json,
    loads,
    offset_key,
    parse_offset_key,
)

log = logging.getLogger(__name__)

Partition = Mapping[str, Any]


def offset_value(offset: Mapping[str, Any] | None) -> bytes | None:
    """Offset value bytes (insertion order of ``offset``), or None for a tombstone."""
    return None if offset is None else java_json(dict(offset))


class OffsetIndex:
    """In-memory view of an offsets topic (pure, no I/O)."""

    def __init__(self) -> None:
        self.data: dict[bytes, bytes] = {}
        self.index: dict[str, dict[Any, bytes]] = {}

    def apply(self, key: bytes | None, value: bytes | None) -> None:
        if key is None:
            log.warning("ignoring offsets record with null key")
            return
        parsed = parse_offset_key(key)
        if value is None:
            self.data.pop(key, None)
        else:
            self.data[key] = value
        if parsed is None:
            log.warning("ignoring offsets record with invalid key %r", key)
            return
        connector, partition = parsed
        canon = canonical_partition(partition)
        if value is None:
            parts = self.index.get(connector)
            if parts is not None:
                parts.pop(canon, None)
                if not parts:
                    del self.index[connector]
        else:
            self.index.setdefault(connector, {})[canon] = key

    def key_for(self, connector: str, partition: Partition | None) -> bytes:
        """The existing key bytes for this partition, or Java's serialization of a new one."""
        existing = self.index.get(connector, {}).get(canonical_partition(partition))
        return existing if existing is not None else offset_key(connector, partition)


class KafkaOffsetStore(OffsetBackingStore):
    def __init__(
        self,
        topic: str,
        client_config: Mapping[str, Any],
        *,
        partitions: int = 25,
        replication_factor: int = 3,
        topic_config: Mapping[str, str] | None = None,
        client_id: str | None = None,
        read_committed: bool = False,
        consumer_config: Mapping[str, Any] | None = None,
        producer_config: Mapping[str, Any] | None = None,
        config_key: str = "offset.storage.topic",
    ) -> None:
        self.topic = topic
        self._index = OffsetIndex()
        self._log = KafkaBasedLog(
            topic,
            client_config,
            self._on_record,
            spec=TopicSpec(
                partitions=partitions,
                replication_factor=replication_factor,
                config=topic_config,
                config_key=config_key,
                purpose="source connector offsets",
            ),
            consumer_config=consumer_config,
            producer_config=producer_config,
            client_id=client_id,
            read_committed=read_committed,
        )

    def _on_record(self, rec: LogRecord) -> None:
        self._index.apply(rec.key, rec.value)

    async def start(self) -> None:
        await self._log.start()

    async def stop(self) -> None:
        await self._log.stop()

    # ---------------------------------------------------------------------- raw-bytes interface

    async def get(self, keys: Collection[bytes]) -> dict[bytes, bytes | None]:
        await self._log.read_to_end()
        return {k: self._index.data[k] for k in keys if k in self._index.data}

    async def set(self, values: Mapping[bytes, bytes | None]) -> None:
        futs = [self._log.send_nowait(k, v) for k, v in values.items()]
        if futs:
            await asyncio.gather(*futs)

    async def connector_partitions(self, connector: str) -> list[bytes]:
        await self._log.read_to_end()
        return list(self._index.index.get(connector, {}).values())

    # ---------------------------------------------------------------------- parsed convenience

    def key_for(self, connector: str, partition: Partition | None) -> bytes:
        return self._index.key_for(connector, partition)

    async def get_offset(self, connector: str, partition: Partition) -> dict[str, Any] | None:
        await self._log.read_to_end()
        value = self._index.data.get(self._index.key_for(connector, partition))
        return None if value is None else dict(loads(value))

    async def get_offsets(self, connector: str) -> list[tuple[dict[str, Any] | None, dict[str, Any] | None]]:
        """Every (partition, offset) stored for ``connector``."""
        await self._log.read_to_end()
        out = []
        for key in self._index.index.get(connector, {}).values():
            parsed = parse_offset_key(key)
            value = self._index.data.get(key)
            if parsed is not None:
                out.append((parsed[1], None if value is None else loads(value)))
        return out

    async def set_offsets(self, connector: str, offsets: Iterable[tuple[Partition, Mapping[str, Any] | None]]) -> None:
        """Commit offsets (None = tombstone), reusing existing key bytes."""
        await self._log.read_to_end()  # see every existing key before choosing key bytes
        await self.set({self.key_for(connector, p): offset_value(o) for p, o in offsets})

    async def reset(self, connector: str) -> None:
        """Tombstone every partition known for ``connector`` (``DELETE /connectors/{c}/offsets``)."""
        keys = await self.connector_partitions(connector)
        await self.set(dict.fromkeys(keys))

"""A source connector's offset store (Java ``ConnectorOffsetBackingStore``, KIP-618): the worker's global
offsets store, a connector-specific offsets topic (``offsets.storage.topic``), or both.

With both, the connector's topic is the *primary* store and the worker's the *secondary*:

- reads: every key is looked up in both; a value in the connector's topic wins, the worker's topic is the
  fallback for partitions the connector's topic does not hold;
- writes go to the connector's topic; once acknowledged, the non-tombstone offsets are copied to the worker's
  topic in the background (a failure there is only logged). Tombstones are written to the worker's topic
  *first* (KAFKA-15018): if that fails nothing is written, so a partition is never tombstoned in the
  connector's topic while the fallback still holds its old offset;
- ``connector_partitions``: the partitions of either store.

Only the connector-specific store belongs to this object (``start``/``stop`` start and stop it); the worker's
store is shared by every connector and stays up::

    store = ConnectorOffsetBackingStore("my-offsets", worker_store=global_store, connector_store=own)
    await store.start()                 # creates/reads "my-offsets"
    await store.get([key])              # own topic first, global topic as fallback
    await store.stop()
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Mapping
from typing import Any

from genesis_worker.storage.base import OffsetBackingStore
from genesis_worker.storage.kafka_serde import canonical_partition, parse_offset_key

log = logging.getLogger(__name__)

__all__ = ["ConnectorOffsetBackingStore"]


class ConnectorOffsetBackingStore(OffsetBackingStore):
    """See the module doc. ``primary_topic`` is the topic written to (None for a file store)."""

    def __init__(
        self,
        primary_topic: str | None,
        *,
        worker_store: OffsetBackingStore | None = None,
        connector_store: OffsetBackingStore | None = None,
    ) -> None:
        if worker_store is None and connector_store is None:
            raise ValueError("At least one non-null offset store must be provided")
        self.primary_topic = primary_topic
        self.worker_store = worker_store
        self.connector_store = connector_store
        self._secondary_writes: set[asyncio.Task[None]] = set()

    @property
    def has_connector_store(self) -> bool:
        return self.connector_store is not None

    @property
    def has_worker_store(self) -> bool:
        return self.worker_store is not None

    async def start(self) -> None:
        if self.connector_store is not None:  # the worker's store is already started
            await self.connector_store.start()

    async def stop(self) -> None:
        if self._secondary_writes:  # let the copies to the worker's topic finish
            await asyncio.wait(set(self._secondary_writes), timeout=5)
        if self.connector_store is not None:
            await self.connector_store.stop()

    async def get(self, keys: Collection[bytes]) -> dict[bytes, bytes | None]:
        keys = list(keys)
        if self.worker_store is None or self.connector_store is None:
            store = self.connector_store or self.worker_store
            assert store is not None
            return await store.get(keys)
        worker, connector = await asyncio.gather(self.worker_store.get(keys), self.connector_store.get(keys))
        result = dict(worker)
        result.update({k: v for k, v in connector.items() if v is not None})
        return result

    async def set(self, values: Mapping[bytes, bytes | None]) -> None:
        primary = self.connector_store or self.worker_store
        assert primary is not None
        secondary = self.worker_store if self.connector_store is not None else None
        if secondary is None:
            await primary.set(values)
            return
        tombstones = {k: v for k, v in values.items() if v is None}
        regular = {k: v for k, v in values.items() if v is not None}
        if tombstones:
            await secondary.set(tombstones)  # a failure here fails the whole write
        await primary.set(values)
        if regular:
            task = asyncio.create_task(self._secondary_write(secondary, regular))
            self._secondary_writes.add(task)
            task.add_done_callback(self._secondary_writes.discard)

    @staticmethod
    async def _secondary_write(store: OffsetBackingStore, values: Mapping[bytes, bytes | None]) -> None:
        try:
            await store.set(values)
        except Exception as e:
            log.warning("Failed to write offsets to secondary backing store: %s", e)
        else:
            log.debug("Successfully flushed offsets to secondary backing store")

    async def connector_partitions(self, connector: str) -> list[bytes]:
        """Keys of the partitions either store holds (the connector store's key bytes first)."""
        stores = [s for s in (self.connector_store, self.worker_store) if s is not None]
        seen: set[Any] = set()
        out: list[bytes] = []
        for store in stores:
            for key in await store.connector_partitions(connector):
                parsed = parse_offset_key(key)
                canon = canonical_partition(parsed[1]) if parsed is not None else key
                if canon not in seen:
                    seen.add(canon)
                    out.append(key)
        return out

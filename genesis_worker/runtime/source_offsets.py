"""Source offsets for tasks: the ``OffsetStorageReader`` and per-source-partition committable tracking.

Keys are the Java bytes of ``[connector, partition]``; a partition already present in the store keeps
its original key bytes (so compaction and Java readers still match), see ``offset_keys``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Mapping
from typing import Any

from genesis_worker.api.task import OffsetStorageReader, partition_key
from genesis_worker.storage.base import OffsetBackingStore
from genesis_worker.storage.offset_keys import offset_key, parse_offset_key, parse_offset_value

__all__ = ["HELD_RECORD_OVERHEAD_BYTES", "OffsetKeys", "StoreOffsetReader", "SubmittedRecords"]

HELD_RECORD_OVERHEAD_BYTES = 256
"""What a record costs the worker from its send until its offset is committed, besides its serialized bytes:
its entry here and its source offset map (measured: about 260 bytes a record under a 1M-line file burst)."""


class OffsetKeys:
    """Maps a connector's source partitions to key bytes, reusing the bytes already in the store."""

    def __init__(self, connector: str, store: OffsetBackingStore) -> None:
        self.connector = connector
        self.store = store
        self._known: dict[Any, bytes] = {}
        self._loaded = False

    async def load(self) -> None:
        for key in await self.store.connector_partitions(self.connector):
            parsed = parse_offset_key(key)
            if parsed is not None:
                self._known[partition_key(parsed[1])] = key
        self._loaded = True

    async def key_for(self, partition: Mapping[str, Any] | None) -> bytes:
        if not self._loaded:
            await self.load()
        pk = partition_key(partition)
        key = self._known.get(pk)
        if key is None:
            key = offset_key(self.connector, partition)
            self._known[pk] = key
        return key


class StoreOffsetReader(OffsetStorageReader):
    """``context.offset_storage_reader`` over an :class:`OffsetBackingStore`."""

    def __init__(self, keys: OffsetKeys) -> None:
        self.keys = keys

    async def offsets(self, partitions: Collection[Mapping[str, Any]]) -> dict[Any, dict[str, Any] | None]:
        wanted = {partition_key(p): await self.keys.key_for(p) for p in partitions}
        stored = await self.keys.store.get(list(wanted.values()))
        return {pk: parse_offset_value(stored.get(key)) for pk, key in wanted.items()}

    async def offset(self, partition: Mapping[str, Any]) -> dict[str, Any] | None:
        got = await self.offsets([partition])
        return got.get(partition_key(partition))


class _Submitted:
    __slots__ = ("acked", "offset", "partition", "size")

    def __init__(self, partition: Mapping[str, Any] | None, offset: Mapping[str, Any] | None, size: int) -> None:
        self.partition = partition
        self.offset = offset
        self.size = size
        self.acked = False


class SubmittedRecords:
    """Records in submission order per source partition; the committable offset of a partition is the
    offset of the latest record such that it and all earlier ones of that partition are acknowledged.

    It also keeps what the task holds in flight, from the send until the offset is committed:
    ``held_count`` records and ``held_bytes`` (:data:`HELD_RECORD_OVERHEAD_BYTES` per held record, plus
    the serialized size of each one not yet acknowledged, which the producer holds until then), and
    the highest values both reached (``peak_count``, ``peak_bytes``)."""

    def __init__(self) -> None:
        self._queues: dict[Any, deque[_Submitted]] = {}
        self.pending_count = 0
        self.unacked_bytes = 0
        self.held_count = 0
        self.peak_count = 0
        self.peak_bytes = 0
        self._last_partition: dict[str, Any] | None = None
        self._last_key: Any = None

    @property
    def held_bytes(self) -> int:
        return self.held_count * HELD_RECORD_OVERHEAD_BYTES + self.unacked_bytes

    def bytes_after_commit(self) -> int:
        """``held_bytes`` once every acknowledged record is committed (only the unacknowledged are left)."""
        return self.pending_count * HELD_RECORD_OVERHEAD_BYTES + self.unacked_bytes

    def submit(
        self, partition: Mapping[str, Any] | None, offset: Mapping[str, Any] | None, size: int = 0
    ) -> _Submitted:
        """Track one record sent with ``size`` serialized bytes (key, value and headers)."""
        rec = _Submitted(partition, offset, size)
        if partition is not None and partition == self._last_partition:
            pk = self._last_key  # the common case: every record of a batch has the same partition map
        else:
            pk = partition_key(partition)
            self._last_partition = dict(partition) if partition is not None else None
            self._last_key = pk
        q = self._queues.get(pk)
        if q is None:
            q = self._queues[pk] = deque()
        q.append(rec)
        self.pending_count += 1
        self.unacked_bytes += size
        self.held_count += 1
        if self.held_count > self.peak_count:
            self.peak_count = self.held_count
        if self.held_bytes > self.peak_bytes:
            self.peak_bytes = self.held_bytes
        return rec

    def ack(self, rec: _Submitted) -> None:
        if not rec.acked:
            rec.acked = True
            self.pending_count -= 1
            self.unacked_bytes -= rec.size

    def committable(self) -> dict[Any, tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]]:
        """Pop acknowledged prefixes; ``{partition_key: (partition, offset)}`` of what can be committed."""
        out: dict[Any, tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]] = {}
        for pk, q in list(self._queues.items()):
            last = None
            while q and q[0].acked:
                last = q.popleft()
                self.held_count -= 1
            if last is not None:
                out[pk] = (last.partition, last.offset)
            if not q:
                del self._queues[pk]
        return out

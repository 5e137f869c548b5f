"""Interfaces of the three stores a worker keeps: connector configs, source offsets and statuses.

Standalone mode uses memory/file implementations; distributed mode the Kafka-topic ones
(``kafka_*.py``) in Connect's own record formats.
"""

from __future__ import annotations

import abc
from collections.abc import Collection, Mapping


class OffsetBackingStore(abc.ABC):
    """Source offsets as raw key/value bytes: key = JSON ``["<connector>", {partition}]``, value =
    JSON offset map (``None`` = tombstone), exactly as Connect serialises them."""

    @abc.abstractmethod
    async def start(self) -> None: ...

    @abc.abstractmethod
    async def stop(self) -> None: ...

    @abc.abstractmethod
    async def get(self, keys: Collection[bytes]) -> dict[bytes, bytes | None]:
        """Current values of these keys (missing keys are absent from the result)."""

    @abc.abstractmethod
    async def set(self, values: Mapping[bytes, bytes | None]) -> None:
        """Durably write all values; returns once they are stored (raise on failure)."""

    @abc.abstractmethod
    async def connector_partitions(self, connector: str) -> list[bytes]:
        """Keys of every partition with a stored (non-tombstoned) offset for ``connector``."""

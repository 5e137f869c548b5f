"""An LRU cache keyed by Connect schemas that answers by identity first.

Hashing a :class:`Schema` walks all of its fields (like Java's ``ConnectSchema.hashCode``), which costs
microseconds for wide schemas; records usually carry the very same schema object, so a lookup by
``id()`` (with the schema kept alive in the entry, so ids cannot be reused) avoids it.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any


class SchemaKeyedCache:
    """``get``/``put`` by schema; at most ``size`` entries (0 disables caching)."""

    __slots__ = ("_by_id", "_lru", "size")

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._lru: OrderedDict[Any, Any] = OrderedDict()
        self._by_id: dict[int, tuple[Any, Any]] = {}

    def get(self, schema: Any) -> Any:
        hit = self._by_id.get(id(schema))
        if hit is not None and hit[0] is schema:
            return hit[1]
        value = self._lru.get(schema)
        if value is not None:
            self._lru.move_to_end(schema)
            self._remember(schema, value)
        return value

    def put(self, schema: Any, value: Any) -> None:
        if self.size <= 0:
            return
        self._lru[schema] = value
        if len(self._lru) > self.size:
            self._lru.popitem(last=False)
        self._remember(schema, value)

    def _remember(self, schema: Any, value: Any) -> None:
        if len(self._by_id) >= 4 * max(self.size, 1):
            self._by_id.clear()
        self._by_id[id(schema)] = (schema, value)

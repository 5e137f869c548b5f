"""A small TTL + LRU cache (single-threaded: used from the task's event loop only)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

V = TypeVar("V")

_ABSENT = object()


class TtlLruCache(Generic[V]):
    """At most ``max_entries`` entries, each valid for ``ttl_ms`` after it was put; the least recently
    used entry is evicted first. ``max_entries <= 0`` disables the cache."""

    def __init__(self, max_entries: int, ttl_ms: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_entries = max_entries
        self.ttl_s = ttl_ms / 1000.0
        self._clock = clock
        self._data: OrderedDict[str, tuple[float, V]] = OrderedDict()
        self.hits = 0
        self.misses = 0
        self.evictions = 0

    def get(self, key: str, now: float | None = None) -> V | object:
        """The cached value, or the module's ``_ABSENT`` sentinel (see :data:`ABSENT`)."""
        e = self._data.get(key)
        if e is None:
            self.misses += 1
            return _ABSENT
        if (self._clock() if now is None else now) >= e[0]:
            del self._data[key]
            self.misses += 1
            return _ABSENT
        self._data.move_to_end(key)
        self.hits += 1
        return e[1]

    def get_many(self, keys: Iterable[str], now: float) -> tuple[dict[str, V], list[str]]:
        """Cached values of ``keys`` (each refreshed as most recently used) and the keys not cached."""
        data = self._data
        found: dict[str, V] = {}
        missing: list[str] = []
        move = data.move_to_end
        for key in keys:
            e = data.get(key)
            if e is not None and now < e[0]:
                move(key)
                found[key] = e[1]
                continue
            if e is not None:
                del data[key]
            missing.append(key)
        self.hits += len(found)
        self.misses += len(missing)
        return found, missing

    def put(self, key: str, value: V, now: float | None = None) -> None:
        if self.max_entries <= 0:
            return
        expires = (self._clock() if now is None else now) + self.ttl_s
        data = self._data
        data[key] = (expires, value)
        data.move_to_end(key)
        while len(data) > self.max_entries:
            data.popitem(last=False)
            self.evictions += 1

    def clear(self) -> None:
        self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


ABSENT = _ABSENT
"""Returned by :meth:`TtlLruCache.get` when the key is not cached (or expired)."""

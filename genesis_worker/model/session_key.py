"""The KIP-507 session key that signs worker-to-worker requests (Java ``SessionKey``)."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class SessionKey:
    """The key bytes, their algorithm and when the leader created them (epoch ms)."""

    key: bytes
    algorithm: str
    creation_timestamp: int

    @property
    def size_bits(self) -> int:
        return len(self.key) * 8

    def expired(self, ttl_ms: int, now_ms: int | None = None) -> bool:
        now = int(time.time() * 1000) if now_ms is None else now_ms
        return now >= self.creation_timestamp + ttl_ms

    def __repr__(self) -> str:  # never print key material
        return f"SessionKey(algorithm={self.algorithm!r}, creation_timestamp={self.creation_timestamp})"

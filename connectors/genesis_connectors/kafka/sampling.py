"""``sample.percent`` / ``sample.mode`` / ``sample.hash.field``: keep a fraction of the records.

* ``random``: each record is kept with probability ``percent / 100``.
* ``hash``: a record is kept iff ``H(sample key bytes) < int(percent / 100 * 2**32)`` where ``H`` is
  ``fmix32(crc32(key))``: zlib's CRC-32 followed by MurmurHash3's 32-bit finaliser (xor-shift 16,
  * 0x85EBCA6B, xor-shift 13, * 0xC2B2AE35, xor-shift 16, mod 2**32). It is fixed and seedless (no
  Python ``hash()``), so the same key is in or out of the sample in every task, worker and restart, and
  a 10 % sample is a subset of a 20 % sample. CRC-32 alone is linear, and sequential keys such as
  ``user-1``, ``user-2``... gave a 56 % "50 %" sample; the non-linear avalanche finaliser spreads them
  evenly (49.9 % of ``user-1..user-100000`` at 50 %) at about 2/3 of the cost of the 8-byte BLAKE2b
  digest used before (~290 ns vs ~430 ns per key; no decision cache: with the ad-log key spread, a
  bounded dict measured slower than hashing). The sample key is the record key (decided before the
  value is parsed) or, with ``sample.hash.field``, a value field. Its bytes: bytes as they are, strings
  UTF-8, anything else its compact JSON form (``123``, ``true``). A null or missing sample key is kept
  whenever ``percent > 0`` (there is no user to be consistent about).
"""

from __future__ import annotations

import random
import zlib
from typing import Any

import orjson

from genesis_worker.api.data import Struct


def sample_key_bytes(v: Any) -> bytes:
    """The bytes a sample key is hashed as (see the module docs)."""
    if v is None:
        return b""
    t = type(v)
    if t is bytes:
        return v
    if t is str:
        return v.encode()
    if isinstance(v, bytearray | memoryview):
        return bytes(v)
    if isinstance(v, Struct):
        from genesis_connectors.kafka.encoding import to_jsonable

        v = to_jsonable(v)
    return orjson.dumps(v)


class Sampler:
    """Decides whether a record is in the sample."""

    __slots__ = ("_rand", "_threshold", "mode", "percent")

    def __init__(self, percent: float, mode: str = "random", seed: int | None = None) -> None:
        if not 0.0 <= percent <= 100.0:
            raise ValueError(f"sample.percent must be within 0..100, got {percent}")
        if mode not in ("random", "hash"):
            raise ValueError(f"sample.mode must be random or hash, got {mode}")
        self.percent = percent
        self.mode = mode
        self._threshold = int(percent / 100.0 * 2**32)
        self._rand = random.Random(seed).random

    @property
    def keeps_all(self) -> bool:
        return self.percent >= 100.0

    def keep_random(self) -> bool:
        return self._rand() * 100.0 < self.percent

    def keep_hash(self, key: Any) -> bool:
        if key is None:
            return self._threshold > 0
        return self.keep_hash_bytes(sample_key_bytes(key))

    def keep_hash_bytes(self, key: bytes) -> bool:
        h = _crc32(key)  # fmix32 inlined: this runs once per record
        h = ((h ^ (h >> 16)) * 0x85EBCA6B) & 0xFFFFFFFF
        h = ((h ^ (h >> 13)) * 0xC2B2AE35) & 0xFFFFFFFF
        return h ^ (h >> 16) < self._threshold


_crc32 = zlib.crc32


def key_hash(key: bytes) -> int:
    """``fmix32(crc32(key))``, the 32-bit value a sample key is compared with (see the module docs)."""
    h = _crc32(key)
    h = ((h ^ (h >> 16)) * 0x85EBCA6B) & 0xFFFFFFFF
    h = ((h ^ (h >> 13)) * 0xC2B2AE35) & 0xFFFFFFFF
    return h ^ (h >> 16)


def hash_position(key: bytes) -> float:
    """Where a key falls in [0, 1): it is in every sample of more than ``100 * hash_position`` percent."""
    return key_hash(key) / 2**32

"""Byte splicing of injected fields, the TTL+LRU cache, and sampling determinism."""

from __future__ import annotations

import zlib

import orjson
import pytest

from genesis_connectors.kafka.cache import ABSENT, TtlLruCache
from genesis_connectors.kafka.fragments import Fragment, collides, collides_parsed, splice
from genesis_connectors.kafka.sampling import Sampler, hash_position, key_hash, sample_key_bytes

KNOWN_USER_1 = 0xF984CA41  # fmix32(crc32(b"user-1")), fixed forever


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"a":1}', b'{"a":1,"x":2}'),
        (b"{}", b'{"x":2}'),
        (b"{ }", b'{ "x":2}'),
        (b'  {"a":{"b":{}}}  \n', b'  {"a":{"b":{}},"x":2}  \n'),
        (b'{"a":[1,{}]}', b'{"a":[1,{}],"x":2}'),
        (b'{"a":"}"}', b'{"a":"}","x":2}'),
        (b"[1,2]", None),
        (b'"text"', None),
        (b"", None),
        (b"}", None),
        (b"{", None),
        (b"not json", None),
    ],
)
def test_splice(raw: bytes, expected: bytes | None) -> None:
    out = splice(raw, b'"x":2')
    assert out == expected
    if out is not None:
        assert orjson.loads(out)["x"] == 2


def test_fragment_of_and_as_dict() -> None:
    f = Fragment.of({"s": "t", "n": 1, "z": None, "o": {"k": [1]}})
    assert f.frag == b'"s":"t","n":1,"z":null,"o":{"k":[1]}'
    assert f.as_dict() == {"s": "t", "n": 1, "z": None, "o": {"k": [1]}}
    assert f.qnames == (b'"s"', b'"n"', b'"z"', b'"o"')
    assert orjson.loads(splice(b'{"a":true}', f.frag) or b"") == {"a": True, **f.as_dict()}


def test_collisions() -> None:
    f = Fragment.of({"x": 1})
    g = Fragment.of({"y": 2, "x": 3})
    assert not collides(b'{"a":1}', [f])
    assert collides(b'{"x":0}', [f])
    assert collides(b'{"a":"x"}', [f])  # conservative: a quoted name anywhere counts
    assert collides(b'{"a":1}', [f, g])  # x added twice
    assert not collides_parsed({"a": 1}, [f])
    # a non-ASCII name might be \u-escaped in the record: never trust the bytes search for it
    assert collides(b'{"a":1}', [Fragment.of({"é": 1})])
    assert collides(b'{"\\u00e9":0}', [Fragment.of({"é": 1})])
    assert collides_parsed({"x": 1}, [f])
    assert collides_parsed({"a": 1}, [f, g])


def test_cache_ttl_and_lru() -> None:
    now = [0.0]
    c: TtlLruCache[str] = TtlLruCache(2, 1000, clock=lambda: now[0])
    c.put("a", "A")
    c.put("b", "B")
    assert c.get("a") == "A"  # a is now most recent
    c.put("c", "C")  # evicts b
    assert c.get("b") is ABSENT and c.get("a") == "A" and c.get("c") == "C"
    assert c.evictions == 1
    now[0] = 1.0  # exactly the TTL: expired
    assert c.get("a") is ABSENT and len(c) == 1
    disabled: TtlLruCache[str] = TtlLruCache(0, 1000)
    disabled.put("a", "A")
    assert disabled.get("a") is ABSENT


def _fmix32(h: int) -> int:
    """MurmurHash3's finaliser, written out step by step as its reference C code does."""
    h ^= h >> 16
    h = (h * 0x85EBCA6B) % 2**32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) % 2**32
    h ^= h >> 16
    return h


def test_hash_sampling_is_crc32_fmix32_threshold() -> None:
    s = Sampler(25.0, "hash")
    for key in (b"user-1", b"user-2", b"abc", b"", b"\x00\xff", b"x" * 1000):
        h = _fmix32(zlib.crc32(key))
        assert key_hash(key) == h
        assert s.keep_hash_bytes(key) == (h < int(0.25 * 2**32))
    # known values, independent of Python's hash() randomisation
    assert _fmix32(0x352441C2) == 0xD0F18B31  # crc32(b"abc") = 0x352441C2
    assert key_hash(b"user-1") == KNOWN_USER_1
    pos = hash_position(b"user-1")
    assert Sampler(pos * 100 - 0.01, "hash").keep_hash_bytes(b"user-1") is False
    assert Sampler(pos * 100 + 0.01, "hash").keep_hash_bytes(b"user-1") is True


def test_hash_sampling_stable_fraction_and_subsets() -> None:
    keys = [f"user-{i}".encode() for i in range(20_000)]  # sequential keys: the case CRC-32 got wrong
    s10, s20 = Sampler(10.0, "hash"), Sampler(20.0, "hash")
    in10 = {k for k in keys if s10.keep_hash_bytes(k)}
    in20 = {k for k in keys if s20.keep_hash_bytes(k)}
    assert in10 <= in20  # a smaller sample is a subset of a larger one
    assert 0.09 < len(in10) / len(keys) < 0.11
    assert 0.19 < len(in20) / len(keys) < 0.21
    again = Sampler(10.0, "hash")  # a new instance (another task, a restart) decides the same
    assert {k for k in keys if again.keep_hash_bytes(k)} == in10
    half = sum(Sampler(50.0, "hash").keep_hash_bytes(k) for k in keys)
    assert 0.49 < half / len(keys) < 0.51


def test_sample_edges_and_key_bytes() -> None:
    assert not Sampler(0.0, "hash").keep_hash_bytes(b"")
    assert not Sampler(0.0, "hash").keep_hash(None)
    assert Sampler(0.001, "hash").keep_hash(None)  # null key: kept when percent > 0
    assert Sampler(100.0, "hash").keeps_all
    assert sample_key_bytes("ü") == "ü".encode()
    assert sample_key_bytes(123) == b"123"
    assert sample_key_bytes(True) == b"true"
    assert sample_key_bytes(None) == b""
    r = Sampler(30.0, "random", seed=7)
    kept = sum(r.keep_random() for _ in range(20_000))
    assert 0.28 < kept / 20_000 < 0.32
    with pytest.raises(ValueError):
        Sampler(101.0)

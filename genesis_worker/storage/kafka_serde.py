"""Byte-level helpers shared by the Kafka-topic stores: Java's internal JSON format (JsonConverter with
``schemas.enable=false`` written by Jackson), Java ``HashMap`` iteration order for offset keys, and
Kafka's murmur2 default partitioner (internal-topics spec §1.2, §1.3, §3).

>>> offset_key("my-source", {"topic": "t", "partition": 0, "cluster": "c"})
b'["my-source",{"cluster":"c","partition":0,"topic":"t"}]'
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

# ------------------------------------------------------------------------------------------ JSON out

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _java_string(s: str) -> str:
    out = ['"']
    for ch in s:
        esc = _ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def java_double(x: float) -> str:
    """Java ``Double.toString`` (shortest repr digits, scientific outside [1e-3, 1e7))."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    a = abs(x)
    sign = "-" if x < 0 else ""
    digits, exp = _shortest_digits(a)
    if 1e-3 <= a < 1e7:
        point = exp + 1  # digits before the decimal point
        if point <= 0:
            body = "0." + "0" * (-point) + digits
        elif point >= len(digits):
            body = digits + "0" * (point - len(digits)) + ".0"
        else:
            body = digits[:point] + "." + digits[point:]
        return sign + body
    mant = digits[0] + "." + (digits[1:] or "0")
    return f"{sign}{mant}E{exp}"


def _shortest_digits(a: float) -> tuple[str, int]:
    """Shortest round-trip digits and the decimal exponent of the first digit."""
    r = f"{a:.17e}"
    for prec in range(1, 18):
        cand = f"{a:.{prec - 1}e}"
        if float(cand) == a:
            r = cand
            break
    mant, e = r.split("e")
    digits = mant.replace(".", "").rstrip("0") or "0"
    return digits, int(e)


def _dump(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(java_double(value))
    elif isinstance(value, str):
        out.append(_java_string(value))
    elif isinstance(value, (bytes, bytearray, memoryview)):
        out.append('"' + base64.b64encode(bytes(value)).decode("ascii") + '"')
    elif isinstance(value, Mapping):
        out.append("{")
        first = True
        for k, v in value.items():
            if not first:
                out.append(",")
            first = False
            out.append(_java_string(str(k)))
            out.append(":")
            _dump(v, out)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for i, v in enumerate(value):
            if i:
                out.append(",")
            _dump(v, out)
        out.append("]")
    else:
        raise TypeError(f"cannot serialize {type(value).__name__} as Connect JSON")


def java_json(value: Any) -> bytes:
    """Compact JSON bytes exactly as Connect's internal JsonConverter writes them (member order is
    the mapping's iteration order)."""
    out: list[str] = []
    _dump(value, out)
    return "".join(out).encode("utf-8")


def loads(data: bytes | str) -> Any:
    """Parse internal JSON (integers stay ``int``, decimals ``float``)."""
    return orjson.loads(data)


# ------------------------------------------------------------------------------------ Java HashMap


def java_string_hash(s: str) -> int:
    """``String.hashCode()`` over UTF-16 code units, as a signed 32-bit int."""
    h = 0
    data = s.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + int.from_bytes(data[i : i + 2], "big")) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


def java_hashmap_order(keys: Iterable[str]) -> list[str]:
    """Iteration order of a ``HashMap<String, ?>`` filled with ``keys`` in this order (default
    capacity 16, load factor 0.75; entries of one bucket keep insertion order)."""
    ks = list(dict.fromkeys(keys))
    cap = 16
    while len(ks) > cap * 0.75:
        cap *= 2

    def bucket(k: str) -> int:
        h = java_string_hash(k) & 0xFFFFFFFF
        return (h ^ (h >> 16)) & (cap - 1)

    return [k for _, k in sorted(((bucket(k), i), k) for i, k in enumerate(ks))]


def java_hashmap(m: Mapping[str, Any]) -> dict[str, Any]:
    """A dict with ``m``'s items in Java ``HashMap`` iteration order, recursively: Java's JsonConverter
    reads every JSON object as a HashMap, also those inside arrays."""
    return {k: _hashmap_value(m[k]) for k in java_hashmap_order(m)}


def _hashmap_value(v: Any) -> Any:
    if isinstance(v, Mapping):
        return java_hashmap(v)
    if isinstance(v, list | tuple):
        return [_hashmap_value(x) for x in v]
    return v


# --------------------------------------------------------------------------------------- murmur2


def murmur2(data: bytes) -> int:
    """Kafka's ``Utils.murmur2`` (signed 32-bit result)."""
    length = len(data)
    m = 0x5BD1E995
    h = (0x9747B28C ^ length) & 0xFFFFFFFF
    for i in range(0, length - length % 4, 4):
        k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> 24
        k = (k * m) & 0xFFFFFFFF
        h = (h * m) & 0xFFFFFFFF
        h ^= k
    rem = length % 4
    idx = length - rem
    if rem == 3:
        h ^= data[idx + 2] << 16
    if rem >= 2:
        h ^= data[idx + 1] << 8
    if rem >= 1:
        h ^= data[idx]
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return h - (1 << 32) if h >= 1 << 31 else h


def partition_for(key: bytes, num_partitions: int) -> int:
    """Kafka's default partition of a keyed record: ``toPositive(murmur2(key)) % n``."""
    return (murmur2(key) & 0x7FFFFFFF) % num_partitions


# ----------------------------------------------------------------------------------- offset keys


def offset_key(connector: str, partition: Mapping[str, Any] | None) -> bytes:
    """Offsets-topic key ``["<connector>",{partition}]`` with the partition map in Java ``HashMap``
    order (what a Java worker writes for a new partition)."""
    return java_json([connector, None if partition is None else java_hashmap(partition)])


def _canon(value: Any) -> Any:
    if isinstance(value, Mapping):
        return ("map", frozenset((k, _canon(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("list", tuple(_canon(v) for v in value))
    return (type(value).__name__, value)


def canonical_partition(partition: Mapping[str, Any] | None) -> Any:
    """Order-insensitive, type-preserving hashable form of a partition map (§4.5 rule 1)."""
    return None if partition is None else _canon(partition)


def parse_offset_key(key: bytes) -> tuple[str, dict[str, Any] | None] | None:
    """``(connector, partition)`` from an offsets-topic key, or None if it is not a valid key."""
    try:
        parsed = loads(key)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(parsed, list) or len(parsed) != 2 or not isinstance(parsed[0], str):
        return None
    if parsed[1] is not None and not isinstance(parsed[1], dict):
        return None
    return parsed[0], parsed[1]

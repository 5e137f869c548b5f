"""Source-offset keys and values, serialised byte-for-byte as a Java Connect worker writes them.

Connect stores a source offset under the key ``[<connector>, <partition map>]`` and the value
``<offset map>``, both written by a schemaless ``JsonConverter``: compact JSON, map members in Java
``HashMap`` iteration order, Java's string escapes and ``Double.toString`` numbers. Because lookups and
log compaction work on the raw key *bytes*, the Kafka offset store, the standalone offsets file and the
source task all use this one module (see ``connect-internal-topics.md`` §1.2, §1.3, §4.5).

Example::

    offset_key("my-source", {"filename": "/data/in.txt"})   # b'["my-source",{"filename":"/data/in.txt"}]'
    parse_offset_key(b'["c",{"a":1}]')                      # ("c", {"a": 1})
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import orjson

from genesis_worker.api.errors import DataException

__all__ = [
    "hashmap_order",
    "java_double_str",
    "java_json",
    "java_string_hash",
    "offset_key",
    "offset_value",
    "parse_offset_key",
    "parse_offset_value",
    "validate_offset_map",
]


def java_string_hash(s: str) -> int:
    """``String.hashCode()``: ``31*h + c`` over UTF-16 code units, 32-bit two's complement."""
    h = 0
    data = s.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + ((data[i] << 8) | data[i + 1])) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


def hashmap_order(keys: list[str]) -> list[str]:
    """The iteration order of a ``java.util.HashMap`` into which ``keys`` were put in this order.

    Capacity starts at 16 and doubles when the size exceeds 0.75 x capacity; a resize keeps the
    relative order of entries that share a bucket, so the final order is (bucket index, insertion).
    """
    capacity = 16
    while len(keys) > capacity * 0.75:
        capacity *= 2

    def bucket(k: str) -> int:
        h = java_string_hash(k) & 0xFFFFFFFF
        return (h ^ (h >> 16)) & (capacity - 1)

    indexed = list(enumerate(keys))
    indexed.sort(key=lambda item: (bucket(item[1]), item[0]))
    return [k for _, k in indexed]


def java_double_str(d: float) -> str:
    """``Double.toString``: ``1.5``, ``100.0``, ``1.0E7``, ``1.0E-5``, ``NaN``, ``Infinity``."""
    if math.isnan(d):
        return "NaN"
    if math.isinf(d):
        return "Infinity" if d > 0 else "-Infinity"
    if d == 0:
        return "-0.0" if math.copysign(1.0, d) < 0 else "0.0"
    sign = "-" if d < 0 else ""
    t = Decimal(repr(abs(d))).as_tuple()
    digits = "".join(str(x) for x in t.digits).rstrip("0") or "0"
    assert isinstance(t.exponent, int)
    # value = 0.<digits> x 10^point  where point = position of the decimal point from the left
    point = len(t.digits) + t.exponent
    a = abs(d)
    if 1e-3 <= a < 1e7:
        if point <= 0:
            return sign + "0." + "0" * (-point) + digits
        if point >= len(digits):
            return sign + digits + "0" * (point - len(digits)) + ".0"
        return sign + digits[:point] + "." + digits[point:]
    exp = point - 1
    frac = digits[1:] or "0"
    return f"{sign}{digits[0]}.{frac}E{exp}"


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _java_str(s: str) -> str:
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


def _dump(value: Any, out: list[str], hash_order: bool) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_java_str(value))
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(java_double_str(value))
    elif isinstance(value, bytes | bytearray):
        out.append('"' + base64.b64encode(bytes(value)).decode("ascii") + '"')
    elif isinstance(value, Mapping):
        keys = [str(k) for k in value]
        if hash_order and len(keys) > 1:
            keys = hashmap_order(keys)
        out.append("{")
        for i, k in enumerate(keys):
            if i:
                out.append(",")
            out.append(_java_str(k))
            out.append(":")
            _dump(value[k], out, hash_order)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, v in enumerate(value):
            if i:
                out.append(",")
            _dump(v, out, hash_order)
        out.append("]")
    else:
        raise DataException(f"Cannot serialise {type(value).__name__} as Connect JSON")


def java_json(value: Any, *, hash_order: bool = True) -> bytes:
    """Compact JSON as Java's Jackson writes it; maps in ``HashMap`` order unless ``hash_order=False``."""
    out: list[str] = []
    _dump(value, out, hash_order)
    return "".join(out).encode("utf-8")


def validate_offset_map(kind: str, value: Mapping[str, Any] | None) -> None:
    """Connect's rule: string keys and primitive values only (``OffsetUtils.validateFormat``)."""
    if value is None:
        return
    if not isinstance(value, Mapping):
        raise DataException(f"{kind} must be specified as a Map but was {type(value).__name__}")
    for k, v in value.items():
        if not isinstance(k, str):
            raise DataException(f"{kind} may only contain String keys, but key {k!r} is {type(k).__name__}")
        if v is not None and not isinstance(v, str | int | float | bool | bytes):
            raise DataException(
                f"{kind} may only contain primitive types as values, but field {k} contains {type(v).__name__}"
            )


def offset_key(connector: str, partition: Mapping[str, Any] | None) -> bytes:
    """The offsets-topic key ``["<connector>",{partition}]`` (compact, Java map order)."""
    return java_json([connector, partition])


def offset_value(offset: Mapping[str, Any] | None) -> bytes | None:
    """The offsets-topic value: JSON offset map, or None (tombstone)."""
    return None if offset is None else java_json(offset)


def parse_offset_key(key: bytes | None) -> tuple[str, dict[str, Any] | None] | None:
    """``(connector, partition)`` of a stored key, or None if it is not a Connect offset key."""
    if key is None:
        return None
    try:
        parsed = orjson.loads(key)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(parsed, list) or len(parsed) != 2 or not isinstance(parsed[0], str):
        return None
    if parsed[1] is not None and not isinstance(parsed[1], dict):
        return None
    return parsed[0], parsed[1]


def parse_offset_value(value: bytes | None) -> dict[str, Any] | None:
    if value is None:
        return None
    parsed = orjson.loads(value)
    if parsed is not None and not isinstance(parsed, dict):
        raise DataException(f"Offset value is not a JSON object: {value!r}")
    return parsed

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

from collections.abc import Mapping
from typing import Any

import orjson

from genesis_worker.api.errors import DataException
from genesis_worker.storage import kafka_serde as serde

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


java_string_hash = serde.java_string_hash
java_double_str = serde.java_double


def hashmap_order(keys: list[str]) -> list[str]:
    """The iteration order of a ``java.util.HashMap`` into which ``keys`` were put in this order."""
    return serde.java_hashmap_order(keys)


def java_json(value: Any, *, hash_order: bool = True) -> bytes:
    """Compact JSON as Java's Jackson writes it; maps (at every depth) in ``HashMap`` order unless
    ``hash_order=False``. One implementation with the Kafka stores' (``storage/kafka_serde.py``)."""
    if hash_order:
        value = serde.java_hashmap({"v": value})["v"]
    try:
        return serde.java_json(value)
    except TypeError as e:
        raise DataException(str(e).replace("cannot serialize", "Cannot serialise")) from None


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
    return None if key is None else serde.parse_offset_key(key)


def parse_offset_value(value: bytes | None) -> dict[str, Any] | None:
    if value is None:
        return None
    parsed = orjson.loads(value)
    if parsed is not None and not isinstance(parsed, dict):
        raise DataException(f"Offset value is not a JSON object: {value!r}")
    return parsed

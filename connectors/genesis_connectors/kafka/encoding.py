"""Turning Connect keys, values and headers into the bytes written to the target topic.

bytes pass through untouched (the ByteArrayConverter fast path); ``str`` is UTF-8; dicts, lists, numbers,
booleans and Structs (JsonConverter with schemas, Avro) are written as compact JSON. Struct fields keep
their schema order; Decimal becomes a JSON number, bytes base64 text, dates/times ISO-8601 text.
"""

from __future__ import annotations

import base64
import datetime as _dt
import decimal
from typing import Any

import orjson

from genesis_worker.api.data import Struct
from genesis_worker.api.errors import DataException
from genesis_worker.api.records import Headers


def to_jsonable(v: Any) -> Any:
    """A Struct (recursively, also inside lists and maps) as plain dicts; other values unchanged."""
    if isinstance(v, Struct):
        return {k: to_jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [to_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {(k if isinstance(k, str) else str(k)): to_jsonable(x) for k, x in v.items()}
    return v


def default(v: Any) -> Any:
    """orjson's ``default``: what orjson does not write by itself."""
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(v)).decode("ascii")
    if isinstance(v, Struct):
        return to_jsonable(v)
    if isinstance(v, _dt.date | _dt.time):
        return v.isoformat()
    if isinstance(v, set | frozenset | tuple):
        return list(v)
    raise TypeError(f"cannot write a {type(v).__name__} as JSON")


def dumps(v: Any) -> bytes:
    """Compact JSON, with the conversions of :func:`default` for what orjson does not know."""
    try:
        return orjson.dumps(v, default=default, option=orjson.OPT_NON_STR_KEYS)
    except TypeError as e:
        raise DataException(f"Cannot serialise the record to JSON: {e}") from e


def encode(v: Any) -> bytes | None:
    """A key or value as the bytes written to Kafka (None stays None)."""
    if v is None:
        return None
    t = type(v)
    if t is bytes:
        return v
    if t is str:
        return v.encode()
    if isinstance(v, bytearray | memoryview):
        return bytes(v)
    return dumps(v)


def encode_header_value(v: Any) -> bytes | None:
    if v is None:
        return None
    if isinstance(v, bytes | bytearray | memoryview):
        return bytes(v)
    if isinstance(v, str):
        return v.encode()
    if isinstance(v, bool):
        return b"true" if v else b"false"
    if isinstance(v, int | float):
        return str(v).encode()
    return dumps(v)


def encode_headers(headers: Headers) -> list[tuple[str, bytes | None]] | None:
    """Headers as Kafka header tuples: the original bytes when nothing decoded them, else re-encoded
    (strings UTF-8, numbers/booleans as text, the rest as JSON); None when there are none."""
    raw = headers.raw
    if raw is not None:
        return raw or None
    if not headers:
        return None
    return [(h.key, encode_header_value(h.value)) for h in headers]

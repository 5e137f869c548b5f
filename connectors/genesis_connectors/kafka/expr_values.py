"""What a ``filter.condition`` evaluates over: the record view (the value parsed at most once), the
missing-path marker, the value semantics of comparisons (:mod:`genesis_connectors.kafka.expr` documents
them) and the getters that resolve ``value.x``, ``header.x`` and record metadata."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import orjson

from genesis_worker.api.data import Struct
from genesis_worker.api.records import SinkRecord


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""What a path that does not resolve evaluates to (behaves as null, but ``exists`` tells it apart)."""


class RecordView:
    """A record as the expression sees it; the value is parsed at most once, on first use.

    ``raw_value`` is the value as the task received it (bytes from ByteArrayConverter, or a dict /
    Struct / other from another converter); ``parsed`` is the JSON-parsed form of bytes values.
    """

    __slots__ = ("_parsed", "raw_value", "record")

    def __init__(self, record: SinkRecord) -> None:
        self.record = record
        self.raw_value = record.value
        self._parsed: Any = MISSING

    @property
    def parsed(self) -> Any:
        p = self._parsed
        if p is MISSING:
            p = self._parsed = parse_value(self.raw_value)
        return p

    @property
    def is_parsed(self) -> bool:
        return self._parsed is not MISSING

    def set_parsed(self, value: Any) -> None:
        self._parsed = value


def parse_value(raw: Any) -> Any:
    """bytes/str values are parsed as JSON (not JSON -> the text itself); others are returned as is."""
    if isinstance(raw, bytes | bytearray | memoryview):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            return bytes(raw).decode("utf-8", "replace")
    if isinstance(raw, str):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            return raw
    return raw


Getter = Callable[[SinkRecord, Any], Any]
Cond = Callable[[SinkRecord, Any], bool]


def is_num(v: Any) -> bool:
    return type(v) is int or type(v) is float


def eq(a: Any, b: Any) -> bool:
    if a is MISSING:
        a = None
    if b is MISSING:
        b = None
    ta, tb = type(a), type(b)
    if ta is tb:
        return bool(a == b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        return bool(a == b)
    return False


def ordered(a: Any, b: Any) -> bool:
    ta, tb = type(a), type(b)
    if ta is str:
        return tb is str
    return (ta is int or ta is float) and (tb is int or tb is float)


def lt(a: Any, b: Any) -> bool:
    return ordered(a, b) and a < b


def le(a: Any, b: Any) -> bool:
    return ordered(a, b) and a <= b


def gt(a: Any, b: Any) -> bool:
    return ordered(a, b) and a > b


def ge(a: Any, b: Any) -> bool:
    return ordered(a, b) and a >= b


def ne(a: Any, b: Any) -> bool:
    return not eq(a, b)


COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": eq,
    "!=": ne,
    "<": lt,
    "<=": le,
    ">": gt,
    ">=": ge,
}


def child(container: Any, seg: str | int) -> Any:
    """One step of a path: dict key, Struct field or list index; MISSING when it does not resolve."""
    if type(container) is dict:
        return container.get(seg, MISSING) if isinstance(seg, str) else MISSING
    if isinstance(container, list):
        if isinstance(seg, int) or (isinstance(seg, str) and seg.isdigit()):
            i = int(seg)
            return container[i] if 0 <= i < len(container) else MISSING
        return MISSING
    if isinstance(container, Struct):
        if isinstance(seg, str) and container.schema.field(seg) is not None:
            return container.get(seg)
        return MISSING
    if isinstance(container, Mapping):
        return container.get(seg, MISSING)
    return MISSING


def text(v: Any) -> Any:
    if isinstance(v, bytes | bytearray | memoryview):
        return bytes(v).decode("utf-8", "replace")
    return v


def value_getter(segments: list[str | int]) -> Getter:
    if not segments:
        return lambda r, d: d
    if len(segments) == 1:
        s0 = segments[0]

        def get1(r: SinkRecord, d: Any) -> Any:
            if type(d) is dict:
                return d.get(s0, MISSING)
            return child(d, s0)

        return get1
    if len(segments) == 2:
        a, b = segments

        def get2(r: SinkRecord, d: Any) -> Any:
            v = d.get(a, MISSING) if type(d) is dict else child(d, a)
            if type(v) is dict:
                return v.get(b, MISSING)
            return MISSING if v is MISSING else child(v, b)

        return get2
    segs = tuple(segments)

    def getn(r: SinkRecord, d: Any) -> Any:
        v = d
        for s in segs:
            v = child(v, s)
            if v is MISSING:
                return MISSING
        return v

    return getn


def header_getter(name: str) -> Getter:
    def get(r: SinkRecord, d: Any) -> Any:
        h = r.headers.last_with_name(name)
        return MISSING if h is None else text(h.value)

    return get


def meta_getter(name: str) -> Getter:
    if name == "key":
        return lambda r, d: text(r.key)
    if name == "topic":
        return lambda r, d: r.topic
    if name == "partition":
        return lambda r, d: r.kafka_partition
    if name == "offset":
        return lambda r, d: r.kafka_offset
    if name == "timestamp":
        return lambda r, d: r.timestamp
    raise AssertionError(name)

"""DropHeaders, InsertHeader, HeaderFrom: header changes never leak into the input record."""

from __future__ import annotations

from typing import Any

import pytest

from genesis_transforms import DropHeaders, HeaderFromValue, InsertHeader
from genesis_worker.api.data import Schema, SchemaBuilder, Struct
from genesis_worker.api.errors import ConfigException
from genesis_worker.api.records import Header, Headers, SinkRecord
from genesis_worker.runtime.converters import SimpleHeaderConverter


def make(cls: type, **cfg: str) -> Any:
    t = cls()
    t.configure(cfg)
    return t


def rec(value: Any = None, schema: Schema | None = None, headers: Headers | None = None) -> SinkRecord:
    return SinkRecord("t", 0, None, None, schema, value, 1, headers=headers)


def test_drop_headers_keeps_raw_headers_undecoded() -> None:
    decoded: list[str] = []
    conv = SimpleHeaderConverter()

    def decoder(topic: str, key: str, raw: bytes | None) -> Header:
        decoded.append(key)
        return conv.decode(topic, key, raw)

    raw = Headers.from_raw([("a", b"1"), ("b", b"x"), ("a", b"2")], decoder, "t")
    r = make(DropHeaders, headers="a").apply(rec({"v": 1}, headers=raw))
    assert r.headers.raw == [("b", b"x")]
    assert decoded == []
    assert [(h.key, h.value) for h in r.headers] == [("b", "x")]
    with pytest.raises(ConfigException, match="'headers' must not be empty"):
        make(DropHeaders, headers="")


def test_insert_header_parses_literal() -> None:
    original = rec({"v": 1}, headers=Headers([Header("x", "y")]))
    r = make(InsertHeader, header="h", **{"value.literal": "42"}).apply(original)
    assert [(h.key, h.value, h.schema) for h in r.headers] == [("x", "y", None), ("h", 42, Schema.INT8_SCHEMA)]
    assert len(original.headers) == 1
    with pytest.raises(ConfigException, match=r'Missing required configuration "value\.literal"'):
        make(InsertHeader, header="h")


def test_header_from_move_and_copy() -> None:
    schema = SchemaBuilder.struct().name("S").field("a", Schema.INT32_SCHEMA).field("b", Schema.STRING_SCHEMA).build()
    v = Struct(schema).put("a", 1).put("b", "x")
    moved = make(HeaderFromValue, fields="a", headers="ha", operation="move").apply(rec(v, schema))
    assert [f.name for f in moved.value_schema.fields] == ["b"]
    assert moved.value_schema.name == "S"
    assert [(h.key, h.value, h.schema) for h in moved.headers] == [("ha", 1, Schema.INT32_SCHEMA)]
    copied = make(HeaderFromValue, fields="a,b", headers="ha,hb", operation="copy").apply(rec({"a": 1, "b": 2}))
    assert copied.value == {"a": 1, "b": 2}
    assert [(h.key, h.value) for h in copied.headers] == [("ha", 1), ("hb", 2)]
    with pytest.raises(ConfigException, match="'fields' config must have the same number of elements as 'headers'"):
        make(HeaderFromValue, fields="a,b", headers="h", operation="copy")
    with pytest.raises(ConfigException, match="String must be one of: move, copy"):
        make(HeaderFromValue, fields="a", headers="h", operation="swap")

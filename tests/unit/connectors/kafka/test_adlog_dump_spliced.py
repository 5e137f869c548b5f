"""Converted values (dict, Struct, parsed text) are dumped once with the injected members spliced in: the
same bytes as the general path (copy, update, dump), which still decides clashes and non-string keys."""

from __future__ import annotations

import decimal
from typing import Any

import orjson
import pytest

from genesis_connectors.kafka import config as C
from genesis_connectors.kafka.sink import AdLogSinkTask, Item, KafkaSinkConnector, _dump_spliced, _Injector
from genesis_worker.api import AbstractConfig, SinkRecord
from genesis_worker.api.data import Schema, SchemaBuilder, Struct

_SCHEMA = SchemaBuilder.struct().field("a", Schema.STRING_SCHEMA).field("b", Schema.FLOAT64_SCHEMA).build()
_VALUES: list[Any] = [
    {"a": 1, "b": [1, {"c": 2.5}], "d": "é"},
    {},
    {"x": decimal.Decimal("1.5"), "y": b"\x00\x01"},
    {"n": {"s": Struct(_SCHEMA).put("a", "q").put("b", 1e20)}},
    Struct(_SCHEMA).put("a", "z").put("b", 0.0001),
    '{"a":1}',
]


def _item(record: SinkRecord) -> Item:
    item = Item(record)
    if type(record.value) is str:
        item.set_parsed(orjson.loads(record.value))
    return item


@pytest.mark.parametrize(
    "inject",
    [{}, {"inject.topic.field": "tp", "inject.offset.field": "off"}, {"inject.timestamp.format": "iso8601"}],
)
def test_same_bytes_as_copy_update_dump(inject: dict[str, str]) -> None:
    props = {"target.topic": "x", "target.bootstrap.servers": "h:1", "inject.timestamp.field": "ingested_at", **inject}
    injector = _Injector(C.BaseSettings.from_config(AbstractConfig(KafkaSinkConnector.CONFIG_DEF, props), props))
    general = AdLogSinkTask.__new__(AdLogSinkTask)
    for value in _VALUES:
        record = SinkRecord("t", 0, None, None, None, value, 7, 123)
        fast = _dump_spliced(_item(record), value, injector, None, record, 999)
        item = _item(record)
        fragment = injector.fragment(record, 999)
        assert fragment is not None
        item.frags.append(fragment)
        assert fast == general.encode_value(item)
    for value in ({1: 2}, {"ingested_at": 5}, [1], "text"):  # non-string key, clash, not an object
        record = SinkRecord("t", 0, None, None, None, value, 7, 123)
        assert _dump_spliced(Item(record), value, injector, None, record, 999) is None

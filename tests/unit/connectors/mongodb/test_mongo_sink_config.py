"""Sink configuration, record conversion, projections and write models, without a server."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from bson import BSON, Decimal128, Int64, ObjectId
from pymongo import DeleteOne, InsertOne, ReplaceOne, UpdateOne

from genesis_connectors.mongodb import MongoSinkConnector
from genesis_connectors.mongodb.sink.config import topic_props
from genesis_connectors.mongodb.sink.documents import SinkDocument, to_document
from genesis_connectors.mongodb.sink.post_processors import DocumentIdAdder, KafkaMetaAdder
from genesis_connectors.mongodb.sink.projection import AllowList, BlockList
from genesis_connectors.mongodb.sink.topic import MongoSinkConfig, TopicConfig
from genesis_connectors.mongodb.sink.write_models import flatten_keys
from genesis_worker.api import ConfigException, DataException, Schema, SchemaBuilder, Struct
from genesis_worker.api.data import date_schema, decimal_schema, time_schema, timestamp_schema
from tests.unit.connectors.mongodb.doubles import sink_record

STRATEGY = "com.mongodb.kafka.connect.sink.processor.id.strategy."
WRITE = "com.mongodb.kafka.connect.sink.writemodel.strategy."
BASE = {"connection.uri": "mongodb://h:27017", "topics": "t", "database": "db"}


def _cfg(**props: str) -> TopicConfig:
    return TopicConfig("t", {**BASE, **props})


def _errors(props: dict[str, str]) -> dict[str, list[str]]:
    return {v.name: v.errors for v in MongoSinkConnector().validate(props) if v.errors}


def test_topic_overrides_apply_only_to_their_topic() -> None:
    props = {
        **BASE,
        "topics": "a,ab",
        "collection": "c",
        "topic.override.a.collection": "ca",
        "topic.override.a.max.batch.size": "5",
    }
    assert topic_props("a", props)["collection"] == "ca"
    assert topic_props("ab", props)["collection"] == "c"
    cfg = MongoSinkConfig(props)
    assert cfg.topic_config("a").get("max.batch.size") == 5
    assert cfg.topic_config("ab").get("max.batch.size") == 0
    assert cfg.topic_config("other").default_collection == "c"


def test_collection_defaults_to_topic() -> None:
    assert _cfg().default_collection == "t"


def test_validation_messages() -> None:
    assert _errors({**BASE, "database": ""})["database"] == [
        "Invalid value  for configuration database: String must be non-empty"
    ]
    assert "timeseries" in _errors({**BASE, "timeseries.timefield": "ts"})["timeseries.timefield"][0]
    assert _errors({**BASE, "delete.on.null.values": "true"})["delete.on.null.values"] == [
        "Invalid value true for configuration delete.on.null.values: DeleteOneDefaultStrategy can only be applied "
        "when the configured IdStrategy is an instance of: FullKeyStrategy or PartialKeyStrategy or "
        "ProvidedInKeyStrategy"
    ]
    errs = _errors({**BASE, "topic.override.t.writemodel.strategy": WRITE + "Nope"})
    assert list(errs) == ["topic.override.t.writemodel.strategy"]
    assert "Class not found or not supported" in errs["topic.override.t.writemodel.strategy"][0]
    with pytest.raises(ConfigException, match="mutually exclusive"):
        MongoSinkConfig({**BASE, "topics.regex": "x"})
    assert _errors({**BASE, "value.projection.type": "sideways"})["value.projection.type"] == [
        "Invalid value sideways for configuration value.projection.type: Invalid enumerator value. Should be one "
        "of: [none, blacklist, whitelist, allowlist, blocklist]"
    ]
    assert _errors({**BASE, "change.data.capture.handler": "com.x.Handler"})
    assert _errors(BASE) == {}


def test_config_def_exposes_the_java_keys() -> None:
    names = set(MongoSinkConnector().config().names())
    for key in (
        "connection.uri",
        "database",
        "collection",
        "namespace.mapper",
        "max.batch.size",
        "bulk.write.ordered",
        "max.num.retries",
        "retries.defer.timeout",
        "document.id.strategy",
        "document.id.strategy.overwrite.existing",
        "writemodel.strategy",
        "delete.on.null.values",
        "post.processor.chain",
        "key.projection.type",
        "value.projection.list",
    ):
        assert key in names
    infos = {i["name"]: i for i in MongoSinkConnector().config().to_infos()}
    assert infos["writemodel.strategy"]["default_value"] == WRITE + "DefaultWriteModelStrategy"
    assert infos["connection.uri"]["type"] == "PASSWORD"


def test_document_id_adder_always_first() -> None:
    chain = _cfg(**{"post.processor.chain": "com.mongodb.kafka.connect.sink.processor.KafkaMetaAdder"}).post_processors
    assert [type(p) for p in chain] == [DocumentIdAdder, KafkaMetaAdder]


def test_schemaless_values_become_int64_like_java_longs() -> None:
    doc = to_document(None, {"a": 1, "b": {"c": [2, 3.5, True, None]}}, "value")
    assert doc == {"a": 1, "b": {"c": [2, 3.5, True, None]}}
    assert type(doc["a"]) is Int64 and type(doc["b"]["c"][0]) is Int64 and type(doc["b"]["c"][2]) is bool


def test_strings_are_extended_json_and_bytes_are_bson() -> None:
    assert to_document(None, '{"_id": {"$oid": "5f1b2c3d4e5f6a7b8c9d0e1f"}, "n": {"$numberLong": "5"}}', "value") == {
        "_id": ObjectId("5f1b2c3d4e5f6a7b8c9d0e1f"),
        "n": 5,
    }
    assert to_document(None, BSON.encode({"x": 1}), "value") == {"x": 1}
    assert to_document(None, b'{"x": 2}', "value") == {"x": 2}
    with pytest.raises(DataException, match="extended JSON"):
        to_document(None, "[1, 2]", "value")
    with pytest.raises(DataException):
        to_document(None, 42, "value")


def test_struct_logical_types() -> None:
    schema = (
        SchemaBuilder.struct()
        .field("i8", Schema.INT8_SCHEMA)
        .field("l", Schema.INT64_SCHEMA)
        .field("dec", decimal_schema(2).build())
        .field("day", date_schema().build())
        .field("t", time_schema().build())
        .field("ts", timestamp_schema().build())
        .field("opt", Schema.OPTIONAL_STRING_SCHEMA)
        .field("arr", SchemaBuilder.array(Schema.INT64_SCHEMA).build())
        .field("m", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build())
        .build()
    )
    s = (
        Struct(schema)
        .put("i8", 3)
        .put("l", 4)
        .put("dec", Decimal("1.25"))
        .put("day", dt.date(2024, 2, 29))
        .put("t", dt.time(1, 2, 3, 4000))
        .put("ts", dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
        .put("arr", [1, 2])
        .put("m", {"k": 1})
    )
    doc = to_document(schema, s, "value")
    assert doc == {
        "i8": 3,
        "l": 4,
        "dec": Decimal128("1.25"),
        "day": dt.datetime(2024, 2, 29, tzinfo=dt.UTC),
        "t": dt.datetime(1970, 1, 1, 1, 2, 3, 4000, tzinfo=dt.UTC),
        "ts": dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        "opt": None,
        "arr": [1, 2],
        "m": {"k": 1},
    }
    assert type(doc["l"]) is Int64 and type(doc["i8"]) is int and type(doc["arr"][0]) is Int64


def test_keys_are_converted_only_when_used() -> None:
    doc = SinkDocument(sink_record("t", 0, {"v": 1}, key="user-42"))  # StringConverter key, not JSON
    assert doc.value_doc == {"v": 1}
    with pytest.raises(DataException):
        _ = doc.key_doc


def test_block_list_projection() -> None:
    d: dict[str, Any] = {"_id": 1, "a": 1, "b": {"c": 1, "d": 2}, "e": [{"c": 1, "f": 2}], "g": {"h": 1}}
    BlockList(["a", "b.c", "e.c", "_id"]).apply(d)
    assert d == {"_id": 1, "b": {"d": 2}, "e": [{"f": 2}], "g": {"h": 1}}
    d = {"_id": 1, "a": 1, "b": {"c": 1}}
    BlockList(["*"]).apply(d)
    assert d == {"_id": 1, "b": {"c": 1}}  # '*' removes non-document fields of that level
    BlockList(["**"]).apply(d)
    assert d == {"_id": 1}


def test_allow_list_projection() -> None:
    d: dict[str, Any] = {"_id": 1, "a": 1, "b": {"c": 1, "d": 2}, "e": [{"c": 1, "f": 2}], "x": 0}
    AllowList(["a", "b.c", "e.f"]).apply(d)
    assert d == {"_id": 1, "a": 1, "b": {"c": 1}, "e": [{"f": 2}]}
    d = {"a": {"x": 1, "y": {"z": 2}}, "b": 1}
    AllowList(["a.**"]).apply(d)
    assert d == {"a": {"x": 1, "y": {"z": 2}}}
    d = {"a": {"x": 1, "y": 2}, "b": {"x": 3}}
    AllowList(["*.x"]).apply(d)
    assert d == {"a": {"x": 1}, "b": {"x": 3}}


def _model(cfg: TopicConfig, record: Any) -> Any:
    doc = SinkDocument(record)
    if record.value is None:
        assert cfg.delete_model is not None
        return cfg.delete_model.create(doc)
    for p in cfg.post_processors:
        p.process(doc)
    return cfg.write_model.create(doc)


def test_write_models() -> None:
    provided = {"document.id.strategy": STRATEGY + "ProvidedInValueStrategy"}
    r = sink_record("t", 0, {"_id": 1, "a": 2})
    assert _model(_cfg(**provided), r) == ReplaceOne({"_id": 1}, {"_id": 1, "a": Int64(2)}, upsert=True)
    upd = _model(_cfg(**provided, **{"writemodel.strategy": WRITE + "UpdateOneDefaultStrategy"}), r)
    assert upd == UpdateOne({"_id": 1}, {"$set": {"a": 2}}, upsert=True)
    assert _model(_cfg(**provided, **{"writemodel.strategy": WRITE + "InsertOneDefaultStrategy"}), r) == InsertOne(
        {"_id": 1, "a": 2}
    )
    biz = _cfg(
        **{
            "document.id.strategy": STRATEGY + "PartialValueStrategy",
            "document.id.strategy.partial.value.projection.type": "AllowList",
            "document.id.strategy.partial.value.projection.list": "k.id",
            "writemodel.strategy": WRITE + "ReplaceOneBusinessKeyStrategy",
        }
    )
    assert _model(biz, sink_record("t", 0, {"k": {"id": 5}, "v": 1})) == ReplaceOne(
        {"k.id": 5}, {"k": {"id": 5}, "v": 1}, upsert=True
    )
    tomb = _cfg(**{"document.id.strategy": STRATEGY + "ProvidedInKeyStrategy", "delete.on.null.values": "true"})
    assert _model(tomb, sink_record("t", 0, None, key={"_id": "x"})) == DeleteOne({"_id": "x"})
    full = _cfg(**{"document.id.strategy": STRATEGY + "FullKeyStrategy", "delete.on.null.values": "true"})
    assert _model(full, sink_record("t", 0, None, key={"a": 1})) == DeleteOne({"_id": {"a": 1}})


def test_missing_provided_id_is_a_data_error() -> None:
    cfg = _cfg(**{"document.id.strategy": STRATEGY + "ProvidedInValueStrategy"})
    with pytest.raises(DataException, match="no _id field"):
        _model(cfg, sink_record("t", 0, {"a": 1}))


def test_kafka_meta_adder_and_metadata_strategy() -> None:
    cfg = _cfg(
        **{
            "document.id.strategy": STRATEGY + "KafkaMetaDataStrategy",
            "post.processor.chain": "com.mongodb.kafka.connect.sink.processor.KafkaMetaAdder",
        }
    )
    m = _model(cfg, sink_record("t", 9, {"a": 1}, partition=2, timestamp=5))
    assert m == ReplaceOne(
        {"_id": "t#2#9"}, {"a": 1, "_id": "t#2#9", "topic-partition-offset": "t-2-9", "CREATE_TIME": 5}, upsert=True
    )


def test_flatten_keys() -> None:
    assert flatten_keys({"a": {"b": 1, "c": {"d": 2}}, "e": 3}) == {"a.b": 1, "a.c.d": 2, "e": 3}

"""Source configuration, partition names, topic mapping and record shapes, without a server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from bson import Int64, Timestamp, decode
from pymongo.errors import OperationFailure

from genesis_connectors.mongodb import MongoSourceConnector
from genesis_connectors.mongodb.source.config import MongoSourceConfig
from genesis_connectors.mongodb.source.config_def import parse_operation_time
from genesis_connectors.mongodb.source.keys import DEFAULT_AVRO_VALUE_SCHEMA
from genesis_connectors.mongodb.source.records import RecordFactory, TopicMapper
from genesis_connectors.mongodb.source.schema import avro_to_connect
from genesis_connectors.mongodb.source.task import change_stream_not_valid
from genesis_worker.api import ConfigException, Schema, Struct, Type

URI = "mongodb://user:pw@hostB:27018,hostA/?replicaSet=rs0"


def _cfg(**props: str) -> MongoSourceConfig:
    return MongoSourceConfig({"connection.uri": URI, **props})


def test_partition_name_matches_java() -> None:
    assert _cfg(database="ads", collection="clicks").partition_name() == "mongodb://hostA,hostB:27018/ads.clicks"
    assert _cfg(database="ads").partition_name() == "mongodb://hostA,hostB:27018/ads"
    assert _cfg().partition_name() == "mongodb://hostA,hostB:27018/"
    assert _cfg(**{"offset.partition.name": "mine"}).partition_name() == "mine"


def test_startup_modes() -> None:
    assert _cfg().startup.mode == "latest"
    assert _cfg(**{"copy.existing": "true"}).startup.mode == "copy_existing"  # deprecated key still works
    assert _cfg(**{"copy.existing": "true", "startup.mode": "latest"}).startup.mode == "latest"
    copy = _cfg(**{"startup.mode": "copy_existing", "copy.existing.namespace.regex": "a\\..*"}).startup.copy
    assert copy is not None and copy.namespace_regex == "a\\..*"
    ts = _cfg(**{"startup.mode": "timestamp", "startup.mode.timestamp.start.at.operation.time": "30"}).startup
    assert ts.start_at == Timestamp(30, 0)
    assert parse_operation_time("k", "1970-01-01T00:00:30Z") == Timestamp(30, 0)
    with pytest.raises(ConfigException, match="seconds since the Epoch"):
        parse_operation_time("k", "yesterday")


def test_invalid_configs() -> None:
    with pytest.raises(ConfigException, match="Missing database configuration `database`"):
        _cfg(collection="c")
    errors = {v.name: v.errors for v in MongoSourceConnector().validate({"connection.uri": URI, "collection": "c"})}
    assert errors["collection"] == [
        "Invalid value c for configuration collection: Missing database configuration `database`"
    ]
    errors = {v.name: v.errors for v in MongoSourceConnector().validate({"connection.uri": URI, "pipeline": "{"})}
    assert errors["pipeline"]
    errors = {v.name: v.errors for v in MongoSourceConnector().validate({"connection.uri": "http://x"})}
    assert errors["connection.uri"]


def test_full_document_setting() -> None:
    assert _cfg().full_document is None
    assert _cfg(**{"change.stream.full.document": "updatelookup"}).full_document == "updateLookup"
    assert _cfg(**{"publish.full.document.only": "true"}).full_document == "updateLookup"


def test_topic_mapper() -> None:
    def topic(cfg: MongoSourceConfig, db: str, coll: str | None) -> str:
        return TopicMapper(cfg).topic({"ns": {"db": db, **({"coll": coll} if coll else {})}})

    plain = _cfg()
    assert topic(plain, "db", "c") == "db.c" and topic(plain, "db", None) == "db"
    assert TopicMapper(plain).topic({"operationType": "invalidate"}) == ""
    fancy = _cfg(
        **{
            "topic.prefix": "p",
            "topic.suffix": "s",
            "topic.separator": "-",
            "topic.namespace.map": json.dumps({"db": "dbt", "db.special": "one", "*": "all"}),
        }
    )
    assert topic(fancy, "db", "special") == "p-one-s"
    assert topic(fancy, "db", "c") == "p-dbt-c-s"
    assert topic(fancy, "db", None) == "p-dbt-s"
    assert topic(fancy, "other", "c") == "p-all-s"


def test_default_avro_schemas() -> None:
    value = avro_to_connect(DEFAULT_AVRO_VALUE_SCHEMA)
    assert value.name == "ChangeStream" and not value.optional
    ns = value.field("ns").schema
    assert ns.type is Type.STRUCT and ns.optional and ns.name == "ns" and not ns.field("db").schema.optional
    assert value.field("wallTime").schema == Schema.OPTIONAL_INT64_SCHEMA
    truncated = value.field("updateDescription").schema.field("truncatedArrays").schema
    assert truncated.optional and truncated.value_schema.name == "truncatedArray"
    with pytest.raises(ConfigException, match="Only Record schemas"):
        avro_to_connect('{"type": "string"}')
    with pytest.raises(ConfigException, match="Union Schemas are not supported"):
        avro_to_connect('{"type": "record", "name": "r", "fields": [{"name": "a", "type": ["int", "string"]}]}')


EVENT: dict[str, Any] = {
    "_id": {"_data": "82AB"},
    "operationType": "update",
    "clusterTime": Timestamp(5, 1),
    "ns": {"db": "db", "coll": "c"},
    "documentKey": {"_id": 1},
    "updateDescription": {"updatedFields": {"n": Int64(2)}, "removedFields": ["x"], "truncatedArrays": []},
}


def test_json_records() -> None:
    cfg = _cfg(database="db", collection="c")
    rec = RecordFactory(cfg, {"ns": "p"}).record(EVENT, copying=False)
    assert rec is not None and rec.topic == "db.c" and rec.source_partition == {"ns": "p"}
    assert rec.source_offset == {"_id": '{"_data": "82AB"}'}
    assert rec.key == '{"_id": {"_data": "82AB"}}' and rec.key_schema == Schema.STRING_SCHEMA
    assert rec.value == (
        '{"_id": {"_data": "82AB"}, "operationType": "update", "clusterTime": {"$timestamp": {"t": 5, "i": 1}}, '
        '"ns": {"db": "db", "coll": "c"}, "documentKey": {"_id": 1}, "updateDescription": {"updatedFields": '
        '{"n": {"$numberLong": "2"}}, "removedFields": ["x"], "truncatedArrays": []}}'
    )
    copied = RecordFactory(cfg, {"ns": "p"}).record({**EVENT, "_id": {"_id": 1, "copyingData": True}}, copying=True)
    assert copied is not None and copied.source_offset == {"_id": '{"_id": 1, "copyingData": true}', "copy": "true"}


def test_bson_and_schema_records() -> None:
    cfg = _cfg(database="db", **{"output.format.key": "bson", "output.format.value": "schema"})
    rec = RecordFactory(cfg, {"ns": "p"}).record(EVENT, copying=False)
    assert rec is not None and rec.key_schema == Schema.BYTES_SCHEMA and decode(rec.key) == {"_id": {"_data": "82AB"}}
    v = rec.value
    assert isinstance(v, Struct)
    assert v.get("_id") == '{"_data": "82AB"}' and v.get("clusterTime") == '{"$timestamp": {"t": 5, "i": 1}}'
    assert v.get("documentKey") == '{"_id": 1}' and v.get("fullDocument") is None
    ud = v.get("updateDescription")
    assert ud.get("updatedFields") == '{"n": {"$numberLong": "2"}}' and ud.get("removedFields") == ["x"]


def test_full_document_only_skips_events_without_document() -> None:
    cfg = _cfg(database="db", **{"publish.full.document.only": "true"})
    assert RecordFactory(cfg, {"ns": "p"}).record(EVENT, copying=False) is None
    rec = RecordFactory(cfg, {"ns": "p"}).record({**EVENT, "fullDocument": {"_id": 1, "n": 2}}, copying=False)
    assert rec is not None and rec.value == '{"_id": 1, "n": 2}'


def test_invalid_change_stream_classification() -> None:
    assert change_stream_not_valid(OperationFailure("x", 286))
    assert change_stream_not_valid(
        OperationFailure(
            "resume of change stream was not possible, as the resume point may no longer be in the oplog", 280
        )
    )
    assert change_stream_not_valid(OperationFailure("resume token is not a valid resume token", 9))
    assert not change_stream_not_valid(OperationFailure("not primary", 10107))


def test_uri_hosts_match_java_connection_string() -> None:
    """Expected values printed by the Java driver (driver-core 5.14.0): ``new ConnectionString(uri).getHosts()``."""
    from genesis_connectors.mongodb.configs import uri_hosts

    assert uri_hosts("mongodb://user:pw@HostB:27018,hostA/?replicaSet=rs0") == ["HostB:27018", "hostA"]
    assert uri_hosts("mongodb://127.0.0.1:4000/?directConnection=true") == ["127.0.0.1:4000"]
    assert uri_hosts("mongodb://[::1]:27017,Zed.example.COM/db") == ["Zed.example.COM", "[::1]:27017"]

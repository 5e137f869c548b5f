"""Couchbase sink without a server: config, document IDs and content, durability mapping, error classes,
the options of each call (against the StandInCollection stand-in) and the connector's lineage. The writes
themselves are tested against gocaves (tests/integration/connectors/couchbase/)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from couchbase.durability import ClientDurability, DurabilityLevel, ServerDurability
from couchbase.exceptions import DocumentExistsException
from couchbase.subdocument import StoreSemantics

from genesis_connectors.couchbase import config as k
from genesis_connectors.couchbase.connector import CouchbaseSinkConnector
from genesis_connectors.couchbase.documents import DocumentIdFormat, SinkDocument, document_of, parse_pointer
from genesis_connectors.couchbase.store import DocumentWriter, durability_of, is_fatal, is_retriable
from genesis_worker.api import ConfigException, DataException, Schema, SchemaBuilder, SinkRecord, Struct
from tests.unit.connectors.couchbase.standin import StandInCollection

BASE = {
    "topics": "profiles",
    "couchbase.seed.nodes": "cb1,cb2",
    "couchbase.bucket": "ads",
    "couchbase.username": "kafka",
    "couchbase.password": "secret",
}


def cfg(**extra: str) -> k.CouchbaseSinkConfig:
    return k.CouchbaseSinkConfig({**BASE, **{key.replace("_", "."): v for key, v in extra.items()}})


def rec(offset: int, value: Any, key: Any = None, schema: Schema | None = None, topic: str = "profiles") -> SinkRecord:
    return SinkRecord(topic, 2, None, key, schema, value, offset)


# -- config -------------------------------------------------------------------------------------------


def test_config_defaults_and_parsing() -> None:
    c = k.CouchbaseSinkConfig(BASE)
    assert c.seed_nodes == ["cb1", "cb2"] and c.password == "secret"
    assert c.default_collection == ("_default", "_default") and c.expiration == dt.timedelta(0)
    assert (c.mode, c.operation, c.durability) == ("DOCUMENT", "UPSERT", "NONE")
    c = cfg(
        couchbase_document_expiration="30m",
        couchbase_default_collection="inv.profiles",
        couchbase_topic_to_collection="a=s1.c1, b=s2.c-2",
        couchbase_bootstrap_timeout="500ms",
    )
    assert c.expiration == dt.timedelta(minutes=30) and c.bootstrap_timeout == dt.timedelta(milliseconds=500)
    assert c.collection_of("a") == ("s1", "c1") and c.collection_of("b") == ("s2", "c-2")
    assert c.collection_of("profiles") == ("inv", "profiles")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"couchbase.document.expiration": "soon"}, "integer followed by a time unit"),
        ({"couchbase.default.collection": "justone"}, r"scope name \(scope\.collection\)"),
        ({"couchbase.topic.to.collection": "a:s.c"}, "topic=scope.collection"),
        ({"couchbase.document.mode": "N1QL"}, "N1QL mode is not supported"),
        ({"couchbase.document.mode": "SUBDOCUMENT"}, r"couchbase\.subdocument\.path"),
        ({"couchbase.durability": "MAJORITY", "couchbase.replicate.to": "ONE"}, "must be NONE"),
        ({"couchbase.document.operation": "MERGE"}, "String must be one of"),
        ({"couchbase.seed.nodes": ""}, "Empty list"),
    ],
)
def test_bad_configs(extra: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigException, match=message):
        k.CouchbaseSinkConfig({**BASE, **extra})


def test_required_keys_and_docs() -> None:
    with pytest.raises(ConfigException, match=r"couchbase\.bucket"):
        k.CouchbaseSinkConfig({k: v for k, v in BASE.items() if k != "couchbase.bucket"})
    assert all(key.documentation.strip() for key in k.CONFIG_DEF.config_keys.values())


def test_lineage() -> None:
    c = CouchbaseSinkConnector()
    props = {**BASE, "topics": "profiles,clicks", "couchbase.topic.to.collection": "clicks=ev.clicks"}
    assert [(e.system, e.name) for e in c.lineage(props).outputs] == [
        ("couchbase", "ads._default._default"),
        ("couchbase", "ads.ev.clicks"),
    ]
    assert [e.name for e in c.lineage(props).inputs] == ["profiles", "clicks"]


# -- documents ----------------------------------------------------------------------------------------


def test_document_id_from_key_or_coordinates() -> None:
    assert document_of(rec(5, {"a": 1}, key="user-1"), None, False) == SinkDocument("user-1", {"a": 1})
    assert document_of(rec(5, {"a": 1}, key=42), None, False).id == "42"
    assert document_of(rec(5, {"a": 1}, key=b"bin"), None, False).id == "bin"
    assert document_of(rec(5, {"a": 1}), None, False).id == "profiles/2/5"
    assert document_of(rec(6, None, key="gone"), None, False) == SinkDocument("gone", None)  # tombstone
    with pytest.raises(DataException, match="longer than 250 bytes"):
        document_of(rec(0, {}, key="x" * 251), None, False)
    with pytest.raises(DataException, match="empty"):
        document_of(rec(0, {}, key=""), None, False)


def test_document_id_format_with_pointers_and_removal() -> None:
    fmt = DocumentIdFormat.parse("${/type}::${/ids/0}::${/a~1b}")
    value = {"type": "user", "ids": [7, 8], "a/b": True, "name": "kim"}
    doc = document_of(rec(0, value, key="ignored"), fmt, False)
    assert doc.id == "user::7::true" and doc.content is not value and doc.content == value
    removed = document_of(rec(0, value), DocumentIdFormat.parse("${/type}-${/name}"), True)
    assert removed == SinkDocument("user-kim", {"ids": [7, 8], "a/b": True})
    assert value["name"] == "kim"  # the record's value is not changed
    with pytest.raises(DataException, match="no value at '/missing'"):
        document_of(rec(0, value), DocumentIdFormat.parse("${/missing}"), False)
    with pytest.raises(DataException, match="not a string, number or boolean"):
        document_of(rec(0, value), DocumentIdFormat.parse("${/ids}"), False)
    assert parse_pointer("") == () and parse_pointer("/~0x") == ("~x",)
    with pytest.raises(DataException, match="must start with"):
        parse_pointer("type")


def test_document_content_from_struct_bytes_and_text() -> None:
    schema = (
        SchemaBuilder.struct()
        .field("id", Schema.INT32_SCHEMA)
        .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
        .build()
    )
    doc = document_of(rec(0, Struct(schema).put("id", 3).put("tags", ["a"]), key="k", schema=schema), None, False)
    assert doc.content == {"id": 3, "tags": ["a"]}
    assert document_of(rec(0, b'{"x": [1, 2]}', key="k"), None, False).content == {"x": [1, 2]}
    with pytest.raises(DataException, match="not JSON"):
        document_of(rec(0, b"\x00not json", key="k"), None, False)
    assert document_of(rec(0, "plain text", key="k"), None, False).content == "plain text"


# -- writes -------------------------------------------------------------------------------------------


def test_durability_mapping() -> None:
    assert durability_of(cfg()) is None
    server = durability_of(cfg(couchbase_durability="PERSIST_TO_MAJORITY"))
    assert isinstance(server, ServerDurability) and server.level == DurabilityLevel.PERSIST_TO_MAJORITY
    client = durability_of(cfg(couchbase_persist_to="ONE", couchbase_replicate_to="TWO"))
    assert isinstance(client, ClientDurability)


def test_options_of_each_call_on_the_stand_in() -> None:
    """What gocaves cannot show (the sink's integration tests run against it): the durability each call
    carries (gocaves ignores it), and the expiry of a sub-document mutation of an existing document only
    (gocaves refuses it: InvalidArgument). Against the StandInCollection stand-in."""
    coll = StandInCollection()
    w = DocumentWriter(cfg(couchbase_document_expiration="2h", couchbase_durability="MAJORITY"))
    assert w.write(coll, SinkDocument("a", {"v": 1}), False) == "upsert"
    assert w.write(coll, SinkDocument("a", None), False) == "removed"
    (_, _, upsert), (_, _, remove) = coll.calls
    assert upsert["expiry"] == dt.timedelta(hours=2) and upsert["durability"].level == DurabilityLevel.MAJORITY
    assert "expiry" not in remove and remove["durability"].level == DurabilityLevel.MAJORITY
    for op, want in (("INSERT", "insert"), ("REPLACE", "replace")):
        w = DocumentWriter(cfg(couchbase_document_operation=op, couchbase_persist_to="ONE"))
        assert w.write(coll, SinkDocument("b", 1), False) == want
        assert isinstance(coll.calls[-1][2]["durability"], ClientDurability)
    sub = DocumentWriter(
        cfg(
            couchbase_document_mode="SUBDOCUMENT",
            couchbase_subdocument_path="x",
            couchbase_create_document="false",
            couchbase_document_expiration="10m",
            couchbase_durability="PERSIST_TO_MAJORITY",
        )
    )
    assert sub.write(coll, SinkDocument("c", 1), False) == "mutated"
    options = coll.calls[-1][2]
    assert options["store_semantics"] == StoreSemantics.REPLACE and options["expiry"] == dt.timedelta(minutes=10)
    assert options["durability"].level == DurabilityLevel.PERSIST_TO_MAJORITY


def test_error_classes() -> None:
    from couchbase.exceptions import AmbiguousTimeoutException, DurabilityImpossibleException, TemporaryFailException

    assert is_retriable(AmbiguousTimeoutException(message="x")) and is_retriable(TemporaryFailException(message="x"))
    assert not is_retriable(DocumentExistsException(message="x"))
    assert is_fatal(DurabilityImpossibleException(message="x"))


def test_readme_config_table_is_current() -> None:
    from genesis_connectors.couchbase import readme

    text = readme.README.read_text()
    assert readme.render(text) == text, "run: python -m genesis_connectors.couchbase.readme"

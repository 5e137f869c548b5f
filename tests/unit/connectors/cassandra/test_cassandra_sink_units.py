"""Cassandra sink without Cassandra: config parsing, the mapping grammar, value conversion, CQL text,
insert/delete planning and batching (the driver module is not used here)."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

import pytest

from genesis_connectors.cassandra import config as k
from genesis_connectors.cassandra.codec import split_type, to_cql
from genesis_connectors.cassandra.connector import CassandraSinkConnector
from genesis_connectors.cassandra.mapping import TIMESTAMP_COLUMN, FieldSource, extract_row, parse_mapping
from genesis_connectors.cassandra.statements import (
    UNSET,
    TableShape,
    check_mapping,
    delete_cql,
    group_batches,
    insert_cql,
    plan_write,
    quote,
)
from genesis_worker.api import ConfigException, DataException, Headers, Schema, SchemaBuilder, SinkRecord, Struct

BASE = {
    "topics": "clicks",
    "contactPoints": "10.0.0.1,10.0.0.2:9043",
    "loadBalancing.localDc": "dc1",
    "topic.clicks.ads.by_user.mapping": "user_id=key, ts=value.ts, ad=value.ad.id, country=value.country",
}
SHAPE = TableShape(
    "ads",
    "by_user",
    {"user_id": "text", "ts": "timestamp", "ad": "bigint", "country": "text"},
    ("user_id",),
    ("ts",),
)


def rec(offset: int, value: Any, key: Any = "u1", **kw: Any) -> SinkRecord:
    return SinkRecord("clicks", kw.pop("partition", 0), None, key, kw.pop("schema", None), value, offset, **kw)


def table(**settings: str) -> k.TableConfig:
    props = dict(BASE)
    props.update({f"topic.clicks.ads.by_user.{s}": v for s, v in settings.items()})
    (t,) = k.table_configs(props)
    return t


# -- config -------------------------------------------------------------------------------------------


def test_table_configs_defaults_and_overrides() -> None:
    t = table()
    assert (t.topic, t.keyspace, t.table, t.name) == ("clicks", "ads", "by_user", "ads.by_user")
    assert (t.consistency_level, t.ttl, t.null_to_unset, t.deletes_enabled) == ("LOCAL_ONE", -1, True, True)
    t = table(consistencyLevel="quorum", ttl="60", nullToUnset="false", deletesEnabled="false", ttlTimeUnit="MINUTES")
    assert (t.consistency_level, t.ttl, t.null_to_unset, t.deletes_enabled, t.ttl_unit) == (
        "QUORUM",
        60,
        False,
        False,
        60.0,
    )


def test_topic_names_with_dots_and_several_tables() -> None:
    props = {
        "topics": "a.b.c",
        "topic.a.b.c.ks.t1.mapping": "id=key",
        "topic.a.b.c.ks.t2.mapping": "id=value.id",
        "topic.a.b.c.ks.t2.unknownSetting": "x",
    }
    assert [(t.topic, t.name) for t in k.table_configs(props)] == [("a.b.c", "ks.t1"), ("a.b.c", "ks.t2")]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"topic.clicks.ads.by_user.consistencyLevel": "MOST"}, "String must be one of"),
        ({"topic.clicks.ads.by_user.ttl": "soon"}, "Not a number"),
        ({"topic.clicks.ads.by_user.deletesEnabled": "yes"}, "either true or false"),
        ({"topic.clicks.ads.by_user.mapping": "user_id key"}, "expected '='"),
        ({"topics": "clicks,other"}, "Topic other is listed in topics"),
        ({"topic.x.ks.t.ttl": "5"}, 'Missing required configuration "topic.x.ks.t.mapping"'),
    ],
)
def test_bad_table_configs(extra: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigException, match=message):
        k.CassandraSinkConfig({**BASE, **extra})


def test_connection_config() -> None:
    cfg = k.CassandraSinkConfig(BASE)
    assert cfg.contact_points == ["10.0.0.1", "10.0.0.2:9043"] and cfg.local_dc == "dc1" and cfg.port == 9042
    with pytest.raises(ConfigException, match=r"loadBalancing\.localDc must also be specified"):
        k.CassandraSinkConfig({**BASE, "loadBalancing.localDc": ""})
    cfg = k.CassandraSinkConfig({**BASE, "auth.provider": "PLAIN", "auth.username": "u", "auth.password": "p"})
    assert (cfg.username, cfg.password) == ("u", "p")
    assert not k.CassandraSinkConfig({**BASE, "errors.tolerance": "none"}).tolerate_all


def test_connector_validate_lineage_and_docs() -> None:
    c = CassandraSinkConnector()
    errors = [v for v in c.validate({**BASE, "topics": "clicks,zzz"}) if v.errors]
    assert [v.name for v in errors] == ["topic.zzz.<keyspace>.<table>.mapping"] and "zzz" in errors[0].errors[0]
    errors = [v for v in c.validate({**BASE, "topic.clicks.ads.by_user.ttl": "x"}) if v.errors]
    assert [v.name for v in errors] == ["topic.clicks.ads.by_user.ttl"]
    props = {**BASE, "topic.clicks.ads.totals.mapping": "user_id=key"}
    assert [(e.system, e.name) for e in c.lineage(props).outputs] == [
        ("cassandra", "ads.by_user"),
        ("cassandra", "ads.totals"),
    ]
    assert all(key.documentation.strip() for key in k.CONFIG_DEF.config_keys.values())


# -- mapping ------------------------------------------------------------------------------------------


def test_parse_mapping_grammar() -> None:
    m = parse_mapping(' a = key , "Mixed ""Col"""=value.x.y, c=header.src, d=now(), __ttl=value.t, __timestamp=value.w')
    assert m.column_names == ["a", 'Mixed "Col"', "c", "d"]
    assert [s.text for _, s in m.columns] == ["key", "value.x.y", "header.src", "now()"]
    assert m.ttl == FieldSource("value", ("t",)) and m.timestamp == FieldSource("value", ("w",))
    for bad, msg in [
        ("", "empty"),
        ("a=key,", "trailing"),
        ("a=key, a=value", "mapped twice"),
        ("a=keys", "expected ','"),
        ("a=foo", "expected key, value"),
        ("a=value..b", "empty field name"),
        ("a=header", "exactly one header"),
        (f"{TIMESTAMP_COLUMN}=value.t", "no column"),
    ]:
        with pytest.raises(ValueError, match=msg):
            parse_mapping(bad)


def test_extract_row_from_struct_map_key_and_headers() -> None:
    schema = (
        SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).field("name", Schema.OPTIONAL_STRING_SCHEMA).build()
    )
    m = parse_mapping("k=key, id=value.id, name=value.name, src=header.src")
    r = rec(0, Struct(schema).put("id", 7), key="u9", headers=Headers().add("src", "web"))
    assert extract_row(m, r) == {"k": "u9", "id": 7, "name": None, "src": "web"}
    assert extract_row(parse_mapping("a=value.x.y"), rec(0, {"x": {"y": [1]}})) == {"a": [1]}
    assert extract_row(parse_mapping("a=value.x"), rec(0, None)) == {"a": None}  # tombstone
    with pytest.raises(DataException, match=r"Required field 'value\.nope' \(mapped to column a\)"):
        extract_row(parse_mapping("a=value.nope"), rec(0, {"x": 1}))
    with pytest.raises(DataException, match=r"header\.src"):
        extract_row(parse_mapping("a=header.src"), rec(0, {}))


# -- codec --------------------------------------------------------------------------------------------


def test_split_type() -> None:
    assert split_type("map<text, frozen<list<int>>>") == ("map", ["text", "frozen<list<int>>"])
    assert split_type("TEXT") == ("text", [])


@pytest.mark.parametrize(
    ("cql", "value", "expected"),
    [
        ("text", 5, "5"),
        ("text", True, "true"),
        ("text", {"a": 1}, '{"a":1}'),
        ("int", "42", 42),
        ("bigint", 3.0, 3),
        ("double", "1.5", 1.5),
        ("decimal", 0.1, decimal.Decimal("0.1")),
        ("boolean", "TRUE", True),
        ("uuid", "9b2c1c4e-6c0e-4f1e-8a55-0c4b1d3e6f70", uuid.UUID("9b2c1c4e-6c0e-4f1e-8a55-0c4b1d3e6f70")),
        ("timestamp", 1_700_000_000_123, dt.datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=dt.UTC)),
        ("timestamp", "2024-01-02T03:04:05Z", dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)),
        ("date", 1, dt.date(1970, 1, 2)),
        ("date", "2024-02-29", dt.date(2024, 2, 29)),
        ("blob", "AAE=", b"\x00\x01"),
        ("inet", "10.0.0.1", "10.0.0.1"),
        ("list<int>", ["1", 2], [1, 2]),
        ("set<text>", [1, 1], {"1"}),
        ("frozen<map<text, bigint>>", {"a": "1"}, {"a": 1}),
    ],
)
def test_to_cql(cql: str, value: Any, expected: Any) -> None:
    assert to_cql(cql, value, "c") == expected


@pytest.mark.parametrize(
    ("cql", "value", "message"),
    [
        ("int", 2**31, "out of range"),
        ("tinyint", 128, "out of range"),
        ("int", 1.5, "not an integer"),
        ("int", True, "boolean is not a number"),
        ("int", "x", "invalid literal"),
        ("uuid", "nope", "badly formed"),
        ("timeuuid", str(uuid.uuid4()), "version 1"),
        ("boolean", "maybe", "not a boolean"),
        ("blob", "***", "base64"),
        ("ascii", "é", "not ASCII"),
        ("list<int>", 5, "expected a list"),
    ],
)
def test_to_cql_rejects(cql: str, value: Any, message: str) -> None:
    with pytest.raises(DataException, match=rf"column c of type {cql}.*({message})"):
        to_cql(cql, value, "c")


# -- statements ---------------------------------------------------------------------------------------


def test_cql_text() -> None:
    t = table()
    assert quote("ok_1") == "ok_1" and quote("Mixed") == '"Mixed"' and quote('a"b') == '"a""b"'
    assert insert_cql(t, SHAPE) == "INSERT INTO ads.by_user (user_id, ts, ad, country) VALUES (?, ?, ?, ?)"
    assert delete_cql(t, SHAPE) == "DELETE FROM ads.by_user WHERE user_id = ? AND ts = ?"
    t2 = table(ttl="30", mapping="user_id=key, ts=value.ts, __timestamp=value.w")
    assert insert_cql(t2, SHAPE).endswith("VALUES (?, ?) USING TTL ? AND TIMESTAMP ?")
    assert delete_cql(t2, SHAPE) == "DELETE FROM ads.by_user USING TIMESTAMP ? WHERE user_id = ? AND ts = ?"


def test_check_mapping() -> None:
    check_mapping(table(), SHAPE)
    with pytest.raises(DataException, match=r"primary key column.*ts must be mapped"):
        check_mapping(table(mapping="user_id=key, ad=value.ad"), SHAPE)
    with pytest.raises(DataException, match="nope do not exist"):
        check_mapping(table(mapping="user_id=key, ts=value.ts, nope=value.x"), SHAPE)


def test_plan_insert_unset_and_null() -> None:
    w = plan_write(table(), SHAPE, rec(3, {"ts": 1000, "ad": {"id": "12"}, "country": None}))
    assert w.kind == "insert" and w.routing == ("u1",)
    assert w.values == ["u1", dt.datetime(1970, 1, 1, 0, 0, 1, tzinfo=dt.UTC), 12, UNSET]
    w = plan_write(table(nullToUnset="false"), SHAPE, rec(3, {"ts": 1000, "ad": {"id": 1}, "country": None}))
    assert w.values[-1] is None


def test_plan_ttl_and_timestamp_units() -> None:
    t = table(
        mapping="user_id=key, ts=value.ts, __ttl=value.ttl, __timestamp=value.at",
        ttlTimeUnit="MINUTES",
        timestampTimeUnit="MILLISECONDS",
    )
    w = plan_write(t, SHAPE, rec(0, {"ts": 1, "ttl": 2, "at": 1_700_000_000_000}))
    assert w.values[-2:] == [120, 1_700_000_000_000_000]
    fixed = plan_write(table(ttl="30"), SHAPE, rec(0, {"ts": 1, "ad": {"id": 1}, "country": "KR"}))
    assert fixed.values[-1] == 30


def test_plan_delete_for_tombstones_and_errors() -> None:
    t = table(mapping="user_id=key, ts=key, country=value.country")
    shape = TableShape("ads", "by_user", {"user_id": "text", "ts": "text", "country": "text"}, ("user_id",), ("ts",))
    w = plan_write(t, shape, rec(0, None, key="2024"))
    assert w.kind == "delete" and w.values == ["2024", "2024"]
    t_no_delete = table(mapping="user_id=key, ts=key, country=value.country", deletesEnabled="false")
    assert plan_write(t_no_delete, shape, rec(0, None, key="k")).kind == "insert"
    with pytest.raises(DataException, match="Primary key column user_id cannot be mapped to null"):
        plan_write(t, shape, rec(0, {"country": "KR"}, key=None))
    with pytest.raises(DataException, match="column ad of type bigint"):
        plan_write(table(), SHAPE, rec(0, {"ts": 1, "ad": {"id": "x"}, "country": "KR"}))


def test_group_batches_by_partition_key_in_order() -> None:
    t = table()
    writes = [
        plan_write(t, SHAPE, rec(i, {"ts": i, "ad": {"id": i}, "country": "KR"}, key=f"u{i % 2}")) for i in range(7)
    ]
    plans = group_batches(writes, 2)
    assert [[w.record.kafka_offset for w in p.writes] for p in plans] == [[0, 2], [1, 3], [4, 6], [5]]
    assert [len(p.writes) for p in group_batches(writes, 1)] == [1] * 7
    quorum = plan_write(
        table(consistencyLevel="QUORUM"), SHAPE, rec(9, {"ts": 9, "ad": {"id": 9}, "country": "KR"}, key="u0")
    )
    assert len(group_batches([writes[0], quorum], 10)) == 2  # one consistency level per batch


def test_a_second_write_to_the_same_row_starts_a_new_batch() -> None:
    t = table()
    same_row = [plan_write(t, SHAPE, rec(i, {"ts": 5, "ad": {"id": i}, "country": "KR"})) for i in range(3)]
    other = plan_write(t, SHAPE, rec(3, {"ts": 6, "ad": {"id": 3}, "country": "KR"}))
    plans = group_batches([same_row[0], other, same_row[1], same_row[2]], 10)
    assert [[w.record.kafka_offset for w in p.writes] for p in plans] == [[0, 3], [1], [2]]


def test_readme_config_table_is_current() -> None:
    from genesis_connectors.cassandra import readme

    text = readme.README.read_text()
    assert readme.render(text) == text, "run: python -m genesis_connectors.cassandra.readme"

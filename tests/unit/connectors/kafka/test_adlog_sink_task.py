"""KafkaSinkTask driven directly with SinkRecords (target producer replaced by a recording double)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from genesis_connectors.kafka import KafkaSinkConnector, KafkaSinkTask
from genesis_connectors.kafka.producer import DeliveryFailed, producer_config
from genesis_worker.api import ConfigException, DataException, Header, SchemaBuilder, SinkRecord, Struct
from genesis_worker.api.data import Schema
from genesis_worker.api.records import Headers
from tests.unit.connectors.kafka.adlog_helpers import FakeContext, RecordingReporter, recording

BASE = {"name": "ads-copy", "topics": "ads", "target.bootstrap.servers": "127.0.0.1:1", "target.topic": "out"}


async def start(ctx: FakeContext | None = None, **props: str) -> Any:
    task = recording(KafkaSinkTask)()
    task.initialize(ctx or FakeContext())
    await task.start({**BASE, **props})
    return task


def rec(
    value: Any, key: Any = b"k", offset: int = 0, topic: str = "ads", ts: int | None = 1_000, **kw: Any
) -> SinkRecord:
    raw = orjson.dumps(value) if isinstance(value, dict) else value
    return SinkRecord(topic, 0, None, key, None, raw, offset, timestamp=ts, **kw)


def values(task: Any) -> list[Any]:
    return [None if m["value"] is None else orjson.loads(m["value"]) for m in task.producer.sent]


async def test_pass_through_is_byte_exact() -> None:
    task = await start()
    raw = b'{"b": 1,  "a" : [1, 2]}'
    hdrs = Headers.from_raw([("h", b"v"), ("n", None)], lambda t, k, v: Header(k, v), "ads")
    await task.put([rec(raw, key=b"user", headers=hdrs), rec(None, key=b"gone", offset=1)])
    sent = task.producer.sent
    assert sent[0] == {
        "topic": "out",
        "value": raw,
        "key": b"user",
        "timestamp": 1000,
        "headers": [("h", b"v"), ("n", None)],
    }
    assert sent[1]["value"] is None and sent[1]["key"] == b"gone" and sent[1]["headers"] is None
    await task.flush({})
    assert task.producer.flushes == 1


async def test_filter_edge_cases_exact_output() -> None:
    task = await start(**{"filter.condition": 'value.event == "click" and value.price >= 1 and value.country != "US"'})
    batch = [
        rec({"event": "click", "price": 2, "country": "KR"}, offset=0),  # kept
        rec({"event": "click", "price": 2}, offset=1),  # country missing: != "US" is true -> kept
        rec({"event": "click", "price": None, "country": "KR"}, offset=2),  # null >= 1 is false
        rec({"event": "click", "price": "5", "country": "KR"}, offset=3),  # string vs number: false
        rec({"event": "view", "price": 9}, offset=4),
        rec({"event": "click", "price": 1.0, "country": "US"}, offset=5),
        rec(b"not json", offset=6),
        rec(None, offset=7),
        rec({"event": "click", "price": 1, "country": None}, offset=8),  # null != "US" -> kept
    ]
    await task.put(batch)
    assert values(task) == [
        {"event": "click", "price": 2, "country": "KR"},
        {"event": "click", "price": 2},
        {"event": "click", "price": 1, "country": None},
    ]
    assert task.metrics()["filtered_out"] == 6 and task.metrics()["written"] == 3


async def test_injection_splices_bytes() -> None:
    task = await start(
        **{
            "inject.timestamp.field": "ts",
            "inject.topic.field": "src_topic",
            "inject.offset.field": "src_offset",
            "inject.static.fields": 'pipeline=adlog,version=2,flag=true,quoted="7",empty=',
        }
    )
    await task.put([rec(b'{"a":1}', offset=41, ts=1_700_000_000_123), rec(b"{}", offset=42, ts=None)])
    sent = task.producer.sent
    assert sent[0]["value"] == (
        b'{"a":1,"ts":1700000000123,"src_topic":"ads","src_offset":41,'
        b'"pipeline":"adlog","version":2,"flag":true,"quoted":"7","empty":""}'
    )
    assert sent[1]["value"] == (
        b'{"ts":null,"src_topic":"ads","src_offset":42,"pipeline":"adlog","version":2,"flag":true,"quoted":"7","empty":""}'
    )
    assert sent[1]["timestamp"] == 0


async def test_injection_overwrites_existing_field_via_reserialisation() -> None:
    task = await start(**{"inject.topic.field": "topic"})
    await task.put([rec(b'{"topic": "old", "x": 1}'), rec(b'{"note": "topic"}')])
    assert values(task) == [{"topic": "ads", "x": 1}, {"note": "topic", "topic": "ads"}]


async def test_iso8601_and_wallclock_timestamps() -> None:
    task = await start(**{"inject.timestamp.field": "at", "inject.timestamp.format": "iso8601"})
    await task.put([rec(b'{"a":1}', ts=1_714_564_800_007), rec(b'{"a":1}', ts=-1)])
    assert values(task) == [{"a": 1, "at": "2024-05-01T12:00:00.007Z"}, {"a": 1, "at": "1969-12-31T23:59:59.999Z"}]
    task = await start(**{"inject.timestamp.field": "at", "inject.timestamp.source": "wallclock"})
    import time

    before = time.time_ns() // 1_000_000
    await task.put([rec(b'{"a":1}', ts=5)])
    assert before <= values(task)[0]["at"] <= time.time_ns() // 1_000_000


async def test_key_from_field_and_topic_pattern() -> None:
    task = await start(**{"inject.key.field": "user.id", "target.topic": "${topic}.copy"})
    await task.put(
        [
            rec({"user": {"id": "u9"}}, key=b"old", topic="clicks"),
            rec({"user": {"id": 17}}, key=b"old", topic="views"),
            rec({"user": {}}, key=b"kept", topic="clicks"),
        ]
    )
    assert [(m["topic"], m["key"]) for m in task.producer.sent] == [
        ("clicks.copy", b"u9"),
        ("views.copy", b"17"),
        ("clicks.copy", b"kept"),
    ]


async def test_dict_and_struct_values_written_as_json() -> None:
    task = await start(**{"inject.static.fields": "src=x", "filter.condition": "value.n > 1"})
    schema = SchemaBuilder.struct().field("n", Schema.INT32_SCHEMA).field("s", Schema.OPTIONAL_STRING_SCHEMA).build()
    await task.put(
        [
            SinkRecord("ads", 0, None, "k1", None, {"n": 2, "d": {"x": [1]}}, 0),
            SinkRecord("ads", 0, None, None, schema, Struct(schema).put("n", 3).put("s", "v"), 1),
            SinkRecord("ads", 0, None, None, schema, Struct(schema).put("n", 1), 2),
            SinkRecord("ads", 0, None, {"id": 1}, None, '{"n": 5}', 3),
        ]
    )
    sent = task.producer.sent
    assert [orjson.loads(m["value"]) for m in sent] == [
        {"n": 2, "d": {"x": [1]}, "src": "x"},
        {"n": 3, "s": "v", "src": "x"},
        {"n": 5, "src": "x"},
    ]
    assert [m["key"] for m in sent] == [b"k1", None, b'{"id":1}']


async def test_hash_sampling_on_key_skips_parsing_and_is_stable() -> None:
    props = {"sample.percent": "30", "sample.mode": "hash", "filter.condition": "value.ok == true"}
    keys = [f"user-{i}".encode() for i in range(3000)]
    batch = [rec({"ok": True}, key=k, offset=i) for i, k in enumerate(keys)]
    kept = []
    for _ in range(2):  # two tasks / a restart: the same users are in the sample
        task = await start(**props)
        await task.put(batch)
        kept.append([m["key"] for m in task.producer.sent])
    assert kept[0] == kept[1]
    assert 0.27 < len(kept[0]) / len(keys) < 0.33
    m = task.metrics()
    assert m["sampled_out"] + m["written"] == len(keys) and m["filtered_out"] == 0


async def test_raw_key_filter_keeps_what_select_keeps_and_counts_the_rest() -> None:
    props = {"sample.percent": "30", "sample.mode": "hash", "filter.condition": "value.ok == true"}
    keys: list[bytes | None] = [f"user-{i}".encode() for i in range(3000)] + [None]
    batch = [rec({"ok": True}, key=k, offset=i) for i, k in enumerate(keys)]
    whole = await start(**props)
    await whole.put(batch)
    fast = await start(**props)
    keep = fast.raw_key_filter()
    assert keep is not None
    await fast.put([r for r in batch if keep(r.key)])  # what the runtime hands on after the raw filter
    assert fast.producer.sent == whole.producer.sent
    assert fast.metrics() == whole.metrics()
    # nothing to test on the raw key: random or field sampling, or no sampling at all
    for other in (
        {"sample.percent": "30"},
        {"sample.percent": "30", "sample.mode": "hash", "sample.hash.field": "u"},
        {},
    ):
        assert (await start(**other)).raw_key_filter() is None


async def test_hash_sampling_on_field() -> None:
    task = await start(**{"sample.percent": "50", "sample.mode": "hash", "sample.hash.field": "user.id"})
    batch = [rec({"user": {"id": f"u{i % 10}"}, "i": i}, key=None, offset=i) for i in range(100)]
    await task.put(batch)
    ids = {orjson.loads(m["value"])["user"]["id"] for m in task.producer.sent}
    from genesis_connectors.kafka.sampling import Sampler

    assert ids == {f"u{i}" for i in range(10) if Sampler(50, "hash").keep_hash_bytes(f"u{i}".encode())}
    assert len(task.producer.sent) == 10 * len(ids)


async def test_sample_zero_and_random() -> None:
    task = await start(**{"sample.percent": "0"})
    await task.put([rec({"a": 1}, offset=i) for i in range(50)])
    assert task.producer.sent == [] and task.metrics()["sampled_out"] == 50
    task = await start(**{"sample.percent": "50", "sample.mode": "random"})
    await task.put([rec({"a": 1}, offset=i) for i in range(4000)])
    assert 1800 < len(task.producer.sent) < 2200


async def test_bad_value_for_injection_fails_or_goes_to_reporter() -> None:
    task = await start(**{"inject.static.fields": "a=1"})
    with pytest.raises(DataException, match="not an object"):
        await task.put([rec(b"[1,2]")])
    reporter = RecordingReporter()
    task = await start(FakeContext(reporter), **{"inject.static.fields": "a=1"})
    batch = [rec(b"[1,2]", offset=0), rec(b"plain text", offset=1), rec(b'{"ok":1}', offset=2), rec(b"", offset=3),
             rec(b"{", offset=4), rec(b" { } ", offset=5), rec(b'"}"', offset=6)]  # fmt: skip
    await task.put(batch)
    assert [r.kafka_offset for r, _ in reporter.reported] == [0, 1, 3, 4, 6]
    assert values(task) == [{"ok": 1, "a": 1}, {"a": 1}]
    assert task.producer.sent[1]["value"] == b' { "a":1} '
    await task.flush({})


async def test_delivery_failure_blocks_commit_and_fails_next_put() -> None:
    task = await start()
    await task.put([rec({"a": 1})])
    task.producer.fail_with = "out: Broker: Message size too large"
    with pytest.raises(DeliveryFailed, match="Message size too large"):
        await task.pre_commit({})
    with pytest.raises(DeliveryFailed):
        await task.put([rec({"a": 2})])


def test_config_validation_reports_expression_position() -> None:
    results = {cv.name: cv for cv in KafkaSinkConnector().validate({**BASE, "filter.condition": "value.a == "})}
    errs = results["filter.condition"].errors
    assert len(errs) == 1
    assert errs[0] == (
        "Invalid value value.a == for configuration filter.condition: "
        "expected a field, a literal or '(' but found end of input at position 10"
    )
    results = {cv.name: cv for cv in KafkaSinkConnector().validate({"topics": "a"})}
    assert results["target.topic"].errors == [
        'Missing required configuration "target.topic" which has no default value.'
    ]
    results = {cv.name: cv for cv in KafkaSinkConnector().validate({**BASE, "inject.static.fields": "a=1,b"})}
    assert "expected name=value but got 'b'" in results["inject.static.fields"].errors[0]
    results = {cv.name: cv for cv in KafkaSinkConnector().validate({**BASE, "target.topic": "${topik}.x"})}
    assert "unknown placeholder ${topik}" in results["target.topic"].errors[0]
    results = {cv.name: cv for cv in KafkaSinkConnector().validate({**BASE, "sample.percent": "150"})}
    assert results["sample.percent"].errors == [
        "Invalid value 150.0 for configuration sample.percent: Value must be no more than 100"
    ]


async def test_bootstrap_falls_back_to_worker_setting() -> None:
    props = {k: v for k, v in BASE.items() if k != "target.bootstrap.servers"}
    task = recording(KafkaSinkTask)()
    task.initialize(FakeContext())
    with pytest.raises(ConfigException, match=r"target\.bootstrap\.servers"):
        await task.start(props)
    await task.start({**props, "bootstrap.servers": "h:9092"})
    assert task.producer.config["bootstrap.servers"] == "h:9092"


def test_producer_config_defaults_and_overrides() -> None:
    conf = producer_config("b:1", {"linger.ms": "50", "key.serializer": "x", "compression.type": "lz4"}, "cid")
    assert conf["acks"] == "all" and conf["enable.idempotence"] is True and conf["partitioner"] == "murmur2_random"
    assert conf["linger.ms"] == "50" and conf["compression.type"] == "lz4" and "key.serializer" not in conf


def test_connector_plugin_names_and_task_configs() -> None:
    from genesis_worker.plugins.registry import PluginRegistry

    reg = PluginRegistry.discover()
    for name in (
        "com.genesis.connect.kafka.KafkaSinkConnector",
        "genesis_connectors.kafka.sink.KafkaSinkConnector",
        "com.genesis.connect.kafka.ExtFeatureJoinKafkaSinkConnector",
        "com.genesis.connect.kafka.AdLogJoinKafkaSinkConnector",
    ):
        desc = reg.find(name)
        assert desc is not None and desc.kind == "sink", name
    assert reg.find("KafkaSink") is not None and reg.find("KafkaSink").cls is KafkaSinkConnector  # type: ignore[union-attr]
    c = KafkaSinkConnector()
    assert c.class_name() == "com.genesis.connect.kafka.KafkaSinkConnector"


def test_readme_tables_match_config_defs() -> None:
    from genesis_connectors.kafka import make_readme

    text = make_readme.README.read_text()
    assert make_readme.render(text) == text, "run: python -m genesis_connectors.kafka.make_readme"
    for name in ("filter.condition", "lookup.max.entries", "cache.ttl.ms", "target.topic"):
        assert f"`{name}`" in text


async def test_non_ascii_injected_name_never_duplicates_an_escaped_member() -> None:
    task = await start(**{"inject.static.fields": "é=1"})
    await task.put([rec(b'{"\\u00e9": 0, "a": 1}'), rec(b'{"a": 2}')])
    assert [m["value"] for m in task.producer.sent] == [b'{"\xc3\xa9":1,"a":1}', b'{"a":2,"\xc3\xa9":1}']

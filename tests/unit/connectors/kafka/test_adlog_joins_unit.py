"""Join tasks without services: the lookup table's bookkeeping, the feature join with a warm cache, and
the retry/backoff decisions when Redis cannot be reached (a closed local port, no mock)."""

from __future__ import annotations

import socket
from typing import Any

import orjson
import pytest

from genesis_connectors.kafka import AdLogJoinKafkaSinkConnector, ExtFeatureJoinKafkaSinkConnector
from genesis_connectors.kafka.adlog_join import AdLogJoinKafkaSinkTask
from genesis_connectors.kafka.feature_join import ExtFeatureJoinKafkaSinkTask
from genesis_connectors.kafka.fragments import Fragment
from genesis_connectors.kafka.lookup_table import LookupTable
from genesis_worker.api import ConnectException, RetriableException, SinkRecord
from tests.unit.connectors.kafka.adlog_helpers import FakeContext, RecordingReporter, recording


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rec(value: Any, offset: int = 0) -> SinkRecord:
    return SinkRecord("logs", 0, None, b"k", None, orjson.dumps(value), offset, timestamp=1)


def test_lookup_table_updates_tombstones_and_bytes() -> None:
    t = LookupTable("unused:1", "ads", ["campaign", "adv"], max_entries=3)
    t.put_for_test(b"ad1", b'{"campaign":"c1","adv":"a","other":1}')
    t.put_for_test(b"ad2", b'{"campaign":"c2"}')
    assert t.get("ad1").frag == b'"campaign":"c1","adv":"a"'  # only the chosen fields are kept
    bytes_two = t.metrics()["lookup_bytes"]
    t.put_for_test(b"ad1", b'{"campaign":"c1-new-and-longer","adv":"a"}')
    assert t.metrics()["lookup_bytes"] == bytes_two + len("-new-and-longer")
    t.put_for_test(b"ad2", None)
    assert t.get("ad2") is None and len(t) == 1 and t.tombstones == 1
    t.put_for_test(b"bad", b"not json")
    t.put_for_test(None, b"{}")
    assert t.bad_records == 2 and t.error is None
    t.put_for_test(b"ad3", b"{}")
    t.put_for_test(b"ad4", b"{}")
    assert t.error is None and len(t) == 3
    t.put_for_test(b"ad1", b'{"campaign":"x"}')  # an update of an existing key never overflows
    assert t.error is None
    t.put_for_test(b"ad5", b"{}")
    assert t.error is not None and "more than lookup.max.entries=3 keys" in str(t.error)
    assert len(t) == 3


def test_lookup_table_target_field() -> None:
    t = LookupTable("unused:1", "ads", [], target_field="ad")
    t.put_for_test(b"a", b'{"x":1,"y":[2]}')
    assert t.get("a").frag == b'"ad":{"x":1,"y":[2]}'


class _Preloaded(LookupTable):
    def start(self, load_timeout_s: float) -> None:
        self._loaded.set()


async def test_adlog_join_top_level_merge_and_collision() -> None:
    cls = recording(AdLogJoinKafkaSinkTask)

    class Task(cls):  # type: ignore[misc, valid-type]
        def make_table(self, *args: Any) -> LookupTable:
            return _Preloaded(*args)

    task = Task()
    task.initialize(FakeContext())
    await task.start({"name": "j", "topics": "logs", "target.topic": "out", "target.bootstrap.servers": "x:1",
                      "lookup.topic": "ads", "lookup.key.field": "ad.id", "lookup.fields": "campaign,adv",
                      "on.miss": "null", "inject.offset.field": "off"})  # fmt: skip
    task.table.put_for_test(b"7", b'{"campaign":"c7","adv":"a7"}')
    await task.put([rec({"ad": {"id": 7}}, 0), rec({"ad": {"id": "7"}, "campaign": "mine"}, 1), rec({"ad": {}}, 2)])
    assert [m["value"] for m in task.producer.sent] == [
        b'{"ad":{"id":7},"campaign":"c7","adv":"a7","off":0}',
        orjson.dumps({"ad": {"id": "7"}, "campaign": "c7", "adv": "a7", "off": 1}),  # joined field wins
        b'{"ad":{},"campaign":null,"adv":null,"off":2}',
    ]
    assert task.metrics()["lookup_entries"] == 1
    await task.stop()


def feature_props(**extra: str) -> dict[str, str]:
    return {
        "name": "fj",
        "topics": "logs",
        "target.topic": "out",
        "target.bootstrap.servers": "x:1",
        "redis.url": f"redis://127.0.0.1:{closed_port()}/0",
        "redis.timeout.ms": "200",
        "join.key.field": "user_id",
        **extra,
    }


async def test_feature_join_warm_cache_and_fail_mode_with_reporter() -> None:
    reporter = RecordingReporter()
    task = recording(ExtFeatureJoinKafkaSinkTask)()
    task.initialize(FakeContext(reporter))
    await task.start(feature_props(**{"on.miss": "fail"}))
    task.cache.put("u1", Fragment.of({"features": {"seg": "a"}}))
    task.cache.put("u2", task.CACHE_MISS)
    await task.put([rec({"user_id": "u1"}, 0), rec({"user_id": "u2"}, 1), rec({"user_id": "u1", "x": 1}, 2)])
    assert [m["value"] for m in task.producer.sent] == [
        b'{"user_id":"u1","features":{"seg":"a"}}',
        b'{"user_id":"u1","x":1,"features":{"seg":"a"}}',
    ]
    assert [r.kafka_offset for r, _ in reporter.reported] == [1]
    assert "No features for join key 'u2'" in str(reporter.reported[0][1])
    assert task.metrics()["cache_hits"] == 2 and task.metrics()["redis_round_trips"] == 0
    await task.flush({})
    await task.stop()


async def test_redis_unreachable_retries_then_fails() -> None:
    ctx = FakeContext()
    task = recording(ExtFeatureJoinKafkaSinkTask)()
    task.initialize(ctx)
    await task.start(feature_props(**{"errors.retry.timeout": "700", "errors.retry.delay.max.ms": "400"}))
    batch = [rec({"user_id": "u1"})]
    with pytest.raises(RetriableException, match="Feature store unavailable"):
        await task.put(batch)
    assert ctx.timeouts == [300]
    with pytest.raises(RetriableException):
        await task.put(batch)  # waits out the first backoff itself, then fails again
    # 600 ms by the formula, capped by errors.retry.delay.max.ms (400) and by the time left until the deadline
    assert 250 < ctx.timeouts[1] <= 400
    with pytest.raises(ConnectException, match=r"errors\.retry\.timeout=700") as ei:
        for _ in range(10):
            await task.put(batch)
    assert not isinstance(ei.value, RetriableException)
    assert task.producer.sent == []  # nothing of the batch was written
    await task.stop()


async def test_redis_no_retry_by_default() -> None:
    task = recording(ExtFeatureJoinKafkaSinkTask)()
    task.initialize(FakeContext())
    await task.start(feature_props())
    with pytest.raises(ConnectException, match=r"errors\.retry\.timeout=0") as ei:
        await task.put([rec({"user_id": "u1"})])
    assert not isinstance(ei.value, RetriableException)
    await task.stop()


def test_required_join_keys() -> None:
    r = {c.name: c for c in ExtFeatureJoinKafkaSinkConnector().validate({"topics": "a", "target.topic": "b"})}
    assert r["join.key.field"].errors == ['Missing required configuration "join.key.field" which has no default value.']
    r = {c.name: c for c in AdLogJoinKafkaSinkConnector().validate({"topics": "a", "target.topic": "b"})}
    assert r["lookup.topic"].errors and r["lookup.key.field"].errors
    infos = {i["name"]: i for i in ExtFeatureJoinKafkaSinkConnector().config().to_infos()}
    assert infos["join.key.field"]["required"] is True and infos["redis.password"]["type"] == "PASSWORD"

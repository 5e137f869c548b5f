"""AdLogJoinKafkaSinkConnector end to end: compacted lookup topic on the real broker, WorkerSinkTask."""

from __future__ import annotations

import pytest

from genesis_connectors.kafka import AdLogJoinKafkaSinkTask
from tests.integration.connectors.kafka.adlog_harness import (
    RunningTask,
    committed,
    produce,
    values,
    wait_for,
    wait_output,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

COMPACTED = {"cleanup.policy": "compact", "segment.ms": "100", "min.cleanable.dirty.ratio": "0.01"}


def props(name: str, src: str, dst: str, lookup: str, bootstrap: str, **extra: str) -> dict[str, str]:
    return {
        "name": name,
        "connector.class": "com.genesis.connect.kafka.AdLogJoinKafkaSinkConnector",
        "topics": src,
        "target.topic": dst,
        "target.bootstrap.servers": bootstrap,
        "lookup.bootstrap.servers": bootstrap,
        "lookup.topic": lookup,
        "lookup.key.field": "ad_id",
        "lookup.fields": "campaign,advertiser",
        **extra,
    }


def seed_lookup(bootstrap: str, lookup: str) -> None:
    produce(
        bootstrap,
        lookup,
        [
            ("ad1", {"campaign": "c-old", "advertiser": "acme", "secret": "x"}),
            ("ad1", {"campaign": "c1", "advertiser": "acme", "secret": "x"}),  # update wins
            ("ad2", {"campaign": "c2", "advertiser": "globex"}),
            ("ad3", {"campaign": "c3", "advertiser": "initech"}),
            ("ad3", None),  # tombstone before the task starts
            ("42", {"campaign": "c42"}),  # only one of the chosen fields
        ],
    )


LOGS = [
    ("k1", {"ad_id": "ad1", "event": "click"}),
    ("k2", {"ad_id": "ad2", "event": "view"}),
    ("k3", {"ad_id": "ad3", "event": "view"}),  # deleted by the tombstone
    ("k4", {"ad_id": 42, "event": "click"}),  # number key matches "42"
    ("k5", {"event": "click"}),  # no key field
]


@pytest.mark.parametrize("mode", ["pass", "drop", "null", "fail"])
async def test_join_hits_tombstones_and_on_miss(kafka, topic_name, mode) -> None:
    src = kafka.create_topic(topic_name, partitions=1)
    dst = kafka.create_topic(topic_name + ".out", partitions=1)
    lookup = kafka.create_topic(topic_name + ".ads", partitions=2, config=COMPACTED)
    seed_lookup(kafka.bootstrap, lookup)
    produce(kafka.bootstrap, src, LOGS)
    name = f"aj-{mode}-{topic_name}"
    task = AdLogJoinKafkaSinkTask()
    rt = RunningTask(kafka.bootstrap, task, props(name, src, dst, lookup, kafka.bootstrap, **{"on.miss": mode}))
    async with rt:
        if mode == "fail":
            await wait_for(lambda: rt.done, 60, "task failure")
        else:
            msgs = await wait_output(kafka.bootstrap, dst, {"pass": 5, "drop": 3, "null": 5}[mode], settle=1.0)
            m = task.metrics()
    if mode == "fail":
        assert rt.status.last.value == "FAILED"
        assert f"No entry in {lookup} for key 'ad3'" in rt.status.trace
        assert committed(kafka.bootstrap, f"connect-{name}", src, 1)[0] < 0
        return
    hit1 = {"ad_id": "ad1", "event": "click", "campaign": "c1", "advertiser": "acme"}
    hit2 = {"ad_id": "ad2", "event": "view", "campaign": "c2", "advertiser": "globex"}
    hit42 = {"ad_id": 42, "event": "click", "campaign": "c42"}
    expected = {
        "pass": [hit1, hit2, {"ad_id": "ad3", "event": "view"}, hit42, {"event": "click"}],
        "drop": [hit1, hit2, hit42],
        "null": [
            hit1,
            hit2,
            {"ad_id": "ad3", "event": "view", "campaign": None, "advertiser": None},
            hit42,
            {"event": "click", "campaign": None, "advertiser": None},
        ],
    }[mode]
    assert values(msgs) == expected
    # hits are spliced into the original bytes (fields appended, original bytes untouched)
    assert msgs[0].value() == b'{"ad_id":"ad1","event":"click","campaign":"c1","advertiser":"acme"}'
    assert m["lookup_entries"] == 3 and m["lookup_tombstones"] == 1 and m["lookup_loaded"] is True
    assert m["lookup_bytes"] > len(b'"campaign":"c1","advertiser":"acme"') * 3


async def test_follows_updates_and_tombstones_while_running(kafka, topic_name) -> None:
    src = kafka.create_topic(topic_name, partitions=1)
    dst = kafka.create_topic(topic_name + ".out", partitions=1)
    lookup = kafka.create_topic(topic_name + ".ads", partitions=1, config=COMPACTED)
    seed_lookup(kafka.bootstrap, lookup)
    name = "aj-follow-" + topic_name
    p = props(name, src, dst, lookup, kafka.bootstrap, **{"lookup.target.field": "ad", "lookup.fields": ""})
    task = AdLogJoinKafkaSinkTask()
    async with RunningTask(kafka.bootstrap, task, p):
        produce(kafka.bootstrap, src, [("k", {"ad_id": "ad1"}), ("k", {"ad_id": "ad2"})])
        first = values(await wait_output(kafka.bootstrap, dst, 2))
        assert first == [
            {"ad_id": "ad1", "ad": {"campaign": "c1", "advertiser": "acme", "secret": "x"}},
            {"ad_id": "ad2", "ad": {"campaign": "c2", "advertiser": "globex"}},
        ]
        produce(kafka.bootstrap, lookup, [("ad1", None), ("ad2", {"campaign": "c2-new"}), ("ad9", {"campaign": "c9"})])
        await wait_for(lambda: task.table.get("ad9") is not None and task.table.get("ad1") is None, 30, "updates")
        produce(kafka.bootstrap, src, [("k", {"ad_id": "ad1"}), ("k", {"ad_id": "ad2"}), ("k", {"ad_id": "ad9"})])
        got = values(await wait_output(kafka.bootstrap, dst, 5, settle=1.0))
        assert got[2:] == [
            {"ad_id": "ad1"},
            {"ad_id": "ad2", "ad": {"campaign": "c2-new"}},
            {"ad_id": "ad9", "ad": {"campaign": "c9"}},
        ]
        assert task.metrics()["lookup_entries"] == 3  # ad2, 42, ad9


async def test_too_many_entries_fails_clearly(kafka, topic_name) -> None:
    src = kafka.create_topic(topic_name, partitions=1)
    dst = kafka.create_topic(topic_name + ".out", partitions=1)
    lookup = kafka.create_topic(topic_name + ".ads", partitions=1, config=COMPACTED)
    produce(kafka.bootstrap, lookup, [(f"ad{i}", {"campaign": i}) for i in range(20)])
    name = "aj-max-" + topic_name
    rt = RunningTask(kafka.bootstrap, AdLogJoinKafkaSinkTask(),
                     props(name, src, dst, lookup, kafka.bootstrap, **{"lookup.max.entries": "10"}))  # fmt: skip
    async with rt:
        await wait_for(lambda: rt.done, 60, "task failure")
    assert rt.status.last.value == "FAILED"
    assert "more than lookup.max.entries=10 keys" in rt.status.trace


async def test_empty_and_missing_lookup_topic(kafka, topic_name) -> None:
    src = kafka.create_topic(topic_name, partitions=1)
    dst = kafka.create_topic(topic_name + ".out", partitions=1)
    lookup = kafka.create_topic(topic_name + ".ads", partitions=3, config=COMPACTED)
    produce(kafka.bootstrap, src, [("k", {"ad_id": "ad1"})])
    async with RunningTask(kafka.bootstrap, AdLogJoinKafkaSinkTask(),
                           props("aj-empty-" + topic_name, src, dst, lookup, kafka.bootstrap)):  # fmt: skip
        assert values(await wait_output(kafka.bootstrap, dst, 1)) == [{"ad_id": "ad1"}]

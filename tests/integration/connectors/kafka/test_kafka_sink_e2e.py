"""KafkaSinkConnector end to end on the real broker, run by the runtime's WorkerSinkTask."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from genesis_connectors.kafka import KafkaSinkTask
from genesis_connectors.kafka.sampling import Sampler
from tests.integration.connectors.kafka.adlog_harness import (
    RunningTask,
    committed,
    produce,
    values,
    wait_for,
    wait_output,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


def props(name: str, source: str, target: str, bootstrap: str, **extra: str) -> dict[str, str]:
    return {
        "name": name,
        "connector.class": "com.genesis.connect.kafka.KafkaSinkConnector",
        "topics": source,
        "target.topic": target,
        "target.bootstrap.servers": bootstrap,
        **extra,
    }


INPUT = [
    ("u1", {"event": "click", "country": "KR", "price": 2.5}),  # kept
    ("u2", {"event": "click", "country": "US", "price": 1}),  # US
    ("u3", {"event": "click", "price": 3}),  # country missing: != "US" -> kept
    ("u4", {"event": "click", "country": None, "price": 1}),  # null country -> kept
    ("u5", {"event": "click", "country": "KR", "price": None}),  # null price: >= is false
    ("u6", {"event": "click", "country": "KR", "price": "9"}),  # string price: false
    ("u7", {"event": "view", "country": "KR", "price": 5}),  # not a click
    ("u8", b"garbage"),  # not JSON: every field null
    ("u9", {"event": "click", "country": "JP", "price": 1.0, "nested": {"a": [1, {"b": None}]}}),  # kept
    (None, {"event": "click", "country": "KR", "price": 7}),  # null key kept
]


async def test_exact_output_filter_injection_headers(kafka, topic_name) -> None:
    src = kafka.create_topic(topic_name, partitions=1)
    dst = kafka.create_topic(topic_name + ".out", partitions=1)
    produce(kafka.bootstrap, src, INPUT, headers=[("trace", b"t-1"), ("empty", None)])
    p = props(
        "e2e-" + topic_name,
        src,
        "${topic}.out",
        kafka.bootstrap,
        **{
            "filter.condition": 'value.event == "click" and value.price >= 1 and value.country != "US"',
            "inject.topic.field": "src",
            "inject.offset.field": "off",
            "inject.static.fields": "pipeline=kr-clicks,v=2",
        },
    )
    async with RunningTask(kafka.bootstrap, KafkaSinkTask(), p) as rt:
        msgs = await wait_output(kafka.bootstrap, dst, 5, settle=1.0)
        await wait_for(lambda: committed(kafka.bootstrap, f"connect-{p['name']}", src, 1) == {0: len(INPUT)},
                       what="offsets committed")  # fmt: skip
        assert rt.status.last.value == "RUNNING"
    # byte-exact: fields spliced into the original bytes, in order
    assert [m.value() for m in msgs] == [
        orjson.dumps(INPUT[0][1])[:-1] + f',"src":"{src}","off":0,"pipeline":"kr-clicks","v":2}}'.encode(),
        orjson.dumps(INPUT[2][1])[:-1] + f',"src":"{src}","off":2,"pipeline":"kr-clicks","v":2}}'.encode(),
        orjson.dumps(INPUT[3][1])[:-1] + f',"src":"{src}","off":3,"pipeline":"kr-clicks","v":2}}'.encode(),
        orjson.dumps(INPUT[8][1])[:-1] + f',"src":"{src}","off":8,"pipeline":"kr-clicks","v":2}}'.encode(),
        orjson.dumps(INPUT[9][1])[:-1] + f',"src":"{src}","off":9,"pipeline":"kr-clicks","v":2}}'.encode(),
    ]
    assert [m.key() for m in msgs] == [b"u1", b"u3", b"u4", b"u9", None]
    assert all(m.headers() == [("trace", b"t-1"), ("empty", None)] for m in msgs)


async def test_json_converter_values_and_key_injection(kafka, topic_name) -> None:
    src = kafka.create_topic(topic_name, partitions=1)
    dst = kafka.create_topic(topic_name + ".out", partitions=1)
    produce(kafka.bootstrap, src, [("k", {"user": {"id": f"u{i}"}, "i": i}) for i in range(5)])
    p = props("json-" + topic_name, src, dst, kafka.bootstrap, **{"inject.key.field": "user.id",
              "filter.condition": "value.i in [0, 2, 4]", "inject.timestamp.field": "ts"})  # fmt: skip
    async with RunningTask(kafka.bootstrap, KafkaSinkTask(), p, value_converter="json"):
        msgs = await wait_output(kafka.bootstrap, dst, 3, settle=1.0)
    assert [m.key() for m in msgs] == [b"u0", b"u2", b"u4"]
    vals = values(msgs)
    assert [v["i"] for v in vals] == [0, 2, 4]
    # the record timestamp (producer CreateTime) is injected and also kept as the output timestamp
    assert all(v["ts"] == m.timestamp()[1] for v, m in zip(vals, msgs, strict=True))


async def test_hash_sampling_stable_across_tasks_and_restarts(kafka, topic_name) -> None:
    src = kafka.create_topic(topic_name, partitions=4)
    users = [f"user-{i}" for i in range(400)]
    records = [(u, {"user": u, "n": n}) for n in range(3) for u in users]
    produce(kafka.bootstrap, src, records)
    sampler = Sampler(25.0, "hash")
    expected_users = {u for u in users if sampler.keep_hash_bytes(u.encode())}
    expected_count = 3 * len(expected_users)

    async def run(name: str, tasks: int, dst: str, stop_midway: bool = False) -> set[str]:
        kafka.create_topic(dst, partitions=1)
        p = props(name, src, dst, kafka.bootstrap, **{"sample.percent": "25", "sample.mode": "hash"})
        running = [RunningTask(kafka.bootstrap, KafkaSinkTask(), p, task_no=i) for i in range(tasks)]
        for rt in running:
            await rt.__aenter__()
        try:
            if stop_midway:  # a restart while working: stop, start a fresh task in the same group
                await wait_output(kafka.bootstrap, dst, 1)
                await running[0].stop()
                running[0] = RunningTask(kafka.bootstrap, KafkaSinkTask(), p)
                await running[0].__aenter__()
            msgs = await wait_output(kafka.bootstrap, dst, expected_count, limit=60, settle=1.0)
        finally:
            for rt in running:
                await rt.stop()
        got = [m.key().decode() for m in msgs]
        # at-least-once: a restart may repeat records, never lose or add users
        assert len(got) >= expected_count
        return set(got)

    two_tasks = await run("samp2-" + topic_name, 2, topic_name + ".a")
    one_task_restarted = await run("samp1-" + topic_name, 1, topic_name + ".b", stop_midway=True)
    assert two_tasks == expected_users
    assert one_task_restarted == expected_users
    assert 0.18 < len(expected_users) / len(users) < 0.32


async def test_unacknowledged_records_are_not_committed(kafka, topic_name) -> None:
    """Target writes that fail (record larger than the target topic allows) fail the task and leave the
    source offsets uncommitted, so the records are read again after a restart."""
    src = kafka.create_topic(topic_name, partitions=1)
    dst = kafka.create_topic(topic_name + ".out", partitions=1, config={"max.message.bytes": "2000"})
    produce(kafka.bootstrap, src, [("a", {"x": "small"}), ("b", {"x": "y" * 5000})])
    p = props("ack-" + topic_name, src, dst, kafka.bootstrap, **{"target.producer.enable.idempotence": "false"})
    rt = RunningTask(kafka.bootstrap, KafkaSinkTask(), p, flush_interval_ms=300)
    async with rt:
        await wait_for(lambda: rt.done, 60, "task failure")
    assert rt.status.last.value == "FAILED"
    assert "MSG_SIZE_TOO_LARGE" in rt.status.trace or "too large" in rt.status.trace.lower()
    group_offsets = committed(kafka.bootstrap, f"connect-{p['name']}", src, 1)
    assert group_offsets[0] < 2  # never past the record the target refused
    await asyncio.sleep(0)

"""Error handling: retry timing, tolerance none/all, log line and DLQ record contents."""

import asyncio
import itertools
import logging
import time

import pytest

from genesis_worker.api.errors import ConnectException, DataException, RetriableException
from genesis_worker.runtime.errors import (
    SKIPPED,
    DeadLetterQueueReporter,
    LogReporter,
    ProcessingContext,
    RawRecord,
    RetryWithToleranceOperator,
    Stage,
)

RAW = RawRecord("orders", 2, 41, 1700000000000, "CreateTime", b"k", b"{bad json", [("h", b"v")])


class RecordingProducer:
    """Test double of confluent_kafka.Producer that records produce() calls and acks at poll()."""

    def __init__(self):
        self.sent = []
        self._cbs = []

    def produce(self, topic, **kw):
        self.sent.append((topic, kw))
        self._cbs.append(kw["on_delivery"])

    def poll(self, timeout):
        cbs, self._cbs = self._cbs, []
        for cb in cbs:
            cb(None, None)
        return len(cbs)

    def flush(self, timeout=None):
        return self.poll(0)


def _boom():
    raise DataException("Converting byte[] to Kafka Connect data failed due to serialization error")


async def test_tolerance_none_fails_with_connect_message():
    op = RetryWithToleranceOperator("c", 0)
    with pytest.raises(ConnectException, match="Tolerance exceeded in error handler") as ei:
        await op.execute(_boom, Stage.VALUE_CONVERTER, "org.apache.kafka.connect.json.JsonConverter", RAW)
    assert isinstance(ei.value.__cause__, DataException)


async def test_tolerance_all_skips_and_reports(caplog):
    op = RetryWithToleranceOperator("c", 3, tolerate_all=True, reporters=[LogReporter("c", 3, include_messages=True)])
    with caplog.at_level(logging.ERROR):
        assert await op.execute(_boom, Stage.VALUE_CONVERTER, "JsonConverter", RAW) is SKIPPED
    assert op.total_failures == 1 and op.total_skipped == 1
    assert (
        "Error encountered in task c-3. Executing stage 'VALUE_CONVERTER' with class 'JsonConverter', where consumed "
        "record is {topic='orders', partition=2, offset=41, timestamp=1700000000000, timestampType=CreateTime}."
    ) in caplog.text
    ok = await op.execute(lambda: 7, Stage.TRANSFORMATION, "X", RAW)
    assert ok == 7


async def test_retry_delays_follow_connect_backoff():
    op = RetryWithToleranceOperator("c", 0, retry_timeout_ms=1000, max_delay_ms=60000, tolerate_all=True)
    attempts = []

    def flaky():
        attempts.append(time.monotonic())
        raise RetriableException("not yet")

    start = time.monotonic()
    assert await op.execute(flaky, Stage.TRANSFORMATION, "X", RAW) is SKIPPED
    gaps = [b - a for a, b in itertools.pairwise(attempts)]
    # attempts at 0, 300, 900 ms, then a last one at the 1000 ms deadline (the sleep is capped by it)
    assert len(attempts) == 4
    assert 0.28 <= gaps[0] <= 0.45 and 0.55 <= gaps[1] <= 0.8 and gaps[2] <= 0.2
    assert time.monotonic() - start < 1.4
    assert op.delay_ms(1) == 300 and op.delay_ms(3) == 1200
    capped = RetryWithToleranceOperator("c", 0, max_delay_ms=500)
    assert 0 <= capped.delay_ms(3) < 500


async def test_retriable_succeeds_within_timeout():
    op = RetryWithToleranceOperator("c", 0, retry_timeout_ms=5000)
    calls = []

    def second_time_lucky():
        calls.append(1)
        if len(calls) < 2:
            raise RetriableException("transient")
        return "ok"

    assert await op.execute(second_time_lucky, Stage.KEY_CONVERTER, "X", RAW) == "ok"


async def test_dlq_record_carries_original_bytes_and_context_headers():
    producer = RecordingProducer()
    dlq = DeadLetterQueueReporter(producer, "dlq", "my-sink", 1, True, asyncio.get_running_loop())
    try:
        _boom()
    except DataException as e:
        err = e
    fut = dlq.report(
        ProcessingContext("my-sink", 1, Stage.VALUE_CONVERTER, "org.apache.kafka.connect.json.JsonConverter", err, RAW)
    )
    await asyncio.wait_for(fut, 2)
    ((topic, kw),) = producer.sent
    assert topic == "dlq"
    assert kw["key"] == b"k" and kw["value"] == b"{bad json" and kw["timestamp"] == 1700000000000
    assert "partition" not in kw
    headers = kw["headers"]
    assert headers[0] == ("h", b"v")
    ctx = dict(headers[1:])
    assert ctx["__connect.errors.topic"] == b"orders"
    assert ctx["__connect.errors.partition"] == b"2"
    assert ctx["__connect.errors.offset"] == b"41"
    assert ctx["__connect.errors.connector.name"] == b"my-sink"
    assert ctx["__connect.errors.task.id"] == b"1"
    assert ctx["__connect.errors.stage"] == b"VALUE_CONVERTER"
    assert ctx["__connect.errors.class.name"] == b"org.apache.kafka.connect.json.JsonConverter"
    assert ctx["__connect.errors.exception.class.name"] == b"org.apache.kafka.connect.errors.DataException"
    assert ctx["__connect.errors.exception.message"].startswith(b"Converting byte[]")
    assert b"Traceback" in ctx["__connect.errors.exception.stacktrace"]
    assert [k for k, _ in headers[1:]] == [
        "__connect.errors." + n
        for n in (
            "topic",
            "partition",
            "offset",
            "connector.name",
            "task.id",
            "stage",
            "class.name",
            "exception.class.name",
            "exception.message",
            "exception.stacktrace",
        )
    ]

"""The SDK's SinkTask helpers that store sinks share: report_failed (DLQ or skip) and retry_later."""

from __future__ import annotations

import asyncio
import logging

import pytest

from genesis_worker.api import RetriableException, SinkRecord, SinkTask
from genesis_worker.api.task import ErrantRecordReporter, SinkTaskContext


class Reporter(ErrantRecordReporter):
    def __init__(self, fail: bool = False) -> None:
        self.reported: list[tuple[SinkRecord, BaseException]] = []
        self.fail = fail

    def report(self, record: SinkRecord, error: BaseException) -> asyncio.Future[None]:
        self.reported.append((record, error))
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.fail:
            fut.set_exception(RuntimeError("DLQ topic unavailable"))
        else:
            fut.set_result(None)
        return fut


class Context(SinkTaskContext):
    def __init__(self, reporter: ErrantRecordReporter | None) -> None:
        self._reporter = reporter
        self.timeouts: list[int] = []

    @property
    def errant_record_reporter(self) -> ErrantRecordReporter | None:
        return self._reporter

    def timeout(self, timeout_ms: int) -> None:
        self.timeouts.append(timeout_ms)


class Task(SinkTask):
    async def put(self, records: list[SinkRecord]) -> None:
        pass


def task(reporter: ErrantRecordReporter | None) -> Task:
    t = Task()
    t.initialize(Context(reporter))
    return t


async def test_report_failed_goes_to_the_reporter_and_logs_a_failed_report(caplog: pytest.LogCaptureFixture) -> None:
    rec = SinkRecord("t", 1, None, b"k", None, b"v", 7)
    err = ValueError("bad")
    reporter = Reporter(fail=True)
    task(reporter).report_failed(rec, err)
    await asyncio.sleep(0)  # done callbacks run on the next loop turn
    assert reporter.reported == [(rec, err)]
    assert "Reporting a failed record to the dead letter queue failed" in caplog.text


async def test_report_failed_without_reporter_skips_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    task(None).report_failed(SinkRecord("orders", 2, None, None, None, b"v", 41), ValueError("bad"))
    assert "Skipping record orders-2@41" in caplog.text and "no dead letter queue" in caplog.text


def test_retry_later_sets_the_timeout_and_raises_retriable() -> None:
    t = task(None)
    cause = ConnectionError("refused")
    with pytest.raises(RetriableException, match="store is down") as info:
        t.retry_later(250, "store is down", cause)
    assert info.value.__cause__ is cause
    assert t.context.timeouts == [250]  # type: ignore[attr-defined]

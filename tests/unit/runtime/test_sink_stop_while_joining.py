"""A sink task stopped while its consumer's JoinGroup is still pending does not close the consumer mid-join
(issue 14 item 6): the stop returns at once and the consumer is closed once the group assigned it."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from genesis_worker.api import SinkRecord, SinkTask
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import State
from genesis_worker.runtime.converters.bytearray import ByteArrayConverter
from genesis_worker.runtime.converters.header import SimpleHeaderConverter
from genesis_worker.runtime.errors import RetryWithToleranceOperator
from genesis_worker.runtime.sink_task import WorkerSinkTask
from genesis_worker.runtime.transformation_chain import TransformationChain


class _Task(SinkTask):
    def __init__(self) -> None:
        self.opened: list[Any] = []

    async def start(self, props: dict[str, str]) -> None:
        pass

    async def open(self, partitions: Any) -> None:
        self.opened.append(partitions)

    async def put(self, records: list[SinkRecord]) -> None:
        pass


class _Consumer:
    """Its group assigns it nothing until ``join_after`` polls; records when and where it was closed."""

    def __init__(self, join_after: int | None) -> None:
        self.join_after = join_after
        self.polls = 0
        self.on_assign: Any = None
        self.closed_at: float | None = None
        self.closed_in: str | None = None
        self.closed = threading.Event()

    def subscribe(self, topics: list[str], on_assign: Any, on_revoke: Any, on_lost: Any) -> None:
        self.on_assign = on_assign

    def poll(self, timeout: float) -> None:
        self.polls += 1
        if self.join_after is not None and self.polls == self.join_after:
            self.on_assign(self, [])
        time.sleep(min(timeout, 0.01))

    def consume(self, n: int, timeout: float) -> list[Any]:
        return []

    def assign(self, partitions: list[Any]) -> None:
        pass

    def close(self) -> None:
        self.closed_at = time.monotonic()
        self.closed_in = threading.current_thread().name
        self.closed.set()


class _Listener:
    def on_task_state(self, task: ConnectorTaskId, state: State, trace: str | None = None) -> None:
        pass

    def on_topic_active(self, connector: str, topic: str) -> None:
        pass


def _runner(consumer: _Consumer, task: _Task, session_ms: int = 10_000) -> WorkerSinkTask:
    return WorkerSinkTask(
        ConnectorTaskId("s", 0),
        task,
        {"topics": "t"},
        {"session.timeout.ms": session_ms},
        ByteArrayConverter(),
        ByteArrayConverter(),
        SimpleHeaderConverter(),
        TransformationChain(),
        RetryWithToleranceOperator("s", 0),
        _Listener(),
        consumer_factory=lambda conf: consumer,
    )


async def _run_then_stop(runner: WorkerSinkTask) -> float:
    run = asyncio.ensure_future(runner.run())
    await asyncio.sleep(0.1)
    stopped_at = time.monotonic()
    runner.stop()
    await asyncio.wait_for(run, 5)
    return stopped_at


async def test_stop_mid_join_closes_the_consumer_after_the_join_on_its_own_thread() -> None:
    consumer = _Consumer(join_after=None)
    task = _Task()
    runner = _runner(consumer, task)
    await _run_then_stop(runner)
    assert consumer.closed_at is None  # not closed mid-join; the stop did not wait for it either
    polls = consumer.polls
    consumer.join_after = polls + 3  # the coordinator answers the JoinGroup
    assert await asyncio.to_thread(consumer.closed.wait, 5)
    assert consumer.closed_in == "sink-close-s-0"
    assert task.opened == []  # the stopped task is not opened for the late assignment


async def test_stop_mid_join_gives_up_waiting_after_the_session_timeout() -> None:
    consumer = _Consumer(join_after=None)
    runner = _runner(consumer, _Task(), session_ms=300)
    stopped_at = await _run_then_stop(runner)
    assert await asyncio.to_thread(consumer.closed.wait, 5)
    assert consumer.closed_at is not None
    assert 0.2 < consumer.closed_at - stopped_at < 2


async def test_stop_after_the_join_closes_the_consumer_before_the_task_ends() -> None:
    consumer = _Consumer(join_after=1)
    task = _Task()
    runner = _runner(consumer, task)
    await _run_then_stop(runner)
    assert consumer.closed_at is not None and consumer.closed_in != "sink-close-s-0"
    assert task.opened == [[]]

"""Running the ad-log connectors' tasks inside the real runtime's sink loop (WorkerSinkTask: real
consumer group, conversion, put / pre_commit / offset commits) against the real broker, plus helpers
to write input and read output topics."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from confluent_kafka import Consumer, Producer
from confluent_kafka import TopicPartition as KTopicPartition

from genesis_worker.api import SinkTask
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import State
from genesis_worker.runtime.converters import ByteArrayConverter, JsonConverter, SimpleHeaderConverter
from genesis_worker.runtime.errors import RetryWithToleranceOperator
from genesis_worker.runtime.sink_task import WorkerSinkTask
from genesis_worker.runtime.transformation_chain import TransformationChain


class StatusRecorder:
    def __init__(self) -> None:
        self.states: list[tuple[State, str | None]] = []

    def on_task_state(self, task: ConnectorTaskId, state: State, trace: str | None = None) -> None:
        self.states.append((state, trace))

    def on_topic_active(self, connector: str, topic: str) -> None:
        pass

    @property
    def last(self) -> State | None:
        return self.states[-1][0] if self.states else None

    @property
    def trace(self) -> str:
        return "\n".join(t for s, t in self.states if t)


class RunningTask:
    """One connector task in a WorkerSinkTask, as the worker would run it."""

    def __init__(
        self,
        bootstrap: str,
        task: SinkTask,
        props: dict[str, str],
        task_no: int = 0,
        value_converter: str = "bytes",
        flush_interval_ms: int = 500,
    ) -> None:
        name = props["name"]
        self.status = StatusRecorder()
        if value_converter == "json":
            vc: Any = JsonConverter()
            vc.configure({"schemas.enable": "false"}, False)
        else:
            vc = ByteArrayConverter()
            vc.configure({}, False)
        kc = ByteArrayConverter()
        kc.configure({}, True)
        hc = SimpleHeaderConverter()
        hc.configure({})
        self.task = task
        self.worker_task = WorkerSinkTask(
            ConnectorTaskId(name, task_no),
            task,
            {**props, "task.class": f"{type(task).__module__}.{type(task).__qualname__}"},
            {
                "bootstrap.servers": bootstrap,
                "group.id": f"connect-{name}",
                "client.id": f"connector-consumer-{name}-{task_no}",
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
                "session.timeout.ms": 10000,
                "heartbeat.interval.ms": 500,
            },
            kc,
            vc,
            hc,
            TransformationChain([]),
            RetryWithToleranceOperator(name, task_no),
            self.status,
            offset_flush_interval_ms=flush_interval_ms,
        )
        self._runner: asyncio.Task[None] | None = None

    async def __aenter__(self) -> RunningTask:
        self._runner = asyncio.create_task(self.worker_task.run())
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    async def stop(self) -> None:
        if self._runner is not None:
            self.worker_task.stop()
            await asyncio.wait_for(self._runner, 60)
            self._runner = None

    @property
    def done(self) -> bool:
        return self._runner is not None and self._runner.done()


def produce(
    bootstrap: str, topic: str, records: Iterable[tuple[Any, Any]], headers: Any = None, partition: int | None = None
) -> None:
    """Write (key, value) pairs; dict values are JSON-encoded, str keys UTF-8."""
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5, "partitioner": "murmur2_random"})
    for key, value in records:
        v = orjson.dumps(value) if isinstance(value, dict | list) else value
        k = key.encode() if isinstance(key, str) else key
        kw: dict[str, Any] = {}
        if headers:
            kw["headers"] = headers
        if partition is not None:
            kw["partition"] = partition
        p.produce(topic, v, k, **kw)
    assert p.flush(30) == 0


def read_all(bootstrap: str, topic: str, expected: int, timeout: float = 30.0, settle: float = 0.0) -> list[Any]:
    """Read the topic from the beginning until ``expected`` records arrived (then ``settle`` seconds
    more, to catch extra records); messages in partition+offset order per partition."""
    c = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"reader-{uuid.uuid4().hex}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    c.subscribe([topic])
    out: list[Any] = []
    deadline = time.monotonic() + timeout
    extra_until: float | None = None
    try:
        while time.monotonic() < deadline:
            for m in c.consume(500, 0.2):
                if m.error() is None:
                    out.append(m)
            if len(out) >= expected:
                if extra_until is None:
                    extra_until = time.monotonic() + settle
                if time.monotonic() >= extra_until:
                    break
    finally:
        c.close()
    return out


def values(msgs: list[Any]) -> list[Any]:
    return [None if m.value() is None else orjson.loads(m.value()) for m in msgs]


def committed(bootstrap: str, group: str, topic: str, partitions: int) -> dict[int, int]:
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        tps = c.committed([KTopicPartition(topic, p) for p in range(partitions)], timeout=10)
        return {tp.partition: tp.offset for tp in tps}
    finally:
        c.close()


async def wait_for(cond: Callable[[], bool], limit: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + limit
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def wait_output(bootstrap: str, topic: str, expected: int, limit: float = 30.0, settle: float = 0.0) -> list[Any]:
    return await asyncio.to_thread(read_all, bootstrap, topic, expected, limit, settle)

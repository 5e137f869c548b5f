"""Helpers for driving the ad-log sink tasks without a broker.

``RecordingProducer`` is a test double (named as such) for the librdkafka producer: it records what the
task queued and can be told to fail deliveries. Everything else in these tests is the real code.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from genesis_connectors.kafka.producer import DeliveryFailed
from genesis_worker.api import ErrantRecordReporter, SinkRecord, SinkTaskContext, TopicPartition


class RecordingProducer:
    """Test double of :class:`genesis_connectors.kafka.producer.TargetProducer`."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.sent: list[dict[str, Any]] = []
        self.fail_with: str | None = None
        self.failed = 0
        self.flushes = 0

    def produce(self, topic: str, value: bytes | None, key: bytes | None, *, timestamp: int = 0, headers: Any = None):
        self.sent.append({"topic": topic, "value": value, "key": key, "timestamp": timestamp, "headers": headers})

    async def send(self, topic, value, key, headers, timestamp) -> None:
        self.produce(topic, value, key, timestamp=timestamp, headers=headers)

    def poll(self) -> None:
        pass

    def raise_if_failed(self) -> None:
        if self.fail_with is not None:
            raise DeliveryFailed(f"Failed to write records to the target cluster: {self.fail_with}")

    async def flush(self, stop: threading.Event | None = None, slice_s: float = 1.0) -> None:
        self.flushes += 1
        self.raise_if_failed()

    def in_flight(self) -> int:
        return 0

    def close(self, timeout: float = 5.0) -> None:
        pass


class RecordingReporter(ErrantRecordReporter):
    def __init__(self) -> None:
        self.reported: list[tuple[SinkRecord, BaseException]] = []

    def report(self, record: SinkRecord, error: BaseException) -> asyncio.Future[None]:
        self.reported.append((record, error))
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        fut.set_result(None)
        return fut


class FakeContext(SinkTaskContext):
    """A SinkTaskContext that records timeout requests (no runtime behind it)."""

    def __init__(self, reporter: ErrantRecordReporter | None = None) -> None:
        self.timeouts: list[int] = []
        self._reporter = reporter

    def timeout(self, timeout_ms: int) -> None:
        self.timeouts.append(timeout_ms)

    def configs(self) -> dict[str, str]:
        return {}

    def assignment(self) -> set[TopicPartition]:
        return set()

    def request_commit(self) -> None:
        pass

    @property
    def errant_record_reporter(self) -> ErrantRecordReporter | None:
        return self._reporter


def recording(task_cls: type) -> type:
    """A subclass of ``task_cls`` whose target producer is a :class:`RecordingProducer`."""

    class Recording(task_cls):  # type: ignore[misc, valid-type]
        def make_producer(self, conf: dict[str, Any]) -> Any:
            return RecordingProducer(conf)

    Recording.__name__ = f"Recording{task_cls.__name__}"
    return Recording

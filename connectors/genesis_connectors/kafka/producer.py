"""The producer a sink task writes the target topic with (confluent-kafka / librdkafka).

``produce`` only queues (non-blocking; when librdkafka's queue is full it serves delivery reports in a
worker thread until there is room); :meth:`TargetProducer.flush` waits, in an executor, until every
queued record was acknowledged and raises once any delivery failed, so
a sink task that calls it from ``flush``/``pre_commit`` never lets Connect commit source offsets past a
record the target has not acknowledged (at-least-once).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Mapping
from typing import Any, cast

from confluent_kafka import KafkaError, Message, Producer

from genesis_worker.api.errors import ConnectException

log = logging.getLogger(__name__)

# Java client settings with no librdkafka meaning (or a different one): never passed on.
_JAVA_ONLY = frozenset(
    {
        "key.serializer",
        "value.serializer",
        "max.block.ms",
        "buffer.memory",
        "interceptor.classes",
        "metric.reporters",
    }
)

PRODUCER_DEFAULTS: dict[str, Any] = {
    "acks": "all",
    "enable.idempotence": True,
    "linger.ms": 5,
    # Java's default partitioner, so keyed records land where a Java producer would put them
    "partitioner": "murmur2_random",
    "compression.type": "none",
}


def producer_config(bootstrap: str, overrides: Mapping[str, Any], client_id: str) -> dict[str, Any]:
    """Defaults, then ``target.producer.*`` overrides (librdkafka names; Java-only keys are dropped)."""
    conf: dict[str, Any] = {"bootstrap.servers": bootstrap, "client.id": client_id, **PRODUCER_DEFAULTS}
    for k, v in overrides.items():
        if k in _JAVA_ONLY:
            log.info("Ignoring target.producer.%s (no librdkafka equivalent)", k)
            continue
        conf[k] = v
    conf["bootstrap.servers"] = bootstrap
    return conf


class DeliveryFailed(ConnectException):
    """The target cluster did not acknowledge some records."""


class TargetProducer:
    """A librdkafka producer with delivery-error tracking (only failed deliveries are reported)."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        conf = dict(config)
        conf["delivery.report.only.error"] = True
        conf["on_delivery"] = self._on_delivery
        conf.setdefault("error_cb", self._on_error)
        self._errors: list[str] = []
        self._lock = threading.Lock()
        self.produced = 0
        self.failed = 0
        self._producer = Producer(conf)
        self.produce = self._producer.produce  # the hot path calls it directly; see :meth:`send`

    def _on_delivery(self, err: KafkaError | None, msg: Message) -> None:
        if err is None:
            return
        with self._lock:
            self.failed += 1
            if len(self._errors) < 10:
                self._errors.append(f"{msg.topic()}: {err.str()}")

    def _on_error(self, err: KafkaError) -> None:
        if err.fatal():
            with self._lock:
                self._errors.append(f"fatal producer error: {err.str()}")
        else:
            log.debug("target producer: %s", err.str())

    @property
    def failure(self) -> str | None:
        """The first delivery errors so far (a failed producer stays failed), or None."""
        with self._lock:
            return "; ".join(self._errors) if self._errors else None

    def raise_if_failed(self) -> None:
        f = self.failure
        if f is not None:
            raise DeliveryFailed(f"Failed to write records to the target cluster: {f}")

    def poll(self) -> None:
        """Serve delivery reports without blocking."""
        self._producer.poll(0)

    async def send(
        self,
        topic: str,
        value: bytes | None,
        key: bytes | None,
        headers: list[tuple[str, bytes | None]] | None,
        timestamp: int,
    ) -> None:
        """Queue one record, waiting (in a thread) while librdkafka's queue is full."""
        while True:
            try:
                if headers:
                    self._producer.produce(topic, value, key, timestamp=timestamp, headers=cast(Any, headers))
                else:
                    self._producer.produce(topic, value, key, timestamp=timestamp)
                return
            except BufferError:
                await asyncio.to_thread(self._producer.poll, 0.05)

    async def flush(self, stop: threading.Event | None = None, slice_s: float = 1.0) -> None:
        """Wait until nothing is in flight; raise :class:`DeliveryFailed` if any record failed."""
        loop = asyncio.get_running_loop()
        while True:
            remaining = await loop.run_in_executor(None, self._producer.flush, slice_s)
            if remaining == 0:
                break
            if stop is not None and stop.is_set():
                raise DeliveryFailed(f"Stopped with {remaining} records not yet acknowledged by the target")
        self.raise_if_failed()

    def in_flight(self) -> int:
        return len(self._producer)

    def close(self, timeout: float = 5.0) -> None:
        """Flush briefly and drop the rest (the source offsets of dropped records were not committed)."""
        try:
            left = self._producer.flush(timeout)
            if left:
                log.warning("Closing the target producer with %d unacknowledged records", left)
        except Exception as e:  # pragma: no cover - close must not raise
            log.warning("Error closing the target producer: %s", e)

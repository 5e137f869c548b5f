"""WorkerSourceTask: ``poll`` a SourceTask, transform, convert, produce; commit source offsets of
acknowledged records.

Produce calls are non-blocking librdkafka queue inserts made from the loop thread, and delivery
reports are served on the loop thread too with non-blocking ``poll(0)`` calls (after each batch and
from a small pump while sends are outstanding), so callbacks never race the loop and no thread fights
it for the GIL. Offsets are tracked per source partition in submission order and written to the offset
store every ``offset.flush.interval.ms`` and at stop, then ``task.commit()`` is called.

What a task holds in flight is bounded (``genesis.source.max.inflight.records`` / ``.bytes``): every
record from its send until its offset is committed (its offset map stays in memory until then, and its
serialized bytes in the producer until it is acknowledged). At the bound the task stops calling
``poll()``; acknowledged records' offsets are committed early when that brings it back under (more
often than ``offset.flush.interval.ms``, never for a record not acknowledged), else it waits for acks.

The producer queue is bounded too, in records and bytes (librdkafka's ``queue.buffering.max.messages`` /
``.kbytes``; unless the worker or connector sets them, or Java's ``buffer.memory``, 20,000 records and 32 MiB,
Java's ``buffer.memory`` default, instead of librdkafka's 1 GiB). While it is full the task serves delivery
reports and does not call ``poll()``: a fast source waits for the broker instead of filling the heap.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from confluent_kafka import KafkaException, Producer

from genesis_worker.api.errors import ConnectException, RetriableException
from genesis_worker.api.records import RecordMetadata, SourceRecord
from genesis_worker.api.task import SourceTask, SourceTaskContext
from genesis_worker.api.transform import Converter, HeaderConverter
from genesis_worker.metrics.task_metrics import TaskMetrics
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import State, TargetState
from genesis_worker.runtime.errors import SKIPPED, ProcessingContext, RetryWithToleranceOperator, Stage
from genesis_worker.runtime.source_offsets import (
    HELD_RECORD_OVERHEAD_BYTES,
    OffsetKeys,
    StoreOffsetReader,
    SubmittedRecords,
)
from genesis_worker.runtime.task_base import TaskStatusListener, WorkerTask
from genesis_worker.runtime.topic_creation import TopicCreator
from genesis_worker.runtime.transformation_chain import TransformationChain
from genesis_worker.storage.base import OffsetBackingStore
from genesis_worker.storage.offset_keys import offset_value, validate_offset_map

log = logging.getLogger(__name__)

ProducerFactory = Callable[[dict[str, Any]], Any]
DEFAULT_PRODUCER_QUEUE_RECORDS = 20_000
DEFAULT_PRODUCER_QUEUE_KBYTES = 32 * 1024  # Java's buffer.memory default, 32 MiB
MAX_INFLIGHT_RECORDS_CONFIG = "genesis.source.max.inflight.records"
MAX_INFLIGHT_BYTES_CONFIG = "genesis.source.max.inflight.bytes"
DEFAULT_MAX_INFLIGHT_RECORDS = 100_000
DEFAULT_MAX_INFLIGHT_BYTES = 64 * 1024 * 1024


class WorkerSourceTaskContext(SourceTaskContext):
    def __init__(self, task_config: dict[str, str], reader: StoreOffsetReader) -> None:
        self._configs = task_config
        self._reader = reader

    def configs(self) -> dict[str, str]:
        return dict(self._configs)

    @property
    def offset_storage_reader(self) -> StoreOffsetReader:
        return self._reader


class WorkerSourceTask(WorkerTask):
    """Runs one :class:`SourceTask`; ``producer_config`` is the translated librdkafka config."""

    def __init__(
        self,
        task_id: ConnectorTaskId,
        task: SourceTask,
        task_config: dict[str, str],
        producer_config: dict[str, Any],
        key_converter: Converter,
        value_converter: Converter,
        header_converter: HeaderConverter,
        transformation_chain: TransformationChain,
        error_operator: RetryWithToleranceOperator,
        listener: TaskStatusListener,
        offset_store: OffsetBackingStore,
        target_state: TargetState = TargetState.STARTED,
        *,
        offset_flush_interval_ms: int = 60000,
        offset_flush_timeout_ms: int = 5000,
        producer_factory: ProducerFactory = Producer,
        topic_creator: TopicCreator | None = None,
        max_inflight_records: int = DEFAULT_MAX_INFLIGHT_RECORDS,
        max_inflight_bytes: int = DEFAULT_MAX_INFLIGHT_BYTES,
    ) -> None:
        super().__init__(task_id, listener, target_state)
        self.topic_creator = topic_creator
        self.task = task
        self.task_config = task_config
        self.producer_config = bounded_producer_config(producer_config)
        self.max_queued = int(self.producer_config["queue.buffering.max.messages"])
        self.key_converter = key_converter
        self.value_converter = value_converter
        self.header_converter = header_converter
        self.chain = transformation_chain
        self.operator = error_operator
        self.offset_store = offset_store
        self.offset_keys = OffsetKeys(task_id.connector, offset_store)
        self._store_started = False
        self.context = WorkerSourceTaskContext(task_config, StoreOffsetReader(self.offset_keys))
        self.flush_interval_s = offset_flush_interval_ms / 1000
        self.flush_timeout_s = offset_flush_timeout_ms / 1000
        self.producer_factory = producer_factory
        self.producer: Any = None
        self.submitted = SubmittedRecords()
        self.max_inflight_records = max(1, max_inflight_records)
        self.max_inflight_bytes = max(1, max_inflight_bytes)
        self.early_commits = 0  # offset commits made before the flush interval to get back under the bound
        self.uncommitted: dict[Any, tuple[Any, Any]] = {}
        self.active_topics: set[str] = set()
        self.loop: asyncio.AbstractEventLoop | None = None
        self._acks: deque[tuple[Any, Any, Any, Any]] = deque()
        self._pump: asyncio.Task[None] | None = None
        self._last_partition: Any = object()
        self._flush_lock = asyncio.Lock()
        self._stop_called = False
        self._stop_task: asyncio.Task[None] | None = None
        self.send_error: BaseException | None = None
        self.metrics = TaskMetrics(
            task_id.connector,
            task_id.task,
            "source",
            error_reader=error_operator.counts,
            active_reader=lambda: self._outstanding,
        )
        self._outstanding = 0
        self._drained = asyncio.Event()
        self._wants_commit_record = type(task).commit_record is not SourceTask.commit_record

    # --- producer plumbing -------------------------------------------------------------------------

    async def _ack_pump(self) -> None:
        """Serve delivery reports while sends are outstanding (non-blocking polls on the loop)."""
        producer = self.producer
        while True:
            if self._outstanding:
                producer.poll(0)
                if self._acks:
                    self._drain_acks()
                await asyncio.sleep(0.002)
            else:
                await asyncio.sleep(0.02)

    def _drain_acks(self) -> None:
        acks = self._acks
        while acks:
            err, msg, record, sub = acks.popleft()
            self._outstanding -= 1
            if err is not None:
                self._on_send_failure(err, record, sub)
                continue
            self.submitted.ack(sub)
            self.metrics.records_written += 1
            topic = msg.topic()
            if topic not in self.active_topics:
                self.active_topics.add(topic)
                try:
                    self.listener.on_topic_active(self.id.connector, topic)
                except Exception as e:
                    log.warning("Recording active topic failed: %s", e)
            if self._wants_commit_record:
                meta = RecordMetadata(topic, msg.partition(), msg.offset(), msg.timestamp()[1])
                self._schedule(self.task.commit_record(record, meta))
        if self._outstanding == 0:
            self._drained.set()

    def _schedule(self, coro: Any) -> None:
        t = asyncio.ensure_future(coro)
        t.add_done_callback(_log_failure)

    def _on_send_failure(self, err: Any, record: SourceRecord, sub: Any) -> None:
        if self.operator.tolerate_all:
            log.error("%s failed to send record to %s: %s (tolerated)", self, record.topic, err)
            self.submitted.ack(sub)
            self.operator.total_failures += 1
            self.operator.total_skipped += 1
            ctx = ProcessingContext(
                self.id.connector,
                self.id.task,
                Stage.KAFKA_PRODUCE,
                "org.apache.kafka.clients.producer.KafkaProducer",
                KafkaException(err),
                None,
                record,
            )
            for r in self.operator.reporters:
                if type(r).__name__ == "LogReporter":
                    r.report(ctx)
            return
        if self.send_error is None:
            self.send_error = ConnectException(f"Unrecoverable exception from producer send callback: {err}")

    # --- lifecycle ---------------------------------------------------------------------------------

    def stop(self) -> None:
        super().stop()
        if not self._stop_called and self.loop is not None:
            self._stop_called = True
            # Java calls SourceTask.stop() from the stopping thread to unblock poll().
            self._stop_task = self.loop.create_task(self._stop_task_safely())

    async def _stop_task_safely(self) -> None:
        try:
            await self.task.stop()
        except Exception as e:
            log.error("%s Task threw an uncaught exception while stopping: %s", self, e)

    async def execute(self) -> None:
        self.loop = asyncio.get_running_loop()
        flusher: asyncio.Task[None] | None = None
        try:
            self.producer = self.producer_factory(self.producer_config)
            self._pump = asyncio.create_task(self._ack_pump())
            await self.offset_store.start()  # a connector's own offsets topic (KIP-618); the worker's is started
            self._store_started = True
            await self.offset_keys.load()
            self.task.initialize(self.context)
            await self.task.start(dict(self.task_config))
            self.report(State.PAUSED if self.target_state is TargetState.PAUSED else State.RUNNING)
            flusher = asyncio.create_task(self._periodic_flush())
            await self._loop()
        finally:
            if flusher is not None:
                flusher.cancel()
            await self._shutdown()

    async def _shutdown(self) -> None:
        if not self._stop_called:
            self._stop_called = True
            await self._stop_task_safely()
        elif self._stop_task is not None:
            await asyncio.gather(self._stop_task, return_exceptions=True)
        if self.producer is not None and not self.cancelled:
            await self._await_outstanding(self.flush_timeout_s)
            try:
                await self.commit_offsets()
            except Exception as e:
                log.error("%s final offset commit failed: %s", self, e)
        if self._pump is not None:
            self._pump.cancel()
            await asyncio.gather(self._pump, return_exceptions=True)
        if self.producer is not None:
            producer, self.producer = self.producer, None
            await asyncio.get_running_loop().run_in_executor(None, producer.flush, 1.0)
        if self._store_started:
            try:
                await self.offset_store.stop()
            except Exception as e:
                log.error("%s failed to stop its offset store: %s", self, e)
        await self.operator.close()
        self.chain.close()

    async def _await_outstanding(self, wait_s: float) -> None:
        if self._outstanding == 0:
            return
        self._drained.clear()
        try:
            await asyncio.wait_for(self._drained.wait(), wait_s)
        except TimeoutError:
            log.warning("%s %d records not acknowledged within %.1fs", self, self._outstanding, wait_s)

    async def _periodic_flush(self) -> None:
        while True:
            await asyncio.sleep(self.flush_interval_s)
            try:
                await self.commit_offsets()
            except Exception as e:
                log.error("%s offset commit failed: %s", self, e)

    # --- main loop ---------------------------------------------------------------------------------

    async def _loop(self) -> None:
        while not self.stopping.is_set():
            if self.send_error is not None:
                raise self.send_error
            if self.target_state is TargetState.PAUSED:
                self.report(State.PAUSED)
                await self.resumed.wait()
                continue
            if self._reported is State.PAUSED:
                self.report(State.RUNNING)
            if not self._fits(0):
                await self._make_room(0)
                continue
            poll_started = time.monotonic()
            try:
                records = await self.task.poll()
                if records is not None:
                    self.metrics.record_batch(len(records), time.monotonic() - poll_started)
            except RetriableException as e:
                log.warning("%s failed to poll records from SourceTask. Will retry operation. %s", self, e)
                continue
            if self.stopping.is_set() and not records:
                break
            if records:
                await self._send(records)
                # a task that always has records (a ready file) and a send that never waited would
                # otherwise hold the event loop: REST requests, status writes and offset flushes
                await asyncio.sleep(0)

    async def _send(self, records: list[SourceRecord]) -> None:
        while self._outstanding >= self.max_queued:
            # backpressure: unacknowledged records are live Python objects (and GC work); let acks catch up
            self.producer.poll(0)
            if self._acks:
                self._drain_acks()
            else:
                await asyncio.sleep(0.001)
        chain = self.chain.apply if self.chain else None
        for record in records:
            try:
                rec = chain(record) if chain is not None else record
                if rec is None:
                    self.metrics.records_skipped += 1
                    if self._wants_commit_record:
                        self._schedule(self.task.commit_record(record, None))
                    continue
                topic, key, value, headers = self._convert(rec)
            except Exception:
                converted = await self._convert_slow(record)
                if converted is None:
                    self.metrics.records_skipped += 1
                    if self._wants_commit_record:
                        self._schedule(self.task.commit_record(record, None))
                    continue
                rec, (topic, key, value, headers) = converted
            if self.topic_creator is not None and topic not in self.topic_creator.known:
                await self.topic_creator.ensure(topic)
            if record.source_partition is not self._last_partition:
                validate_offset_map("Partition", record.source_partition)
                self._last_partition = record.source_partition
            validate_offset_map("Offset", record.source_offset)
            size = _serialized_size(key, value, headers)
            if not self._fits(size):
                await self._make_room(size)
            sub = self.submitted.submit(record.source_partition, record.source_offset, size)
            while not self._produce_nowait(topic, key, value, headers, rec, record, sub):
                self.producer.poll(0)  # queue full: serve delivery reports, let the network catch up
                if self._acks:
                    self._drain_acks()
                await asyncio.sleep(0.002)
        self.metrics.records_read += len(records)
        self.producer.poll(0)
        if self._acks:
            self._drain_acks()

    def _fits(self, size: int) -> bool:
        """Whether one more record of ``size`` bytes stays within the in-flight bounds (a task holding
        nothing may always send one, however large)."""
        sub = self.submitted
        if sub.held_count == 0:
            return True
        return (
            sub.held_count < self.max_inflight_records
            and sub.held_bytes + HELD_RECORD_OVERHEAD_BYTES + size <= self.max_inflight_bytes
        )

    async def _make_room(self, size: int) -> None:
        """Wait, without polling the task, until a record of ``size`` bytes fits: serve delivery reports,
        and commit the acknowledged records' offsets early once that alone brings the task back under."""
        sub = self.submitted
        while not self._fits(size):
            if self.send_error is not None:
                raise self.send_error
            self.producer.poll(0)
            if self._acks:
                self._drain_acks()
                continue
            after = sub.bytes_after_commit() + HELD_RECORD_OVERHEAD_BYTES + size
            if sub.held_count > sub.pending_count and (
                sub.pending_count == 0
                or (sub.pending_count < self.max_inflight_records and after <= self.max_inflight_bytes)
            ):
                self.early_commits += 1
                await self.commit_offsets()
                continue
            await asyncio.sleep(0.002)

    def _convert(
        self, rec: SourceRecord
    ) -> tuple[str, bytes | None, bytes | None, list[tuple[str, bytes | None]] | None]:
        topic = rec.topic
        headers = rec.headers if rec.headers else None
        key = self.key_converter.from_connect_data(topic, rec.key_schema, rec.key, headers)
        value = self.value_converter.from_connect_data(topic, rec.value_schema, rec.value, headers)
        raw_headers = None
        if headers is not None:
            hconv = self.header_converter.from_connect_header
            raw_headers = [(h.key, hconv(topic, h.key, h.schema, h.value)) for h in headers]
        return topic, key, value, raw_headers

    async def _convert_slow(self, record: SourceRecord) -> tuple[SourceRecord, Any] | None:
        op = self.operator
        rec: Any = record
        for stage in self.chain.stages:
            current = rec
            rec = await op.execute(
                functools.partial(stage.apply, current), Stage.TRANSFORMATION, stage.class_name, source_record=record
            )
            if rec is SKIPPED or rec is None:
                return None
        topic = rec.topic
        headers = rec.headers if rec.headers else None
        raw_headers = None
        if headers is not None:
            hconv = self.header_converter.from_connect_header
            rh = await op.execute(
                lambda: [(h.key, hconv(topic, h.key, h.schema, h.value)) for h in headers],
                Stage.HEADER_CONVERTER,
                type(self.header_converter).class_name(),
                source_record=record,
            )
            if rh is SKIPPED:
                return None
            raw_headers = rh
        key = await op.execute(
            lambda: self.key_converter.from_connect_data(topic, rec.key_schema, rec.key, headers),
            Stage.KEY_CONVERTER,
            type(self.key_converter).class_name(),
            source_record=record,
        )
        if key is SKIPPED:
            return None
        value = await op.execute(
            lambda: self.value_converter.from_connect_data(topic, rec.value_schema, rec.value, headers),
            Stage.VALUE_CONVERTER,
            type(self.value_converter).class_name(),
            source_record=record,
        )
        if value is SKIPPED:
            return None
        return rec, (topic, key, value, raw_headers)

    def _produce_nowait(
        self, topic: str, key: Any, value: Any, headers: Any, rec: SourceRecord, original: SourceRecord, sub: Any
    ) -> bool:
        """Queue one record in librdkafka; False when its queue is full (retry after a short sleep)."""
        acks = self._acks

        def on_delivery(err: Any, msg: Any) -> None:
            acks.append((err, msg, original, sub))

        try:
            self.producer.produce(
                topic,
                value,
                key,
                -1 if rec.kafka_partition is None else rec.kafka_partition,
                on_delivery,
                timestamp=rec.timestamp or 0,
                headers=headers,
            )
        except BufferError:
            return False
        except KafkaException as e:
            if e.args and getattr(e.args[0], "retriable", lambda: False)():
                return False
            raise ConnectException(f"Unrecoverable exception trying to send: {e}") from e
        self._outstanding += 1
        return True

    # --- offsets ------------------------------------------------------------------------------------

    async def commit_offsets(self) -> bool:
        """Write committable offsets (kept for the next attempt on failure), then ``task.commit()``."""
        async with self._flush_lock:
            for pk, po in self.submitted.committable().items():
                self.uncommitted[pk] = po
            ok = True
            if self.uncommitted:
                batch = dict(self.uncommitted)
                values = {
                    await self.offset_keys.key_for(partition): offset_value(offset)
                    for partition, offset in batch.values()
                }
                commit_started = time.monotonic()
                try:
                    await asyncio.wait_for(self.offset_store.set(values), self.flush_timeout_s)
                except Exception as e:
                    ok = False
                    self.metrics.record_commit(time.monotonic() - commit_started, False)
                    log.error("%s Failed to commit offsets: %s", self, e)
                else:
                    self.metrics.record_commit(time.monotonic() - commit_started, True)
                    for pk, po in batch.items():
                        if self.uncommitted.get(pk) is po:
                            del self.uncommitted[pk]
            try:
                await self.task.commit()
            except Exception as e:
                log.error("%s Exception thrown while calling task.commit(): %s", self, e)
            return ok


def bounded_producer_config(conf: dict[str, Any]) -> dict[str, Any]:
    """``conf`` with the producer queue bounded in records and bytes unless it already is (see the module doc)."""
    out = dict(conf)
    out.setdefault("queue.buffering.max.messages", DEFAULT_PRODUCER_QUEUE_RECORDS)
    out.setdefault("queue.buffering.max.kbytes", DEFAULT_PRODUCER_QUEUE_KBYTES)
    return out


def _serialized_size(key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes | None]] | None) -> int:
    size = (len(key) if key else 0) + (len(value) if value else 0)
    if headers:
        for name, hv in headers:
            size += len(name) + (len(hv) if hv else 0)
    return size


def _log_failure(t: asyncio.Future[Any]) -> None:
    if not t.cancelled() and t.exception() is not None:
        log.error("SourceTask.commit_record failed: %s", t.exception())

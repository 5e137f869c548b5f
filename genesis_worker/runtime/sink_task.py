"""WorkerSinkTask: consume from Kafka, convert, transform, ``put`` into a SinkTask, commit offsets.

One confluent-kafka ``Consumer`` per task (group ``connect-<connector>``, auto-commit off), driven
from a dedicated one-thread executor so blocking librdkafka calls never run on the event loop. Each
iteration is one executor hop that returns a whole batch (``consumer.max.poll.records``). Records are
built in a tight synchronous loop; the error-handling machinery only runs for a record that raised.
Offsets are committed only after ``pre_commit``/``flush`` succeeded (at-least-once), every
``offset.flush.interval.ms``, on request, on partition revocation and on stop.

Rebalance callbacks run inside ``consume`` on the consumer thread; they hand ``open``/``close``/
``pre_commit`` to the event loop (``run_coroutine_threadsafe``) and commit from the consumer thread.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException
from confluent_kafka import TopicPartition as KTopicPartition

from genesis_worker.api.data import Schema
from genesis_worker.api.errors import ConnectException, RetriableException
from genesis_worker.api.records import Headers, SinkRecord, TimestampType, TopicPartition
from genesis_worker.api.task import ErrantRecordReporter, SinkTask, SinkTaskContext
from genesis_worker.api.transform import Converter, HeaderConverter
from genesis_worker.consume import consume_available
from genesis_worker.herder.base import ConnectorTaskId, State, TargetState
from genesis_worker.metrics.task_metrics import TaskMetrics
from genesis_worker.runtime.errors import (
    SKIPPED,
    RawRecord,
    RetryWithToleranceOperator,
    Stage,
    WorkerErrantRecordReporter,
)
from genesis_worker.runtime.task_base import TaskStatusListener, WorkerTask
from genesis_worker.runtime.transformation_chain import TransformationChain

log = logging.getLogger(__name__)

_TS_TYPES = (TimestampType.NO_TIMESTAMP_TYPE, TimestampType.CREATE_TIME, TimestampType.LOG_APPEND_TIME)
_EOF = KafkaError._PARTITION_EOF
DEFAULT_MAX_POLL_RECORDS = 500
MAX_POLL_WAIT_S = 0.5

ConsumerFactory = Callable[[dict[str, Any]], Any]


_BYTES_PASSTHROUGH = frozenset({"org.apache.kafka.connect.converters.ByteArrayConverter"})


def _is_bytes_passthrough(converter: Any) -> bool:
    """ByteArrayConverter's ``to_connect_data`` is (OPTIONAL_BYTES, raw): the hot loop inlines it."""
    try:
        return type(converter).class_name() in _BYTES_PASSTHROUGH
    except Exception:
        return False


class WorkerSinkTaskContext(SinkTaskContext):
    """``SinkTaskContext`` backed by a running :class:`WorkerSinkTask`."""

    def __init__(self, worker_task: WorkerSinkTask, task_config: dict[str, str]) -> None:
        self._wt = worker_task
        self._configs = task_config

    def configs(self) -> dict[str, str]:
        return dict(self._configs)

    def offset(self, offsets: Mapping[TopicPartition, int]) -> None:
        self._wt.rewinds.update({TopicPartition(tp[0], tp[1]): int(o) for tp, o in offsets.items()})

    def timeout(self, timeout_ms: int) -> None:
        self._wt.context_timeout_ms = int(timeout_ms)

    def assignment(self) -> set[TopicPartition]:
        return set(self._wt.assigned)

    def pause(self, *partitions: TopicPartition) -> None:
        for tp in partitions:
            if tp not in self._wt.assigned:
                raise IllegalStateError(
                    f"SinkTasks may not pause partitions that are not currently assigned to them: {tp}"
                )
        self._wt.task_paused.update(partitions)
        self._wt.pause_changes = True

    def resume(self, *partitions: TopicPartition) -> None:
        for tp in partitions:
            if tp not in self._wt.assigned:
                raise IllegalStateError(
                    f"SinkTasks may not resume partitions that are not currently assigned to them: {tp}"
                )
        self._wt.task_paused.difference_update(partitions)
        self._wt.pause_changes = True

    def request_commit(self) -> None:
        self._wt.commit_requested = True

    @property
    def errant_record_reporter(self) -> ErrantRecordReporter | None:
        return self._wt.errant_reporter


class IllegalStateError(ConnectException):
    pass


class WorkerSinkTask(WorkerTask):
    """Runs one :class:`SinkTask`.

    ``consumer_config`` is the librdkafka configuration (already translated, with ``group.id``,
    ``client.id``, ``enable.auto.commit=false`` set by the worker); ``topics`` / ``topics_regex`` come
    from the task config.
    """

    def __init__(
        self,
        task_id: ConnectorTaskId,
        task: SinkTask,
        task_config: dict[str, str],
        consumer_config: dict[str, Any],
        key_converter: Converter,
        value_converter: Converter,
        header_converter: HeaderConverter,
        transformation_chain: TransformationChain,
        error_operator: RetryWithToleranceOperator,
        listener: TaskStatusListener,
        target_state: TargetState = TargetState.STARTED,
        *,
        max_poll_records: int = DEFAULT_MAX_POLL_RECORDS,
        offset_flush_interval_ms: int = 60000,
        errant_reporter_enabled: bool = False,
        consumer_factory: ConsumerFactory = Consumer,
    ) -> None:
        super().__init__(task_id, listener, target_state)
        self.task = task
        self.task_config = task_config
        self.consumer_config = consumer_config
        self.key_converter = key_converter
        self.value_converter = value_converter
        self.header_converter = header_converter
        self.chain = transformation_chain
        self.operator = error_operator
        self.max_poll_records = max_poll_records
        self.offset_flush_interval_s = offset_flush_interval_ms / 1000
        self.consumer_factory = consumer_factory
        self.consumer: Any = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"sink-{task_id}")
        self.loop: asyncio.AbstractEventLoop | None = None
        # state shared with the context and rebalance callbacks
        self.assigned: set[TopicPartition] = set()
        self.current_offsets: dict[TopicPartition, int] = {}
        self.batch_offsets: dict[TopicPartition, int] = {}
        self.pending: list[SinkRecord] | None = None
        self._loop_lock = asyncio.Lock()
        self._last_consumer_error: tuple[Any, str] | None = None
        self.last_committed: dict[TopicPartition, int] = {}
        self.rewinds: dict[TopicPartition, int] = {}
        self.task_paused: set[TopicPartition] = set()
        self.pause_changes = False
        self.paused_for_redelivery = False
        self.commit_requested = False
        self.context_timeout_ms: int | None = None
        self.messages_since_commit = 0
        self.active_topics: set[str] = set()
        self.committing = False
        self.task_stopped = False
        self._key_bytes = _is_bytes_passthrough(key_converter)
        self._value_bytes = _is_bytes_passthrough(value_converter)
        self._raw_key_filter: Callable[[bytes | None], bool] | None = None
        self.cooperative = "cooperative" in str(consumer_config.get("partition.assignment.strategy", ""))
        self.last_batch: list[Any] = []
        self.errant_reporter: WorkerErrantRecordReporter | None = (
            WorkerErrantRecordReporter(error_operator, self._original_of) if errant_reporter_enabled else None
        )
        self.context = WorkerSinkTaskContext(self, task_config)
        self.metrics = TaskMetrics(
            task_id.connector, task_id.task, "sink", lag_reader=self.lag, error_reader=error_operator.counts
        )

    # --- consumer-thread helpers -------------------------------------------------------------------

    async def _in_consumer_thread(self, fn: Callable[..., Any], *args: Any) -> Any:
        assert self.loop is not None
        return await self.loop.run_in_executor(self.executor, fn, *args)

    def _run_on_loop(self, coro: Any) -> Any:
        """From the consumer thread (inside a rebalance callback): run ``coro`` on the loop and wait;
        it waits for the main loop to finish its current ``put`` (never concurrent with it)."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(self._locked(coro), self.loop).result()

    async def _locked(self, coro: Any) -> Any:
        async with self._loop_lock:
            return await coro

    def _on_assign(self, consumer: Any, partitions: list[KTopicPartition]) -> None:
        tps = [TopicPartition(p.topic, p.partition) for p in partitions]
        try:
            self.assigned.update(tps)
            if not self.task_stopped:
                self._run_on_loop(self.task.open(tps))
            for p in partitions:
                rewind = self.rewinds.pop(TopicPartition(p.topic, p.partition), None)
                if rewind is not None:
                    p.offset = rewind
            if self.cooperative:
                consumer.incremental_assign(partitions)
            else:
                consumer.assign(partitions)
            to_pause = [
                KTopicPartition(tp.topic, tp.partition)
                for tp in tps
                if tp in self.task_paused or self.target_state is TargetState.PAUSED or self.paused_for_redelivery
            ]
            if to_pause:
                consumer.pause(to_pause)
        except BaseException as e:
            self.failed = self.failed or e
            log.error("%s rebalance (assign) callback failed", self, exc_info=e)

    def _on_revoke(self, consumer: Any, partitions: list[KTopicPartition]) -> None:
        tps = [TopicPartition(p.topic, p.partition) for p in partitions]
        try:
            if not self.task_stopped and self.failed is None:
                offsets = self._run_on_loop(self._pre_commit(set(tps), closing=True))
                if offsets:
                    self._commit_sync_in_thread(consumer, offsets)
        except BaseException as e:
            self.failed = self.failed or e
            log.error("%s rebalance (revoke) callback failed", self, exc_info=e)
        finally:
            self._forget(tps)
            for tp in tps:
                self.task_paused.discard(tp)
            if self.cooperative:
                consumer.incremental_unassign(partitions)
            else:
                consumer.unassign()

    def _on_lost(self, consumer: Any, partitions: list[KTopicPartition]) -> None:
        tps = [TopicPartition(p.topic, p.partition) for p in partitions]
        try:
            if not self.task_stopped:
                self._run_on_loop(self.task.close(tps))
        finally:
            self._forget(tps)

    def _forget(self, tps: list[TopicPartition]) -> None:
        gone = set(tps)
        for tp in tps:
            self.assigned.discard(tp)
            self.current_offsets.pop(tp, None)
            self.last_committed.pop(tp, None)
            self.batch_offsets.pop(tp, None)
        if self.pending:
            self.pending = [r for r in self.pending if r.original_topic_partition not in gone]

    def _commit_sync_in_thread(self, consumer: Any, offsets: dict[TopicPartition, int]) -> None:
        consumer.commit(
            offsets=[KTopicPartition(tp.topic, tp.partition, o) for tp, o in offsets.items()], asynchronous=False
        )
        self.last_committed.update(offsets)

    # --- lifecycle ---------------------------------------------------------------------------------

    def lag(self) -> dict[tuple[str, int], int]:
        """Records between the last committed offset and the end of each assigned partition (the cached high
        watermark, so reading it costs no broker round trip)."""
        consumer = self.consumer
        if consumer is None:
            return {}
        out: dict[tuple[str, int], int] = {}
        for tp in list(self.assigned):
            committed = self.last_committed.get(tp)
            if committed is None:
                continue
            _low, high = consumer.get_watermark_offsets(KTopicPartition(tp.topic, tp.partition), cached=True)
            if high is not None and high >= 0:
                out[(tp.topic, tp.partition)] = max(high - committed, 0)
        return out

    def _create_consumer(self) -> Any:
        consumer = self.consumer_factory(self.consumer_config)
        topics_regex = self.task_config.get("topics.regex", "").strip()
        if topics_regex:
            subscription = ["^" + topics_regex]
        else:
            subscription = [t.strip() for t in self.task_config.get("topics", "").split(",") if t.strip()]
        if not subscription:
            raise ConnectException("Sink tasks require a list of topics or a topics.regex")
        consumer.subscribe(subscription, on_assign=self._on_assign, on_revoke=self._on_revoke, on_lost=self._on_lost)
        return consumer

    async def execute(self) -> None:
        self.loop = asyncio.get_running_loop()
        try:
            self.task.initialize(self.context)
            await self.task.start(dict(self.task_config))
            if self._key_bytes and not self.chain:
                self._raw_key_filter = self.task.raw_key_filter()
            self.consumer = await self._in_consumer_thread(self._create_consumer)
            self.report(State.PAUSED if self.target_state is TargetState.PAUSED else State.RUNNING)
            await self._loop()
        finally:
            await self._shutdown()

    async def _shutdown(self) -> None:
        try:
            if self.consumer is not None and self.failed is None and not self.cancelled:
                try:
                    offsets = await self._pre_commit(set(self.assigned), closing=True)
                    if offsets:
                        await self._in_consumer_thread(self._commit_sync_in_thread, self.consumer, offsets)
                except Exception as e:
                    log.error("%s Final offset commit failed: %s", self, e)
            if not self.task_stopped:
                self.task_stopped = True
                try:
                    await self.task.stop()
                except Exception as e:
                    log.error("%s Task threw an uncaught exception while stopping: %s", self, e)
            if self.errant_reporter is not None:
                await self.errant_reporter.await_partitions()
            await self.operator.close()
            self.chain.close()
        finally:
            if self.consumer is not None:
                consumer, self.consumer = self.consumer, None
                await self._in_consumer_thread(self._close_consumer, consumer)
            self.executor.shutdown(wait=False)

    @staticmethod
    def _close_consumer(consumer: Any) -> None:
        try:
            consumer.close()
        except Exception as e:
            log.warning("Closing consumer failed: %s", e)

    def on_target_state(self) -> None:
        self.pause_changes = True
        if self.target_state is TargetState.PAUSED:
            self.commit_requested = True

    # --- main loop ----------------------------------------------------------------------------------

    async def _loop(self) -> None:
        next_commit = time.monotonic() + self.offset_flush_interval_s
        while not self.stopping.is_set():
            if self.failed is not None:
                raise self.failed
            now = time.monotonic()
            if not self.committing and (self.commit_requested or now >= next_commit):
                self.commit_requested = False
                await self._commit(set(self.assigned), closing=False)
                next_commit = time.monotonic() + self.offset_flush_interval_s
            if self.pause_changes:
                self.pause_changes = False
                await self._in_consumer_thread(self._apply_pauses)
            if self.rewinds:
                await self._in_consumer_thread(self._apply_rewinds)
            timeout = max(0.0, min(next_commit - time.monotonic(), MAX_POLL_WAIT_S))
            if self.context_timeout_ms is not None:
                timeout = min(timeout, self.context_timeout_ms / 1000)
                self.context_timeout_ms = None
            if self.target_state is TargetState.PAUSED:
                self.report(State.PAUSED)
            elif self._reported is State.PAUSED:
                self.report(State.RUNNING)
            msgs = await self._in_consumer_thread(consume_available, self.consumer, self.max_poll_records, timeout)
            if self.failed is not None:
                raise self.failed
            retriable = False
            async with self._loop_lock:
                if self.pending is None:
                    self.batch_offsets = {}
                    self.pending = await self._convert(msgs) if msgs else []
                    self.metrics.records_read += len(msgs)
                    self.metrics.records_skipped += len(msgs) - len(self.pending)
                    msgs = []
                pending = self.pending
                if self.target_state is TargetState.PAUSED and not pending:
                    self.pending = None
                    continue
                try:
                    await self.task.put(pending)
                except RetriableException as e:
                    log.error("%s RetriableException from SinkTask: %s; will redeliver the same batch", self, e)
                    retriable = True
                except Exception as e:
                    log.error(
                        "%s Task threw an uncaught and unrecoverable exception. Exiting WorkerSinkTask due to "
                        "unrecoverable exception.",
                        self,
                    )
                    raise ConnectException("Exiting WorkerSinkTask due to unrecoverable exception.") from e
                if not retriable:
                    self.metrics.records_written += len(pending)
                    if pending:
                        self.metrics.last_record_ms = int(time.time() * 1000)
                    self.current_offsets.update(self.batch_offsets)
                    self.batch_offsets = {}
                    self.pending = None
            # consumer calls only outside the lock (rebalance callbacks wait for it on the consumer thread)
            if msgs:
                # partitions are paused for redelivery; anything consumed here was fetched before the
                # pause took effect and will be fetched again after resume (positions are rewound).
                await self._in_consumer_thread(self._rewind_to_first, msgs)
            if retriable and not self.paused_for_redelivery:
                self.paused_for_redelivery = True
                await self._in_consumer_thread(self._apply_pauses)
            elif not retriable and self.paused_for_redelivery:
                self.paused_for_redelivery = False
                await self._in_consumer_thread(self._apply_pauses)

    def _rewind_to_first(self, msgs: list[Any]) -> None:
        first: dict[tuple[str, int], int] = {}
        for m in msgs:
            if m.error() is None:
                first.setdefault((m.topic(), m.partition()), m.offset())
        for (t, p), o in first.items():
            try:
                self.consumer.seek(KTopicPartition(t, p, o))
            except KafkaException as e:
                log.warning("%s seek to %s-%s@%s failed: %s", self, t, p, o, e)

    def _apply_pauses(self) -> None:
        everything = self.target_state is TargetState.PAUSED or self.paused_for_redelivery
        pause = [
            KTopicPartition(tp.topic, tp.partition) for tp in self.assigned if everything or tp in self.task_paused
        ]
        resume = [
            KTopicPartition(tp.topic, tp.partition)
            for tp in self.assigned
            if not everything and tp not in self.task_paused
        ]
        if pause:
            self.consumer.pause(pause)
        if resume:
            self.consumer.resume(resume)

    def _apply_rewinds(self) -> None:
        rewinds, self.rewinds = self.rewinds, {}
        for tp, offset in rewinds.items():
            if tp not in self.assigned:
                continue
            try:
                self.consumer.seek(KTopicPartition(tp.topic, tp.partition, offset))
            except KafkaException as e:
                log.warning("%s cannot rewind %s to %s yet (%s); retrying", self, tp, offset, e)
                self.rewinds[tp] = offset
                continue
            self.current_offsets[tp] = offset
            self.last_committed[tp] = offset

    # --- conversion ---------------------------------------------------------------------------------

    async def _convert(self, msgs: list[Any]) -> list[SinkRecord]:
        self.last_batch = msgs
        out: list[SinkRecord] = []
        start = 0
        n = len(msgs)
        while start < n:
            failed_at = self._convert_fast(msgs, start, out)
            if failed_at < 0:
                break
            record = await self._convert_slow(msgs[failed_at])
            if record is not None:
                out.append(record)
            start = failed_at + 1
        return out

    def _convert_fast(self, msgs: list[Any], start: int, out: list[SinkRecord]) -> int:
        """Convert ``msgs[start:]`` into ``out``; return the index of a message that raised, or -1.

        The hot loop of the runtime: no coroutine calls, SinkRecords built field by field, converters
        that are pure pass-through (ByteArrayConverter) not called at all, headers decoded lazily."""
        kconv = None if self._key_bytes else self.key_converter.to_connect_data
        vconv = None if self._value_bytes else self.value_converter.to_connect_data
        bytes_schema: Schema | None = Schema.OPTIONAL_BYTES_SCHEMA
        hdec = self.header_converter.decode
        from_raw = Headers.from_raw
        chain = self.chain.apply if self.chain else None
        keep_key = self._raw_key_filter
        offsets = self.batch_offsets
        topics = self.active_topics
        append = out.append
        ts_types = _TS_TYPES
        new = object.__new__
        record_cls = SinkRecord
        i = start
        n = len(msgs)
        last_topic: str | None = None
        last_partition = -1
        tp_obj: TopicPartition | None = None
        next_offset = -1  # offsets[tp_obj] once this run of same-partition messages ends (one dict write per run)
        try:
            while i < n:
                m = msgs[i]
                if m.error() is not None:
                    err = m.error()
                    if err.code() != _EOF:
                        if err.fatal():
                            raise KafkaException(err)
                        self._consumer_error(err)  # transient (e.g. topic not created yet): keep polling
                    i += 1
                    continue
                topic = m.topic()
                partition = m.partition()
                offset = m.offset()
                if partition != last_partition or topic != last_topic:
                    if next_offset >= 0:
                        offsets[tp_obj] = next_offset  # type: ignore[index]
                        next_offset = -1
                    last_topic, last_partition = topic, partition
                    tp_obj = TopicPartition(topic, partition)
                    if topic not in topics:
                        self._topic_active(topic)
                if keep_key is not None and not keep_key(m.key()):
                    next_offset = offset + 1  # consumed: its offset commits like a delivered record's
                    i += 1
                    continue
                raw_headers = m.headers()
                headers = from_raw(raw_headers, hdec, topic) if raw_headers else Headers()
                if kconv is None:
                    key_schema, key = bytes_schema, m.key()
                else:
                    sv = kconv(topic, m.key(), headers)
                    key_schema, key = sv.schema, sv.value
                if vconv is None:
                    value_schema, value = bytes_schema, m.value()
                else:
                    sv = vconv(topic, m.value(), headers)
                    value_schema, value = sv.schema, sv.value
                ts_type, ts = m.timestamp()
                rec = new(record_cls)
                rec.topic = rec.original_topic = topic
                rec.kafka_partition = rec.original_kafka_partition = partition
                rec.kafka_offset = rec.original_kafka_offset = offset
                rec.key_schema = key_schema
                rec.key = key
                rec.value_schema = value_schema
                rec.value = value
                rec.timestamp = ts if ts_type else None
                rec.timestamp_type = ts_types[ts_type]
                rec.headers = headers
                if chain is not None:
                    rec = chain(rec)
                next_offset = offset + 1
                if rec is not None:
                    append(rec)
                i += 1
        except KafkaException:
            raise
        except Exception:
            return i
        finally:
            if next_offset >= 0:
                offsets[tp_obj] = next_offset  # type: ignore[index]
        return -1

    def _consumer_error(self, err: Any) -> None:
        key = (err.code(), err.str())
        if key != self._last_consumer_error:
            self._last_consumer_error = key
            log.warning("%s consumer error (will keep polling): %s", self, err.str())

    def _topic_active(self, topic: str) -> None:
        self.active_topics.add(topic)
        try:
            self.listener.on_topic_active(self.id.connector, topic)
        except Exception as e:
            log.warning("Recording active topic %s failed: %s", topic, e)

    async def _convert_slow(self, m: Any) -> SinkRecord | None:
        """Re-run one failed record stage by stage under the retry/tolerance operator."""
        raw = RawRecord.from_message(m)
        topic = raw.topic
        tp = TopicPartition(topic, raw.partition)
        self.batch_offsets[tp] = raw.offset + 1
        op = self.operator
        headers = None
        if raw.headers:
            hdec = self.header_converter.decode
            hname = type(self.header_converter).class_name()

            def decode_headers() -> Headers:
                assert raw.headers is not None
                return Headers([hdec(topic, k, v) for k, v in raw.headers])

            h = await op.execute(decode_headers, Stage.HEADER_CONVERTER, hname, raw)
            if h is SKIPPED:
                return None
            headers = h
        k = await op.execute(
            lambda: self.key_converter.to_connect_data(topic, raw.key, headers),
            Stage.KEY_CONVERTER,
            type(self.key_converter).class_name(),
            raw,
        )
        if k is SKIPPED:
            return None
        v = await op.execute(
            lambda: self.value_converter.to_connect_data(topic, raw.value, headers),
            Stage.VALUE_CONVERTER,
            type(self.value_converter).class_name(),
            raw,
        )
        if v is SKIPPED:
            return None
        ts_type, ts = m.timestamp()
        rec: Any = SinkRecord(
            topic,
            raw.partition,
            k.schema,
            k.value,
            v.schema,
            v.value,
            raw.offset,
            ts if ts_type else None,
            _TS_TYPES[ts_type],
            headers,
        )
        if topic not in self.active_topics:
            self._topic_active(topic)
        for stage in self.chain.stages:
            current = rec
            rec = await op.execute(functools.partial(stage.apply, current), Stage.TRANSFORMATION, stage.class_name, raw)
            if rec is SKIPPED or rec is None:
                return None
        return rec  # type: ignore[no-any-return,unused-ignore]

    def _original_of(self, record: SinkRecord) -> RawRecord | None:
        key = (record.original_topic, record.original_kafka_partition, record.original_kafka_offset)
        for m in self.last_batch:
            if m.error() is None and (m.topic(), m.partition(), m.offset()) == key:
                return RawRecord.from_message(m)
        # not in the current batch: re-serialise (as Java does for records it did not consume itself)
        try:
            kb = self.key_converter.from_connect_data(record.topic, record.key_schema, record.key)
            vb = self.value_converter.from_connect_data(record.topic, record.value_schema, record.value)
        except Exception:
            kb = vb = None
        return RawRecord(
            record.original_topic,
            record.original_kafka_partition,
            record.original_kafka_offset,
            record.timestamp if record.timestamp is not None else -1,
            record.timestamp_type.value,
            kb,
            vb,
            None,
        )

    # --- commits ------------------------------------------------------------------------------------

    async def _pre_commit(self, partitions: set[TopicPartition], closing: bool) -> dict[TopicPartition, int]:
        """Steps 1-5 of the commit: ask the task, close if closing, return what to commit."""
        current = {tp: o for tp, o in self.current_offsets.items() if tp in partitions}
        if self.errant_reporter is not None:
            await self.errant_reporter.await_partitions({(tp.topic, tp.partition) for tp in partitions})
        task_offsets: dict[TopicPartition, int] | None = None
        error: BaseException | None = None
        try:
            task_offsets = await self.task.pre_commit(dict(current)) if current or closing else {}
        except Exception as e:
            error = e
            log.error("%s Offset commit failed, rewinding to last committed offsets", self, exc_info=e)
        if closing and partitions and not self.task_stopped:
            await self.task.close(list(partitions))
        if error is not None:
            if not closing:
                for tp in current:
                    committed = self.last_committed.get(tp)
                    if committed is not None:
                        self.rewinds[tp] = committed
                        self.current_offsets[tp] = committed
            self.metrics.offset_commit_failures += 1
            return {}
        if not task_offsets:
            return {}
        to_commit: dict[TopicPartition, int] = {}
        for tp, offset in task_offsets.items():
            tp = TopicPartition(tp[0], tp[1])
            if tp not in partitions:
                log.debug("%s Ignoring offset for unassigned partition %s", self, tp)
                continue
            consumed = self.current_offsets.get(tp)
            if consumed is None or offset > consumed:
                log.warning("%s Ignoring invalid task provided offset %s/%s -- not yet consumed", self, tp, offset)
                continue
            if self.last_committed.get(tp) != offset:
                to_commit[tp] = offset
        return to_commit

    async def _commit(self, partitions: set[TopicPartition], closing: bool) -> None:
        self.committing = True
        try:
            offsets = await self._pre_commit(partitions, closing)
            if offsets:
                try:
                    await self._in_consumer_thread(self._commit_sync_in_thread, self.consumer, offsets)
                    self.metrics.offset_commits += 1
                except KafkaException as e:
                    self.metrics.offset_commit_failures += 1
                    log.error("%s Commit of offsets threw an unexpected exception: %s", self, e)
        finally:
            self.committing = False

"""WorkerSinkTask: consume from Kafka, convert, transform, ``put`` into a SinkTask, commit offsets.

One confluent-kafka ``Consumer`` per task (group ``connect-<connector>``, auto-commit off), driven
from a dedicated one-thread executor so blocking librdkafka calls never run on the event loop. Each
iteration is one executor hop that returns a whole batch (``consumer.max.poll.records``). Records are
built in a tight synchronous loop; the error-handling machinery only runs for a record that raised.
Offsets are committed only after ``pre_commit``/``flush`` succeeded (at-least-once), every
``offset.flush.interval.ms``, on request, on partition revocation and on stop.

Rebalance callbacks run inside ``consume`` on the consumer thread; they hand ``open``/``close``/
``pre_commit`` to the event loop (``run_coroutine_threadsafe``) and commit from the consumer thread.
Record conversion is in :mod:`genesis_worker.runtime.sink_convert`.

The records a task holds in flight are bounded (``genesis.sink.max.inflight.records``): once that many
records were handed to ``put`` and not committed, the task commits early (``pre_commit``/``flush``, so a
connector that buffers writes them out) before it consumes more. A connector that still keeps them after a
flush (its ``pre_commit`` holds offsets back) is not waited for: the next early commit comes one bound later.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from confluent_kafka import Consumer, KafkaException
from confluent_kafka import TopicPartition as KTopicPartition

from genesis_worker.api.errors import ConnectException, RetriableException
from genesis_worker.api.records import SinkRecord, TopicPartition
from genesis_worker.api.task import ErrantRecordReporter, SinkTask, SinkTaskContext
from genesis_worker.api.transform import Converter, HeaderConverter
from genesis_worker.consume import consume_available
from genesis_worker.metrics.task_metrics import TaskMetrics
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import State, TargetState
from genesis_worker.runtime.errors import (
    RetryWithToleranceOperator,
    WorkerErrantRecordReporter,
)
from genesis_worker.runtime.sink_convert import SinkRecordConversion, inline_decoder, is_bytes_passthrough
from genesis_worker.runtime.task_base import TaskStatusListener, WorkerTask
from genesis_worker.runtime.transformation_chain import TransformationChain

log = logging.getLogger(__name__)

DEFAULT_MAX_POLL_RECORDS = 500
MAX_INFLIGHT_RECORDS_CONFIG = "genesis.sink.max.inflight.records"
DEFAULT_MAX_INFLIGHT_RECORDS = 100_000
MAX_POLL_WAIT_S = 0.5

ConsumerFactory = Callable[[dict[str, Any]], Any]


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


class WorkerSinkTask(SinkRecordConversion, WorkerTask):
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
        max_inflight_records: int = DEFAULT_MAX_INFLIGHT_RECORDS,
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
        self.max_inflight_records = max(1, max_inflight_records)
        self.early_commit_at = self.max_inflight_records  # records put and not committed that force a commit
        self.early_commits = 0
        self.first_offsets: dict[TopicPartition, int] = {}
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
        self._key_bytes = is_bytes_passthrough(key_converter)
        self._value_bytes = is_bytes_passthrough(value_converter)
        self._key_decoder = inline_decoder(key_converter)
        self._value_decoder = inline_decoder(value_converter)
        self._raw_key_filter: Callable[[bytes | None], bool] | None = None
        self.cooperative = "cooperative" in str(consumer_config.get("partition.assignment.strategy", ""))
        self.last_batch: list[Any] = []
        self.errant_reporter: WorkerErrantRecordReporter | None = (
            WorkerErrantRecordReporter(error_operator, self._original_of) if errant_reporter_enabled else None
        )
        self.context = WorkerSinkTaskContext(self, task_config)
        self.metrics = TaskMetrics(
            task_id.connector,
            task_id.task,
            "sink",
            lag_reader=self.lag,
            error_reader=error_operator.counts,
            partition_reader=lambda: len(self.assigned),
            active_reader=self._active_records,
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
            self.first_offsets.pop(tp, None)
            self.batch_offsets.pop(tp, None)
        if self.pending:
            self.pending = [r for r in self.pending if r.original_topic_partition not in gone]

    def _commit_sync_in_thread(self, consumer: Any, offsets: dict[TopicPartition, int]) -> None:
        consumer.commit(
            offsets=[KTopicPartition(tp.topic, tp.partition, o) for tp, o in offsets.items()], asynchronous=False
        )
        self.last_committed.update(offsets)

    # --- lifecycle ---------------------------------------------------------------------------------

    def _active_records(self) -> int:
        """Records consumed but not yet committed (Java's ``sink-record-active-count``)."""
        return self._put_not_committed() + len(self.pending or ())

    def _put_not_committed(self) -> int:
        last, first = self.last_committed, self.first_offsets
        return sum(max(o - last.get(tp, first.get(tp, o)), 0) for tp, o in self.current_offsets.items())

    def _note_first_offsets(self, msgs: list[Any]) -> None:
        """The first offset consumed of each partition not committed yet: what the bound counts from (only
        scans a batch while an assigned partition has neither)."""
        if len(self.first_offsets) + len(self.last_committed) >= len(self.assigned):
            return
        for m in msgs:
            if m.error() is None:
                tp = TopicPartition(m.topic(), m.partition())
                if tp not in self.last_committed:
                    self.first_offsets.setdefault(tp, m.offset())

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
                self.early_commit_at = self._put_not_committed() + self.max_inflight_records
            elif not self.committing and self._put_not_committed() >= self.early_commit_at:
                self.early_commits += 1
                await self._commit(set(self.assigned), closing=False)
                next_commit = time.monotonic() + self.offset_flush_interval_s
                # records the connector kept after its flush are not waited for: the next one a bound later
                self.early_commit_at = self._put_not_committed() + self.max_inflight_records
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
                    self._note_first_offsets(msgs)
                    self.pending = await self._convert(msgs) if msgs else []
                    self.metrics.records_read += len(msgs)
                    self.metrics.records_skipped += len(msgs) - len(self.pending)
                    msgs = []
                pending = self.pending
                if self.target_state is TargetState.PAUSED and not pending:
                    self.pending = None
                    continue
                put_started = time.monotonic()
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
                    self.metrics.record_batch(len(pending), time.monotonic() - put_started)
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
            self.metrics.record_commit(0.0, False)
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
                commit_started = time.monotonic()
                try:
                    await self._in_consumer_thread(self._commit_sync_in_thread, self.consumer, offsets)
                    self.metrics.record_commit(time.monotonic() - commit_started, True)
                except KafkaException as e:
                    self.metrics.record_commit(time.monotonic() - commit_started, False)
                    log.error("%s Commit of offsets threw an unexpected exception: %s", self, e)
        finally:
            self.committing = False

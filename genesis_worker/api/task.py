"""Task classes: the units that move data. Methods are ``async``; run blocking clients in an executor
(``await asyncio.to_thread(...)``), never on the event loop.

A minimal sink task::

    class PrintSinkTask(SinkTask):
        async def start(self, props: dict[str, str]) -> None:
            self.out = open(props["file"], "a")

        async def put(self, records: list[SinkRecord]) -> None:
            for r in records:
                self.out.write(f"{r.value}\\n")

        async def flush(self, offsets: dict[TopicPartition, int]) -> None:
            self.out.flush()          # offsets up to here are committed once this returns

        async def stop(self) -> None:
            self.out.close()
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Mapping
from typing import Any, NoReturn

from genesis_worker.api.errors import RetriableException
from genesis_worker.api.records import RecordMetadata, SinkRecord, SourceRecord, TopicPartition

log = logging.getLogger(__name__)


class OffsetStorageReader:
    """Reads committed source offsets (``context.offset_storage_reader``)."""

    async def offset(self, partition: Mapping[str, Any]) -> dict[str, Any] | None:
        """The last committed offset of one source partition, or None."""
        got = await self.offsets([partition])
        return next(iter(got.values()), None)

    async def offsets(self, partitions: Collection[Mapping[str, Any]]) -> dict[Any, dict[str, Any] | None]:
        """Committed offsets of several source partitions, keyed by a hashable form of each partition
        (see :func:`partition_key`)."""
        raise NotImplementedError


def partition_key(partition: Mapping[str, Any] | None) -> Any:
    """A hashable, order-insensitive form of a source partition map."""
    if partition is None:
        return None
    return tuple(sorted((k, _freeze(v)) for k, v in partition.items()))


def _freeze(v: Any) -> Any:
    if isinstance(v, dict):
        return tuple(sorted((k, _freeze(x)) for k, x in v.items()))
    if isinstance(v, list):
        return tuple(_freeze(x) for x in v)
    return v


class ErrantRecordReporter:
    """Reports a record a sink task could not write (KIP-610); it goes to the log and/or the DLQ under
    the connector's ``errors.*`` settings. Await the returned future to know the DLQ write finished."""

    def report(self, record: SinkRecord, error: BaseException) -> asyncio.Future[None]:
        raise NotImplementedError


class TaskContext:
    def configs(self) -> dict[str, str]:
        raise NotImplementedError


class SinkTaskContext(TaskContext):
    """What the framework offers a running sink task."""

    def offset(self, offsets: Mapping[TopicPartition, int]) -> None:
        """Rewind (or skip) consumption of partitions to the given next offsets."""
        raise NotImplementedError

    def timeout(self, timeout_ms: int) -> None:
        """Wait at most this long before the next ``put`` after a :class:`RetriableException`."""
        raise NotImplementedError

    def assignment(self) -> set[TopicPartition]:
        raise NotImplementedError

    def pause(self, *partitions: TopicPartition) -> None:
        raise NotImplementedError

    def resume(self, *partitions: TopicPartition) -> None:
        raise NotImplementedError

    def request_commit(self) -> None:
        """Commit offsets as soon as possible instead of waiting for ``offset.flush.interval.ms``."""
        raise NotImplementedError

    @property
    def errant_record_reporter(self) -> ErrantRecordReporter | None:
        """Set when the connector has a DLQ topic or ``errors.log.enable=true``; else None."""
        raise NotImplementedError


class SourceTaskContext(TaskContext):
    """What the framework offers a running source task."""

    @property
    def offset_storage_reader(self) -> OffsetStorageReader:
        raise NotImplementedError


class Task:
    """Base of sink and source tasks."""

    def version(self) -> str:
        from genesis_worker import __version__

        return __version__

    async def start(self, props: dict[str, str]) -> None:
        """Called once with the task's configuration."""

    async def stop(self) -> None:
        """Release resources. May be called while another method is still awaiting."""


class SinkTask(Task):
    """Receives batches of Kafka records in :meth:`put` and makes them durable by :meth:`flush`.

    Delivery is at-least-once: offsets are committed to Kafka only after ``flush`` (or
    ``pre_commit``) returned for everything up to them.
    """

    context: SinkTaskContext

    def initialize(self, context: SinkTaskContext) -> None:
        self.context = context

    async def put(self, records: list[SinkRecord]) -> None:
        """Write (or buffer) records. Called also with an empty list, so timers can run.
        Raise :class:`RetriableException` to get the same batch again later."""
        raise NotImplementedError

    def report_failed(self, record: SinkRecord, error: BaseException) -> None:
        """Hand a record this task cannot write to the connector's errant record reporter (the dead letter
        queue and/or the log, KIP-610), without waiting for it; a failed report is logged. With no reporter
        configured the record is skipped with a warning. Call it only when the connector tolerates errors
        (``errors.tolerance=all``); otherwise raise."""
        try:
            reporter = self.context.errant_record_reporter
        except (AttributeError, NotImplementedError):
            reporter = None
        if reporter is None:
            log.warning(
                "Skipping record %s-%d@%d that could not be written (errors.tolerance=all, no dead letter queue): %s",
                record.original_topic,
                record.original_kafka_partition,
                record.original_kafka_offset,
                error,
            )
            return
        reporter.report(record, error).add_done_callback(_log_report_failure)

    def retry_later(self, backoff_ms: int, message: str, error: BaseException | None = None) -> NoReturn:
        """Give up on this ``put`` and get the same batch again in ``backoff_ms`` (a store is down):
        sets the context timeout and raises :class:`RetriableException` with ``message``."""
        try:
            self.context.timeout(backoff_ms)
        except (AttributeError, NotImplementedError):
            pass
        raise RetriableException(message) from error

    def raw_key_filter(self) -> Callable[[bytes | None], bool] | None:
        """Optional fast path: a test on a record's raw key bytes, run by the runtime before it builds a
        :class:`SinkRecord`. Records it rejects are never converted, transformed or given to :meth:`put`;
        their offsets commit as consumed. The runtime uses the test only when the key converter passes
        bytes through unchanged (``ByteArrayConverter``) and the connector has no transforms, so it sees
        exactly the key ``put`` would; otherwise every record reaches ``put`` as usual. Asked once, after
        :meth:`start`. Default: no test."""
        return None

    async def flush(self, current_offsets: Mapping[TopicPartition, int]) -> None:
        """Make everything handed to ``put`` durable."""

    async def pre_commit(self, current_offsets: Mapping[TopicPartition, int]) -> dict[TopicPartition, int]:
        """Offsets safe to commit (next offset to read). Default: flush, then everything consumed."""
        await self.flush(current_offsets)
        return dict(current_offsets)

    async def open(self, partitions: Collection[TopicPartition]) -> None:
        """Partitions were assigned to this task."""

    async def close(self, partitions: Collection[TopicPartition]) -> None:
        """Partitions are being taken away; drop their buffered state."""


def _log_report_failure(future: asyncio.Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("Reporting a failed record to the dead letter queue failed", exc_info=future.exception())


class SourceTask(Task):
    """Produces records from an external system: :meth:`poll` returns batches the framework sends."""

    context: SourceTaskContext

    def initialize(self, context: SourceTaskContext) -> None:
        self.context = context

    async def poll(self) -> list[SourceRecord] | None:
        """Next records, or None/empty when there is nothing now (sleep a little before returning)."""
        raise NotImplementedError

    async def commit(self) -> None:
        """Offsets of everything acknowledged so far were committed."""

    async def commit_record(self, record: SourceRecord, metadata: RecordMetadata | None) -> None:
        """One record was acknowledged by Kafka (``metadata``) or dropped by a transform (None)."""

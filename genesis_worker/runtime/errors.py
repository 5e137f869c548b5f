"""Error handling of converters, transforms and sink writes (KIP-298, KIP-610).

* :class:`RetryWithToleranceOperator` runs one operation of a stage with Connect's retry algorithm
  (``errors.retry.timeout``, ``errors.retry.delay.max.ms``) and tolerance (``errors.tolerance``);
* :class:`LogReporter` writes Connect's log line (``errors.log.enable``, ``errors.log.include.messages``);
* :class:`DeadLetterQueueReporter` produces the failed record's *original* key/value/header bytes to
  ``errors.deadletterqueue.topic.name`` with the ``__connect.errors.*`` context headers;
* :class:`WorkerErrantRecordReporter` is what ``SinkTaskContext.errant_record_reporter`` returns.

The task loops never call into this module on the happy path: a record is converted and transformed
in a tight loop, and only a record that raised is re-run stage by stage through the operator.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from genesis_worker.api.errors import ConnectException, RetriableException
from genesis_worker.api.records import SinkRecord
from genesis_worker.api.task import ErrantRecordReporter
from genesis_worker.metrics.task_metrics import ErrorCounts
from genesis_worker.runtime.connector_config import ErrorsConfig

log = logging.getLogger("org.apache.kafka.connect.runtime.errors.LogReporter")
_log = logging.getLogger(__name__)

__all__ = [
    "DeadLetterQueueReporter",
    "ErrorReporter",
    "LogReporter",
    "ProcessingContext",
    "RawRecord",
    "RetryWithToleranceOperator",
    "Stage",
    "WorkerErrantRecordReporter",
    "java_exception_name",
    "stack_trace",
]

ERROR_HEADER_PREFIX = "__connect.errors."


class Stage(str, Enum):
    KEY_CONVERTER = "KEY_CONVERTER"
    VALUE_CONVERTER = "VALUE_CONVERTER"
    HEADER_CONVERTER = "HEADER_CONVERTER"
    TRANSFORMATION = "TRANSFORMATION"
    TASK_PUT = "TASK_PUT"
    TASK_POLL = "TASK_POLL"
    KAFKA_PRODUCE = "KAFKA_PRODUCE"
    KAFKA_CONSUME = "KAFKA_CONSUME"


# Stages where any exception is tolerable; elsewhere only RetriableException.
_TOLERATE_ANY = frozenset(
    {Stage.KEY_CONVERTER, Stage.VALUE_CONVERTER, Stage.HEADER_CONVERTER, Stage.TRANSFORMATION, Stage.KAFKA_PRODUCE}
)

_JAVA_NAMES = {
    "ConnectException": "org.apache.kafka.connect.errors.ConnectException",
    "RetriableException": "org.apache.kafka.connect.errors.RetriableException",
    "DataException": "org.apache.kafka.connect.errors.DataException",
    "SchemaBuilderException": "org.apache.kafka.connect.errors.SchemaBuilderException",
    "NotFoundException": "org.apache.kafka.connect.errors.NotFoundException",
    "AlreadyExistsException": "org.apache.kafka.connect.errors.AlreadyExistsException",
    "ConfigException": "org.apache.kafka.common.config.ConfigException",
}


def java_exception_name(error: BaseException) -> str:
    """Connect's Java class name for SDK exceptions; the Python qualified name otherwise."""
    cls = type(error)
    if cls.__module__.startswith("genesis_worker.api") and cls.__name__ in _JAVA_NAMES:
        return _JAVA_NAMES[cls.__name__]
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


def stack_trace(error: BaseException) -> str:
    """The full trace text of an exception (status ``trace``, DLQ stacktrace header)."""
    return "".join(traceback.format_exception(type(error), error, error.__traceback__)).rstrip("\n")


@dataclass(slots=True)
class RawRecord:
    """A consumed Kafka record as it arrived (the DLQ writes these bytes back unchanged)."""

    topic: str
    partition: int
    offset: int
    timestamp: int
    timestamp_type: str
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes | None]] | None

    @classmethod
    def from_message(cls, msg: Any) -> RawRecord:
        ts_type, ts = msg.timestamp()
        return cls(
            msg.topic(),
            msg.partition(),
            msg.offset(),
            ts if ts_type != 0 else -1,
            {1: "CreateTime", 2: "LogAppendTime"}.get(ts_type, "NoTimestampType"),
            msg.key(),
            msg.value(),
            msg.headers(),
        )


@dataclass
class ProcessingContext:
    """Where and why an operation failed."""

    connector: str
    task: int
    stage: Stage
    executing_class: str
    error: BaseException
    raw: RawRecord | None = None
    source_record: Any = None


class ErrorReporter(Protocol):
    def report(self, ctx: ProcessingContext) -> asyncio.Future[None] | None:
        """Report a failure; a returned future completes when the report is durable."""

    async def close(self) -> None: ...


class LogReporter:
    """One ERROR line per failure, in Connect's words."""

    def __init__(self, connector: str, task: int, include_messages: bool) -> None:
        self.task_id = f"{connector}-{task}"
        self.include_messages = include_messages
        self.logged = 0

    def message(self, ctx: ProcessingContext) -> str:
        msg = (
            f"Error encountered in task {self.task_id}. Executing stage '{ctx.stage.value}' with class "
            f"'{ctx.executing_class}'"
        )
        if self.include_messages and ctx.raw is not None:
            r = ctx.raw
            msg += (
                f", where consumed record is {{topic='{r.topic}', partition={r.partition}, offset={r.offset}, "
                f"timestamp={r.timestamp}, timestampType={r.timestamp_type}}}"
            )
        elif self.include_messages and ctx.source_record is not None:
            msg += f", where source record is = {ctx.source_record!r}"
        return msg + "."

    def report(self, ctx: ProcessingContext) -> None:
        self.logged += 1
        log.error(self.message(ctx), exc_info=ctx.error)

    async def close(self) -> None:
        return None


class DeadLetterQueueReporter:
    """Writes failed consumed records to the DLQ topic (sink connectors only).

    ``producer`` is a confluent-kafka Producer (or anything with ``produce`` and ``poll``/``flush``);
    delivery callbacks are resolved into ``loop`` thread-safely (default: the loop of the task thread
    that reports first).
    """

    def __init__(
        self,
        producer: Any,
        topic: str,
        connector: str,
        task: int,
        context_headers: bool,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.producer = producer
        self.topic = topic
        self.connector = connector
        self.task = task
        self.context_headers = context_headers
        self._loop = loop
        self.failures = 0
        self.sent = 0
        self.outstanding = 0
        self._pump: asyncio.Task[None] | None = None

    def headers_for(self, ctx: ProcessingContext) -> list[tuple[str, bytes | None]]:
        raw = ctx.raw
        assert raw is not None
        message = str(ctx.error) if ctx.error.args else None
        pairs: list[tuple[str, str | None]] = [
            ("topic", raw.topic),
            ("partition", str(raw.partition)),
            ("offset", str(raw.offset)),
            ("connector.name", self.connector),
            ("task.id", str(self.task)),
            ("stage", ctx.stage.value),
            ("class.name", ctx.executing_class),
            ("exception.class.name", java_exception_name(ctx.error)),
            ("exception.message", message),
            ("exception.stacktrace", stack_trace(ctx.error)),
        ]
        return [(ERROR_HEADER_PREFIX + k, None if v is None else v.encode("utf-8")) for k, v in pairs]

    def report(self, ctx: ProcessingContext) -> asyncio.Future[None] | None:
        raw = ctx.raw
        if raw is None:
            return None
        headers = list(raw.headers or [])
        if self.context_headers:
            headers.extend(self.headers_for(ctx))
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        loop = self._loop
        fut: asyncio.Future[None] = loop.create_future()

        def on_delivery(err: Any, _msg: Any) -> None:
            loop.call_soon_threadsafe(self._resolve, fut, err)

        kwargs: dict[str, Any] = {"key": raw.key, "value": raw.value, "headers": headers, "on_delivery": on_delivery}
        if raw.timestamp != -1:
            kwargs["timestamp"] = raw.timestamp
        try:
            self.producer.produce(self.topic, **kwargs)
        except Exception as e:
            self.failures += 1
            _log.error("Could not produce message to dead letter queue. topic=%s: %s", self.topic, e)
            fut.set_result(None)
            return fut
        self.outstanding += 1
        if self._pump is None or self._pump.done():
            self._pump = loop.create_task(self._serve_delivery_reports())
        return fut

    async def _serve_delivery_reports(self) -> None:
        """Poll the producer (in a thread) while DLQ writes are outstanding."""
        while self.outstanding > 0:
            await asyncio.get_running_loop().run_in_executor(None, self.producer.poll, 0.05)
            await asyncio.sleep(0)

    def _resolve(self, fut: asyncio.Future[None], err: Any) -> None:
        self.outstanding -= 1
        if err is not None:
            self.failures += 1
            _log.error("Could not produce message to dead letter queue. topic=%s: %s", self.topic, err)
        else:
            self.sent += 1
        if not fut.done():
            fut.set_result(None)

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.producer.flush, 10.0)


SKIPPED = object()
"""Returned by :meth:`RetryWithToleranceOperator.execute` when the record failed and is tolerated."""


class RetryWithToleranceOperator:
    """Connect's ``RetryWithToleranceOperator`` for one task."""

    RETRIES_DELAY_MIN_MS = 300

    def __init__(
        self,
        connector: str,
        task: int,
        retry_timeout_ms: int = 0,
        max_delay_ms: int = 60000,
        tolerate_all: bool = False,
        reporters: list[ErrorReporter] | None = None,
        clock: Callable[[], float] = time.monotonic,
        stopping: asyncio.Event | None = None,
    ) -> None:
        self.connector = connector
        self.task = task
        self.retry_timeout_ms = retry_timeout_ms
        self.max_delay_ms = max_delay_ms
        self.tolerate_all = tolerate_all
        self.reporters: list[ErrorReporter] = reporters if reporters is not None else []
        self.clock = clock
        self.stopping = stopping or asyncio.Event()
        self.total_failures = 0
        self.total_skipped = 0
        self.total_retries = 0
        self.last_error_ms = 0

    def counts(self) -> ErrorCounts:
        """What this handler and its reporters counted, for the task's metrics (``task-error-metrics``)."""
        c = ErrorCounts(self.total_failures, self.total_retries, self.total_skipped, last_error_ms=self.last_error_ms)
        for r in self.reporters:
            if isinstance(r, DeadLetterQueueReporter):
                c.dlq_sent += r.sent
                c.dlq_failures += r.failures
                c.dlq_requests += r.sent + r.failures + r.outstanding
            elif isinstance(r, LogReporter):
                c.logged += r.logged
        return c

    @classmethod
    def from_config(cls, connector: str, task: int, errors: ErrorsConfig, **kw: Any) -> RetryWithToleranceOperator:
        return cls(connector, task, errors.retry_timeout_ms, errors.retry_max_delay_ms, errors.tolerate_all, **kw)

    def delay_ms(self, attempt: int) -> float:
        """Delay before retry ``attempt`` (1-based): 300 x 2^(n-1) ms, random below the cap past it."""
        delay = self.RETRIES_DELAY_MIN_MS * (2 ** (attempt - 1))
        if delay > self.max_delay_ms:
            return random.uniform(0, self.max_delay_ms)
        return float(delay)

    async def execute(
        self,
        operation: Callable[[], Any],
        stage: Stage,
        executing_class: str,
        raw: RawRecord | None = None,
        source_record: Any = None,
    ) -> Any:
        """Run ``operation``; retry RetriableException within the timeout; on final failure report
        and return :data:`SKIPPED` (tolerance ``all``) or raise ``Tolerance exceeded in error handler``."""
        start = self.clock()
        attempt = 0
        while True:
            attempt += 1
            try:
                return operation()
            except RetriableException as e:
                error: BaseException = e
                if not await self._backoff(start, attempt):
                    break
            except Exception as e:
                error = e
                break
        return await self.failed(
            ProcessingContext(self.connector, self.task, stage, executing_class, error, raw, source_record)
        )

    async def _backoff(self, start: float, attempt: int) -> bool:
        if self.retry_timeout_ms == 0 or self.stopping.is_set():
            return False
        now = self.clock()
        if self.retry_timeout_ms > 0:
            deadline = start + self.retry_timeout_ms / 1000
            if now >= deadline:
                return False
            wait = min(self.delay_ms(attempt) / 1000, deadline - now)
        else:
            wait = self.delay_ms(attempt) / 1000
        try:
            await asyncio.wait_for(self.stopping.wait(), wait)
            return False  # stop requested: fail the operation
        except TimeoutError:
            self.total_retries += 1
            return True

    async def failed(self, ctx: ProcessingContext) -> Any:
        """Account for a failed operation: tolerated -> report, return SKIPPED; else raise."""
        self.total_failures += 1
        self.last_error_ms = int(time.time() * 1000)
        if (
            ctx.stage not in _TOLERATE_ANY
            and ctx.stage is not Stage.TASK_PUT
            and not isinstance(ctx.error, RetriableException)
        ):
            raise ConnectException("Unhandled exception in error handler") from ctx.error
        if not self.tolerate_all:
            raise ConnectException("Tolerance exceeded in error handler") from ctx.error
        self.total_skipped += 1
        await self.report(ctx)
        return SKIPPED

    async def report(self, ctx: ProcessingContext) -> asyncio.Future[None] | None:
        futures = [f for f in (r.report(ctx) for r in self.reporters) if f is not None]
        if not futures:
            return None
        if len(futures) == 1:
            return futures[0]
        return asyncio.ensure_future(_gather_none(futures))

    async def close(self) -> None:
        for r in self.reporters:
            try:
                await r.close()
            except Exception as e:
                _log.warning("Closing error reporter failed: %s", e)


async def _gather_none(futures: list[asyncio.Future[None]]) -> None:
    await asyncio.gather(*futures)


class WorkerErrantRecordReporter(ErrantRecordReporter):
    """``SinkTaskContext.errant_record_reporter``: reports a record the task could not write.

    ``original`` finds the raw consumed record of a SinkRecord (by its original topic/partition/offset);
    pending DLQ writes are tracked per partition so offsets are committed only after them.
    """

    def __init__(
        self, operator: RetryWithToleranceOperator, original: Callable[[SinkRecord], RawRecord | None]
    ) -> None:
        self.operator = operator
        self.original = original
        self.pending: dict[tuple[str, int], list[asyncio.Future[None]]] = {}
        self.error: BaseException | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def report(self, record: SinkRecord, error: BaseException) -> asyncio.Future[None]:
        loop = asyncio.get_running_loop()
        result: asyncio.Future[None] = loop.create_future()
        tp = (record.original_topic, record.original_kafka_partition)
        self.pending.setdefault(tp, []).append(result)
        raw = self.original(record)
        ctx = ProcessingContext(
            self.operator.connector,
            self.operator.task,
            Stage.TASK_PUT,
            "org.apache.kafka.connect.sink.SinkTask",
            error,
            raw,
        )

        async def run() -> None:
            try:
                fut = None
                self.operator.total_failures += 1
                if not self.operator.tolerate_all:
                    exc = ConnectException("Tolerance exceeded in error handler")
                    exc.__cause__ = error
                    self.error = exc
                    raise exc
                self.operator.total_skipped += 1
                fut = await self.operator.report(ctx)
                if fut is not None:
                    await fut
                result.set_result(None)
            except BaseException as e:
                if not result.done():
                    result.set_exception(e)

        task = loop.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return result

    async def await_partitions(self, partitions: set[tuple[str, int]] | None = None) -> None:
        """Wait for DLQ writes of these partitions (all if None) before committing their offsets."""
        keys = list(self.pending) if partitions is None else [p for p in partitions if p in self.pending]
        for key in keys:
            futures = self.pending.pop(key, [])
            if futures:
                await asyncio.gather(*futures, return_exceptions=True)

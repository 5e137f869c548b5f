"""``CassandraSinkTask``: writes each ``put`` batch to Cassandra before returning.

Delivery is at-least-once: ``put`` returns only after every record was written (at the table's
consistency level) or reported as bad, so an offset the framework commits is never past unwritten data;
``flush`` has nothing left to do.

Errors:

* a record that cannot be mapped or converted, or that Cassandra refuses (invalid request) ->
  ``context.errant_record_reporter`` (DLQ / log) under ``errors.tolerance=all``; else the task fails;
* Cassandra unreachable, timing out or without enough replicas -> ``RetriableException`` after
  ``context.timeout(retry.backoff.ms)``; the framework redelivers the same batch. Writes already done
  are not sent again, and planned writes are kept, so ``now()`` values stay the same on a retry;
* a configured table that does not exist, or a mapping that misses a primary key column -> the task
  fails with a ConnectException (a configuration error, as in the DataStax connector).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from genesis_connectors.cassandra.config import CassandraSinkConfig, TableConfig
from genesis_connectors.cassandra.session import (
    CassandraSession,
    NoSuchTable,
    Unreachable,
    is_connection_lost,
    is_data_error,
    is_retriable,
)
from genesis_connectors.cassandra.statements import TableShape, Write, check_mapping, group_batches, plan_write
from genesis_worker.api import ConnectException, DataException, RetriableException, SinkRecord, SinkTask, TopicPartition

log = logging.getLogger(__name__)
T = TypeVar("T")
WriteId = tuple[str, int, int, str]  # topic, partition, offset, keyspace.table


def _wid(record: SinkRecord, table: TableConfig) -> WriteId:
    return (record.original_topic, record.original_kafka_partition, record.original_kafka_offset, table.name)


class CassandraSinkTask(SinkTask):
    """Writes Kafka records to Cassandra tables (``com.datastax.oss.kafka.sink.CassandraSinkConnector``'s task)."""

    def __init__(self) -> None:
        self.config: CassandraSinkConfig | None = None
        self.session: CassandraSession | None = None
        self.shapes: dict[str, TableShape] = {}
        self._executor: ThreadPoolExecutor | None = None
        self._planned: dict[WriteId, Write] = {}
        self._done: set[WriteId] = set()

    async def start(self, props: dict[str, str]) -> None:
        try:
            self.config = CassandraSinkConfig(props)
        except Exception as e:
            raise ConnectException(f"Failed to start new task: {e}") from e
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="cassandra-sink")
        try:
            await self._connect()
        except RetriableException as e:
            log.warning("Cassandra is not reachable yet (%s); connecting again on the next put", e)

    async def stop(self) -> None:
        if self.session is not None:
            session, self.session = self.session, None
            await self._run(session.close)
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    async def _run(self, fn: Callable[[], T]) -> T:
        assert self._executor is not None
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    async def _connect(self) -> None:
        assert self.config is not None
        if self.session is not None:
            return
        session = CassandraSession(self.config)
        try:
            await self._run(session.connect)
        except Unreachable as e:
            self._retry_later(e)
        self.session = session
        for table in self.config.tables:
            await self._shape(table)

    async def _shape(self, table: TableConfig) -> TableShape:
        assert self.session is not None
        session = self.session
        shape = self.shapes.get(table.name)
        try:
            if shape is None:
                shape = self.shapes[table.name] = await self._run(
                    lambda: session.table_shape(table.keyspace, table.table)
                )
            check_mapping(table, shape)
            await self._run(lambda: session.prepare(table, shape))
        except (NoSuchTable, DataException) as e:
            raise ConnectException(f"Cannot write topic {table.topic}: {e}") from e
        except Exception as e:
            if is_retriable(e):
                self._retry_later(e)
            raise
        return shape

    def _retry_later(self, error: BaseException) -> None:
        assert self.config is not None
        self.retry_later(self.config.retry_backoff_ms, f"Cassandra is not available: {error}", error)

    # -- put ------------------------------------------------------------------------------------------

    async def put(self, records: list[SinkRecord]) -> None:
        if not records:
            return
        if self.config is None:
            raise ConnectException("CassandraSinkTask.put called before start")
        await self._connect()
        writes = await self._plan(records)
        if writes:
            await self._execute(writes)
        self._planned.clear()
        self._done.clear()

    async def _plan(self, records: list[SinkRecord]) -> list[Write]:
        assert self.config is not None
        writes: list[Write] = []
        for record in records:
            for table in self.config.tables_of(record.topic):
                wid = _wid(record, table)
                if wid in self._done:
                    continue
                w = self._planned.get(wid)
                if w is None:
                    shape = await self._shape(table)
                    try:
                        w = self._planned[wid] = plan_write(table, shape, record)
                    except DataException as e:
                        self._failed(record, e)
                        self._done.add(wid)
                        continue
                writes.append(w)
        return writes

    async def _execute(self, writes: list[Write]) -> None:
        assert self.config is not None and self.session is not None
        session = self.session
        plans = group_batches(writes, self.config.batch_size)
        outcomes = await self._run(lambda: session.execute(plans))
        retry: BaseException | None = None
        for outcome in outcomes:
            for w in outcome.plan.writes:
                error = outcome.error
                if error is None:
                    self._done.add(_wid(w.record, w.table))
                elif is_retriable(error) or (not is_data_error(error) and _looks_transient(error)):
                    retry = retry or error
                else:
                    self._done.add(_wid(w.record, w.table))
                    self._failed(w.record, DataException(f"Writing to {w.table.name} failed: {error}"))
        if retry is not None:
            log.warning("Writing to Cassandra failed (%s); the batch will be redelivered", retry)
            if is_connection_lost(retry):
                self.session = None
                await self._run(session.close)
            self._retry_later(retry)

    def _failed(self, record: SinkRecord, error: DataException) -> None:
        assert self.config is not None
        if not self.config.tolerate_all:
            raise error
        self.report_failed(record, error)

    async def flush(self, current_offsets: Mapping[TopicPartition, int]) -> None:
        """Nothing is buffered: every ``put`` wrote its records before returning."""

    async def close(self, partitions: Collection[TopicPartition]) -> None:
        gone = {(tp[0], tp[1]) for tp in partitions}
        self._planned = {k: w for k, w in self._planned.items() if k[:2] not in gone}
        self._done = {k for k in self._done if k[:2] not in gone}


def _looks_transient(error: BaseException) -> bool:
    return "timed out" in str(error).lower() or "unavailable" in str(error).lower()

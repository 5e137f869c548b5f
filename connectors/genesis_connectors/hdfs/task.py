"""``HdfsSinkTask``: buffers records per Kafka partition and commits files to HDFS by rename.

Delivery is at-least-once, without duplicate files: ``pre_commit`` returns, per partition, only the offset
after the last record of a committed (renamed) file, and on ``open`` (and before the first write) the task
reads the committed file names of its partitions and seeks past the last committed offset, so records
already in HDFS are not written again after a restart or rebalance.

Errors: a record that cannot be encoded or partitioned -> ``context.errant_record_reporter`` (DLQ / log)
under ``errors.tolerance=all``, else the task fails with a DataException. HDFS unreachable or refusing a
write -> ``RetriableException`` after ``context.timeout(retry.backoff.ms)``; buffered and closed files are
kept in memory, and the redelivered batch is recognised by offset, so nothing is lost or written twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from genesis_connectors.hdfs import config as k
from genesis_connectors.hdfs.formats import create_format
from genesis_connectors.hdfs.partitioners import Partitioner, create_partitioner
from genesis_connectors.hdfs.storage import FileNames, HdfsStorage, StorageError
from genesis_connectors.hdfs.writer import Rotation, TopicPartitionWriter
from genesis_worker.api import (
    ConnectException,
    DataException,
    SinkRecord,
    SinkTask,
    TopicPartition,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


class HdfsSinkTask(SinkTask):
    """Writes Kafka records to HDFS files (``io.confluent.connect.hdfs.HdfsSinkConnector``'s task)."""

    def __init__(self) -> None:
        self.config: k.HdfsSinkConfig | None = None
        self.storage: HdfsStorage | None = None
        self.partitioner: Partitioner | None = None
        self.writers: dict[TopicPartition, TopicPartitionWriter] = {}
        self._executor: ThreadPoolExecutor | None = None

    async def start(self, props: dict[str, str]) -> None:
        try:
            self.config = k.HdfsSinkConfig(props)
            self.partitioner = create_partitioner(self.config)
            create_format(self.config.format_class)
        except Exception as e:
            raise ConnectException(f"Couldn't start HdfsSinkConnector due to configuration error: {e}") from e
        self.storage = HdfsStorage(self.config.webhdfs_url, self.config.user, self.config.timeout_s)
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="hdfs-sink")
        log.info("Started HDFS sink task writing to %s%s", self.config.webhdfs_url, self.config.topics_dir)

    async def stop(self) -> None:
        self.writers.clear()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    async def _run(self, fn: Callable[[], T]) -> T:
        assert self._executor is not None
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    # -- partitions -----------------------------------------------------------------------------------

    def _writer(self, tp: TopicPartition) -> TopicPartitionWriter:
        w = self.writers.get(tp)
        if w is None:
            assert self.config is not None and self.partitioner is not None
            cfg = self.config
            fmt = create_format(cfg.format_class)
            names = FileNames(cfg.topics_dir, tp.topic, tp.partition, fmt.extension, cfg.zero_pad_width)
            rotation = Rotation(cfg.flush_size, cfg.rotate_interval_ms, cfg.rotate_schedule_interval_ms)
            w = self.writers[tp] = TopicPartitionWriter(names, fmt, self.partitioner, rotation, cfg.ignore_null_values)
        return w

    async def open(self, partitions: Collection[TopicPartition]) -> None:
        for tp in partitions:
            w = self._writer(tp)
            try:
                await self._recover(tp, w)
            except StorageError as e:
                log.warning("Recovery of %s deferred to the first put: %s", tp, e)

    async def close(self, partitions: Collection[TopicPartition]) -> None:
        """Forget uncommitted data of partitions taken away; it is consumed again from the committed offset."""
        for tp in partitions:
            self.writers.pop(TopicPartition(tp[0], tp[1]), None)

    async def _recover(self, tp: TopicPartition, w: TopicPartitionWriter) -> None:
        assert self.storage is not None
        resume = await w.recover(self.storage, self._run)
        if resume is not None:
            log.info("%s: committed files end at offset %d; resuming there", tp, resume - 1)
            self.context.offset({tp: resume})

    # -- put ------------------------------------------------------------------------------------------

    async def put(self, records: list[SinkRecord]) -> None:
        if self.config is None or self.storage is None:
            raise ConnectException("HdfsSinkTask.put called before start")
        try:
            for tp in {TopicPartition(r.original_topic, r.original_kafka_partition) for r in records}:
                w = self._writer(tp)
                if not w.recovered:
                    await self._recover(tp, w)
            for record in records:
                self._add(record)
            for w in self.writers.values():
                if w.schedule_due():
                    w.close_files()
            committed = 0
            for w in self.writers.values():
                if w.closed:
                    committed += await w.commit_closed(self.storage, self._run)
        except StorageError as e:
            backoff = self.config.retry_backoff_ms
            log.warning("HDFS write failed (%s); retrying in %d ms with the buffered records kept", e, backoff)
            self.retry_later(backoff, str(e), e)
        if committed:
            try:
                self.context.request_commit()
            except (AttributeError, NotImplementedError):
                pass

    def _add(self, record: SinkRecord) -> None:
        w = self._writer(TopicPartition(record.original_topic, record.original_kafka_partition))
        if w.seen(record):
            return
        try:
            w.add(record)
        except DataException as e:
            self._failed(record, e)
            w.skip(record)
        except Exception as e:
            self._failed(record, DataException(f"Unable to write record to HDFS: {e}"))
            w.skip(record)

    def _failed(self, record: SinkRecord, error: DataException) -> None:
        assert self.config is not None
        if not self.config.tolerate_all:
            raise error
        self.report_failed(record, error)

    # -- commit ---------------------------------------------------------------------------------------

    async def flush(self, current_offsets: Mapping[TopicPartition, int]) -> None:
        """Files are committed in ``put``; what ``pre_commit`` returns is already durable."""

    async def pre_commit(self, current_offsets: Mapping[TopicPartition, int]) -> dict[TopicPartition, int]:
        out: dict[TopicPartition, int] = {}
        for tp in current_offsets:
            w = self.writers.get(TopicPartition(tp[0], tp[1]))
            if w is None:
                continue
            safe = w.safe_offset
            if safe is not None:
                out[TopicPartition(tp[0], tp[1])] = min(safe, current_offsets[tp])
        return out

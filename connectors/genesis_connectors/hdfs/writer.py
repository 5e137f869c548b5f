"""``TopicPartitionWriter``: the files of one Kafka partition, from buffering to commit.

Records are buffered per encoded partition (directory) in an *open* file. When a rotation rule fires
(``flush.size`` records, ``rotate.interval.ms`` of record time, ``rotate.schedule.interval.ms`` of wall
time, or a new value schema for Avro), every open file of the partition is *closed*: its bytes are fixed
and its final name (``<topic>+<partition>+<start>+<end>.<ext>``) is known. :meth:`commit_closed` then
writes each closed file under ``+tmp`` and renames it to its final name; only after every closed file is
renamed does the partition's :attr:`safe_offset` (what ``pre_commit`` returns) move past its records.

Nothing here does I/O except :meth:`commit_closed` and :meth:`recover` (through ``run``, an executor).
A failure leaves the closed files in place, so a retry writes exactly the same files.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from genesis_connectors.hdfs.formats import Format
from genesis_connectors.hdfs.partitioners import Partitioner
from genesis_connectors.hdfs.storage import FileNames, HdfsStorage
from genesis_worker.api import DataException, Schema, SinkRecord

log = logging.getLogger(__name__)

T = TypeVar("T")
Run = Callable[[Callable[[], T]], Awaitable[T]]


@dataclass
class OpenFile:
    start: int
    end: int
    items: list[Any] = field(default_factory=list)


@dataclass
class ClosedFile:
    encoded_partition: str
    final_path: str
    tmp_path: str
    data: bytes
    records: int
    written: bool = False  # the temporary file exists with ``data``


@dataclass(frozen=True)
class Rotation:
    flush_size: int
    rotate_interval_ms: int
    rotate_schedule_interval_ms: int


class TopicPartitionWriter:
    """Buffers, rotates and commits the files of one Kafka partition."""

    def __init__(
        self, names: FileNames, fmt: Format, partitioner: Partitioner, rotation: Rotation, ignore_null_values: bool
    ) -> None:
        self.names = names
        self.fmt = fmt
        self.partitioner = partitioner
        self.rotation = rotation
        self.ignore_null_values = ignore_null_values
        self.open_files: dict[str, OpenFile] = {}
        self.closed: list[ClosedFile] = []
        self.closed_upto: int | None = None  # next offset after the records of the closed files
        self.schema: Schema | None = None
        self.count = 0
        self.base_time: int | None = None
        self.opened_at: float | None = None
        self.next_offset: int | None = None  # records below were buffered, written, skipped or reported
        self.committed: int | None = None  # records below are in committed files (or skipped/reported)
        self.recovered = False

    # -- recovery -------------------------------------------------------------------------------------

    async def recover(self, storage: HdfsStorage, run: Run[Any]) -> int | None:
        """Delete leftover temporary files and find the last committed offset; returns the offset to
        resume from (None: no committed file, resume where Kafka's committed offset says)."""
        deleted = await run(lambda: storage.delete_temporary(self.names))
        if deleted:
            log.info("Deleted %d temporary file(s) of %s-%d", deleted, self.names.topic, self.names.partition)
        last = await run(lambda: storage.last_committed_offset(self.names))
        self.recovered = True
        if last is None:
            return None
        resume = last + 1
        if self.next_offset is None or resume > self.next_offset:
            self.next_offset = resume
        self.committed = max(resume, self.committed or 0)
        return resume

    # -- buffering ------------------------------------------------------------------------------------

    def seen(self, record: SinkRecord) -> bool:
        """True if the record was handled before (a redelivery, or below the recovered offset)."""
        return self.next_offset is not None and record.original_kafka_offset < self.next_offset

    def skip(self, record: SinkRecord) -> None:
        """The record was reported or ignored: it needs no file, but its offset may be committed."""
        self.next_offset = record.original_kafka_offset + 1

    def add(self, record: SinkRecord) -> bool:
        """Buffer one record; raises DataException (nothing changed) for a record that cannot be written.
        Returns False for an ignored null value."""
        if record.value is None:
            if self.ignore_null_values:
                self.skip(record)
                return False
            raise DataException(
                "Null valued records are not writeable with current behavior.on.null.values 'fail' setting."
            )
        item = self.fmt.encode(record)
        encoded = self.partitioner.encode_partition(record)
        record_time = self.partitioner.record_time(record) if self.rotation.rotate_interval_ms > 0 else None
        offset = record.original_kafka_offset
        if self.count and self._must_rotate_before(record, record_time):
            self.close_files()
        if self.count == 0:
            self.base_time = record_time
            self.opened_at = time.monotonic()
            self.schema = record.value_schema
        f = self.open_files.get(encoded)
        if f is None:
            f = self.open_files[encoded] = OpenFile(offset, offset)
        f.items.append(item)
        f.end = offset
        self.count += 1
        self.next_offset = offset + 1
        if self.count >= self.rotation.flush_size:
            self.close_files()
        return True

    def _must_rotate_before(self, record: SinkRecord, record_time: int | None) -> bool:
        if self.fmt.needs_schema and record.value_schema is not self.schema and record.value_schema != self.schema:
            return True
        interval = self.rotation.rotate_interval_ms
        return (
            interval > 0
            and record_time is not None
            and self.base_time is not None
            and (record_time - self.base_time >= interval)
        )

    def schedule_due(self, now: float | None = None) -> bool:
        interval = self.rotation.rotate_schedule_interval_ms
        if interval <= 0 or not self.count or self.opened_at is None:
            return False
        return ((now if now is not None else time.monotonic()) - self.opened_at) * 1000 >= interval

    def close_files(self) -> None:
        """Fix the bytes and final names of every open file; they are committed by :meth:`commit_closed`."""
        for encoded, f in self.open_files.items():
            data = self.fmt.file_bytes(self.schema, f.items)
            self.closed.append(
                ClosedFile(
                    encoded,
                    self.names.committed(encoded, f.start, f.end),
                    self.names.temporary(encoded, uuid.uuid4().hex),
                    data,
                    len(f.items),
                )
            )
        self.open_files = {}
        self.count = 0
        self.base_time = None
        self.opened_at = None
        self.closed_upto = self.next_offset

    # -- commit ---------------------------------------------------------------------------------------

    async def commit_closed(self, storage: HdfsStorage, run: Run[Any]) -> int:
        """Write and rename every closed file, in order; returns how many were committed. Raises
        StorageError with the remaining files kept (a retry continues where this stopped)."""
        n = 0
        while self.closed:
            f = self.closed[0]
            if not f.written:
                await run(lambda f=f: storage.write(f.tmp_path, f.data))  # type: ignore[misc]
                f.written = True
            await run(lambda f=f: storage.commit(f.tmp_path, f.final_path))  # type: ignore[misc]
            log.debug("Committed %s (%d records)", f.final_path, f.records)
            self.closed.pop(0)
            n += 1
        if self.closed_upto is not None:
            self.committed = max(self.committed or 0, self.closed_upto)
            self.closed_upto = None
        return n

    @property
    def safe_offset(self) -> int | None:
        """The offset to commit to Kafka: everything below is in committed files or needs none."""
        if not self.open_files and not self.closed and self.next_offset is not None:
            return self.next_offset
        return self.committed

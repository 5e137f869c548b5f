"""``CouchbaseSinkTask``: writes each ``put`` batch to Couchbase before returning.

Delivery is at-least-once: ``put`` returns only after every document was written (with the configured
durability) or its record reported as bad, so no offset is committed past unwritten data.

Writes run in a thread pool (``couchbase.max.concurrent.writes``); writes to the same document ID stay
in record order (one thread at a time per ID), so the last record of a key wins as in Kafka order.

Errors:

* a record that cannot become a document (not JSON, no value for the ID placeholders) or that the
  server refuses for itself (INSERT of an existing ID, REPLACE of a missing one, a sub-document path
  mismatch) -> ``context.errant_record_reporter`` under ``errors.tolerance=all``; else the task fails;
* timeouts, an unavailable service, temporary failures -> ``RetriableException`` after
  ``context.timeout(couchbase.retry.backoff.ms)``; the framework redelivers the batch. Documents already
  written are not written again; an INSERT whose earlier attempt had an unknown outcome counts as written
  when the document exists;
* the bucket cannot give the configured durability -> the task fails (a configuration problem).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol, TypeVar

from genesis_connectors.couchbase.config import CouchbaseSinkConfig
from genesis_connectors.couchbase.documents import DocumentIdFormat, SinkDocument, document_of
from genesis_connectors.couchbase.store import (
    CouchbaseBucket,
    DocumentWriter,
    KeyValueCollection,
    is_fatal,
    is_retriable,
)
from genesis_worker.api import ConnectException, DataException, RetriableException, SinkRecord, SinkTask, TopicPartition

log = logging.getLogger(__name__)
T = TypeVar("T")
RecordId = tuple[str, int, int]


class Bucket(Protocol):
    def connect(self) -> None: ...

    def collection(self, scope: str, name: str) -> KeyValueCollection: ...

    def close(self) -> None: ...


@dataclass
class Pending:
    rid: RecordId
    record: SinkRecord
    collection: tuple[str, str]
    doc: SinkDocument
    attempted: bool = False


def _sdk_bucket(cfg: CouchbaseSinkConfig) -> Bucket:
    return CouchbaseBucket(cfg)


def _rid(r: SinkRecord) -> RecordId:
    return (r.original_topic, r.original_kafka_partition, r.original_kafka_offset)


class CouchbaseSinkTask(SinkTask):
    """Writes Kafka records to Couchbase documents (``com.couchbase.connect.kafka.CouchbaseSinkConnector``'s task).

    ``bucket_factory`` opens the bucket (default: the Couchbase SDK); tests pass a stand-in."""

    def __init__(self, bucket_factory: Callable[[CouchbaseSinkConfig], Bucket] | None = None) -> None:
        self.bucket_factory = bucket_factory or _sdk_bucket
        self.config: CouchbaseSinkConfig | None = None
        self.bucket: Bucket | None = None
        self.writer: DocumentWriter | None = None
        self.id_format: DocumentIdFormat | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._pending: dict[RecordId, Pending] = {}
        self._done: set[RecordId] = set()

    async def start(self, props: dict[str, str]) -> None:
        try:
            self.config = CouchbaseSinkConfig(props)
            self.id_format = DocumentIdFormat.parse(self.config.document_id) if self.config.document_id else None
        except Exception as e:
            raise ConnectException(f"Failed to start new task: {e}") from e
        self.writer = DocumentWriter(self.config)
        self._executor = ThreadPoolExecutor(self.config.max_concurrency, thread_name_prefix="couchbase-sink")
        try:
            await self._connect()
        except RetriableException as e:
            log.warning("Couchbase is not reachable yet (%s); connecting again on the next put", e)

    async def stop(self) -> None:
        if self.bucket is not None:
            bucket, self.bucket = self.bucket, None
            await self._run(bucket.close)
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    async def _run(self, fn: Callable[[], T]) -> T:
        assert self._executor is not None
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    async def _connect(self) -> None:
        assert self.config is not None
        if self.bucket is not None:
            return
        bucket = self.bucket_factory(self.config)
        try:
            await self._run(bucket.connect)
        except Exception as e:
            if is_retriable(e):
                self._retry_later(e)
            raise ConnectException(f"Cannot connect to Couchbase bucket {self.config.bucket}: {e}") from e
        self.bucket = bucket

    def _retry_later(self, error: BaseException) -> None:
        assert self.config is not None
        self.retry_later(self.config.retry_backoff_ms, f"Couchbase is not available: {error}", error)

    # -- put ------------------------------------------------------------------------------------------

    async def put(self, records: list[SinkRecord]) -> None:
        if not records:
            return
        if self.config is None:
            raise ConnectException("CouchbaseSinkTask.put called before start")
        await self._connect()
        pending = self._prepare(records)
        if pending:
            await self._write(pending)
        self._pending.clear()
        self._done.clear()

    def _prepare(self, records: list[SinkRecord]) -> list[Pending]:
        assert self.config is not None
        out: list[Pending] = []
        keep: dict[RecordId, Pending] = {}
        for record in records:
            rid = _rid(record)
            if rid in self._done:
                continue
            p = self._pending.get(rid)
            if p is None:
                try:
                    doc = document_of(record, self.id_format, self.config.remove_document_id)
                except DataException as e:
                    self._failed(record, e)
                    self._done.add(rid)
                    continue
                p = Pending(rid, record, self.config.collection_of(record.topic), doc)
            keep[rid] = p
            out.append(p)
        self._pending = keep
        return out

    async def _write(self, pending: list[Pending]) -> None:
        assert self.bucket is not None and self.writer is not None
        chains: dict[tuple[str, str, str], list[Pending]] = {}
        for p in pending:
            chains.setdefault((*p.collection, p.doc.id), []).append(p)
        results = await asyncio.gather(*(self._run(functools.partial(self._write_chain, c)) for c in chains.values()))
        retry: BaseException | None = None
        for failures in results:
            for p, error in failures:
                if is_fatal(error):
                    raise ConnectException(f"Couchbase cannot write with the configured durability: {error}") from error
                if is_retriable(error):
                    retry = retry or error
                else:
                    self._done.add(p.rid)
                    self._failed(p.record, DataException(f"Writing document {p.doc.id!r} failed: {error}"))
        if retry is not None:
            log.warning("Writing to Couchbase failed (%s); the batch will be redelivered", retry)
            self._retry_later(retry)

    def _write_chain(self, chain: list[Pending]) -> list[tuple[Pending, BaseException]]:
        """Write the records of one document in order (in a worker thread). A retriable error stops the
        chain: the later records of that document wait for the redelivery, to keep their order."""
        assert self.bucket is not None and self.writer is not None
        failures: list[tuple[Pending, BaseException]] = []
        for p in chain:
            try:
                coll = self.bucket.collection(*p.collection)
                self.writer.write(coll, p.doc, p.attempted)
                self._done.add(p.rid)
            except Exception as e:
                if is_retriable(e):
                    p.attempted = True
                    failures.append((p, e))
                    return failures
                failures.append((p, e))
        return failures

    def _failed(self, record: SinkRecord, error: DataException) -> None:
        assert self.config is not None
        if not self.config.tolerate_all:
            raise error
        self.report_failed(record, error)

    async def flush(self, current_offsets: Mapping[TopicPartition, int]) -> None:
        """Nothing is buffered: every ``put`` wrote its documents before returning."""

    async def close(self, partitions: Collection[TopicPartition]) -> None:
        gone = {(tp[0], tp[1]) for tp in partitions}
        self._pending = {rid: p for rid, p in self._pending.items() if rid[:2] not in gone}
        self._done = {rid for rid in self._done if rid[:2] not in gone}

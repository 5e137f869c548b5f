"""``MongoSinkTask``: writes each ``put`` batch with one bulk write per namespace before returning.

Delivery: ``put`` returns only once every record of the batch is written (or reported as failed), so
the framework never commits an offset past unwritten data; ``flush`` has nothing left to do.

Errors:

* a record that cannot be converted or mapped, or that the server rejects (duplicate key, document
  validation) -> reported through ``context.errant_record_reporter`` (DLQ / log) under
  ``errors.tolerance=all`` and the rest of the batch is still written; under ``none`` the task fails.
  With ``bulk.write.ordered=true`` the server stops at the failing document; the write continues with
  the documents after it (Java reports those to the DLQ as "skipped" instead);
* the server is unreachable or stepping down -> ``max.num.retries`` retries ``retries.defer.timeout`` ms
  apart inside ``put``, then ``RetriableException`` with ``context.timeout(retries.defer.timeout)`` so the
  framework redelivers the same batch later. Write models are kept for redelivery, so generated ids
  (``BsonOidStrategy``, ``UuidStrategy``) stay the same and a retried insert does not duplicate a document;
  an ``InsertOne`` that fails with a duplicate key after an interrupted attempt counts as written.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from bson.errors import InvalidDocument
from pymongo import AsyncMongoClient, InsertOne
from pymongo.errors import BulkWriteError, PyMongoError

from genesis_connectors.mongodb.client import create_client, is_transient
from genesis_connectors.mongodb.sink import config as k
from genesis_connectors.mongodb.sink.documents import SinkDocument
from genesis_connectors.mongodb.sink.namespace import Namespace
from genesis_connectors.mongodb.sink.topic import MongoSinkConfig, TopicConfig
from genesis_connectors.mongodb.sink.write_models import WriteModel
from genesis_worker.api import (
    ConnectException,
    DataException,
    RetriableException,
    SinkRecord,
    SinkTask,
    TopicPartition,
)

log = logging.getLogger(__name__)

DUPLICATE_KEY = 11000
RecordId = tuple[str, int, int]


class WriteError(DataException):
    """A document the server refused (``WriteException`` in Java): carries the server's code and message."""

    def __init__(self, error: Mapping[str, Any]) -> None:
        self.code = int(error.get("code", 0))
        self.details = dict(error)
        super().__init__(f"Write error {self.code}: {error.get('errmsg', '')}")


@dataclass(slots=True)
class Prepared:
    rid: RecordId
    record: SinkRecord
    model: WriteModel
    namespace: Namespace
    attempted: bool = False  # sent in a bulk write that failed without saying which documents were written


@dataclass(slots=True)
class Batch:
    config: TopicConfig
    namespace: Namespace
    items: list[Prepared] = field(default_factory=list)


def _record_id(r: SinkRecord) -> RecordId:
    return (r.original_topic, r.original_kafka_partition, r.original_kafka_offset)


class MongoSinkTask(SinkTask):
    """Writes Kafka records to MongoDB (``com.mongodb.kafka.connect.MongoSinkConnector``'s task)."""

    def __init__(self) -> None:
        self.config: MongoSinkConfig | None = None
        self.client: AsyncMongoClient[dict[str, Any]] | None = None
        self._prepared: dict[RecordId, Prepared] = {}
        self._done: set[RecordId] = set()  # written or reported by an attempt that ended in a retry
        self._batches_since_pause: dict[str, int] = {}

    async def start(self, props: dict[str, str]) -> None:
        log.info("Starting MongoDB sink task")
        try:
            self.config = MongoSinkConfig(props)
        except Exception as e:
            raise ConnectException(f"Failed to start new task: {e}") from e
        self.client = create_client(self.config.connection_uri, "sink")

    async def stop(self) -> None:
        log.info("Stopping MongoDB sink task")
        if self.client is not None:
            await self.client.close()
            self.client = None

    async def flush(self, current_offsets: Mapping[TopicPartition, int]) -> None:
        """Nothing is buffered: every ``put`` wrote its records before returning."""

    async def close(self, partitions: Collection[TopicPartition]) -> None:
        """Forget what an interrupted batch kept for partitions that are taken away."""
        gone = {(tp.topic, tp.partition) for tp in partitions}
        self._prepared = {rid: p for rid, p in self._prepared.items() if rid[:2] not in gone}
        self._done = {rid for rid in self._done if rid[:2] not in gone}

    # -- put ------------------------------------------------------------------------------------------

    async def put(self, records: list[SinkRecord]) -> None:
        if not records:
            return
        if self.config is None or self.client is None:
            raise ConnectException("MongoSinkTask.put called before start")
        for batch in self._prepare(records):
            await self._write_batch(batch)
        self._prepared.clear()
        self._done.clear()

    def _prepare(self, records: list[SinkRecord]) -> list[Batch]:
        """Convert, post-process and build write models; group by topic config and namespace, keeping the
        order of records inside each group and splitting groups at ``max.batch.size``.

        Records already written (or reported) by an earlier attempt at this batch are skipped, and write
        models built by an earlier attempt are reused, so a redelivery writes the same documents."""
        assert self.config is not None
        groups: dict[tuple[int, Namespace], Batch] = {}
        ordered: list[Batch] = []
        keep: dict[RecordId, Prepared] = {}
        for record in records:
            rid = _record_id(record)
            if rid in self._done:
                continue
            cfg = self.config.topic_config(record.topic)
            prepared = self._prepared.get(rid)
            if prepared is None:
                try:
                    doc = SinkDocument(record)
                    namespace = cfg.namespace_mapper.namespace(doc)
                    model = self._build(cfg, doc)
                except Exception as e:
                    self._record_failed(cfg, record, e)
                    self._done.add(rid)
                    continue
                if model is None:
                    continue
                prepared = Prepared(rid, record, model, namespace)
            keep[rid] = prepared
            key = (id(cfg), prepared.namespace)
            batch = groups.get(key)
            max_size = int(cfg.get(k.MAX_BATCH_SIZE_CONFIG))
            if batch is None or (max_size and len(batch.items) >= max_size):
                batch = groups[key] = Batch(cfg, prepared.namespace)
                ordered.append(batch)
            batch.items.append(prepared)
        self._prepared = keep
        return ordered

    def _build(self, cfg: TopicConfig, doc: SinkDocument) -> WriteModel | None:
        if doc.record.value is None:
            if doc.record.key is None:
                if cfg.errors.log:
                    log.error(
                        "skipping sink record %r for which neither key doc nor value doc were present", doc.record
                    )
                return None
            delete = cfg.delete_model
            if delete is None:
                return None  # a tombstone without delete.on.null.values is skipped, as in Java
            return delete.create(doc)
        for processor in cfg.post_processors:
            processor.process(doc)
        return cfg.write_model.create(doc)

    # -- writing --------------------------------------------------------------------------------------

    async def _write_batch(self, batch: Batch) -> None:
        cfg = batch.config
        retries = int(cfg.get(k.MAX_NUM_RETRIES_CONFIG))
        defer_ms = int(cfg.get(k.RETRIES_DEFER_TIMEOUT_CONFIG))
        pending = batch.items
        attempt = 0
        while pending:
            try:
                pending = await self._bulk_write(batch, pending)
                attempt = 0
            except (InvalidDocument, OverflowError, TypeError, ValueError) as e:
                # a document PyMongo cannot encode: find it by writing the documents one by one
                if len(pending) == 1:
                    self._done.add(pending[0].rid)
                    self._record_failed(cfg, pending[0].record, DataException(f"Cannot encode the document: {e}"))
                    return
                for p in pending:
                    p.attempted = True
                    await self._write_batch(Batch(cfg, batch.namespace, [p]))
                return
            except PyMongoError as e:
                if not is_transient(e):
                    self._batch_failed(batch, pending, e)
                    return
                for p in pending:
                    p.attempted = True
                attempt += 1
                if attempt > retries:
                    log.warning(
                        "Writing %d document(s) into %s failed %d time(s) (%s); the batch will be redelivered in %d ms",
                        len(pending),
                        batch.namespace,
                        attempt,
                        e,
                        defer_ms,
                    )
                    self._set_timeout(defer_ms)
                    raise RetriableException(f"Writing to MongoDB {batch.namespace} failed: {e}") from e
                log.info(
                    "Writing %d document(s) into %s failed (%s); retry %d of %d in %d ms",
                    len(pending),
                    batch.namespace,
                    e,
                    attempt,
                    retries,
                    defer_ms,
                )
                await asyncio.sleep(defer_ms / 1000)
        await self._rate_limit(cfg)

    async def _bulk_write(self, batch: Batch, items: list[Prepared]) -> list[Prepared]:
        """One bulk write; returns the items still to write (after an ordered write stopped at a bad one)."""
        assert self.client is not None
        ordered = bool(batch.config.get(k.BULK_WRITE_ORDERED_CONFIG))
        coll = self.client[batch.namespace.database][batch.namespace.collection]
        try:
            await coll.bulk_write([p.model for p in items], ordered=ordered)
            self._done.update(p.rid for p in items)
            return []
        except BulkWriteError as e:
            details = e.details or {}
            write_errors = details.get("writeErrors") or []
            if not write_errors:
                raise  # only write-concern errors: transient, retried by the caller
            failed = {int(err["index"]): err for err in write_errors}
            last = max(failed) if ordered else len(items) - 1
            self._done.update(p.rid for p in items[: last + 1])
            for index, err in sorted(failed.items()):
                item = items[index]
                if self._already_written(item, err):
                    continue
                self._record_failed(batch.config, item.record, WriteError(err))
            return items[last + 1 :]

    @staticmethod
    def _already_written(item: Prepared, err: Mapping[str, Any]) -> bool:
        """A duplicate key on an insert that was sent before, by an attempt that failed mid-way."""
        return item.attempted and isinstance(item.model, InsertOne) and int(err.get("code", 0)) == DUPLICATE_KEY

    def _set_timeout(self, ms: int) -> None:
        try:
            self.context.timeout(ms)
        except (AttributeError, NotImplementedError):
            pass

    async def _rate_limit(self, cfg: TopicConfig) -> None:
        every = int(cfg.get(k.RATE_LIMITING_EVERY_N_CONFIG))
        timeout = int(cfg.get(k.RATE_LIMITING_TIMEOUT_CONFIG))
        if every <= 0 or timeout <= 0:
            return
        n = self._batches_since_pause.get(cfg.topic, 0) + 1
        if n >= every:
            n = 0
            log.debug("Rate limit: waiting %d ms after %d batches for topic %s", timeout, every, cfg.topic)
            await asyncio.sleep(timeout / 1000)
        self._batches_since_pause[cfg.topic] = n

    # -- failures -------------------------------------------------------------------------------------

    def _batch_failed(self, batch: Batch, items: list[Prepared], error: Exception) -> None:
        cfg = batch.config
        if cfg.errors.log:
            log.error(
                "Failed to put into the sink the following records: %s", [p.record for p in items], exc_info=error
            )
        if not cfg.errors.tolerate:
            raise DataException(f"Failed to write to MongoDB {batch.namespace}: {error}") from error
        for p in items:
            self.report_failed(p.record, error)
            self._done.add(p.rid)

    def _record_failed(self, cfg: TopicConfig, record: SinkRecord, error: Exception) -> None:
        if cfg.errors.log:
            log.error("Unable to process record %r", record, exc_info=error)
        if not cfg.errors.tolerate:
            if isinstance(error, ConnectException):
                raise error
            raise DataException(f"Unable to process record: {error}") from error
        self.report_failed(record, error)

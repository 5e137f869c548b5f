"""``MongoSourceTask``: a change stream (optionally preceded by a copy of existing data) as SourceRecords.

Offsets are the Java connector's: partition ``{"ns": "mongodb://<hosts>/<db>[.<coll>]"}`` (or
``offset.partition.name``), offset ``{"_id": "<resume token as JSON>"}`` plus ``"copy": "true"`` while
copying existing data and ``"HEARTBEAT": "true"`` on heartbeats. A task started on offsets written by
the Java connector resumes right after the last event it published.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from bson import json_util
from pymongo import AsyncMongoClient
from pymongo.asynchronous.change_stream import AsyncChangeStream
from pymongo.errors import ConnectionFailure, OperationFailure, PyMongoError

from genesis_connectors.mongodb.client import create_client
from genesis_connectors.mongodb.source.config import MongoSourceConfig
from genesis_connectors.mongodb.source.copy_existing import CopyExisting
from genesis_connectors.mongodb.source.records import COPY_KEY, ID_FIELD, NS_KEY, RecordFactory, token_json
from genesis_worker.api import ConnectException, SourceRecord, SourceTask

log = logging.getLogger(__name__)

NAMESPACE_NOT_FOUND = 26
ILLEGAL_OPERATION = 20
UNKNOWN_FIELD = 40415
FAILED_TO_PARSE = 9
INVALIDATED_RESUME_TOKEN = 260
INVALID_CHANGE_STREAM_CODES = frozenset({260, 280, 286, 10334})


def change_stream_not_valid(e: PyMongoError) -> bool:
    """``StartedMongoSourceTask.changeStreamNotValid``: the resume token can no longer be used."""
    code = getattr(e, "code", None)
    if code in INVALID_CHANGE_STREAM_CODES:
        return True
    msg = str(e).lower()
    if "resume token" in msg or "resume point" in msg:
        return any(
            s in msg
            for s in ("not found", "does not exist", "invalid resume token", "no longer be in the oplog", "not a valid")
        )
    return False


def _does_not_support_start_after(e: OperationFailure) -> bool:
    return e.code in (FAILED_TO_PARSE, UNKNOWN_FIELD) and "startAfter" in str(e)


def _available(stream: AsyncChangeStream[Any]) -> int:
    """Documents already fetched by the cursor (Java's ``cursor.available()``)."""
    data = getattr(getattr(stream, "_cursor", None), "_data", None)
    return len(data) if data is not None else 0


class MongoSourceTask(SourceTask):
    """Publishes MongoDB change events (``com.mongodb.kafka.connect.MongoSourceConnector``'s task)."""

    def __init__(self) -> None:
        self.config: MongoSourceConfig | None = None
        self.client: AsyncMongoClient[dict[str, Any]] | None = None
        self.partition: dict[str, Any] = {}
        self.records: RecordFactory | None = None
        self.copier: CopyExisting | None = None
        self.cursor: AsyncChangeStream[dict[str, Any]] | None = None
        self._resume_token: Any = None  # where the next cursor starts (None: startup mode decides)
        self._supports_start_after = True
        self._running = False
        self._last_heartbeat = 0.0
        self._last_heartbeat_token = ""

    async def start(self, props: dict[str, str]) -> None:
        log.info("Starting MongoDB source task")
        try:
            self.config = MongoSourceConfig(props)
            self.partition = {NS_KEY: self.config.partition_name()}
            self.records = RecordFactory(self.config, self.partition)
        except Exception as e:
            raise ConnectException(f"Failed to start MongoDB source task: {e}") from e
        offset = await self._stored_offset()
        self.client = create_client(self.config.uri, "source")
        copying = str((offset or {}).get(COPY_KEY, "false")).lower() == "true"
        if self.config.startup.mode == "copy_existing" and (offset is None or copying):
            self.copier = CopyExisting(self.config, self.client)
        elif offset is not None and ID_FIELD in offset and COPY_KEY not in offset:
            self._resume_token = json_util.loads(str(offset[ID_FIELD]))
        self._running = True
        # Like Java, the stream starts now (events after start() are published even if poll() comes later).
        if self.copier is not None:
            await self._remember_start_point()
        else:
            self.cursor = await self._open(self._resume_token)
        log.info("Started MongoDB source task (partition %s, offset %s)", self.partition, offset)

    async def _stored_offset(self) -> dict[str, Any] | None:
        context = getattr(self, "context", None)
        if context is None:
            return None
        return await context.offset_storage_reader.offset(self.partition)

    async def stop(self) -> None:
        log.info("Stopping MongoDB source task")
        self._running = False
        if self.copier is not None:
            await self.copier.close()
        await self._close_cursor()
        if self.client is not None:
            await self.client.close()
            self.client = None

    # -- poll -----------------------------------------------------------------------------------------

    async def poll(self) -> list[SourceRecord] | None:
        assert self.config is not None and self.records is not None
        if not self._running:
            return None
        if self.copier is not None:
            if self._resume_token is None and not self.copier.done and self.cursor is None:
                await self._remember_start_point()
            if not self.copier.done:
                events = await self.copier.next_batch(self.config.poll_max_batch_size)
                if events:
                    return self._to_records(events, copying=True) or None
            log.info("Finished copying existing data from the collection(s).")
            self.copier = None
        events = await self._next_events()
        records = self._to_records(events, copying=False)
        if records:
            return records
        heartbeat = self._heartbeat()
        return [heartbeat] if heartbeat is not None else None

    def _to_records(self, events: list[dict[str, Any]], copying: bool) -> list[SourceRecord]:
        assert self.records is not None
        out = []
        for event in events:
            record = self.records.record(event, copying)
            if record is not None:
                out.append(record)
        return out

    async def _remember_start_point(self) -> None:
        """Before copying: the point the change stream continues from once the copy is done."""
        cursor = await self._open(None)
        if cursor is None:
            return
        try:
            token = cursor.resume_token
            if token is None:
                event = await cursor.try_next()
                token = event[ID_FIELD] if event is not None else cursor.resume_token
            self._resume_token = token
        finally:
            await cursor.close()

    async def _next_events(self) -> list[dict[str, Any]]:
        assert self.config is not None
        if self.cursor is None:
            self.cursor = await self._open(self._resume_token)
            if self.cursor is None:
                await asyncio.sleep(min(self.config.poll_await_time_ms, 1000) / 1000)
                return []
        elif not self.cursor.alive:
            log.info("Cursor has been closed by the server - reinitializing")
            await self._close_cursor()
            self._resume_token = None
            return []
        batch: list[dict[str, Any]] = []
        cursor = self.cursor  # stop() may clear self.cursor while we wait
        try:
            while len(batch) < self.config.poll_max_batch_size:
                event = await cursor.try_next()
                if event is None:
                    break
                batch.append(event)
                self._resume_token = event[ID_FIELD]
                if _available(cursor) == 0:
                    break
        except PyMongoError as e:
            await self._close_cursor()
            if self._running:
                if self.config.tolerate_errors and change_stream_not_valid(e):
                    self._skip_lost_history(e)
                else:
                    log.info("An exception occurred when trying to get the next item from the Change Stream: %s", e)
        return batch

    async def _open(self, token: Any) -> AsyncChangeStream[dict[str, Any]] | None:
        """``tryCreateCursor``: start after ``token`` (or per the startup mode when None)."""
        cfg = self.config
        assert cfg is not None and self.client is not None
        kwargs: dict[str, Any] = {
            "full_document": cfg.full_document,
            "full_document_before_change": cfg.full_document_before_change,
            "max_await_time_ms": cfg.poll_await_time_ms,
            "collation": cfg.collation,
        }
        if int(cfg.get("batch.size")) > 0:
            kwargs["batch_size"] = int(cfg.get("batch.size"))
        if token is not None:
            kwargs["start_after" if self._supports_start_after else "resume_after"] = token
            log.info("Resuming the change stream after the previous offset: %s", token_json(token))
        elif cfg.startup.mode == "timestamp" and cfg.startup.start_at is not None:
            kwargs["start_at_operation_time"] = cfg.startup.start_at
            log.info("New change stream cursor created without offset but at the configured operation time.")
        else:
            log.info("New change stream cursor created without offset.")
        if cfg.collection:
            target: Any = self.client[cfg.database][cfg.collection]
        elif cfg.database:
            target = self.client[cfg.database]
        else:
            target = self.client
        try:
            return await target.watch(cfg.pipeline, **kwargs)
        except OperationFailure as e:
            if token is not None:
                if e.code == INVALIDATED_RESUME_TOKEN:
                    log.warning("The stored resume token was invalidated (%s); starting a new change stream", e)
                    self._resume_token = None
                    return await self._open(None)
                if _does_not_support_start_after(e) and self._supports_start_after:
                    self._supports_start_after = False
                    return await self._open(token)
                if change_stream_not_valid(e):
                    if cfg.tolerate_errors:
                        self._skip_lost_history(e, token)
                        return await self._open(None)
                    log.warning(
                        "Failed to resume change stream: %s %s\n"
                        "If the resume token is no longer available then there is the potential for data loss.\n"
                        "Saved resume tokens are managed by Kafka and stored with the offset data.\n"
                        "To restart the change stream with no resume token either:\n"
                        "  * Create a new partition name using the `offset.partition.name` configuration.\n"
                        "  * Set `errors.tolerance=all` and ignore the erroring resume token.\n"
                        "  * Manually remove the old offset from its configured storage.",
                        e.details.get("errmsg") if e.details else e,
                        e.code,
                    )
                    raise ConnectException("ResumeToken not found. Cannot create a change stream cursor") from e
            if e.code == NAMESPACE_NOT_FOUND:
                log.info("Namespace not found cursor closed.")
                return None
            if e.code == ILLEGAL_OPERATION:
                raise ConnectException(f"Illegal $changeStream operation: {e}") from e
            if e.code == UNKNOWN_FIELD:
                raise ConnectException(
                    f"Invalid operation: {e} {e.code}. It is likely that you are trying to use functionality "
                    "unsupported by your version of MongoDB."
                ) from e
            log.warning("Failed to create the change stream cursor: %s (code %s); retrying", e, e.code)
            return None
        except ConnectionFailure as e:
            log.warning("Cannot reach MongoDB to create the change stream cursor: %s; retrying", e)
            return None

    def _skip_lost_history(self, e: PyMongoError, token: Any = None) -> None:
        token = token if token is not None else self._resume_token
        log.warning(
            "Failed to resume change stream: %s %s\n"
            "When the resume token is no longer available there is the potential for data loss.\n"
            "Restarting the change stream with no resume token because `errors.tolerance=all`: every change after "
            "resume token %s up to now is skipped and will not be published.",
            e,
            getattr(e, "code", None),
            token_json(token) if token is not None else "(none)",
        )
        self._resume_token = None

    def _heartbeat(self) -> SourceRecord | None:
        cfg = self.config
        assert cfg is not None and self.records is not None
        if self.cursor is None or cfg.heartbeat_interval_ms <= 0:
            return None
        now = time.monotonic()
        if (now - self._last_heartbeat) * 1000 <= cfg.heartbeat_interval_ms:
            return None
        self._last_heartbeat = now
        token = self.cursor.resume_token
        if token is None:
            return None
        text = token_json(token)
        if text == self._last_heartbeat_token:
            return None
        self._last_heartbeat_token = text
        log.info("Generating heartbeat event. %s", text)
        return self.records.heartbeat(token)

    async def _close_cursor(self) -> None:
        if self.cursor is not None:
            try:
                await self.cursor.close()
            except PyMongoError:
                pass
            self.cursor = None

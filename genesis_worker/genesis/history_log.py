"""Where the audit history lives, so that it survives every worker's restart:

* distributed: a topic of its own (``genesis.history.topic``), one partition (one order, the record's
  offset is its id), ``cleanup.policy=delete`` with ``genesis.history.retention.ms``, created on start
  like Connect's internal topics; every worker reads it from the beginning and follows it
  (:class:`~genesis_worker.storage.kafka_log.KafkaBasedLog`);
* standalone: an append-only JSON-lines file (``genesis.history.file``, by default next to the offsets
  file), read at start; the line number is the record's id;
* without either (tests, embedded herders): in memory.

Each record is appended once, by the worker that applied the change (:mod:`genesis_worker.genesis.audit`),
and reaches every worker's :class:`ConfigHistory` when read back.
"""

from __future__ import annotations

import abc
import asyncio
import logging
import os
from dataclasses import replace
from pathlib import Path

from genesis_worker.config.kafka_clients import translate
from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.genesis.history import ConfigHistory, HistoryRecord
from genesis_worker.storage.kafka_log import KafkaBasedLog, LogRecord, TopicSpec

log = logging.getLogger(__name__)

TOPIC_CONFIG = "genesis.history.topic"
REPLICATION_FACTOR_CONFIG = "genesis.history.topic.replication.factor"
RETENTION_CONFIG = "genesis.history.retention.ms"
FILE_CONFIG = "genesis.history.file"
DEFAULT_RETENTION_MS = 90 * 24 * 3600 * 1000
APPEND_TIMEOUT_S = 15.0
"""A change's REST answer waits at most this long for its history record (the broker's ack, then reading
it back); librdkafka gives up delivering it after as long."""


class HistoryLog(abc.ABC):
    """An append-only log of :class:`HistoryRecord`, read back into a :class:`ConfigHistory`."""

    def __init__(self, history: ConfigHistory) -> None:
        self.history = history

    async def start(self) -> None:  # noqa: B027 - nothing to read for the memory log
        """Read the whole log into ``history`` (and, for a topic, keep following it)."""

    @abc.abstractmethod
    async def append(self, record: HistoryRecord) -> None:
        """Write ``record``; returns once it is durable and in ``history``."""

    async def catch_up(self) -> None:  # noqa: B027 - one process writes the memory log and the file
        """Read what other workers appended until now (a topic)."""

    async def stop(self) -> None:  # noqa: B027 - nothing to close for the memory log
        """Release the log's clients or files."""


class MemoryHistoryLog(HistoryLog):
    async def append(self, record: HistoryRecord) -> None:
        self.history.add(record)


class KafkaHistoryLog(HistoryLog):
    """The history topic, read from the beginning and followed by every worker."""

    def __init__(
        self,
        history: ConfigHistory,
        topic: str,
        client_config: dict[str, object],
        *,
        replication_factor: int = -1,
        retention_ms: int = DEFAULT_RETENTION_MS,
        client_id: str | None = None,
    ) -> None:
        super().__init__(history)
        self.log = KafkaBasedLog(
            topic,
            client_config,
            self._on_record,
            spec=TopicSpec(
                partitions=1,
                replication_factor=replication_factor,
                config={"retention.ms": str(retention_ms)},
                config_key=TOPIC_CONFIG,
                purpose="the Genesis audit history",
                exact_partitions=1,
                cleanup_policy="delete",
            ),
            producer_config={"message.timeout.ms": int(APPEND_TIMEOUT_S * 1000)},
            client_id=client_id,
        )

    def _on_record(self, rec: LogRecord) -> None:
        if rec.value is None:
            return
        record = HistoryRecord.decode(rec.value, rec.offset)
        if record is not None:
            self.history.add(record)

    async def start(self) -> None:
        await self.log.start()

    async def append(self, record: HistoryRecord) -> None:
        written = await self.log.send(record.connector.encode(), record.encode())
        await asyncio.wait_for(self.log.read_through([written]), APPEND_TIMEOUT_S)

    async def catch_up(self) -> None:
        await asyncio.wait_for(self.log.read_to_end(confirm_end=False), APPEND_TIMEOUT_S)

    async def stop(self) -> None:
        await self.log.stop()


class FileHistoryLog(HistoryLog):
    """An append-only JSON-lines file (standalone); each append is flushed and fsynced."""

    def __init__(self, history: ConfigHistory, path: str | Path) -> None:
        super().__init__(history)
        self.path = Path(path)
        self._lines = 0
        self._needs_newline = False
        self._lock = asyncio.Lock()

    def _read(self) -> list[bytes]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        self._needs_newline = bool(data) and not data.endswith(b"\n")  # a write cut short by a crash
        return data.splitlines()

    async def start(self) -> None:
        lines = await asyncio.get_running_loop().run_in_executor(None, self._read)
        for position, line in enumerate(lines):
            record = HistoryRecord.decode(line, position) if line.strip() else None
            if record is not None:
                self.history.add(record)
        self._lines = len(lines)

    def _write(self, line: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "ab") as f:
            f.write((b"\n" if self._needs_newline else b"") + line + b"\n")
            f.flush()
            os.fsync(f.fileno())
        self._needs_newline = False

    async def append(self, record: HistoryRecord) -> None:
        async with self._lock:
            await asyncio.get_running_loop().run_in_executor(None, self._write, record.encode())
            self.history.add(replace(record, id=self._lines))  # a cut line was counted: ours is the next
            self._lines += 1


def history_log(config: WorkerConfig, history: ConfigHistory) -> HistoryLog:
    """The history log a worker configured by ``config`` keeps (see the module doc for the keys)."""
    props = config.originals
    if config.mode == "distributed":
        group = str(props.get("group.id") or "connect-cluster")
        rf = props.get(REPLICATION_FACTOR_CONFIG, props.get("config.storage.replication.factor", 3))
        return KafkaHistoryLog(
            history,
            str(props.get(TOPIC_CONFIG) or f"{group}-genesis-history"),
            translate(config.worker_client_props(), "admin").conf,
            replication_factor=int(str(rf)),
            retention_ms=int(str(props.get(RETENTION_CONFIG, DEFAULT_RETENTION_MS))),
            client_id=f"{group}-genesis-history",
        )
    path = props.get(FILE_CONFIG)
    offsets = props.get("offset.storage.file.filename")
    if not path and offsets:
        path = f"{offsets}.history.jsonl"
    return FileHistoryLog(history, str(path)) if path else MemoryHistoryLog(history)

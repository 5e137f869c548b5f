"""FileStreamSourceConnector: one line of a file (or stdin) per record, like Kafka's example connector.

Same keys (``file``, ``topic``, ``batch.size``) and the same source offsets as Java:
partition ``{"filename": <path>}``, offset ``{"position": <byte position after the line>}``, so a task
taking over from a Java worker resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Mapping
from typing import IO, Any, ClassVar

from genesis_worker.api import (
    ConfigDef,
    ConfigException,
    ConfigType,
    Importance,
    Range,
    Schema,
    SourceConnector,
    SourceRecord,
    SourceTask,
)
from genesis_worker.api.lineage import Endpoint, Lineage
from genesis_worker.api.validators import NonEmptyString

log = logging.getLogger(__name__)

FILE_CONFIG = "file"
TOPIC_CONFIG = "topic"
TASK_BATCH_SIZE_CONFIG = "batch.size"
DEFAULT_TASK_BATCH_SIZE = 2000
READ_CHUNK = 1 << 20  # bytes read from a file per poll
FILENAME_FIELD = "filename"
POSITION_FIELD = "position"

CONFIG_DEF = (
    ConfigDef()
    .define(
        FILE_CONFIG,
        ConfigType.STRING,
        None,
        None,
        Importance.HIGH,
        "Source filename. If not specified, the standard input will be used",
    )
    .define(TOPIC_CONFIG, ConfigType.STRING, None, NonEmptyString(), Importance.HIGH, "The topic to publish data to")
    .define(
        TASK_BATCH_SIZE_CONFIG,
        ConfigType.INT,
        DEFAULT_TASK_BATCH_SIZE,
        Range.at_least(1),
        Importance.LOW,
        "The maximum number of records the source task can read from the file each time it is polled",
    )
)


class FileStreamSourceConnector(SourceConnector):
    """Reads lines from a file and writes them to a topic (one task)."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.file.FileStreamSourceConnector",)

    def __init__(self) -> None:
        self.props: dict[str, str] = {}

    def lineage(self, config: Mapping[str, str]) -> Lineage:
        out = [Endpoint("kafka", config[TOPIC_CONFIG].strip())] if (config.get(TOPIC_CONFIG) or "").strip() else []
        return Lineage(inputs=[Endpoint("file", config.get(FILE_CONFIG) or "stdin")], outputs=out)

    def config(self) -> ConfigDef:
        return CONFIG_DEF

    async def start(self, props: dict[str, str]) -> None:
        parsed = CONFIG_DEF.parse(props)
        if not parsed[TOPIC_CONFIG]:
            raise ConfigException('Missing required configuration "topic" which has no default value.', TOPIC_CONFIG)
        self.props = dict(props)

    def task_class(self) -> type[SourceTask]:
        return FileStreamSourceTask

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        # Only one input stream makes sense; Connect 4.4 hands the connector's config to its one task.
        return [dict(self.props)]

    async def stop(self) -> None:
        return None

    async def alter_offsets(self, connector_config: Mapping[str, str], offsets: Mapping[Any, Any]) -> bool:
        return True


class FileStreamSourceTask(SourceTask):
    """Tails the file; each newline-terminated line becomes a string record."""

    java_class_name = "org.apache.kafka.connect.file.FileStreamSourceTask"

    def __init__(self) -> None:
        self.filename: str | None = None
        self.stream: IO[bytes] | None = None
        self.position = 0
        self.buffer = b""
        self.topic = ""
        self.batch_size = DEFAULT_TASK_BATCH_SIZE

    async def start(self, props: dict[str, str]) -> None:
        self.filename = props.get(FILE_CONFIG) or None
        self.topic = props[TOPIC_CONFIG]
        self.batch_size = int(props.get(TASK_BATCH_SIZE_CONFIG, DEFAULT_TASK_BATCH_SIZE))

    def _partition(self) -> dict[str, Any] | None:
        return {FILENAME_FIELD: self.filename} if self.filename else None

    async def _open(self) -> bool:
        if self.stream is not None:
            return True
        if self.filename is None:
            self.stream = sys.stdin.buffer
            return True
        try:
            self.stream = open(self.filename, "rb")  # noqa: ASYNC230 (local file, kept open)
        except FileNotFoundError:
            log.warning(
                "Couldn't find file %s for FileStreamSourceTask, sleeping to wait for it to be created", self.filename
            )
            await asyncio.sleep(1)
            return False
        offset = await self.context.offset_storage_reader.offset({FILENAME_FIELD: self.filename})
        if offset is not None:
            last = offset.get(POSITION_FIELD)
            if last is not None and not isinstance(last, int):
                raise ConfigException("Offset position is the incorrect type")
            if last is not None:
                self.stream.seek(last)
                self.position = last
        return True

    async def poll(self) -> list[SourceRecord] | None:
        if not await self._open():
            return None
        assert self.stream is not None
        stream = self.stream
        if self.filename is None:  # stdin may block: read what is available in a thread
            chunk = await asyncio.get_running_loop().run_in_executor(None, os.read, stream.fileno(), 1 << 16)
        elif len(self.buffer) < READ_CHUNK or b"\n" not in self.buffer:  # else lines are buffered already
            chunk = stream.read(READ_CHUNK)
        else:
            chunk = b""
        buf = self.buffer + chunk if chunk else self.buffer
        records: list[SourceRecord] = []
        # one partition map for the whole batch (the runtime checks a partition once per distinct object)
        partition = self._partition()
        topic, schema, named = self.topic, Schema.STRING_SCHEMA, self.filename is not None
        position, start, limit = self.position, 0, self.batch_size
        append = records.append
        while len(records) < limit:
            nl = buf.find(b"\n", start)
            if nl < 0:
                break
            line = buf[start:nl].rstrip(b"\r").decode("utf-8", errors="replace")
            position += nl + 1 - start
            start = nl + 1
            append(
                SourceRecord(
                    partition, {POSITION_FIELD: position} if named else None, topic, None, None, None, schema, line
                )
            )
        self.position = position
        self.buffer = buf[start:]  # one copy per poll, not one per line
        if not records:
            await asyncio.sleep(0.2 if not chunk else 0)
            return None
        return records

    async def stop(self) -> None:
        if self.stream is not None and self.filename is not None:
            self.stream.close()
        self.stream = None

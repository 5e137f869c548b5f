"""FileStreamSinkConnector: writes each record's value as a line to a file (or stdout), like Kafka's
example connector (keys ``file``, ``topics``/``topics.regex``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import IO, Any, ClassVar

from genesis_worker.api import ConfigDef, ConfigType, Importance, SinkConnector, SinkRecord, SinkTask, TopicPartition
from genesis_worker.api.lineage import Endpoint, Lineage

FILE_CONFIG = "file"

CONFIG_DEF = ConfigDef().define(
    FILE_CONFIG,
    ConfigType.STRING,
    None,
    None,
    Importance.HIGH,
    "Destination filename. If not specified, the standard output will be used",
)


class FileStreamSinkConnector(SinkConnector):
    """Appends record values to a file, one per line."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.file.FileStreamSinkConnector",)

    def __init__(self) -> None:
        self.props: dict[str, str] = {}

    def config(self) -> ConfigDef:
        return CONFIG_DEF

    async def start(self, props: dict[str, str]) -> None:
        self.props = dict(props)

    def task_class(self) -> type[SinkTask]:
        return FileStreamSinkTask

    def lineage(self, config: Mapping[str, str]) -> Lineage:
        lineage = super().lineage(config)
        lineage.outputs.append(Endpoint("file", config.get(FILE_CONFIG) or "stdout"))
        return lineage

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        cfg = {FILE_CONFIG: self.props[FILE_CONFIG]} if self.props.get(FILE_CONFIG) else {}
        return [dict(cfg) for _ in range(max_tasks)]

    async def stop(self) -> None:
        return None

    async def alter_offsets(self, connector_config: Mapping[str, str], offsets: Mapping[Any, int | None]) -> bool:
        return True


def _text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


class FileStreamSinkTask(SinkTask):
    java_class_name = "org.apache.kafka.connect.file.FileStreamSinkTask"

    def __init__(self) -> None:
        self.out: IO[str] | None = None
        self.filename: str | None = None

    async def start(self, props: dict[str, str]) -> None:
        self.filename = props.get(FILE_CONFIG) or None
        self.out = open(self.filename, "a", encoding="utf-8") if self.filename else sys.stdout  # noqa: ASYNC230

    async def put(self, records: list[SinkRecord]) -> None:
        if records and self.out is not None:
            self.out.write("".join(_text(r.value) + "\n" for r in records))

    async def flush(self, current_offsets: Mapping[TopicPartition, int]) -> None:
        if self.out is not None:
            self.out.flush()
            if self.filename:
                os.fsync(self.out.fileno())

    async def stop(self) -> None:
        if self.out is not None and self.filename:
            self.out.close()
        self.out = None

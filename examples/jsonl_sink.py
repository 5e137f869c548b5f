"""A complete sink connector in one page: append each record as a JSON line to a file.

Copy this file to start a connector. Use it with::

    connector.class=examples.jsonl_sink.JsonLinesSinkConnector
    topics=ad-clicks
    path=/data/ad-clicks.jsonl
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import orjson

from genesis_worker.api import ConfigDef, ConfigType, Importance, SinkConnector, SinkRecord, SinkTask, TopicPartition

CONFIG = ConfigDef().define("path", ConfigType.STRING, importance=Importance.HIGH, documentation="File to append to.")


class JsonLinesSinkConnector(SinkConnector):
    """Writes every record of ``topics`` to ``path`` as one JSON object per line."""

    def config(self) -> ConfigDef:
        return CONFIG  # one definition drives validation, REST and docs

    async def start(self, props: dict[str, str]) -> None:
        self.props = props

    def task_class(self) -> type[SinkTask]:
        return JsonLinesSinkTask

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        return [dict(self.props)]  # one task: a single file has a single writer

    async def stop(self) -> None:
        pass


def _json(v: Any) -> Any:
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else v


class JsonLinesSinkTask(SinkTask):
    async def start(self, props: dict[str, str]) -> None:
        self.path = CONFIG.parse(props)["path"]
        self.buffer: list[bytes] = []

    async def put(self, records: list[SinkRecord]) -> None:
        for r in records:  # buffer only; durability comes in flush()
            line = {
                "topic": r.topic,
                "partition": r.kafka_partition,
                "offset": r.kafka_offset,
                "key": _json(r.key),
                "value": _json(r.value),
            }
            self.buffer.append(orjson.dumps(line, default=str) + b"\n")

    async def flush(self, current_offsets: Mapping[TopicPartition, int]) -> None:
        data, self.buffer = b"".join(self.buffer), []
        await asyncio.to_thread(self._append, data)  # offsets are committed only after this returns

    def _append(self, data: bytes) -> None:
        import os

        with open(self.path, "ab") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())

    async def stop(self) -> None:
        self.buffer = []

"""A sink for the lag tests (loaded by dotted path): it takes every record and commits what it consumed,
until the file named by ``freeze.file`` exists; from then on it keeps consuming but commits nothing (a sink
stuck before its offsets move, while its consumer stays in the group)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping

from genesis_worker.api import SinkConnector, SinkRecord, SinkTask
from genesis_worker.api.config import ConfigDef, ConfigType, Importance
from genesis_worker.api.records import TopicPartition


class FreezingSinkConnector(SinkConnector):
    def config(self) -> ConfigDef:
        return ConfigDef().define("freeze.file", ConfigType.STRING, None, None, Importance.HIGH, "Stop committing.")

    async def start(self, props: dict[str, str]) -> None:
        self.props = dict(props)

    def task_class(self) -> type[SinkTask]:
        return FreezingSinkTask

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        return [dict(self.props) for _ in range(max_tasks)]

    async def stop(self) -> None:
        pass


class FreezingSinkTask(SinkTask):
    async def start(self, props: dict[str, str]) -> None:
        self.freeze = props["freeze.file"]

    async def put(self, records: list[SinkRecord]) -> None:
        pass

    async def pre_commit(self, current_offsets: Mapping[TopicPartition, int]) -> dict[TopicPartition, int]:
        frozen = await asyncio.to_thread(os.path.exists, self.freeze)
        return {} if frozen else dict(current_offsets)

    async def stop(self) -> None:
        pass

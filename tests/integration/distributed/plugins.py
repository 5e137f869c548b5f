"""Connectors used by the distributed-mode tests (loaded by dotted path, in-process or in worker
subprocesses started from the repository root).

* ``SeqSourceConnector``: ``tasks.max`` tasks; task *i* writes keys ``<i>-<seq>`` to ``topic``, resuming from
  its committed source offset ``{"seq": n}`` under partition ``{"task": i}``.
* ``FlakySourceConnector``: the connector fails its first ``fail.connector.starts`` starts, each task its
  first ``fail.task.starts`` starts (counted per process in :data:`STARTS`), then they run, producing nothing
  (the automatic restart tests).
* ``FileSinkConnector``: appends every record key to ``<dir>/<connector>-<task>.out``; ``flush`` fsyncs, so
  what was committed is on disk (at-least-once).

Task and connector lifecycles are counted in :data:`EVENTS` (per process) for the "tasks that did not move
never stopped" checks.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import Mapping
from typing import Any

from genesis_worker.api import SinkConnector, SinkRecord, SinkTask, SourceConnector, SourceRecord, SourceTask
from genesis_worker.api.config import ConfigDef, ConfigType, Importance
from genesis_worker.api.records import TopicPartition

EVENTS: Counter[tuple[str, str]] = Counter()
"""(event, "<connector>-<task>" or connector name) -> count; events: start, stop, connector-start, connector-stop."""


def reset_events() -> None:
    EVENTS.clear()


class SeqSourceConnector(SourceConnector):
    def config(self) -> ConfigDef:
        return (
            ConfigDef()
            .define("topic", ConfigType.STRING, None, None, Importance.HIGH, "Topic to write to.")
            .define("records.per.task", ConfigType.INT, -1, None, Importance.LOW, "Stop after this many (-1: never).")
            .define("batch.size", ConfigType.INT, 50, None, Importance.LOW, "Records per poll.")
            .define("poll.interval.ms", ConfigType.INT, 20, None, Importance.LOW, "Sleep between polls.")
        )

    async def start(self, props: dict[str, str]) -> None:
        self.props = dict(props)
        EVENTS["connector-start", props.get("name", "")] += 1

    def task_class(self) -> type[SourceTask]:
        return SeqSourceTask

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        keep = ("topic", "records.per.task", "batch.size", "poll.interval.ms", "name")
        base = {k: v for k, v in self.props.items() if k in keep}
        return [{**base, "task.index": str(i)} for i in range(max_tasks)]

    async def stop(self) -> None:
        EVENTS["connector-stop", self.props.get("name", "")] += 1


class SeqSourceTask(SourceTask):
    async def start(self, props: dict[str, str]) -> None:
        self.name = props.get("name", "")
        self.index = int(props["task.index"])
        self.topic = props["topic"]
        self.limit = int(props.get("records.per.task", "-1"))
        self.batch = int(props.get("batch.size", "50"))
        self.interval = int(props.get("poll.interval.ms", "20")) / 1000
        self.partition = {"task": self.index}
        committed = await self.context.offset_storage_reader.offset(self.partition)
        self.next_seq = int(committed["seq"]) + 1 if committed else 0
        EVENTS["start", f"{self.name}-{self.index}"] += 1

    async def poll(self) -> list[SourceRecord] | None:
        await asyncio.sleep(self.interval)
        if 0 <= self.limit <= self.next_seq:
            return None
        end = self.next_seq + self.batch if self.limit < 0 else min(self.limit, self.next_seq + self.batch)
        out = [
            SourceRecord(self.partition, {"seq": s}, self.topic, key=f"{self.index}-{s}", value=f"v{s}")
            for s in range(self.next_seq, end)
        ]
        self.next_seq = end
        return out

    async def stop(self) -> None:
        if hasattr(self, "index"):  # stop may come before start finished
            EVENTS["stop", f"{self.name}-{self.index}"] += 1


class FileSinkConnector(SinkConnector):
    def config(self) -> ConfigDef:
        return ConfigDef().define("dir", ConfigType.STRING, None, None, Importance.HIGH, "Output folder.")

    async def start(self, props: dict[str, str]) -> None:
        self.props = dict(props)
        EVENTS["connector-start", props.get("name", "")] += 1

    def task_class(self) -> type[SinkTask]:
        return FileSinkTask

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        return [{**self.props, "task.index": str(i)} for i in range(max_tasks)]

    async def stop(self) -> None:
        EVENTS["connector-stop", self.props.get("name", "")] += 1


class FileSinkTask(SinkTask):
    async def start(self, props: dict[str, str]) -> None:
        self.name = props.get("name", "")
        self.index = int(props["task.index"])
        os.makedirs(props["dir"], exist_ok=True)
        self.path = os.path.join(props["dir"], f"{self.name}-{self.index}.out")
        self.out = open(self.path, "a", encoding="utf-8")  # noqa: ASYNC230
        EVENTS["start", f"{self.name}-{self.index}"] += 1

    async def put(self, records: list[SinkRecord]) -> None:
        for r in records:
            key = r.key.decode() if isinstance(r.key, bytes) else r.key
            self.out.write(f"{key}\n")

    async def flush(self, current_offsets: Mapping[TopicPartition, int]) -> None:
        self.out.flush()
        await asyncio.to_thread(os.fsync, self.out.fileno())

    async def stop(self) -> None:
        self.out.flush()
        self.out.close()
        EVENTS["stop", f"{self.name}-{self.index}"] += 1


def read_sink_keys(folder: str, connector: str) -> list[str]:
    keys: list[str] = []
    if not os.path.isdir(folder):
        return keys
    for fn in sorted(os.listdir(folder)):
        if fn.startswith(f"{connector}-") and fn.endswith(".out"):
            with open(os.path.join(folder, fn), encoding="utf-8") as f:
                keys.extend(line.strip() for line in f if line.strip())
    return keys


def class_path(cls: type[Any]) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


class DynamicSourceConnector(SourceConnector):
    """Its task count is the integer in ``tasks.file``; when the file changes the connector asks the
    framework for a task reconfiguration (like a JDBC source discovering new tables)."""

    def config(self) -> ConfigDef:
        return (
            ConfigDef()
            .define("tasks.file", ConfigType.STRING, None, None, Importance.HIGH, "File holding the task count.")
            .define("topic", ConfigType.STRING, None, None, Importance.HIGH, "Topic to write to.")
        )

    async def start(self, props: dict[str, str]) -> None:
        self.props = dict(props)
        self.count = self._read()
        self._watch = asyncio.create_task(self._watch_file())
        EVENTS["connector-start", props.get("name", "")] += 1

    def _read(self) -> int:
        try:
            with open(self.props["tasks.file"], encoding="utf-8") as f:
                return int(f.read().strip() or "0")
        except (OSError, ValueError):
            return 0

    async def _watch_file(self) -> None:
        while True:
            await asyncio.sleep(0.1)
            n = self._read()
            if n != self.count:
                self.count = n
                self.context.request_task_reconfiguration()

    def task_class(self) -> type[SourceTask]:
        return SeqSourceTask

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        base = {"topic": self.props["topic"], "name": self.props.get("name", ""), "records.per.task": "0"}
        return [{**base, "task.index": str(i)} for i in range(min(self.count, max_tasks))]

    async def stop(self) -> None:
        self._watch.cancel()
        EVENTS["connector-stop", self.props.get("name", "")] += 1


STARTS: Counter[str] = Counter()
"""``<connector>`` or ``<connector>-<task>`` -> starts of :class:`FlakySourceConnector` (or its tasks) so far."""


class FlakySourceConnector(SourceConnector):
    async def start(self, props: dict[str, str]) -> None:
        self.props = dict(props)
        name = props.get("name", "")
        STARTS[name] += 1
        if STARTS[name] <= int(props.get("fail.connector.starts", "0")):
            raise RuntimeError(f"connector start {STARTS[name]} fails on purpose")

    def task_class(self) -> type[SourceTask]:
        return FlakySourceTask

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        return [{**self.props, "task.index": str(i)} for i in range(max_tasks)]

    async def stop(self) -> None:
        pass


class FlakySourceTask(SourceTask):
    async def start(self, props: dict[str, str]) -> None:
        key = f"{props.get('name', '')}-{props['task.index']}"
        STARTS[key] += 1
        if STARTS[key] <= int(props.get("fail.task.starts", "0")):
            raise RuntimeError(f"task start {STARTS[key]} fails on purpose")

    async def poll(self) -> list[SourceRecord] | None:
        await asyncio.sleep(0.1)
        return None

    async def stop(self) -> None:
        pass

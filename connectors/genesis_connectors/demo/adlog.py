"""AdLogDemoSource: generates sample ad-log events (impressions, clicks, conversions) as schemaless maps
(JSON with ``value.converter=JsonConverter`` and ``schemas.enable=false``).

Deterministic for a given seed; the source offset ``{"seq": n}`` makes a restarted task continue the
sequence instead of starting over. Config: ``topic`` (required), ``events.per.second`` (100),
``max.events`` (-1 = forever), ``seed`` (42).
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any, ClassVar

from genesis_worker.api import (
    ConfigDef,
    ConfigType,
    Importance,
    Range,
    Schema,
    SourceConnector,
    SourceRecord,
    SourceTask,
)

CONFIG_DEF = (
    ConfigDef()
    .define("topic", ConfigType.STRING, importance=Importance.HIGH, documentation="Topic to write ad-log events to.")
    .define("events.per.second", ConfigType.INT, 100, Range.at_least(1), Importance.MEDIUM, "Target event rate.")
    .define(
        "max.events", ConfigType.LONG, -1, None, Importance.LOW, "Stop producing after this many events (-1: never)."
    )
    .define("seed", ConfigType.LONG, 42, None, Importance.LOW, "Random seed of the generator.")
)

_CAMPAIGNS = ["spring-sale", "new-user", "retarget", "brand"]
_PLACEMENTS = ["feed", "search", "banner", "video"]


def make_event(seq: int, seed: int) -> dict[str, Any]:
    """The ``seq``-th event of the generator (pure function of seq and seed)."""
    rnd = random.Random(seed * 1_000_003 + seq)
    kind = rnd.choices(["impression", "click", "conversion"], weights=[90, 9, 1])[0]
    return {
        "event_id": f"ev-{seed}-{seq}",
        "type": kind,
        "ts": int(time.time() * 1000),
        "user_id": f"u{rnd.randrange(10000)}",
        "ad_id": f"ad{rnd.randrange(500)}",
        "campaign": rnd.choice(_CAMPAIGNS),
        "placement": rnd.choice(_PLACEMENTS),
        "cost_micros": rnd.randrange(100, 5000) if kind != "conversion" else 0,
        "value_micros": rnd.randrange(1_000_000, 50_000_000) if kind == "conversion" else 0,
    }


class AdLogDemoSourceConnector(SourceConnector):
    """Writes sample ad-log events to ``topic`` (one task)."""

    java_class_names: ClassVar[tuple[str, ...]] = ("genesis.connectors.demo.AdLogDemoSourceConnector",)

    def __init__(self) -> None:
        self.props: dict[str, str] = {}

    def config(self) -> ConfigDef:
        return CONFIG_DEF

    async def start(self, props: dict[str, str]) -> None:
        CONFIG_DEF.parse(props)
        self.props = dict(props)

    def task_class(self) -> type[SourceTask]:
        return AdLogDemoSourceTask

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        return [{k: v for k, v in self.props.items() if k in CONFIG_DEF}]

    async def stop(self) -> None:
        return None


class AdLogDemoSourceTask(SourceTask):
    PARTITION: ClassVar[dict[str, str]] = {"generator": "adlog-demo"}

    async def start(self, props: dict[str, str]) -> None:
        cfg = CONFIG_DEF.parse(props)
        self.topic: str = cfg["topic"]
        self.rate: int = cfg["events.per.second"]
        self.max_events: int = cfg["max.events"]
        self.seed: int = cfg["seed"]
        offset = await self.context.offset_storage_reader.offset(self.PARTITION)
        self.seq = int(offset["seq"]) if offset and "seq" in offset else 0
        self.stopped = asyncio.Event()

    async def poll(self) -> list[SourceRecord] | None:
        if self.max_events >= 0 and self.seq >= self.max_events:
            await asyncio.sleep(0.5)
            return None
        batch = max(1, self.rate // 10)
        if self.max_events >= 0:
            batch = min(batch, self.max_events - self.seq)
        out = []
        for _ in range(batch):
            ev = make_event(self.seq, self.seed)
            self.seq += 1
            out.append(
                SourceRecord(
                    self.PARTITION,
                    {"seq": self.seq},
                    self.topic,
                    None,
                    Schema.STRING_SCHEMA,
                    ev["user_id"],
                    None,
                    ev,
                )
            )
        try:
            await asyncio.wait_for(self.stopped.wait(), 0.1)
        except TimeoutError:
            pass
        return out

    async def stop(self) -> None:
        if hasattr(self, "stopped"):
            self.stopped.set()

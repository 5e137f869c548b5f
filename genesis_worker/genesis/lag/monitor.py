"""The lag monitor: every ``genesis.lag.sample.interval.ms`` the worker that leads the cluster (standalone:
the worker itself) samples every sink pipeline's consumer group and log-end offsets with the Admin API (in a
thread), evaluates the windows with Burrow's rules, samples the source tasks' figures (from the workers
running them, through the cluster view), and records a point per
pipeline for the console's charts. Other workers keep nothing: the REST handlers raise
:class:`~genesis_worker.herder.errors.NotLeaderException` there and the request is forwarded to the leader.
A new leader starts with empty windows (its statuses fill in over one window)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable, Mapping
from typing import Any

from genesis_worker.api.errors import NotFoundException
from genesis_worker.config.genesis_keys import (
    LAG_MINIMUM_COMPLETE_CONFIG,
    LAG_SAMPLE_INTERVAL_MS_CONFIG,
    LAG_WINDOW_SIZE_CONFIG,
)
from genesis_worker.config.kafka_clients import translate
from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.genesis.cluster_view import ClusterMetrics, local_task_figures
from genesis_worker.genesis.lag.sampler import AdminSampler
from genesis_worker.genesis.lag.state import Point, Series, SinkLag, SourceLag
from genesis_worker.herder.base import Herder
from genesis_worker.herder.distributed import DistributedHerder
from genesis_worker.herder.errors import NotLeaderException
from genesis_worker.herder.offsets import sink_group_id
from genesis_worker.model.entities import ConnectorInfo

log = logging.getLogger(__name__)

NOT_LEADER = "Lag is evaluated by the leader"


class LagMonitor:
    def __init__(
        self,
        interval_ms: int = 30000,
        window_size: int = 10,
        minimum_complete: float = 0.5,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.interval_ms = interval_ms
        self.window_size = window_size
        self.min_samples = max(1, math.ceil(minimum_complete * window_size))
        self.clock = clock
        self.sinks: dict[str, SinkLag] = {}
        self.sources: dict[str, SourceLag] = {}
        self.series: dict[str, Series] = {}
        self.sampled_at: int | None = None
        self._herder: Herder | None = None
        self._sampler: AdminSampler | None = None
        self._task: asyncio.Task[None] | None = None
        self.cluster: ClusterMetrics | None = None
        """The cluster view that gathers the source tasks' figures from the workers running them."""

    @classmethod
    def of(cls, config: WorkerConfig) -> LagMonitor:
        return cls(
            config.get_int(LAG_SAMPLE_INTERVAL_MS_CONFIG),
            config.get_int(LAG_WINDOW_SIZE_CONFIG),
            config.get_float(LAG_MINIMUM_COMPLETE_CONFIG),
        )

    def attach(self, herder: Herder, config: WorkerConfig) -> None:
        """Sample ``herder``'s pipelines with an admin client of the worker's settings."""
        self._herder = herder
        props = config.connector_client_props("admin")
        props["client.id"] = f"genesis-lag-adminclient-{config.worker_id}"
        self._sampler = AdminSampler(translate(props, "admin").conf)

    async def start(self) -> None:
        if self._herder is not None and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="genesis-lag-monitor")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._sampler is not None:
            self._sampler.close()

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)

    def leading(self) -> bool:
        """True on the worker that evaluates lag: the leader, or a standalone worker."""
        herder = self._herder
        return not isinstance(herder, DistributedHerder) or herder.is_leader

    def require_leader(self) -> Herder:
        """The herder, on the worker that evaluates lag; else NotLeaderException (REST forwards)."""
        herder = self._herder
        if herder is None:
            raise NotFoundException("Lag is not monitored on this worker")
        if isinstance(herder, DistributedHerder) and not herder.is_leader:
            raise NotLeaderException(NOT_LEADER, herder.leader_url())
        return herder

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        due = loop.time()
        while True:
            due += self.interval_ms / 1000
            try:
                if self.leading():
                    await self.sample()
                else:
                    self._forget()
            except asyncio.CancelledError:
                raise
            except Exception as e:
                log.warning("Lag sample failed: %s", e)
            due = max(due, loop.time())  # a sample longer than the interval: the next one right away
            await asyncio.sleep(due - loop.time())

    def _forget(self) -> None:
        self.sinks.clear()
        self.sources.clear()
        self.series.clear()
        self.sampled_at = None

    async def _pipelines(self, herder: Herder) -> dict[str, tuple[str, dict[str, str]]]:
        """Every connector's type and config (a connector deleted meanwhile is left out)."""
        out: dict[str, tuple[str, dict[str, str]]] = {}
        for name in await herder.connectors():
            try:
                info = await herder.connector_info(name)
            except NotFoundException:
                continue
            out[name] = (info.type, dict(info.config))
        return out

    async def sample(self) -> None:
        """One sample of every pipeline (see the module doc)."""
        herder, sampler = self._herder, self._sampler
        assert herder is not None and sampler is not None
        pipelines = await self._pipelines(herder)
        groups = {n: sink_group_id(n, cfg) for n, (kind, cfg) in pipelines.items() if kind == "sink"}
        reading = await asyncio.to_thread(sampler.read, set(groups.values()))
        now = self._now_ms()
        for name in [n for n in (*self.sinks, *self.sources, *self.series) if n not in pipelines]:
            self.sinks.pop(name, None)
            self.sources.pop(name, None)
            self.series.pop(name, None)
        figures = await self._task_figures(herder)
        for name, (kind, _) in pipelines.items():
            series = self.series.setdefault(name, Series(self.interval_ms))
            if kind == "sink":
                group = groups[name]
                sink = self.sinks.get(name)
                if sink is None or sink.group != group:
                    sink = self.sinks[name] = SinkLag(group, self.window_size, self.min_samples)
                offsets = reading.groups.get(group)
                if offsets is None:
                    continue  # not readable this time: the windows wait for the next sample
                rate = sink.observe(offsets, reading.end_offsets, now)
                if rate is not None:
                    series.add(Point(now, round(rate, 3), sink.total_lag, sink.status.name))
            else:
                source = self.sources.setdefault(name, SourceLag())
                rate = source.observe((t for t in figures if t.get("connector") == name), now)
                if rate is not None:
                    series.add(Point(now, round(rate, 3), None, None))
        self.sampled_at = now

    async def _task_figures(self, herder: Herder) -> list[Mapping[str, Any]]:
        """The source tasks' figures: from every worker through the cluster view, else this worker's own."""
        if self.cluster is not None:
            try:
                return [f for f in await self.cluster.task_figures() if f.get("type") == "source"]
            except Exception as e:  # the view reports dead workers itself; this is for anything else
                log.debug("Cluster task figures failed, using this worker's: %s", e)
        local = local_task_figures(herder.metrics) if herder.metrics is not None else []
        return [f for f in local if f.get("type") == "source"]

    async def _info(self, name: str) -> ConnectorInfo:
        """The connector on the leader; NotFoundException (404) for an unknown connector."""
        return await self.require_leader().connector_info(name)

    async def connector_lag(self, name: str) -> dict[str, Any]:
        """``GET /genesis/connectors/{name}/lag`` (a sink not sampled yet: NOTFOUND, no partitions)."""
        info = await self._info(name)
        if info.type != "sink":
            return self.sources.get(name, SourceLag()).to_json(name, self._now_ms())
        sink = self.sinks.get(name) or SinkLag(sink_group_id(name, info.config), self.window_size, self.min_samples)
        answer = sink.to_json(name)
        if answer["evaluated_at"] is None:
            answer["evaluated_at"] = self.sampled_at
        return answer

    async def all_lag(self) -> dict[str, dict[str, Any]]:
        """``GET /genesis/lag``: every pipeline's type, status and total lag (sources: no status or lag)."""
        herder = self.require_leader()
        out: dict[str, dict[str, Any]] = {}
        for name, (kind, cfg) in sorted((await self._pipelines(herder)).items()):
            if kind == "sink":
                sink = self.sinks.get(name) or SinkLag(sink_group_id(name, cfg), self.window_size)
                out[name] = {"type": kind, "status": sink.status.name, "total_lag": sink.total_lag}
            else:
                out[name] = {"type": kind, "status": None, "total_lag": None}
        return out

    async def connector_series(self, name: str, minutes: int) -> dict[str, Any]:
        """``GET /genesis/connectors/{name}/series``: the points of the last ``minutes``."""
        await self._info(name)
        series = self.series.get(name)
        points = series.since(self._now_ms() - minutes * 60_000) if series is not None else []
        return {"connector": name, "interval_ms": self.interval_ms, "points": [p.to_json() for p in points]}

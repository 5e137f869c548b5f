"""KIP-421 config reloads in a two-worker cluster: a provider value valid 1.5 s, different at each call,
restarts its connector on the worker that runs it when it expires, and the tasks (wherever they run)
restart with the new value; a connector with ``config.action.reload=none`` and its task run undisturbed."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import aiohttp
import pytest

from genesis_worker.api.config_provider import ConfigData, ConfigProvider

from . import plugins
from .harness import cluster_props, stop_node, wait_for
from .plugins import EVENTS, SeqSourceConnector, class_path
from .test_distributed_cluster import call, start_workers

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


class CountingBatchProvider(ConfigProvider):
    """``${reload:any:batch}``: a new batch size at each call, valid 1.5 s."""

    def configure(self, configs: Mapping[str, str]) -> None:
        self.calls = 0

    def get(self, path: str | None, keys: Iterable[str] | None = None) -> ConfigData:
        self.calls += 1
        return ConfigData({k: str(10 + self.calls) for k in keys or ()}, ttl=1500)


async def test_expiring_values_restart_the_connector_and_its_tasks(kafka: Any) -> None:
    plugins.reset_events()
    props = cluster_props(
        kafka.bootstrap,
        **{"config.providers": "reload", "config.providers.reload.class": class_path(CountingBatchProvider)},
    )
    topic = kafka.create_topic(f"reload-{uuid.uuid4().hex[:8]}", partitions=1)
    herders = await start_workers(props, 2)
    try:
        leader = next(h for h in herders if h.is_leader).rest_url()
        config = {
            "connector.class": class_path(SeqSourceConnector),
            "tasks.max": "2",
            "topic": topic,
            "batch.size": "${reload:any:batch}",
            "poll.interval.ms": "200",
        }
        async with aiohttp.ClientSession() as s:
            for name, extra in (("reloaded", {}), ("kept", {"config.action.reload": "none"})):
                st, b = await call(s, "PUT", f"{leader}connectors/{name}/config", {**config, **extra})
                assert st == 201, b
            await wait_for(
                lambda: all(EVENTS["start", f"{c}-{i}"] >= 1 for c in ("reloaded", "kept") for i in range(2)),
                60,
                "both connectors' tasks running",
            )
            await wait_for(
                lambda: (
                    EVENTS["connector-start", "reloaded"] >= 3
                    and all(EVENTS["start", f"reloaded-{i}"] >= 3 for i in range(2))
                ),
                60,
                "two reloads of the connector and of its tasks",
            )
            assert EVENTS["connector-start", "kept"] == 1
            assert [EVENTS["start", f"kept-{i}"] for i in range(2)] == [1, 1]
            st, tasks = await call(s, "GET", f"{leader}connectors/reloaded/tasks")
            assert st == 200 and {t["config"]["batch.size"] for t in tasks} == {"${reload:any:batch}"}
    finally:
        for h in herders:
            await stop_node(h)

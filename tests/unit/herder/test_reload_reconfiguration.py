"""Task reconfiguration after a config reload (KIP-421) in the distributed herder: unchanged task configs
(placeholders) are written again when the connector's resolved config changed since they were, so the
tasks restart with the provider's new values; not when it did not."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from genesis_worker.group.protocol import ConnectProtocolCompatibility
from genesis_worker.herder.config_view import ConfigSnapshots
from genesis_worker.herder.rebalance import GroupState
from genesis_worker.herder.reconfiguration import TaskReconfigurer
from genesis_worker.storage.memory import MemoryConfigBackingStore

TASKS = [{"task.class": "T", "password": "${vault:db:pw}"}]


class Store(MemoryConfigBackingStore):
    """Counts task-config writes."""

    writes = 0

    async def put_task_configs(self, connector: str, configs: list[Mapping[str, str | None]]) -> None:
        self.writes += 1
        await super().put_task_configs(connector, configs)


class Runtime:
    """The connector runs here with ``resolved``; its task configs keep the placeholder."""

    def __init__(self) -> None:
        self.resolved = {"password": "one"}

    def is_running(self, name: str) -> bool:
        return True

    def resolved_connector_config(self, name: str) -> dict[str, str] | None:
        return dict(self.resolved)

    async def connector_task_configs(self, name: str, config: Any) -> list[dict[str, str]]:
        return [dict(t) for t in TASKS]


async def test_unchanged_task_configs_are_written_again_when_resolved_values_changed() -> None:
    store = Store()
    await store.put_connector_config("c", {"connector.class": "x", "password": "${vault:db:pw}"})
    await store.put_task_configs("c", [dict(t) for t in TASKS])
    group = GroupState(ConnectProtocolCompatibility.SESSIONED, member_id="m", leader_id="m")
    runtime = Runtime()
    keys: Any = None  # the leader writes itself: no forwarding, no session key
    reconfigurer = TaskReconfigurer(
        ConfigSnapshots(store, sync_timeout_ms=1000, worker_id="w"),
        store,
        runtime,  # type: ignore[arg-type]
        group,
        keys,
        signature_algorithm="HmacSHA256",
        spawn=lambda coro, name: None,
        wake=asyncio.Event(),
        worker_id="w",
    )
    store.writes = 0
    await reconfigurer._reconfigure("c")  # first look on this worker: nothing changed
    assert store.writes == 0
    runtime.resolved = {"password": "two"}  # restarted after the TTL: the provider gave a new value
    await reconfigurer._reconfigure("c")
    assert store.writes == 1
    await reconfigurer._reconfigure("c")  # written from the new value: nothing to do
    assert store.writes == 1
    reconfigurer.forget("c")  # revoked here: the next owner starts afresh
    runtime.resolved = {"password": "three"}
    await reconfigurer._reconfigure("c")
    assert store.writes == 1

"""Task reconfiguration in the distributed herder (Java ``DistributedHerder.reconfigureConnector``):
a running connector's task configs are generated again when it starts, when it asks for it
(``ConnectorContext.request_task_reconfiguration``) and after a failed attempt (with back-off). Changed
configs are written to the config topic by the leader; a follower forwards them to the leader
(``POST /connectors/{c}/tasks``, signed under protocol ``sessioned``). Unchanged task configs are written
again when the connector's resolved config changed since they were (a config provider's value changed,
Java's applied connector config), so that the tasks restart with the new values::

    reconfigurer.schedule("c", now=True)     # due at once; the tick calls process_due()
    await reconfigurer.process_due()
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

import aiohttp

from genesis_worker.api.errors import ConnectException
from genesis_worker.herder.config_view import ConfigSnapshots
from genesis_worker.herder.distributed_runtime import HerderRuntime
from genesis_worker.herder.errors import BadRequestException
from genesis_worker.herder.internal_client import post_task_configs
from genesis_worker.herder.key_rotation import SessionKeys
from genesis_worker.herder.rebalance import GroupState
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.session_key import SessionKey
from genesis_worker.model.states import TargetState
from genesis_worker.storage.base import ConfigBackingStore

log = logging.getLogger(__name__)

RECONFIGURE_BACKOFF_INITIAL_MS = 250
RECONFIGURE_BACKOFF_MAX_MS = 60_000


class TaskReconfigurer:
    """Schedules and runs task reconfigurations (see the module doc)."""

    def __init__(
        self,
        snapshots: ConfigSnapshots,
        store: ConfigBackingStore,
        runtime: HerderRuntime,
        group: GroupState,
        keys: SessionKeys,
        *,
        signature_algorithm: str,
        spawn: Callable[[Coroutine[Any, Any, Any], str], None],
        wake: asyncio.Event,
        worker_id: str,
    ) -> None:
        self._snapshots = snapshots
        self._store = store
        self._runtime = runtime
        self._group = group
        self._keys = keys
        self._signature_algorithm = signature_algorithm
        self._spawn = spawn
        self._wake = wake
        self._worker_id = worker_id
        self._due: dict[str, float] = {}
        self._backoff: dict[str, int] = {}
        self._applied: dict[str, dict[str, str]] = {}
        """The resolved connector config the task configs were last written from (by this worker)."""
        self._http: aiohttp.ClientSession | None = None

    # --- scheduling ------------------------------------------------------------------------------------

    def schedule(self, name: str, *, now: bool) -> None:
        if now:
            self._backoff.pop(name, None)
            self._due[name] = time.monotonic()
        else:
            backoff = min(self._backoff.get(name, RECONFIGURE_BACKOFF_INITIAL_MS // 2) * 2, RECONFIGURE_BACKOFF_MAX_MS)
            self._backoff[name] = backoff
            self._due[name] = time.monotonic() + backoff / 1000
        self._wake.set()

    def request(self, name: str) -> None:
        """Called by a running connector (``ConnectorContext.request_task_reconfiguration``)."""
        self.schedule(name, now=True)

    def forget(self, name: str) -> None:
        """The connector stopped here: nothing to reconfigure."""
        self._due.pop(name, None)
        self._applied.pop(name, None)

    def deadlines(self) -> list[float]:
        return list(self._due.values())

    async def process_due(self) -> None:
        now = time.monotonic()
        for name in [c for c, at in self._due.items() if at <= now]:
            self._due.pop(name, None)
            if name not in self._group.local.connectors:
                continue
            try:
                await self._reconfigure(name)
                self._backoff.pop(name, None)
            except Exception as e:
                log.warning("herder %s: task reconfiguration of %s failed (%s); retrying", self._worker_id, name, e)
                self.schedule(name, now=False)

    # --- reconfiguring -----------------------------------------------------------------------------------

    async def _reconfigure(self, name: str) -> None:
        snap = self._snapshots.current()
        config = snap.connector_config(name)
        if config is None or snap.target_state(name) not in (None, TargetState.STARTED):
            return
        if not self._runtime.is_running(name):
            return
        resolved = self._runtime.resolved_connector_config(name) or {}
        generated = await self._runtime.connector_task_configs(name, dict(config))
        current = [snap.task_config(ConnectorTaskId(name, i)) for i in range(snap.task_count(name))]
        changed = len(generated) != len(current) or any(g != c for g, c in zip(generated, current, strict=False))
        applied = self._applied.setdefault(name, resolved)
        if not changed and snap.applied_connector_config(name) == config and applied == resolved:
            return
        if self._group.is_leader:
            await self.write_task_configs(name, generated)
            self._applied[name] = resolved
            return
        leader = self._group.leader_url()
        if not leader:
            raise ConnectException(
                "Request to leader to reconfigure connector tasks failed because the URL of the leader's REST "
                "interface is empty!"
            )
        key = self._keys.current() if self._keys.required() else None
        # outside the herder lock: the leader may need a rebalance round that needs us
        self._spawn(self._forward(name, generated, resolved, leader, key), f"forward-tasks-{name}")

    async def _forward(
        self,
        name: str,
        configs: list[dict[str, str]],
        resolved: dict[str, str],
        leader: str,
        key: SessionKey | None,
    ) -> None:
        if self._http is None:
            self._http = aiohttp.ClientSession()
        try:
            await post_task_configs(self._http, leader, name, configs, key, self._signature_algorithm)
            self._applied[name] = resolved
        except Exception as e:
            log.warning("herder %s: forwarding task configs of %s to %s failed: %s", self._worker_id, name, leader, e)
            self.schedule(name, now=False)

    async def write_task_configs(self, name: str, configs: list[dict[str, str]]) -> None:
        """Leader: write a connector's task configs (none for a STOPPED connector, as Java)."""
        snap = self._snapshots.current()
        if configs and snap.target_state(name) is TargetState.STOPPED:
            raise BadRequestException(f"Cannot submit non-empty set of task configs for stopped connector {name}")
        await self._store.put_task_configs(name, list(configs))

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()

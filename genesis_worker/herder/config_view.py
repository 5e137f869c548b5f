"""The distributed herder's reading of the config topic: a cached snapshot and a bounded catch-up read.

Every record of the config topic moves the store's offset, so the snapshot is re-read only when the
offset moved::

    snapshots = ConfigSnapshots(config_store, sync_timeout_ms=3000, worker_id="w1:8083")
    snapshots.current().connector_config("c")
    caught_up = await snapshots.read_to_end()   # False after sync_timeout_ms (Java's worker.sync.timeout.ms)
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from genesis_worker.group.assignors import ConfigSnapshot
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.session_key import SessionKey
from genesis_worker.model.states import TargetState
from genesis_worker.storage.base import ClusterConfigState, ConfigBackingStore

log = logging.getLogger(__name__)


class ConfigView:
    """One config-store snapshot, read with copies (a caller may change what it gets)."""

    def __init__(self, state: ClusterConfigState) -> None:
        self.state = state
        self.offset = state.offset

    def connectors(self) -> list[str]:
        return self.state.connectors()

    def connector_config(self, name: str) -> dict[str, Any] | None:
        cfg = self.state.connector_configs.get(name)
        return None if cfg is None else dict(cfg)

    def target_state(self, name: str) -> TargetState | None:
        return self.state.target_state(name)

    def task_count(self, name: str) -> int:
        return self.state.task_count(name)

    def tasks(self, name: str) -> list[ConnectorTaskId]:
        return self.state.tasks(name)

    def task_config(self, task: ConnectorTaskId) -> dict[str, Any] | None:
        cfg = self.state.task_config(task)
        return None if cfg is None else dict(cfg)

    def applied_connector_config(self, name: str) -> dict[str, Any] | None:
        return self.state.applied_connector_configs.get(name)

    def session_key(self) -> SessionKey | None:
        return self.state.session_key


class ConfigSnapshots:
    """The config store as the herder's parts read it (see the module doc)."""

    def __init__(self, store: ConfigBackingStore, *, sync_timeout_ms: int, worker_id: str) -> None:
        self.store = store
        self._sync_timeout_s = sync_timeout_ms / 1000
        self._worker_id = worker_id
        self._view: ConfigView | None = None

    def current(self) -> ConfigView:
        """The config state, re-read from the store only when its offset moved."""
        offset = getattr(self.store, "offset", None)
        view = self._view
        if view is None or offset is None or view.offset != offset:
            view = self._view = ConfigView(self.store.snapshot())
        return view

    def for_assignor(self) -> ConfigSnapshot:
        state = self.store.snapshot()
        return ConfigSnapshot(state.offset, state.assignable_task_counts())

    async def read_to_end(self) -> bool:
        """Read the config topic to its end within the sync timeout; False if that did not happen."""
        try:
            await asyncio.wait_for(self.store.refresh(), self._sync_timeout_s)
            return True
        except TimeoutError:
            return False
        except Exception as e:  # broker unreachable: same as not catching up in time
            log.warning("herder %s: reading the config topic failed: %s", self._worker_id, e)
            return False

"""Config-topic updates queued for the distributed herder's tick (internal-topics spec §5.5; Java
``DistributedHerder.ConfigUpdateListener``). The config store calls the listener methods from its
reader; they only record what changed and wake the tick, which applies the changes under the herder's
lock. A new or removed connector, and new task configs, need a rebalance first."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from genesis_worker.herder.loggers import worker_loggers
from genesis_worker.herder.rebalance import GroupState
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.session_key import SessionKey
from genesis_worker.model.states import RestartRequest
from genesis_worker.storage.base import ConfigUpdateListener

log = logging.getLogger(__name__)


@dataclass
class PendingUpdates:
    """What changed since the tick last looked."""

    connectors: set[str] = field(default_factory=set)
    target_states: set[str] = field(default_factory=set)
    task_configs: set[str] = field(default_factory=set)
    """Connectors whose task configs changed."""
    restarts: dict[str, RestartRequest] = field(default_factory=dict)
    tasks_to_restart: set[ConnectorTaskId] = field(default_factory=set)
    """Tasks stopped because their configs changed, started again after the rebalance if still ours."""


class ConfigUpdates(ConfigUpdateListener):
    """The config store's listener (see the module doc)."""

    def __init__(
        self,
        group: GroupState,
        *,
        wake: asyncio.Event,
        worker_id: str,
    ) -> None:
        self.pending = PendingUpdates()
        self.known_connectors: set[str] = set()
        """Connectors in the config topic (filled at start): a config for another one needs a rebalance."""
        self._group = group
        self._wake = wake
        self._worker_id = worker_id

    def on_connector_config_update(self, connector: str) -> None:
        if connector not in self.known_connectors:
            # a new connector must be assigned: rebalance (internal-topics §5.5)
            self.known_connectors.add(connector)
            self._group.needs_rebalance = True
        self.pending.connectors.add(connector)
        self._wake.set()

    def on_connector_config_remove(self, connector: str) -> None:
        self.known_connectors.discard(connector)
        self._group.needs_rebalance = True
        self.pending.connectors.add(connector)
        self._wake.set()

    def on_task_config_update(self, tasks: list[ConnectorTaskId]) -> None:
        self._group.needs_rebalance = True
        self.pending.task_configs.update(t.connector for t in tasks)
        self._wake.set()

    def on_connector_target_state_change(self, connector: str) -> None:
        self.pending.target_states.add(connector)
        self._wake.set()

    def on_session_key_update(self, key: SessionKey) -> None:
        self._wake.set()

    def on_restart_request(self, request: RestartRequest) -> None:
        prev = self.pending.restarts.get(request.connector)
        if prev is None or request.impact >= prev.impact:
            self.pending.restarts[request.connector] = request
        self._wake.set()

    def on_logger_level(self, namespace: str, level: str) -> None:
        """A ``logger-cluster-<namespace>`` record (KIP-976): apply it on this worker."""
        try:
            changed = worker_loggers().set_level(namespace, level)
            log.info(
                "herder %s: cluster-wide log level %s for %s (%s loggers)",
                self._worker_id,
                level,
                namespace,
                len(changed),
            )
        except Exception:
            log.exception("herder %s: cannot apply log level %s to %s", self._worker_id, level, namespace)

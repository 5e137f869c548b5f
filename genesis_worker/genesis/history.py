"""The change history of every connector: config versions (with the keys that changed, secrets hidden)
and actions (paused, resumed, stopped, restarted, deleted), each with owner, ticket and time.

:class:`HistoryListener` records it from config-store notifications (the Genesis layer adds it to the
herder's config store), so it works the same for the standalone (memory) store and the distributed (Kafka
topic) store: every worker sees every change.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from genesis_worker.genesis.ownership import Ownership
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import RestartRequest
from genesis_worker.storage.base import ConfigBackingStore, ConfigUpdateListener


@dataclass
class HistoryEvent:
    connector: str
    action: str
    """created, updated, deleted, paused, resumed, stopped, restarted, auto-restarted."""
    timestamp_ms: int
    owner: str | None = None
    ticket: str | None = None
    config: dict[str, str] | None = None
    changed_keys: list[str] = field(default_factory=list)
    detail: str | None = None
    """What an automatic restart restarted (``task 0, attempt 2``)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "connector": self.connector,
            "action": self.action,
            "timestamp": self.timestamp_ms,
            "owner": self.owner,
            "ticket": self.ticket,
            "changed_keys": self.changed_keys,
            "config": self.config,
            "detail": self.detail,
        }


class ConfigHistory:
    """The change history of every connector this worker has seen, newest last, bounded per connector."""

    def __init__(self, max_events_per_connector: int = 200) -> None:
        self._events: dict[str, deque[HistoryEvent]] = {}
        self._last_config: dict[str, dict[str, str]] = {}
        self._max = max_events_per_connector

    def record_config(self, connector: str, config: Mapping[str, str] | None, timestamp_ms: int | None = None) -> None:
        """A connector config was written (None: deleted). Repeats of the same config are not recorded."""
        ts = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
        prev = self._last_config.get(connector)
        if config is None:
            if prev is None:
                return
            self._last_config.pop(connector, None)
            own = Ownership.of(prev)
            self._add(HistoryEvent(connector, "deleted", ts, own.owner, own.ticket, None, []))
            return
        cfg = dict(config)
        if prev == cfg:
            return
        changed = sorted(k for k in set(cfg) | set(prev or {}) if (prev or {}).get(k) != cfg.get(k))
        self._last_config[connector] = cfg
        own = Ownership.of(cfg)
        self._add(
            HistoryEvent(
                connector, "created" if prev is None else "updated", ts, own.owner, own.ticket, _redact(cfg), changed
            )
        )

    def record_action(
        self, connector: str, action: str, timestamp_ms: int | None = None, detail: str | None = None
    ) -> None:
        ts = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
        own = Ownership.of(self._last_config.get(connector, {}))
        self._add(HistoryEvent(connector, action, ts, own.owner, own.ticket, detail=detail))

    def _add(self, event: HistoryEvent) -> None:
        q = self._events.setdefault(event.connector, deque(maxlen=self._max))
        q.append(event)

    def events(self, connector: str) -> list[HistoryEvent]:
        return list(self._events.get(connector, ()))


_SECRET_HINTS = ("password", "secret", "token", "jaas", "credential", "key.password")


def _redact(config: Mapping[str, str]) -> dict[str, str]:
    """Secrets do not go into the history (it is shown in the console)."""
    return {k: ("[hidden]" if any(h in k.lower() for h in _SECRET_HINTS) else v) for k, v in config.items()}


_TARGET_ACTIONS = {"STARTED": "resumed", "PAUSED": "paused", "STOPPED": "stopped"}


class HistoryListener(ConfigUpdateListener):
    """Feeds a :class:`ConfigHistory` from ``store``'s update notifications."""

    def __init__(self, history: ConfigHistory, store: ConfigBackingStore) -> None:
        self.history = history
        self.store = store
        self._targets: dict[str, str] = {}

    def on_connector_config_update(self, connector: str) -> None:
        st = self.store.state
        config = st.connector_configs.get(connector)
        if config is not None:
            self.history.record_config(connector, {k: v for k, v in config.items() if v is not None})
            target = st.target_states.get(connector)  # absent means STARTED, as in Connect
            self._targets.setdefault(connector, str(target.value) if target is not None else "STARTED")

    def on_connector_config_remove(self, connector: str) -> None:
        self._targets.pop(connector, None)
        self.history.record_config(connector, None)

    def on_connector_target_state_change(self, connector: str) -> None:
        target = self.store.state.target_states.get(connector)
        if target is None:
            return
        value = str(target.value)
        previous = self._targets.get(connector)
        self._targets[connector] = value
        if previous is not None and previous != value:
            self.history.record_action(connector, _TARGET_ACTIONS.get(value, value.lower()))

    def on_restart_request(self, request: RestartRequest) -> None:
        self.history.record_action(request.connector, "restarted")


class AutoRestartHistory:
    """Writes the automatic restarts of the worker's restart policy (``genesis.restart.enabled``) into a
    :class:`ConfigHistory` as ``auto-restarted``: unlike a manual restart they are no config-topic record,
    so only the worker that made one lists it."""

    def __init__(self, history: ConfigHistory) -> None:
        self.history = history

    def on_auto_restart(self, connector: str, task: ConnectorTaskId | None, attempt: int) -> None:
        what = "connector" if task is None else f"task {task.task}"
        self.history.record_action(connector, "auto-restarted", detail=f"{what}, attempt {attempt}")

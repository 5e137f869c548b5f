"""Ownership: every pipeline names its owner and its ticket, and its history of changes is kept.

The keys live in the connector config itself (``genesis.owner``, ``genesis.ticket``,
``genesis.description``), so they travel with the config through the config topic, Java workers ignore
them, and any Connect tool can set them. With the worker setting ``genesis.ownership.required=true`` a
connector without an owner or ticket is rejected by validation (400 on create/update).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from genesis_worker.api.config import ConfigDef, ConfigType, ConfigValue, Importance, Width

OWNER_CONFIG = "genesis.owner"
TICKET_CONFIG = "genesis.ticket"
DESCRIPTION_CONFIG = "genesis.description"
REQUIRED_WORKER_CONFIG = "genesis.ownership.required"
GROUP = "Genesis"

OWNERSHIP_CONFIG_DEF = (
    ConfigDef()
    .define(
        OWNER_CONFIG,
        ConfigType.STRING,
        None,
        None,
        Importance.HIGH,
        "Who owns this pipeline (a person or team, e.g. an e-mail address).",
        GROUP,
        1,
        Width.MEDIUM,
        "Owner",
    )
    .define(
        TICKET_CONFIG,
        ConfigType.STRING,
        None,
        None,
        Importance.HIGH,
        "The ticket that asked for this pipeline or its last change (e.g. ADS-1234).",
        GROUP,
        2,
        Width.SHORT,
        "Ticket",
    )
    .define(
        DESCRIPTION_CONFIG,
        ConfigType.STRING,
        None,
        None,
        Importance.LOW,
        "What this pipeline is for.",
        GROUP,
        3,
        Width.LONG,
        "Description",
    )
)


def ownership_errors(config: Mapping[str, Any], required: bool) -> dict[str, str]:
    """Validation errors by key: empty when ownership is optional or both keys are set."""
    if not required:
        return {}
    errors = {}
    for key, what in ((OWNER_CONFIG, "an owner"), (TICKET_CONFIG, "a ticket")):
        if not str(config.get(key) or "").strip():
            errors[key] = (
                f'Missing required configuration "{key}": every pipeline must name {what} '
                f"(this worker sets {REQUIRED_WORKER_CONFIG}=true)."
            )
    return errors


def apply_ownership_errors(values: list[ConfigValue], config: Mapping[str, Any], required: bool) -> None:
    """Attach :func:`ownership_errors` to the validated values of those keys."""
    errors = ownership_errors(config, required)
    for v in values:
        if v.name in errors:
            v.add_error(errors[v.name])


@dataclass(frozen=True)
class Ownership:
    owner: str | None
    ticket: str | None
    description: str | None

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> Ownership:
        def get(k: str) -> str | None:
            v = config.get(k)
            return str(v) if v not in (None, "") else None

        return cls(get(OWNER_CONFIG), get(TICKET_CONFIG), get(DESCRIPTION_CONFIG))

    def to_json(self) -> dict[str, str | None]:
        return {"owner": self.owner, "ticket": self.ticket, "description": self.description}


@dataclass
class HistoryEvent:
    connector: str
    action: str
    """created, updated, deleted, paused, resumed, stopped, restarted."""
    timestamp_ms: int
    owner: str | None = None
    ticket: str | None = None
    config: dict[str, str] | None = None
    changed_keys: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "connector": self.connector,
            "action": self.action,
            "timestamp": self.timestamp_ms,
            "owner": self.owner,
            "ticket": self.ticket,
            "changed_keys": self.changed_keys,
            "config": self.config,
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

    def record_action(self, connector: str, action: str, timestamp_ms: int | None = None) -> None:
        ts = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
        own = Ownership.of(self._last_config.get(connector, {}))
        self._add(HistoryEvent(connector, action, ts, own.owner, own.ticket))

    def _add(self, event: HistoryEvent) -> None:
        q = self._events.setdefault(event.connector, deque(maxlen=self._max))
        q.append(event)

    def events(self, connector: str) -> list[HistoryEvent]:
        return list(self._events.get(connector, ()))


_SECRET_HINTS = ("password", "secret", "token", "jaas", "credential", "key.password")


def _redact(config: Mapping[str, str]) -> dict[str, str]:
    """Secrets do not go into the history (it is shown in the console)."""
    return {k: ("[hidden]" if any(h in k.lower() for h in _SECRET_HINTS) else v) for k, v in config.items()}

"""The audit history of every connector: who did what, when (created, updated with the changed keys'
old and new values, paused, resumed, stopped, restarted, offsets altered or reset, deleted), with the
pipeline's owner and ticket. Secrets are masked before a record is written anywhere.

:class:`HistoryRecord` is one change; its JSON form is the record written to the history topic (or the
standalone history file), one JSON object per record::

    {"version": 1, "time": 1764866400000, "connector": "orders-sink", "action": "updated",
     "owner": "ann@corp", "ticket": "OPS-1", "actor": "alice", "actor_source": "principal",
     "worker": "10.0.0.1:8083", "changes": {"tasks.max": {"old": "1", "new": "2"}},
     "config": {...the new config, masked...}, "details": {}}

:class:`ConfigHistory` is what a worker has read back from that log: every record, in log order, per
connector, paged by the record's position in the log (``id``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from genesis_worker.genesis.ownership import Ownership

log = logging.getLogger(__name__)

RECORD_VERSION = 1
HIDDEN = "[hidden]"
_SECRET_HINTS = ("password", "secret", "token", "jaas", "credential", "key.password")


def is_secret(key: str) -> bool:
    return any(h in key.lower() for h in _SECRET_HINTS)


def mask(config: Mapping[str, str | None]) -> dict[str, str | None]:
    """Secrets do not go into the history (it is kept for months and shown in the console)."""
    return {k: (HIDDEN if v is not None and is_secret(k) else v) for k, v in config.items()}


def config_changes(
    old: Mapping[str, str | None] | None, new: Mapping[str, str | None] | None
) -> dict[str, dict[str, str | None]]:
    """key -> {"old", "new"} for every key whose value differs (absent: None), secrets masked; a changed
    secret is listed with both values hidden."""
    before, after = old or {}, new or {}
    out: dict[str, dict[str, str | None]] = {}
    for key in sorted(set(before) | set(after)):
        was, now = before.get(key), after.get(key)
        if was == now:
            continue
        if is_secret(key):
            was, now = (None if was is None else HIDDEN), (None if now is None else HIDDEN)
        out[key] = {"old": was, "new": now}
    return out


@dataclass(frozen=True)
class HistoryRecord:
    """One change of one connector, as written to the history log."""

    connector: str
    action: str
    time_ms: int
    owner: str | None = None
    ticket: str | None = None
    actor: str | None = None
    actor_source: str | None = None
    """principal (REST authentication), header (``genesis.actor.header``) or address (the client's)."""
    worker: str | None = None
    """The worker that applied the change and wrote the record."""
    changes: dict[str, dict[str, str | None]] = field(default_factory=dict)
    config: dict[str, str | None] | None = None
    """The connector's config after the change (masked); None for actions and deletes."""
    details: dict[str, Any] = field(default_factory=dict)
    """Action arguments: restart's include_tasks/only_failed or task, the offsets altered."""
    id: int | None = None
    """Position in the history log (topic offset / file line), set when read back."""

    @classmethod
    def of(
        cls,
        connector: str,
        action: str,
        *,
        old: Mapping[str, str | None] | None = None,
        new: Mapping[str, str | None] | None = None,
        actor: str | None = None,
        actor_source: str | None = None,
        worker: str | None = None,
        details: Mapping[str, Any] | None = None,
        time_ms: int | None = None,
    ) -> HistoryRecord:
        """A record of ``action`` on ``connector`` whose config went from ``old`` to ``new`` (equal for
        actions); owner and ticket from the newest config."""
        own = Ownership.of(new if new is not None else old or {})
        config_change = action in ("created", "updated", "deleted")
        return cls(
            connector=connector,
            action=action,
            time_ms=int(time.time() * 1000) if time_ms is None else time_ms,
            owner=own.owner,
            ticket=own.ticket,
            actor=actor,
            actor_source=actor_source,
            worker=worker,
            changes=config_changes(old, new) if config_change else {},
            config=mask(new) if new is not None and action in ("created", "updated") else None,
            details=dict(details or {}),
        )

    @property
    def changed_keys(self) -> list[str]:
        return list(self.changes)

    def encode(self) -> bytes:
        """The record's bytes in the history topic / file (without ``id``: that is its position)."""
        return orjson.dumps(
            {
                "version": RECORD_VERSION,
                "time": self.time_ms,
                "connector": self.connector,
                "action": self.action,
                "owner": self.owner,
                "ticket": self.ticket,
                "actor": self.actor,
                "actor_source": self.actor_source,
                "worker": self.worker,
                "changes": self.changes,
                "config": self.config,
                "details": self.details,
            }
        )

    @classmethod
    def decode(cls, raw: bytes, position: int) -> HistoryRecord | None:
        """The record at ``position`` of the log; None (logged) for bytes that are not one."""
        try:
            data = orjson.loads(raw)
            return cls(
                connector=str(data["connector"]),
                action=str(data["action"]),
                time_ms=int(data["time"]),
                owner=data.get("owner"),
                ticket=data.get("ticket"),
                actor=data.get("actor"),
                actor_source=data.get("actor_source"),
                worker=data.get("worker"),
                changes=dict(data.get("changes") or {}),
                config=data.get("config"),
                details=dict(data.get("details") or {}),
                id=position,
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as e:
            log.warning("Skipping history record %s that cannot be read: %s", position, e)
            return None

    def to_json(self) -> dict[str, Any]:
        """The REST answer's item (``timestamp``, ``changed_keys`` and ``config`` as before, plus the rest)."""
        return {
            "id": self.id,
            "connector": self.connector,
            "action": self.action,
            "timestamp": self.time_ms,
            "owner": self.owner,
            "ticket": self.ticket,
            "actor": self.actor,
            "actor_source": self.actor_source,
            "worker": self.worker,
            "changed_keys": self.changed_keys,
            "changes": self.changes,
            "config": self.config,
            "details": self.details,
        }


DEFAULT_PAGE = 200
MAX_PAGE = 1000


class ConfigHistory:
    """Every history record this worker has read back from the log, per connector in log order."""

    def __init__(self) -> None:
        self._events: dict[str, list[HistoryRecord]] = {}
        self._next_id = 0

    def add(self, record: HistoryRecord) -> None:
        """Index a record read back from the log (records without a position get the next one)."""
        if record.id is None:
            record = replace(record, id=self._next_id)
        assert record.id is not None
        self._next_id = max(self._next_id, record.id + 1)
        self._events.setdefault(record.connector, []).append(record)

    def events(self, connector: str) -> list[HistoryRecord]:
        return list(self._events.get(connector, ()))

    def page(self, connector: str, limit: int = DEFAULT_PAGE, before: int | None = None) -> list[HistoryRecord]:
        """The newest ``limit`` records of ``connector`` with an id below ``before``, oldest first; the next
        (older) page is ``before=<id of this page's first record>``."""
        events = self._events.get(connector, [])
        end = len(events)
        if before is not None:
            lo, hi = 0, end  # ids grow along the list: binary search for the first id >= before
            while lo < hi:
                mid = (lo + hi) // 2
                if (events[mid].id or 0) < before:
                    lo = mid + 1
                else:
                    hi = mid
            end = lo
        return events[max(0, end - max(0, limit)) : end]

"""The group's session key (KIP-507) as the distributed herder keeps it: read from the config topic,
written by the leader when missing, expired or not as configured, and rotated before it expires (Java
``DistributedHerder``'s key handling). Internal requests are checked against it while the group runs
protocol ``sessioned``::

    keys = SessionKeys(cfg, config_store, snapshots, group, worker_id="w1:8083")
    await keys.ensure()                 # leader, after an assignment
    keys.check(signature)               # internal endpoints: raises the REST error of a bad signature
"""

from __future__ import annotations

import logging
import time
from typing import Any

from genesis_worker.herder.config_view import ConfigSnapshots
from genesis_worker.herder.distributed_config import DistributedConfig
from genesis_worker.herder.rebalance import GroupState
from genesis_worker.herder.session_keys import InternalRequestSignature, check_internal_request, generate_session_key
from genesis_worker.model.session_key import SessionKey
from genesis_worker.storage.base import ConfigBackingStore

log = logging.getLogger(__name__)


class SessionKeys:
    """See the module doc."""

    def __init__(
        self,
        cfg: DistributedConfig,
        store: ConfigBackingStore,
        snapshots: ConfigSnapshots,
        group: GroupState,
        *,
        worker_id: str,
    ) -> None:
        self._cfg = cfg
        self._store = store
        self._snapshots = snapshots
        self._group = group
        self._worker_id = worker_id
        self.rotation_at: float | None = None
        """Monotonic time at which the leader writes the next key (None: not scheduled)."""

    def current(self) -> SessionKey | None:
        """The current session key (None before one was read)."""
        return self._snapshots.current().session_key()

    def required(self) -> bool:
        """True while the group runs protocol ``sessioned`` (internal requests must be signed)."""
        return self._group.sessioned

    def check(self, signature: Any) -> None:
        """Raise the REST error for an internal request not signed properly (when signing is required)."""
        if self.required():
            sig = signature if isinstance(signature, InternalRequestSignature) else None
            check_internal_request(sig, self.current(), self._cfg.verification_algorithms)

    async def ensure(self) -> None:
        """Leader: write a new key unless the current one is valid, and schedule its rotation."""
        key = self.current()
        cfg = self._cfg
        stale = (
            key is None
            or key.expired(cfg.key_ttl_ms)
            or key.algorithm != cfg.key_generation_algorithm
            or (cfg.key_size is not None and key.size_bits != cfg.key_size)
        )
        if stale:
            key = generate_session_key(cfg.key_generation_algorithm, cfg.key_size)
            log.info("leader %s: writing a new session key", self._worker_id)
            await self._store.put_session_key(key)
        assert key is not None
        now_ms = int(time.time() * 1000)
        self.rotation_at = time.monotonic() + max(0, key.creation_timestamp + cfg.key_ttl_ms - now_ms) / 1000

    async def rotate_if_due(self, now: float) -> None:
        """Tick: the leader of a ``sessioned`` group writes a new key once the current one is due."""
        if self._group.is_leader and self.rotation_at is not None and now >= self.rotation_at and self.required():
            self.rotation_at = None
            await self.ensure()

"""KIP-421 config reloads: a connector whose config used provider values with a TTL is restarted when
they expire, if its ``config.action.reload`` is ``restart`` (the default; ``none`` keeps it running).

Java's ``WorkerConfigTransformer`` asks ``herder.restartConnector(ttl, name, cb)`` for a delayed restart
after each transform, and a newer one replaces the pending one. Here the worker keeps one timer per
connector, armed for the smallest TTL of its values (the restart resolves them all again and re-arms),
and at expiry calls the herder's ``restart_connector`` callable, bound when the herder is built::

    reloads = ConfigReloads(herder_restart)  # herder_restart("c") restarts connector c on this worker
    if restarts_on_reload(raw_props):
        reloads.schedule("c", result.ttls)  # ttls of the ConfigTransformerResult, by path
    reloads.set_stopped("c", True)          # target state STOPPED; False: armed again
    reloads.cancel("c")                     # the connector stopped on this worker (deleted, revoked...)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping

from genesis_worker.runtime.connector_config_def import CONFIG_RELOAD_ACTION_CONFIG

log = logging.getLogger(__name__)

RELOAD_ACTION_RESTART = "restart"


def restarts_on_reload(raw_props: Mapping[str, object]) -> bool:
    """Whether the connector's ``config.action.reload`` (read from its config as written, as Java does;
    the connector config definition validates it) asks for restarts."""
    value = raw_props.get(CONFIG_RELOAD_ACTION_CONFIG)
    return (str(value) if value is not None else RELOAD_ACTION_RESTART).lower() == RELOAD_ACTION_RESTART


class ConfigReloads:
    """The pending config-reload restarts of one worker's connectors (see the module doc)."""

    def __init__(self, restart_connector: Callable[[str], None] | None = None) -> None:
        self._restart = restart_connector
        """The herder's way to restart a connector of this worker (Java's ``worker.herder()``)."""
        self._deadlines: dict[str, float] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}

    def schedule(self, connector: str, ttls: Mapping[str, int], *, stopped: bool = False) -> None:
        """Restart ``connector`` when the first of ``ttls`` (ms) expires, replacing a pending restart
        (``stopped``: not before it leaves the STOPPED state, see :meth:`set_stopped`)."""
        if not ttls or self._restart is None:
            return
        ttl = min(ttls.values())
        self.cancel(connector)
        log.info("Scheduling a restart of connector %s in %d ms", connector, ttl)
        loop = asyncio.get_running_loop()
        self._deadlines[connector] = loop.time() + ttl / 1000
        if not stopped:
            self._arm(connector, loop)

    def cancel(self, connector: str) -> None:
        """Forget the pending restart of ``connector``, if any."""
        self._deadlines.pop(connector, None)
        self._disarm(connector)

    def set_stopped(self, connector: str, stopped: bool) -> None:
        """A STOPPED connector is not restarted; when it leaves STOPPED its restart is armed again (at
        once if its values expired meanwhile)."""
        self._disarm(connector)
        if not stopped and connector in self._deadlines:
            self._arm(connector, asyncio.get_running_loop())

    def deadline(self, connector: str) -> float | None:
        """When (``loop.time()``) the connector restarts; None when no restart is pending."""
        return self._deadlines.get(connector)

    def close(self) -> None:
        for connector in list(self._deadlines):
            self.cancel(connector)

    def _arm(self, connector: str, loop: asyncio.AbstractEventLoop) -> None:
        delay = max(0.0, self._deadlines[connector] - loop.time())
        self._timers[connector] = loop.call_later(delay, self._expired, connector)

    def _disarm(self, connector: str) -> None:
        timer = self._timers.pop(connector, None)
        if timer is not None:
            timer.cancel()

    def _expired(self, connector: str) -> None:
        self._timers.pop(connector, None)
        self._deadlines.pop(connector, None)
        if self._restart is not None:
            self._restart(connector)

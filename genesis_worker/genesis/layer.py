"""Genesis as a layer on top of the core: it subscribes to a herder's config store (the change history),
registers its ownership rule with the herder (a :class:`~genesis_worker.herder.policy.ConnectorConfigPolicy`)
and brings its REST routes and console, which the REST server serves beside Connect's API. The core does
not know it exists; the top layer (``genesis_worker.cli``) composes the two::

    herder = StandaloneHerder(config)
    genesis = GenesisLayer.attach(herder, config)  # before herder.start(): the history sees every change
    await herder.start()
    server = await start_rest_server(herder, config.originals, extra_routes=genesis.routes)
"""

from __future__ import annotations

from typing import Any

from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.genesis.history import AutoRestartHistory, ConfigHistory, HistoryListener
from genesis_worker.genesis.ownership import REQUIRED_WORKER_CONFIG, OwnershipPolicy
from genesis_worker.genesis.routes import genesis_routes
from genesis_worker.herder.base import Herder
from genesis_worker.rest.routes import Route
from genesis_worker.rest.server import openapi_document, route_table


class GenesisLayer:
    """The change history, the ownership policy and the routes of one worker's Genesis layer."""

    def __init__(self, ownership_required: bool = False) -> None:
        self.history = ConfigHistory()
        self.policy = OwnershipPolicy(ownership_required)
        self.routes: tuple[Route, ...] = genesis_routes(self.history)

    @classmethod
    def attach(cls, herder: Herder, worker_config: WorkerConfig) -> GenesisLayer:
        """A layer following ``herder``'s config store and validating its connector configs."""
        layer = cls(worker_config.get_bool(REQUIRED_WORKER_CONFIG))
        herder.config_store.add_listener(HistoryListener(layer.history, herder.config_store))
        herder.add_restart_listener(AutoRestartHistory(layer.history))
        herder.add_config_policy(layer.policy)
        return layer


def worker_openapi_document() -> dict[str, Any]:
    """The OpenAPI document of a worker with its Genesis layer (what ``GET /genesis/openapi.json`` serves)."""
    return openapi_document(route_table(GenesisLayer().routes))

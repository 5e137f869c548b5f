"""Genesis as a layer on top of the core: it keeps the audit history (a log of its own, written at the
REST boundary by :mod:`~genesis_worker.genesis.audit`'s middleware), evaluates sink lag with Burrow's rules
(:mod:`~genesis_worker.genesis.lag`), registers its ownership rule with
the herder (a :class:`~genesis_worker.herder.policy.ConnectorConfigPolicy`) and brings its REST routes
and console, which the REST server serves beside Connect's API. The core does not know it exists; the
top layer (``genesis_worker.cli``) composes the two::

    herder = StandaloneHerder(config)
    genesis = GenesisLayer.attach(herder, config)
    await herder.start()
    await genesis.start()  # reads the history back (topic or file)
    server = await start_rest_server(
        herder, config.originals, extra_routes=genesis.routes, extra_middlewares=genesis.middlewares
    )
    ...
    await server.stop(); await genesis.stop(); await herder.stop()
"""

from __future__ import annotations

import asyncio
import getpass
from typing import Any
from urllib.parse import urlsplit

from aiohttp.typedefs import Middleware

from genesis_worker.config.genesis_keys import (
    CLUSTER_CACHE_MS_CONFIG,
    CLUSTER_NAME_CONFIG,
    CLUSTER_TIMEOUT_MS_CONFIG,
    CONSOLE_CLUSTERS_CONFIG,
)
from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.genesis.audit import ACTOR_HEADER_CONFIG, AuditRecorder, config_of
from genesis_worker.genesis.cluster_view import ClusterMetrics
from genesis_worker.genesis.clusters import Clusters, parse_clusters
from genesis_worker.genesis.history import ConfigHistory
from genesis_worker.genesis.history_log import HistoryLog, MemoryHistoryLog, history_log
from genesis_worker.genesis.lag.monitor import LagMonitor
from genesis_worker.genesis.ownership import REQUIRED_WORKER_CONFIG, OwnershipPolicy
from genesis_worker.genesis.routes import genesis_routes
from genesis_worker.herder.base import Herder
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.rest.client import Forwarder
from genesis_worker.rest.routes import Route
from genesis_worker.rest.server import openapi_document, route_table
from genesis_worker.rest.tls import client_ssl_context, ssl_settings


class GenesisLayer:
    """The audit history, the ownership policy, the REST routes and middleware of one worker's Genesis layer."""

    def __init__(
        self,
        ownership_required: bool = False,
        *,
        history: ConfigHistory | None = None,
        log: HistoryLog | None = None,
        worker_id: str | None = None,
        actor_header: str | None = None,
        lag: LagMonitor | None = None,
        cluster_metrics: ClusterMetrics | None = None,
        clusters: Clusters | None = None,
        client: Forwarder | None = None,
    ) -> None:
        self.history = history or ConfigHistory()
        self.lag = lag or LagMonitor()
        self.log = log or MemoryHistoryLog(self.history)
        self.policy = OwnershipPolicy(ownership_required)
        self.recorder = AuditRecorder(self.log, worker_id, actor_header)
        self.client = client
        """The HTTP client of the cluster views (other workers, other clusters), closed on stop."""
        self.routes: tuple[Route, ...] = genesis_routes(self.history, self.lag, cluster_metrics, clusters)
        self.middlewares: tuple[Middleware, ...] = (self.recorder.middleware(),)
        self._pending: set[asyncio.Task[None]] = set()

    @classmethod
    def attach(cls, herder: Herder, worker_config: WorkerConfig) -> GenesisLayer:
        """A layer validating ``herder``'s connector configs, keeping its history where ``worker_config`` says."""
        history = ConfigHistory()
        timeout_s = worker_config.get_int(CLUSTER_TIMEOUT_MS_CONFIG) / 1000
        cache_s = worker_config.get_int(CLUSTER_CACHE_MS_CONFIG) / 1000
        client = Forwarder(client_ssl_context(ssl_settings(worker_config.originals, "listeners.https.")), timeout_s)
        cluster_metrics = None
        if worker_config.mode == "distributed":
            cluster_metrics = ClusterMetrics(
                herder,
                worker_id=worker_config.worker_id,
                scheme=urlsplit(worker_config.rest_url).scheme,
                client=client,
                algorithm=str(worker_config.originals.get("inter.worker.signature.algorithm") or "HmacSHA256"),
                cache_s=cache_s,
            )
        name = worker_config.get_str(CLUSTER_NAME_CONFIG) or (
            str(worker_config.get("group.id")) if worker_config.mode == "distributed" else "standalone"
        )
        others = parse_clusters(worker_config.get_list(CONSOLE_CLUSTERS_CONFIG), name, worker_config.rest_url)
        clusters = Clusters(
            name,
            worker_config.rest_url.rstrip("/"),
            others,
            client,
            kafka_cluster_id=herder.kafka_cluster_id,
            cache_s=cache_s,
        )
        layer = cls(
            worker_config.get_bool(REQUIRED_WORKER_CONFIG),
            history=history,
            log=history_log(worker_config, history),
            worker_id=worker_config.worker_id,
            actor_header=str(worker_config.originals.get(ACTOR_HEADER_CONFIG) or "") or None,
            lag=LagMonitor.of(worker_config),
            cluster_metrics=cluster_metrics,
            clusters=clusters,
            client=client,
        )
        layer.lag.attach(herder, worker_config)
        layer.lag.cluster = cluster_metrics
        herder.add_config_policy(layer.policy)
        herder.add_restart_listener(layer)
        return layer

    def on_auto_restart(self, connector: str, task: ConnectorTaskId | None, attempt: int) -> None:
        """An automatic restart of the worker's restart policy (``genesis.restart.enabled``): recorded as
        ``auto-restarted`` by the worker that made it (actor ``genesis.restart``, actor_source ``policy``)."""
        details = {"task": "connector" if task is None else task.task, "attempt": attempt}
        write = self.recorder.write(connector, "auto-restarted", None, None, "genesis.restart", "policy", details)
        pending = asyncio.get_running_loop().create_task(write, name=f"history-auto-restart-{connector}")
        self._pending.add(pending)
        pending.add_done_callback(self._pending.discard)

    async def put_connector_file(self, herder: Herder, name: str, config: dict[str, str], path: str) -> bool:
        """Create or update a connector from a file given on the command line (standalone), recorded with the
        OS user as its actor; True if it was created."""
        old = config_of(herder, name)
        created, info = await herder.put_connector_config(name, config, allow_replace=True)
        details = {"file": path}
        action = "created" if created else "updated"
        await self.recorder.write(name, action, old, info.config, getpass.getuser(), "connector-file", details)
        return created

    async def start(self) -> None:
        """Read the history back (a topic: and follow it); before the REST server serves changes. Start
        the lag monitor."""
        await self.log.start()
        await self.lag.start()

    async def stop(self) -> None:
        await self.lag.stop()
        await self.log.stop()
        if self.client is not None:
            await self.client.close()


def worker_openapi_document() -> dict[str, Any]:
    """The OpenAPI document of a worker with its Genesis layer (what ``GET /genesis/openapi.json`` serves)."""
    return openapi_document(route_table(GenesisLayer().routes))

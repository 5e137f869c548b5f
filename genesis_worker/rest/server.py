"""The REST server: one aiohttp application per listener kind, bound to Connect's ``listeners`` and
``admin.listeners``.

    server = await start_rest_server(herder, worker_config)
    server.url    # advertised URL, e.g. "http://10.0.0.1:8083/" (ends with '/')
    await server.stop()

Main listeners serve the Connect API (+ the ``extra_routes`` of the layers above, e.g. Genesis, whose
``extra_middlewares`` run inside the REST extensions' ones, e.g. after authentication); with
``admin.listeners`` set, the admin endpoints (``/admin/loggers``) move to those listeners, and
``admin.listeners=`` (empty) disables them.
Importing this module has no side effects; nothing binds until :func:`start_rest_server`.
"""

from __future__ import annotations

import gc
import logging
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Middleware

from genesis_worker import __version__
from genesis_worker.config.worker_config import advertised_url as worker_advertised_url
from genesis_worker.herder.base import Herder
from genesis_worker.herder.loggers import Loggers, worker_loggers
from genesis_worker.rest.client import Forwarder
from genesis_worker.rest.config import Listener, RestConfig
from genesis_worker.rest.context import CONTEXT, RestContext
from genesis_worker.rest.cors import CorsPolicy
from genesis_worker.rest.errors import connect_errors
from genesis_worker.rest.extensions import RestExtensionContext, load_extensions
from genesis_worker.rest.handlers import connect_routes
from genesis_worker.rest.headers import header_hook, parse_header_config
from genesis_worker.rest.openapi import build_document
from genesis_worker.rest.routes import Route, RouteTable
from genesis_worker.rest.tls import client_ssl_context, server_ssl_context, ssl_settings

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024 * 1024
# genesis-only: move everything alive at start-up (modules, clients, plugins) out of the cyclic GC's
# reach, so that full collections scan only what was created since. Measured on the expand endpoint
# with 500 connectors: p99 ~40-100 ms without (full collections of the whole heap), ~10 ms with.
GC_FREEZE_CONFIG = "rest.gc.freeze.on.start"
_gc_frozen = False


def freeze_startup_heap() -> None:
    """``gc.freeze()`` once per process (start-up objects are long-lived; later garbage is unaffected)."""
    global _gc_frozen
    if not _gc_frozen:
        gc.collect()
        gc.freeze()
        _gc_frozen = True


def route_table(extra_routes: Iterable[Route] = ()) -> RouteTable:
    """The Connect routes and the extra routes of the layers above (e.g. Genesis's console, metrics,
    lineage and history)."""
    table = RouteTable(connect_routes())
    table.extend(extra_routes)
    return table


def openapi_document(table: RouteTable) -> dict[str, Any]:
    return build_document(
        table,
        title="genesis-worker (Kafka Connect REST API)",
        version=__version__,
        description="The Apache Kafka Connect REST API as served by genesis-worker, plus genesis extensions.",
    )


def create_app(
    herder: Herder,
    config: RestConfig | Mapping[str, Any] | None = None,
    *,
    routes: RouteTable | None = None,
    forwarder: Forwarder | None = None,
    loggers: Loggers | None = None,
    admin_only: bool = False,
    extra_middlewares: Iterable[Middleware] = (),
) -> web.Application:
    """Build the application for one listener kind (main, or admin with ``admin_only``).

    Tests use it directly with ``aiohttp.test_utils``; :func:`start_rest_server` binds it to sockets.
    """
    if not isinstance(config, RestConfig):
        config = RestConfig.from_worker_config(config or {})
    table = routes if routes is not None else route_table()
    if admin_only:
        served = table.select(admin=True)
    elif config.admin_listeners is None:
        served = table
    else:
        served = table.select(admin=False)
    middlewares: list[Middleware] = []
    if not admin_only and config.allow_origin.strip():
        middlewares.append(CorsPolicy(config.allow_origin, config.allow_methods).middleware())
    if not admin_only:  # rest.extension.classes: main listeners only, as in Connect
        ext_context = RestExtensionContext(herder)
        for extension in load_extensions(config.worker_config):
            extension.register(ext_context)
        middlewares.extend(ext_context.middlewares)
        middlewares.extend(extra_middlewares)
        if ext_context.routes:
            table = RouteTable([*table, *ext_context.routes])
            served = RouteTable([*served, *ext_context.routes])
    middlewares.append(connect_errors)
    app = web.Application(middlewares=middlewares, client_max_size=MAX_BODY_BYTES)
    ctx = RestContext(
        herder=herder,
        config=config,
        forwarder=forwarder or Forwarder(timeout_s=config.request_timeout_s),
        loggers=loggers or worker_loggers(),
    )
    ctx.openapi_cache["document"] = openapi_document(table)
    app[CONTEXT] = ctx
    served.register(app)
    if not admin_only and config.response_headers:
        app.on_response_prepare.append(header_hook(parse_header_config(config.response_headers)))
    if forwarder is None:

        async def close_forwarder(_: web.Application) -> None:
            await ctx.forwarder.close()

        app.on_cleanup.append(close_forwarder)
    return app


def _local_host_address() -> str:
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _bind(listener: Listener) -> socket.socket:
    host = listener.host or None
    if host is None and socket.has_dualstack_ipv6():
        return socket.create_server(("", listener.port), family=socket.AF_INET6, dualstack_ipv6=True, reuse_port=False)
    family = socket.AF_INET6 if host and ":" in host else socket.AF_INET
    return socket.create_server((host or "", listener.port), family=family)


@dataclass
class BoundListener:
    listener: Listener
    port: int

    @property
    def url(self) -> str:
        host = self.listener.host or _local_host_address()
        return f"{self.listener.protocol}://{_url_host(host)}:{self.port}/"


@dataclass
class RestServer:
    """A running REST server."""

    url: str  # advertised URL, ends with '/'
    urls: list[str]
    admin_urls: list[str] = field(default_factory=list)
    _runners: list[web.AppRunner] = field(default_factory=list, repr=False)

    async def stop(self) -> None:
        for runner in reversed(self._runners):
            await runner.cleanup()
        self._runners.clear()


def advertised_url(config: RestConfig, bound: list[BoundListener]) -> str:
    """Connect's ``RestServer.advertisedUrl`` from the listeners as bound (their real ports)."""
    return worker_advertised_url(
        [(b.listener.protocol, b.listener.host, b.port) for b in bound],
        protocol=config.advertised_listener,
        host=config.advertised_host_name,
        port=config.advertised_port,
    )


async def _start_sites(
    app: web.Application, listeners: list[Listener], cfg: Mapping[str, Any], tls_prefix: str
) -> tuple[web.AppRunner, list[BoundListener]]:
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    bound: list[BoundListener] = []
    try:
        for listener in listeners:
            ssl_ctx = server_ssl_context(ssl_settings(cfg, tls_prefix)) if listener.protocol == "https" else None
            sock = _bind(listener)
            site = web.SockSite(runner, sock, ssl_context=ssl_ctx)
            await site.start()
            bound.append(BoundListener(listener, sock.getsockname()[1]))
    except BaseException:
        await runner.cleanup()
        raise
    return runner, bound


async def start_rest_server(
    herder: Herder,
    worker_config: Mapping[str, Any],
    *,
    extra_routes: Iterable[Route] = (),
    extra_middlewares: Iterable[Middleware] = (),
) -> RestServer:
    """Bind every listener and serve the Connect REST API for ``herder`` (main listeners: with the layers'
    ``extra_routes`` and ``extra_middlewares``)."""
    config = RestConfig.from_worker_config(worker_config)
    table = route_table(extra_routes)
    client_tls = client_ssl_context(ssl_settings(worker_config, "listeners.https."))
    forwarder = Forwarder(ssl_context=client_tls, timeout_s=config.request_timeout_s)
    main = create_app(herder, config, routes=table, forwarder=forwarder, extra_middlewares=extra_middlewares)

    async def close_forwarder(_: web.Application) -> None:
        await forwarder.close()

    main.on_cleanup.append(close_forwarder)
    server = RestServer(url="", urls=[])
    try:
        runner, bound = await _start_sites(main, config.listeners, worker_config, "listeners.https.")
        server._runners.append(runner)
        server.urls = [b.url for b in bound]
        server.url = advertised_url(config, bound)
        if config.admin_listeners:
            admin = create_app(herder, config, routes=table, forwarder=forwarder, admin_only=True)
            admin_runner, admin_bound = await _start_sites(
                admin, config.admin_listeners, worker_config, "admin.listeners.https."
            )
            server._runners.append(admin_runner)
            server.admin_urls = [b.url for b in admin_bound]
    except BaseException:
        await server.stop()
        raise
    if str(worker_config.get(GC_FREEZE_CONFIG, "true")).strip().lower() != "false":
        freeze_startup_heap()
    log.info("REST server listening at %s, advertised URL %s", ", ".join(server.urls), server.url)
    return server

"""One declarative route table for the whole REST API.

Each :class:`Route` says what an endpoint is (method, path, summary, request and response schemas) and
how it behaves (internal, admin-only, consumes JSON, bounded by the request timeout). The same table
registers the aiohttp routes (:meth:`RouteTable.register`) and produces the OpenAPI 3 document
(:func:`genesis_worker.rest.openapi.build_document`) -- an endpoint cannot exist without being
documented, nor be documented without existing.

Handler modules (``genesis_worker.rest.handlers.*``) each export ``ROUTES``; genesis extensions (console,
metrics, lineage, ownership) add their own modules through ``extra_routes`` of
:func:`genesis_worker.rest.server.start_rest_server`::

    ROUTES = (Route("GET", "/genesis/lineage", lineage, "Topic lineage", tag="genesis", waits=False),)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web

from genesis_worker.herder.errors import ConnectRestException
from genesis_worker.rest.context import context
from genesis_worker.rest.schemas import JsonSchema

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Param:
    """A query or path parameter."""

    name: str
    schema: JsonSchema
    description: str = ""
    location: Literal["query", "path"] = "query"
    required: bool = False
    explode_array: bool = False


@dataclass(frozen=True)
class Reply:
    """A documented response: status, description and body schema (None: no body)."""

    status: int
    description: str
    schema: JsonSchema | None = None


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # "/connectors/{connector}" -- aiohttp and OpenAPI share the template syntax
    handler: Handler
    summary: str
    tag: str = "connect"
    request_body: JsonSchema | None = None
    replies: tuple[Reply, ...] = ()
    query: tuple[Param, ...] = ()
    internal: bool = False  # worker-to-worker: hidden from OpenAPI, any content type
    admin: bool = False  # served on admin.listeners
    consumes_json: bool = True  # a non-JSON Content-Type gets 415
    waits: bool = True  # bounded by the REST request timeout (Connect's 90 s)
    operation_id: str = ""
    path_params: tuple[Param, ...] = field(default=())

    @property
    def op_id(self) -> str:
        return self.operation_id or self.handler.__name__


JSON_TYPES = {("application", "json"), ("application", "*"), ("*", "*")}


def _check_content_type(request: web.Request) -> None:
    """415 for a body that is not JSON. A body-less request passes whatever its Content-Type (Jersey
    would refuse e.g. aiohttp's default ``application/octet-stream`` on an empty POST; no Connect
    client relies on that, some HTTP libraries send it)."""
    if not request.body_exists:
        return
    raw = request.headers.get("Content-Type")
    if raw is None or not raw.strip():
        return
    main = raw.split(";", 1)[0].strip().lower()
    kind, _, sub = main.partition("/")
    if (kind, sub) not in JSON_TYPES:
        raise web.HTTPUnsupportedMediaType()


def timed_out_message(stage: str | None) -> str:
    return f"Request timed out. {stage}" if stage else "Request timed out"


async def bounded(request: web.Request, work: Awaitable[web.StreamResponse]) -> web.StreamResponse:
    """Wait at most the request timeout. The work itself keeps running (as Java's herder request
    does): a mutation in flight is never cancelled halfway by a slow answer or a closed connection."""
    ctx = context(request)
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.wait_for(asyncio.shield(task), ctx.config.request_timeout_s)
    except TimeoutError:
        if task.done():
            raise  # the work itself failed with a TimeoutError: reported as such (500 with its message)
        task.add_done_callback(_swallow)
        try:
            stage = ctx.herder.stage_summary()
        except Exception:
            stage = None
        raise ConnectRestException(500, timed_out_message(stage)) from None


def _swallow(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()


def _endpoint(route: Route) -> Handler:
    handler = route.handler

    async def endpoint(request: web.Request) -> web.StreamResponse:
        if route.consumes_json:
            _check_content_type(request)
        if route.waits:
            return await bounded(request, handler(request))
        return await handler(request)

    endpoint.__name__ = handler.__name__
    return endpoint


def _options(methods: list[str]) -> Handler:
    """Jersey's automatic OPTIONS answer: 200, ``Allow`` header and the methods as text/plain."""
    allowed = [*(["HEAD"] if "GET" in methods else []), *methods, "OPTIONS"]
    text = ", ".join(dict.fromkeys(allowed))

    async def options(request: web.Request) -> web.StreamResponse:
        return web.Response(status=200, text=text, content_type="text/plain", headers={"Allow": ",".join(allowed)})

    return options


class RouteTable:
    """An ordered collection of routes."""

    def __init__(self, routes: Iterable[Route] = ()) -> None:
        self.routes: list[Route] = []
        self.extend(routes)

    def __iter__(self) -> Iterator[Route]:
        return iter(self.routes)

    def __len__(self) -> int:
        return len(self.routes)

    def extend(self, routes: Iterable[Route]) -> None:
        for route in routes:
            for existing in self.routes:
                if existing.method == route.method and existing.path == route.path:
                    raise ValueError(f"Duplicate route {route.method} {route.path}")
            self.routes.append(route)

    def select(self, *, admin: bool | None = None) -> RouteTable:
        """Routes for one kind of listener: admin only (True), non-admin only (False), all (None)."""
        if admin is None:
            return RouteTable(self.routes)
        return RouteTable(r for r in self.routes if r.admin == admin)

    def public(self) -> list[Route]:
        return [r for r in self.routes if not r.internal]

    def register(self, app: web.Application) -> None:
        """Add every route to ``app``; each path also answers with a trailing slash (as Jersey does)
        and to OPTIONS (Allow header, used by CORS preflights)."""
        by_path: dict[str, list[Route]] = {}
        for route in self.routes:
            by_path.setdefault(route.path, []).append(route)
        for path, routes in by_path.items():
            variants = [path] if path == "/" else [path, path + "/"]
            methods = [r.method for r in routes]
            for variant in variants:
                resource = app.router.add_resource(variant)
                for route in routes:
                    endpoint = _endpoint(route)
                    resource.add_route(route.method, endpoint)
                    if route.method == "GET":
                        resource.add_route("HEAD", endpoint)
                if "OPTIONS" not in methods:
                    resource.add_route("OPTIONS", _options(methods))

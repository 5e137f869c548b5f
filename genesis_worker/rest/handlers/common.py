"""Small helpers shared by the handlers: JSON responses, path parameters, leader forwarding."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Any, TypeVar

import orjson
from aiohttp import web

from genesis_worker.herder.errors import ConflictException, RebalanceNeededException, RequestTargetException
from genesis_worker.rest.client import NO_BODY
from genesis_worker.rest.context import FORWARD_HEADERS, FORWARDED_TO, context
from genesis_worker.rest.forwarding import (
    NO_LEADER,
    STALE_CONFIG,
    TOO_MANY_HOPS,
    encode_path,
    forward_url,
)
from genesis_worker.rest.routes import Param

T = TypeVar("T")

CONNECTOR = Param("connector", {"type": "string"}, "The name of the connector", location="path")
TASK = Param("task", {"type": "integer", "format": "int32"}, "The task ID", location="path")


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=orjson.dumps(data), status=status, content_type="application/json", headers=headers)


def no_content() -> web.Response:
    return web.Response(status=204)


def accepted() -> web.Response:
    return web.Response(status=202)


def connector_name(request: web.Request) -> str:
    return request.match_info["connector"]


def task_number(request: web.Request) -> int:
    """A JAX-RS ``Integer`` path parameter: anything but a 32-bit integer is a 404."""
    raw = request.match_info["task"]
    try:
        value = int(raw)
    except ValueError:
        raise web.HTTPNotFound() from None
    if not raw.strip() == raw or not -(2**31) <= value < 2**31 or "_" in raw:
        raise web.HTTPNotFound()
    return value


def location(request: web.Request, name: str) -> str:
    """``Location`` of a created connector: absolute, resolved against the request's base URI."""
    return f"{request.scheme}://{request.host}/connectors/{encode_path(name)}".replace("/connectors//", "/connectors/")


async def complete_or_forward(
    request: web.Request,
    work: Awaitable[T],
    *,
    path: str,
    body: Any = NO_BODY,
    query: Mapping[str, str] | None = None,
) -> tuple[Any, int | None]:
    """Run ``work``; on a routing error forward the request (Java ``HerderRequestHandler``). Returns
    (result, None) when done here, (the target's parsed JSON answer, its status) when forwarded."""
    raw_forward = request.query.get("forward")
    forward = None if raw_forward is None else raw_forward.lower() == "true"
    try:
        return await work, None
    except RequestTargetException as e:
        if forward is None or forward:
            if e.url is None:
                raise ConflictException(NO_LEADER) from None
            ctx = context(request)
            url = forward_url(e.url, path, forward is None, query)
            status, result = await ctx.forwarder.request(
                url, request.method, body, request.headers.get("Authorization"), request.get(FORWARD_HEADERS)
            )
            request[FORWARDED_TO] = url
            if request.method != "GET":
                # read-your-writes on this worker: the leader wrote the change, our view may lag a fetch behind
                await ctx.herder.catch_up()
            return result, status
        raise ConflictException(TOO_MANY_HOPS) from None
    except RebalanceNeededException:
        raise ConflictException(STALE_CONFIG) from None

"""Small helpers shared by the handlers: JSON responses, path parameters."""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from genesis_worker.rest.forwarding import encode_path
from genesis_worker.rest.routes import Param

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

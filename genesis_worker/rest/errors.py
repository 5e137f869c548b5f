"""Connect's error body and exception -> status mapping (Java ``ConnectExceptionMapper``), applied to
every response by one middleware: no HTML page and no traceback ever reaches a client.

    {"error_code": 404, "message": "Connector my-conn not found"}
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import orjson
from aiohttp import web

from genesis_worker.api.errors import (
    AlreadyExistsException,
    ConfigException,
    ConnectException,
    DataException,
    NotFoundException,
    RetriableException,
)
from genesis_worker.herder.errors import (
    BadRequestException,
    ConflictException,
    ConnectRestException,
    NotAssignedException,
    NotLeaderException,
    RebalanceNeededException,
)
from genesis_worker.plugins.registry import PluginNotFoundException

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Java class names shown where Connect prints "<exception class>: <message>" (config/validate).
JAVA_NAMES: dict[type[BaseException], str] = {
    BadRequestException: "org.apache.kafka.connect.runtime.rest.errors.BadRequestException",
    ConflictException: "org.apache.kafka.connect.runtime.rest.errors.ConnectRestException",
    ConnectRestException: "org.apache.kafka.connect.runtime.rest.errors.ConnectRestException",
    NotFoundException: "org.apache.kafka.connect.errors.NotFoundException",
    AlreadyExistsException: "org.apache.kafka.connect.errors.AlreadyExistsException",
    ConfigException: "org.apache.kafka.common.config.ConfigException",
    DataException: "org.apache.kafka.connect.errors.DataException",
    RetriableException: "org.apache.kafka.connect.errors.RetriableException",
    NotLeaderException: "org.apache.kafka.connect.runtime.distributed.NotLeaderException",
    NotAssignedException: "org.apache.kafka.connect.runtime.distributed.NotAssignedException",
    RebalanceNeededException: "org.apache.kafka.connect.runtime.distributed.RebalanceNeededException",
    ConnectException: "org.apache.kafka.connect.errors.ConnectException",
}


def exception_class_name(exc: BaseException) -> str:
    """The Java name of a Connect error class, else the Python qualified name."""
    for cls in type(exc).__mro__:
        if cls in JAVA_NAMES:
            return JAVA_NAMES[cls]
    t = type(exc)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def message_of(exc: BaseException) -> str | None:
    if isinstance(exc, ConnectRestException):
        return exc.message
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    text = str(exc)
    return text if text else None


def error_body(error_code: int, message: str | None) -> bytes:
    return orjson.dumps({"error_code": error_code, "message": message})


def error_response(status: int, message: str | None, error_code: int | None = None) -> web.Response:
    return web.Response(
        status=status,
        body=error_body(status if error_code is None else error_code, message),
        content_type="application/json",
    )


def map_exception(exc: BaseException) -> tuple[int, int, str | None]:
    """(HTTP status, error_code, message) as ConnectExceptionMapper decides."""
    if isinstance(exc, ConnectRestException):
        return exc.status, exc.error_code, exc.message
    if isinstance(exc, NotFoundException):
        return 404, 404, message_of(exc)
    if isinstance(exc, AlreadyExistsException):
        return 409, 409, message_of(exc)
    if isinstance(exc, PluginNotFoundException):
        return 400, 400, message_of(exc)
    if isinstance(exc, web.HTTPException):
        return exc.status, exc.status, f"HTTP {exc.status} {exc.reason}"
    return 500, 500, message_of(exc)


AMBIGUOUS_SEPARATOR = "Ambiguous URI path separator"


@web.middleware
async def connect_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    # Jetty 12 (Connect 4.x) refuses an encoded '/' in the path; so do we, rather than routing
    # /connectors/a%2Fb/config to a connector named "a/b" that Java could never address.
    if "%2f" in request.raw_path.split("?", 1)[0].lower():
        return error_response(400, AMBIGUOUS_SEPARATOR)
    try:
        return await handler(request)
    except asyncio.CancelledError:
        raise
    except web.HTTPException as e:
        if e.status < 400:
            raise
        return error_response(e.status, f"HTTP {e.status} {e.reason}")
    except Exception as e:
        status, code, message = map_exception(e)
        if status >= 500:
            log.error("Uncaught exception in REST call to %s %s", request.method, request.path, exc_info=e)
        else:
            # the client's mistake: one line, no traceback
            log.info("%s %s -> %s %s", request.method, request.path, status, message)
        return error_response(status, message, code)

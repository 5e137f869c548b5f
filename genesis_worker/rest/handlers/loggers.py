"""``/admin/loggers`` (KIP-495, KIP-976): read and change logger levels, on this worker or cluster-wide."""

from __future__ import annotations

import logging

from aiohttp import web

from genesis_worker.api.errors import NotFoundException
from genesis_worker.herder.errors import BadRequestException
from genesis_worker.herder.loggers import parse_level
from genesis_worker.rest.bodies import null_message, read_json, string_map
from genesis_worker.rest.context import context
from genesis_worker.rest.handlers.common import json_response, no_content
from genesis_worker.rest.routes import Param, Reply, Route
from genesis_worker.rest.schemas import array, ref

log = logging.getLogger(__name__)
LOGGER = Param("logger", {"type": "string"}, "The name of the logger (root for the root logger)", location="path")


async def list_loggers(request: web.Request) -> web.StreamResponse:
    return json_response(context(request).loggers.all_levels())


async def get_logger(request: web.Request) -> web.StreamResponse:
    name = request.match_info["logger"]
    level = context(request).loggers.level(name)
    if level is None:
        raise NotFoundException(f"Logger {name} not found.")
    return json_response(level)


async def set_logger_level(request: web.Request) -> web.StreamResponse:
    ctx = context(request)
    namespace = request.match_info["logger"]
    scope = request.query.get("scope", "worker")
    body = string_map(await read_json(request), null_message("java.util.Map.get(Object)", "levelMap"))
    level = body.get("level")
    if level is None:
        raise BadRequestException("Desired 'level' parameter was not specified in request.")
    if parse_level(level) is None:
        raise NotFoundException(f"invalid log level '{level}'.")
    if scope.lower() == "cluster":
        try:
            await ctx.herder.set_cluster_logger_level(namespace, level)
        except NotImplementedError:
            ctx.loggers.set_level(namespace, level)  # standalone: this worker is the whole cluster
        return no_content()
    if scope.lower() != "worker":
        log.warning("Received invalid scope '%s' in request to adjust logging level; will default to worker", scope)
    return json_response(ctx.loggers.set_level(namespace, level))


_ERR = ref("ErrorMessage")

ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "/admin/loggers",
        list_loggers,
        "List the current loggers and their levels",
        tag="admin",
        admin=True,
        waits=False,
        replies=(Reply(200, "Logger levels", ref("LoggerLevels")),),
    ),
    Route(
        "GET",
        "/admin/loggers/{logger}",
        get_logger,
        "Get the log level for the specified logger",
        tag="admin",
        admin=True,
        waits=False,
        path_params=(LOGGER,),
        replies=(Reply(200, "Logger level", ref("LoggerLevel")), Reply(404, "Logger not found", _ERR)),
    ),
    Route(
        "PUT",
        "/admin/loggers/{logger}",
        set_logger_level,
        "Set the log level for the specified logger and its children",
        tag="admin",
        admin=True,
        path_params=(LOGGER,),
        query=(
            Param(
                "scope",
                {"type": "string", "enum": ["worker", "cluster"], "default": "worker"},
                "The scope of the change: this worker or every worker of the cluster",
            ),
        ),
        request_body=ref("LoggerLevelRequest"),
        replies=(
            Reply(200, "Names of the loggers whose level was set (scope=worker)", array({"type": "string"})),
            Reply(204, "Cluster-wide change written (scope=cluster)"),
            Reply(400, "Level not specified", _ERR),
            Reply(404, "Invalid log level", _ERR),
        ),
    ),
)

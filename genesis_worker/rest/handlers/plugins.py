"""``/connector-plugins`` (KIP-769): list plugins, describe a plugin's config, validate a config."""

from __future__ import annotations

import asyncio

from aiohttp import web

from genesis_worker.herder.errors import BadRequestException, ConnectRestException
from genesis_worker.plugins.registry import KIND_ORDER, PluginNotFoundException
from genesis_worker.rest.bodies import query_bool, read_json, string_map
from genesis_worker.rest.context import context
from genesis_worker.rest.errors import exception_class_name, message_of
from genesis_worker.rest.handlers.common import json_response
from genesis_worker.rest.routes import Param, Reply, Route
from genesis_worker.rest.schemas import array, ref

PLUGIN = Param("plugin", {"type": "string"}, "Plugin class name or alias", location="path")


def normalized_plugin_name(name: str) -> str:
    """Strip a trailing ``Connector`` (Java ``ConnectorPluginsResource.normalizedPluginName``)."""
    suffix = "Connector"
    return name[: -len(suffix)] if name.endswith(suffix) and len(name) > len(suffix) else name


async def list_plugins(request: web.Request) -> web.StreamResponse:
    registry = context(request).herder.plugins
    connectors_only = query_bool(request, "connectorsOnly", True)
    kinds = ("sink", "source") if connectors_only else KIND_ORDER
    return json_response([d.to_info() for d in registry.plugins(kinds)])


async def plugin_config(request: web.Request) -> web.StreamResponse:
    return json_response(context(request).herder.connector_plugin_config(request.match_info["plugin"]))


async def validate_config(request: web.Request) -> web.StreamResponse:
    ctx = context(request)
    plugin = request.match_info["plugin"]
    config = string_map(await read_json(request))
    included = config.get("connector.class")
    if included is not None and not normalized_plugin_name(included).endswith(normalized_plugin_name(plugin)):
        raise BadRequestException(f"Included connector type {included} does not match request type {plugin}")
    try:
        result = await ctx.herder.validate_connector_config(config)
    except (asyncio.CancelledError, TimeoutError):
        raise
    except Exception as e:
        # Connect does not unwrap the validation future's ExecutionException here: "<class>: <message>",
        # always 500 there; an unknown plugin or a bad request is the client's mistake: genesis answers 400
        client_error = isinstance(e, PluginNotFoundException) or (
            isinstance(e, ConnectRestException) and e.status < 500
        )
        status = 400 if client_error else 500
        raise ConnectRestException(status, f"{exception_class_name(e)}: {message_of(e)}") from e
    return json_response(result)


_ERR = ref("ErrorMessage")

ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "/connector-plugins",
        list_plugins,
        "List all connector plugins installed",
        tag="connector-plugins",
        query=(
            Param(
                "connectorsOnly",
                {"type": "boolean", "default": True},
                "Whether to list only connectors instead of all plugins",
            ),
        ),
        replies=(Reply(200, "Installed plugins", array(ref("PluginInfo"))),),
        waits=False,
    ),
    Route(
        "GET",
        "/connector-plugins/{plugin}/config",
        plugin_config,
        "Get the configuration definition for the specified plugin",
        tag="connector-plugins",
        path_params=(PLUGIN,),
        replies=(
            Reply(200, "Configuration definition", array(ref("ConfigKeyInfo"))),
            Reply(400, "Not a plugin kind that has a configuration", _ERR),
            Reply(404, "Unknown plugin", _ERR),
        ),
        waits=False,
    ),
    Route(
        "PUT",
        "/connector-plugins/{plugin}/config/validate",
        validate_config,
        "Validate the provided configuration against the configuration definition for the specified plugin",
        tag="connector-plugins",
        path_params=(PLUGIN,),
        request_body=ref("ConnectorConfig"),
        replies=(
            Reply(200, "Validation result (also when error_count > 0)", ref("ConfigInfos")),
            Reply(400, "connector.class does not match the plugin in the path", _ERR),
        ),
    ),
)

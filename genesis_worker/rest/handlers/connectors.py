"""``/connectors``: list, create, read, reconfigure, delete, status, tasks, restart, pause/resume/stop
and topic tracking (reference sections 4.3-4.18)."""

from __future__ import annotations

from typing import Any, cast

from aiohttp import web

from genesis_worker.api.errors import NotFoundException
from genesis_worker.herder.errors import BadRequestException, ConnectRestException
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import RestartRequest, TargetState
from genesis_worker.rest.bodies import (
    BodyError,
    check_fields,
    null_message,
    query_bool,
    read_json,
    require,
    string_field,
    string_map,
)
from genesis_worker.rest.context import context
from genesis_worker.rest.handlers.common import (
    CONNECTOR,
    TASK,
    accepted,
    complete_or_forward,
    connector_name,
    json_response,
    location,
    no_content,
    task_number,
)
from genesis_worker.rest.routes import Param, Reply, Route
from genesis_worker.rest.schemas import array, ref
from genesis_worker.rest.schemas import string_map as string_map_schema

CREATE_REQUEST_CLASS = "org.apache.kafka.connect.runtime.rest.entities.CreateConnectorRequest"
INITIAL_STATES = {"RUNNING": TargetState.STARTED, "PAUSED": TargetState.PAUSED, "STOPPED": TargetState.STOPPED}


MAX_NAME_LENGTH = 255


def check_addressable_name(name: str) -> None:
    """A new connector's name must be one every later request can put in a URL path. Connect accepts
    ``a/b``, ``..`` or a 10,000-character name, then cannot read or delete the connector it made; genesis
    refuses them with 400. (Control characters are refused by the ``name`` config's validator, as in
    Connect, and an empty name too.)"""
    if "/" in name:
        raise BadRequestException(f"Connector name may not contain '/': {name}")
    if name in (".", ".."):
        raise BadRequestException(f"Connector name may not be '.' or '..': {name}")
    if len(name) > MAX_NAME_LENGTH:
        raise BadRequestException(
            f"Connector name is {len(name)} characters long; the limit is {MAX_NAME_LENGTH}: {name[:40]}..."
        )


def check_and_put_name(name: str, config: dict[str, str | None]) -> None:
    """The config's ``name`` must equal the connector name; absent, it is inserted."""
    included = config.get("name")
    if included is not None:
        if included != name:
            raise BadRequestException(
                f"Connector name configuration ({included}) doesn't match connector name in the URL ({name})"
            )
    else:
        config["name"] = name


def parse_initial_state(value: Any) -> str | None:
    text = string_field(value)
    if text is None:
        return None
    upper = text.upper()
    if upper not in INITIAL_STATES:
        raise BodyError(
            "Cannot construct instance of "
            "`org.apache.kafka.connect.runtime.rest.entities.CreateConnectorRequest$InitialState`, problem: "
            f"No enum constant org.apache.kafka.connect.runtime.rest.entities.CreateConnectorRequest.InitialState.{upper}"
        )
    return upper


def _configs(config: dict[str, str | None]) -> dict[str, str]:
    # null values travel to the herder, whose validation reports "Null value can not be supplied ..."
    return cast(dict[str, str], config)


# --- list / create ------------------------------------------------------------------------------------


async def list_connectors(request: web.Request) -> web.StreamResponse:
    herder = context(request).herder
    names = await herder.connectors()
    if "expand" not in request.query:
        return json_response(names)
    expand = request.query.getall("expand")
    want_status = "status" in expand
    want_info = "info" in expand
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        try:
            entry: dict[str, Any] = {}
            if want_status:
                entry["status"] = (await herder.connector_status(name)).to_json()
            if want_info:
                entry["info"] = (await herder.connector_info_local(name)).to_json()
        except NotFoundException:
            continue  # removed while we looked (or no status yet): left out, as Connect does
        out[name] = entry
    return json_response(out)


async def create_connector(request: web.Request) -> web.StreamResponse:
    ctx = context(request)
    body = require(
        await read_json(request),
        null_message(f"{CREATE_REQUEST_CLASS}.name()", "createRequest"),
    )
    if not isinstance(body, dict):
        raise BodyError(f"Cannot deserialize value of type `{CREATE_REQUEST_CLASS}` from non-object value")
    check_fields(body, ("name", "config", "initial_state"), CREATE_REQUEST_CLASS)
    raw_name = string_field(body.get("name"))
    name = "" if raw_name is None else raw_name.strip()
    config = string_map(body.get("config"))
    initial = parse_initial_state(body.get("initial_state"))
    check_addressable_name(name)
    check_and_put_name(name, config)
    work = ctx.herder.put_connector_config(
        name,
        _configs(config),
        allow_replace=False,
        initial_state=None if initial is None else INITIAL_STATES[initial],
    )
    forwarded = {"name": raw_name, "config": config, "initial_state": initial}
    result, remote = await complete_or_forward(request, work, path="/connectors", body=forwarded)
    info = result[1].to_json() if remote is None else result
    return json_response(info, 201, headers={"Location": location(request, name)})


# --- one connector ------------------------------------------------------------------------------------


async def get_connector(request: web.Request) -> web.StreamResponse:
    return json_response((await context(request).herder.connector_info(connector_name(request))).to_json())


async def get_connector_config(request: web.Request) -> web.StreamResponse:
    return json_response(await context(request).herder.connector_config(connector_name(request)))


async def put_connector_config(request: web.Request) -> web.StreamResponse:
    ctx = context(request)
    name = connector_name(request)
    config = string_map(await read_json(request))
    check_addressable_name(name)
    check_and_put_name(name, config)
    work = ctx.herder.put_connector_config(name, _configs(config), allow_replace=True)
    result, remote = await complete_or_forward(request, work, path=f"/connectors/{name}/config", body=config)
    if remote is None:
        created, info = result[0], result[1].to_json()
    else:
        created, info = remote == 201, result
    if created:
        return json_response(info, 201, headers={"Location": location(request, name)})
    return json_response(info, 200)


async def patch_connector_config(request: web.Request) -> web.StreamResponse:
    ctx = context(request)
    name = connector_name(request)
    raw = await read_json(request)
    if raw is None:
        # Connect hands the null patch to the herder: 404 for an unknown connector, else an NPE
        await ctx.herder.connector_config(name)
        raise BodyError(null_message("java.util.Map.forEach(java.util.function.BiConsumer)", "patch"))
    patch = string_map(raw)
    work = ctx.herder.patch_connector_config(name, patch)
    info, remote = await complete_or_forward(request, work, path=f"/connectors/{name}/config", body=patch)
    return json_response(info.to_json() if remote is None else info, 200)


async def delete_connector(request: web.Request) -> web.StreamResponse:
    ctx = context(request)
    name = connector_name(request)
    await complete_or_forward(request, ctx.herder.delete_connector(name), path=f"/connectors/{name}")
    return no_content()


async def get_connector_status(request: web.Request) -> web.StreamResponse:
    return json_response((await context(request).herder.connector_status(connector_name(request))).to_json())


async def get_task_configs(request: web.Request) -> web.StreamResponse:
    return json_response([t.to_json() for t in await context(request).herder.task_configs(connector_name(request))])


async def get_task_status(request: web.Request) -> web.StreamResponse:
    task = ConnectorTaskId(connector_name(request), task_number(request))
    return json_response((await context(request).herder.task_status(task)).to_json())


# --- lifecycle ----------------------------------------------------------------------------------------


async def restart_connector(request: web.Request) -> web.StreamResponse:
    ctx = context(request)
    name = connector_name(request)
    include_tasks = bool(query_bool(request, "includeTasks", False))
    only_failed = bool(query_bool(request, "onlyFailed", False))
    restart = RestartRequest(name, include_tasks=include_tasks, only_failed=only_failed)
    path = f"/connectors/{name}/restart"
    if not include_tasks and not only_failed:
        await complete_or_forward(request, ctx.herder.restart_connector(restart), path=path)
        return no_content()
    query = {"includeTasks": str(include_tasks).lower(), "onlyFailed": str(only_failed).lower()}
    plan, remote = await complete_or_forward(request, ctx.herder.restart_connector(restart), path=path, query=query)
    return json_response(plan.to_json() if remote is None and plan is not None else plan, 202)


async def restart_task(request: web.Request) -> web.StreamResponse:
    ctx = context(request)
    name = connector_name(request)
    task = task_number(request)
    work = ctx.herder.restart_task(ConnectorTaskId(name, task))
    await complete_or_forward(request, work, path=f"/connectors/{name}/tasks/{task}/restart")
    return no_content()


async def pause_connector(request: web.Request) -> web.StreamResponse:
    await context(request).herder.pause_connector(connector_name(request))
    return accepted()


async def resume_connector(request: web.Request) -> web.StreamResponse:
    await context(request).herder.resume_connector(connector_name(request))
    return accepted()


async def stop_connector(request: web.Request) -> web.StreamResponse:
    ctx = context(request)
    name = connector_name(request)
    await complete_or_forward(request, ctx.herder.stop_connector(name), path=f"/connectors/{name}/stop")
    return no_content()


# --- topic tracking (KIP-558) ---------------------------------------------------------------------------


async def get_active_topics(request: web.Request) -> web.StreamResponse:
    ctx = context(request)
    if not ctx.config.topic_tracking_enable:
        raise ConnectRestException(403, "Topic tracking is disabled.")
    name = connector_name(request)
    topics = await ctx.herder.active_topics(name)
    return json_response({name: {"topics": list(topics)}})


async def reset_active_topics(request: web.Request) -> web.StreamResponse:
    ctx = context(request)
    if not ctx.config.topic_tracking_enable:
        raise ConnectRestException(403, "Topic tracking is disabled.")
    if not ctx.config.topic_tracking_allow_reset:
        raise ConnectRestException(403, "Topic tracking reset is disabled.")
    await ctx.herder.reset_active_topics(connector_name(request))
    return accepted()


# --- route table ----------------------------------------------------------------------------------------

_ERR = ref("ErrorMessage")
_404 = Reply(404, "Connector not found", _ERR)
_409 = Reply(409, "Request cannot be completed while a rebalance is in progress", _ERR)
_400 = Reply(400, "Invalid connector configuration", _ERR)
_C = (CONNECTOR,)
_CT = (CONNECTOR, TASK)

ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "/connectors",
        list_connectors,
        "List all active connectors",
        query=(
            Param(
                "expand",
                {"type": "array", "items": {"type": "string", "enum": ["status", "info"]}},
                "Optional connector details to expand (status, info); repeat to include both",
                explode_array=True,
            ),
        ),
        replies=(
            Reply(
                200,
                "Connector names, or connector details keyed by name when expand is given",
                {"oneOf": [array({"type": "string"}), ref("ConnectorExpansions")]},
            ),
        ),
        waits=False,
    ),
    Route(
        "POST",
        "/connectors",
        create_connector,
        "Create a new connector",
        request_body=ref("CreateConnectorRequest"),
        replies=(
            Reply(201, "Connector created", ref("ConnectorInfo")),
            _400,
            Reply(409, "Connector already exists or a rebalance is in progress", _ERR),
        ),
    ),
    Route(
        "GET",
        "/connectors/{connector}",
        get_connector,
        "Get the details for the specified connector",
        path_params=_C,
        replies=(Reply(200, "Connector details", ref("ConnectorInfo")), _404),
    ),
    Route(
        "DELETE",
        "/connectors/{connector}",
        delete_connector,
        "Delete the specified connector",
        path_params=_C,
        replies=(Reply(204, "Connector deleted"), _404, _409),
    ),
    Route(
        "GET",
        "/connectors/{connector}/config",
        get_connector_config,
        "Get the configuration for the specified connector",
        path_params=_C,
        replies=(Reply(200, "Connector configuration", string_map_schema()), _404),
    ),
    Route(
        "PUT",
        "/connectors/{connector}/config",
        put_connector_config,
        "Create or reconfigure the specified connector",
        path_params=_C,
        request_body=ref("ConnectorConfig"),
        replies=(
            Reply(200, "Connector reconfigured", ref("ConnectorInfo")),
            Reply(201, "Connector created", ref("ConnectorInfo")),
            _400,
            _409,
        ),
    ),
    Route(
        "PATCH",
        "/connectors/{connector}/config",
        patch_connector_config,
        "Patch the configuration for the specified connector (null values remove keys)",
        path_params=_C,
        request_body=ref("ConnectorConfigPatch"),
        replies=(Reply(200, "Connector configuration patched", ref("ConnectorInfo")), _400, _404, _409),
    ),
    Route(
        "GET",
        "/connectors/{connector}/status",
        get_connector_status,
        "Get the status for the specified connector",
        path_params=_C,
        replies=(Reply(200, "Connector status", ref("ConnectorStateInfo")), _404),
        waits=False,
    ),
    Route(
        "GET",
        "/connectors/{connector}/tasks",
        get_task_configs,
        "List all tasks and their configurations for the specified connector",
        path_params=_C,
        replies=(Reply(200, "Task configurations", array(ref("TaskInfo"))), _404),
    ),
    Route(
        "GET",
        "/connectors/{connector}/tasks/{task}/status",
        get_task_status,
        "Get the state of the specified task for the specified connector",
        path_params=_CT,
        replies=(Reply(200, "Task status", ref("TaskState")), Reply(404, "Connector or task not found", _ERR)),
        waits=False,
    ),
    Route(
        "POST",
        "/connectors/{connector}/restart",
        restart_connector,
        "Restart the specified connector",
        path_params=_C,
        query=(
            Param("includeTasks", {"type": "boolean", "default": False}, "Whether to also restart tasks"),
            Param("onlyFailed", {"type": "boolean", "default": False}, "Whether to only restart failed instances"),
        ),
        replies=(
            Reply(202, "Restart accepted (includeTasks or onlyFailed)", ref("ConnectorStateInfo")),
            Reply(204, "Connector restarted"),
            _404,
            _409,
        ),
    ),
    Route(
        "POST",
        "/connectors/{connector}/tasks/{task}/restart",
        restart_task,
        "Restart the specified task for the specified connector",
        path_params=_CT,
        replies=(Reply(204, "Task restarted"), Reply(404, "Connector or task not found", _ERR), _409),
    ),
    Route(
        "PUT",
        "/connectors/{connector}/pause",
        pause_connector,
        "Pause the specified connector",
        path_params=_C,
        replies=(Reply(202, "Pause accepted"), _404),
    ),
    Route(
        "PUT",
        "/connectors/{connector}/resume",
        resume_connector,
        "Resume the specified connector",
        path_params=_C,
        replies=(Reply(202, "Resume accepted"), _404),
    ),
    Route(
        "PUT",
        "/connectors/{connector}/stop",
        stop_connector,
        "Stop the specified connector",
        path_params=_C,
        replies=(Reply(204, "Connector stopped"), _404, _409),
    ),
    Route(
        "GET",
        "/connectors/{connector}/topics",
        get_active_topics,
        "Get the list of topics actively used by the specified connector",
        path_params=_C,
        replies=(
            Reply(200, "Active topics keyed by connector name", ref("ActiveTopics")),
            Reply(403, "Topic tracking is disabled", _ERR),
        ),
        waits=False,
    ),
    Route(
        "PUT",
        "/connectors/{connector}/topics/reset",
        reset_active_topics,
        "Reset the list of topics actively used by the specified connector",
        path_params=_C,
        replies=(Reply(202, "Reset accepted"), Reply(403, "Topic tracking or its reset is disabled", _ERR)),
    ),
)

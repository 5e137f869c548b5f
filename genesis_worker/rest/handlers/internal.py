"""Worker-to-worker endpoints (reference section 5): hidden from OpenAPI, raw bytes in, signed with the
session key when the group runs protocol ``sessioned``."""

from __future__ import annotations

from typing import Any, cast

import orjson
from aiohttp import web

from genesis_worker.rest.bodies import BodyError, parse_error_message, scalar_to_string
from genesis_worker.rest.context import context
from genesis_worker.rest.handlers.common import CONNECTOR, complete_or_forward, connector_name, no_content
from genesis_worker.rest.routes import Reply, Route
from genesis_worker.rest.schemas import ref
from genesis_worker.rest.signature import verify_internal_request


def parse_task_configs(raw: bytes) -> list[dict[str, str]]:
    """``List<Map<String, String>>`` as Jackson's ObjectMapper reads it (500 on anything else)."""
    try:
        value: Any = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise BodyError(parse_error_message(e, raw)) from None
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise BodyError(
            "Cannot deserialize value of type `java.util.List<java.util.Map<java.lang.String,java.lang.String>>`"
        )
    # JSON nulls stay None, as Jackson keeps them in Map<String, String>
    return [cast(dict[str, str], {k: scalar_to_string(v) for k, v in item.items()}) for item in value]


async def put_task_configs(request: web.Request) -> web.StreamResponse:
    ctx = context(request)
    name = connector_name(request)
    raw = await request.read()
    configs = parse_task_configs(raw)
    signature = verify_internal_request(ctx.herder, raw, request.headers, ctx.config.verification_algorithms)
    work = ctx.herder.put_task_configs(name, configs, signature)
    await complete_or_forward(request, work, path=f"/connectors/{name}/tasks", body=configs)
    return no_content()


async def fence_zombies(request: web.Request) -> web.StreamResponse:
    ctx = context(request)
    name = connector_name(request)
    raw = await request.read()
    signature = verify_internal_request(ctx.herder, raw, request.headers, ctx.config.verification_algorithms)
    work = ctx.herder.fence_zombie_source_tasks(name, signature)
    await complete_or_forward(request, work, path=f"/connectors/{name}/fence")
    return no_content()


_ERR = ref("ErrorMessage")

ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "/connectors/{connector}/tasks",
        put_task_configs,
        "Submit task configurations to the leader (internal)",
        path_params=(CONNECTOR,),
        request_body=ref("TaskConfigs"),
        replies=(Reply(204, "Task configurations written"),),
        internal=True,
        consumes_json=False,
    ),
    Route(
        "PUT",
        "/connectors/{connector}/fence",
        fence_zombies,
        "Fence out zombie source tasks before starting new ones (internal, KIP-618)",
        path_params=(CONNECTOR,),
        replies=(Reply(204, "Fencing done"),),
        internal=True,
        consumes_json=False,
    ),
)

"""``/connectors/{c}/offsets`` (KIP-875): read, alter and reset connector offsets."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from genesis_worker.herder.errors import BadRequestException
from genesis_worker.rest.bodies import BodyError, check_fields, null_message, read_json, require
from genesis_worker.rest.context import context
from genesis_worker.rest.handlers.common import CONNECTOR, complete_or_forward, connector_name, json_response
from genesis_worker.rest.routes import Reply, Route
from genesis_worker.rest.schemas import ref

OFFSETS_CLASS = "org.apache.kafka.connect.runtime.rest.entities.ConnectorOffsets"
OFFSET_CLASS = "org.apache.kafka.connect.runtime.rest.entities.ConnectorOffset"


def _map_or_null(value: Any, field: str) -> dict[str, Any] | None:
    if value is None or isinstance(value, dict):
        return value
    raise BodyError(
        f"Cannot deserialize value of type `java.util.Map<java.lang.String,java.lang.Object>` for '{field}'"
    )


def parse_offsets(body: Any) -> list[dict[str, Any]]:
    """Bind a ConnectorOffsets body; 400 when no partition is given (Connect's check)."""
    body = require(body, null_message(f"{OFFSETS_CLASS}.offsets()", "offsets"))
    if not isinstance(body, dict):
        raise BodyError(f"Cannot deserialize value of type `{OFFSETS_CLASS}` from non-object value")
    check_fields(body, ("offsets",), OFFSETS_CLASS)
    entries = body.get("offsets")
    if entries is not None and not isinstance(entries, list):
        raise BodyError("Cannot deserialize value of type `java.util.ArrayList` from non-array value")
    if not entries:
        raise BadRequestException("Partitions / offsets need to be provided for an alter offsets request")
    out: list[dict[str, Any]] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise BodyError(f"Cannot deserialize value of type `{OFFSET_CLASS}` from non-object value")
        check_fields(entry, ("partition", "offset"), OFFSET_CLASS)
        out.append(
            {
                "partition": _map_or_null(entry.get("partition"), "partition"),
                "offset": _map_or_null(entry.get("offset"), "offset"),
            }
        )
    return out


async def get_offsets(request: web.Request) -> web.StreamResponse:
    return json_response((await context(request).herder.connector_offsets(connector_name(request))).to_json())


async def alter_offsets(request: web.Request) -> web.StreamResponse:
    ctx = context(request)
    name = connector_name(request)
    offsets = parse_offsets(await read_json(request))
    work = ctx.herder.alter_connector_offsets(name, offsets)
    message, remote = await complete_or_forward(
        request, work, path=f"/connectors/{name}/offsets", body={"offsets": offsets}
    )
    return json_response(message.to_json() if remote is None else message, 200)


async def reset_offsets(request: web.Request) -> web.StreamResponse:
    ctx = context(request)
    name = connector_name(request)
    work = ctx.herder.reset_connector_offsets(name)
    message, remote = await complete_or_forward(request, work, path=f"/connectors/{name}/offsets")
    return json_response(message.to_json() if remote is None else message, 200)


_ERR = ref("ErrorMessage")
_C = (CONNECTOR,)

ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "/connectors/{connector}/offsets",
        get_offsets,
        "Get the current offsets for the specified connector",
        path_params=_C,
        replies=(Reply(200, "Connector offsets", ref("ConnectorOffsets")), Reply(404, "Connector not found", _ERR)),
    ),
    Route(
        "PATCH",
        "/connectors/{connector}/offsets",
        alter_offsets,
        "Alter the offsets for the specified connector (a null offset resets that partition)",
        path_params=_C,
        request_body=ref("ConnectorOffsets"),
        replies=(
            Reply(200, "Offsets altered", ref("Message")),
            Reply(400, "Invalid offsets, or the connector is not STOPPED", _ERR),
            Reply(404, "Connector not found", _ERR),
            Reply(409, "Request cannot be completed while a rebalance is in progress", _ERR),
        ),
    ),
    Route(
        "DELETE",
        "/connectors/{connector}/offsets",
        reset_offsets,
        "Reset the offsets for the specified connector",
        path_params=_C,
        replies=(
            Reply(200, "Offsets reset", ref("Message")),
            Reply(400, "The connector is not STOPPED", _ERR),
            Reply(404, "Connector not found", _ERR),
            Reply(409, "Request cannot be completed while a rebalance is in progress", _ERR),
        ),
    ),
)

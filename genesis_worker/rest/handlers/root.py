"""``GET /`` (server info), ``GET /health`` (KIP-1017) and the genesis OpenAPI document."""

from __future__ import annotations

from aiohttp import web

from genesis_worker import __version__
from genesis_worker.rest.context import context
from genesis_worker.rest.handlers.common import json_response
from genesis_worker.rest.routes import Reply, Route
from genesis_worker.rest.schemas import ref

# The Connect REST API level this worker serves; tools that read "version" compare against Kafka's.
CONNECT_API_VERSION = "4.4.0"
SERVER_VERSION = f"{CONNECT_API_VERSION}-genesis-{__version__}"
OPENAPI_PATH = "/genesis/openapi.json"


async def server_info(request: web.Request) -> web.StreamResponse:
    herder = context(request).herder
    return json_response(
        {"version": SERVER_VERSION, "commit": "unknown", "kafka_cluster_id": herder.kafka_cluster_id()}
    )


async def health(request: web.Request) -> web.StreamResponse:
    status, body = context(request).herder.health()
    return json_response(body.to_json(), status)


async def openapi_document(request: web.Request) -> web.StreamResponse:
    return json_response(context(request).openapi_cache["document"])


ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "/",
        server_info,
        "Get details about this Connect worker and the ID of the Kafka cluster it is connected to",
        tag="root",
        consumes_json=False,
        replies=(Reply(200, "Server information", ref("ServerInfo")),),
    ),
    Route(
        "GET",
        "/health",
        health,
        "Health check endpoint to verify worker readiness and liveness",
        tag="root",
        consumes_json=False,
        waits=False,
        replies=(
            Reply(200, "Worker is healthy", ref("WorkerStatus")),
            Reply(500, "Worker is unhealthy", ref("WorkerStatus")),
            Reply(503, "Worker is still starting", ref("WorkerStatus")),
        ),
    ),
    Route(
        "GET",
        OPENAPI_PATH,
        openapi_document,
        "This API as an OpenAPI 3 document",
        tag="genesis",
        consumes_json=False,
        waits=False,
        replies=(Reply(200, "OpenAPI document", {"type": "object"}),),
    ),
)

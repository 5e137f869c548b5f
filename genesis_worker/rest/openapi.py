"""The OpenAPI 3.0 document generated from the route table (served at ``GET /genesis/openapi.json``).

Internal worker-to-worker endpoints and the hidden ``forward`` parameter are left out, as Connect's own
OpenAPI generation hides them.
"""

from __future__ import annotations

import re
from typing import Any

from genesis_worker.rest.routes import Route, RouteTable
from genesis_worker.rest.schemas import COMPONENTS, JsonSchema, ref

_PATH_PARAM = re.compile(r"{([^}:]+)(?::[^}]*)?}")
_REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def _json(schema: JsonSchema) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _operation(route: Route) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": route.op_id, "summary": route.summary, "tags": [route.tag]}
    params: list[dict[str, Any]] = []
    declared = {p.name: p for p in route.path_params}
    for name in _PATH_PARAM.findall(route.path):
        p = declared.get(name)
        params.append(
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": p.schema if p else {"type": "string"},
                **({"description": p.description} if p and p.description else {}),
            }
        )
    for q in route.query:
        entry: dict[str, Any] = {"name": q.name, "in": "query", "required": q.required, "schema": q.schema}
        if q.description:
            entry["description"] = q.description
        if q.explode_array:
            entry["style"] = "form"
            entry["explode"] = True
        params.append(entry)
    if params:
        op["parameters"] = params
    if route.request_body is not None:
        op["requestBody"] = {"required": True, "content": _json(route.request_body)}
    responses: dict[str, Any] = {}
    for reply in route.replies:
        resp: dict[str, Any] = {"description": reply.description or _REASONS.get(reply.status, "")}
        if reply.schema is not None:
            resp["content"] = _json(reply.schema)
        responses[str(reply.status)] = resp
    error = {"content": _json(ref("ErrorMessage"))}
    if route.consumes_json and route.request_body is not None:
        responses.setdefault("415", {"description": "Unsupported Media Type", **error})
    responses.setdefault("500", {"description": "Request timed out or failed unexpectedly", **error})
    op["responses"] = responses
    return op


def build_document(table: RouteTable, *, title: str, version: str, description: str = "") -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    tags: list[str] = []
    for route in table.public():
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
        if route.tag not in tags:
            tags.append(route.tag)
    return {
        "openapi": "3.0.3",
        "info": {"title": title, "version": version, "description": description},
        "tags": [{"name": t} for t in tags],
        "paths": paths,
        "components": {"schemas": COMPONENTS},
    }

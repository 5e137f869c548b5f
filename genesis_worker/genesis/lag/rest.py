"""The lag endpoints, answered by the leader (other workers forward the request to it with the REST
layer's forwarder, as Connect forwards a request only the leader can serve):

* ``GET /genesis/lag``: every pipeline's type, status and total lag
* ``GET /genesis/connectors/{connector}/lag``: a sink's Burrow evaluation per partition, a source's figures
* ``GET /genesis/connectors/{connector}/series[?minutes=60]``: the last hour's points for the console
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from aiohttp import web

from genesis_worker.genesis.lag.monitor import LagMonitor
from genesis_worker.genesis.lag.state import SERIES_SPAN_MS
from genesis_worker.herder.errors import BadRequestException
from genesis_worker.rest.handlers.common import CONNECTOR, complete_or_forward, connector_name, json_response
from genesis_worker.rest.routes import Param, Reply, Route

MAX_MINUTES = SERIES_SPAN_MS // 60_000
_NULLABLE_INT = {"type": ["integer", "null"]}
_SAMPLE = {
    "type": ["object", "null"],
    "properties": {"offset": {"type": "integer"}, "lag": _NULLABLE_INT, "timestamp": {"type": "integer"}},
}
_PARTITION = {
    "type": "object",
    "properties": {
        "topic": {"type": "string"},
        "partition": {"type": "integer"},
        "status": {"type": "string", "enum": ["OK", "WARN", "ERR", "STOP", "STALL", "REWIND"]},
        "current_lag": {"type": "integer"},
        "committed_offset": _NULLABLE_INT,
        "end_offset": _NULLABLE_INT,
        "start": _SAMPLE,
        "end": _SAMPLE,
    },
}
_LAG = {
    "type": "object",
    "description": "A sink: group, status, total_lag, evaluated_at, partitions; a source: records_per_sec, "
    "last_offset_commit_age_ms, pending_records",
    "properties": {
        "connector": {"type": "string"},
        "type": {"type": "string"},
        "group": {"type": "string"},
        "status": {"type": "string", "enum": ["OK", "WARN", "ERR", "NOTFOUND"]},
        "total_lag": {"type": "integer"},
        "evaluated_at": _NULLABLE_INT,
        "partitions": {"type": "array", "items": _PARTITION},
        "records_per_sec": {"type": ["number", "null"]},
        "last_offset_commit_age_ms": _NULLABLE_INT,
        "pending_records": _NULLABLE_INT,
    },
    "required": ["connector", "type"],
}
_ALL = {
    "type": "object",
    "additionalProperties": {
        "type": "object",
        "properties": {
            "type": {"type": "string"},
            "status": {"type": ["string", "null"]},
            "total_lag": _NULLABLE_INT,
        },
    },
}
_SERIES = {
    "type": "object",
    "properties": {
        "connector": {"type": "string"},
        "interval_ms": {"type": "integer"},
        "points": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "t": {"type": "integer"},
                    "records_per_sec": {"type": "number"},
                    "lag": _NULLABLE_INT,
                    "status": {"type": ["string", "null"]},
                },
            },
        },
    },
}


async def _answer(
    request: web.Request, work: Awaitable[Any], path: str, query: dict[str, str] | None = None
) -> web.Response:
    result, status = await complete_or_forward(request, work, path=path, query=query)
    return json_response(result, status or 200)


def _minutes(request: web.Request) -> int:
    raw = request.query.get("minutes", str(MAX_MINUTES))
    try:
        minutes = int(raw)
    except ValueError:
        raise BadRequestException(f"minutes must be an integer, got {raw!r}") from None
    if not 0 < minutes <= MAX_MINUTES:
        raise BadRequestException(f"minutes must be between 1 and {MAX_MINUTES}")
    return minutes


def lag_routes(monitor: LagMonitor) -> tuple[Route, ...]:
    async def all_lag(request: web.Request) -> web.StreamResponse:
        return await _answer(request, monitor.all_lag(), "/genesis/lag")

    async def connector_lag(request: web.Request) -> web.StreamResponse:
        name = connector_name(request)
        return await _answer(request, monitor.connector_lag(name), f"/genesis/connectors/{name}/lag")

    async def connector_series(request: web.Request) -> web.StreamResponse:
        name = connector_name(request)
        minutes = _minutes(request)
        path = f"/genesis/connectors/{name}/series"
        return await _answer(request, monitor.connector_series(name, minutes), path, {"minutes": str(minutes)})

    return (
        Route(
            "GET",
            "/genesis/lag",
            all_lag,
            "Every pipeline's lag status (Burrow's rules, sinks) and total lag, from the leader",
            tag="genesis",
            consumes_json=False,
            replies=(Reply(200, "Lag per pipeline", _ALL),),
        ),
        Route(
            "GET",
            "/genesis/connectors/{connector}/lag",
            connector_lag,
            "A sink's lag per partition evaluated with Burrow's rules, or a source's produce figures",
            tag="genesis",
            consumes_json=False,
            path_params=(CONNECTOR,),
            replies=(Reply(200, "Lag", _LAG), Reply(404, "Unknown connector")),
        ),
        Route(
            "GET",
            "/genesis/connectors/{connector}/series",
            connector_series,
            "The pipeline's throughput, lag and status over the last hour, one point per lag sample",
            tag="genesis",
            consumes_json=False,
            path_params=(CONNECTOR,),
            query=(
                Param("minutes", {"type": "integer"}, f"How many minutes back (default and at most {MAX_MINUTES})"),
            ),
            replies=(Reply(200, "Series", _SERIES), Reply(400, "Bad minutes"), Reply(404, "Unknown connector")),
        ),
    )

"""Genesis REST endpoints: pipelines with ownership and metrics, history, lineage, Prometheus metrics and
the web console. The Genesis layer adds them to the REST server's route table, beside Connect's API (and
so to the OpenAPI document); handlers reach the herder through the REST context.

* ``GET /genesis/pipelines[?clusters=all]``: every connector with its state, tasks, owner, ticket, throughput
  and lag (figures of the whole cluster, :mod:`.cluster_view`); ``clusters``: other clusters' too (:mod:`.clusters`)
* ``GET /genesis/connectors/{connector}/history[?limit=N&before=ID]``: the connector's audit history (config
  changes and actions, with the actor), oldest first: the newest ``limit`` records (default 200, at most
  1000) with an ``id`` below ``before``; the next, older, page is ``before=<first record's id>``
* ``GET /genesis/lineage`` (whole graph) and ``GET /genesis/lineage?topic=T`` (readers, writers, downstream),
  ``&clusters=all`` across clusters
* ``GET /genesis/metrics``: throughput per pipeline, per task and for the worker and the cluster, as JSON
* ``GET /genesis/clusters``: this cluster and the other clusters of ``genesis.console.clusters``
* ``GET /genesis/internal/metrics``: this worker's task figures, for the other workers (signed, hidden)
* ``GET /genesis/lag``, ``GET /genesis/connectors/{connector}/lag`` and ``.../series``: lag evaluated with
  Burrow's rules, and each pipeline's last hour (:mod:`~genesis_worker.genesis.lag.rest`)
* ``GET /metrics``: Prometheus text format
* ``GET /genesis/console``: the web console (static files under ``genesis_worker/genesis/console``)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aiohttp import web

from genesis_worker.api.connector import Connector
from genesis_worker.api.errors import NotFoundException
from genesis_worker.api.lineage import Lineage
from genesis_worker.genesis import pipeline_metrics
from genesis_worker.genesis.cluster_view import INTERNAL_METRICS_PATH, ClusterMetrics, local_task_figures
from genesis_worker.genesis.clusters import ClusterRef, Clusters
from genesis_worker.genesis.history import DEFAULT_PAGE, MAX_PAGE, ConfigHistory
from genesis_worker.genesis.lag.monitor import LagMonitor
from genesis_worker.genesis.lag.rest import lag_routes
from genesis_worker.genesis.lineage import LineageGraph, PipelineView
from genesis_worker.genesis.ownership import Ownership
from genesis_worker.herder.base import Herder
from genesis_worker.herder.errors import BadRequestException
from genesis_worker.rest.client import Forwarder
from genesis_worker.rest.context import context
from genesis_worker.rest.handlers.common import CONNECTOR, json_response
from genesis_worker.rest.routes import Param, Reply, Route
from genesis_worker.rest.signature import verify_internal_request

log = logging.getLogger(__name__)

CONSOLE_DIR = Path(__file__).parent / "console"
_CONSOLE_TYPES = {".html": "text/html", ".js": "application/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


def connector_lineage(herder: Herder, config: Mapping[str, str]) -> Lineage:
    """The connector's declared lineage; a class that cannot be loaded gives an empty one."""
    desc = herder.plugins.find(config.get("connector.class", ""))
    if desc is None or not issubclass(desc.cls, Connector):
        return Lineage()
    try:
        connector = desc.cls()
        assert isinstance(connector, Connector)
        return connector.lineage(config)
    except Exception as e:
        log.debug("Lineage of %s failed: %s", config.get("name"), e)
        return Lineage()


async def _pipeline(herder: Herder, name: str) -> dict[str, Any] | None:
    try:
        info, status = await asyncio.gather(herder.connector_info_local(name), herder.connector_status(name))
    except NotFoundException:
        return None  # deleted between the list and now
    config = info.config
    try:
        topics = await herder.active_topics(name)
    except Exception:
        topics = []
    status_json = status.to_json()
    return {
        "name": name,
        "type": info.type,
        "class": config.get("connector.class"),
        "connector": status_json["connector"],
        "tasks": status_json["tasks"],
        **Ownership.of(config).to_json(),
        "topics": topics,
        "config": config,
    }


async def _graph(herder: Herder) -> LineageGraph:
    views = []
    for name in await herder.connectors():
        p = await _pipeline(herder, name)
        if p is None:
            continue
        config = p["config"]
        views.append(
            PipelineView(
                name=name,
                type=p["type"] or "unknown",
                lineage=connector_lineage(herder, config),
                owner=p["owner"],
                ticket=p["ticket"],
                state=(p["connector"] or {}).get("state"),
                active_topics=list(p["topics"]),
                dlq_topic=config.get("errors.deadletterqueue.topic.name") or None,
            )
        )
    return LineageGraph(views)


async def internal_metrics(request: web.Request) -> web.StreamResponse:
    """This worker's task figures, asked by the other workers for the cluster view (signed as Connect's
    internal requests are)."""
    ctx = context(request)
    verify_internal_request(ctx.herder, await request.read(), request.headers, ctx.config.verification_algorithms)
    metrics = ctx.herder.metrics
    if metrics is None:
        return json_response({"worker_id": None, "window_seconds": 0.0, "tasks": []})
    return json_response(
        {"worker_id": metrics.worker_id, "window_seconds": metrics.window, "tasks": local_task_figures(metrics)}
    )


async def console(request: web.Request) -> web.StreamResponse:
    name = request.match_info.get("file") or "index.html"
    path = (CONSOLE_DIR / name).resolve()
    if CONSOLE_DIR.resolve() not in path.parents or not path.is_file() or path.suffix not in _CONSOLE_TYPES:
        raise web.HTTPNotFound()
    return web.Response(
        body=path.read_bytes(), content_type=_CONSOLE_TYPES[path.suffix], headers={"Cache-Control": "no-cache"}
    )


def _int_param(request: web.Request, key: str, default: int) -> int:
    raw = request.query.get(key)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadRequestException(f"{key} must be an integer, got {raw!r}") from None


_PIPELINE = {"type": "object", "additionalProperties": True}


_CLUSTERS = Param("clusters", {"type": "string"}, "all, or cluster names separated by commas: span those clusters too")


def genesis_routes(
    changes: ConfigHistory,
    lag: LagMonitor,
    cluster_metrics: ClusterMetrics | None = None,
    clusters: Clusters | None = None,
) -> tuple[Route, ...]:
    """Every Genesis route; the history endpoint answers from ``changes``, the lag endpoints and series
    from ``lag``, the figures come from ``cluster_metrics`` (distributed: the whole cluster's; None: this
    worker's) and ``clusters`` are the other clusters of the console's selector (None: none)."""
    selector = clusters or Clusters("standalone", "", (), Forwarder())

    async def prometheus(request: web.Request) -> web.StreamResponse:
        metrics = context(request).herder.metrics
        body = metrics.exposition() + pipeline_metrics.exposition(metrics, lag) if metrics is not None else b""
        return web.Response(
            body=body, content_type="text/plain", charset="utf-8", headers={"X-Content-Type-Options": "nosniff"}
        )

    def selected(request: web.Request) -> list[ClusterRef] | None:
        param = request.query.get("clusters")
        return None if param is None else selector.select(param)

    async def summary(request: web.Request) -> dict[str, Any] | None:
        herder = context(request).herder
        if cluster_metrics is not None:
            return await cluster_metrics.summary(request.headers.get("Authorization"))
        return herder.metrics.summary(await herder.connectors()) if herder.metrics is not None else None

    async def pipelines(request: web.Request) -> web.StreamResponse:
        refs = selected(request)
        herder = context(request).herder
        names = await herder.connectors()
        found = await asyncio.gather(*(_pipeline(herder, n) for n in names))
        figures = await summary(request)
        per = figures["connectors"] if figures is not None else {}
        out = []
        for p in found:
            if p is None:
                continue
            p["metrics"] = per.get(p["name"])
            p["cluster"] = selector.self_name
            out.append(p)
        return json_response(out if refs is None else await selector.pipelines(out, refs))

    async def lineage(request: web.Request) -> web.StreamResponse:
        refs = selected(request)
        graph = await _graph(context(request).herder)
        topic = request.query.get("topic")
        if topic:
            system = request.query.get("system", "kafka")
            local = graph.for_topic(topic, system)
            return json_response(local if refs is None else await selector.topic_lineage(local, refs, topic, system))
        return json_response(graph.to_json() if refs is None else await selector.lineage(graph.to_json(), refs))

    async def metrics_json(request: web.Request) -> web.StreamResponse:
        figures = await summary(request)
        return json_response(figures if figures is not None else {"worker_id": None, "connectors": {}, "worker": {}})

    async def cluster_list(request: web.Request) -> web.StreamResponse:
        return json_response(await selector.clusters())

    async def history(request: web.Request) -> web.StreamResponse:
        herder = context(request).herder
        name = request.match_info["connector"]
        limit = _int_param(request, "limit", DEFAULT_PAGE)
        if not 0 < limit <= MAX_PAGE:
            raise BadRequestException(f"limit must be between 1 and {MAX_PAGE}")
        raw_before = request.query.get("before")
        before = None if raw_before is None else _int_param(request, "before", 0)
        events = changes.page(name, limit, before)
        if not events and not changes.events(name) and name not in await herder.connectors():
            raise NotFoundException(f"Connector {name} not found")
        return json_response([e.to_json() for e in events])

    return (
        Route(
            "GET",
            "/genesis/pipelines",
            pipelines,
            "Every connector with its status, owner, ticket, throughput and lag (figures of the whole cluster)",
            tag="genesis",
            consumes_json=False,
            query=(_CLUSTERS,),
            replies=(
                Reply(
                    200,
                    "Pipelines (with clusters: an object of clusters and pipelines)",
                    {"oneOf": [{"type": "array", "items": _PIPELINE}, _PIPELINE]},
                ),
                Reply(400, "Unknown cluster"),
            ),
        ),
        Route(
            "GET",
            "/genesis/clusters",
            cluster_list,
            "This cluster and the other clusters of genesis.console.clusters, each with whether it answers",
            tag="genesis",
            consumes_json=False,
            replies=(Reply(200, "Clusters", {"type": "array", "items": _PIPELINE}),),
        ),
        Route(
            "GET",
            "/genesis/connectors/{connector}/history",
            history,
            "The audit history of a connector (config changes and actions, with the actor), oldest first",
            tag="genesis",
            consumes_json=False,
            path_params=(CONNECTOR,),
            query=(
                Param("limit", {"type": "integer"}, f"How many records (default {DEFAULT_PAGE}, at most {MAX_PAGE})"),
                Param("before", {"type": "integer"}, "Only records with an id below this one (the next page)"),
            ),
            replies=(
                Reply(200, "History", {"type": "array", "items": _PIPELINE}),
                Reply(400, "Bad paging parameters"),
                Reply(404, "Unknown connector"),
            ),
        ),
        Route(
            "GET",
            "/genesis/lineage",
            lineage,
            "Lineage: the whole graph, or for one topic its readers, writers, upstream and downstream",
            tag="genesis",
            consumes_json=False,
            query=(
                Param("topic", {"type": "string"}, "A topic (or other endpoint) name"),
                Param("system", {"type": "string"}, "The endpoint's system (default kafka)"),
                _CLUSTERS,
            ),
            replies=(Reply(200, "Lineage", _PIPELINE), Reply(400, "Unknown cluster")),
        ),
        Route(
            "GET",
            "/genesis/metrics",
            metrics_json,
            "Throughput and lag per pipeline and per task, for this worker and the whole cluster",
            tag="genesis",
            consumes_json=False,
            waits=False,
            replies=(Reply(200, "Metrics", _PIPELINE),),
        ),
        Route(
            "GET",
            INTERNAL_METRICS_PATH,
            internal_metrics,
            "This worker's task figures, for the other workers' cluster view (internal)",
            tag="genesis",
            consumes_json=False,
            internal=True,
            waits=False,
            replies=(Reply(200, "Task figures"),),
        ),
        Route(
            "GET",
            "/metrics",
            prometheus,
            "Prometheus metrics (text exposition format)",
            tag="genesis",
            consumes_json=False,
            waits=False,
            replies=(Reply(200, "Prometheus text"),),
        ),
        Route(
            "GET",
            "/genesis/console",
            console,
            "The web console",
            tag="genesis",
            consumes_json=False,
            waits=False,
            replies=(Reply(200, "HTML"),),
        ),
        Route(
            "GET",
            "/genesis/console/{file}",
            console,
            "Web console assets",
            tag="genesis",
            operation_id="console_asset",
            consumes_json=False,
            waits=False,
            path_params=(Param("file", {"type": "string"}, "Asset name", location="path"),),
            replies=(Reply(200, "Asset"), Reply(404, "No such asset")),
        ),
        *lag_routes(lag),
    )

"""The console's cluster selector: other genesis-worker clusters (one per Kafka cluster, as platform teams
run them) listed in ``genesis.console.clusters``, asked over their public REST API.

* ``GET /genesis/clusters``: this cluster and every listed one, each probed with ``GET /``
* ``GET /genesis/pipelines?clusters=all`` (or ``clusters=a,b``): every cluster's pipelines, each with its
  ``cluster``; ``{"clusters": [...], "pipelines": [...]}``
* ``GET /genesis/lineage?clusters=all``: one graph of every cluster, connector and Kafka topic node ids
  qualified by cluster (``connector@<cluster>:<name>``, ``kafka@<cluster>:<topic>``) so that same-named topics
  of different Kafka clusters stay apart; other endpoints (a collection, a file) are shared by name, which
  joins a sink of one cluster to a source of another; ``&topic=T``: each cluster's answer for its topic T

A cluster that does not answer within ``genesis.cluster.request.timeout.ms`` is reported in ``clusters``
(``reachable`` false, ``error``), never as a failure of the whole answer. Answers are reused for
``genesis.cluster.cache.ms``. Credentials in a URL (``https://user:secret@host:8083``) are sent as HTTP basic
authentication; https URLs are verified with the worker's REST client trust store (``listeners.https.ssl.*``,
else the system's CAs).
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

from genesis_worker.api.errors import ConfigException
from genesis_worker.api.lineage import Endpoint
from genesis_worker.config.genesis_keys import CONSOLE_CLUSTERS_CONFIG
from genesis_worker.genesis.cluster_view import TtlCache
from genesis_worker.genesis.lineage import endpoint_id
from genesis_worker.herder.errors import BadRequestException, ConnectRestException
from genesis_worker.rest.client import Forwarder

ALL = "all"


@dataclass(frozen=True)
class ClusterRef:
    """A cluster of the selector: its name, REST base URL (no credentials, no trailing slash) and the
    ``Authorization`` header the URL's credentials give."""

    name: str
    url: str
    authorization: str | None = None


def parse_cluster(entry: str) -> ClusterRef:
    """``name=url`` or ``url`` (named ``host:port``); raises :class:`ConfigException` for anything else."""
    name, sep, url = entry.partition("=")
    if not sep or "://" in name:
        name, url = "", entry
    name, url = name.strip(), url.strip()
    parts = urlsplit(url)
    invalid = ConfigException(
        f"Invalid value {entry} for configuration {CONSOLE_CLUSTERS_CONFIG}: not [name=]http(s)://host[:port]"
    )
    try:
        port = parts.port
    except ValueError:
        raise invalid from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = f"{host}:{port}" if port is not None else host
    authorization = None
    if parts.username is not None:
        creds = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        authorization = "Basic " + base64.b64encode(creds).decode("ascii")
    return ClusterRef(name or netloc, f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}", authorization)


def parse_clusters(entries: Iterable[str], self_name: str, self_url: str) -> list[ClusterRef]:
    """The other clusters of ``entries``; an entry naming this cluster (``self_name``, or this worker's
    ``host:port``) is left out, so one list can be given to every cluster."""
    self_netloc = urlsplit(self_url).netloc
    out: list[ClusterRef] = []
    for entry in entries:
        if not entry.strip():
            continue
        ref = parse_cluster(entry)
        if ref.name == self_name or urlsplit(ref.url).netloc == self_netloc:
            continue
        if any(r.name == ref.name for r in out):
            raise ConfigException(f"Invalid value for configuration {CONSOLE_CLUSTERS_CONFIG}: {ref.name} twice")
        out.append(ref)
    return out


def qualify_graph(graph: Mapping[str, Any], cluster: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A cluster's lineage graph (``nodes``, ``edges``) with its connectors and Kafka topics qualified by
    ``cluster``: ids ``connector@<cluster>:<name>`` and ``kafka@<cluster>:<topic>``, a ``cluster`` field
    on those nodes. Topics a connector declares in another Kafka cluster (an endpoint with a ``cluster``)
    keep their id, so a cluster of the selector with that name joins them."""
    ids: dict[str, str] = {}
    nodes = []
    for node in graph.get("nodes") or ():
        if not isinstance(node, dict) or not isinstance(node.get("id"), str):
            continue
        q = dict(node)
        if node.get("kind") == "connector":
            q["id"], q["cluster"] = f"connector@{cluster}:{node.get('name')}", cluster
        elif node.get("system") == "kafka" and not node.get("cluster"):
            q["id"] = endpoint_id(Endpoint("kafka", str(node.get("name")), cluster=cluster))
            q["cluster"] = cluster
        ids[node["id"]] = q["id"]
        nodes.append(q)
    edges = [
        {"from": ids.get(e["from"], e["from"]), "to": ids.get(e["to"], e["to"])}
        for e in graph.get("edges") or ()
        if isinstance(e, dict) and isinstance(e.get("from"), str) and isinstance(e.get("to"), str)
    ]
    return nodes, edges


class Clusters:
    """This cluster and the other clusters of ``genesis.console.clusters``."""

    def __init__(
        self,
        self_name: str,
        self_url: str,
        others: Sequence[ClusterRef],
        client: Forwarder,
        *,
        kafka_cluster_id: Callable[[], str | None] = lambda: None,
        cache_s: float = 2.0,
    ) -> None:
        self.self_name = self_name
        self.self_url = self_url
        self.others = list(others)
        self.client = client
        self.kafka_cluster_id = kafka_cluster_id
        self._cache: TtlCache[tuple[Any, str | None]] = TtlCache(cache_s)

    def select(self, param: str) -> list[ClusterRef]:
        """The other clusters ``clusters=`` names (``all``, or names separated by commas; this cluster's name
        may be among them, it is always answered); 400 for an unknown name."""
        if param.strip() == ALL:
            return list(self.others)
        names = [n.strip() for n in param.split(",") if n.strip()]
        known = {r.name: r for r in self.others}
        unknown = [n for n in names if n != self.self_name and n not in known]
        if unknown or not names:
            choices = ", ".join([ALL, self.self_name, *known])
            raise BadRequestException(f"Unknown cluster {', '.join(unknown) or param!r}; clusters is one of: {choices}")
        return [known[n] for n in names if n in known]

    def _self_entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"name": self.self_name, "url": self.self_url, "self": True, "reachable": True}
        kafka = self.kafka_cluster_id()
        if kafka:
            entry["kafka_cluster_id"] = kafka
        return entry

    @staticmethod
    def _entry(ref: ClusterRef, error: str | None) -> dict[str, Any]:
        entry: dict[str, Any] = {"name": ref.name, "url": ref.url, "self": False, "reachable": error is None}
        if error is not None:
            entry["error"] = error
        return entry

    async def _get(self, ref: ClusterRef, path: str) -> tuple[Any, str | None]:
        """(body, None) or (None, why the cluster did not answer); reused for the cache time."""

        async def load() -> tuple[Any, str | None]:
            try:
                _, body = await self.client.request(ref.url + path, "GET", authorization=ref.authorization)
            except ConnectRestException as e:
                return None, f"{ref.url}: {e.message or e}"
            return body, None

        return await self._cache.get((ref.name, path), load)

    async def clusters(self) -> list[dict[str, Any]]:
        """``GET /genesis/clusters``: this cluster first, then each other one as ``GET /`` finds it."""
        answers = await asyncio.gather(*(self._get(ref, "/") for ref in self.others))
        out = [self._self_entry()]
        for ref, (body, error) in zip(self.others, answers, strict=True):
            entry = self._entry(ref, error)
            if isinstance(body, dict) and isinstance(body.get("kafka_cluster_id"), str):
                entry["kafka_cluster_id"] = body["kafka_cluster_id"]
            out.append(entry)
        return out

    async def _gather(
        self, refs: Sequence[ClusterRef], path: str, shape: type
    ) -> list[tuple[ClusterRef, Any, str | None]]:
        answers = await asyncio.gather(*(self._get(ref, path) for ref in refs))
        out = []
        for ref, (body, error) in zip(refs, answers, strict=True):
            if error is None and not isinstance(body, shape):
                body, error = None, f"{ref.url}{path} answered no {shape.__name__}"
            out.append((ref, body, error))
        return out

    async def pipelines(self, local: list[dict[str, Any]], refs: Sequence[ClusterRef]) -> dict[str, Any]:
        """``GET /genesis/pipelines?clusters=...``: this cluster's ``local`` pipelines and the others'."""
        clusters = [self._self_entry()]
        pipelines = [{**p, "cluster": self.self_name} for p in local]
        for ref, body, error in await self._gather(refs, "/genesis/pipelines", list):
            clusters.append(self._entry(ref, error))
            pipelines.extend({**p, "cluster": ref.name} for p in body or () if isinstance(p, dict))
        return {"clusters": clusters, "pipelines": pipelines}

    async def lineage(self, local: dict[str, Any], refs: Sequence[ClusterRef]) -> dict[str, Any]:
        """``GET /genesis/lineage?clusters=...``: one graph of this cluster's (``local``) and the others'."""
        clusters = [self._self_entry()]
        nodes: dict[str, dict[str, Any]] = {}
        edges: list[dict[str, Any]] = []
        graphs = [(self.self_name, local)]
        for ref, body, error in await self._gather(refs, "/genesis/lineage", dict):
            clusters.append(self._entry(ref, error))
            if body is not None:
                graphs.append((ref.name, body))
        for name, graph in graphs:
            qualified_nodes, qualified_edges = qualify_graph(graph, name)
            for node in qualified_nodes:
                nodes.setdefault(node["id"], node)
            edges.extend(qualified_edges)
        return {"clusters": clusters, "nodes": sorted(nodes.values(), key=lambda n: n["id"]), "edges": edges}

    async def topic_lineage(
        self, local: dict[str, Any], refs: Sequence[ClusterRef], topic: str, system: str
    ) -> dict[str, Any]:
        """``GET /genesis/lineage?clusters=...&topic=T``: each cluster's answer for its own topic ``T``."""
        clusters = [self._self_entry()]
        results = [{"cluster": self.self_name, **local}]
        path = "/genesis/lineage?" + urlencode({"topic": topic, "system": system})
        for ref, body, error in await self._gather(refs, path, dict):
            clusters.append(self._entry(ref, error))
            if body is not None:
                results.append({"cluster": ref.name, **body})
        return {"topic": topic, "system": system, "clusters": clusters, "results": results}

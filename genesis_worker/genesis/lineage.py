"""The lineage graph: endpoints (topics, collections, files...) and the connectors between them.

Built from each connector's declared :class:`~genesis_worker.api.lineage.Lineage` plus what the worker
observed (active topics, the dead letter queue). Answers, for a topic: which pipelines read it, which write
it, and every endpoint its data reaches downstream (following pipelines transitively, substituting
``${topic}`` templates with the topic that flows in).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from genesis_worker.api.lineage import Endpoint, Lineage


@dataclass
class PipelineView:
    """One connector as the lineage graph sees it."""

    name: str
    type: str
    lineage: Lineage
    owner: str | None = None
    ticket: str | None = None
    state: str | None = None
    active_topics: list[str] = field(default_factory=list)
    dlq_topic: str | None = None

    def inputs(self) -> list[Endpoint]:
        out = list(self.lineage.inputs)
        if self.type == "sink":
            for t in self.active_topics:
                ep = Endpoint("kafka", t)
                if ep not in out:
                    out.append(ep)
        return out

    def outputs(self) -> list[Endpoint]:
        out = list(self.lineage.outputs)
        if self.type == "source":
            for t in self.active_topics:
                ep = Endpoint("kafka", t)
                if ep not in out:
                    out.append(ep)
        if self.dlq_topic:
            out.append(Endpoint("kafka", self.dlq_topic))
        return out


def endpoint_id(ep: Endpoint) -> str:
    cluster = f"@{ep.cluster}" if ep.cluster else ""
    return f"{ep.system}{cluster}:{ep.name}"


def _matches(ep: Endpoint, system: str, name: str) -> bool:
    if ep.system != system or ep.cluster:
        return False
    if not ep.pattern:
        return ep.name == name
    try:
        return re.fullmatch(ep.name, name) is not None
    except re.error:
        return False


def _resolve(ep: Endpoint, topic: str) -> Endpoint:
    """Substitute ``${topic}`` in an output template with the topic that flows in."""
    if "${topic}" not in ep.name:
        return ep
    return Endpoint(ep.system, ep.name.replace("${topic}", topic), pattern=False, cluster=ep.cluster)


class LineageGraph:
    def __init__(self, pipelines: Iterable[PipelineView]) -> None:
        self.pipelines = sorted(pipelines, key=lambda p: p.name)

    def to_json(self) -> dict[str, Any]:
        """The whole graph: nodes (endpoints and connectors) and edges."""
        nodes: dict[str, dict[str, Any]] = {}
        edges: list[dict[str, str]] = []
        for p in self.pipelines:
            cid = f"connector:{p.name}"
            nodes[cid] = _connector_node(p)
            for ep in p.inputs():
                nodes.setdefault(endpoint_id(ep), {"id": endpoint_id(ep), "kind": "endpoint", **ep.to_json()})
                edges.append({"from": endpoint_id(ep), "to": cid})
            for ep in p.outputs():
                nodes.setdefault(endpoint_id(ep), {"id": endpoint_id(ep), "kind": "endpoint", **ep.to_json()})
                edges.append({"from": cid, "to": endpoint_id(ep)})
        return {"nodes": sorted(nodes.values(), key=lambda n: n["id"]), "edges": edges}

    def readers(self, topic: str, system: str = "kafka") -> list[PipelineView]:
        return [p for p in self.pipelines if any(_matches(ep, system, topic) for ep in p.inputs())]

    def writers(self, topic: str, system: str = "kafka") -> list[PipelineView]:
        out = []
        for p in self.pipelines:
            for ep in p.outputs():
                if _matches(ep, system, topic) or (
                    "${topic}" in ep.name
                    and ep.system == system
                    and not ep.cluster
                    and _template_can_produce(ep.name, topic)
                ):
                    out.append(p)
                    break
        return out

    def downstream(self, topic: str, system: str = "kafka", max_hops: int = 20) -> list[dict[str, Any]]:
        """Every endpoint data of ``topic`` reaches, with the path of connectors that carries it there."""
        return self._walk(topic, system, max_hops, downward=True)[0]

    def upstream(self, topic: str, system: str = "kafka", max_hops: int = 20) -> list[dict[str, Any]]:
        """Every endpoint whose data flows into ``topic``, with the connectors in between."""
        return self._walk(topic, system, max_hops, downward=False)[0]

    def _walk(self, topic: str, system: str, max_hops: int, downward: bool) -> tuple[list[dict[str, Any]], _Subgraph]:
        """Breadth first from ``topic`` through its readers (``downward``) or writers: the endpoints found
        with the connectors in between, and the subgraph walked, each node in its layer (the topic 0,
        downstream positive, upstream negative; connectors on odd layers)."""
        start = Endpoint(system, topic)
        sub = _Subgraph()
        seen = {sub.endpoint(start, 0)}
        sign = 1 if downward else -1
        out: list[dict[str, Any]] = []
        queue: deque[tuple[Endpoint, list[str]]] = deque([(start, [])])
        while queue:
            ep, path = queue.popleft()
            if len(path) >= max_hops:
                continue
            for p in self.readers(ep.name, ep.system) if downward else self.writers(ep.name, ep.system):
                if p.name in path:  # a pipeline reading its own output (e.g. a regex that matches it): a loop
                    continue
                hop = [*path, p.name] if downward else [p.name, *path]
                cid = sub.connector(p, sign * (2 * len(hop) - 1))
                sub.edge(endpoint_id(ep), cid, downward)
                for other in p.outputs() if downward else p.inputs():
                    found = _resolve(other, ep.name) if downward else other
                    fid = sub.endpoint(found, sign * 2 * len(hop))
                    sub.edge(cid, fid, downward)
                    if fid in seen:
                        continue
                    seen.add(fid)
                    out.append({"endpoint": found.to_json(), "via": hop})
                    if not found.pattern:
                        queue.append((found, hop))
        return out, sub

    def for_topic(self, topic: str, system: str = "kafka") -> dict[str, Any]:
        """Readers, writers, every endpoint downstream and upstream, and the ``graph`` of both directions
        (``nodes`` with their ``layer``, ``edges``) for the console to draw."""
        downstream, sub = self._walk(topic, system, 20, downward=True)
        upstream, up = self._walk(topic, system, 20, downward=False)
        return {
            "topic": topic,
            "system": system,
            "readers": [_summary(p) for p in self.readers(topic, system)],
            "writers": [_summary(p) for p in self.writers(topic, system)],
            "downstream": downstream,
            "upstream": upstream,
            "graph": sub.merge(up).to_json(),
        }


def _connector_node(p: PipelineView) -> dict[str, Any]:
    return {
        "id": f"connector:{p.name}",
        "kind": "connector",
        "name": p.name,
        "type": p.type,
        "owner": p.owner,
        "ticket": p.ticket,
        "state": p.state,
    }


class _Subgraph:
    """The nodes and edges a walk from a topic went through, each node in the layer it was first met."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: dict[tuple[str, str], None] = {}  # ordered and without duplicates

    def endpoint(self, ep: Endpoint, layer: int) -> str:
        eid = endpoint_id(ep)
        self.nodes.setdefault(eid, {"id": eid, "kind": "endpoint", "layer": layer, **ep.to_json()})
        return eid

    def connector(self, p: PipelineView, layer: int) -> str:
        node = self.nodes.setdefault(f"connector:{p.name}", {**_connector_node(p), "layer": layer})
        return str(node["id"])

    def edge(self, a: str, b: str, forward: bool) -> None:
        self.edges[(a, b) if forward else (b, a)] = None

    def merge(self, other: _Subgraph) -> _Subgraph:
        for nid, node in other.nodes.items():
            self.nodes.setdefault(nid, node)
        self.edges.update(other.edges)
        return self

    def to_json(self) -> dict[str, Any]:
        return {
            "nodes": sorted(self.nodes.values(), key=lambda n: (n["layer"], n["id"])),
            "edges": [{"from": a, "to": b} for a, b in self.edges],
        }


def _template_can_produce(template: str, topic: str) -> bool:
    parts = [re.escape(s) for s in template.split("${topic}")]
    return re.fullmatch(".+".join(parts), topic) is not None


def _summary(p: PipelineView) -> dict[str, Any]:
    return {
        "name": p.name,
        "type": p.type,
        "owner": p.owner,
        "ticket": p.ticket,
        "state": p.state,
        "inputs": [e.to_json() for e in p.inputs()],
        "outputs": [e.to_json() for e in p.outputs()],
    }

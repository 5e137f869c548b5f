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
            nodes[cid] = {
                "id": cid,
                "kind": "connector",
                "name": p.name,
                "type": p.type,
                "owner": p.owner,
                "ticket": p.ticket,
                "state": p.state,
            }
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
        seen: set[str] = {endpoint_id(Endpoint(system, topic))}
        out: list[dict[str, Any]] = []
        queue: deque[tuple[Endpoint, list[str]]] = deque([(Endpoint(system, topic), [])])
        while queue:
            ep, path = queue.popleft()
            if len(path) >= max_hops:
                continue
            for p in self.readers(ep.name, ep.system):
                if p.name in path:  # a pipeline reading its own output (e.g. a regex that matches it): a loop
                    continue
                for target in p.outputs():
                    resolved = _resolve(target, ep.name)
                    tid = endpoint_id(resolved)
                    if tid in seen:
                        continue
                    seen.add(tid)
                    hop = [*path, p.name]
                    out.append({"endpoint": resolved.to_json(), "via": hop})
                    if not resolved.pattern:
                        queue.append((resolved, hop))
        return out

    def upstream(self, topic: str, system: str = "kafka", max_hops: int = 20) -> list[dict[str, Any]]:
        """Every endpoint whose data flows into ``topic``, with the connectors in between."""
        seen: set[str] = {endpoint_id(Endpoint(system, topic))}
        out: list[dict[str, Any]] = []
        queue: deque[tuple[Endpoint, list[str]]] = deque([(Endpoint(system, topic), [])])
        while queue:
            ep, path = queue.popleft()
            if len(path) >= max_hops:
                continue
            for p in self.writers(ep.name, ep.system):
                if p.name in path:
                    continue
                for source in p.inputs():
                    sid = endpoint_id(source)
                    if sid in seen:
                        continue
                    seen.add(sid)
                    hop = [p.name, *path]
                    out.append({"endpoint": source.to_json(), "via": hop})
                    if not source.pattern:
                        queue.append((source, hop))
        return out

    def for_topic(self, topic: str, system: str = "kafka") -> dict[str, Any]:
        return {
            "topic": topic,
            "system": system,
            "readers": [_summary(p) for p in self.readers(topic, system)],
            "writers": [_summary(p) for p in self.writers(topic, system)],
            "downstream": self.downstream(topic, system),
            "upstream": self.upstream(topic, system),
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

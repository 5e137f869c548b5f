"""Lineage declarations: what a connector reads and what it writes, named by system and resource.

Connectors describe their own lineage by overriding :meth:`Connector.lineage`; the worker adds what it
sees at run time (active topics, dead letter queues) and answers "for this topic, which pipelines read
it, what do they write, and where did the data go" (``GET /genesis/lineage``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Endpoint:
    """A place data lives: ``Endpoint("kafka", "ad-clicks")``, ``Endpoint("mongodb", "ads.clicks")``.

    ``pattern`` marks a regex (``topics.regex``) or template (``${topic}-out``) rather than one name.
    ``cluster`` names a Kafka cluster other than the worker's (e.g. ``target.bootstrap.servers``).
    """

    system: str
    name: str
    pattern: bool = False
    cluster: str | None = None

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"system": self.system, "name": self.name}
        if self.pattern:
            out["pattern"] = True
        if self.cluster:
            out["cluster"] = self.cluster
        return out


@dataclass
class Lineage:
    """Inputs and outputs of one connector."""

    inputs: list[Endpoint] = field(default_factory=list)
    outputs: list[Endpoint] = field(default_factory=list)

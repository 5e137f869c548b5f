"""Identities of what a worker runs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class ConnectorTaskId:
    """A task of a connector (Java ``ConnectorTaskId``); ``str()`` is ``<connector>-<task>``."""

    connector: str
    task: int

    def __str__(self) -> str:
        return f"{self.connector}-{self.task}"

    def to_json(self) -> dict[str, str | int]:
        """The REST API's ConnectorTaskId object."""
        return {"connector": self.connector, "task": self.task}

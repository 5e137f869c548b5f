"""What a connector should do (``TargetState``), what it does (``State``) and the requests that change it."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class TargetState(str, enum.Enum):
    """The state a connector's owner asked for (Java ``TargetState``), kept in the config topic."""

    STARTED = "STARTED"
    PAUSED = "PAUSED"
    STOPPED = "STOPPED"


class State(str, enum.Enum):
    """The state a connector or task reports (Java ``AbstractStatus.State``), kept in the status topic."""

    UNASSIGNED = "UNASSIGNED"
    RUNNING = "RUNNING"
    PAUSED = "PAUSED"
    FAILED = "FAILED"
    RESTARTING = "RESTARTING"
    STOPPED = "STOPPED"
    DESTROYED = "DESTROYED"


@dataclass(frozen=True)
class RestartRequest:
    """A KIP-745 restart (Java ``RestartRequest``): the connector, and which of its instances restart."""

    connector: str
    only_failed: bool = False
    include_tasks: bool = False

    @property
    def impact(self) -> int:
        """Orders two requests for one connector: the one that restarts more wins (Java ``compareTo``)."""
        return (2 if self.include_tasks else 0) + (0 if self.only_failed else 1)

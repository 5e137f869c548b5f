"""Leader-side Connect assignors: eager (``default``) and incremental cooperative (``compatible``,
``sessioned``)."""

from genesis_worker.group.assignors.abstract import AssignmentResult, ConfigSnapshot, ConnectAssignor
from genesis_worker.group.assignors.cooperative import IncrementalCooperativeAssignor
from genesis_worker.group.assignors.eager import EagerAssignor

__all__ = [
    "AssignmentResult",
    "ConfigSnapshot",
    "ConnectAssignor",
    "EagerAssignor",
    "IncrementalCooperativeAssignor",
]

"""Errors the herder raises that the REST layer maps to Connect's status codes."""

from __future__ import annotations

from genesis_worker.api.errors import ConnectException


class ConnectRestException(ConnectException):
    """An error with an explicit HTTP status (Connect's ``ConnectRestException``)."""

    def __init__(self, status: int, message: str | None, error_code: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = status if error_code is None else error_code
        self.message = message


class BadRequestException(ConnectRestException):
    """400."""

    def __init__(self, message: str) -> None:
        super().__init__(400, message)


class ConflictException(ConnectRestException):
    """409 with a message (rebalance in progress, conflicting operation)."""

    def __init__(self, message: str) -> None:
        super().__init__(409, message)


class RequestTargetException(ConnectException):
    """The request must run on another worker, reachable at ``url`` (None: unknown right now)."""

    def __init__(self, message: str, url: str | None) -> None:
        super().__init__(message)
        self.url = url


class NotLeaderException(RequestTargetException):
    """Only the leader can do this; ``url`` is the leader's advertised REST URL."""


class NotAssignedException(RequestTargetException):
    """Only the worker running the connector/task can do this; ``url`` is its REST URL."""


class RebalanceNeededException(ConnectException):
    """The worker's view is stale; REST answers 409."""

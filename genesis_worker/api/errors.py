"""Exceptions of the connector SDK, named as in Kafka Connect (``org.apache.kafka.connect.errors``)."""

from __future__ import annotations


class ConnectException(Exception):
    """Base class of every error the framework and connectors raise on purpose."""


class RetriableException(ConnectException):
    """A failure that may succeed if retried.

    A sink task raising it from ``put`` gets the same batch again after its partitions were paused
    (``context.timeout`` sets how long); a source task raising it from ``poll`` is simply polled again.
    """


class DataException(ConnectException):
    """Bad data: a record that cannot be converted, transformed or validated against its schema."""


class SchemaBuilderException(DataException):
    """A schema was built wrongly."""


class ConfigException(ConnectException):
    """A configuration value is missing or invalid. ``name`` is the offending key, if known."""

    def __init__(self, message: str, name: str | None = None, value: object = None) -> None:
        if name is not None and "{name}" not in message and name not in message:
            message = f"Invalid value {value} for configuration {name}: {message}"
        super().__init__(message)
        self.name = name
        self.value = value


class NotFoundException(ConnectException):
    """An entity (connector, task, plugin) does not exist. REST answers 404."""


class AlreadyExistsException(ConnectException):
    """An entity already exists. REST answers 409."""


class IllegalWorkerStateException(ConnectException):
    """The worker is in a state where the operation cannot be done."""

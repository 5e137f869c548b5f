"""The one place that builds PyMongo clients (``AsyncMongoClient``, never Motor) and classifies errors."""

from __future__ import annotations

from typing import Any

from bson.binary import UuidRepresentation
from bson.codec_options import CodecOptions, DatetimeConversion
from pymongo import AsyncMongoClient
from pymongo.driver_info import DriverInfo
from pymongo.errors import (
    BulkWriteError,
    ConnectionFailure,
    OperationFailure,
    PyMongoError,
    WaitQueueTimeoutError,
    WriteConcernError,
)

# Server error codes that mean "try again later": node state changes, shutdowns, timeouts, network.
RETRYABLE_CODES = frozenset({6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 64, 50})

# Decode as the Java driver sees values: aware UTC datetimes that never overflow, binary UUIDs kept as
# Binary (subtype 3/4) so they are written back out unchanged.
CODEC_OPTIONS: CodecOptions[dict[str, Any]] = CodecOptions(
    tz_aware=True,
    datetime_conversion=DatetimeConversion.DATETIME_AUTO,
    uuid_representation=UuidRepresentation.UNSPECIFIED,
)


def create_client(uri: str, connector_type: str) -> AsyncMongoClient[dict[str, Any]]:
    """One client per task. It connects lazily; nothing blocks here."""
    from genesis_worker import __version__

    return AsyncMongoClient(
        uri,
        driver=DriverInfo(f"genesis-worker-mongo-kafka-{connector_type}", __version__),
        tz_aware=True,
        datetime_conversion=DatetimeConversion.DATETIME_AUTO,
        uuidRepresentation="unspecified",
    )


def is_transient(error: BaseException) -> bool:
    """True when retrying the same write later can succeed: the server is unreachable, stepping down,
    shutting down or overloaded. Per-document errors (duplicate key, validation) are not transient."""
    if isinstance(error, ConnectionFailure | WaitQueueTimeoutError | WriteConcernError):
        return True
    if isinstance(error, BulkWriteError):
        details = error.details or {}
        return not details.get("writeErrors") and bool(details.get("writeConcernErrors"))
    if isinstance(error, OperationFailure):
        if error.has_error_label("RetryableWriteError") or error.has_error_label("ResumableChangeStreamError"):
            return True
        return error.code in RETRYABLE_CODES
    if isinstance(error, PyMongoError):
        return error.timeout
    return False

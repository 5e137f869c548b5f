"""Couchbase sink: Kafka topics to Couchbase documents with the Couchbase Python SDK 4, configured like
Couchbase's ``com.couchbase.connect.kafka.CouchbaseSinkConnector`` (``couchbase.seed.nodes``,
``couchbase.bucket``, ``couchbase.username``/``password``, ``couchbase.default.collection``,
``couchbase.document.id``, ``couchbase.document.mode``, ``couchbase.durability``). SDK calls live in
:mod:`genesis_connectors.couchbase.store` only."""

from typing import Any

from genesis_connectors.couchbase.connector import CouchbaseSinkConnector

__all__ = ["CouchbaseSinkConnector", "CouchbaseSinkTask"]


def __getattr__(name: str) -> Any:
    """The task class, imported (with the client library) only when asked for."""
    if name == "CouchbaseSinkTask":
        from genesis_connectors.couchbase.task import CouchbaseSinkTask

        return CouchbaseSinkTask
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

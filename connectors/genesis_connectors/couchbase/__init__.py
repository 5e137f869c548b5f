"""Couchbase sink: Kafka topics to Couchbase documents with the Couchbase Python SDK 4, configured like
Couchbase's ``com.couchbase.connect.kafka.CouchbaseSinkConnector`` (``couchbase.seed.nodes``,
``couchbase.bucket``, ``couchbase.username``/``password``, ``couchbase.default.collection``,
``couchbase.document.id``, ``couchbase.document.mode``, ``couchbase.durability``). SDK calls live in
:mod:`genesis_connectors.couchbase.store` only."""

from genesis_connectors.couchbase.connector import CouchbaseSinkConnector
from genesis_connectors.couchbase.task import CouchbaseSinkTask

__all__ = ["CouchbaseSinkConnector", "CouchbaseSinkTask"]

"""Cassandra sink: Kafka topics to Cassandra tables with the DataStax Python driver, configured like the
DataStax Apache Kafka Connector (``com.datastax.oss.kafka.sink.CassandraSinkConnector``: ``contactPoints``,
``loadBalancing.localDc``, ``port``, ``topic.<topic>.<keyspace>.<table>.mapping``). Driver calls live in
:mod:`genesis_connectors.cassandra.session` only."""

from typing import Any

from genesis_connectors.cassandra.connector import CassandraSinkConnector

__all__ = ["CassandraSinkConnector", "CassandraSinkTask"]


def __getattr__(name: str) -> Any:
    """The task class, imported (with the client library) only when asked for."""
    if name == "CassandraSinkTask":
        from genesis_connectors.cassandra.task import CassandraSinkTask

        return CassandraSinkTask
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

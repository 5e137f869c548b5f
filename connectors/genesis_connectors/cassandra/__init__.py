"""Cassandra sink: Kafka topics to Cassandra tables with the DataStax Python driver, configured like the
DataStax Apache Kafka Connector (``com.datastax.oss.kafka.sink.CassandraSinkConnector``: ``contactPoints``,
``loadBalancing.localDc``, ``port``, ``topic.<topic>.<keyspace>.<table>.mapping``). Driver calls live in
:mod:`genesis_connectors.cassandra.session` only."""

from genesis_connectors.cassandra.connector import CassandraSinkConnector
from genesis_connectors.cassandra.task import CassandraSinkTask

__all__ = ["CassandraSinkConnector", "CassandraSinkTask"]

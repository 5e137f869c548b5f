"""``cassandra_server``: a real Apache Cassandra 5.0 node (embedded CassandraDaemon) for the Cassandra sink."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures.cassandra import CassandraServer


@pytest.fixture(scope="session")
def cassandra_server() -> Iterator[CassandraServer]:
    """One node: ``.port`` (CQL), ``.contact_point``, ``.local_dc``; ``stop``/``start`` keep the data."""
    server = CassandraServer()
    try:
        server.start()
        yield server
    finally:
        server.close()

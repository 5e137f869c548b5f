"""``couchbase_server``: gocaves, Couchbase's mock cluster (real KV protocol and cluster map), for the
Couchbase sink; ``couchbase_cluster``: an SDK connection to it, for tests to set up and read documents."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fixtures.couchbase import GocavesServer


@pytest.fixture(scope="session")
def couchbase_server() -> Iterator[GocavesServer]:
    """Two nodes, bucket ``default`` (one replica), Administrator/password: ``.seed_nodes``, ``.paused()``."""
    server = GocavesServer()
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def couchbase_cluster(couchbase_server: GocavesServer) -> Iterator[Any]:
    cluster = couchbase_server.connect()
    try:
        yield cluster
    finally:
        cluster.close()
